"""formwork_tenant.brand_color: the tenant's main colour (#rrggbb), on its top bar and buttons.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("formwork_tenant", sa.Column("brand_color", sa.String(7), nullable=True))


def downgrade() -> None:
    op.drop_column("formwork_tenant", "brand_color")

"""formwork_tenant.logo: the tenant's logo (a PNG or JPEG data: URI), shown on its print formats.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("formwork_tenant", sa.Column("logo", sa.Text(), nullable=True))


def downgrade() -> None:
    op.drop_column("formwork_tenant", "logo")

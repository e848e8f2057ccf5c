"""formwork_tenant.customizations_hash goes: the tenant's generation (0006) tells servers of every change now.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06
"""
import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("formwork_tenant") as batch:
        batch.drop_column("customizations_hash")


def downgrade() -> None:
    with op.batch_alter_table("formwork_tenant") as batch:
        batch.add_column(sa.Column("customizations_hash", sa.String(length=64), nullable=False, server_default=""))

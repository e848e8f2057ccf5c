"""Each tenant's default currency.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27
"""
from alembic import op
import sqlalchemy as sa

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("formwork_tenant") as batch:
        batch.add_column(sa.Column("currency", sa.String(length=3), nullable=False, server_default="CNY"))


def downgrade() -> None:
    with op.batch_alter_table("formwork_tenant") as batch:
        batch.drop_column("currency")

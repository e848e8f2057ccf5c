"""The log of schema changes applied to each tenant.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27
"""
from alembic import op
import sqlalchemy as sa

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "formwork_schema_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant_slug", sa.String(length=40), nullable=False),
        sa.Column("applied_at", sa.DateTime(), nullable=False),
        sa.Column("definitions_hash", sa.String(length=64), nullable=False),
        sa.Column("operations_json", sa.Text(), nullable=False),
        sa.Column("left_alone_json", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_formwork_schema_change_tenant_slug", "formwork_schema_change", ["tenant_slug"])


def downgrade() -> None:
    op.drop_index("ix_formwork_schema_change_tenant_slug", table_name="formwork_schema_change")
    op.drop_table("formwork_schema_change")

"""Tenant customizations (overlay documents kept apart from packs) and each tenant's time zone.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28
"""
import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("formwork_tenant") as batch:
        batch.add_column(sa.Column("timezone", sa.String(length=64), nullable=False, server_default="UTC"))
        batch.add_column(sa.Column("customizations_hash", sa.String(length=64), nullable=False, server_default=""))
    op.create_table(
        "formwork_customization",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant_slug", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("target", sa.String(length=200), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("tenant_slug", "kind", "target", name="uq_formwork_customization_target"),
    )
    op.create_index("ix_formwork_customization_tenant_slug", "formwork_customization", ["tenant_slug"])


def downgrade() -> None:
    op.drop_index("ix_formwork_customization_tenant_slug", table_name="formwork_customization")
    op.drop_table("formwork_customization")
    with op.batch_alter_table("formwork_tenant") as batch:
        batch.drop_column("customizations_hash")
        batch.drop_column("timezone")

"""Customization history: every state of a tenant's overlay, with who changed it, when, and the definitions after.

Customizations stored before this revision get their current text as version 1.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27
"""
import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "formwork_customization_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant_slug", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("target", sa.String(length=200), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("change", sa.String(length=40), nullable=False),
        sa.Column("source", sa.Text(), nullable=True),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("changed_at", sa.DateTime(), nullable=False),
        sa.Column("definitions_hash", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("tenant_slug", "kind", "target", "version", name="uq_formwork_customization_version"),
    )
    op.create_index("ix_formwork_customization_version_tenant_slug", "formwork_customization_version", ["tenant_slug"])
    op.execute(
        "INSERT INTO formwork_customization_version (tenant_slug, kind, target, version, change, source, actor, changed_at) "
        "SELECT tenant_slug, kind, target, 1, 'added', source, 'before history', updated_at FROM formwork_customization"
    )


def downgrade() -> None:
    op.drop_index("ix_formwork_customization_version_tenant_slug", table_name="formwork_customization_version")
    op.drop_table("formwork_customization_version")

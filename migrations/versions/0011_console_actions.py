"""formwork_console_action: what operators did in the console (created, suspended, resumed a tenant), and who.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "formwork_console_action",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("operator", sa.String(length=100), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("tenant_slug", sa.String(length=40), nullable=False),
        sa.Column("detail", sa.Text(), server_default="", nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_formwork_console_action_at", "formwork_console_action", ["at"])
    op.create_index("ix_formwork_console_action_tenant_slug", "formwork_console_action", ["tenant_slug"])


def downgrade() -> None:
    op.drop_index("ix_formwork_console_action_tenant_slug", table_name="formwork_console_action")
    op.drop_index("ix_formwork_console_action_at", table_name="formwork_console_action")
    op.drop_table("formwork_console_action")

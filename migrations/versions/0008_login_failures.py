"""formwork_login_failure: failed sign-ins per user name and per address, which throttle further attempts.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-08
"""
import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "formwork_login_failure",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("realm", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_failed_at", sa.DateTime(), nullable=False),
        sa.Column("blocked_until", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("kind", "realm", "name", name="uq_formwork_login_failure"),
    )
    op.create_index("ix_formwork_login_failure_last_failed_at", "formwork_login_failure", ["last_failed_at"])


def downgrade() -> None:
    op.drop_index("ix_formwork_login_failure_last_failed_at", table_name="formwork_login_failure")
    op.drop_table("formwork_login_failure")

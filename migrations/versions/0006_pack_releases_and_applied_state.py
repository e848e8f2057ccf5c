"""Pack releases, and what each tenant's storage has: a tenant runs on what it installed and last applied.

- formwork_pack_release: the exact YAML of every pack release a tenant installed, shared by tenants.
- formwork_tenant.releases_json: the release of each installed pack; applied_json: the releases and
  customizations its storage was last migrated to (None until first recorded); generation: raised by every change
  of the row, so every serving process notices before its next request.
- formwork_schema_change.outcome: applied, refused or failed (rows written before were applications).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06
"""
import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "formwork_pack_release",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("version", sa.String(length=40), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("sources_json", sa.Text(), nullable=False),
        sa.Column("stored_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name", "digest", name="uq_formwork_pack_release"),
    )
    with op.batch_alter_table("formwork_tenant") as batch:
        batch.add_column(sa.Column("releases_json", sa.Text(), nullable=False, server_default="{}"))
        batch.add_column(sa.Column("applied_json", sa.Text(), nullable=True))
        batch.add_column(sa.Column("generation", sa.Integer(), nullable=False, server_default="1"))
    with op.batch_alter_table("formwork_schema_change") as batch:
        batch.add_column(sa.Column("outcome", sa.String(length=20), nullable=False, server_default="applied"))


def downgrade() -> None:
    with op.batch_alter_table("formwork_schema_change") as batch:
        batch.drop_column("outcome")
    with op.batch_alter_table("formwork_tenant") as batch:
        batch.drop_column("generation")
        batch.drop_column("applied_json")
        batch.drop_column("releases_json")
    op.drop_table("formwork_pack_release")

"""Customization revisions: every change of a tenant's customizations (a Studio publish, a `formwork tenant
customize`, a revert) is one revision of the tenant, numbered 1, 2, … per tenant, with a comment; the versions of the
overlays it changed carry its number, so the whole set of customizations at any revision can be restored.

Versions recorded before this revision become one revision each, in the order they were recorded.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

VERSIONS = sa.table(
    "formwork_customization_version",
    sa.column("id", sa.Integer()),
    sa.column("tenant_slug", sa.String()),
    sa.column("revision", sa.Integer()),
)


def upgrade() -> None:
    with op.batch_alter_table("formwork_customization_version") as batch:
        batch.add_column(sa.Column("revision", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("comment", sa.Text(), server_default="", nullable=False))
    connection = op.get_bind()
    numbers: dict[str, int] = {}
    for id_, slug in connection.execute(sa.select(VERSIONS.c.id, VERSIONS.c.tenant_slug).order_by(VERSIONS.c.id)):
        numbers[slug] = numbers.get(slug, 0) + 1
        connection.execute(VERSIONS.update().where(VERSIONS.c.id == id_).values(revision=numbers[slug]))
    with op.batch_alter_table("formwork_customization_version") as batch:
        batch.alter_column("revision", existing_type=sa.Integer(), nullable=False)
    op.create_index(
        "ix_formwork_customization_version_revision", "formwork_customization_version", ["tenant_slug", "revision"]
    )


def downgrade() -> None:
    op.drop_index("ix_formwork_customization_version_revision", table_name="formwork_customization_version")
    with op.batch_alter_table("formwork_customization_version") as batch:
        batch.drop_column("comment")
        batch.drop_column("revision")

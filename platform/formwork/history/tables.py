"""The change history and the comments of records, in every tenant's storage next to the records.

They are on TENANT_METADATA, so new tenants get them with their other platform
tables and existing ones at their next sync or `formwork migrate`. The history
is append-only: the application never updates or deletes a row (the session
refuses it, `recording.refuse_rewrites`), and the database refuses it too, by
a trigger created with the table, so even SQL typed by hand cannot rewrite
what happened. Dropping the whole table (a tenant's deletion drops its schema,
database or file) is still possible: that is the tenant going away, not a
change of its history.
"""

from __future__ import annotations

import sqlalchemy as sa

from ..compile.generated import TENANT_METADATA, keyed_by
from ..tenancy.directory import USER_NAME

CREATE, UPDATE, DELETE = "create", "update", "delete"
ACTIONS = (CREATE, UPDATE, DELETE)
MAX_COMMENT = 4000

CHANGES = sa.Table(
    "formwork_record_change",
    TENANT_METADATA,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("entity", sa.String(100), nullable=False),  # `crm.account`; kept when renamed (FORMER_NAMES)
    sa.Column("record_id", sa.Integer, nullable=False),
    # a child-table row (an expense line) is also shown in its parent's history
    sa.Column("parent_entity", sa.String(100)),
    sa.Column("parent_id", sa.Integer),
    sa.Column("action", sa.String(10), nullable=False),
    sa.Column("actor", sa.String(USER_NAME)),  # none: the platform itself (seeds, command-line imports, jobs)
    sa.Column("at", sa.DateTime, nullable=False),
    sa.Column("changes", sa.JSON, nullable=False),  # {field: {"old": …, "new": …}}, JSON-safe values
    sa.Index("ix_formwork_record_change_record", "entity", "record_id", "at"),
    sa.Index("ix_formwork_record_change_parent", "parent_entity", "parent_id", "at"),
)

COMMENTS = sa.Table(
    "formwork_record_comment",
    TENANT_METADATA,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("entity", sa.String(100), nullable=False, info=keyed_by("Entity")),
    sa.Column("record_id", sa.Integer, nullable=False),
    sa.Column("author", sa.String(USER_NAME), nullable=False),
    sa.Column("body", sa.Text, nullable=False),  # plain text, escaped when shown
    sa.Column("mentions", sa.JSON, nullable=False),  # the user names the body mentions (@alice), each once
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Index("ix_formwork_record_comment_record", "entity", "record_id", "created_at"),
)

_REFUSAL = "formwork_record_change is append-only"

#: PostgreSQL: a trigger function in the tenant's schema (created where the search_path points, like the table)
_PG_FUNCTION = sa.DDL(
    "CREATE OR REPLACE FUNCTION formwork_record_change_refuse() RETURNS trigger LANGUAGE plpgsql AS $$ "
    f"BEGIN RAISE EXCEPTION USING MESSAGE = '{_REFUSAL}: ' || TG_OP || ' refused', ERRCODE = 'insufficient_privilege'; END $$"
)
_PG_ROWS = sa.DDL(
    "CREATE TRIGGER formwork_record_change_append_only BEFORE UPDATE OR DELETE ON formwork_record_change "
    "FOR EACH ROW EXECUTE FUNCTION formwork_record_change_refuse()"
)
_PG_TRUNCATE = sa.DDL(
    "CREATE TRIGGER formwork_record_change_no_truncate BEFORE TRUNCATE ON formwork_record_change "
    "FOR EACH STATEMENT EXECUTE FUNCTION formwork_record_change_refuse()"
)
_SQLITE_UPDATE = sa.DDL(
    "CREATE TRIGGER formwork_record_change_no_update BEFORE UPDATE ON formwork_record_change "
    f"BEGIN SELECT RAISE(ABORT, '{_REFUSAL}: UPDATE refused'); END"
)
_SQLITE_DELETE = sa.DDL(
    "CREATE TRIGGER formwork_record_change_no_delete BEFORE DELETE ON formwork_record_change "
    f"BEGIN SELECT RAISE(ABORT, '{_REFUSAL}: DELETE refused'); END"
)

for _ddl in (_PG_FUNCTION, _PG_ROWS, _PG_TRUNCATE):
    sa.event.listen(CHANGES, "after_create", _ddl.execute_if(dialect="postgresql"))
for _ddl in (_SQLITE_UPDATE, _SQLITE_DELETE):
    sa.event.listen(CHANGES, "after_create", _ddl.execute_if(dialect="sqlite"))

"""How big definitions may be: checked by `formwork validate`, so that no tenant operation meets them first.

A definition too wide for its database used to pass validation and fail in
`tenant create` with a traceback, and a huge file kept validation busy for
minutes. Each limit is well inside what the databases and the loader handle,
and docs/definitions.md states them.
"""

from __future__ import annotations

#: the columns of one table: SQLite stops at 2,000 and PostgreSQL at 1,600 (where even dropped columns count until
#: the table is rewritten), so 1,000 leaves room for the retired columns a table keeps until `--drop-retired`
MAX_COLUMNS = 1000
#: the fields of one entity, columns or not: a many_to_many field is a table of its own, a child_table a relation
MAX_FIELDS = 1000
#: one definition file (bytes); read before anything is parsed, so that validation stays a matter of seconds
MAX_FILE_BYTES = 512 * 1024
#: one YAML document (characters), whether in a pack file or a tenant's customization
MAX_DOCUMENT_CHARS = 256 * 1024

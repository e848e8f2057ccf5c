"""A schema plan's lines as catalog texts (rules.py, constraints.py, choices.py, renames.py and fit.py fill them in
with `i18n.say`).

A plan is made where no reader is known yet: `formwork plan` and `formwork migrate` print its English, the schema
change log keeps it, and the Studio shows it before publishing in the admin's language. The English of each line is
what the plan has always said. Names (tables, columns, indexes, `crm account.code`) and values stay as they are.
"""

from __future__ import annotations

from ..i18n import CatalogText

#: lines that join parts: a list's items, the last two of a list, clauses, parts one after another
LIST_ITEMS = CatalogText("{first}, {then}", context="a list's items")
LIST_LAST = CatalogText("{first} and {then}", context="a list's last two items")
CLAUSES = CatalogText("{first}, {then}", context="clauses of one sentence")
ONE_AFTER_ANOTHER = CatalogText("{first}{then}", context="parts of one sentence")

REFUSED = CatalogText("refused: {reason}")
KEPT = CatalogText("kept: {what} was not created by Formwork; it is left as it is")

#: rules.py: tables and columns
ADD_TABLE = CatalogText("add table {table}")
ADD_COLUMN = CatalogText("add column {table}.{column}")
ADD_FILLED_COLUMN = CatalogText("add column {table}.{column}, filling its {rows} existing record(s) with {value}")
NEW_REQUIRED = CatalogText(
    "{what} is a new required field but {rows} record(s) would have no value; give `backfill:` in the definition"
)
NOT_DROPPED_FIELD = CatalogText(
    "drop retired field {what}: Formwork did not create {others} on {table}, which would go with it; remove that by "
    "hand first, or leave the field retired"
)
DROP_FIELD = CatalogText("drop retired field {what} and its {kept} stored value(s)")
LINK_NOT_ENFORCED = CatalogText(" (its link to {target} is no longer enforced)")
RETIRED_FIELD = CatalogText(
    "retired: {what} is no longer defined; its column and {kept} stored value(s) are kept "
    "(`formwork migrate --drop-retired` drops them){links}"
)
OPTIONAL_RETIRED = CatalogText("make retired field {what} optional, so that new records can be saved without it")
NOT_DROPPED_TABLE = CatalogText(
    "drop retired table {table}: Formwork did not create {others} on it, which would go with it; remove that by hand "
    "first, or leave the table retired"
)
DROP_TABLE = CatalogText("drop retired table {table} and its {rows} record(s)")
RETIRED_TABLE = CatalogText(
    "retired: table {table} belongs to no entity any more; it and its {rows} record(s) are kept "
    "(`formwork migrate --drop-retired` drops it){links}"
)
RENAME_FIELD = CatalogText("rename field {pack} {entity}.{old} to {new} (data kept)")
MOVE_ASIDE = CatalogText("move retired column {entity}.{column} aside as {aside}{kept}")
VALUES_KEPT = CatalogText(" (its {count} stored value(s) kept)")
NOT_CONVERTED = CatalogText(
    "{what} changes from {old} to {new}, which cannot be converted safely; add a new field and copy the data"
)
EVERY_VALUE_FITS = CatalogText("{change}; every stored value fits")
MISFITS_REPLACED = CatalogText("{change}, replacing the {count} stored value(s) that do not fit with {value}")
MISFITS = CatalogText("{count} stored value(s) {loss}")
MISFITS_REFUSED = CatalogText("{change}: {misfits}; give `backfill:` in the definition or change those values first")
MAKE_OPTIONAL = CatalogText("make {what} optional")
MAKE_REQUIRED = CatalogText("make {what} required")
REQUIRED_FILLED = CatalogText("make {what} required, filling its {empty} empty record(s) with {value}")
REQUIRED_EMPTY = CatalogText(
    "{what} becomes required but {empty} record(s) have no value; give `backfill:` in the definition"
)
NOT_AUTOMATIC = CatalogText("{operation} on {table} is not applied automatically")

#: fit.py: type changes in words
WIDEN = CatalogText("widen {what} from {old} to {new}")
CHANGE = CatalogText("change {what} from {old} to {new}")
SHORTEN = CatalogText("shorten {what} from {old} to {new}")
REDUCE = CatalogText("reduce {what} from {old} to {new}")
CUT = CatalogText("are longer than {size} characters and would be cut")
TOO_LARGE_FOR = CatalogText("are too large for {range}")
MORE_THAN = CatalogText("have more than {range}")
ROUNDED = CatalogText("have more than {decimals} and would be rounded")
NOT_WHOLE = CatalogText("are not whole numbers and would be rounded")
TEXT = CatalogText("text", context="a column type")
TEXT_OF = CatalogText("text of {size} characters")
BIG_WHOLE_NUMBER = CatalogText("big whole number")
WHOLE_NUMBER = CatalogText("whole number")
DECIMAL = CatalogText("decimal with {decimals}")
DECIMAL_UP_TO = CatalogText("decimal with {decimals} (up to {range})")
A_BIG_WHOLE_NUMBER = CatalogText("a big whole number")
A_WHOLE_NUMBER = CatalogText("a whole number")
DIGITS = CatalogText("{count} digits before the point")
NO_DECIMALS = CatalogText("no decimals")
ONE_DECIMAL = CatalogText("1 decimal")
DECIMALS = CatalogText("{count} decimals")

#: constraints.py: indexes and references
NOT_UNIQUE = CatalogText("{fields} becomes unique but {count} value(s) are stored more than once; change them first")
ADD_INDEX = CatalogText("add index {index} on {table}")
REMOVE_INDEX = CatalogText("remove index {index} from {table}")
TABLE = CatalogText("table {table}")
INDEX_ON = CatalogText("index {index} on {table}")
INDEX = CatalogText("index {index}")
CONSTRAINT_ON = CatalogText("{kind} {name} on {table}")
NAMED_CONSTRAINT = CatalogText("{kind} {name}")
FOREIGN_KEY = CatalogText("foreign key")
UNIQUE_CONSTRAINT = CatalogText("unique constraint")
CHECK_CONSTRAINT = CatalogText("check constraint")
PRIMARY_KEY = CatalogText("primary key")
CONSTRAINT = CatalogText("constraint")
UNNAMED = CatalogText("unnamed")
ORPHANS = CatalogText("{what} refers to {target}, but {count} record(s) refer to records that do not exist")
ENFORCE = CatalogText("enforce the reference {what} to {target}")
UNLINK_RETIRED = CatalogText("no longer enforce the link of retired {what} to {target}")
UNASKED_CONSTRAINT = CatalogText(
    "{entity} has a {kind} no definition asks for ({name}); it is not removed automatically"
)

#: choices.py: stored values of choices no longer offered
MAP_VALUES = CatalogText("map stored values of {what}: {mappings}")
MAPPED = CatalogText("{old} → {new} ({records})")
ONE_RECORD = CatalogText("{count} record")
RECORDS = CatalogText("{count} records")
NOT_OFFERED = CatalogText(
    "{what} no longer offers {values}; map them with `map_choices:` or keep them as `retired: true` choices"
)
VALUE_RECORDS = CatalogText("'{value}' ({records})")

#: renames.py: entities renamed
RENAME_ENTITY = CatalogText(
    "rename entity {pack} {old} to {new} (table {old_table} becomes {new_table}{links}; its {rows} record(s) and the "
    "references to them kept)"
)
TAKE_OVER_ENTITY = CatalogText(
    "entity {new} takes over {old} (table {old_table} becomes {new_table}{links}; its {rows} record(s), what was "
    "recorded of them and the references to them kept)"
)
LINK_TABLE = CatalogText("; link table {old} becomes {new}")

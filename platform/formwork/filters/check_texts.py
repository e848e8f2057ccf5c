"""The filter checks' messages as catalog texts (tree.py, targets.py, values.py, check.py and compile.py fill them in
with `i18n.say`).

A filter's mistake is found where no reader is known yet: `formwork validate` prints its English, the Studio shows
it at the filter row in the admin's language. The English of each is the message the checks have always given; a
hint is another text of this module, or "" when there is none.
"""

from __future__ import annotations

from ..i18n import CatalogText

DID_YOU_MEAN = CatalogText("; did you mean '{close}'?", context="a filter's unknown name")

#: tree.py: the structure
NESTS_TOO_DEEPLY = CatalogText("the filter nests too deeply")
EXPECTED = CatalogText(
    "expected a condition like {{field: stage, op: '=', value: won}}, or all: [...], any: [...], not: ..."
)
STANDS_ALONE = CatalogText("'{key}' must stand alone in its mapping; found also: {others}")
NEEDS_CONDITIONS = CatalogText("'{key}' needs a list of conditions")
UNEXPECTED_KEY = CatalogText("unexpected key '{key}': a condition has field, op and value")
NEEDS_FIELD = CatalogText("a condition needs 'field': the name of a field")
NEEDS_OPERATOR = CatalogText("a condition needs 'op': an operator such as '=', 'in' or 'contains'")

#: targets.py: what `field` names
FIELD_OF_TYPE = CatalogText("{name} (a {type} field)")
FIELD_OF_TYPE_AN = CatalogText("{name} (an {type} field)")
TOO_MANY_HOPS = CatalogText("'{name}' follows more than {hops} references")
NOT_INSTALLED = CatalogText("'{path}' refers to {target}, which is not installed")
NOT_FOLLOWED = CatalogText("'{name}' is not a reference, so it cannot be followed with '.'")
NOT_A_REFERENCE_FIELD = CatalogText("'{name}' is not a reference field of {entity}{hint}")
NOT_A_FIELD = CatalogText("'{name}' is not a field of {entity}{hint}")

#: check.py: operators and values
UNKNOWN_OPERATOR = CatalogText("unknown operator '{op}'{hint} Operators for {target}: {operators}")
NOT_FOR_FIELD = CatalogText("'{op}' does not apply to {target}; use one of: {operators}")
TAKES_NO_VALUE = CatalogText("'{op}' takes no value")
NEEDS_A_VALUE = CatalogText("'{op}' needs a value")
ONE_VALUE = CatalogText("'{op}' compares with one value, not a list{hint}")
USE_FOR_A_LIST = CatalogText("; use '{other}' for a list")
NEEDS_TEXT = CatalogText("'{op}' needs a text to look for")
NEEDS_LIST = CatalogText("'{op}' needs a list of values, like [a, b]")
BETWEEN_NEEDS_TWO = CatalogText("'between' needs two values: [from, to] (both included)")
BETWEEN_ORDER = CatalogText("'between' needs the lower bound first: [from, to]")
NEEDS_DAYS = CatalogText("'{op}' needs a number of days from 1 to {most}, like 30")
EMPTY_VALUE = CatalogText("the value is empty; use 'is_empty' to find records without a value")
UNKNOWN_VARIABLE = CatalogText("unknown variable '{name}'{hint} Variables: {variables} (write $$ for a literal $)")
VARIABLE_DOES_NOT_FIT = CatalogText("{name} is {description}; it cannot be compared with {target}")

#: values.py: a value of the wrong kind
EXPECTED_TEXT = CatalogText("expected a text, got {value}")
EXPECTED_WHOLE_NUMBER = CatalogText("expected a whole number, got {value}")
EXPECTED_NUMBER = CatalogText("expected a number, got {value}")
EXPECTED_BOOLEAN = CatalogText("expected true or false, got {value}")
EXPECTED_DATE = CatalogText("expected a date like 2024-05-31, got {value}")
EXPECTED_DATETIME = CatalogText("expected a date like 2024-05-31 or a date and time like 2024-05-31T09:30, got {value}")
EXPECTED_TIME = CatalogText("expected a time like '09:30' (quoted in YAML), got {value}")
EXPECTED_CHOICE = CatalogText("expected one of the choices of {name}, got {value}")
NOT_A_CHOICE = CatalogText("'{value}' is not a choice of {name}; choices: {choices}")
EXPECTED_RECORD_ID = CatalogText(
    "expected the id of a record (a whole number) or a variable such as $employee, got {value}"
)
EXPECTED_SCALAR = CatalogText("expected a text, number or true/false, got {value}")

#: compile.py: a filter that passed the checks but names what the database does not hold
NOT_STORED = CatalogText("'{field}' is not stored in the database, so it cannot be filtered")

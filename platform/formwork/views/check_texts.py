"""The view kinds' check messages as catalog texts (checks.py, audience.py and each kind's checks fill them in with
`i18n.say`): `formwork validate` prints their English, the view editor shows them at their controls in the admin's
language. The English of each is the message the checks have always given; what several features say is the
core's (definitions/check_texts.py)."""

from __future__ import annotations

from ..i18n import CatalogText

MANY_RECORDS = CatalogText("a view cannot show '{name}', a {type} field (many records)")
DEFAULT_LIST = CatalogText(
    "every list view of {entity} names roles; leave one for everyone (without roles), the entity's default list"
)
#: calendar
END_OR_DURATION = CatalogText("give an end field or a duration, not both")
NOT_AN_END = CatalogText("'{name}' is not a {wanted} field of {entity}")
VALUE_OR_FIELD = CatalogText("give the duration a value or a field, one of them")
NOT_A_LENGTH = CatalogText("'{name}' is not an integer or decimal field of {entity}")
WHOLE_DAYS = CatalogText("'{name}' is a date: an all-day event lasts whole days")
#: kanban
CANNOT_ORDER = CatalogText("cannot order cards by '{name}': not a field of {entity}")
CANNOT_RANK = CatalogText("cannot rank cards by '{name}': not a number field of {entity}")
NO_COLUMNS = CatalogText(
    "cannot make columns of '{name}', a {type} field; group by a choice field or a reference field"
)
#: pivot
GROUPED_TWICE = CatalogText("'{name}' is grouped by twice")
CANNOT_GROUP = CatalogText(
    "cannot group by '{name}', a {type} field; group by a choice, reference, user, yes/no, short text or date field"
)
DATE_PERIOD = CatalogText("group the date field '{name}' by year, quarter or month: {{field: {name}, by: month}}")
NOT_A_DATE = CatalogText("'{name}' is not a date field: only a date is grouped by {by}")
MANY_CURRENCIES = CatalogText("'{name}' holds amounts in the currency of each record, which cannot be added up")
NO_PAGE_FILTER = CatalogText(
    "cannot pick a value of '{name}' above a pivot: use a choice, reference, user or yes/no field"
)
#: timeline
NO_TITLE = CatalogText("{entity} has no title field: give the bars a `title`")
COMPUTED = CatalogText("'{name}' is computed: a timeline cannot move its bars")
MIXED_TYPES = CatalogText("'{end}' is a {end_type} field and '{start}' a {start_type} field")
NO_LANES = CatalogText("cannot make lanes of '{name}', a {type} field; group by a choice field or a reference field")

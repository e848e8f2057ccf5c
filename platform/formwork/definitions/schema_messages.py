"""JSON Schema's messages as texts that read in each reader's language (the Studio shows them at its controls).

jsonschema writes its messages in English only. For the keywords definitions fail most, the same message is made
again from a `CatalogText` with the error's values (`i18n.Said`): its English is jsonschema's message, unchanged,
so `formwork validate` prints what it always did; when jsonschema words one differently (another version), its own
message is kept rather than a text that would differ.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from jsonschema.exceptions import ValidationError

from ..i18n import CatalogText, Said, say

REQUIRED = CatalogText("{value} is a required property")
NOT_OF_TYPE = CatalogText("{value} is not of type {types}")
NOT_ONE_OF = CatalogText("{value} is not one of {choices}")
WAS_EXPECTED = CatalogText("{value} was expected")
NO_MATCH = CatalogText("{value} does not match {pattern}")
BELOW_MINIMUM = CatalogText("{value} is less than the minimum of {limit}")
ABOVE_MAXIMUM = CatalogText("{value} is greater than the maximum of {limit}")
NOT_ABOVE_MINIMUM = CatalogText("{value} is less than or equal to the minimum of {limit}")
NOT_BELOW_MAXIMUM = CatalogText("{value} is greater than or equal to the maximum of {limit}")
EMPTY = CatalogText("{value} should be non-empty")
TOO_SHORT = CatalogText("{value} is too short")
TOO_LONG = CatalogText("{value} is too long")
NOT_UNIQUE = CatalogText("{value} has non-unique elements")
NO_SCHEMA_FITS = CatalogText("{value} is not valid under any of the given schemas")
NOT_A_FORMAT = CatalogText("{value} is not a {format}")
NOT_A_MULTIPLE = CatalogText("{value} is not a multiple of {step}")


def _length(empty: CatalogText) -> Callable[[ValidationError], Said]:
    """minLength and minItems: jsonschema says "should be non-empty" when the least is one."""
    return lambda err: say(empty if err.validator_value == 1 else TOO_SHORT, value=repr(err.instance))


def _about_value(text: CatalogText, **more: Callable[[ValidationError], Any]) -> Callable[[ValidationError], Said]:
    return lambda err: say(text, value=repr(err.instance), **{name: value(err) for name, value in more.items()})


def _limit(err: ValidationError) -> str:
    return repr(err.validator_value)


#: per keyword, the message jsonschema gives, made from a catalog text
MESSAGES: dict[str, Callable[[ValidationError], Said]] = {
    "type": _about_value(
        NOT_OF_TYPE,
        types=lambda err: ", ".join(
            repr(t) for t in (err.validator_value if isinstance(err.validator_value, list) else [err.validator_value])
        ),
    ),
    "enum": _about_value(NOT_ONE_OF, choices=_limit),
    "const": lambda err: say(WAS_EXPECTED, value=repr(err.validator_value)),
    "pattern": _about_value(NO_MATCH, pattern=_limit),
    "minimum": _about_value(BELOW_MINIMUM, limit=_limit),
    "maximum": _about_value(ABOVE_MAXIMUM, limit=_limit),
    "exclusiveMinimum": _about_value(NOT_ABOVE_MINIMUM, limit=_limit),
    "exclusiveMaximum": _about_value(NOT_BELOW_MAXIMUM, limit=_limit),
    "minLength": _length(EMPTY),
    "minItems": _length(EMPTY),
    "maxLength": _about_value(TOO_LONG),
    "maxItems": _about_value(TOO_LONG),
    "uniqueItems": _about_value(NOT_UNIQUE),
    "oneOf": _about_value(NO_SCHEMA_FITS),
    "anyOf": _about_value(NO_SCHEMA_FITS),
    "format": _about_value(NOT_A_FORMAT, format=_limit),
    "multipleOf": _about_value(NOT_A_MULTIPLE, step=lambda err: str(err.validator_value)),
}


def schema_message(err: ValidationError) -> str:
    """jsonschema's message of `err`, as a `Said` when this module knows its words."""
    if err.validator == "required":
        missing = _missing_property(err)
        said = say(REQUIRED, value=repr(missing)) if missing is not None else None
    else:
        make = MESSAGES.get(str(err.validator))
        said = make(err) if make is not None else None
    return said if said is not None and str(said) == err.message else err.message


def _missing_property(err: ValidationError) -> str | None:
    """The property a `required` error is about: the first listed one the instance lacks (jsonschema reports each)."""
    if not isinstance(err.instance, dict) or not isinstance(err.validator_value, list):
        return None
    return next((p for p in err.validator_value if p not in err.instance and err.message.startswith(repr(p))), None)


#: Formwork's own words for what JSON Schema finds (loader.py)
NOT_A_MAPPING = CatalogText("expected a mapping with a 'kind'")
UNKNOWN_KIND = CatalogText("unknown kind {kind}; expected one of: {kinds}")
UNEXPECTED_PROPERTY = CatalogText("unexpected property '{key}'")
DID_YOU_MEAN = CatalogText("unexpected property '{key}'; did you mean '{close}'?")
NOT_A_LABEL = CatalogText("expected a label: a text, or a mapping like {{en: ..., zh: ...}}; got {value}")
UNKNOWN_FIELD_TYPE = CatalogText("unknown field type {value}; expected one of: {types}")
WHAT_IS_EXPECTED = CatalogText("{message}; expected {expected}")
#: two problems found at one place, written one after the other
AND_THEN = CatalogText("{first}, {then}", context="problems found at one place")

"""marshmallow's private names, in one place.

Written against marshmallow 3.20 to 3.26 (pyproject pins >=3.20,<4).
tests/test_adapters.py checks each against the installed marshmallow.
"""

from __future__ import annotations

from marshmallow import Schema
from marshmallow.fields import Field


def declared_fields(schema: type[Schema]) -> dict[str, Field]:
    """The fields schema class `schema` declares (its own and its bases'), by name, without making an instance.

    marshmallow 3 collects them on the class as the private `_declared_fields`;
    the public `declared_fields` exists only on an instance, and making one of
    an arbitrary FAB schema class just to read its fields may fail or run its
    hooks. tenancy/security_apis.py redeclares them strict.
    """
    return schema._declared_fields

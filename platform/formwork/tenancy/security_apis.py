"""FAB's user, role and group APIs keeping the contract every tenant API keeps (issue 12).

As FAB ships them they read `active: 0` as false and `2.589e-42` as an id, let a number no key can be reach the
database driver (a 500 on SQLite), send date-times without their zone and document a user's roles as one object,
and take `PUT /security/users/_info` as a user called `_info`. Here they read and answer as the entity API does:
`compile.schemas.ReadSchemaConverter` describes what they send, their input schemas take ids as JSON integers a
key can be and booleans as true/false, and PUT and DELETE take whole-number ids only (as FAB's GET does).
"""

from __future__ import annotations

from functools import cache
from typing import Any

from flask import request
from flask.wrappers import Response
from flask_appbuilder.api import BaseApi, expose, protect
from flask_appbuilder.security.decorators import permission_name
from flask_babel import gettext
from marshmallow import Schema
from marshmallow import fields as ma
from marshmallow.validate import Range

from ..adapters.fab import base_filters
from ..adapters.marshmallow import declared_fields
from ..compile.schemas import ReadSchemaConverter
from ..fields.base import INTEGER_LIMIT
from ..fields.numbers import WholeNumber
from ..fields.simple import JsonBoolean

#: every integer FAB's security APIs read is the id of a user, role, group or permission
STORED_ID = Range(min=1, max=INTEGER_LIMIT)


def keeping_the_contract(api: type[BaseApi]) -> dict[str, Any]:
    """Class attributes that make `api` (FAB's UserApi, RoleApi or GroupApi) read and answer as the entity API."""
    return {"model2schemaconverter": ReadSchemaConverter, **strict_input(api), **whole_number_ids(api)}


def strict_input(api: type[BaseApi]) -> dict[str, Any]:
    """`api`'s own marshmallow schemas (bodies it reads, components it documents) in their strict versions."""
    found: dict[str, Any] = {}
    for name in dir(api):
        value = getattr(api, name, None)
        if name.endswith("_schema") and isinstance(value, Schema):
            found[name] = strict_schema(type(value))()
    found["openapi_spec_component_schemas"] = tuple(
        strict_schema(schema) if isinstance(schema, type) else schema for schema in api.openapi_spec_component_schemas
    )
    return found


@cache
def strict_schema(schema: type[Schema]) -> type[Schema]:
    """`schema` under its own name (its OpenAPI component keeps its name), with strict integers and booleans."""
    fields = {name: strict_field(field) for name, field in declared_fields(schema).items()}
    return type(schema.__name__, (schema,), fields)


def strict_field(field: ma.Field) -> ma.Field:
    """An id as a JSON integer a key can be, a boolean as true or false; other fields as they are."""
    common = {
        "required": field.required,
        "allow_none": field.allow_none,
        "metadata": field.metadata,
        "load_default": field.load_default,
        "dump_default": field.dump_default,
    }
    if isinstance(field, ma.List):
        return ma.List(strict_field(field.inner), validate=field.validators, **common)
    if isinstance(field, ma.Boolean):
        return JsonBoolean(validate=field.validators, **common)
    if isinstance(field, ma.Integer):
        return WholeNumber(validate=[*field.validators, STORED_ID], **common)
    return field


def whole_number_ids(api: type[BaseApi]) -> dict[str, Any]:
    """`api`'s PUT and DELETE on whole-number ids only, as its GET: `PUT /_info` is then a 405 (the path exists, the
    method does not) and `GET /-1` a 404, where FAB's `/<pk>` took `_info` and `-1` as the id of a record. An id
    naming no record is a 404 before FAB's code runs (its user PUT reads the missing user's groups: a 500), and after
    the token and the right are checked, so no one without them learns which ids exist."""

    def put(self: Any, pk: int) -> Response:
        if not _exists(self, pk):
            return self.response_404()
        if not isinstance(request.json, dict):  # FAB's role PUT merges the body into the stored role: a 500 otherwise
            return self.response_400(message={"_schema": [gettext("Send a JSON object.")]})
        return api.put(self, pk)

    def delete(self: Any, pk: int) -> Response:
        return api.delete(self, pk) if _exists(self, pk) else self.response_404()

    put.__doc__, delete.__doc__ = api.put.__doc__, api.delete.__doc__
    return {
        "put": expose("/<int:pk>", methods=["PUT"])(protect()(permission_name("put")(put))),
        "delete": expose("/<int:pk>", methods=["DELETE"])(protect()(permission_name("delete")(delete))),
    }


def _exists(api: Any, pk: int) -> bool:
    return api.datamodel.get(pk, base_filters(api)) is not None

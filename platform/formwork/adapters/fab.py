"""Flask-AppBuilder's private names, in one place.

Written against Flask-AppBuilder 5.3 (pyproject pins >=5.3,<5.4). FAB keeps
some things Formwork needs private: the rows a view may show, the record an
edit form is for, a permission check for a user other than the request's,
the inner query of a count and the bare OpenAPI document. The functions below
read them; `OVERRIDDEN_HOOKS` lists the private methods our views override;
`check_rison_schemas_once` replaces the `jsonschema` FAB's `rison` decorator calls.
tests/test_adapters.py checks each against the installed FAB.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import flask_appbuilder.api as fab_api
import jsonschema
from apispec import APISpec
from flask_appbuilder.api import ModelRestApi
from flask_appbuilder.api.convert import Model2SchemaConverter
from flask_appbuilder.api.manager import OpenApi
from flask_appbuilder.baseviews import BaseCRUDView
from flask_appbuilder.models.filters import Filters
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.security.manager import BaseSecurityManager
from flask_appbuilder.views import ModelView
from jsonschema.exceptions import best_match
from jsonschema.validators import validator_for
from sqlalchemy.orm import Query


def base_filters(view: Any) -> Filters:
    """The filters FAB puts on every query of `view`, a ModelView or ModelRestApi or a mixin of one (its
    `base_filters`: record rules, rows one may not see).

    FAB 5.3 compiles `base_filters` in `__init__` and keeps the result only as
    `_base_filters`; a record read by hand (`datamodel.get(pk, base_filters(view))`)
    must be limited to the same rows as FAB's own routes.
    """
    return view._base_filters


def edited_pk(form: Any) -> Any:
    """The primary key of the record an edit form is for; None on an add form.

    FAB 5.3's `BaseCRUDView._edit` sets it on the form as `form._id` before
    calling `process_form`, and passes it no other way; `process_form` needs
    it to read the stored record.
    """
    return getattr(form, "_id", None)


def may_use_view(security_manager: BaseSecurityManager, user: Any, permission: str, view_name: str) -> bool:
    """Whether `user` (any user, not only the signed-in one) has `permission` on `view_name`.

    FAB 5.3's public `has_access` asks about the request's user only; history
    and notifications decide for the person a change is shown or sent to,
    which FAB does in `_has_view_access`.
    """
    return security_manager._has_view_access(user, permission, view_name)


def filtered_query(
    interface: SQLAInterface, query: Query, filters: Filters | None, select_columns: list[str] | None
) -> Query:
    """`query` with FAB's filters and column selection, without order or paging: the query FAB counts.

    FAB 5.3 builds it only inside `SQLAInterface._apply_inner_all`; our capped
    count (compile/interface.py) counts the same query as FAB's `query_count`.
    """
    return interface._apply_inner_all(query, filters, select_columns=select_columns, aliases_mapping={})


def new_api_spec(openapi: type[OpenApi] | OpenApi, version: str) -> APISpec:
    """An OpenAPI document for API `version` with FAB's title, servers and security schemes, and no paths yet.

    FAB 5.3's `/_openapi` builds it with the static `OpenApi._create_api_spec`;
    our corrected `/_openapi` (tenancy/openapi.py) must start from the same one.
    """
    return openapi._create_api_spec(version)


class SchemasCheckedOnce:
    """`jsonschema` as FAB's `rison` decorator calls it, checking each schema against its metaschema once.

    FAB 5.3's `rison` validates the `q` argument of every list, record and `_info` call with `jsonschema.validate`,
    which first checks the schema itself against the JSON Schema metaschema: milliseconds per request, for a schema
    that is one of FAB's constants. The argument is still validated on every request, with the same error.
    """

    ValidationError = jsonschema.ValidationError

    def __init__(self) -> None:
        #: by the schema's id; the schema is kept with its validator, so the id is not reused
        self._validators: dict[int, tuple[dict[str, Any], Any]] = {}

    def validate(self, instance: Any, schema: dict[str, Any]) -> None:
        known = self._validators.get(id(schema))
        if known is None or known[0] is not schema:
            validator = validator_for(schema)
            validator.check_schema(schema)
            known = self._validators[id(schema)] = (schema, validator(schema))
        error = best_match(known[1].iter_errors(instance))
        if error is not None:
            raise error


def check_rison_schemas_once() -> None:
    """FAB's `rison` decorator (flask_appbuilder/api/__init__.py) uses its module's `jsonschema` for
    `validate` and `ValidationError` only: `SchemasCheckedOnce` answers both."""
    if not isinstance(fab_api.jsonschema, SchemasCheckedOnce):
        setattr(fab_api, "jsonschema", SchemasCheckedOnce())  # noqa: B010 - typed as a module, which this stands in for


@dataclass(frozen=True)
class Hook:
    """A private method FAB defines and calls, that a Formwork view overrides."""

    owner: type  # the FAB class that defines it
    name: str
    parameters: tuple[str, ...]  # its parameters, as FAB calls it and our overrides take them
    why: str


#: Every private FAB method a Formwork class overrides. A new override of a private FAB name must be added here
#: (tests/test_adapters.py fails otherwise), and an upgrade of FAB that renames one, changes its parameters or no
#: longer calls it fails there too: the override would silently stop working.
OVERRIDDEN_HOOKS: tuple[Hook, ...] = (
    Hook(BaseCRUDView, "_init_forms", ("self",), "the add and edit forms check the entity's rules (compile/forms.py)"),
    Hook(ModelView, "_add", ("self",), "a save the record lifecycle refuses shows the form again (compile/forms.py)"),
    Hook(
        ModelView,
        "_edit",
        ("self", "pk"),
        "a save the record lifecycle refuses shows the form again (compile/forms.py)",
    ),
    Hook(
        BaseCRUDView,
        "_get_list_widget",
        ("self", "filters", "actions", "order_column", "order_direction", "page", "page_size", "widgets", "kwargs"),
        "the list is configured by the active list view (compile/list_screens.py)",
    ),
    Hook(
        BaseCRUDView,
        "_get_add_widget",
        ("self", "form", "exclude_cols", "widgets"),
        "fieldsets of the user's form, defaults prefilled (compile/views.py)",
    ),
    Hook(
        BaseCRUDView,
        "_get_edit_widget",
        ("self", "form", "exclude_cols", "widgets"),
        "fieldsets, read-only fields, then the registered record panels of the edit page (compile/views.py)",
    ),
    Hook(
        BaseCRUDView,
        "_get_show_widget",
        ("self", "pk", "item", "widgets", "actions", "show_fieldsets"),
        "child tables and money, then the registered record panels in priority order (compile/views.py)",
    ),
    Hook(
        ModelRestApi,
        "_label_columns_json",
        ("self", "cols"),
        "field labels in the request's language (compile/apis.py)",
    ),
    Hook(
        ModelRestApi,
        "_description_columns_json",
        ("self", "cols"),
        "field descriptions in the request's language (compile/apis.py)",
    ),
    Hook(
        Model2SchemaConverter,
        "_column2field",
        ("self", "datamodel", "column", "nested", "parent_schema_name"),
        "the API's moments, decimals and references as they are sent (compile/schemas.py)",
    ),
    Hook(
        Model2SchemaConverter,
        "_column2relation",
        ("self", "datamodel", "column", "nested", "parent_schema_name"),
        "to-many references as arrays, empty references as nullable (compile/schemas.py)",
    ),
)

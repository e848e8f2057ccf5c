"""Definitions -> Flask-AppBuilder ModelRestApis at /api/v1/<pack>_<entity>/.

FAB generates reads, OpenAPI and permissions. Writes go through the
marshmallow schemas generated from the definitions, so bad input is a 400
with a message per field, and an update made on a stale version is a 409 (or a 412 for a stale
`If-Match`: records carry ETags, compile/etags.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flask import current_app, request
from flask.wrappers import Response
from flask_appbuilder import ModelRestApi
from flask_appbuilder.api import expose
from flask_appbuilder.security.decorators import permission_name
from marshmallow import Schema, ValidationError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import BadRequest

from ..actor import Actor
from ..adapters.apispec import spec_paths
from ..adapters.fab import base_filters
from ..features import ENTITY_APIS, load_features
from ..fields import FIELD_TYPES, kind_of
from ..fields.child_table import parent_field_of
from ..i18n import CatalogText
from ..languages import localize_messages, localized
from ..meta.catalog import Catalog
from ..meta.model import STANDARD_COLUMNS, EntityDef, FieldDef
from ..rights import (
    hidden_fields,
    unchangeable_fields,
    unchangeable_row_fields,
    without_hidden,
)
from .actors import request_actor
from .etags import (
    PRECONDITION_FAILED,
    asks_if_match,
    declare_etags,
    if_match_fails,
    is_not_modified,
    not_modified,
    record_etag,
)
from .interface import EntityInterface
from .lifecycle import (
    FIELD_NOT_YOURS,
    RecordConflict,
    RecordInUse,
    RecordRejected,
    StaleRecord,
    delete_record,
    save_record,
)
from .models import CompiledModels, class_name
from .schemas import ReadSchemaConverter, input_schema
from .unreadable import UnreadableBody

if TYPE_CHECKING:
    from ..tenancy.runtime import TenantRuntime

ROW = CatalogText("Row")


class EntityRestApi(ModelRestApi):
    """The REST API of one entity; subclasses are generated per entity."""

    entity: EntityDef
    catalog: Catalog
    compiled: CompiledModels
    input_schema: type[Schema]
    model2schemaconverter = ReadSchemaConverter

    @expose("/<int:pk>", methods=["PUT"])
    @permission_name("put")
    def put(self, pk: int) -> Response:
        """FAB's PUT on whole-number ids only, as its GET: `PUT /_info` is then a 405 (the path exists, the method
        does not), not a 404 for a record called `_info`."""
        return ModelRestApi.put(self, pk)

    @expose("/<int:pk>", methods=["DELETE"])
    @permission_name("delete")
    def delete(self, pk: int) -> Response:
        return ModelRestApi.delete(self, pk)

    put.__doc__ = ModelRestApi.put.__doc__
    delete.__doc__ = ModelRestApi.delete.__doc__

    def response_400(self, message: Any = None) -> Response:
        """Every 400 of the entity API speaks the request's language (`Accept-Language`), whoever wrote the message."""
        return super().response_400(message=localize_messages(message))

    def response_412(self) -> Response:
        """If-Match named another state of the record: nothing was changed (in the request's language)."""
        return self.response(412, message=PRECONDITION_FAILED.localized())

    def _label_columns_json(self, cols: list[str] | None = None) -> dict[str, Any]:
        """Field labels in the request's language (FAB's gettext would give a label's English)."""
        return {name: localized(self.label_columns[name]) for name in cols or [] if name in self.label_columns}

    def _description_columns_json(self, cols: list[str] | None = None) -> dict[str, Any]:
        return {
            name: localized(self.description_columns[name]) for name in cols or [] if name in self.description_columns
        }

    def post_headless(self) -> Response:
        data, response = self._load(partial=False)
        if response is not None:
            return response
        return self._save(None, data)

    def get_headless(self, pk: Any, **kwargs: Any) -> Response:
        """FAB's GET with the record's ETag, and a 304 when If-None-Match names it (`compile/etags.py`)."""
        response = super().get_headless(pk, **kwargs)
        if response.status_code != 200:
            return response
        selected = (kwargs.get("rison") or {}).get("columns")
        etag = record_etag(
            self._shown(self.datamodel.get(pk, base_filters(self))) if selected else response.json["result"]
        )
        if is_not_modified(etag):
            return not_modified(etag)
        response.set_etag(etag)
        return response

    def put_headless(self, pk: Any) -> Response:
        item = self.datamodel.get(pk, base_filters(self))
        if item is None:
            return self.response_404()
        if if_match_fails(lambda: self._shown(item)):
            return self.response_412()
        data, response = self._load(partial=True)
        if response is not None:
            return response
        return self._save(item, data)

    def delete_headless(self, pk: Any) -> Response:
        item = self.datamodel.get(pk, base_filters(self))
        if item is None:
            return self.response_404()
        if if_match_fails(lambda: self._shown(item)):
            return self.response_412()
        session = self.datamodel.session
        try:
            delete_record(self._runtime(), self._actor(), self.entity, item, session=session)
            session.commit()
        except RecordInUse as exc:  # locked, still referred to, or in approval (a workflow hook)
            session.rollback()
            return self.response(409, message=str(exc))
        except RecordConflict as conflict:
            session.rollback()
            if asks_if_match() and isinstance(conflict.__cause__, StaleDataError):
                return self.response_412()
            return self.response(409, message=str(conflict))
        return self.response(200, message="OK")

    def _load(self, partial: bool) -> tuple[dict[str, Any], Response | None]:
        try:
            body = request.get_json() if request.is_json else None
        except UnreadableBody as unreadable:  # too deep, or text no database stores: named by its field
            return {}, self.response_400(message=unreadable.messages)
        except BadRequest:  # not JSON at all
            body = None
        if not isinstance(body, dict):
            return {}, self.response_400(message="Send a JSON object.")
        try:
            data = self.input_schema().load(body, partial=partial)
        except ValidationError as err:
            return {}, self.response_400(message=err.messages)
        refused = {
            name: [FIELD_NOT_YOURS.localized()]
            for name in sorted(set(data) & unchangeable_fields(self.entity, self._actor()))
        }
        refused.update(self._refused_in_rows(data))
        if refused:  # the caller's roles make these read-only (or hide them): say so rather than drop them
            return {}, self.response_400(message=refused)
        return data, None

    def _refused_in_rows(self, data: dict[str, Any]) -> dict[str, list[str]]:
        """Child-table rows setting a field the caller's roles make read-only (or hide) on the child entity."""
        messages = {}
        for table, refused in unchangeable_row_fields(self.entity, data, self._actor()).items():
            child = _target_of(self.catalog, self.entity.declared_field(table))
            messages[table] = [
                f"{ROW.localized()} {number}, {localized(child.declared_field(name).label)}: {FIELD_NOT_YOURS.localized()}"
                for number, name in refused
            ]
        return messages

    def _shown(self, item: Any) -> dict[str, Any]:
        """The record as the caller's GET shows it (its `result`): what its ETag is a digest of."""
        return without_hidden(self.entity, self.show_model_schema.dump(item), self._actor())

    def add_api_spec(self, api_spec: Any) -> None:
        """FAB's operations, with the record path's ETag headers and conditions."""
        super().add_api_spec(api_spec)
        declare_etags(spec_paths(api_spec), f"{self.route_base}/{{pk}}")

    def pre_get(self, data: dict[str, Any]) -> None:
        """Reads leave out the fields the caller's roles hide."""
        data["result"] = without_hidden(self.entity, data["result"], self._actor())

    def pre_get_list(self, data: dict[str, Any]) -> None:
        actor = self._actor()
        data["result"] = [without_hidden(self.entity, row, actor) for row in data["result"]]

    def get_list_headless(self, **kwargs: Any) -> Response:
        """Sorting by a field hidden from the caller would reveal its order: refused like an unknown column."""
        order = (kwargs.get("rison") or {}).get("order_column")
        if order in hidden_fields(self.entity, self._actor()):
            return self.response_400(message={"order_column": [FIELD_NOT_YOURS.localized()]})
        return super().get_list_headless(**kwargs)

    def _save(self, item: Any | None, data: dict[str, Any]) -> Response:
        """The REST adapter of the record lifecycle: the saved record as GET shows it, or the lifecycle's refusal
        as a 400 (per field) or 409 (stale or conflicting)."""
        session, created = self.datamodel.session, item is None
        try:
            item = save_record(
                self._runtime(),
                self._actor(),
                self.entity,
                item,
                data,
                session=session,
                version=data.pop("version", None),
            )
            pk, body = self._saved_body(session, item)
        except RecordRejected as rejected:
            session.rollback()
            return self.response_400(message=rejected.errors)
        except StaleRecord as stale:
            session.rollback()
            return self.response(409, message=str(stale), version=stale.current)
        except RecordConflict as conflict:
            session.rollback()
            if isinstance(conflict.__cause__, StaleDataError) and asks_if_match() and not created:
                return self.response_412()
            if isinstance(conflict.__cause__, IntegrityError) and self._runtime().storage_moved():
                raise conflict.__cause__ from None  # the table changed under this request (a migration): the tenant app answers 503
            return self.response(409, message=str(conflict))
        response = self.response(201 if created else 200, id=pk, result=body)
        response.set_etag(record_etag(body))
        return response

    def _runtime(self) -> TenantRuntime:
        return current_app.extensions["formwork"]

    def _actor(self) -> Actor:
        """The caller: an API endpoint is the request boundary, asking for the request's actor (built once per
        request) and passing it to the rights and the lifecycle."""
        return request_actor()

    def _saved_body(self, session: Any, item: Any) -> tuple[int, dict[str, Any]]:
        """Read the flushed `item` back and commit: what the answer shows is what was committed, and nothing touches
        the table after the commit, so a migration landing then cannot fail a saved record's request."""
        session.expire(item)  # read back what the database holds: rollups are computed in SQL after the flush
        pk, body = item.id, without_hidden(self.entity, self.show_model_schema.dump(item), self._actor())
        session.commit()
        return pk, body


def _target_of(catalog: Catalog, field: FieldDef) -> EntityDef:
    """The entity a reference or child-table field points at (validation made sure it names one)."""
    assert field.target is not None, f"checked: {field.name} names its target"
    return catalog.entities[field.target]


def api_columns(entity: EntityDef, catalog: Catalog) -> list[str]:
    """What reads return: every field (a reference as its id and title) plus the standard columns."""
    columns: list[str] = ["id"]
    for field in entity.fields:
        kind = kind_of(field)
        if kind.holds_rows:
            child = _target_of(catalog, field)
            link = parent_field_of(field, child, entity.qualified)
            columns.append(f"{field.name}.id")
            columns += [
                f"{field.name}.{FIELD_TYPES[f.type].attribute(f)}"
                for f in child.fields
                if f.name != link and kind_of(f).stores_column
            ]
        elif kind.refers_to_record or kind.refers_to_many:
            columns.append(f"{field.name}.id")
            title = _target_of(catalog, field).title_field
            if title:
                columns.append(f"{field.name}.{title}")
        elif kind.refers_to_user:
            columns += [f"{field.name}.id", f"{field.name}.username"]
        else:
            columns.append(field.name)
    return columns + [c for c in STANDARD_COLUMNS if c != "id"]


def write_answers(name: str) -> dict[str, Any]:
    """POST and PUT answer the saved record as GET shows it (`{id, result}`), not the body they were sent; a DELETE
    is refused with a 409 while the record is in use or in approval."""
    record = {
        "type": "object",
        "properties": {"id": {"type": "integer"}, "result": {"$ref": f"#/components/schemas/{name}Api.get"}},
    }
    errors = {str(code): {"$ref": f"#/components/responses/{code}"} for code in (400, 401, 403, 404, 409, 422)}
    answers = {
        method: {
            method: {
                "responses": {
                    status: {"description": description, "content": {"application/json": {"schema": record}}},
                    **errors,
                }
            }
        }
        for method, status, description in (("post", "201", "Item inserted"), ("put", "200", "Item changed"))
    }
    deleted = {
        "description": "Item deleted",
        "content": {"application/json": {"schema": {"type": "object", "properties": {"message": {"type": "string"}}}}},
    }
    return {**answers, "delete": {"delete": {"responses": {"200": deleted, **errors}}}}


def build_api(entity: EntityDef, catalog: Catalog, compiled: CompiledModels) -> type[EntityRestApi]:
    model = compiled.model(entity.qualified)
    columns = api_columns(entity, catalog)
    schema = input_schema(entity, f"{class_name(entity)}Input", catalog)
    attributes = {
        "entity": entity,
        "catalog": catalog,
        "compiled": compiled,
        "input_schema": schema,
        "datamodel": EntityInterface(model),
        "resource_name": entity.table,
        "allow_browser_login": False,  # the API takes JWTs only: a session cookie never authorizes it (no CSRF surface)
        "list_columns": columns,
        "show_columns": columns,
        "add_columns": [f.name for f in entity.fields if not kind_of(f).holds_rows],
        "edit_columns": [f.name for f in entity.fields if not kind_of(f).holds_rows],
        "add_model_schema": schema(),
        "edit_model_schema": schema(partial=True),
        "order_columns": [c for c in columns if "." not in c],
        "search_columns": [f.name for f in entity.fields if not kind_of(f).refers_to_record],
        "label_columns": {f.name: f.label for f in entity.fields},
        "description_columns": {f.name: f.help for f in entity.fields if f.help},
        "openapi_spec_tag": str(entity.plural),
        "openapi_spec_methods": write_answers(class_name(entity)),
    }
    mixins = tuple(load_features().items(ENTITY_APIS))  # the features' routes on every entity API (upload, import…)
    return type(f"{class_name(entity)}Api", (*mixins, EntityRestApi), attributes)

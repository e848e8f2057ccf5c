"""The REST API of a record's history and comments: /api/v1/records/<table>/<id>/history and …/comments.

One FAB `BaseApi` for every entity, so the routes and their schemas appear
once in the tenant's OpenAPI. JWTs only, like the entity APIs. Whoever may
read the record through its entity's API may read its history and comment on
it: each route asks for `can_get` on that entity's API (the right FAB's
`@protect` checks there) and finds the record with that API's base filters
(record rules). A table the caller may not read, or a record they may not
see, answers 404, as one that does not exist, so ids cannot be probed.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone
from functools import wraps
from typing import Any

import sqlalchemy as sa
from flask import request
from flask.wrappers import Response
from flask_appbuilder import AppBuilder
from flask_appbuilder.api import BaseApi, expose, safe
from flask_jwt_extended import verify_jwt_in_request
from marshmallow import Schema, ValidationError, fields, post_load, validate

from ..adapters.fab import base_filters
from ..compile.actors import request_actor
from ..compile.apis import EntityRestApi
from ..compile.generated import former_names
from .comments import CommentRefused, add_comment
from .hidden import hidden_fields
from .tables import ACTIONS, CHANGES, COMMENTS, MAX_COMMENT
from .timeline import change_rows, visible_changes

#: rows read from the database at a time, and how many changes past the page are counted (`count` stops there)
CHUNK, COUNT_AHEAD = 200, 1000


class PageSchema(Schema):
    page = fields.Integer(load_default=0, validate=validate.Range(min=0, max=100_000))
    page_size = fields.Integer(load_default=20, validate=validate.Range(min=1, max=100))


class HistoryQuerySchema(PageSchema):
    field = fields.String(validate=validate.Length(1, 64), metadata={"description": "only changes of this field"})
    action = fields.String(validate=validate.OneOf(ACTIONS))
    actor = fields.String(validate=validate.Length(1, 256), metadata={"description": "a user name"})
    since = fields.DateTime(metadata={"description": "ISO 8601, UTC; changes at or after it"})

    @post_load
    def _stored_since(self, data: dict[str, Any], **_kwargs: Any) -> dict[str, Any]:
        """`since` as stored (UTC, no zone); a time outside the calendar in UTC (year 1 east of Greenwich) is refused."""
        if data.get("since"):
            try:
                data["since"] = _utc(data["since"])
            except OverflowError as err:
                raise ValidationError("Not a time that can be stored.", "since") from err
        return data


class CommentSchema(Schema):
    body = fields.String(
        required=True,
        validate=validate.Length(1, MAX_COMMENT),
        metadata={"description": "plain text; @name mentions (and notifies) an active user"},
    )


def readable_record(route: Callable[..., Response]) -> Callable[..., Response]:
    """JWT required; the record of `<table>/<pk>` is passed on only when the caller may read it, else 404."""

    @wraps(route)
    def checked(self: RecordsApi, table: str, pk: int, **kwargs: Any) -> Response:
        verify_jwt_in_request()
        api = self.entity_api(table)
        if api is None or not self.appbuilder.sm.has_access("can_get", api.class_permission_name):
            return self.response_404()
        item = api.datamodel.get(pk, base_filters(api))
        if item is None:
            return self.response_404()
        return route(self, api, item, **kwargs)

    return checked


class RecordsApi(BaseApi):
    resource_name = "records"
    openapi_spec_tag = "Record history"
    openapi_spec_component_schemas = (HistoryQuerySchema, CommentSchema)
    allow_browser_login = False

    def entity_api(self, table: str) -> EntityRestApi | None:
        """The entity API registered for `table` (`crm_account`), whose rights and filters decide."""
        for view in self.appbuilder.baseviews:
            if isinstance(view, EntityRestApi) and view.entity.table == table:
                return view
        return None

    @expose("/<table>/<int:pk>/history", methods=["GET"])
    @readable_record
    @safe
    def history(self, api: EntityRestApi, item: Any) -> Response:
        """A record's changes (and its child-table rows'), newest first
        ---
        get:
          description: >-
            Every create, update and delete with who, when and each field's old and new value. Filters: `field`,
            `action` (create, update, delete), `actor`, `since`; paged with `page` and `page_size`.
          parameters:
          - {in: path, name: table, required: true, schema: {type: string}, description: e.g. crm_account}
          - {in: path, name: pk, required: true, schema: {type: integer}}
          - {in: query, name: field, schema: {type: string}}
          - {in: query, name: action, schema: {type: string, enum: [create, update, delete]}}
          - {in: query, name: actor, schema: {type: string}}
          - {in: query, name: since, schema: {type: string, format: date-time}}
          - {in: query, name: page, schema: {type: integer}}
          - {in: query, name: page_size, schema: {type: integer}}
          responses:
            200: {description: "{count (at most 1000 past the page), result: [{id, entity, record_id, action, actor, at, changes}]}"}
            400: {$ref: '#/components/responses/400'}
            401: {$ref: '#/components/responses/401'}
            404: {$ref: '#/components/responses/404'}
        """
        try:
            query = HistoryQuerySchema().load(request.args.to_dict())
        except ValidationError as err:
            return self.response_400(message=err.messages)
        hidden = hidden_fields(api.catalog, api.entity, on_screen=False)
        if query.get("field") in hidden.get(api.entity.qualified, set()):
            return self.response(200, count=0, result=[])
        formers = former_names(api.datamodel.session.connection(), "Entity")
        rows = self._filtered(change_rows(api.entity.qualified, item.id, item.created_at, formers), query)
        start = query["page"] * query["page_size"]
        hidden.update({former: hidden[now] for former, now in formers.items() if now in hidden})
        count, page = _page(api.datamodel.session, rows, hidden, query.get("field"), start, start + query["page_size"])
        return self.response(200, count=count, result=page)

    @staticmethod
    def _filtered(rows: sa.Select, query: dict[str, Any]) -> sa.Select:
        if query.get("action"):
            rows = rows.where(CHANGES.c.action == query["action"])
        if query.get("actor"):
            rows = rows.where(CHANGES.c.actor == query["actor"])
        if query.get("since"):
            rows = rows.where(CHANGES.c.at >= query["since"])
        if query.get("field"):
            rows = rows.where(sa.cast(CHANGES.c.changes, sa.Text).contains(f'"{query["field"]}":', autoescape=True))
        return rows

    @expose("/<table>/<int:pk>/comments", methods=["GET"])
    @readable_record
    @safe
    def comments(self, api: EntityRestApi, item: Any) -> Response:
        """A record's comments, newest first
        ---
        get:
          parameters:
          - {in: path, name: table, required: true, schema: {type: string}}
          - {in: path, name: pk, required: true, schema: {type: integer}}
          - {in: query, name: page, schema: {type: integer}}
          - {in: query, name: page_size, schema: {type: integer}}
          responses:
            200: {description: "{count, result: [{id, author, body, mentions, created_at}]}"}
            400: {$ref: '#/components/responses/400'}
            401: {$ref: '#/components/responses/401'}
            404: {$ref: '#/components/responses/404'}
        """
        try:
            query = PageSchema().load(request.args.to_dict())
        except ValidationError as err:
            return self.response_400(message=err.messages)
        where = (
            COMMENTS.c.entity == api.entity.qualified,
            COMMENTS.c.record_id == item.id,
            COMMENTS.c.created_at >= item.created_at,
        )
        session = api.datamodel.session
        count = session.execute(sa.select(sa.func.count()).select_from(COMMENTS).where(*where)).scalar_one()
        rows = session.execute(
            sa.select(COMMENTS)
            .where(*where)
            .order_by(COMMENTS.c.created_at.desc(), COMMENTS.c.id.desc())
            .offset(query["page"] * query["page_size"])
            .limit(query["page_size"])
        )
        return self.response(
            200,
            count=count,
            result=[
                {
                    "id": r.id,
                    "author": r.author,
                    "body": r.body,
                    "mentions": r.mentions,
                    "created_at": _iso(r.created_at),
                }
                for r in rows
            ],
        )

    @expose("/<table>/<int:pk>/comments", methods=["POST"])
    @readable_record
    @safe
    def add_comment(self, api: EntityRestApi, item: Any) -> Response:
        """Comment on a record; people it @mentions are notified
        ---
        post:
          parameters:
          - {in: path, name: table, required: true, schema: {type: string}}
          - {in: path, name: pk, required: true, schema: {type: integer}}
          requestBody:
            required: true
            content:
              application/json:
                schema: {$ref: '#/components/schemas/CommentSchema'}
          responses:
            201: {description: "{id}"}
            400: {$ref: '#/components/responses/400'}
            401: {$ref: '#/components/responses/401'}
            404: {$ref: '#/components/responses/404'}
        """
        raw = request.get_json(silent=True)
        if not isinstance(raw, dict):
            return self.response_400(message="Send a JSON object.")
        try:
            body = CommentSchema().load(raw)
        except ValidationError as err:
            return self.response_400(message=err.messages)
        session = api.datamodel.session
        try:
            comment_id = add_comment(
                session,
                api.compiled,
                entity=api.entity.qualified,
                record_id=item.id,
                author=request_actor().username,
                body=body["body"],
                record=str(item),
            )
            session.commit()
        except CommentRefused as refused:
            session.rollback()
            return self.response_400(message={"body": refused.messages})
        return self.response(201, id=comment_id)


def _page(
    session: Any, rows: sa.Select, hidden: dict[str, set[str]], field: str | None, start: int, end: int
) -> tuple[int, list[dict[str, Any]]]:
    """The changes `start:end` of those the caller may see, and how many there are, counting at most COUNT_AHEAD past
    the page. Rows are read in chunks and reading stops there: which rows count (hidden fields, `field` inside the
    JSON of changes) is decided here, not in SQL, so a long history must not be loaded whole."""
    count, page = 0, []
    result = session.execute(rows.execution_options(yield_per=CHUNK))
    try:
        for row in result:
            change = _change(row, visible_changes(row.changes, hidden.get(row.entity, set())))
            if not _kept(change, field):
                continue
            if start <= count < end:
                page.append(change)
            count += 1
            if count >= end + COUNT_AHEAD:
                break
    finally:
        result.close()
    return count, page


def _change(row: Any, changes: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": row.id,
        "entity": row.entity,
        "record_id": row.record_id,
        "action": row.action,
        "actor": row.actor,
        "at": _iso(row.at),
        "changes": changes,
    }


def _kept(change: dict[str, Any], field: str | None) -> bool:
    """An update whose every field is hidden from the caller is not shown at all (that it happened would leak)."""
    if field is not None:
        return field in change["changes"]
    return bool(change["changes"]) or change["action"] != "update"


def _utc(moment: datetime) -> datetime:
    """A time as stored: UTC without a zone (a time without a zone is taken as UTC)."""
    return moment.astimezone(timezone.utc).replace(tzinfo=None) if moment.tzinfo else moment


def _iso(moment: datetime) -> str:
    return moment.isoformat() + "Z"


def register_history_api(appbuilder: AppBuilder) -> None:
    """Add the API to a tenant app (after the entity APIs, whose rights it uses)."""
    appbuilder.add_api(RecordsApi)

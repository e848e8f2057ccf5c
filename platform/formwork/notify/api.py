"""The notifications REST API of a tenant: /api/v1/notifications/… (a FAB BaseApi: JWTs, one permission, OpenAPI).

Every route acts on the JWT's user only (`can_use` on `NotificationApi`,
which every pack role holds): their notifications, unread count, marking
read, their preferences and the records they follow. Bodies are marshmallow
schemas, so bad input is a 400 with a message per field and changes nothing.
Following needs read access to the record (`can_get` on the entity's API and
its record rules); a record you may not see is a 404, like one that does not exist.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import current_app, request
from flask.wrappers import Response
from flask_appbuilder.api import BaseApi, expose, protect, safe
from flask_appbuilder.security.decorators import permission_name
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from ..compile.actors import request_actor
from ..compile.models import class_name
from ..fields.base import INTEGER_LIMIT
from ..i18n import LANGUAGES, current_locale
from ..rights import visible_condition
from ..tenancy.directory import display_names
from . import inbox as store
from .events import CHANNELS, EVENTS
from .rights import NOTIFICATION_RIGHTS
from .views import described

PERMISSION = NOTIFICATION_RIGHTS[0][0].removeprefix("can_")
#: an id the tables can store: a bigger one is a 400, not a database error
ID = validate.Range(min=1, max=INTEGER_LIMIT)


class PageSchema(Schema):
    page = fields.Integer(load_default=0, validate=validate.Range(min=0, max=100_000))
    page_size = fields.Integer(load_default=20, validate=validate.Range(min=1, max=100))
    unread = fields.Boolean(load_default=False, metadata={"description": "only the unread ones"})
    language = fields.String(
        validate=validate.OneOf(LANGUAGES), metadata={"description": "of the texts; default: the request's"}
    )


class ReadSchema(Schema):
    """Mark read: the notifications `ids`, or every unread one with `all: true`."""

    ids = fields.List(fields.Integer(strict=True, validate=ID), validate=validate.Length(max=1000))
    all = fields.Boolean(load_default=False)

    @validates_schema
    def _something(self, data: dict[str, Any], **_kwargs: Any) -> None:
        if not data.get("all") and not data.get("ids"):
            raise ValidationError("Give the ids to mark read, or all: true.", "ids")


class ChannelsSchema(Schema):
    in_app = fields.Boolean(required=True)
    email = fields.Boolean(required=True)


class PreferencesSchema(Schema):
    """Your channels per event (events left out keep their setting) and the language of your e-mails."""

    language = fields.String(validate=validate.OneOf(LANGUAGES))
    events = fields.Dict(
        keys=fields.String(validate=validate.OneOf(list(EVENTS))),
        values=fields.Nested(ChannelsSchema),
        load_default=dict,
    )


class FollowSchema(Schema):
    entity = fields.String(required=True, validate=validate.Length(1, 100), metadata={"description": "e.g. crm.deal"})
    id = fields.Integer(required=True, strict=True, validate=ID)
    following = fields.Boolean(load_default=True, metadata={"description": "false: stop following"})


SCHEMAS = (ReadSchema, PreferencesSchema, FollowSchema)


class NotificationApi(BaseApi):
    resource_name = "notifications"
    class_permission_name = NOTIFICATION_RIGHTS[0][1]
    openapi_spec_tag = "Notifications"
    openapi_spec_component_schemas = SCHEMAS
    allow_browser_login = False  # JWTs only: no CSRF surface

    @expose("/", methods=["GET"])
    @protect()
    @safe
    @permission_name(PERMISSION)
    def notifications(self) -> Response:
        """Your notifications, newest first
        ---
        get:
          parameters:
          - {in: query, name: page, schema: {type: integer, minimum: 0, default: 0}}
          - {in: query, name: page_size, schema: {type: integer, minimum: 1, maximum: 100, default: 20}}
          - {in: query, name: unread, schema: {type: boolean, default: false}}
          - {in: query, name: language, schema: {type: string, enum: [en, zh]}}
          responses:
            200: {description: '{count, unread, result: [{id, event, entity, record_id, actor, subject, body, read, created_at}]}'}
            400: {$ref: '#/components/responses/400'}
            401: {$ref: '#/components/responses/401'}
        """
        try:
            paging = PageSchema().load(request.args.to_dict())
        except ValidationError as err:
            return self.response_400(message=err.messages)
        runtime, user = _runtime(), _user()
        session = runtime.session()
        count, rows = store.page_of(session, user, paging["page"], paging["page_size"], paging["unread"])
        language = paging.get("language") or current_locale()
        names = display_names(session, [user, *(row.actor for row in rows)])
        result = [_json(described(runtime, row, language, names)) for row in rows]
        return self.response(200, count=count, unread=store.unread_count(session, user), result=result)

    @expose("/unread", methods=["GET"])
    @protect()
    @safe
    @permission_name(PERMISSION)
    def unread(self) -> Response:
        """How many of your notifications are unread (counting stops above 99)
        ---
        get:
          responses:
            200: {description: '{count}'}
            401: {$ref: '#/components/responses/401'}
        """
        return self.response(200, count=store.unread_count(_runtime().session(), _user()))

    @expose("/read", methods=["POST"])
    @protect()
    @safe
    @permission_name(PERMISSION)
    def read(self) -> Response:
        """Mark notifications read
        ---
        post:
          requestBody: {content: {application/json: {schema: {$ref: '#/components/schemas/ReadSchema'}}}}
          responses:
            200: {description: '{changed}: how many were unread and are read now (ids not yours change nothing)'}
            400: {$ref: '#/components/responses/400'}
        """
        body, error = self._load(ReadSchema)
        if error:
            return error
        session = _runtime().session()
        changed = store.mark_read(session, _user(), None if body["all"] else body["ids"])
        session.commit()
        return self.response(200, changed=changed)

    @expose("/preferences", methods=["GET"])
    @protect()
    @safe
    @permission_name(PERMISSION)
    def preferences(self) -> Response:
        """Your channels per event and your e-mails' language
        ---
        get:
          responses:
            200: {description: '{language, events: {event: {in_app, email}}}'}
        """
        session, user = _runtime().session(), _user()
        return self.response(
            200, language=store.language(session, user) or current_locale(), events=store.preferences(session, user)
        )

    @expose("/preferences", methods=["PUT"])
    @protect()
    @safe
    @permission_name(PERMISSION)
    def set_preferences(self) -> Response:
        """Change your channels per event and your e-mails' language
        ---
        put:
          requestBody: {content: {application/json: {schema: {$ref: '#/components/schemas/PreferencesSchema'}}}}
          responses:
            200: {description: your preferences afterwards}
            400: {$ref: '#/components/responses/400'}
        """
        body, error = self._load(PreferencesSchema)
        if error:
            return error
        session, user = _runtime().session(), _user()
        store.save_preferences(
            session, user, {event: {c: channels[c] for c in CHANNELS} for event, channels in body["events"].items()}
        )
        if body.get("language"):
            store.save_language(session, user, body["language"])
        session.commit()
        return self.response(
            200, language=store.language(session, user) or current_locale(), events=store.preferences(session, user)
        )

    @expose("/follows", methods=["GET"])
    @protect()
    @safe
    @permission_name(PERMISSION)
    def follows(self) -> Response:
        """The records you follow
        ---
        get:
          responses:
            200: {description: '{result: [{entity, record_id, since}]}'}
        """
        rows = store.followed(_runtime().session(), _user())
        return self.response(
            200,
            result=[{"entity": r.entity, "record_id": r.record_id, "since": r.created_at.isoformat()} for r in rows],
        )

    @expose("/follow", methods=["POST"])
    @protect()
    @safe
    @permission_name(PERMISSION)
    def follow(self) -> Response:
        """Follow a record you can read (its changes reach your inbox), or stop following it
        ---
        post:
          requestBody: {content: {application/json: {schema: {$ref: '#/components/schemas/FollowSchema'}}}}
          responses:
            200: {description: '{entity, record_id, following}'}
            400: {$ref: '#/components/responses/400'}
            404: {$ref: '#/components/responses/404'}
        """
        body, error = self._load(FollowSchema)
        if error:
            return error
        if not self._readable(body["entity"], body["id"]):
            return self.response_404()
        session = _runtime().session()
        store.follow(session, _user(), body["entity"], body["id"], body["following"])
        session.commit()
        return self.response(200, entity=body["entity"], record_id=body["id"], following=body["following"])

    def _readable(self, entity: str, record_id: int) -> bool:
        runtime = _runtime()
        definition = runtime.catalog.entities.get(entity)
        if definition is None or not self.appbuilder.sm.has_access("can_get", f"{class_name(definition)}Api"):
            return False
        model = runtime.compiled.model(entity)
        query = sa.select(model.id).where(model.id == record_id)
        condition = visible_condition(model, request_actor())
        if condition is not None:
            query = query.where(condition)
        return runtime.session().execute(query).first() is not None

    def _load(self, schema: type[Schema]) -> tuple[dict[str, Any], Response | None]:
        payload = request.get_json(silent=True)
        if not isinstance(payload, dict):
            return {}, self.response_400(message={"_schema": ["Send a JSON object."]})
        try:
            return schema().load(payload), None
        except ValidationError as err:
            return {}, self.response_400(message=err.messages)


def _runtime() -> Any:
    return current_app.extensions["formwork"]


def _user() -> str:
    """The JWT's user: the API takes no session cookie, so a cookie sent along never decides who acts."""
    return request_actor().username or ""


def _json(item: dict[str, Any]) -> dict[str, Any]:
    return {**{k: v for k, v in item.items() if k != "link"}, "created_at": item["created_at"].isoformat()}

"""The actions of every entity's REST API: `POST /api/v1/<entity>/<id>/actions/<name>` runs an action on a record,
`POST /api/v1/<entity>/actions/<name>` a list action on the records `ids` names (all or none).

Mixed into EntityRestApi through ENTITY_APIS, so it takes the API's JWT and asks `can_put` on it, as a PUT does.
Then, in this order: an action the entity does not have (there) is 404; roles it does not name 403; a record
outside the caller's record rules 404 (as every route answers); bad inputs 400 with a message per input; an action
that does not apply to the record now (`visible_when`) 409 saying why; a step that fails (a rule, a lock) 400 with
its message under `_record`, and nothing changed. Each action is its own operation in the tenant's OpenAPI, with
its inputs as the request body.
"""

from __future__ import annotations

import contextlib
from typing import Any

from apispec import APISpec
from apispec.exceptions import DuplicateComponentNameError
from flask import Response, current_app, request
from flask_appbuilder.api import expose, protect, safe
from flask_appbuilder.security.decorators import permission_name
from marshmallow import Schema, ValidationError
from werkzeug.exceptions import BadRequest

from ...adapters.apispec import spec_paths
from ...adapters.fab import base_filters
from ...compile.actors import request_actor
from ...compile.etags import record_etag
from ...compile.models import class_name
from ..prepared import PreparedAction
from ..running import AutomationFailed
from .access import ActionRefused, actions_of, check_allowed, find_action
from .inputs import input_schema, selection_schema, with_every_input
from .labels import TEXT
from .running import run_action, success_text

RECORD, LIST = "record", "list"
#: the answers every action operation declares besides its 200
REFUSALS = (400, 401, 403, 404, 409, 422)


class ActionApi:
    """The action routes of EntityRestApi (which provides entity, datamodel, route_base, `_saved_body` and FAB's
    response helpers)."""

    entity: Any
    catalog: Any
    datamodel: Any
    route_base: str
    openapi_spec_tag: str

    @expose("/<int:pk>/actions/<name>", methods=["POST"])
    @protect()
    @safe
    @permission_name("put")
    def run_record_action(self, pk: int, name: str) -> Response:
        """Run one of the entity's actions on a record: each action is its own operation of the OpenAPI document."""
        try:
            action = self._allowed(name, RECORD)
            item = self.datamodel.get(pk, base_filters(self))
            if item is None:
                raise ActionRefused(404, TEXT["not_found"].localized())
        except ActionRefused as refused:
            return self.response(refused.status, message=str(refused))  # type: ignore[attr-defined]
        optional = not any(item.required for item in action.definition.inputs)
        loaded = self._inputs(input_schema(action.definition), optional=optional)
        if isinstance(loaded, Response):
            return loaded
        return self._run(action, [item], with_every_input(action.definition, loaded), pk)

    @expose("/actions/<name>", methods=["POST"])
    @protect()
    @safe
    @permission_name("put")
    def run_list_action(self, name: str) -> Response:
        """Run one of the entity's list actions on the records `ids` names: each is its own OpenAPI operation."""
        try:
            action = self._allowed(name, LIST)
        except ActionRefused as refused:
            return self.response(refused.status, message=str(refused))  # type: ignore[attr-defined]
        loaded = self._inputs(selection_schema(action.definition), optional=False)
        if isinstance(loaded, Response):
            return loaded
        items = [self.datamodel.get(pk, base_filters(self)) for pk in dict.fromkeys(loaded["ids"])]
        if any(item is None for item in items):
            return self.response(404, message=TEXT["not_found"].localized())  # type: ignore[attr-defined]
        return self._run(action, items, with_every_input(action.definition, loaded["input"]), None)

    def _allowed(self, name: str, place: str) -> PreparedAction:
        action = find_action(self.catalog, self.entity, name, place)
        check_allowed(action, request_actor(), may_edit=True)  # `protect` checked can_put
        return action

    def _inputs(self, schema: type[Schema], optional: bool) -> dict[str, Any] | Response:
        """The request's JSON object loaded by `schema` (no body at all is `{}` when `optional`), or the 400."""
        if optional and not request.get_data():
            return {}
        try:
            body = request.get_json() if request.is_json else None
        except BadRequest as unreadable:  # not JSON, too deep, or text no database stores
            body = getattr(unreadable, "messages", None)
            return self.response_400(message=body or TEXT["send_object"].localized())  # type: ignore[attr-defined]
        if not isinstance(body, dict):
            return self.response_400(message=TEXT["send_object"].localized())  # type: ignore[attr-defined]
        try:
            loaded: dict[str, Any] = schema().load(body)
        except ValidationError as invalid:
            return self.response_400(message=invalid.messages)  # type: ignore[attr-defined]
        return loaded

    def _run(self, action: PreparedAction, items: list[Any], given: dict[str, Any], pk: int | None) -> Response:
        """Run in one transaction: commit and answer 200, or roll back and answer why."""
        session = self.datamodel.session
        try:
            messages = run_action(current_app.extensions["formwork"], session, request_actor(), action, items, given)
        except ActionRefused as refused:
            session.rollback()
            return self.response(refused.status, message=str(refused))  # type: ignore[attr-defined]
        except AutomationFailed as failed:
            session.rollback()
            return self.response_400(message={"_record": [str(failed)]})  # type: ignore[attr-defined]
        except BaseException:
            session.rollback()
            raise
        if pk is None:
            session.commit()
            ids = [item.id for item in items]
            return self.response(  # type: ignore[attr-defined]
                200, ids=ids, message=success_text(action, len(ids)), messages=messages
            )
        record_id, body = self._saved_body(session, items[0])  # type: ignore[attr-defined]  # commits
        response: Response = self.response(  # type: ignore[attr-defined]
            200, id=record_id, result=body, message=success_text(action), messages=messages
        )
        response.set_etag(record_etag(body))
        return response

    def add_api_spec(self, api_spec: APISpec) -> None:
        """The entity's operations, then one per action (the two generic routes are not shown: they take no other
        name)."""
        super().add_api_spec(api_spec)  # type: ignore[misc]
        paths = spec_paths(api_spec)
        paths.pop(f"{self.route_base}/{{pk}}/actions/{{name}}", None)
        paths.pop(f"{self.route_base}/actions/{{name}}", None)
        for action in actions_of(self.catalog, self.entity).values():
            for place in action.definition.places:
                self._action_operation(api_spec, action, place)

    def _action_operation(self, api_spec: APISpec, action: PreparedAction, place: str) -> None:
        definition = action.definition
        schema = input_schema(definition) if place == RECORD else selection_schema(definition)
        with contextlib.suppress(DuplicateComponentNameError):  # the entity's other operation, or another app's
            api_spec.components.schema(schema.__name__, schema=schema)
        body: dict[str, Any] = {
            "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema.__name__}"}}}
        }
        body["required"] = place == LIST or any(item.required for item in definition.inputs)
        operation: dict[str, Any] = {
            "summary": definition.label.get("en"),
            "description": _description(definition, place),
            "tags": [self.openapi_spec_tag],
            "requestBody": body,
            "responses": {
                "200": {"description": "It ran", "content": {"application/json": {"schema": self._ran(place)}}},
                **{str(code): {"$ref": f"#/components/responses/{code}"} for code in REFUSALS},
            },
        }
        if place == RECORD:
            path = f"{self.route_base}/{{pk}}/actions/{definition.name}"
            operation["parameters"] = [{"in": "path", "name": "pk", "required": True, "schema": {"type": "integer"}}]
        else:
            path = f"{self.route_base}/actions/{definition.name}"
        api_spec.path(path=path, operations={"post": operation})

    def _ran(self, place: str) -> dict[str, Any]:
        told = {"message": {"type": "string"}, "messages": {"type": "array", "items": {"type": "string"}}}
        if place == LIST:
            return {"type": "object", "properties": {"ids": {"type": "array", "items": {"type": "integer"}}, **told}}
        record = {"$ref": f"#/components/schemas/{class_name(self.entity)}Api.get"}
        return {"type": "object", "properties": {"id": {"type": "integer"}, "result": record, **told}}


def _description(definition: Any, place: str) -> str:
    roles = ", ".join(definition.roles) or "whoever may edit the record"
    where = "the record" if place == RECORD else "each record `ids` names, all or none"
    condition = (
        f" Runs only while `{definition.visible_when}` holds (409 otherwise)." if definition.visible_when else ""
    )
    return f"Action `{definition.name}` on {where}. Roles: {roles}.{condition}"

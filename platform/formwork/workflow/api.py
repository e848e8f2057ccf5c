"""The approvals REST API of a tenant: /api/v1/approvals/… (a FAB BaseApi: JWTs, one permission, OpenAPI).

Everything the engine does is reachable here: the signed-in user's boxes
(to approve, submitted, copied, done), decisions on their own tasks, the
submitter's actions on a request, a record's status and history, and
out-of-office delegations. Bodies are marshmallow schemas, so bad input is a
400 with a message per field and the schemas appear in the tenant's OpenAPI.
A task id that is not the caller's is a 404, the same answer as an id that
does not exist, so ids cannot be probed.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import asdict
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from flask import current_app, request
from flask.wrappers import Response
from flask_appbuilder import AppBuilder
from flask_appbuilder.api import BaseApi, expose, protect, safe
from flask_appbuilder.security.decorators import permission_name
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from ..compile.actors import request_actor
from ..compile.models import class_name
from ..compile.records import may_see_record
from ..fields.base import INTEGER_LIMIT
from ..i18n import CatalogText
from ..languages import N_, localize_messages
from ..rights import visible_condition
from . import rows
from .attachments import store_uploads
from .engine import Approvals
from .errors import NotAllowed, WorkflowError
from .inbox import COPIES
from .roles import APPROVALS_PERMISSION as PERMISSION
from .roles import APPROVALS_VIEW as VIEW
from .tables import DELEGATIONS, EVENTS, INSTANCES, TASKS

if TYPE_CHECKING:
    from ..tenancy.runtime import TenantRuntime

BOXES = ("todo", "submitted", "cc", "done")
#: events that are a person's decision on their task (what "done" lists)
DECISIONS = ("approve", "reject", "return", "transfer", "add_after")
TEXT = 4000
#: FAB's answer to an id that does not exist (or is not the caller's), in the caller's language
NOT_FOUND = CatalogText("Not found")
MAY_NOT_EDIT = CatalogText("You may not edit {entity} records, so you cannot submit them for approval.")


# -- request bodies --------------------------------------------------------------------
class FileReferenceSchema(Schema):
    """A file you uploaded with `POST files` and have not attached yet. Only `key` counts: the name, size and
    content type recorded are those of the upload (they may be sent back as `files` returned them, and are ignored)."""

    key = fields.String(
        required=True, validate=validate.Regexp(r"^[0-9a-zA-Z]{8,64}$", error=N_("Not a stored file's key."))
    )
    name = fields.String(validate=validate.Length(1, 255), metadata={"description": "ignored"})
    size = fields.Integer(validate=validate.Range(min=0), metadata={"description": "ignored"})
    content_type = fields.String(validate=validate.Length(1, 255), metadata={"description": "ignored"})


class DecisionSchema(Schema):
    """Approve or reject: an optional comment and attachments."""

    comment = fields.String(allow_none=True, validate=validate.Length(max=TEXT))
    attachments = fields.List(fields.Nested(FileReferenceSchema), load_default=list)


class ReturnSchema(DecisionSchema):
    step = fields.String(
        required=True, validate=validate.Length(1, 48), metadata={"description": "an earlier step of this round"}
    )


class TransferSchema(Schema):
    to = fields.String(required=True, validate=validate.Length(1, 256), metadata={"description": "a user name"})
    comment = fields.String(allow_none=True, validate=validate.Length(max=TEXT))


class AddApproverSchema(Schema):
    who = fields.String(required=True, validate=validate.Length(1, 256), metadata={"description": "a user name"})
    position = fields.String(
        required=True,
        validate=validate.OneOf(("before", "after")),
        metadata={"description": "before: they approve first; after: you approve now, then they do"},
    )
    comment = fields.String(allow_none=True, validate=validate.Length(max=TEXT))


class SubmitSchema(DecisionSchema):
    entity = fields.String(
        required=True, validate=validate.Length(1, 100), metadata={"description": "e.g. oa.leave_request"}
    )
    id = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=INTEGER_LIMIT))
    chosen = fields.Dict(
        keys=fields.String(),
        values=fields.List(fields.String(validate=validate.Length(1, 256))),
        load_default=dict,
        metadata={"description": "per step with submitter_choice, the people picked"},
    )


class NoteSchema(Schema):
    """Withdraw or urge: an optional comment."""

    comment = fields.String(allow_none=True, validate=validate.Length(max=TEXT))


class ReasonSchema(Schema):
    """Move a request to its chain's current version, or reopen an approved one: why (recorded in its history)."""

    reason = fields.String(required=True, validate=validate.Length(1, TEXT))


class CommentSchema(Schema):
    text = fields.String(required=True, validate=validate.Length(1, TEXT))
    attachments = fields.List(fields.Nested(FileReferenceSchema), load_default=list)


class DelegationSchema(Schema):
    to = fields.String(required=True, validate=validate.Length(1, 256), metadata={"description": "a user name"})
    starts_on = fields.Date(required=True)
    ends_on = fields.Date(required=True)

    @validates_schema
    def _in_order(self, data: dict[str, Any], **_kwargs: Any) -> None:
        if data["ends_on"] < data["starts_on"]:
            raise ValidationError(N_("The delegation ends before it starts."), "ends_on")


class PageSchema(Schema):
    page = fields.Integer(load_default=0, validate=validate.Range(min=0, max=100_000))
    page_size = fields.Integer(load_default=20, validate=validate.Range(min=1, max=100))


SCHEMAS = (
    DecisionSchema,
    ReturnSchema,
    TransferSchema,
    AddApproverSchema,
    SubmitSchema,
    NoteSchema,
    CommentSchema,
    DelegationSchema,
    ReasonSchema,
)


class BadRequest(Exception):
    """A body that did not load: the messages per field."""

    def __init__(self, messages: Any) -> None:
        super().__init__(messages)
        self.messages = messages


# -- the API -----------------------------------------------------------------------------
class ApprovalsApi(BaseApi):
    """Every route acts as the JWT's user and asks for `can_use` on `Approvals`; the engine decides the rest."""

    resource_name = "approvals"
    class_permission_name = VIEW
    openapi_spec_tag = "Approvals"
    openapi_spec_component_schemas = SCHEMAS
    allow_browser_login = False  # JWTs only, like the entity APIs: no CSRF surface

    def response_400(self, message: Any = None) -> Response:
        """Bad input in the caller's language, as the entity APIs answer it (`languages.localize_messages`)."""
        return super().response_400(message=localize_messages(message))

    def response_404(self) -> Response:
        """FAB's 404, in the caller's language; another's task or request gets it too, so ids cannot be probed."""
        return self.response(404, message=NOT_FOUND.localized())

    # -- boxes ----------------------------------------------------------------------
    @expose("/inbox/<box>", methods=["GET"])
    @protect()
    @safe
    @permission_name(PERMISSION)
    def inbox(self, box: str) -> Response:
        """The signed-in user's approvals, newest work first
        ---
        get:
          description: >-
            `todo`: tasks waiting for your decision (oldest first); `submitted`: requests you submitted;
            `cc`: requests you were copied or notified on; `done`: your decisions.
          parameters:
          - {in: path, name: box, required: true, schema: {type: string, enum: [todo, submitted, cc, done]}}
          - {in: query, name: page, schema: {type: integer, minimum: 0, default: 0}}
          - {in: query, name: page_size, schema: {type: integer, minimum: 1, maximum: 100, default: 20}}
          responses:
            200: {description: '{count, result: [{instance_id, task_id, entity, record_id, title, chain, status, step, since}]}'}
            400: {$ref: '#/components/responses/400'}
            401: {$ref: '#/components/responses/401'}
            404: {$ref: '#/components/responses/404'}
        """
        if box not in BOXES:
            return self.response_404()
        try:
            paging = PageSchema().load(request.args.to_dict())
        except ValidationError as err:
            return self.response_400(message=err.messages)
        count, items = BOX_READERS[box](self._runtime(), self._user(), paging["page"], paging["page_size"])
        return self.response(200, count=count, result=items)

    # -- decisions on one's own task ----------------------------------------------------
    @expose("/tasks/<int:task_id>/approve", methods=["POST"])
    @protect()
    @safe
    @permission_name(PERMISSION)
    def approve(self, task_id: int) -> Response:
        """Approve your task
        ---
        post:
          parameters: [{in: path, name: task_id, required: true, schema: {type: integer}}]
          requestBody: {content: {application/json: {schema: {$ref: '#/components/schemas/DecisionSchema'}}}}
          responses:
            200: {description: the record's approval status afterwards}
            400: {$ref: '#/components/responses/400'}
            404: {$ref: '#/components/responses/404'}
            409: {description: the task was already decided}
        """
        return self._on_task(task_id, DecisionSchema, lambda a, user, body: a.approve(task_id, user, **body))

    @expose("/tasks/<int:task_id>/reject", methods=["POST"])
    @protect()
    @safe
    @permission_name(PERMISSION)
    def reject(self, task_id: int) -> Response:
        """Reject your task (the step's on_reject says what follows)
        ---
        post:
          parameters: [{in: path, name: task_id, required: true, schema: {type: integer}}]
          requestBody: {content: {application/json: {schema: {$ref: '#/components/schemas/DecisionSchema'}}}}
          responses:
            200: {description: the record's approval status afterwards}
            400: {$ref: '#/components/responses/400'}
            404: {$ref: '#/components/responses/404'}
            409: {description: the task was already decided}
        """
        return self._on_task(task_id, DecisionSchema, lambda a, user, body: a.reject(task_id, user, **body))

    @expose("/tasks/<int:task_id>/return", methods=["POST"])
    @protect()
    @safe
    @permission_name(PERMISSION)
    def return_to(self, task_id: int) -> Response:
        """Send the request back to an earlier step
        ---
        post:
          parameters: [{in: path, name: task_id, required: true, schema: {type: integer}}]
          requestBody: {content: {application/json: {schema: {$ref: '#/components/schemas/ReturnSchema'}}}}
          responses:
            200: {description: the record's approval status afterwards}
            400: {$ref: '#/components/responses/400'}
            404: {$ref: '#/components/responses/404'}
            409: {description: the task was already decided}
        """
        return self._on_task(
            task_id, ReturnSchema, lambda a, user, body: a.return_to(task_id, user, body.pop("step"), **body)
        )

    @expose("/tasks/<int:task_id>/transfer", methods=["POST"])
    @protect()
    @safe
    @permission_name(PERMISSION)
    def transfer(self, task_id: int) -> Response:
        """Hand your task to someone who decides in your place
        ---
        post:
          parameters: [{in: path, name: task_id, required: true, schema: {type: integer}}]
          requestBody: {content: {application/json: {schema: {$ref: '#/components/schemas/TransferSchema'}}}}
          responses:
            200: {description: the record's approval status afterwards}
            400: {$ref: '#/components/responses/400'}
            404: {$ref: '#/components/responses/404'}
            409: {description: the task was already decided}
        """
        return self._on_task(
            task_id, TransferSchema, lambda a, user, body: a.transfer(task_id, user, body.pop("to"), **body)
        )

    @expose("/tasks/<int:task_id>/add-approver", methods=["POST"])
    @protect()
    @safe
    @permission_name(PERMISSION)
    def add_approver(self, task_id: int) -> Response:
        """Add-sign: someone approves before you, or after you approve now
        ---
        post:
          parameters: [{in: path, name: task_id, required: true, schema: {type: integer}}]
          requestBody: {content: {application/json: {schema: {$ref: '#/components/schemas/AddApproverSchema'}}}}
          responses:
            200: {description: the record's approval status afterwards}
            400: {$ref: '#/components/responses/400'}
            404: {$ref: '#/components/responses/404'}
            409: {description: the task was already decided}
        """

        def add(a: Approvals, user: str, body: dict[str, Any]) -> Any:
            return a.add_approver(
                task_id, user, body["who"], before=body["position"] == "before", comment=body.get("comment")
            )

        return self._on_task(task_id, AddApproverSchema, add)

    @expose("/files", methods=["POST"])
    @protect()
    @safe
    @permission_name(PERMISSION)
    def upload(self) -> Response:
        """Store files to attach to an action; send the references it returns as `attachments`
        ---
        post:
          description: multipart/form-data, one or more parts named `file` (checked like a file field)
          responses:
            201: {description: '{result: [{key, name, size, content_type}]}'}
            400: {$ref: '#/components/responses/400'}
        """
        chosen = [upload for upload in request.files.getlist("file") if upload.filename]
        if not chosen:
            return self.response_400(message={"file": [N_("Send the files as multipart parts named `file`.")]})
        try:
            references = store_uploads(chosen, self._user())
        except ValueError as refused:
            return self.response_400(message={"file": [str(refused)]})
        return self.response(201, result=references)

    # -- a request as a whole ---------------------------------------------------------------
    @expose("/submit", methods=["POST"])
    @protect()
    @safe
    @permission_name(PERMISSION)
    def submit(self) -> Response:
        """Submit a record for approval (again, after a return, rejection or withdrawal)
        ---
        post:
          requestBody: {content: {application/json: {schema: {$ref: '#/components/schemas/SubmitSchema'}}}}
          responses:
            201: {description: the record's approval status}
            400: {$ref: '#/components/responses/400'}
            403: {description: 'you may not edit the record (can_put), or it is not yours to submit'}
            404: {$ref: '#/components/responses/404'}
            409: {description: the record was just submitted by someone else}
        """
        try:
            body = self._body(SubmitSchema)
        except BadRequest as bad:
            return self.response_400(message=bad.messages)
        entity, record_id = body.pop("entity"), body.pop("id")
        if not self._may_read(entity, record_id):
            return self.response_404()
        if not self._may(entity, "can_put"):
            return self._refused(NotAllowed(MAY_NOT_EDIT, entity=self._runtime().catalog.entities[entity].label))
        approvals = Approvals(self._runtime())
        try:
            approvals.submit(entity, record_id, self._user(), **body)
        except WorkflowError as refused:
            return self._refused(refused)
        return self.response(201, **record_state(approvals, entity, record_id, self._user()))

    @expose("/requests/<int:instance_id>/withdraw", methods=["POST"])
    @protect()
    @safe
    @permission_name(PERMISSION)
    def withdraw(self, instance_id: int) -> Response:
        """The submitter takes the request back
        ---
        post:
          parameters: [{in: path, name: instance_id, required: true, schema: {type: integer}}]
          requestBody: {content: {application/json: {schema: {$ref: '#/components/schemas/NoteSchema'}}}}
          responses:
            200: {description: the record's approval status afterwards}
            400: {$ref: '#/components/responses/400'}
            403: {$ref: '#/components/responses/403'}
            404: {$ref: '#/components/responses/404'}
            409: {description: the request is already decided}
        """
        return self._on_request(instance_id, NoteSchema, lambda a, user, body: a.withdraw(instance_id, user, **body))

    @expose("/requests/<int:instance_id>/urge", methods=["POST"])
    @protect()
    @safe
    @permission_name(PERMISSION)
    def urge(self, instance_id: int) -> Response:
        """The submitter reminds the people the request waits for
        ---
        post:
          parameters: [{in: path, name: instance_id, required: true, schema: {type: integer}}]
          requestBody: {content: {application/json: {schema: {$ref: '#/components/schemas/NoteSchema'}}}}
          responses:
            200: {description: the record's approval status afterwards}
            400: {$ref: '#/components/responses/400'}
            403: {$ref: '#/components/responses/403'}
            404: {$ref: '#/components/responses/404'}
        """
        return self._on_request(instance_id, NoteSchema, lambda a, user, body: a.urge(instance_id, user, **body))

    @expose("/requests/<int:instance_id>/move", methods=["POST"])
    @protect()
    @safe
    @permission_name(PERMISSION)
    def move(self, instance_id: int) -> Response:
        """A tenant admin moves a running request to the current version of its chain (docs/workflow.md)
        ---
        post:
          parameters: [{in: path, name: instance_id, required: true, schema: {type: integer}}]
          requestBody: {content: {application/json: {schema: {$ref: '#/components/schemas/ReasonSchema'}}}}
          responses:
            200: {description: the record's approval status afterwards}
            400: {$ref: '#/components/responses/400'}
            403: {description: not a tenant admin}
            404: {$ref: '#/components/responses/404'}
            409: {description: 'the request is not running, or already on the current version'}
        """
        return self._on_request(
            instance_id, ReasonSchema, lambda a, user, body: a.move_to_current(instance_id, user, body["reason"])
        )

    @expose("/requests/<int:instance_id>/reopen", methods=["POST"])
    @protect()
    @safe
    @permission_name(PERMISSION)
    def reopen(self, instance_id: int) -> Response:
        """Reopen an approved request: its record is editable again and can be submitted anew (the chain's lock.reopen)
        ---
        post:
          parameters: [{in: path, name: instance_id, required: true, schema: {type: integer}}]
          requestBody: {content: {application/json: {schema: {$ref: '#/components/schemas/ReasonSchema'}}}}
          responses:
            200: {description: the record's approval status afterwards}
            400: {$ref: '#/components/responses/400'}
            403: {description: 'not an admin (nor, when the chain allows it, the submitter)'}
            404: {$ref: '#/components/responses/404'}
            409: {description: the request is not approved}
        """
        return self._on_request(
            instance_id, ReasonSchema, lambda a, user, body: a.reopen(instance_id, user, body["reason"])
        )

    @expose("/requests/<int:instance_id>/comment", methods=["POST"])
    @protect()
    @safe
    @permission_name(PERMISSION)
    def comment(self, instance_id: int) -> Response:
        """Comment on a request (anyone who may read its record)
        ---
        post:
          parameters: [{in: path, name: instance_id, required: true, schema: {type: integer}}]
          requestBody: {content: {application/json: {schema: {$ref: '#/components/schemas/CommentSchema'}}}}
          responses:
            200: {description: the record's approval status afterwards}
            400: {$ref: '#/components/responses/400'}
            404: {$ref: '#/components/responses/404'}
        """
        return self._on_request(
            instance_id, CommentSchema, lambda a, user, body: a.comment(instance_id, user, body.pop("text"), **body)
        )

    @expose("/records/<entity>/<int:record_id>", methods=["GET"])
    @protect()
    @safe
    @permission_name(PERMISSION)
    def record(self, entity: str, record_id: int) -> Response:
        """A record's approval: status, what you may edit now, and its history by round
        ---
        get:
          parameters:
          - {in: path, name: entity, required: true, schema: {type: string}, description: e.g. oa.leave_request}
          - {in: path, name: record_id, required: true, schema: {type: integer}}
          responses:
            200: {description: '{status (null when never submitted), editable (null when not locked), tasks, rounds: [{round, events}]}'}
            404: {$ref: '#/components/responses/404'}
        """
        if not self._may_read(entity, record_id):
            return self.response_404()
        return self.response(200, **record_state(Approvals(self._runtime()), entity, record_id, self._user()))

    # -- out of office ------------------------------------------------------------------------
    @expose("/delegations", methods=["GET"])
    @protect()
    @safe
    @permission_name(PERMISSION)
    def delegations(self) -> Response:
        """Your delegations
        ---
        get:
          responses:
            200: {description: '{result: [{id, to, starts_on, ends_on}]}'}
        """
        session = self._runtime().session()
        try:
            found = session.execute(
                sa.select(DELEGATIONS)
                .where(DELEGATIONS.c.delegator == self._user())
                .order_by(DELEGATIONS.c.starts_on, DELEGATIONS.c.id)
            ).all()
        finally:
            session.rollback()
        return self.response(200, result=[delegation_item(row) for row in found])

    @expose("/delegations", methods=["POST"])
    @protect()
    @safe
    @permission_name(PERMISSION)
    def delegate(self) -> Response:
        """Out of office: someone gets your tasks for a date range (open ones move at once when it has begun)
        ---
        post:
          requestBody: {content: {application/json: {schema: {$ref: '#/components/schemas/DelegationSchema'}}}}
          responses:
            201: {description: '{id}'}
            400: {$ref: '#/components/responses/400'}
        """
        try:
            body = self._body(DelegationSchema)
        except BadRequest as bad:
            return self.response_400(message=bad.messages)
        try:
            delegation_id = Approvals(self._runtime()).delegate(
                self._user(), body["to"], body["starts_on"], body["ends_on"]
            )
        except WorkflowError as refused:
            return self._refused(refused)
        return self.response(201, id=delegation_id)

    @expose("/delegations/<int:delegation_id>", methods=["DELETE"])
    @protect()
    @safe
    @permission_name(PERMISSION)
    def cancel_delegation(self, delegation_id: int) -> Response:
        """Cancel one of your delegations: tasks assigned from now on stay with you (handed-over ones stay handed over)
        ---
        delete:
          parameters: [{in: path, name: delegation_id, required: true, schema: {type: integer}}]
          responses:
            200: {description: cancelled}
            404: {$ref: '#/components/responses/404'}
        """
        session = self._runtime().session()
        try:
            done = session.execute(
                DELEGATIONS.delete().where(DELEGATIONS.c.id == delegation_id, DELEGATIONS.c.delegator == self._user())
            )
            session.commit()
        except BaseException:
            session.rollback()
            raise
        return self.response(200, message="OK") if done.rowcount == 1 else self.response_404()

    # -- helpers ------------------------------------------------------------------------------
    def _on_task(
        self, task_id: int, schema: type[Schema], action: Callable[[Approvals, str, dict[str, Any]], Any]
    ) -> Response:
        """Run a decision on the caller's own task; anyone else's task does not exist for them."""
        user, runtime = self._user(), self._runtime()
        owner = task_owner(runtime, task_id)
        if owner is None or owner[0] != user:
            return self.response_404()
        return self._act(owner[1], schema, lambda approvals, body: action(approvals, user, body))

    def _on_request(
        self, instance_id: int, schema: type[Schema], action: Callable[[Approvals, str, dict[str, Any]], Any]
    ) -> Response:
        """Run an action on a request whose record the caller may read."""
        record = instance_record(self._runtime(), instance_id)
        if record is None or not self._may_read(*record):
            return self.response_404()
        return self._act(record, schema, lambda approvals, body: action(approvals, self._user(), body))

    def _act(
        self, record: tuple[str, int], schema: type[Schema], action: Callable[[Approvals, dict[str, Any]], Any]
    ) -> Response:
        try:
            body = self._body(schema)
        except BadRequest as bad:
            return self.response_400(message=bad.messages)
        approvals = Approvals(self._runtime())
        try:
            action(approvals, body)
        except WorkflowError as refused:
            return self._refused(refused)
        return self.response(200, **record_state(approvals, *record, self._user()))

    def _refused(self, error: WorkflowError) -> Response:
        """The engine's refusal: its status, its message rendered in the caller's language (`Accept-Language`)."""
        return self.response(error.status, message=error.localized())

    def _body(self, schema: type[Schema]) -> dict[str, Any]:
        """The JSON body loaded with `schema` (an empty body is an empty object); attachments must be stored files."""
        raw = request.get_json(silent=True) if request.get_data() else {}
        if not isinstance(raw, dict):
            raise BadRequest("Send a JSON object.")
        try:
            body = schema().load(raw)
        except ValidationError as err:
            raise BadRequest(err.messages) from None
        missing = unknown_files(self._runtime(), self._user(), body.get("attachments", ()))
        if missing:
            raise BadRequest({"attachments": missing})
        return body

    def _may_read(self, entity: str, record_id: int) -> bool:
        """Whether the caller may read the record through its API: the right, and their record rules
        (unknown entities are unreadable). A task's assignee acts on it without this: it was given to them."""
        if not self._may(entity, "can_get"):
            return False
        runtime, actor = self._runtime(), request_actor()
        model = runtime.compiled.model(entity)
        if visible_condition(model, actor) is None:  # unlimited: a deleted record's approval still reads (no status)
            return True
        return may_see_record(runtime.session(), model, record_id, actor)

    def _may(self, entity: str, right: str) -> bool:
        """Whether the caller has `right` (can_get, can_put…) on the API of `entity` (none on unknown entities)."""
        definition = self._runtime().catalog.entities.get(entity)
        return definition is not None and self.appbuilder.sm.has_access(right, f"{class_name(definition)}Api")

    @staticmethod
    def _runtime() -> Any:
        return current_app.extensions["formwork"]

    @staticmethod
    def _user() -> str:
        """The JWT's user: the API takes no session cookie, so a cookie sent along never decides who acts."""
        return request_actor().username or ""


def register_approvals_api(appbuilder: AppBuilder) -> None:
    """Add the API to a tenant app. Its right goes to Admin (FAB) and to the packs' roles
    (`access.grants.ensure_pack_roles`, when a tenant is provisioned or its permissions synced)."""
    appbuilder.add_api(ApprovalsApi)


# -- reads ---------------------------------------------------------------------------------
def task_owner(runtime: TenantRuntime, task_id: int) -> tuple[str, tuple[str, int]] | None:
    """(assignee, (entity, record id)) of a task, or None."""
    return _one(
        runtime,
        sa.select(TASKS.c.assignee, INSTANCES.c.entity, INSTANCES.c.record_id)
        .join(INSTANCES, INSTANCES.c.id == TASKS.c.instance_id)
        .where(TASKS.c.id == task_id),
        lambda row: (row.assignee, (row.entity, row.record_id)),
    )


def instance_record(runtime: TenantRuntime, instance_id: int) -> tuple[str, int] | None:
    return _one(
        runtime,
        sa.select(INSTANCES.c.entity, INSTANCES.c.record_id).where(INSTANCES.c.id == instance_id),
        lambda row: (row.entity, row.record_id),
    )


def _one(runtime: TenantRuntime, query: sa.Select, shape: Callable[[Any], Any]) -> Any:
    session = runtime.session()
    try:
        row = session.execute(query).first()
        return None if row is None else shape(row)
    finally:
        session.rollback()


def unknown_files(
    runtime: TenantRuntime, user: str, attachments: Iterable[dict[str, Any]]
) -> dict[int, dict[str, list[str]]]:
    """Attachments that are not the user's own uploads waiting to be attached, by position (as marshmallow reports
    list items). Someone else's file gets the same answer as a key that does not exist. The engine checks again,
    and binds each upload to its event, in the action's transaction."""
    session, missing = runtime.session(), {}
    try:
        for position, reference in enumerate(attachments):
            try:
                rows.own_uploads(session, user, [reference])
            except WorkflowError as refused:
                missing[position] = {"key": [refused.localized()]}
    finally:
        session.rollback()
    return missing


def record_state(approvals: Approvals, entity: str, record_id: int, user: str) -> dict[str, Any]:
    """A record's approval as the API shows it: status, the caller's editable fields, tasks and history by round."""
    status = approvals.status(entity, record_id)
    if status is None:
        return {"status": None, "editable": None, "tasks": [], "rounds": []}
    editable = approvals.editable_fields(entity, record_id, user)
    rounds: dict[int, list[dict[str, Any]]] = {}
    for event in approvals.history(status.instance_id):
        rounds.setdefault(event.round, []).append(event_item(event))
    return {
        "status": asdict(status),
        "editable": None if editable is None else sorted(editable),
        "tasks": [task_item(task) for task in approvals.tasks(status.instance_id)],
        "rounds": [{"round": number, "events": events} for number, events in sorted(rounds.items())],
    }


def event_item(event: Any) -> dict[str, Any]:
    return {
        "id": event.id,
        "action": event.action,
        "actor": event.actor,
        "at": _iso(event.at),
        "step": event.step,
        "task_id": event.task_id,
        "comment": event.comment,
        "attachments": event.attachments,
        "detail": event.detail,
    }


def task_item(task: Any) -> dict[str, Any]:
    return {
        "id": task.id,
        "round": task.round,
        "step": task.step,
        "assignee": task.assignee,
        "status": task.status,
        "origin": task.origin,
        "delegated_from": task.delegated_from,
        "decided_by": task.decided_by,
        "decided_at": _iso(task.decided_at),
        "comment": task.comment,
        "created_at": _iso(task.created_at),
    }


def delegation_item(row: Any) -> dict[str, Any]:
    return {"id": row.id, "to": row.delegate, "starts_on": _iso(row.starts_on), "ends_on": _iso(row.ends_on)}


def _iso(value: date | datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _page(
    runtime: TenantRuntime, query: sa.Select, page: int, size: int, shape: Callable[[Any], dict[str, Any]]
) -> tuple[int, list]:
    """One page of `query` (count first), shaped, with each row's record title."""
    session = runtime.session()
    try:
        count = session.execute(sa.select(sa.func.count()).select_from(query.subquery())).scalar_one()
        found = session.execute(query.offset(page * size).limit(size)).all()
        return count, with_titles(runtime, session, [shape(row) for row in found])
    finally:
        session.rollback()


def with_titles(runtime: TenantRuntime, session: Any, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each item gets its record's title, with one query per entity on the page (None: the record was deleted)."""
    wanted: dict[str, set[int]] = {}
    for item in items:
        wanted.setdefault(item["entity"], set()).add(item["record_id"])
    titles: dict[tuple[str, int], str] = {}
    for entity, ids in wanted.items():
        if entity not in runtime.catalog.entities:
            continue
        model = runtime.compiled.model(entity)
        titles.update({(entity, record.id): str(record) for record in session.query(model).filter(model.id.in_(ids))})
    return [{**item, "title": titles.get((item["entity"], item["record_id"]))} for item in items]


def _request_columns() -> list[Any]:
    return [
        INSTANCES.c.id.label("instance_id"),
        INSTANCES.c.entity,
        INSTANCES.c.record_id,
        INSTANCES.c.chain,
        INSTANCES.c.status,
        INSTANCES.c.submitter,
    ]


def _request_item(row: Any, task_id: int | None, step: str | None, since: datetime) -> dict[str, Any]:
    return {
        "instance_id": row.instance_id,
        "task_id": task_id,
        "entity": row.entity,
        "record_id": row.record_id,
        "chain": row.chain,
        "status": row.status,
        "submitter": row.submitter,
        "step": step,
        "since": _iso(since),
    }


def todo_box(runtime: TenantRuntime, user: str, page: int, size: int) -> tuple[int, list]:
    query = (
        sa.select(*_request_columns(), TASKS.c.id.label("task_id"), TASKS.c.step, TASKS.c.created_at)
        .join(INSTANCES, INSTANCES.c.id == TASKS.c.instance_id)
        .where(TASKS.c.assignee == user, TASKS.c.status == "pending")
        .order_by(TASKS.c.created_at, TASKS.c.id)
    )
    return _page(runtime, query, page, size, lambda row: _request_item(row, row.task_id, row.step, row.created_at))


def submitted_box(runtime: TenantRuntime, user: str, page: int, size: int) -> tuple[int, list]:
    query = (
        sa.select(*_request_columns(), INSTANCES.c.step, INSTANCES.c.submitted_at)
        .where(INSTANCES.c.submitter == user)
        .order_by(INSTANCES.c.submitted_at.desc(), INSTANCES.c.id.desc())
    )
    return _page(runtime, query, page, size, lambda row: _request_item(row, None, row.step, row.submitted_at))


def done_box(runtime: TenantRuntime, user: str, page: int, size: int) -> tuple[int, list]:
    query = (
        sa.select(*_request_columns(), EVENTS.c.task_id, EVENTS.c.step, EVENTS.c.at, EVENTS.c.action)
        .join(INSTANCES, INSTANCES.c.id == EVENTS.c.instance_id)
        .where(EVENTS.c.actor == user, EVENTS.c.action.in_(DECISIONS))
        .order_by(EVENTS.c.at.desc(), EVENTS.c.id.desc())
    )
    return _page(
        runtime,
        query,
        page,
        size,
        lambda row: {**_request_item(row, row.task_id, row.step, row.at), "decision": row.action},
    )


def cc_box(runtime: TenantRuntime, user: str, page: int, size: int) -> tuple[int, list]:
    """Requests the user was copied or notified on. Recipients are a JSON list in the event's detail, which SQLite
    and PostgreSQL query differently; the JSON text is narrowed with a LIKE on the quoted name (escaped), then checked."""
    mention = sa.cast(EVENTS.c.detail, sa.Text).contains(json.dumps(user), autoescape=True)
    query = (
        sa.select(*_request_columns(), EVENTS.c.step, EVENTS.c.at, EVENTS.c.action, EVENTS.c.detail)
        .join(INSTANCES, INSTANCES.c.id == EVENTS.c.instance_id)
        .where(EVENTS.c.action.in_(COPIES), mention)
        .order_by(EVENTS.c.at.desc(), EVENTS.c.id.desc())
    )
    session = runtime.session()
    try:
        found = [row for row in session.execute(query) if user in (row.detail or {}).get("recipients", ())]
        items = [
            {**_request_item(row, None, row.step, row.at), "reason": row.action}
            for row in found[page * size : (page + 1) * size]
        ]
        return len(found), with_titles(runtime, session, items)
    finally:
        session.rollback()


BOX_READERS: dict[str, Callable[[Any, str, int, int], tuple[int, list]]] = {
    "todo": todo_box,
    "submitted": submitted_box,
    "cc": cc_box,
    "done": done_box,
}

"""The REST API of attachments: `/api/v1/records/<table>/<id>/attachments` for every entity, JWT only.

One API serves every entity, so rights are the entity's own and checked per
request: `can_get` on the entity's API (e.g. CrmAccountApi) to list and
download, `can_put` to upload, replace and delete. The record is looked up
through that API's datamodel with its base filters, so record rules apply
and a record outside them is 404, like one that does not exist.

Uploads into a file or image field stay on the entity's own API (`POST /api/v1/<table>/<id>/file/<field>`,
`can_put`): RecordFileFieldApi is mixed into every entity's REST API, and saves through the record lifecycle.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from flask import current_app, request
from flask_appbuilder import AppBuilder
from flask_appbuilder.api import BaseApi, expose, protect, safe
from flask_appbuilder.security.decorators import permission_name
from flask_jwt_extended import verify_jwt_in_request
from werkzeug.wrappers import Response

from ..adapters.fab import base_filters
from ..compile.actors import request_actor
from ..compile.apis import EntityRestApi
from ..compile.lifecycle import (
    FIELD_NOT_YOURS,
    RecordConflict,
    RecordRejected,
    RecordWrite,
    save_record,
    validate_hook_errors,
)
from ..fields import field_type, kind_of
from ..rights import hidden_fields, unchangeable_fields, without_hidden
from ..tenancy.file_store import store_for
from .attachments import Attachment, attach, attachment, attachments_of, detach
from .lifecycle import save_upload
from .limits import UploadRefused, checked_uploads, platform_limits
from .locks import attachments_locked
from .serve import send_stored
from .versions import field_version, field_versions

PART = "file"
SEND_A_FILE = "Send the file as the multipart part `file`."
ONE_FILE = "Send one file to replace an attachment with."


def on_record(right: str) -> Callable[[Callable[..., Response]], Callable[..., Response]]:
    """The route runs for a JWT user with `can_<right>` on the entity's API, given the record they may see."""

    def decorate(method: Callable[..., Response]) -> Callable[..., Response]:
        @functools.wraps(method)
        def checked(self: RecordFilesApi, table: str, pk: int, **kwargs: Any) -> Response:
            verify_jwt_in_request()
            api = self.entity_api(table)
            if api is None:
                return self.response_404()
            if not self.appbuilder.sm.has_access(f"can_{right}", api.class_permission_name):
                return self.response_403()
            item = api.datamodel.get(pk, base_filters(api))
            if item is None:
                return self.response_404()
            if request.method == "POST":
                request.files  # noqa: B018 - an oversized body is refused here (413), not as a 500 inside @safe
            return method(self, api, item, **kwargs)

        return checked

    return decorate


class RecordFilesApi(BaseApi):
    resource_name = "records"
    allow_browser_login = False  # JWTs only, like the entity APIs: no CSRF surface
    openapi_spec_tag = "Attachments"

    def entity_api(self, table: str) -> EntityRestApi | None:
        return next(
            (
                view
                for view in self.appbuilder.baseviews
                if isinstance(view, EntityRestApi) and view.resource_name == table
            ),
            None,
        )

    @expose("/<table>/<int:pk>/attachments", methods=["GET"])
    @on_record("get")
    @safe
    def list_attachments(self, api: EntityRestApi, item: Any) -> Response:
        """A record's attachments
        ---
        get:
          parameters:
          - {in: path, name: table, required: true, schema: {type: string}}
          - {in: path, name: pk, required: true, schema: {type: integer}}
          responses:
            200: {description: "`result`: the attachments (id, name, version, size, content_type, uploaded_by, uploaded_at, versions)"}
            403: {$ref: '#/components/responses/403'}
            404: {$ref: '#/components/responses/404'}
        """
        found = attachments_of(api.datamodel.session, api.entity.qualified, item.id)
        return self.response(200, count=len(found), result=[a.as_data() for a in found])

    @expose("/<table>/<int:pk>/attachments", methods=["POST"])
    @on_record("put")
    @safe
    def add_attachments(self, api: EntityRestApi, item: Any) -> Response:
        """Attach files to a record (a file named like an attachment becomes its new version)
        ---
        post:
          description: multipart/form-data, one or more parts named `file`; checked like file fields
          parameters:
          - {in: path, name: table, required: true, schema: {type: string}}
          - {in: path, name: pk, required: true, schema: {type: integer}}
          responses:
            201: {description: "`result`: the attachments stored"}
            400: {$ref: '#/components/responses/400'}
            403: {$ref: '#/components/responses/403'}
            404: {$ref: '#/components/responses/404'}
        """
        return self._store(api, item, request.files.getlist(PART), None)

    @expose("/<table>/<int:pk>/attachments/<int:attachment_id>", methods=["POST"])
    @on_record("put")
    @safe
    def replace_attachment(self, api: EntityRestApi, item: Any, attachment_id: int) -> Response:
        """Replace an attachment's file: the current one becomes an earlier version
        ---
        post:
          description: multipart/form-data with one part named `file`
          parameters:
          - {in: path, name: table, required: true, schema: {type: string}}
          - {in: path, name: pk, required: true, schema: {type: integer}}
          - {in: path, name: attachment_id, required: true, schema: {type: integer}}
          responses:
            201: {description: "`result`: the attachment"}
            400: {$ref: '#/components/responses/400'}
            404: {$ref: '#/components/responses/404'}
        """
        if self._attachment(api, item, attachment_id) is None:
            return self.response_404()
        chosen = request.files.getlist(PART)
        if len(chosen) > 1:
            return self.response_400(message={PART: [ONE_FILE]})
        return self._store(api, item, chosen, attachment_id)

    @expose("/<table>/<int:pk>/attachments/<int:attachment_id>", methods=["DELETE"])
    @on_record("put")
    @safe
    def delete_attachment(self, api: EntityRestApi, item: Any, attachment_id: int) -> Response:
        """Delete an attachment and its versions
        ---
        delete:
          parameters:
          - {in: path, name: table, required: true, schema: {type: string}}
          - {in: path, name: pk, required: true, schema: {type: integer}}
          - {in: path, name: attachment_id, required: true, schema: {type: integer}}
          responses:
            200: {description: deleted}
            404: {$ref: '#/components/responses/404'}
        """
        found = self._attachment(api, item, attachment_id)
        if found is None:
            return self.response_404()
        locked = attachments_locked(
            current_app.extensions["formwork"],
            api.datamodel.session,
            api.entity.qualified,
            item.id,
            request_actor().username,
        )
        if locked:
            return self.response_400(message={PART: [locked]})
        current_app.extensions["formwork"].in_transaction(lambda session: detach(session, found))
        return self.response(200, message="OK")

    @expose("/<table>/<int:pk>/attachments/<int:attachment_id>/versions", methods=["GET"])
    @on_record("get")
    @safe
    def attachment_versions(self, api: EntityRestApi, item: Any, attachment_id: int) -> Response:
        """An attachment's files, the current one first
        ---
        get:
          parameters:
          - {in: path, name: table, required: true, schema: {type: string}}
          - {in: path, name: pk, required: true, schema: {type: integer}}
          - {in: path, name: attachment_id, required: true, schema: {type: integer}}
          responses:
            200: {description: "`result`: version, name, size, content_type, uploaded_by, uploaded_at, replaced_at"}
            404: {$ref: '#/components/responses/404'}
        """
        found = self._attachment(api, item, attachment_id)
        if found is None:
            return self.response_404()
        return self.response(200, result=[v.as_data() for v in (found.current, *found.earlier)])

    @expose("/<table>/<int:pk>/attachments/<int:attachment_id>/download", methods=["GET"])
    @on_record("get")
    def download_attachment(self, api: EntityRestApi, item: Any, attachment_id: int) -> Response:
        """An attachment's file (`?version=n` for an earlier one); images inline, other types as a download
        ---
        get:
          parameters:
          - {in: path, name: table, required: true, schema: {type: string}}
          - {in: path, name: pk, required: true, schema: {type: integer}}
          - {in: path, name: attachment_id, required: true, schema: {type: integer}}
          - {in: query, name: version, schema: {type: integer}}
          responses:
            200: {description: the file's bytes}
            404: {$ref: '#/components/responses/404'}
        """
        found = self._attachment(api, item, attachment_id)
        chosen = found.version(request.args.get("version", type=int)) if found is not None else None
        if chosen is None:
            return self.response_404()
        return send_stored(store_for(current_app), chosen.key, chosen.name, chosen.content_type)

    @expose("/<table>/<int:pk>/files/<field>/versions", methods=["GET"])
    @on_record("get")
    @safe
    def field_versions(self, api: EntityRestApi, item: Any, field: str) -> Response:
        """The earlier files of a file or image field, newest first
        ---
        get:
          parameters:
          - {in: path, name: table, required: true, schema: {type: string}}
          - {in: path, name: pk, required: true, schema: {type: integer}}
          - {in: path, name: field, required: true, schema: {type: string}}
          responses:
            200: {description: "`result`: version, name, size, content_type, uploaded_by, uploaded_at, replaced_at"}
            404: {$ref: '#/components/responses/404'}
        """
        if not self._file_field(api, field):
            return self.response_404()
        earlier = field_versions(api.datamodel.session, api.entity.qualified, item.id).get(field, [])
        return self.response(200, result=[v.as_data() for v in earlier])

    @expose("/<table>/<int:pk>/files/<field>/versions/<int:version>", methods=["GET"])
    @on_record("get")
    def download_field_version(self, api: EntityRestApi, item: Any, field: str, version: int) -> Response:
        """An earlier file of a file or image field
        ---
        get:
          parameters:
          - {in: path, name: table, required: true, schema: {type: string}}
          - {in: path, name: pk, required: true, schema: {type: integer}}
          - {in: path, name: field, required: true, schema: {type: string}}
          - {in: path, name: version, required: true, schema: {type: integer}}
          responses:
            200: {description: the file's bytes}
            404: {$ref: '#/components/responses/404'}
        """
        chosen = (
            field_version(api.datamodel.session, api.entity.qualified, item.id, field, version)
            if self._file_field(api, field)
            else None
        )
        if chosen is None:
            return self.response_404()
        return send_stored(store_for(current_app), chosen.key, chosen.name, chosen.content_type)

    @staticmethod
    def _file_field(api: EntityRestApi, field: str) -> bool:
        """A file or image field of the entity that the user may see."""
        definition = api.entity.field(field)
        return (
            definition is not None
            and kind_of(definition).holds_file
            and field not in hidden_fields(api.entity, request_actor())
        )

    def _attachment(self, api: EntityRestApi, item: Any, attachment_id: int) -> Attachment | None:
        return attachment(api.datamodel.session, api.entity.qualified, item.id, attachment_id)

    def _store(self, api: EntityRestApi, item: Any, chosen: list[Any], replacing: int | None) -> Response:
        """Check every file, then store them with one commit; 400 (nothing stored) when one is refused."""
        chosen = [upload for upload in chosen if upload and upload.filename]
        if not chosen:
            return self.response_400(message={PART: [SEND_A_FILE]})
        try:
            uploads = checked_uploads(chosen, platform_limits())
        except UploadRefused as refused:
            return self.response_400(message={PART: [str(refused)]})
        session, user = api.datamodel.session, request_actor().username
        locked = attachments_locked(current_app.extensions["formwork"], session, api.entity.qualified, item.id, user)
        if locked:
            return self.response_400(message={PART: [locked]})
        ids = current_app.extensions["formwork"].in_transaction(
            lambda s: [attach(s, api.entity.qualified, item.id, upload, user, replacing) for upload in uploads]
        )
        stored = {a.id: a for a in attachments_of(session, api.entity.qualified, item.id)}
        return self.response(201, result=[stored[i].as_data() for i in ids])


class RecordFileFieldApi:
    """The upload into a file or image field, a route of every entity's REST API (mixed into EntityRestApi through
    ENTITY_APIS, which provides entity, datamodel, the record's runtime and actor, and FAB's response helpers)."""

    @expose("/<int:pk>/file/<field>", methods=["POST"])
    @protect()
    @safe
    @permission_name("put")
    def upload(self, pk: int, field: str) -> Response:
        """Upload a file or image into a record's field
        ---
        post:
          description: multipart/form-data with one part named `file`; the same checks as the form
          parameters:
          - {in: path, name: pk, required: true, schema: {type: integer}}
          - {in: path, name: field, required: true, schema: {type: string}}
          responses:
            200: {description: the record with the stored file}
            400: {$ref: '#/components/responses/400'}
            404: {$ref: '#/components/responses/404'}
        """
        definition = self.entity.field(field)
        item = self.datamodel.get(pk, base_filters(self))
        if item is None or definition is None or not kind_of(definition).holds_file:
            return self.response_404()
        if field in unchangeable_fields(self.entity, self._actor()):
            return self.response_400(message={field: [FIELD_NOT_YOURS.localized()]})
        chosen = request.files.get("file")
        if chosen is None or not chosen.filename:
            return self.response_400(message={field: ["Send the file as the multipart part `file`."]})
        locked = validate_hook_errors(
            RecordWrite(
                self._runtime(), self.datamodel.session, self._actor(), self.entity, item, {field: None}, created=False
            )
        )
        if locked:  # refused before the bytes are stored (the approval lock is such a hook)
            return self.response_400(message=locked)
        kind = field_type(definition.type)
        try:
            checked = kind.check(definition, chosen.read(kind.max_size(definition) + 1), chosen.filename)
        except ValueError as refused:
            return self.response_400(message={field: [str(refused)]})
        session = self.datamodel.session
        try:  # the replaced file is kept as a version; the new bytes go again if this does not commit (files/lifecycle.py)
            stored = save_upload(session, checked, request_actor().username)
            save_record(self._runtime(), self._actor(), self.entity, item, {field: stored}, session=session)
            session.commit()
        except RecordRejected as rejected:
            session.rollback()
            return self.response_400(message=rejected.errors)
        except RecordConflict as conflict:
            session.rollback()
            return self.response(409, message=str(conflict))
        except BaseException:
            session.rollback()
            raise
        return self.response(
            200, id=item.id, result=without_hidden(self.entity, self.show_model_schema.dump(item), self._actor())
        )


def register_files_api(appbuilder: AppBuilder) -> None:
    """Add the attachments API to a tenant app (rights are the entities' own: it adds none)."""
    appbuilder.add_api(RecordFilesApi)

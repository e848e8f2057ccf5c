"""Files on the screens: the attachments panel of every show page, earlier files of file fields, and their routes,
with the download of a file or image field's file (`stored_file`, which the field's list and show values link to).

Mixed into every entity's ModelView (compile/views.build_view), so FAB checks
the entity's rights: `can_show` to see and download, `can_edit` to upload,
replace and delete. A record is found through the view's datamodel with its
base filters, so record rules apply; a record the user may not see is 404,
and a file is served only through the record that holds it (an attachment id
or version number of another record is 404 too). Every form posts its CSRF token.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask import abort, current_app, flash, redirect, request, url_for
from flask_appbuilder import expose, has_access, permission_name
from werkzeug.wrappers import Response

from ..adapters.fab import base_filters
from ..compile.actors import request_actor
from ..fields import kind_of
from ..rights import hidden_fields
from ..tenancy.file_store import store_for
from .attachments import (
    Attachment,
    FileVersion,
    attach,
    attachment,
    attachments_of,
    detach,
)
from .labels import DELETED, NO_FILE, ONE_FILE, REFUSED, TEXT, UPLOADED
from .limits import UploadRefused, checked_uploads, platform_limits
from .locks import attachments_locked
from .serve import send_stored
from .versions import field_version, field_versions


@dataclass
class FilesPanel:
    """What the show page's files panel shows."""

    record_id: int
    can_edit: bool
    attachments: list[Attachment]
    #: (field label, field name, earlier files) of the file fields that have any
    field_versions: list[tuple[Any, str, list[FileVersion]]] = dataclasses.field(default_factory=list)
    text: dict[str, Any] = dataclasses.field(default_factory=lambda: TEXT)
    accept: str = ""


class RecordFileScreens:
    """The files panel and routes of an entity's ModelView."""

    def files_panel(self, item: Any) -> FilesPanel:
        session, entity = self.datamodel.session, self.entity  # type: ignore[attr-defined]
        earlier = field_versions(session, entity.qualified, item.id)
        hidden = hidden_fields(entity, request_actor())
        fields = [
            (f.label, f.name, earlier[f.name])
            for f in entity.fields
            if kind_of(f).holds_file and f.name in earlier and f.name not in hidden
        ]
        return FilesPanel(
            item.id,
            self._may_edit(),
            attachments_of(session, entity.qualified, item.id),
            fields,
            accept=",".join(platform_limits().accepted),
        )

    def _may_edit(self) -> bool:
        return self.appbuilder.sm.has_access("can_edit", self.class_permission_name)  # type: ignore[attr-defined]

    def _visible(self, pk: int) -> Any:
        """The record, if this user may see it (the view's base filters, i.e. record rules, apply); else 404."""
        item = self.datamodel.get(pk, base_filters(self))  # type: ignore[attr-defined]
        if item is None:
            abort(404)
        return item

    def _locked(self, pk: int) -> bool:
        """Attachments are part of the record: while it is in approval they stay as they are (flashes why)."""
        locked = attachments_locked(
            current_app.extensions["formwork"],
            self.datamodel.session,
            self.entity.qualified,
            pk,  # type: ignore[attr-defined]
            request_actor().username,
        )
        if not locked:
            return False
        flash(locked, "danger")
        return True

    def _attachment(self, pk: int, attachment_id: int) -> Attachment:
        found = attachment(self.datamodel.session, self.entity.qualified, pk, attachment_id)  # type: ignore[attr-defined]
        if found is None:
            abort(404)
        return found

    @expose("/attachments/<int:pk>", methods=["POST"])
    @has_access
    @permission_name("edit")
    def attachment_upload(self, pk: int) -> Response:
        """Upload files to the record; a file named like an attachment (or sent to replace one) is its new version."""
        self._visible(pk)
        back = redirect(url_for(".show", pk=pk, _anchor="fw-files"))
        if self._locked(pk):
            return back
        chosen = [upload for upload in request.files.getlist("files") if upload and upload.filename]
        replacing = request.form.get("replace", type=int)
        if not chosen or (replacing is not None and len(chosen) > 1):
            flash(str(NO_FILE.localized() if not chosen else ONE_FILE.localized()), "danger")
            return back
        if replacing is not None:
            self._attachment(pk, replacing)
        try:
            uploads = checked_uploads(chosen, platform_limits())
        except UploadRefused as refused:
            flash(f"{REFUSED.localized()}: {refused}", "danger")
            return back
        user = request_actor().username
        current_app.extensions["formwork"].in_transaction(
            lambda session: [attach(session, self.entity.qualified, pk, upload, user, replacing) for upload in uploads]
        )  # type: ignore[attr-defined]
        flash(UPLOADED.localized(), "success")
        return back

    @expose("/attachments/<int:pk>/<int:attachment_id>/delete", methods=["POST"])
    @has_access
    @permission_name("edit")
    def attachment_delete(self, pk: int, attachment_id: int) -> Response:
        """Delete an attachment with its versions (the bytes go after the commit)."""
        self._visible(pk)
        found = self._attachment(pk, attachment_id)
        back = redirect(url_for(".show", pk=pk, _anchor="fw-files"))
        if self._locked(pk):
            return back
        current_app.extensions["formwork"].in_transaction(lambda session: detach(session, found))
        flash(DELETED.localized(), "success")
        return back

    @expose("/attachments/<int:pk>/<int:attachment_id>")
    @has_access
    @permission_name("show")
    def attachment_file(self, pk: int, attachment_id: int) -> Response:
        """An attachment's current file, or the earlier version `?version=n`, to users who may see the record."""
        self._visible(pk)
        chosen = self._attachment(pk, attachment_id).version(request.args.get("version", type=int))
        if chosen is None:
            abort(404)
        return send_stored(store_for(current_app), chosen.key, chosen.name, chosen.content_type)

    @expose("/file-version/<int:pk>/<field>/<int:version>")
    @has_access
    @permission_name("show")
    def field_file_version(self, pk: int, field: str, version: int) -> Response:
        """An earlier file of a file field, only through the record it belonged to (and not of a field hidden from the user)."""
        if field in hidden_fields(self.entity, request_actor()):  # type: ignore[attr-defined]
            abort(404)
        self._visible(pk)
        chosen = field_version(self.datamodel.session, self.entity.qualified, pk, field, version)  # type: ignore[attr-defined]
        if chosen is None:
            abort(404)
        return send_stored(store_for(current_app), chosen.key, chosen.name, chosen.content_type)

    @expose("/file/<field>/<key>")
    @has_access
    @permission_name("show")
    def stored_file(self, field: str, key: str) -> Response:
        """A stored file, to users who may see the record that holds it."""
        definition = self.entity.field(field)  # type: ignore[attr-defined]
        if definition is None or not kind_of(definition).holds_file or not key.isalnum():
            abort(404)
        if field in hidden_fields(self.entity, request_actor()):  # type: ignore[attr-defined]
            abort(404)
        datamodel = self.datamodel  # type: ignore[attr-defined]
        column = getattr(datamodel.obj, field)
        holder = datamodel.apply_filters(datamodel.session.query(datamodel.obj), None)
        holder = holder.filter(sa.cast(column, sa.Text).contains(key)).first()
        if holder is None or (getattr(holder, field) or {}).get("key") != key:
            abort(404)
        stored = getattr(holder, field)
        return send_stored(
            store_for(current_app), key, stored["name"], stored["content_type"]
        )  # images inline, nosniff

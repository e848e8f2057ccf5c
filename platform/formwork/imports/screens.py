"""The import screens of an entity: upload -> column mapping and preview -> dry-run result -> confirm.

A mixin of the entity's ModelView (compile/views.py), so every route is
checked as `can_import` on that view by FAB, and each row's create or update
as `can_add` / `can_edit`. The uploaded file is kept in the tenant's file
store under a random key that only this user's signed session knows, and is
read back by that key alone: a path or key sent by the browser is never used.
Kept files are also listed server-side (kept.py), so the ones of imports
nobody finished are deleted after an hour.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import closing
from datetime import datetime
from typing import Any

from flask import (
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    stream_with_context,
    url_for,
)
from flask_appbuilder import expose, has_access, permission_name
from markupsafe import escape
from werkzeug.datastructures import FileStorage

from ..compile.actors import request_actor
from ..compile.exports import named_download
from ..compile.models import utcnow
from ..fields import FIELD_TYPES
from ..rights import unchangeable_fields
from ..tenancy.file_store import store_for
from .importer import Importer, ImportRefused, Outcome
from .kept import forget, is_stale, keep
from .labels import TEXT
from .mapping import ID_COLUMN, ColumnMap, importable
from .reading import MAX_BYTES, Sheet, UnreadableFile, kind_of, read_sheet
from .service import columns_of, importer_for, template_for

SESSION_KEY = "formwork_imports"
SAMPLE_ROWS = 5
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CONTENT_TYPES = {"csv": "text/csv", "xlsx": XLSX}
PROGRESS_ROWS = 500  # a larger file's check or import streams a progress line every this many rows
PROGRESS_MARK = "<!--fw-import-progress-->"


class ImportScreens:
    """Mixin for EntityModelView (which provides entity, render_template, appbuilder and the route base)."""

    extra_args = {"fw_import_label": TEXT["import"]}  # the list page's button (FAB passes extra_args to every page)

    @expose("/import/", methods=["GET", "POST"])
    @has_access
    @permission_name("import")
    def import_upload(self) -> Any:
        """The upload form; a posted file is kept and its column mapping shown."""
        if request.method == "POST":
            chosen = request.files.get("file")
            if not isinstance(chosen, FileStorage) or not chosen.filename:
                flash(TEXT["no_file"].localized(), "warning")
            else:
                data = chosen.read(MAX_BYTES + 1)
                try:
                    read_sheet(chosen.filename, data)
                except UnreadableFile as unreadable:
                    flash(str(unreadable), "danger")
                else:
                    self._keep(chosen.filename, data)
                    return redirect(
                        url_for(f"{self.endpoint}.import_preview", match_on=request.form.get("match_on") or None)
                    )
        return self.render_template("formwork/imports/upload.html", **self._page(match_fields=self._match_fields()))

    @expose("/import/preview/", methods=["GET", "POST"])
    @has_access
    @permission_name("import")
    def import_preview(self) -> Any:
        """GET: the mapping of the kept file; POST: a dry run (or, with `apply`, the import) with that mapping."""
        sheet = self._kept_sheet()
        if sheet is None:
            flash(TEXT["expired"].localized(), "warning")
            return redirect(url_for(f"{self.endpoint}.import_upload"))
        mapping = (
            {h: request.form.get(f"column-{i}", "") for i, h in enumerate(sheet.headers)}
            if request.method == "POST"
            else None
        )
        columns = columns_of(self.entity, sheet, mapping)
        match_on = request.values.get("match_on") or None
        outcome = None
        if request.method == "POST":
            apply = "apply" in request.form
            user_may = self.appbuilder.sm.has_access
            name = self.__class__.__name__
            importer = importer_for(self.entity, user_may("can_add", name), user_may("can_edit", name))
            if len(sheet.rows) > PROGRESS_ROWS:
                return self._streamed(importer, sheet, columns, match_on, apply)
            try:
                outcome = importer.run(sheet, columns, match_on, apply)
            except ImportRefused as refused:
                flash(str(refused), "danger")
            if outcome is not None and outcome.applied:
                self._forget()
                flash(TEXT["done"].localized().format(created=outcome.created, updated=outcome.updated), "success")
                return redirect(url_for(f"{self.endpoint}.list"))
        return self.render_template("formwork/imports/preview.html", **self._preview(sheet, columns, match_on, outcome))

    def _preview(
        self,
        sheet: Sheet,
        columns: ColumnMap,
        match_on: str | None,
        outcome: Outcome | None,
        refused: str | None = None,
    ) -> dict[str, Any]:
        choices = [
            (f.name, f.label)
            for f in importable(self.entity)
            if f.name not in unchangeable_fields(self.entity, request_actor())
        ]
        return self._page(
            sheet=sheet,
            columns=columns.columns,
            notes=columns.notes,
            outcome=outcome,
            match_on=match_on,
            choices=[(ID_COLUMN, "ID"), *choices],
            sample=sheet.rows[:SAMPLE_ROWS],
            match_fields=self._match_fields(),
            refused=refused,
        )

    def _streamed(
        self, importer: Importer, sheet: Sheet, columns: ColumnMap, match_on: str | None, apply: bool
    ) -> Response:
        """A large file's check or import as a page written while it runs: the layout, a line every
        PROGRESS_ROWS rows, then the result and the form. Still one transaction (Importer.steps), inside this
        request's contexts (stream_with_context). The headers, and so the session cookie, are sent first: nothing
        here flashes or changes the session, and a successful import deletes the kept file from the store (the
        session's stale entry then finds nothing)."""
        head, tail = self.render_template("formwork/imports/progress.html", **self._page()).split(PROGRESS_MARK, 1)
        total = len(sheet.rows)

        def page() -> Iterator[str]:
            yield head
            outcome, refused = Outcome(notes=list(columns.notes)), None
            try:
                with closing(
                    importer.steps(sheet, columns, match_on, apply, outcome)
                ) as steps:  # a browser gone: rollback
                    for done in steps:
                        if done % PROGRESS_ROWS == 0 or done == total:
                            text = escape(TEXT["checked"].localized().format(done=done, total=total))
                            yield f'<p class="fw-import-step"><progress value="{done}" max="{total}"></progress> {text}</p>\n'
            except ImportRefused as error:
                outcome, refused = None, str(error)
            yield "</div>\n"
            if outcome is not None and outcome.applied:
                found = session.get(SESSION_KEY, {}).get(self.entity.table)
                if found:
                    forget(current_app.extensions["formwork"], store_for(current_app), found["key"])
            yield render_template(
                "formwork/imports/_preview_body.html", **self._preview(sheet, columns, match_on, outcome, refused)
            )
            yield tail

        headers = {
            "X-Accel-Buffering": "no",
            "Cache-Control": "no-store",
        }  # no proxy buffering: each line shows when written
        return Response(stream_with_context(page()), mimetype="text/html", headers=headers)

    @expose("/import/template")
    @has_access
    @permission_name("import")
    def import_template(self) -> Response:
        headers = {"Content-Disposition": named_download(self.entity.plural, "template", "xlsx")}
        return Response(template_for(self.entity), mimetype=XLSX, headers=headers)

    # -- the kept file ---------------------------------------------------------
    def _keep(self, filename: str, data: bytes) -> None:
        keep_upload(self.entity.table, filename, data)

    def _kept_sheet(self) -> Sheet | None:
        """The kept file's sheet; None when there is none, it is another user's, or it is old enough to be swept."""
        found = kept_upload(self.entity.table)
        try:
            return None if found is None else read_sheet(*found)
        except UnreadableFile:
            return None

    def _forget(self) -> None:
        forget_upload(self.entity.table)

    # -- page parts --------------------------------------------------------------
    def _page(self, **values: Any) -> dict[str, Any]:
        title = TEXT["title"].localized().format(entity=self.entity.plural.localized())
        return {"T": TEXT, "title": escape(title), "endpoint": self.endpoint, **values}

    def _match_fields(self) -> list[tuple[str, Any]]:
        unique = [
            (f.name, f.label)
            for f in self.entity.fields
            if f.unique and not (FIELD_TYPES[f.type].refers_to_record or FIELD_TYPES[f.type].refers_to_many)
        ]
        return [(ID_COLUMN, "ID"), *unique]


def keep_upload(table: str, filename: str, data: bytes) -> None:
    """Store the upload under a random key, remembered in this user's session for the import into `table` only (the
    import screens, or the Studio's new entity made from the file, keep it so)."""
    forget_upload(table)
    now = utcnow()
    key = keep(
        current_app.extensions["formwork"],
        store_for(current_app),
        data,
        filename,
        CONTENT_TYPES[kind_of(filename, data)],
        _user_id(),
        now,
    )
    kept = dict(session.get(SESSION_KEY, {}))
    kept[table] = {"key": key, "name": filename, "user": _user_id(), "saved": now.isoformat()}
    session[SESSION_KEY] = kept


def kept_upload(table: str) -> tuple[str, bytes] | None:
    """The name and content of the file kept for the import into `table`; None when there is none, it is another
    user's, or it is old enough to be swept."""
    found = session.get(SESSION_KEY, {}).get(table)
    if not found or found.get("user") != _user_id() or _stale(found):
        return None
    try:
        with store_for(current_app).open(found["key"]) as stored:
            return found["name"], stored.read()
    except FileNotFoundError:
        return None


def forget_upload(table: str) -> None:
    kept = dict(session.get(SESSION_KEY, {}))
    found = kept.pop(table, None)
    if found:
        forget(current_app.extensions["formwork"], store_for(current_app), found["key"])
        session[SESSION_KEY] = kept


def _user_id() -> int:
    """The signed-in user's id (has_access lets no anonymous visitor this far: 401 guards a misconfigured route)."""
    user_id = request_actor().user_id
    if user_id is None:
        abort(401)
    return user_id


def _stale(found: dict[str, Any]) -> bool:
    """A session entry without a time is from before files were listed: treated as stale too."""
    try:
        return is_stale(datetime.fromisoformat(found["saved"]), utcnow())
    except (KeyError, TypeError, ValueError):
        return True

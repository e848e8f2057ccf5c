"""The Studio's versions (/studio/versions/): every revision of the tenant's customizations with who, when and why;
any two compared overlay by overlay; an earlier one restored after its plan is shown; the customizations downloaded
as YAML.

Restoring is `formwork tenant customization-restore`'s code (tenancy/customize.restore_revision): one new revision
whose overlays are those of then, so fields added since are retired, their columns and data kept.
"""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, request, url_for
from flask_appbuilder import BaseView, expose, has_access, permission_name
from flask_login import current_user
from werkzeug.wrappers import Response

from ..i18n import localized
from ..meta.errors import DefinitionsInvalid
from ..tenancy.errors import TenantError
from .labels import MENU_NAME, TEXT
from .publishing import (
    compare_revisions,
    exported_text,
    refusal_words,
    restore,
    restore_plan_words,
    tenant_revisions,
)


class StudioVersions(BaseView):
    """/studio/versions/: the revisions, their comparison, restoring one, and the export."""

    route_base = "/studio/versions"
    default_view = "versions"
    class_permission_name = MENU_NAME

    @expose("/")
    @has_access
    @permission_name("manage")
    def versions(self) -> Any:
        return self.render_template(
            "formwork/studio/versions.html", title=TEXT["versions"], T=TEXT, revisions=tenant_revisions()
        )

    def _known(self, *numbers: int) -> int:
        """The newest revision; 404 unless every one of `numbers` is a revision (0: before any customization)."""
        known = {r.number for r in tenant_revisions()}
        if any(n != 0 and n not in known for n in numbers):
            abort(404)
        return max(known, default=0)

    @expose("/compare")
    @has_access
    @permission_name("manage")
    def compare(self) -> Any:
        older, newer = request.args.get("older", type=int), request.args.get("newer", type=int)
        if older is None or newer is None:
            abort(400)
        self._known(older, newer)
        older, newer = min(older, newer), max(older, newer)
        return self.render_template(
            "formwork/studio/compare.html",
            title=TEXT["compare_title"].localized().format(older=older, newer=newer),
            T=TEXT,
            older=older,
            newer=newer,
            differences=compare_revisions(older, newer),
        )

    @expose("/<int:number>/restore", methods=["GET"])
    @has_access
    @permission_name("manage")
    def restore_plan(self, number: int) -> Any:
        """What restoring revision `number` does, in words, before the admin confirms."""
        latest = self._known(number)
        changes, refusals = restore_plan_words(number)
        return self.render_template(
            "formwork/studio/restore.html",
            title=TEXT["restore_title"].localized().format(number=number),
            T=TEXT,
            number=number,
            latest=latest,
            changes=changes,
            refusals=refusals,
            differences=compare_revisions(number, latest),
        )

    @expose("/<int:number>/restore", methods=["POST"])
    @has_access
    @permission_name("manage")
    def restore(self, number: int) -> Response:
        self._known(number)
        comment = request.form.get("comment", "").strip()
        try:
            changed = restore(number, current_user.username, comment)
        except (DefinitionsInvalid, TenantError) as refused:
            flash(f"{TEXT['not_restored'].localized()} {refusal_words(refused)}", "danger")
            return redirect(url_for(".restore_plan", number=number))
        flash(
            f"{TEXT['restored'].localized().format(number=number)} {'; '.join(localized(c) for c in changed)}",
            "success",
        )
        return redirect(url_for(".versions"))

    @expose("/export.yaml")
    @has_access
    @permission_name("manage")
    def export(self) -> Response:
        """The tenant's customizations as overlay documents (`formwork tenant customize` takes them back)."""
        return Response(
            exported_text(),
            mimetype="application/yaml",
            headers={"Content-Disposition": "attachment; filename=customizations.yaml"},
        )

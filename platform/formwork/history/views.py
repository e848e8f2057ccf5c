"""The timeline on every record's show page and its comment form.

`HistoryScreens` is mixed into every entity's ModelView (compile/views.build_view):
the show widget gets the timeline (templates/formwork/history/timeline.html, a
panel of formwork/show.html), and `POST /<table>/comment/<pk>` adds a comment. The route needs `can_show` on the entity and finds the record with
FAB's base filters (record rules), so whoever may see a record may comment on
it and anyone else gets 404. The form posts with the CSRF token; a refused
comment is flashed and nothing is stored.
"""

from __future__ import annotations

from typing import Any

from flask import abort, current_app, flash, jsonify, redirect, request, url_for
from flask_appbuilder import expose, has_access, permission_name
from werkzeug.wrappers import Response

from ..adapters.fab import base_filters
from ..compile.actors import request_actor
from .comments import CommentRefused, add_comment, people_named
from .hidden import hidden_fields
from .labels import TEXT
from .timeline import Timeline, read_timeline


class HistoryScreens:
    """Mixed into EntityModelView; `entity`, `catalog`, `datamodel` are the view's."""

    def history_timeline(self, item: Any) -> Timeline:
        runtime = current_app.extensions["formwork"]
        hidden = hidden_fields(self.catalog, self.entity, on_screen=True)  # type: ignore[attr-defined]
        return read_timeline(self.datamodel.session, runtime.catalog, self.entity, item, hidden)  # type: ignore[attr-defined]

    @expose("/comment/<int:pk>", methods=["POST"])
    @has_access
    @permission_name("show")
    def post_comment(self, pk: int) -> Response:
        """Add the posted comment to a record the user may see; flash what happened and go back to the record."""
        item = self.datamodel.get(pk, base_filters(self))  # type: ignore[attr-defined]
        user = request_actor()
        if item is None or not user.signed_in:
            abort(404)
        session = self.datamodel.session  # type: ignore[attr-defined]
        runtime = current_app.extensions["formwork"]
        try:
            add_comment(
                session,
                runtime.compiled,
                entity=self.entity.qualified,
                record_id=item.id,  # type: ignore[attr-defined]
                author=user.username,
                body=request.form.get("body", ""),
                record=str(item),
            )
            session.commit()
        except CommentRefused as refused:
            session.rollback()
            flash(f"{TEXT['refused'].localized()}: {' '.join(refused.messages)}", "danger")
        else:
            flash(TEXT["saved"].localized(), "success")
        return redirect(url_for(".show", pk=pk) + "#fw-timeline")

    @expose("/mention-people")
    @has_access
    @permission_name("show")
    def mention_people(self) -> Response:
        """Active user names starting with what the user typed after `@`, for the comment box's suggestions."""
        typed = request.args.get("q", "").strip()[:64]
        return jsonify(people=people_named(self.datamodel.session, typed))  # type: ignore[attr-defined]

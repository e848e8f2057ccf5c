"""The board screens: `/<table>/kanban/<pack>.<name>/` and its JSON endpoints, routes of the entity's ModelView.

Mixed into the ModelView of each entity that has a board (views/feature.py), so Flask-AppBuilder checks the
entity's own rights: the page needs `can_list` (as the entity's lists), a move `can_edit`, a quick-add `can_add`.
The endpoints take JSON with the CSRF token in the `X-CSRFToken` header (the app's CSRFProtect reads it there) and
answer JSON: 200/201 with the columns' new counts and sums, or the refusal's status (400 with the lifecycle's
message, 404, 409) and its message, which the page shows while the card goes back to its column.
"""

from __future__ import annotations

from typing import Any

from flask import abort, current_app, jsonify, render_template, request, url_for
from flask_appbuilder import expose, has_access, permission_name
from flask_appbuilder.security.decorators import has_access_api
from werkzeug.wrappers import Response

from ..compile.actors import request_actor
from .board import CARDS_PER_COLUMN, Board, BoardQuery, Column
from .checks import board_problems
from .definition import KanbanViewDef
from .labels import TEXT
from .moves import Refused, add_card, move_card

PAGE = "formwork/views/kanban.html"
CARD = "formwork/views/_card.html"


class KanbanScreens:
    """The board routes of an entity's ModelView (which provides entity, appbuilder, the route base and
    `class_permission_name`, the view FAB's rights are on)."""

    entity: Any
    appbuilder: Any
    class_permission_name: str
    render_template: Any  # FAB's BaseView method, on the class this is mixed into

    @expose("/kanban/<name>/")
    @has_access
    @permission_name("list")
    def kanban(self, name: str) -> Any:
        definition = self._definition(name)
        problems = board_problems(definition, _runtime().catalog)
        if problems:
            return self._page(definition, None, TEXT["board_failed"].localized().format(problem=problems[0][1]))
        query = self._query(definition)
        board = query.board(self._may("can_edit"), self._may("can_add"))
        return self._page(definition, board, None)

    @expose("/kanban/<name>/move", methods=["POST"])
    @has_access_api
    @permission_name("edit")
    def kanban_move(self, name: str) -> Response:
        """Body `{"id": …, "to": <column key>, "version": …}`: the card's record saved with the column's value."""
        query, body = self._query(self._definition(name)), _body()
        try:
            record = move_card(query, _runtime(), body.get("id"), body.get("to"), body.get("version"))
            column, version, record_id = (
                query.key_of(getattr(record, query.group_column.key)),
                record.version,
                record.id,
            )
            query.session.commit()
        except Refused as refused:
            return _refusal(refused)
        return jsonify(id=record_id, version=version, column=column, columns=_totals(query))

    @expose("/kanban/<name>/add", methods=["POST"])
    @has_access_api
    @permission_name("add")
    def kanban_add(self, name: str) -> Response:
        """Body `{"to": <column key>, "title": …}`: a new record in the column, answered with its card's HTML."""
        query, body = self._query(self._definition(name)), _body()
        try:
            record = add_card(query, _runtime(), body.get("to"), body.get("title"))
            query.session.commit()
        except Refused as refused:
            return _refusal(refused)
        card = query.card(record)
        board = Board(query.definition, query.columns(), query.card_fields, query.summed, movable=self._movable(query))
        html = render_template(CARD, card=card, board=board, T=TEXT, show_url=self._show_url)
        response = jsonify(id=card.id, column=card.column, card=html, columns=_totals(query))
        response.status_code = 201
        return response

    # -- helpers -------------------------------------------------------------------------------------------------
    def _definition(self, name: str) -> KanbanViewDef:
        found = _runtime().catalog.kanban_views.get(name)
        if found is None or found.entity != self.entity.qualified:
            abort(404)
        return found

    def _query(self, definition: KanbanViewDef) -> BoardQuery:
        runtime = _runtime()
        query = BoardQuery(definition, runtime.catalog, runtime.compiled, runtime.session(), request_actor())
        if definition.group_by in query.hidden:  # the columns would tell the hidden values
            abort(403)
        return query

    def _may(self, permission: str) -> bool:
        return bool(self.appbuilder.sm.has_access(permission, self.class_permission_name))

    def _movable(self, query: BoardQuery) -> bool:
        return query.allowed(self._may("can_edit"), False)[0]

    def _show_url(self, pk: int) -> str:
        return url_for(f"{self.__class__.__name__}.show", pk=pk)

    def _page(self, definition: KanbanViewDef, board: Board | None, problem: str | None) -> Any:
        view = self.__class__.__name__
        return self.render_template(
            PAGE,
            title=definition.label,
            definition=definition,
            board=board,
            problem=problem,
            T=TEXT,
            move_url=url_for(f"{view}.kanban_move", name=definition.qualified),
            add_url=url_for(f"{view}.kanban_add", name=definition.qualified),
            list_url=url_for(f"{view}.list"),
            show_url=self._show_url,
            cards_per_column=CARDS_PER_COLUMN,
        )


def _runtime() -> Any:
    return current_app.extensions["formwork"]


def _body() -> dict[str, Any]:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        abort(Response(jsonify(message=TEXT["send_json"].localized()).get_data(), 400, mimetype="application/json"))
    return body


def _refusal(refused: Refused) -> Response:
    response = jsonify(message=refused.message, errors=refused.errors)
    response.status_code = refused.status
    return response


def _totals(query: BoardQuery) -> list[dict[str, Any]]:
    """Every column's count and sum after the change (one grouped query, in a new transaction)."""
    columns: list[Column] = query.columns()
    query.fill_totals(columns)
    return [{"key": c.key, "count": c.count, "sum": c.sum} for c in columns]

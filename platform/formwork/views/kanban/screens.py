"""The board screens: `/<table>/kanban/<pack>.<name>/` and its JSON endpoints, routes of the entity's ModelView
(views/screens.py says which rights each needs). The endpoints answer JSON: 200/201 with the columns' new counts and
sums, or the refusal's status (400 with the lifecycle's message, 404, 409) and its message, which the page shows
while the card goes back to its column.
"""

from __future__ import annotations

from typing import Any

from flask import abort, jsonify, render_template, url_for
from flask_appbuilder import expose, has_access, permission_name
from flask_appbuilder.security.decorators import has_access_api
from werkzeug.wrappers import Response

from ..saving import Refused
from ..screens import ViewScreens, json_body, refusal, tenant_runtime
from .board import CARDS_PER_COLUMN, Board, BoardQuery, Column
from .checks import board_problems
from .definition import KanbanViewDef
from .labels import TEXT
from .moves import add_card, move_card

PAGE = "formwork/views/kanban.html"
CARD = "formwork/views/_card.html"


class KanbanScreens(ViewScreens):
    """The board routes of an entity's ModelView."""

    @expose("/kanban/<name>/")
    @has_access
    @permission_name("list")
    def kanban(self, name: str) -> Any:
        definition = self._definition(name)
        problems = board_problems(definition, tenant_runtime().catalog)
        if problems:
            return self._page(definition, None, TEXT["board_failed"].localized().format(problem=problems[0][1]))
        query = self._query(definition)
        board = query.board(self.may("can_edit"), self.may("can_add"))
        return self._page(definition, board, None)

    @expose("/kanban/<name>/move", methods=["POST"])
    @has_access_api
    @permission_name("edit")
    def kanban_move(self, name: str) -> Response:
        """Body `{"id": …, "to": <column key>, "version": …, "before": <card id or null>}`: the card's record saved
        with the column's value (and, on a ranked board, placed before card `before`; last without one). The answer
        carries the new versions of the cards the move saved, which a renumbered column has several of."""
        query, body = self._query(self._definition(name)), json_body()
        try:
            saved = move_card(
                query, tenant_runtime(), body.get("id"), body.get("to"), body.get("version"), body.get("before")
            )
            record = saved[0]
            column, version, record_id = (
                query.key_of(getattr(record, query.group_column.key)),
                record.version,
                record.id,
            )
            versions = {str(card.id): card.version for card in saved}
            query.session.commit()
        except Refused as refused:
            return refusal(refused)
        return jsonify(id=record_id, version=version, column=column, versions=versions, columns=_totals(query))

    @expose("/kanban/<name>/add", methods=["POST"])
    @has_access_api
    @permission_name("add")
    def kanban_add(self, name: str) -> Response:
        """Body `{"to": <column key>, "title": …}`: a new record in the column, answered with its card's HTML."""
        query, body = self._query(self._definition(name)), json_body()
        try:
            record = add_card(query, tenant_runtime(), body.get("to"), body.get("title"))
            query.session.commit()
        except Refused as refused:
            return refusal(refused)
        card = query.card(record)
        board = Board(query.definition, query.columns(), query.card_fields, query.summed, movable=self._movable(query))
        html = render_template(CARD, card=card, board=board, T=TEXT, show_url=self.show_url)
        response = jsonify(id=card.id, column=card.column, card=html, columns=_totals(query))
        response.status_code = 201
        return response

    # -- helpers -------------------------------------------------------------------------------------------------
    def _definition(self, name: str) -> KanbanViewDef:
        return self.view_definition("kanban_views", name)

    def _query(self, definition: KanbanViewDef) -> BoardQuery:
        query: BoardQuery = self.query_for(BoardQuery, definition)
        if definition.group_by in query.hidden:  # the columns would tell the hidden values
            abort(403)
        return query

    def _movable(self, query: BoardQuery) -> bool:
        return query.allowed(self.may("can_edit"), False)[0]

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
            show_url=self.show_url,
            cards_per_column=CARDS_PER_COLUMN,
        )


def _totals(query: BoardQuery) -> list[dict[str, Any]]:
    """Every column's count and sum after the change (one grouped query, in a new transaction)."""
    columns: list[Column] = query.columns()
    query.fill_totals(columns)
    return [{"key": c.key, "count": c.count, "sum": c.sum} for c in columns]

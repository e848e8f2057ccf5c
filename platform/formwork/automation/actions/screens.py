"""Actions on the screens: a button per action on a record's page, the small form (or confirmation) page, and the
list's actions on the selected records through Flask-AppBuilder's own list actions (check boxes, Actions menu).

Mixed into the ModelView of each entity with actions (compile/views.build_view), so FAB asks `can_edit`; a record
is found through the view's datamodel with its base filters, so another's record is 404. The page shows only the
actions the person may run on the record now; a POST checks again, runs in one transaction and goes back to the
record's page (or the list) with the action's success text, or the step's refusal, flashed. Every form posts its
CSRF token; nothing needs JavaScript (an action with a confirmation or inputs opens its page first).
"""

from __future__ import annotations

from typing import Any

from flask import abort, current_app, flash, has_request_context, redirect, request, url_for
from flask_appbuilder import expose, has_access, permission_name
from flask_appbuilder.actions import ActionItem
from marshmallow import ValidationError
from werkzeug.wrappers import Response

from ...adapters.fab import base_filters
from ...compile.actors import request_actor
from ...fields import kind_of
from ...languages import localize_messages
from ..prepared import PreparedAction
from ..running import AutomationFailed
from .access import ActionRefused, actions_of, applies, check_allowed, find_action, role_allows
from .inputs import MOST_RECORDS, input_schema, with_every_input
from .labels import TEXT
from .running import run_action, success_text

FORM_PAGE = "formwork/automation/action_form.html"
#: FAB's list actions are named apart from any route or other action
LIST_PREFIX = "fw_action_"


class ActionScreens:
    """The action buttons and routes of an entity's ModelView (which provides entity, datamodel, appbuilder,
    render_template and the route base)."""

    entity: Any
    datamodel: Any
    appbuilder: Any
    class_permission_name: str

    # -- the record page's buttons -------------------------------------------------
    def action_widgets(self, pk: int, item: Any) -> dict[str, Any]:
        """The show page's buttons: each action the person may run on the record now."""
        if item is None or not self._may_edit():
            return {}
        runtime, actor = current_app.extensions["formwork"], request_actor()
        buttons = [
            _button(action, url_for(".record_action", pk=pk, name=action.name))
            for action in actions_of(runtime.catalog, self.entity).values()
            if "record" in action.definition.places
            and role_allows(action, actor)
            and applies(runtime, self.datamodel.session, actor, action, item)
        ]
        return {"record_actions": buttons} if buttons else {}

    @expose("/actions/<int:pk>/<name>", methods=["GET", "POST"])
    @has_access
    @permission_name("edit")
    def record_action(self, pk: int, name: str) -> Any:
        """GET: the action's form (or confirmation); POST: run it on the record, back to the record's page."""
        back = url_for(".show", pk=pk)
        action = self._checked(name, "record")
        item = self.datamodel.get(pk, base_filters(self))
        if item is None:
            abort(404)
        return self._page_or_run(action, [item], back, [])

    @expose("/actions/selected/<name>", methods=["GET", "POST"])
    @has_access
    @permission_name("edit")
    def selected_action(self, name: str) -> Any:
        """GET: the list action's form for the records `ids` names; POST: run it on all of them, or on none."""
        back = url_for(".list")
        action = self._checked(name, "list")
        ids = list(dict.fromkeys(request.values.getlist("ids", type=int)))[:MOST_RECORDS]
        items = [self.datamodel.get(pk, base_filters(self)) for pk in ids]
        if not items:
            flash(TEXT["none_selected"].localized(), "warning")
            return redirect(back)
        if any(item is None for item in items):
            abort(404)
        return self._page_or_run(action, items, back, ids)

    def _checked(self, name: str, place: str) -> PreparedAction:
        try:
            action = find_action(current_app.extensions["formwork"].catalog, self.entity, name, place)
            check_allowed(action, request_actor(), may_edit=True)  # has_access checked can_edit
        except ActionRefused as refused:
            abort(refused.status, str(refused))
        return action

    def _page_or_run(self, action: PreparedAction, items: list[Any], back: str, ids: list[int]) -> Any:
        """GET (or inputs that did not load): the page; a POST that loads: run, then back where the person was."""
        errors: dict[str, Any] = {}
        if request.method == "POST":
            try:
                given = input_schema(action.definition)().load(_form_values(action))
            except ValidationError as invalid:
                errors = localize_messages(invalid.messages) if isinstance(invalid.messages, dict) else {}
            else:
                self._run(action, items, with_every_input(action.definition, given))
                return redirect(back)
        return self.render_template(  # type: ignore[attr-defined]
            FORM_PAGE,
            action=action.definition,
            items=items,
            ids=ids,
            values=request.form,
            errors=errors,
            back=back,
            T=TEXT,
            title=action.definition.label,
        )

    def _run(self, action: PreparedAction, items: list[Any], given: dict[str, Any]) -> None:
        """Run in one transaction; flash what it said, or why it did not."""
        session = self.datamodel.session
        try:
            messages = run_action(current_app.extensions["formwork"], session, request_actor(), action, items, given)
        except (ActionRefused, AutomationFailed) as refused:
            session.rollback()
            flash(str(refused), "danger")
            return
        except BaseException:
            session.rollback()
            raise
        session.commit()
        flash(success_text(action, None if len(items) == 1 else len(items)), "success")
        for message in messages:
            flash(message, "info")

    def _may_edit(self) -> bool:
        return bool(self.appbuilder.sm.has_access("can_edit", self.class_permission_name))

    # -- Flask-AppBuilder's list actions ------------------------------------------
    @property
    def actions(self) -> dict[str, ActionItem]:
        """FAB's actions of the view, with, in a request, the list actions the person may run (FAB's list shows them
        in its Actions menu, with check boxes, and posts the selection to its `action_post`)."""
        own: dict[str, ActionItem] = self.__dict__.setdefault("_fab_actions", {})
        if not has_request_context() or not self._may_edit():
            return own
        actor = request_actor()
        offered = {
            LIST_PREFIX + action.name: _list_item(self, action)
            for action in actions_of(current_app.extensions["formwork"].catalog, self.entity).values()
            if "list" in action.definition.places and role_allows(action, actor)
        }
        return {**own, **offered}

    @actions.setter
    def actions(self, value: dict[str, ActionItem]) -> None:
        self.__dict__["_fab_actions"] = value

    def get_action_permission_name(self, name: str) -> str:
        """A list action asks what its route asks, `can_edit` (FAB would ask a permission named after the action);
        one this person is not offered (unknown, for records only, not for their roles) asks a permission nobody
        has, so FAB refuses it instead of failing on a missing action."""
        if name.startswith(LIST_PREFIX):
            return "can_edit" if name in self.actions else "can_run_an_action_not_offered"
        return str(super().get_action_permission_name(name))  # type: ignore[misc]


def _button(action: PreparedAction, url: str) -> dict[str, Any]:
    """One button: a link to the action's page when it asks something first, else a form that runs it."""
    definition = action.definition
    return {
        "name": definition.name,
        "label": definition.label,
        "icon": definition.icon,
        "url": url,
        "direct": not definition.inputs and definition.confirm is None,
    }


def _list_item(view: ActionScreens, action: PreparedAction) -> ActionItem:
    """A FAB ActionItem running `action` on the selected records: with inputs, through its form page."""
    definition = action.definition

    def selected_action(items: Any) -> Response:
        ids = [item.id for item in (items if isinstance(items, list) else [items]) if item is not None]
        page = url_for(".selected_action", name=definition.name, ids=ids)
        if definition.inputs or not ids:
            return redirect(page)
        found = [view.datamodel.get(pk, base_filters(view)) for pk in ids]
        if any(item is None for item in found):
            abort(404)
        view._run(action, found, with_every_input(definition, {}))
        return redirect(url_for(".list"))

    return ActionItem(
        LIST_PREFIX + definition.name,
        definition.label,
        definition.confirm,
        definition.icon,
        True,
        False,
        selected_action,
    )


def _form_values(action: PreparedAction) -> dict[str, Any]:
    """The form's values as the inputs' schema reads them: empty fields left out, a check box true or false, a
    whole number as a number."""
    values: dict[str, Any] = {}
    for item in action.definition.inputs:
        given, kind = request.form.get(item.name, "").strip(), kind_of(item.as_field)
        if kind.holds_yes_no:
            values[item.name] = bool(given)
        elif given and kind.holds_number and given.lstrip("-").isdigit():
            values[item.name] = int(given)
        elif given:
            values[item.name] = given
    return values

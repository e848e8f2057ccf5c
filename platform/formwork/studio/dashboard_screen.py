"""The Studio's dashboards (/studio/dashboards/): the tenant's dashboards, the packs' and its own, and the editor of
one: its rows of cards, a card added by picking the records, the measure, the grouping and a filter, a card edited
in the same form and saved in its place, the cards moved, dragged or removed, its title and roles; then the plan,
Publish and Discard.

Each dashboard has a draft of its own, keyed `Dashboard <pack>.<name>`, holding the Dashboard overlay the CLI's
`formwork tenant customize` takes: with `pack:` it replaces that pack's dashboard of the same name, without it is
a dashboard of the tenant's own (`x.<name>`). Every save checks the draft as `formwork validate` would
(`checked_overlays`); any error is shown at its control with a 400 and nothing is stored. A card is named by its
place on the page as shown (`r0w1`), so a post about one card over a draft saved since the page was shown is refused
(409, the draft's `edits` the page posts) rather than applied to whichever card is there now. Like every Studio
route, each asks for `can_manage` on `Studio` (the tenant's admins only) and every post carries the CSRF token.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from typing import Any

import yaml
from flask import abort, flash, redirect, request, url_for
from flask_appbuilder import BaseView, expose, has_access, permission_name
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

from ..definitions.checks import TENANT_PACK
from ..i18n import Label
from ..meta.errors import DefinitionsInvalid
from ..meta.model import EntityDef, qualify
from ..tenancy.drafting import DRAFT_TEXT, draft_key
from .dashboard_form import (
    FILTER_PREFIX,
    NEW_ROW,
    Option,
    add_card,
    arranged,
    card_at,
    card_form,
    control_of,
    group_fields,
    kept_properties,
    located,
    moved,
    number_fields,
    place,
    posted_card,
    removed,
    replace_card,
)
from .dashboard_labels import CHARTS, KEPT_TYPES, MEASURES, TEXT, TYPES
from .draft_publish import discard_posted_draft, publish_posted_draft
from .drafts import draft_of, draft_state, drafted_entities
from .filter_row_labels import MATCHES
from .filter_row_labels import TEXT as FILTER_TEXT
from .filter_rows import FilterRows, field_options, operator_options, posted_rows
from .labels import MENU_NAME
from .labels import TEXT as STUDIO_TEXT
from .publishing import (
    checked_overlays,
    plan_words,
    save_shown_draft,
    served_catalog,
    shown_edits,
    tenant_session,
)

KIND = "Dashboard"
TARGET = re.compile(r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$")
NAME = re.compile(r"^[a-z][a-z0-9_]*$")


def dashboard_key(target: str) -> str:
    """The draft of dashboard `crm.sales` is `Dashboard crm.sales` (an entity's draft is keyed by the entity)."""
    return draft_key(KIND, target)


def overlay_document(definition: Any) -> dict[str, Any]:
    """A served dashboard as the overlay that replaces it: its document, naming its pack unless it is the tenant's."""
    data = {k: v for k, v in copy.deepcopy(definition.document.data).items() if k != "pack"}
    return data if definition.pack == TENANT_PACK else {"kind": KIND, "pack": definition.pack, **data}


@dataclass(frozen=True)
class Card:
    """One card as the editor shows it: its place, title and what it counts, in words."""

    place: str
    label: str
    words: str


def _cards(document: dict[str, Any], pack: str) -> list[list[Card]]:
    entities = served_catalog().entities
    rows = []
    for r, row in enumerate(document.get("rows", [])):
        cards = []
        for w, widget in enumerate(row.get("widgets", [])):
            entity = entities.get(qualify(str(widget.get("entity", "")), pack))
            plural = entity.plural.localized() if entity is not None else str(widget.get("entity", ""))
            label = Label(widget.get("label"), plural).localized()
            kind = {**TYPES, **KEPT_TYPES}.get(widget.get("type", ""))
            measure = MEASURES.get(widget.get("measure", "count"))
            words = [kind.localized() if kind else str(widget.get("type")), plural]
            words.append(f"{measure.localized() if measure else ''} {widget.get('field', '')}".strip())
            cards.append(Card(place(r, w), label, " · ".join(words)))
        rows.append(cards)
    return rows


def _changed_since_shown(target: str) -> bool:
    """Whether the dashboard's draft was saved, published or discarded since the posting page was shown (the `edits`
    it posts): the places it names may hold other cards now."""
    key = dashboard_key(target)
    state = draft_state(tenant_session(), key)
    return shown_edits(key) != (state.edits if state else 0)


class DashboardStudio(BaseView):
    """/studio/dashboards/: the tenant's dashboards, and the editor of one."""

    route_base = "/studio/dashboards"
    class_permission_name = MENU_NAME

    @expose("/")
    @has_access
    @permission_name("manage")
    def dashboards(self) -> Any:
        return self._list_page({})

    def _list_page(self, errors: dict[str, list[str]], name: str = "") -> Any:
        served = served_catalog()
        drafted = {key.split(" ", 1)[1] for key in drafted_entities(tenant_session()) if key.startswith(f"{KIND} ")}
        listed = [(d.qualified, d.label.localized(), d.pack) for d in served.dashboards.values()]
        listed += [(t, t.split(".")[1], t.split(".")[0]) for t in sorted(drafted - set(served.dashboards))]
        return self.render_template(
            "formwork/studio/dashboards.html",
            title=TEXT["dashboards"],
            T=TEXT,
            S=STUDIO_TEXT,
            dashboards=listed,
            drafted=drafted,
            tenant_pack=TENANT_PACK,
            errors=errors,
            name=name,
        )

    @expose("/new", methods=["POST"])
    @has_access
    @permission_name("manage")
    def new(self) -> Any:
        """A new dashboard of the tenant's own: its editor, where the first card added starts its draft."""
        name = request.form.get("name", "").strip()
        target = f"{TENANT_PACK}.{name}"
        if not NAME.match(name):
            return self._list_page({"name": [TEXT["bad_name"].localized()]}, name), 400
        if target in served_catalog().dashboards or draft_of(tenant_session(), dashboard_key(target)) is not None:
            return self._list_page({"name": [TEXT["taken"].localized().format(name=name)]}, name), 400
        return redirect(url_for(".editor", target=target))

    def _document(self, target: str) -> dict[str, Any]:
        """The dashboard's draft, else the served dashboard as an overlay, else (one of the tenant's own not yet
        saved) an empty one; 404 for a pack's dashboard that does not exist."""
        if not TARGET.match(target):
            abort(404)
        draft = draft_of(tenant_session(), dashboard_key(target))
        if draft is not None:
            return dict(yaml.safe_load(draft))
        found = served_catalog().dashboards.get(target)
        if found is not None:
            return overlay_document(found)
        if not target.startswith(f"{TENANT_PACK}."):
            abort(404)
        return {"kind": KIND, "name": target.split(".", 1)[1], "rows": []}

    @expose("/<target>/")
    @has_access
    @permission_name("manage")
    def editor(self, target: str) -> Any:
        return self._page(target, self._document(target), {})

    def _save(
        self, target: str, document: dict[str, Any], card: tuple[int, int] | None = None, editing: str | None = None
    ) -> Any:
        """Put `document` in the dashboard's draft if it passes `validate`'s checks, and go back to the editor; else
        the editor again (the card form as posted, editing the card at place `editing`) with each error at its
        control (400; the posted card's at `card`), or saying the draft changed meanwhile (409); nothing stored."""
        errors: dict[str, list[str]] = {}
        try:
            checked_overlays([document], dashboard_key(target))
        except DefinitionsInvalid as invalid:
            for error in invalid.errors:
                errors.setdefault(control_of(error.path, card), []).append(error.message)
        if errors:
            flash(TEXT["not_saved"].localized(), "danger")
            return self._page(target, self._document(target), errors, request.form, editing), 400
        if not save_shown_draft(dashboard_key(target), [document]):
            return self._changed(target, editing)
        flash(TEXT["saved"].localized(), "success")
        return redirect(url_for(".editor", target=target))

    def _changed(self, target: str, editing: str | None = None) -> Any:
        """The editor as the draft is now, saying it changed since the page was shown (409), the card form as posted."""
        errors = {"": [TEXT["draft_changed"].localized()]}
        return self._page(target, self._document(target), errors, request.form, editing), 409

    def _no_card(self, target: str) -> Any:
        """The editor saying the card asked for is not on the dashboard (a page older than a move or a removal)."""
        return self._page(target, self._document(target), {"": [TEXT["no_card"].localized()]}), 404

    @expose("/<target>/cards", methods=["POST"])
    @has_access
    @permission_name("manage")
    def add(self, target: str) -> Any:
        document = self._document(target)
        entity = served_catalog().entities.get(request.form.get("card.entity", ""))
        if entity is None:
            errors = {"card.entity": [TEXT["choose_one"].localized()]}
            return self._page(target, document, errors, request.form), 400
        added = add_card(document, posted_card(request.form, entity), request.form.get("card.row", NEW_ROW))
        return self._save(target, document, added)

    @expose("/<target>/cards/<place>/")
    @has_access
    @permission_name("manage")
    def edit_card(self, target: str, place: str) -> Any:
        """The card at `place` in the card form, filled with what it is now (`?entity=`: other records chosen for it)."""
        document = self._document(target)
        at = located(document, place)
        if at is None:
            return self._no_card(target)
        stored, pack = card_at(document, at), target.split(".")[0]
        chosen = request.args.get("entity") or qualify(str(stored.get("entity", "")), pack)
        records = served_catalog().entities.get(chosen)
        return self._page(target, document, {}, card_form(stored, pack, records) if records else None, place)

    @expose("/<target>/cards/<place>/", methods=["POST"])
    @has_access
    @permission_name("manage")
    def save_card(self, target: str, place: str) -> Any:
        """The posted card in place of the card at `place`, keeping what the form does not edit while it applies."""
        if _changed_since_shown(target):
            return self._changed(target, place)
        document = self._document(target)
        at = located(document, place)
        if at is None:
            return self._no_card(target)
        entity = served_catalog().entities.get(request.form.get("card.entity", ""))
        if entity is None:
            errors = {"card.entity": [TEXT["choose_one"].localized()]}
            return self._page(target, document, errors, request.form, place), 400
        card = posted_card(request.form, entity)
        kept = kept_properties(card_at(document, at), target.split(".")[0], entity, card["type"])
        replace_card(document, at, {**card, **kept})
        return self._save(target, document, at, place)

    @expose("/<target>/arrange", methods=["POST"])
    @has_access
    @permission_name("manage")
    def arrange(self, target: str) -> Any:
        """The cards as laid out on the page (dragged, or as shown), then the move or removal of the button pressed."""
        document = self._document(target)
        move, remove = request.form.get("move", ""), request.form.get("remove", "")
        laid_out = arranged(document, request.form)
        if not (
            laid_out
            and (not move or moved(document, *move.partition(":")[::2]))
            and (not remove or removed(document, remove))
        ):  # the page showed other cards than the draft now has
            return self._changed(target)
        return self._save(target, document)

    @expose("/<target>/settings", methods=["POST"])
    @has_access
    @permission_name("manage")
    def settings(self, target: str) -> Any:
        """The dashboard's title and the roles it is for (none ticked: everyone with the Dashboards right)."""
        document = self._document(target)
        label = {language: request.form.get(f"label_{language}", "").strip() for language in ("en", "zh")}
        label = {language: text for language, text in label.items() if text}
        roles = [role for role in request.form.getlist("roles") if role]
        for key, value in (("label", label), ("roles", roles)):
            if value:
                document[key] = value
            else:
                document.pop(key, None)
        return self._save(target, document)

    @expose("/<target>/publish", methods=["POST"])
    @has_access
    @permission_name("manage")
    def publish(self, target: str) -> Any:
        outcome = publish_posted_draft(dashboard_key(target))
        if outcome is None:
            abort(404)
        flash(outcome.message, outcome.category)
        if outcome.status == 409:
            return self._page(target, self._document(target), {}), 409
        return redirect(url_for(".editor", target=target))

    @expose("/<target>/discard", methods=["POST"])
    @has_access
    @permission_name("manage")
    def discard(self, target: str) -> Response:
        flash(discard_posted_draft(dashboard_key(target)), "success")
        return redirect(
            url_for(".editor", target=target) if target in served_catalog().dashboards else url_for(".dashboards")
        )

    def _page(
        self,
        target: str,
        document: dict[str, Any],
        errors: dict[str, list[str]],
        posted: MultiDict[str, str] | None = None,
        editing: str | None = None,
    ) -> Any:
        """The editor of `document`; the card form shows `posted` (a refused post, or the card edited) and edits the
        card at place `editing` if the document has one there, else adds a card."""
        key, session = dashboard_key(target), tenant_session()
        draft = draft_of(session, key)
        changes, refusals = plan_words(draft, key) if draft else ([], [])
        label = Label(document.get("label"), document.get("name", ""))
        rows = _cards(document, target.split(".")[0])
        edited = next((card for row in rows for card in row if card.place == editing), None)
        return self.render_template(
            "formwork/studio/dashboard_editor.html",
            title=TEXT["title"].localized().format(dashboard=label.localized()),
            T=TEXT,
            S=STUDIO_TEXT,
            D=DRAFT_TEXT,
            target=target,
            document=document,
            rows=rows,
            label_en=label.translations.get("en", "") if document.get("label") else "",
            label_zh=label.translations.get("zh", "") if document.get("label") else "",
            roles=[Option(r.name, f"{r.label.localized()} ({r.name})") for r in served_catalog().roles.values()],
            errors=errors,
            edits=shown_edits(key),
            draft=draft_state(session, key),
            changes=changes,
            refusals=refusals,
            **self._card_form(posted, document, target.split(".")[0], edited),
        )

    def _card_form(
        self, posted: MultiDict[str, str] | None, document: dict[str, Any], pack: str, edited: Card | None
    ) -> dict[str, Any]:
        """The card form, adding a card or editing the `edited` one: the records picked first (`?entity=`, or as
        posted), then their fields offered; an edited card's type offered even if the form adds none of it, and
        what is kept of it that the form does not show."""
        served = served_catalog()
        chosen = posted.get("card.entity", "") if posted is not None else request.args.get("entity", "")
        entity: EntityDef | None = served.entities.get(chosen)
        rows = posted_rows(posted, FILTER_PREFIX) if posted is not None else FilterRows()
        at = located(document, edited.place) if edited else None
        stored = card_at(document, at) if at else {}
        shown_type = posted.get("card.type", "") if posted is not None else ""
        return {
            "posted": posted or MultiDict(),
            "edited": edited,
            "kept": kept_properties(stored, pack, entity, shown_type) if stored else {},
            "TYPES": {**TYPES, **{t: words for t, words in KEPT_TYPES.items() if t == stored.get("type")}},
            "MEASURES": MEASURES,
            "CHARTS": CHARTS,
            "entities": [
                Option(e.qualified, f"{e.plural.localized()} ({e.qualified})") for e in served.entities.values()
            ],
            "entity": entity,
            "number_fields": number_fields(entity) if entity else [],
            "group_fields": group_fields(entity) if entity else [],
            "filter_prefix": FILTER_PREFIX,
            "filter_fields": field_options(entity, rows) if entity else [],
            "operators": operator_options(rows),
            "filter_rows": rows,
            "FILTER_TEXT": FILTER_TEXT,
            "MATCHES": MATCHES,
        }

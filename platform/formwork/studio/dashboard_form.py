"""The dashboard editor's form: a posted card as the Dashboard kind's widget, its filter from rows of field, operator
and value, the cards' arrangement as posted, and the control each check's error belongs at.

A card is posted under `card.*`: its type, measure, field, chart, group_by, width, label and the row it goes in;
its filter as rows under `card.filter` (studio/filter_rows.py: field, operator and value, joined by all or any).
A card edited is shown in the same form (`card_form`, what the form would post for it) and its post replaces it in
place; what the form does not edit (a list's columns, a chart over time, a filter the rows cannot show) is kept
while it still applies (`kept_properties`).
The arrangement is posted as `row.<i>` (the cards of row i, in order, each by its place `r0w1` when the page was
shown), so a page that moves cards by buttons and one that drags them post the same thing. The checks of `formwork validate` judge
everything posted; this module only shapes it, and says what cannot be read at all.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from werkzeug.datastructures import MultiDict

from ..fields import value_kind
from ..i18n import Label
from ..meta.model import EntityDef, qualify
from .filter_rows import filter_of, posted_rows, row_control, rows_of

#: the widget properties the add-card form posts, besides the filter and the label
CARD_KEYS = ("type", "measure", "field", "chart", "group_by")
#: the widget properties the card form edits; an edited card keeps the others (`kept_properties`)
EDITED_KEYS = (*CARD_KEYS, "entity", "label", "width", "filter")
#: the properties that name fields of the card's records, left out when another entity is chosen for it
FIELD_KEYS = ("field", "group_by")
FILTER_PREFIX = "card.filter"
GRID_COLUMNS = 12
PLACE = re.compile(r"^r(\d+)w(\d+)$")
NEW_ROW = "new"


@dataclass(frozen=True)
class Option:
    value: str
    label: str


def place(row: int, index: int) -> str:
    """A card's place on the page as shown: `r0w1` (row 0, card 1), the key the dashboard page gives it too."""
    return f"r{row}w{index}"


def number_fields(entity: EntityDef) -> list[Option]:
    return [Option(f.name, f"{f.label.localized()} ({f.name})") for f in entity.fields if value_kind(f).holds_number]


def group_fields(entity: EntityDef) -> list[Option]:
    return [Option(f.name, f"{f.label.localized()} ({f.name})") for f in entity.fields if value_kind(f).groupable]


def posted_card(form: MultiDict[str, str], entity: EntityDef) -> dict[str, Any]:
    """The widget the add-card form posts for `entity` (the checks judge it)."""
    card: dict[str, Any] = {"type": form.get("card.type", ""), "entity": entity.qualified}
    label = {language: form.get(f"card.label_{language}", "").strip() for language in ("en", "zh")}
    if any(label.values()):
        card["label"] = {language: text for language, text in label.items() if text}
    for key in CARD_KEYS[1:]:
        if form.get(f"card.{key}"):
            card[key] = form[f"card.{key}"]
    if card.get("measure") == "count":
        del card["measure"]
    width = form.get("card.width", "").strip()
    if width:
        card["width"] = int(width) if width.isdigit() else width
    found = filter_of(posted_rows(form, FILTER_PREFIX), entity)
    if found is not None:
        card["filter"] = found
    return card


def add_card(document: dict[str, Any], card: dict[str, Any], row: str) -> tuple[int, int]:
    """Put `card` at the end of row `row` (an index, or `new` for a row of its own below); its place."""
    rows = document.setdefault("rows", [])
    if row.isdigit() and int(row) < len(rows):
        widgets = rows[int(row)]["widgets"]
        widgets.append(card)
        return int(row), len(widgets) - 1
    rows.append({"widgets": [card]})
    return len(rows) - 1, 0


def located(document: dict[str, Any], token: str) -> tuple[int, int] | None:
    """The (row, index) of the card at place `token` (`r0w1`), None when the document has no card there."""
    match = PLACE.match(token)
    rows = document.get("rows", [])
    if match is None or int(match.group(1)) >= len(rows):
        return None
    r, w = int(match.group(1)), int(match.group(2))
    return (r, w) if w < len(rows[r]["widgets"]) else None


def card_at(document: dict[str, Any], at: tuple[int, int]) -> dict[str, Any]:
    return dict(document["rows"][at[0]]["widgets"][at[1]])


def replace_card(document: dict[str, Any], at: tuple[int, int], card: dict[str, Any]) -> None:
    document["rows"][at[0]]["widgets"][at[1]] = card


def card_form(card: dict[str, Any], pack: str, records: EntityDef) -> MultiDict[str, str]:
    """The card as the card form posts it, to show it for editing, for `records`: the card's own entity, or another
    chosen for it (then without the card's fields and filter, which name the other entity's fields)."""
    label = Label(card.get("label")).translations if card.get("label") else {}
    form = MultiDict(
        {
            "card.entity": records.qualified,
            "card.type": str(card.get("type", "")),
            "card.measure": str(card.get("measure", "count")),
            "card.chart": str(card.get("chart", "")),
            "card.width": str(card.get("width", "")),
            **{f"card.label_{language}": label.get(language, "") for language in ("en", "zh")},
        }
    )
    if records.qualified != qualify(str(card.get("entity", "")), pack):
        return form
    for key in FIELD_KEYS:
        form[f"card.{key}"] = str(card.get(key, ""))
    rows = rows_of(card.get("filter"), records)
    if rows.fits:
        form[f"{FILTER_PREFIX}.match"] = rows.match
        for i, row in enumerate(rows.rows):
            for part in ("field", "op", "value"):
                form[f"{FILTER_PREFIX}.{i}.{part}"] = getattr(row, part)
    return form


def kept_properties(stored: dict[str, Any], pack: str, records: EntityDef | None, card_type: str) -> dict[str, Any]:
    """What the card form does not edit, kept from the `stored` card when it is saved for `records` as a `card_type`
    card: a filter the rows cannot show while the records stay the same; a list's columns, sort and limit, a chart's
    time axis or a number's link while the type stays the same too (they would not apply to another)."""
    if records is None or records.qualified != qualify(str(stored.get("entity", "")), pack):
        return {}
    same_type = card_type == stored.get("type")
    kept = {key: value for key, value in stored.items() if key not in EDITED_KEYS} if same_type else {}
    if "filter" in stored and not rows_of(stored["filter"], records).fits:
        kept["filter"] = stored["filter"]
    return kept


def arranged(document: dict[str, Any], form: MultiDict[str, str]) -> bool:
    """Lay the cards out as posted (`row.<i>`: places in order); False, changing nothing, unless every card is
    posted exactly once. Emptied rows go."""
    cards = {
        place(r, w): widget for r, row in enumerate(document.get("rows", [])) for w, widget in enumerate(row["widgets"])
    }
    indexes = sorted({int(key[4:]) for key in form if re.fullmatch(r"row\.\d+", key)})
    layout = [[token for token in form.getlist(f"row.{i}") if token] for i in indexes]
    posted = [token for row in layout for token in row]
    if sorted(posted) != sorted(cards) or len(set(posted)) != len(posted):
        return False
    document["rows"] = [
        {**_row_keys(document, row), "widgets": [cards[token] for token in row]} for row in layout if row
    ]
    return True


def _row_keys(document: dict[str, Any], tokens: list[str]) -> dict[str, Any]:
    """What a row holds besides its widgets (nothing the schema knows yet), kept from the row its first card was in."""
    match = PLACE.match(tokens[0])
    assert match is not None  # `arranged` took only the places of cards
    return {k: v for k, v in document["rows"][int(match.group(1))].items() if k != "widgets"}


def moved(document: dict[str, Any], token: str, direction: str) -> bool:
    """Move the card at `token` left or right in its row, or up or down to the end of the row above or below (below
    the last row: a row of its own); False when there is no such card or move."""
    found = located(document, token)
    if found is None:
        return False
    (r, w), rows = found, document["rows"]
    widgets = rows[r]["widgets"]
    if direction in ("left", "right"):
        other = w - 1 if direction == "left" else w + 1
        if not 0 <= other < len(widgets):
            return False
        widgets[w], widgets[other] = widgets[other], widgets[w]
        return True
    if direction not in ("up", "down") or (direction == "up" and r == 0):
        return False
    card = widgets.pop(w)
    if direction == "down" and r == len(rows) - 1:
        rows.append({"widgets": []})
    rows[r - 1 if direction == "up" else r + 1]["widgets"].append(card)
    document["rows"] = [row for row in rows if row["widgets"]]
    return True


def removed(document: dict[str, Any], token: str) -> bool:
    found = located(document, token)
    if found is None:
        return False
    document["rows"][found[0]]["widgets"].pop(found[1])
    document["rows"] = [row for row in document["rows"] if row["widgets"]]
    return True


def control_of(path: str, added: tuple[int, int] | None = None) -> str:
    """The control a check's error at `path` belongs at: one of the card form's for the card added or edited at
    `added` (`card.field`, `card.filter.0.value`), a row's (`row.1`: a card in it or its widths), the title's or the
    roles'; '' (above the page) for the rest."""
    if added is not None:
        card = f"rows[{added[0]}].widgets[{added[1]}]"
        if path == card or path.startswith((f"{card}.", f"{card}[")):
            return _card_control(path[len(card) :].lstrip("."))
        if path == f"rows[{added[0]}].widgets":
            return "card.width"
    found = re.match(r"rows\[(\d+)\]", path)
    if found:
        return f"row.{found.group(1)}"
    key = path.split(".")[0].split("[")[0]
    return {"label": "label_en", "roles": "roles"}.get(key, "")


def _card_control(inside: str) -> str:
    """`field` → card.field; `filter[0].value`, `filter.any[0].value` → card.filter.0.value; `label.en` →
    card.label_en; the card as a whole (a chart without group_by) → card.group_by."""
    if inside.startswith("filter.") or inside.startswith("filter["):
        return row_control(inside[len("filter") :], FILTER_PREFIX)
    key = inside.split(".")[0].split("[")[0]
    if key == "label":
        return "card.label_en"
    if key == "over_time":
        return "card.group_by"
    return f"card.{key}" if key in (*CARD_KEYS, "entity", "width", "filter") else "card.group_by"

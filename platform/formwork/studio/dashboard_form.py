"""The dashboard editor's form: a posted card as the Dashboard kind's widget, its filter from rows of field, operator
and value, the cards' arrangement as posted, and the control each check's error belongs at.

A card is posted under `card.*`: its type, measure, field, chart, group_by, width, label and the row it goes in;
its filter as rows under `card.filter` (studio/filter_rows.py: field, operator and value, joined by all or any).
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
from ..meta.model import EntityDef
from .filter_rows import filter_of, posted_rows, row_control

#: the widget properties the add-card form posts, besides the filter and the label
CARD_KEYS = ("type", "measure", "field", "chart", "group_by")
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
    match = PLACE.match(token)
    rows = document.get("rows", [])
    if (
        match is None
        or int(match.group(1)) >= len(rows)
        or int(match.group(2)) >= len(rows[int(match.group(1))]["widgets"])
    ):
        return False
    r, w = int(match.group(1)), int(match.group(2))
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
    match = PLACE.match(token)
    rows = document.get("rows", [])
    if match is None or int(match.group(1)) >= len(rows):
        return False
    widgets = rows[int(match.group(1))]["widgets"]
    if int(match.group(2)) >= len(widgets):
        return False
    widgets.pop(int(match.group(2)))
    document["rows"] = [row for row in rows if row["widgets"]]
    return True


def control_of(path: str, added: tuple[int, int] | None = None) -> str:
    """The control a check's error at `path` belongs at: the added card's (`card.field`, `card.filter.0.value`), a
    row's (`row.1`: a card in it or its widths), the title's or the roles'; '' (above the page) for the rest."""
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

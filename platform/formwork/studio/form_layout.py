"""A form's layout as the form designer edits it: tabs, sections (label, columns, tab) and the fields of each.

A Form document has no list of tabs: sections carrying the same `tab` label are shown together on one tab, after
the sections with none (templates/formwork/form.html). The designer gives each tab and section a key so that the
page can name them in a post, and writes the document back in the order the form shows it: the sections without a
tab first, then each tab's.

The whole layout travels in every post of the designer page (`tab`, `section` and `field` in page order, with each
key's labels, tab and columns), so that moving a field, adding a section or a tab work as plain forms without
JavaScript: the page is shown again with the change, and nothing is stored until it is saved (studio/form_designer.py).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from werkzeug.datastructures import MultiDict

from ..i18n import CatalogText

NEW_TAB = CatalogText("New tab")
#: the section keys of a Form document the designer leaves as they are
KEPT_SECTION_KEYS = ("description",)
NO_TAB = ""
MAX_COLUMNS = 4
EMPTY_SECTION = CatalogText("A section needs at least one field: drag one in, or remove the section.")


@dataclass
class Tab:
    key: str
    label: dict[str, str]  # {"en": …, "zh": …}


@dataclass
class Section:
    key: str
    label: dict[str, str]
    tab: str = NO_TAB  # the key of its tab
    columns: int = 1
    fields: list[str] = field(default_factory=list)
    kept: dict[str, Any] = field(default_factory=dict)  # KEPT_SECTION_KEYS of the document


@dataclass
class Layout:
    """One form of an entity: `kept` holds the document's other keys (its name, its roles)."""

    entity: str
    tabs: list[Tab]
    sections: list[Section]
    kept: dict[str, Any] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return str(self.kept.get("name", "default"))

    @property
    def placed(self) -> list[str]:
        return [name for section in self.sections for name in section.fields]

    def section(self, key: str) -> Section | None:
        return next((section for section in self.sections if section.key == key), None)

    def section_of(self, name: str) -> Section | None:
        return next((section for section in self.sections if name in section.fields), None)

    def ordered_sections(self) -> list[Section]:
        """As the form shows them: those on no tab, then each tab's (a section naming no known tab has none)."""
        keys = [tab.key for tab in self.tabs]
        return sorted(self.sections, key=lambda s: keys.index(s.tab) + 1 if s.tab in keys else 0)

    def sections_of(self, tab: str) -> list[Section]:
        known = {t.key for t in self.tabs}
        return [s for s in self.sections if (s.tab if s.tab in known else NO_TAB) == tab]


def _label(value: Any) -> dict[str, str]:
    if isinstance(value, dict):
        return {"en": str(value.get("en", "")), "zh": str(value.get("zh", ""))}
    return {"en": str(value or ""), "zh": ""}


def _written_label(label: dict[str, str]) -> str | dict[str, str] | None:
    """A label as YAML writes it: a plain string when it has no Chinese, none when it is empty."""
    english, chinese = label.get("en", "").strip(), label.get("zh", "").strip()
    if chinese:
        return {"en": english or chinese, "zh": chinese}
    return english or None


# -- from and to a Form document -------------------------------------------------
def layout_of(document: dict[str, Any]) -> Layout:
    tabs: list[Tab] = []
    sections = []
    for i, data in enumerate(document.get("sections", [])):
        tab_key = NO_TAB
        if data.get("tab"):
            label = _label(data["tab"])
            found = next((t for t in tabs if t.label == label), None)
            if found is None:
                found = Tab(f"t{len(tabs)}", label)
                tabs.append(found)
            tab_key = found.key
        sections.append(
            Section(
                key=f"s{i}",
                label=_label(data.get("label")),
                tab=tab_key,
                columns=int(data.get("columns", 1)),
                fields=list(data.get("fields", [])),
                kept={k: copy.deepcopy(data[k]) for k in KEPT_SECTION_KEYS if k in data},
            )
        )
    kept = {k: copy.deepcopy(v) for k, v in document.items() if k not in ("kind", "entity", "sections")}
    return Layout(str(document["entity"]), tabs, sections, kept)


def form_document(layout: Layout) -> dict[str, Any]:
    """The Form overlay of `layout`, its sections in the order the form shows them."""
    labels = {tab.key: _written_label(tab.label) for tab in layout.tabs}
    sections = []
    for section in layout.ordered_sections():
        data: dict[str, Any] = {}
        label = _written_label(section.label)
        if label:
            data["label"] = label
        data.update(copy.deepcopy(section.kept))
        if labels.get(section.tab):
            data["tab"] = labels[section.tab]
        if section.columns != 1:
            data["columns"] = section.columns
        data["fields"] = list(section.fields)
        sections.append(data)
    return {"kind": "Form", "entity": layout.entity, **copy.deepcopy(layout.kept), "sections": sections}


def empty_sections(layout: Layout) -> list[str]:
    """The keys of the sections without fields (a Form section names at least one)."""
    return [section.key for section in layout.sections if not section.fields]


# -- from and to a post ----------------------------------------------------------
def posted_layout(form: MultiDict[str, str], original: Layout) -> Layout:
    """The layout a designer page posted. What the page does not post (the form's name and roles, a section's
    description) comes from `original`, the layout the page started from: its sections keep their keys, and the
    ones added on the page get keys of their own (`sn…`)."""
    tabs = [Tab(key, _posted_label(form, f"tab.{key}")) for key in form.getlist("tab")]
    sections = {
        key: Section(
            key=key,
            label=_posted_label(form, f"section.{key}"),
            tab=form.get(f"section.{key}.tab", NO_TAB),
            columns=_columns(form.get(f"section.{key}.columns", "1")),
            kept=copy.deepcopy(found.kept) if (found := original.section(key)) else {},
        )
        for key in form.getlist("section")
    }
    for placed in form.getlist("field"):
        key, _, name = placed.partition(":")
        if key in sections and name and all(name not in s.fields for s in sections.values()):
            sections[key].fields.append(name)
    return Layout(original.entity, tabs, list(sections.values()), copy.deepcopy(original.kept))


def _posted_label(form: MultiDict[str, str], prefix: str) -> dict[str, str]:
    return {"en": form.get(f"{prefix}.en", "").strip(), "zh": form.get(f"{prefix}.zh", "").strip()}


def _columns(text: str) -> int:
    try:
        return min(max(int(text), 1), MAX_COLUMNS)
    except ValueError:
        return 1


# -- what the page's buttons do --------------------------------------------------
def apply_step(layout: Layout, step: str, form: MultiDict[str, str]) -> None:
    """One button of the designer (`move:level`, `up:level`, `add_tab`…) applied to `layout`."""
    action, _, subject = step.partition(":")
    if action in ("up", "down"):
        _shift(layout, subject, -1 if action == "up" else 1)
    elif action == "move":
        target = layout.section(form.get(f"move.{subject}", ""))
        if target is not None:
            _remove(layout, subject)
            target.fields.append(subject)
    elif action == "remove":
        _remove(layout, subject)
    elif action == "add_section":
        layout.sections.append(Section(_free_key(layout, "sn"), {"en": "", "zh": ""}, tab=subject))
    elif action == "remove_section":
        layout.sections = [section for section in layout.sections if section.key != subject]
    elif action == "add_tab":
        tab = Tab(_free_key(layout, "tn"), {"en": NEW_TAB.get("en"), "zh": NEW_TAB.get("zh")})
        layout.tabs.append(tab)
        layout.sections.append(Section(_free_key(layout, "sn"), {"en": "", "zh": ""}, tab=tab.key))
    elif action == "remove_tab":
        layout.tabs = [tab for tab in layout.tabs if tab.key != subject]
        for section in layout.sections:
            if section.tab == subject:
                section.tab = NO_TAB


def _shift(layout: Layout, name: str, by: int) -> None:
    section = layout.section_of(name)
    if section is None:
        return
    at = section.fields.index(name)
    to = at + by
    if 0 <= to < len(section.fields):
        section.fields[at], section.fields[to] = section.fields[to], section.fields[at]


def _remove(layout: Layout, name: str) -> None:
    for section in layout.sections:
        if name in section.fields:
            section.fields.remove(name)


def _free_key(layout: Layout, prefix: str) -> str:
    used = {t.key for t in layout.tabs} | {s.key for s in layout.sections}
    return next(f"{prefix}{i}" for i in range(len(used) + 1) if f"{prefix}{i}" not in used)

"""A select of one record that searches the server as the user types, for references to tables of any size.

The page carries only the chosen record; the choices come from the view's
`choices/<field>` endpoint (compile/views.py), twenty at a time, each named as
the chosen one is (`reference.option_texts`: its title and what its entity's
`describe:` adds). On submit only the chosen id is loaded and checked against
the field's choice filter.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from markupsafe import Markup
from wtforms import Field

from ..i18n import CatalogText

NOT_A_CHOICE = CatalogText("Not a valid choice.")


class RecordSelectWidget:
    def __call__(self, field: RecordSelectField, **kwargs: Any) -> Markup:
        from flask import url_for

        url = url_for(f"{field.choices_view}.choices", field=field.choices_field)
        current = ""
        if field.data is not None:
            current = Markup('<option value="{0}" selected>{1}</option>').format(field.data.id, field.chosen_text())
        required = " required" if field.flags.required else ""
        return Markup(
            '<select class="form-control fw-remote-select" id="{0}" name="{1}" data-url="{2}" data-placeholder="{3}"'
            '{4}><option value=""></option>{5}</select>'
        ).format(
            field.id, field.name, url, field.label.text, Markup(required), current
        )  # a Label: in the reader's language


class RecordSelectField(Field):
    widget = RecordSelectWidget()

    def __init__(
        self,
        label: Any,
        load: Callable[[int], Any],
        name_records: Callable[[Sequence[Any]], dict[int, str]],
        choices_view: str,
        choices_field: str,
        **kwargs: Any,
    ) -> None:
        """`load` finds a posted id's record (None if it may not be chosen); `name_records` names records, by id, as
        the choices endpoint names them (the title and what the entity's `describe:` adds)."""
        super().__init__(label, **kwargs)
        self.load, self.name_records = load, name_records
        self.choices_view, self.choices_field = choices_view, choices_field
        self.named: dict[int, str] = {}  # texts of chosen records named ahead (`name_chosen`)

    def chosen_text(self) -> str:
        """How the chosen record reads in the select."""
        if self.data.id not in self.named:
            self.named.update(self.name_records([self.data]))
        return self.named[self.data.id]

    def process_formdata(self, valuelist: list[str]) -> None:
        raw = valuelist[0].strip() if valuelist else ""
        if not raw:
            self.data = None
            return
        record = self.load(int(raw)) if raw.isdigit() and len(raw) < 10 else None
        if record is None:
            self.data = None
            raise ValueError(NOT_A_CHOICE.localized())
        self.data = record

    def _value(self) -> str:
        return "" if self.data is None else str(self.data.id)


def name_chosen(fields: Sequence[Field]) -> None:
    """Name the records chosen in the selects among `fields`, the fields of one column (a child table's rows), in one
    go: one query per described reference for all rows, not one per row."""
    chosen = [f for f in fields if isinstance(f, RecordSelectField) and f.data is not None]
    if chosen:
        texts = chosen[0].name_records([select.data for select in chosen])
        for select in chosen:
            select.named[select.data.id] = texts[select.data.id]

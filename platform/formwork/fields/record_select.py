"""A select of one record that searches the server as the user types, for references to tables of any size.

The page carries only the chosen record; the choices come from the view's
`choices/<field>` endpoint (compile/views.py), twenty at a time. On submit
only the chosen id is loaded and checked against the field's choice filter.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from markupsafe import Markup, escape
from wtforms import Field


class RecordSelectWidget:
    def __call__(self, field: RecordSelectField, **kwargs: Any) -> Markup:
        from flask import url_for

        url = url_for(f"{field.choices_view}.choices", field=field.choices_field)
        current = ""
        if field.data is not None:
            current = Markup('<option value="{0}" selected>{1}</option>').format(field.data.id, str(field.data))
        required = " required" if field.flags.required else ""
        return Markup(
            '<select class="form-control fw-remote-select" id="{0}" name="{1}" data-url="{2}" data-placeholder="{3}"'
            '{4}><option value=""></option>{5}</select>'
        ).format(field.id, field.name, url, escape(str(field.label.text)), Markup(required), current)


class RecordSelectField(Field):
    widget = RecordSelectWidget()

    def __init__(
        self, label: Any, load: Callable[[int], Any], choices_view: str, choices_field: str, **kwargs: Any
    ) -> None:
        super().__init__(label, **kwargs)
        self.load = load
        self.choices_view, self.choices_field = choices_view, choices_field

    def process_formdata(self, valuelist: list[str]) -> None:
        raw = valuelist[0].strip() if valuelist else ""
        if not raw:
            self.data = None
            return
        record = self.load(int(raw)) if raw.isdigit() and len(raw) < 10 else None
        if record is None:
            self.data = None
            raise ValueError("Not a valid choice.")
        self.data = record

    def _value(self) -> str:
        return "" if self.data is None else str(self.data.id)

"""A custom field on the entity's forms: a field added in the Studio is shown on every form of its entity, at the
end of the form's first section, and a retired one leaves them.

An entity's forms list the fields they show, so a field no form names would be neither shown nor taken from a post.
The draft therefore carries, beside the EntityExtension, a Form overlay of each of the entity's forms (the form as
the tenant is served it, pack form or stored overlay) with the field placed: the same documents an implementer
would write for `formwork tenant customize`. Arranging fields on forms is a later slice (docs/studio.md).
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from ..meta.catalog import Catalog

FieldNames = list[str]


def _form_target(data: dict[str, Any]) -> tuple[str, str]:
    return str(data["entity"]), str(data.get("name", "default"))


def reshape_forms(
    documents: list[dict[str, Any]], catalog: Catalog, entity: str, change: Callable[[list[FieldNames]], None]
) -> list[dict[str, Any]]:
    """`documents` with every form of `entity` changed by `change` (given the fields of each section, in order).

    A form the documents hold already is changed there (the forms of an entity of the tenant's own that is not
    published yet are only there); another is copied from the served catalog first.
    Sections left without fields are dropped (a section names at least one).
    """
    result = [copy.deepcopy(doc) for doc in documents]
    drafted = {_form_target(doc): doc for doc in result if doc.get("kind") == "Form" and doc.get("entity") == entity}
    for form in catalog.forms.get(entity, []):
        if (entity, form.name) not in drafted:
            drafted[(entity, form.name)] = {**copy.deepcopy(form.document.data), "entity": entity}
            result.append(drafted[(entity, form.name)])
    for doc in drafted.values():
        change([section["fields"] for section in doc["sections"]])
        doc["sections"] = [section for section in doc["sections"] if section["fields"]]
    return result


def place_field(name: str) -> Callable[[list[FieldNames]], None]:
    """At the end of the form's first section."""

    def change(sections: list[FieldNames]) -> None:
        if name not in (field for fields in sections for field in fields):
            sections[0].append(name)

    return change


def remove_field(name: str) -> Callable[[list[FieldNames]], None]:
    def change(sections: list[FieldNames]) -> None:
        for fields in sections:
            while name in fields:
                fields.remove(name)

    return change

"""Locked fields: a pack field another definition depends on keeps what that definition relies on.

Which definitions depend on a field, and why, each kind says for itself (definitions/field_uses.py and the features'
FIELD_USES functions), and which of the field's choices each relies on: a condition `level == 'vip'` relies on
`vip`, an outcome setting `status: approved` on `approved`, a use that cannot tell (the field compared with another)
on every choice. A locked field may still change its labels, help and default, get new choices, and have its
choices reordered or recoloured, and the choices no definition relies on renamed or retired; a choice one relies on
may not be renamed or retired (a condition comparing the value, an outcome setting it, would silently stop
matching), nor may the field stop being required (an approver field left empty finds no one). The Studio shows the
reasons on the field's page, each choice's beside it, and refuses a post that tries, at the control it touched.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..definitions.field_uses import FieldUse, field_uses
from ..i18n import CatalogText
from ..meta.catalog import Catalog
from ..meta.model import EntityDef
from .field_changes import ChangedField

LOCKED_CHOICE = CatalogText("The choice \u201c{value}\u201d is locked, so it cannot be renamed or retired.")
LOCKED_REQUIRED = CatalogText("This field is locked, so it must stay required.")
LOCKED_RETIRE = CatalogText("The field {field} is locked, so it cannot be retired.")


@dataclass(frozen=True)
class FieldLock:
    """The uses other definitions make of one field (none: it is not locked)."""

    uses: tuple[FieldUse, ...] = ()

    def reasons(self) -> list[str]:
        """Why the field is locked, one sentence per definition and use, in the reader's language."""
        return [use.words() for use in self.uses]

    def choice_reasons(self, value: str) -> list[str]:
        """Why the choice `value` cannot be renamed or retired (none: it can)."""
        return [use.words() for use in self.uses if use.relies_on(value)]


def field_lock(catalog: Catalog, entity: EntityDef, name: str) -> FieldLock:
    return FieldLock(tuple(field_uses(catalog, entity).get(name, [])))


def choice_control(value: str) -> str:
    """The control of one row of the choice table, where what refuses that choice is shown."""
    return f"choices.{value}"


def refuse_locked(changed: ChangedField, current: dict[str, Any], lock: FieldLock) -> None:
    """Refuse, at its control, what a post changes of a locked field that its dependents rely on: each choice they
    rely on renamed or newly retired at that choice's row, `required` dropped at its switch."""
    retired_before = {str(c["value"]) for c in current.get("choices", []) if c.get("retired")}
    retired_now = {original for original, row in _rows_by_original(changed).items() if row.get("retired")}
    for value in sorted({*changed.renamed, *(retired_now - retired_before)}):
        reasons = lock.choice_reasons(value)
        if reasons:
            changed.refuse(choice_control(value), _sentence(LOCKED_CHOICE.localized().format(value=value), reasons))
    if lock.uses and current.get("required") and not changed.spec.get("required"):
        changed.refuse("required", _sentence(LOCKED_REQUIRED.localized(), lock.reasons()))


def retire_refusal(catalog: Catalog, entity: EntityDef, name: str) -> str | None:
    """Why the field cannot be retired, in words (None: it can)."""
    reasons = field_lock(catalog, entity, name).reasons()
    if not reasons:
        return None
    return _sentence(LOCKED_RETIRE.localized().format(field=name), reasons)


def _rows_by_original(changed: ChangedField) -> dict[str, dict[str, Any]]:
    """The posted choices by the value each had before the post (a renamed one by its old value)."""
    former = {new: old for old, new in changed.renamed.items()}
    return {former.get(str(c["value"]), str(c["value"])): c for c in changed.spec.get("choices", [])}


def _sentence(refusal: str, reasons: list[str]) -> str:
    return " ".join([refusal, *(f"{reason}." for reason in reasons)])

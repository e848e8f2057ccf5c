"""Locked fields: a pack field another definition depends on keeps what that definition relies on.

Which definitions depend on a field, and why, each kind says for itself (definitions/field_uses.py and the features'
FIELD_USES functions). A locked field may still change its labels, help and default, get new choices, and have its
choices reordered or recoloured; it may not have a choice renamed or retired (a condition comparing the value, an
outcome setting it, would silently stop matching), nor stop being required (an approver field left empty finds no
one). The Studio shows the reasons on the field's page and refuses a post that tries, at the control it touched.
"""

from __future__ import annotations

from typing import Any

from ..definitions.field_uses import field_uses
from ..i18n import CatalogText
from ..meta.catalog import Catalog
from ..meta.model import EntityDef
from .field_changes import ChangedField

LOCKED_CHOICES = CatalogText("This field is locked, so its choices cannot be renamed or retired.")
LOCKED_REQUIRED = CatalogText("This field is locked, so it must stay required.")
LOCKED_RETIRE = CatalogText("The field {field} is locked, so it cannot be retired.")


def lock_reasons(catalog: Catalog, entity: EntityDef, name: str) -> list[str]:
    """Why the field is locked, one sentence per definition and use, in the reader's language (none: not locked)."""
    return [use.words() for use in field_uses(catalog, entity).get(name, [])]


def refuse_locked(changed: ChangedField, current: dict[str, Any], reasons: list[str]) -> None:
    """Refuse, at its control, what a post changes of a locked field that its dependents rely on."""
    if not reasons:
        return
    retired_before = {str(c["value"]) for c in current.get("choices", []) if c.get("retired")}
    retired_now = {str(c["value"]) for c in changed.spec.get("choices", []) if c.get("retired")}
    why = " ".join(f"{reason}." for reason in reasons)
    if changed.renamed or retired_now - retired_before:
        changed.refuse("choices", f"{LOCKED_CHOICES.localized()} {why}")
    if current.get("required") and not changed.spec.get("required"):
        changed.refuse("required", f"{LOCKED_REQUIRED.localized()} {why}")


def retire_refusal(catalog: Catalog, entity: EntityDef, name: str) -> str | None:
    """Why the field cannot be retired, in words (None: it can)."""
    reasons = lock_reasons(catalog, entity, name)
    if not reasons:
        return None
    return " ".join([LOCKED_RETIRE.localized().format(field=name), *(f"{reason}." for reason in reasons)])

"""The events a person can be notified of, and what each sends when the person has not chosen.

Every event reaches the inbox by default; e-mail is on for what asks the
person to act or answers them, off for the chatty `followed_changed`.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..i18n import CatalogText, Label
from ..tenancy.notices import (
    APPROVAL_DECIDED,
    APPROVAL_NEEDED,
    ASSIGNED,
    AUTOMATED,
    CC,
    FOLLOWED_CHANGED,
    MENTIONED,
    REMINDER,
)

IN_APP, EMAIL = "in_app", "email"
CHANNELS = (IN_APP, EMAIL)


@dataclass(frozen=True)
class EventDef:
    """One event: its name, how the preferences screen names it, and its default channels."""

    name: str
    label: Label
    email_by_default: bool = True


EVENTS: dict[str, EventDef] = {
    e.name: e
    for e in (
        EventDef(ASSIGNED, CatalogText("Assigned to me")),
        EventDef(APPROVAL_NEEDED, CatalogText("Approval needed")),
        EventDef(APPROVAL_DECIDED, CatalogText("Approval decided")),
        EventDef(MENTIONED, CatalogText("Mentioned in a comment")),
        EventDef(FOLLOWED_CHANGED, CatalogText("Record I follow changed"), email_by_default=False),
        EventDef(REMINDER, CatalogText("Reminders")),
        EventDef(CC, CatalogText("Copied to me (CC)")),
        EventDef(AUTOMATED, CatalogText("Messages of automations")),
    )
}


def default_channels(event: str) -> dict[str, bool]:
    return {IN_APP: True, EMAIL: EVENTS[event].email_by_default}

"""The events a person can be notified of, and what each sends when the person has not chosen.

Every event reaches the inbox by default; e-mail is on for what asks the
person to act or answers them, off for the chatty `followed_changed`.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..i18n import Label

ASSIGNED, APPROVAL_NEEDED, APPROVAL_DECIDED = "assigned", "approval_needed", "approval_decided"
MENTIONED, FOLLOWED_CHANGED, REMINDER, CC = "mentioned", "followed_changed", "reminder", "cc"
IN_APP, EMAIL = "in_app", "email"
CHANNELS = (IN_APP, EMAIL)


@dataclass(frozen=True)
class EventDef:
    """One event: its name, how the preferences screen names it, and its default channels."""

    name: str
    label: Label
    email_by_default: bool = True


EVENTS: dict[str, EventDef] = {e.name: e for e in (
    EventDef(ASSIGNED, Label({"en": "Assigned to me", "zh": "分配给我"})),
    EventDef(APPROVAL_NEEDED, Label({"en": "Approval needed", "zh": "待我审批"})),
    EventDef(APPROVAL_DECIDED, Label({"en": "Approval decided", "zh": "审批结果"})),
    EventDef(MENTIONED, Label({"en": "Mentioned in a comment", "zh": "评论中提到我"})),
    EventDef(FOLLOWED_CHANGED, Label({"en": "Record I follow changed", "zh": "关注的记录有变更"}), email_by_default=False),
    EventDef(REMINDER, Label({"en": "Reminders", "zh": "提醒"})),
    EventDef(CC, Label({"en": "Copied to me (CC)", "zh": "抄送我"})),
)}


def default_channels(event: str) -> dict[str, bool]:
    return {IN_APP: True, EMAIL: EVENTS[event].email_by_default}

"""The rights everyone has over their own notifications (notify/feature.py gives them to every pack role)."""

from __future__ import annotations

from typing import Any

#: the API, the inbox and preferences screen, its menu entry (notify/api.py and notify/views.py name them so)
NOTIFICATION_RIGHTS = (
    ("can_use", "NotificationApi"),
    ("can_inbox", "NotificationInbox"),
    ("menu_access", "Notifications"),
)


def notification_rights(_role: str, _catalog: Any) -> set[tuple[str, str]]:
    return set(NOTIFICATION_RIGHTS)

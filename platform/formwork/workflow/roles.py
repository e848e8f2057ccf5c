"""The approver rights every pack role gets (the Role kind itself lives in formwork/access/)."""

from __future__ import annotations

#: FAB's built-in roles: chains may name them without a pack declaring them
BUILTIN_ROLES = ("Admin", "Public")
#: the right the approvals API asks for (`can_use` on `Approvals`)
APPROVALS_PERMISSION, APPROVALS_VIEW = "use", "Approvals"
#: what every pack role may do, so its approvers can act: the API, the inbox screen and its menu entry
#: (workflow/views.py names the inbox `ApprovalInbox` and its menu entry "Approval inbox")
#: what everyone may do with their own notifications: the API, the inbox and preferences screen, its menu entry
#: (notify/api.py and notify/views.py name them so)
NOTIFICATION_RIGHTS = (
    ("can_use", "NotificationApi"),
    ("can_inbox", "NotificationInbox"),
    ("menu_access", "Notifications"),
)
APPROVER_RIGHTS = (
    (f"can_{APPROVALS_PERMISSION}", APPROVALS_VIEW),
    ("can_inbox", "ApprovalInbox"),
    ("menu_access", "Approval inbox"),
    *NOTIFICATION_RIGHTS,
)

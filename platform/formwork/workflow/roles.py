"""The approver rights every pack role gets (the Role kind itself lives in formwork/access/; workflow/feature.py
gives them through the ROLE_RIGHTS slot)."""

from __future__ import annotations

from typing import Any

#: the right the approvals API asks for (`can_use` on `Approvals`)
APPROVALS_PERMISSION, APPROVALS_VIEW = "use", "Approvals"
#: what every pack role may do, so its approvers can act: the API, the inbox screen and its menu entry
#: (workflow/views.py names the inbox `ApprovalInbox` and its menu entry "Approval inbox")
APPROVER_RIGHTS = (
    (f"can_{APPROVALS_PERMISSION}", APPROVALS_VIEW),
    ("can_inbox", "ApprovalInbox"),
    ("menu_access", "Approval inbox"),
)


def approver_rights(_role: str, _catalog: Any) -> set[tuple[str, str]]:
    """Every pack role's holders may be asked to approve, so each role has the approvals' rights."""
    return set(APPROVER_RIGHTS)

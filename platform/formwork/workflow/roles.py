"""Roles packs declare (kind Role), and the FAB roles they become in a tenant.

Approval chains are the first users of roles (`role:` approvers,
`submitter_roles`), so the minimal kind lives here for now; rights per entity
and record rules on roles come with the permissions issue, which may move the
kind to `meta/`.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask

from ..i18n import Label, humanize
from ..meta.yamlload import Document

#: FAB's built-in roles: chains may name them without a pack declaring them
BUILTIN_ROLES = ("Admin", "Public")
#: the right the approvals API asks for (`can_use` on `Approvals`)
APPROVALS_PERMISSION, APPROVALS_VIEW = "use", "Approvals"
#: what every pack role may do, so its approvers can act: the API, the inbox screen and its menu entry
#: (workflow/views.py names the inbox `ApprovalInbox` and its menu entry "Approval inbox")
APPROVER_RIGHTS = ((f"can_{APPROVALS_PERMISSION}", APPROVALS_VIEW), ("can_inbox", "ApprovalInbox"),
                   ("menu_access", "Approval inbox"))


@dataclass(frozen=True)
class RoleDef:
    pack: str
    name: str
    label: Label
    description: Label | None
    document: Document


def build_role(doc: Document) -> RoleDef:
    data = doc.data
    return RoleDef(doc.pack, data["name"], Label(data.get("label"), humanize(data["name"])),
                   Label(data["description"]) if data.get("description") else None, doc)


def ensure_pack_roles(app: Flask) -> list[str]:
    """Create the FAB role of every Role of the tenant's packs that it lacks, with the approver rights;
    returns the names created."""
    runtime = app.extensions["formwork"]
    created = []
    with app.app_context():
        security = app.appbuilder.sm
        grants = [security.find_permission_view_menu(*right) for right in APPROVER_RIGHTS]
        for role in runtime.catalog.roles.values():
            if security.find_role(role.name) is None:
                added = security.add_role(role.name)
                for grant in filter(None, grants):
                    security.add_permission_role(added, grant)
                created.append(role.name)
    return created

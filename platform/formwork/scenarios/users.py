"""`given.users`: the tenant's admin adds each user with their roles through FAB's user API, as on the People
screen, each with a password of their own. A pack's role is named `pack.role`, checked against the packs; it
becomes the tenant's FAB role of that name."""

from __future__ import annotations

import secrets

from .model import ADMIN, User
from .outcome import StepFailed
from .scene import Scene

#: roles read at once: every role of a tenant
ROLE_PAGE = 100


def add_user(scene: Scene, user: User) -> None:
    """Create `user` in the scenario's tenant; StepFailed says why it could not be."""
    roles = _tenant_roles(scene)
    names = [_fab_role(scene, role) for role in user.roles]
    missing = [name for name in names if name not in roles]
    if missing:
        raise StepFailed(f"the tenant has no role {', '.join(missing)}; its roles: {', '.join(sorted(roles))}")
    password = secrets.token_urlsafe(16)
    body = {
        "username": user.name,
        "first_name": user.name.title(),
        "last_name": "Scenario",
        "email": f"{user.name}@example.com",
        "password": password,
        "active": True,
        "roles": [roles[name] for name in names],
    }
    answer = scene.api.call(ADMIN, "POST", "security/users/", body)
    if not answer.ok:
        raise StepFailed(f"the user cannot be created: {answer}")
    scene.api.passwords[user.name] = password


def _tenant_roles(scene: Scene) -> dict[str, int]:
    answer = scene.api.call(ADMIN, "GET", f"security/roles/?q=(page_size:{ROLE_PAGE})")
    if answer.status != 200:
        raise StepFailed(f"the tenant's roles cannot be read: {answer}")
    return {row["name"]: int(row["id"]) for row in answer.body["result"]}


def _fab_role(scene: Scene, written: str) -> str:
    """The FAB role a scenario's `pack.role` (or bare role name) is."""
    pack, _, name = written.rpartition(".")
    role = scene.catalog.roles.get(name)
    if pack and (role is None or role.pack != pack):
        found = f"; {name} is a role of {role.pack}" if role is not None else ""
        raise StepFailed(f"pack {pack} has no role {name}{found}")
    return name

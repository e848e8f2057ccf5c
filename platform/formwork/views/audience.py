"""`roles:` on views as `formwork validate` checks them (issue 16): every role a list view or a view of any kind
names must be a role of the packs (or Admin), and an entity whose list views name roles keeps one for everyone,
its default list. Who then sees a view is compile/audience.py's to say; every error is at its line.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from ..definitions.check_texts import UNKNOWN_ROLE
from ..i18n import say
from ..meta.catalog import Catalog
from ..meta.errors import DefinitionError
from ..meta.model import ListViewDef
from ..tenancy.directory import BUILTIN_ROLES
from . import check_texts as says
from .checks import Problem
from .kinds import ViewKind
from .menus import all_views


def role_problems(roles: tuple[str, ...], catalog: Catalog) -> list[Problem]:
    """Each role of `roles` no pack declares (nor FAB's own), at its place in the view's `roles`."""
    known = set(catalog.roles) | set(BUILTIN_ROLES)
    return [
        (("roles", i), say(UNKNOWN_ROLE, role=role, roles=", ".join(sorted(known))))
        for i, role in enumerate(roles)
        if role not in known
    ]


def default_list_problems(views: list[ListViewDef]) -> list[DefinitionError]:
    """When every list view of an entity names roles, an error at each one's roles (any of them may be the one left
    for everyone, and a tenant's customization of any one is where its admin sees it): the entity's menu entry and
    `/list/` show its first list view for everyone, so there must be one."""
    if not all(view.roles for view in views):
        return []
    return [view.document.error(("roles",), say(says.DEFAULT_LIST, entity=view.entity)) for view in views]


def roles_check(kinds: Sequence[ViewKind]) -> Callable[[Catalog], list[DefinitionError]]:
    """The DEFINITION_CHECKS entry for the roles of the list views and of the views of `kinds`."""

    def check_view_roles(catalog: Catalog) -> list[DefinitionError]:
        views: list[Any] = [view for _, view in all_views(kinds, catalog)]
        views += [view for listed in catalog.list_views.values() for view in listed]
        errors = [
            view.document.error(path, message) for view in views for path, message in role_problems(view.roles, catalog)
        ]
        return errors + [error for listed in catalog.list_views.values() for error in default_list_problems(listed)]

    return check_view_roles

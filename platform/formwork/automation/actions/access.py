"""Who may run an action on a record, and whether it applies to the record now.

An action changes the record, so it asks what an edit asks: the entity's edit right (the screens' `can_edit`, the
API's `can_put`, checked by the route) and a record the person's record rules let them see (the caller finds it
through its base filters: another's record is not found, as for every route). On top, the action's `roles` (when
it names any; the tenant's Admin role always may), and its `visible_when` on the record as it is now.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from ...actor import Actor
from ...expr import ExpressionFailed
from ...i18n import localized
from ...tenancy.directory import ADMIN_ROLE
from ..prepared import PreparedAction, prepared
from ..steps import StepRun
from .labels import TEXT

if TYPE_CHECKING:
    from ...meta.catalog import Catalog
    from ...meta.model import EntityDef
    from ...tenancy.runtime import TenantRuntime


class ActionRefused(Exception):
    """The action cannot run: `status` is the API's answer (403 no right or role, 404 no such action or record,
    409 it does not apply to the record now), the message says why in the reader's language."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def actions_of(catalog: Catalog, entity: EntityDef) -> dict[str, PreparedAction]:
    """The entity's actions by name, prepared with the tenant's catalog."""
    return prepared(catalog).actions.get(entity.qualified, {})


def find_action(catalog: Catalog, entity: EntityDef, name: str, place: str) -> PreparedAction:
    """The entity's action `name` that shows on `place` (record or list); 404 without one."""
    found = actions_of(catalog, entity).get(name)
    if found is None or place not in found.definition.places:
        raise ActionRefused(404, TEXT["not_found"].localized())
    return found


def role_allows(action: PreparedAction, actor: Actor) -> bool:
    """Whether `actor`'s roles let it run `action` (its edit right and the record are the caller's to check)."""
    roles = action.definition.roles
    return not roles or actor.is_system or ADMIN_ROLE in actor.roles or bool(actor.roles & set(roles))


def check_allowed(action: PreparedAction, actor: Actor, may_edit: bool) -> None:
    """403 unless `actor` has the edit right and one of the action's roles."""
    label = action.definition.label.localized()
    if not may_edit:
        raise ActionRefused(403, TEXT["no_edit"].localized().format(action=label))
    if not role_allows(action, actor):
        raise ActionRefused(403, TEXT["no_role"].localized().format(action=label))


def check_applies(runtime: TenantRuntime, session: Session, actor: Actor, action: PreparedAction, record: Any) -> None:
    """409 when the action's `visible_when` does not hold on `record` (or cannot be decided), saying why."""
    if action.visible_when is None:
        return
    run = StepRun(runtime, session, actor, action.entity, record, source=action.definition.qualified)
    run.refresh()
    label = action.definition.label.localized()
    try:
        holds = action.visible_when.evaluate(
            run.names(), user=actor.user, now=actor.now(), tz=runtime.timezone, where=action.definition.qualified
        )
    except ExpressionFailed as failed:
        raise ActionRefused(
            409, TEXT["undecided"].localized().format(action=label, reason=localized(failed.reason))
        ) from None
    if not holds:
        condition = action.definition.visible_when
        raise ActionRefused(409, TEXT["not_now"].localized().format(action=label, condition=condition))


def applies(runtime: TenantRuntime, session: Session, actor: Actor, action: PreparedAction, record: Any) -> bool:
    """Whether the button shows on `record`'s page now."""
    try:
        check_applies(runtime, session, actor, action, record)
    except ActionRefused:
        return False
    return True

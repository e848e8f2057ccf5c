"""Running a server action: Python an installed feature registered (SERVER_ACTIONS) for a step to run on a record.

Automations and action buttons name a server action for what their YAML steps cannot say. The action receives an
`ActionCall`: the record, its entity, who runs it, the session, and `save(values)`, which writes the record through
the one record lifecycle (compile/lifecycle.py) as that actor, so its changes meet the same rights, rules and hooks
as anyone's. As with the lifecycle, the caller owns the transaction: a refused save raises RecordRejected and the
caller rolls back.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from ..features import SERVER_ACTIONS, ServerAction, load_features
from ..i18n import CatalogText, say
from ..meta.model import EntityDef
from .lifecycle import save_record

if TYPE_CHECKING:
    from ..actor import Actor
    from ..tenancy.runtime import TenantRuntime


UNKNOWN = CatalogText("no server action '{name}' for {entity}")


class UnknownServerAction(LookupError):
    """No loaded feature registered a server action of that name for that entity; `message` says so in each
    reader's language (`str()` is English)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class ActionCall:
    """One run of a server action on one record."""

    runtime: TenantRuntime
    session: Session
    actor: Actor
    entity: EntityDef
    record: Any
    #: lifecycle checks its saves skip, as the automation that runs it does (compile/lifecycle.SKIPPABLE)
    skip: frozenset[str] = frozenset()

    def save(self, values: dict[str, Any]) -> Any:
        """Change the record through the record lifecycle, as the actor who runs the action."""
        return save_record(
            self.runtime, self.actor, self.entity, self.record, values, session=self.session, skip=self.skip
        )


def server_action(name: str, entity: EntityDef) -> ServerAction:
    """The server action called `name` that applies to `entity`; UnknownServerAction if none does, ValueError if two
    features registered one (which would run is not for the registration order to decide)."""
    found = [
        entry
        for entry in load_features().entries(SERVER_ACTIONS)
        if entry.item.name == name and (not entry.item.entities or entity.qualified in entry.item.entities)
    ]
    if not found:
        raise UnknownServerAction(say(UNKNOWN, name=name, entity=entity.qualified))
    if len(found) > 1:
        raise ValueError(f"server action {name!r} is registered twice: by {' and '.join(e.feature for e in found)}")
    action: ServerAction = found[0].item
    return action


def run_server_action(
    runtime: TenantRuntime,
    actor: Actor,
    name: str,
    entity: EntityDef,
    record: Any,
    *,
    session: Session | None = None,
    skip: frozenset[str] = frozenset(),
) -> str | None:
    """Run server action `name` on `record`; returns what the action tells the user. Nothing is committed."""
    action = server_action(name, entity)
    call = ActionCall(runtime, session if session is not None else runtime.session(), actor, entity, record, skip)
    return action.run(call)

"""What a record's approval panel shows: its state, the current step's tasks, the timeline, the user's buttons.

Read in three queries (instance, its tasks, its events) on the request's
session; the buttons offered follow the engine's rules, which still decide
every action (a button shown to the wrong person is refused by the engine).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from flask_appbuilder.models.sqla import Model
from sqlalchemy.orm import Session

from ..compile.child_tables import ChildTable, child_tables
from ..i18n import Label
from ..meta.model import EntityDef
from ..tenancy.directory import display_names
from .definition import ChainDef, StepDef, chain_from_snapshot
from .engine import PENDING, Approvals
from .errors import NotAllowed, WorkflowError
from .labels import EVENT, TEXT
from .tables import EVENTS, INSTANCES, TASKS

if TYPE_CHECKING:
    from ..tenancy.runtime import TenantRuntime

#: after these the submitter may start a new round
RESUBMITTABLE = ("returned", "rejected", "withdrawn")
#: how many people a picker offers (a datalist, so any other name can still be typed)
PEOPLE_OFFERED = 500


@dataclass
class Panel:
    entity: EntityDef
    record_id: int
    status: str
    instance: Any = None
    chain: ChainDef | None = None
    tasks: list[Any] = field(default_factory=list)
    events: list[Any] = field(default_factory=list)
    my_task: Any = None
    is_submitter: bool = False
    can_submit: bool = False
    earlier_steps: list[StepDef] = field(default_factory=list)
    choosing: list[tuple[StepDef, bool]] = field(default_factory=list)
    people: list[str] = field(default_factory=list)
    #: the names of the people the panel shows, by user name
    names: dict[str, str] = field(default_factory=dict)
    #: where the record's child tables are read from (the request's runtime), when asked for
    runtime: TenantRuntime | None = field(default=None, repr=False)

    @cached_property
    def child_tables(self) -> list[ChildTable]:
        """The record's child tables (its lines, with totals) as its show page shows them: what an approver decides
        on. The edit page's panel shows them, its form having inputs instead."""
        if self.runtime is None:
            return []
        session = self.runtime.session()
        item = session.get(self.runtime.compiled.model(self.entity.qualified), self.record_id)
        return (
            []
            if item is None
            else list(child_tables(session, self.runtime.catalog, self.runtime.compiled, item).values())
        )

    def name(self, username: str | None) -> str:
        return self.names.get(username or "", username or "")

    def detail(self, event: Any) -> str:
        """The parts of an event's detail a person reads: who it went to, who was added, who was asked (by name),
        and the fields the chain's outcome set (by label, a choice by its label)."""
        detail = event.detail or {}
        parts = []
        if detail.get("to"):
            parts.append(f"→ {self.name(detail['to'])}")
        if detail.get("added"):
            parts.append(f"+ {self.name(detail['added'])}")
        for key in ("approvers", "recipients"):
            if detail.get(key):
                parts.append(", ".join(self.name(person) for person in detail[key]))
        if detail.get("fields"):
            parts.append(", ".join(f"{self.field_text(name, value)}" for name, value in detail["fields"].items()))
        return "; ".join(parts)

    def field_text(self, name: str, value: str | None) -> str:
        """`Label: value` of a field the chain set, its value as stored in words (a choice by its label)."""
        found = self.entity.field(name)
        if found is None:
            return f"{name}: {value}"
        choice = next((c for c in found.choices if c.value == value), None)
        shown = choice.label.localized() if choice is not None else ("" if value is None else value)
        return f"{found.label.localized()}: {shown}"

    @property
    def step(self) -> StepDef | None:
        if self.instance is None or self.chain is None or not self.instance.step:
            return None
        return self.chain.step(self.instance.step)

    def step_label(self, name: str | None) -> Label | str:
        step = self.chain.step(name) if self.chain and name else None
        return step.label if step else (name or "")


def read_panel(runtime: TenantRuntime, entity: EntityDef, record_id: int, user: str) -> Panel:
    """The panel of a record for `user`, read on the runtime's (the request's) session."""
    session = runtime.session()
    instance = session.execute(
        sa.select(INSTANCES).where(INSTANCES.c.entity == entity.qualified, INSTANCES.c.record_id == record_id)
    ).first()
    if instance is None:
        panel = _draft_panel(runtime, session, entity, record_id, user)
    else:
        panel = _instance_panel(session, entity, record_id, instance, user)
    if panel.can_submit and panel.chain is not None:
        panel.choosing = [
            (step, source.value == "required")
            for step in panel.chain.steps
            for source in step.approvers
            if source.kind == "submitter_choice"
        ]
    if panel.my_task is not None or panel.choosing:
        panel.people = active_people(session)
    shown = [
        *panel.people,
        *(t.assignee for t in panel.tasks),
        *(t.delegated_from for t in panel.tasks),
        *(e.actor for e in panel.events),
        *(person for e in panel.events for person in people_in(e.detail or {})),
        panel.instance.submitter if panel.instance is not None else None,
    ]
    panel.names = display_names(session, shown)
    panel.runtime = runtime
    return panel


def _draft_panel(runtime: TenantRuntime, session: Session, entity: EntityDef, record_id: int, user: str) -> Panel:
    """A record never submitted: the chain a submission would start (the engine's choice, `when` included), so the
    approver pickers are that chain's. No button when the engine would refuse the user (not the record's own
    people, no admitting role); when no chain applies to the record as it is, the button stays and the engine's
    refusal says why."""
    try:
        chain = Approvals(runtime).submission_chain(session, entity.qualified, record_id, user)
    except NotAllowed:
        return Panel(entity, record_id, "draft")
    except WorkflowError:
        return Panel(entity, record_id, "draft", can_submit=True)
    return Panel(entity, record_id, "draft", chain=chain, can_submit=True)


def _instance_panel(session: Session, entity: EntityDef, record_id: int, instance: Any, user: str) -> Panel:
    chain = chain_from_snapshot(instance.snapshot)
    tasks = session.execute(sa.select(TASKS).where(TASKS.c.instance_id == instance.id).order_by(TASKS.c.id)).all()
    events = session.execute(sa.select(EVENTS).where(EVENTS.c.instance_id == instance.id).order_by(EVENTS.c.id)).all()
    current = [
        t
        for t in tasks
        if instance.status == PENDING
        and t.round == instance.round
        and t.step == instance.step
        and t.step_run == instance.step_run
    ]
    mine = next((t for t in current if t.assignee == user and t.status == "pending"), None)
    panel = Panel(
        entity,
        record_id,
        instance.status,
        instance,
        chain,
        current,
        events,
        mine,
        is_submitter=instance.submitter == user,
        can_submit=instance.status in RESUBMITTABLE and instance.submitter == user,
    )
    step = panel.step
    if mine is not None and step is not None:
        ran = {t.step for t in tasks if t.round == instance.round}
        panel.earlier_steps = [s for s in chain.steps[: step.index] if s.name in ran]
    return panel


def active_people(session: Session) -> list[str]:
    users = Model.metadata.tables["ab_user"]
    query = sa.select(users.c.username).where(users.c.active.is_(True)).order_by(users.c.username).limit(PEOPLE_OFFERED)
    return list(session.execute(query).scalars())


def people_in(detail: dict[str, Any]) -> list[str]:
    """The user names an event's detail holds: who it went to, who was added, who was asked."""
    return [
        *(detail[key] for key in ("to", "added") if detail.get(key)),
        *(person for key in ("approvers", "recipients") for person in detail.get(key) or ()),
    ]


def event_label(action: str) -> Label | str:
    return EVENT.get(action, action)


def actor_label(actor: str | None) -> Label | str:
    return actor if actor else TEXT["system"]

"""The approval engine: submit, decide, and move a request through its chain's steps.

Every action is one transaction on the tenant's session that starts by
touching the instance row (an UPDATE), so actions on one request run one
after the other on PostgreSQL (row lock) and SQLite (write lock) alike. A
decision then updates its task with `WHERE status = 'pending'` and checks the
row count: of two people deciding at once, the second gets AlreadyDecided.
Every action writes an event; nothing else is history.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import TYPE_CHECKING, Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..actor import Actor
from ..compile.lifecycle import SKIP_LOCKS, SKIP_READ_ONLY, SKIP_RULES, RecordRejected, save_record
from ..compile.models import utcnow
from ..expr import (
    ExpressionFailed,
    compile_expression,
    entity_variables,
    field_variable,
)
from ..features import RecordSignal
from ..i18n import CatalogText, Label
from ..tenancy.directory import ADMIN_ROLE, Directory
from ..tenancy.signals import SignalRefused, announce
from . import notices, rows, timeouts
from .approvers import Assignment, Context, assign, no_approver, resolve
from .definition import NONE, ChainDef, DecisionLock, StepDef, chain_from_snapshot
from .delegation import circle_through, delegate_of
from .errors import (
    AlreadyDecided,
    Conflict,
    NotAllowed,
    NotFound,
    WorkflowError,
)
from .labels import STATUS
from .submitters import Candidate
from .tables import DELEGATIONS, EVENTS, INSTANCES, TASKS

if TYPE_CHECKING:
    from ..tenancy.runtime import TenantRuntime

T = TypeVar("T")
#: instance states; a request is "in approval" (locked) while pending
PENDING, APPROVED, REJECTED, RETURNED, WITHDRAWN = "pending", "approved", "rejected", "returned", "withdrawn"
ADDED = ("added_before", "added_after")
#: the actor of what the worker does on its own: timeouts and reminders
SYSTEM = "system"

# What the engine refuses (workflow/errors.py): English here, other languages from the catalogs when shown.
NO_ENTITY = CatalogText("there is no entity {entity}")
LISTENER_REFUSED = CatalogText("nothing was done: {reason}")
NO_RECORD = CatalogText("{entity} #{id} does not exist")
RECORD_DELETED = CatalogText("{entity} #{id} was deleted; its approval cannot go on")
JUST_SUBMITTED = CatalogText("{entity} #{id} was just submitted by someone else")
JUST_RESUBMITTED = CatalogText("{entity} #{id} was just submitted again")
ALREADY_IN_APPROVAL = CatalogText("{entity} #{id} is already in approval")
ALREADY_APPROVED = CatalogText("{entity} #{id} is already approved")
ONLY_SUBMITTER_RESUBMITS = CatalogText("only {submitter}, who submitted it, can submit it again")
ONLY_SUBMITTER_WITHDRAWS = CatalogText("only {submitter}, who submitted it, can withdraw it")
ONLY_SUBMITTER_URGES = CatalogText("only {submitter}, who submitted it, can urge it")
NO_CHAIN = CatalogText("{entity} has no approval chain")
NO_CHAIN_APPLIES = CatalogText("no approval chain of {entity} applies to this record")
ROLES_ONLY = CatalogText("only users with one of these roles may submit {entity} records: {roles}")
CONDITION_UNDECIDED = CatalogText("the approval condition '{condition}' cannot be decided for this record: {reason}")
NOT_CHOOSABLE = CatalogText("step '{step}' does not take approvers chosen by the submitter")
CHOICE_NEEDED = CatalogText("step '{step}' needs approvers chosen by the submitter")
CHOSEN_INACTIVE = CatalogText("'{person}' is not an active user and cannot approve step '{step}'")
CANNOT_SET = CatalogText("the chain cannot set {field}: {reason}")
NOT_EARLIER = CatalogText("'{step}' is not an earlier step of this request (earlier: {earlier})")
CANNOT_WITHDRAW = CatalogText("the request is no longer in approval ({status}); it cannot be withdrawn")
NOBODY_TO_URGE = CatalogText("the request is not in approval ({status}); there is nobody to urge")
NOT_ACTIVE = CatalogText("'{person}' is not an active user")
SELF_APPROVAL = CatalogText("{person} submitted this request and cannot approve it (self-approval is not allowed here)")
HAS_TASK = CatalogText("{person} already has a task in step '{step}'")
ENDS_BEFORE_START = CatalogText("the delegation ends before it starts")
SELF_DELEGATION = CatalogText("one cannot delegate to oneself")
CIRCLE = CatalogText("this delegation would make a circle: {circle}")
NO_TASK = CatalogText("task {task} does not exist")
ONLY_ADMINS_MOVE = CatalogText("only the tenant's admins may move a request to another version of its chain")
REASON_NEEDED = CatalogText("give a reason")
NOT_RUNNING = CatalogText("the request is not in approval ({status}); only a running request can be moved")
CHAIN_GONE = CatalogText("the chain {chain} no longer exists; the request can only finish on the version it started on")
ALREADY_CURRENT = CatalogText("the request already runs on the current version of its chain ({version})")
ONLY_ADMINS_REOPEN = CatalogText("only the tenant's admins may reopen an approved request")
ONLY_SUBMITTER_REOPENS = CatalogText("only {submitter}, who submitted it, or an admin may reopen it")
NOT_APPROVED = CatalogText("the request is not approved ({status}); there is nothing to reopen")
NOT_YOUR_TASK = CatalogText("this task is {assignee}'s, not {user}'s")
#: what NOT_EARLIER lists when no step ran before
NO_STEPS = CatalogText("none")


def step_label(chain: ChainDef, name: str) -> Label | str:
    """What a refusal calls a step: its label, or the name as given when the chain has no such step."""
    step = chain.step(name)
    return step.label if step is not None else name


def choosing_steps(chain: ChainDef) -> dict[str, str]:
    """The steps of `chain` whose approvers the submitter picks, with `optional` or `required`."""
    return {
        step.name: source.value
        for step in chain.steps
        for source in step.approvers
        if source.kind == "submitter_choice"
    }


def decided_lock(s: Session, entity: str, record_id: int) -> tuple[Any, DecisionLock] | None:
    """The record's decided request and its chain's `lock`, when that decision locks something (else None). The lock is
    the one of the version the request was decided on."""
    row = s.execute(
        sa.select(INSTANCES).where(INSTANCES.c.entity == entity, INSTANCES.c.record_id == record_id)
    ).first()
    if row is None or row.status not in (APPROVED, REJECTED):
        return None
    lock = chain_from_snapshot(row.snapshot).lock
    return None if lock.scope(row.status) == NONE else (row, lock)


def is_admin(directory: Directory, user: str) -> bool:
    """A tenant admin (FAB's Admin role): may move a request to another version, reopen it, change a locked record."""
    return ADMIN_ROLE in directory.roles(user)


def editable_in(s: Session, entity: str, record_id: int, user: str) -> set[str] | None:
    """`Approvals.editable_fields`, read in the caller's session and transaction (the record lock reads it in the
    session that is saving the record, which must not be rolled back under the record it loaded)."""
    row = s.execute(
        sa.select(INSTANCES).where(INSTANCES.c.entity == entity, INSTANCES.c.record_id == record_id)
    ).first()
    if row is None or row.status != PENDING:
        return None
    step = chain_from_snapshot(row.snapshot).step(row.step) if row.step else None
    if step is None or user not in rows.waiting_for(s, row):
        return set()
    return set(step.editable)


@dataclass(frozen=True)
class ApprovalStatus:
    """A record's approval state, for screens: which chain, where it is, who is asked."""

    instance_id: int
    chain: str
    chain_version: str
    status: str
    round: int
    step: str | None
    waiting_for: list[str]
    submitter: str


class Approvals:
    """The engine for one tenant app: `runtime` is its `TenantRuntime` (catalog, compiled models, session)."""

    def __init__(self, runtime: TenantRuntime, today: Callable[[], date] | None = None) -> None:
        self.runtime = runtime
        self.today = today or (lambda: utcnow().date())

    # -- transactions --------------------------------------------------------------------
    def _run(self, action: Callable[[Session], T]) -> T:
        return self.runtime.in_transaction(action)

    def in_transaction(self, action: Callable[[Session], T]) -> T:
        """Run `action` as one engine transaction: the worker claims a job and acts on it in the same one."""
        return self._run(action)

    def _directory(self, session: Session) -> Directory:
        return Directory(session, self.runtime.compiled)

    # -- submit ------------------------------------------------------------------------
    def submit(
        self,
        entity: str,
        record_id: int,
        user: str,
        *,
        comment: str | None = None,
        attachments: Sequence[dict] = (),
        chosen: dict[str, list[str]] | None = None,
    ) -> int:
        """Start (or, after a return, rejection or withdrawal, start a new round of) the record's approval.

        `chosen` gives, per step with `submitter_choice`, the people the submitter picked. Returns the instance id.
        """
        return self._run(lambda s: self._submit(s, entity, record_id, user, comment, list(attachments), chosen or {}))

    def submit_in(self, s: Session, entity: str, record_id: int, user: str) -> int:
        """`submit` inside the caller's transaction `s` (an automation's step), with no comment or choice."""
        return self._submit(s, entity, record_id, user, None, [], {})

    def _submit(
        self,
        s: Session,
        entity: str,
        record_id: int,
        user: str,
        comment: str | None,
        attachments: list[dict],
        chosen: dict[str, list[str]],
    ) -> int:
        if entity not in self.runtime.catalog.entities:
            raise NotFound(NO_ENTITY, entity=entity)
        # The request's row first, then the record's: the order of the other actions (and of a delete of the record)
        existing = s.execute(
            sa.select(INSTANCES)
            .where(INSTANCES.c.entity == entity, INSTANCES.c.record_id == record_id)
            .with_for_update()
        ).first()
        record = self._lock_record(s, entity, record_id)
        now = utcnow()
        if existing is None:
            chain = self._chain_for(s, entity, record, user)
            self._check_chosen(s, chain, chosen)
            try:  # no savepoint: pysqlite would commit at its RELEASE; the whole action rolls back instead
                instance_id = s.execute(
                    INSTANCES.insert().values(
                        chain=chain.qualified,
                        chain_version=chain.version,
                        snapshot=chain.snapshot(),
                        entity=entity,
                        record_id=record_id,
                        submitter=user,
                        status=PENDING,
                        round=1,
                        step_run=0,
                        chosen=chosen,
                        submitted_at=now,
                        updated_at=now,
                    )
                ).inserted_primary_key[0]
            except IntegrityError:
                raise AlreadyDecided(JUST_SUBMITTED, entity=self._label(entity), id=record_id) from None
        else:
            instance_id = existing.id
            if existing.status in (PENDING, APPROVED):
                raise WorkflowError(
                    ALREADY_IN_APPROVAL if existing.status == PENDING else ALREADY_APPROVED,
                    entity=self._label(entity),
                    id=record_id,
                )
            if existing.submitter != user:
                raise NotAllowed(ONLY_SUBMITTER_RESUBMITS, submitter=existing.submitter)
            chain = self._chain_for(s, entity, record, user)  # a new round starts on the chain as it is now
            choosing = choosing_steps(
                chain
            )  # a new round keeps the submitter's earlier choice, where the chain takes one
            chosen = chosen or {step: people for step, people in (existing.chosen or {}).items() if step in choosing}
            self._check_chosen(s, chain, chosen)
            done = s.execute(
                INSTANCES.update()
                .where(INSTANCES.c.id == instance_id, INSTANCES.c.status == existing.status)
                .values(
                    status=PENDING,
                    round=existing.round + 1,
                    chosen=chosen,
                    step=None,
                    updated_at=now,
                    finished_at=None,
                    submitted_at=now,
                    chain=chain.qualified,
                    chain_version=chain.version,
                    snapshot=chain.snapshot(),
                )
            )
            if done.rowcount != 1:
                raise AlreadyDecided(JUST_RESUBMITTED, entity=self._label(entity), id=record_id)
        instance = rows.load_instance(s, instance_id)
        rows.event(s, instance, "submit", user, comment=comment, attachments=attachments, chain_version=chain.version)
        self._announce(s, instance, "submitted", user)
        if chain.cc and chain.cc_at in ("submit", "both"):
            self._notify(s, instance, chain, record, chain.cc, "cc")
        self._advance(s, instance, chain, record, -1)
        return instance_id

    def _lock_record(self, s: Session, entity: str, record_id: int) -> Any:
        """The record, its row locked (FOR UPDATE on PostgreSQL; SQLite's write lock comes with the UPDATE) and its
        `version` bumped: a save of the record that read it before the submission fails its version check (409)
        instead of changing what the approvers see."""
        model = self.runtime.compiled.model(entity)
        record = s.get(model, record_id, with_for_update=True, populate_existing=True)
        if record is None:
            raise NotFound(NO_RECORD, entity=self._label(entity), id=record_id)
        s.execute(
            sa.update(model.__table__)
            .where(model.__table__.c.id == record_id)
            .values(version=model.__table__.c.version + 1)
        )
        s.refresh(record)
        return record

    def submission_chain(self, s: Session, entity: str, record_id: int, user: str) -> ChainDef:
        """The chain a first submission of the record by `user` would start now, chosen as `submit` chooses it
        (the chain's `when` on the record, then `submitter_roles`), read in the caller's session `s`. Raises what
        `submit` would: NotFound, NotAllowed (not the record's own people, or no admitting role), WorkflowError."""
        record = s.get(self.runtime.compiled.model(entity), record_id)
        if record is None:
            raise NotFound(NO_RECORD, entity=self._label(entity), id=record_id)
        return self._chain_for(s, entity, record, user)

    def _chain_for(self, s: Session, entity: str, record: Any, user: str) -> ChainDef:
        """The first chain of the entity that applies to the record and admits `user`. Only the record's own people
        may submit it (the `submitters` of a chain, workflow/submitters.py): whom no chain admits is refused before
        the chains' conditions are read, so a stranger learns nothing of them."""
        chains = self.runtime.catalog.chains_for(entity)
        if not chains:
            raise NotFound(NO_CHAIN, entity=self._label(entity))
        directory = self._directory(s)
        candidate = Candidate(directory, self.runtime.catalog, self.runtime.catalog.entities[entity], record, user)
        if not any(candidate.admitted_by(chain) for chain in chains):
            raise candidate.refusal(chains)
        roles = set(directory.roles(user))
        entity_def = self.runtime.catalog.entities[entity]
        applying = [c for c in chains if not c.when or self._holds(c.when, entity_def, record, directory, user)]
        if not applying:
            raise WorkflowError(NO_CHAIN_APPLIES, entity=entity_def.label)
        allowed = [c for c in applying if not c.submitter_roles or roles & set(c.submitter_roles)]
        if not allowed:
            wanted = sorted({r for c in applying for r in c.submitter_roles})
            raise NotAllowed(ROLES_ONLY, entity=entity_def.label, roles=[self._role_label(r) for r in wanted])
        admitted = [c for c in allowed if candidate.admitted_by(c)]
        if not admitted:
            raise candidate.refusal(allowed)
        return admitted[0]

    def _holds(self, condition: str, entity: Any, record: Any, directory: Directory, user: str) -> bool:
        ctx = Context(directory, self.runtime.catalog, entity, record, user)
        expression = compile_expression(condition, entity_variables(entity, self.runtime.catalog), expect="boolean")
        try:
            return bool(
                expression.evaluate(ctx.values(), user=ctx.user(), where=f"{entity.qualified} approval condition")
            )
        except ExpressionFailed as failed:
            raise WorkflowError(CONDITION_UNDECIDED, condition=condition, reason=failed.reason) from None

    def _check_chosen(self, s: Session, chain: ChainDef, chosen: dict[str, list[str]]) -> None:
        directory, choosing = self._directory(s), choosing_steps(chain)
        for name, people in chosen.items():
            if name not in choosing:
                raise WorkflowError(NOT_CHOOSABLE, step=step_label(chain, name))
            for person in people:
                if not directory.is_active(person):
                    raise WorkflowError(CHOSEN_INACTIVE, person=person, step=step_label(chain, name))
        for name, rule in choosing.items():
            if rule == "required" and not chosen.get(name):
                raise WorkflowError(CHOICE_NEEDED, step=step_label(chain, name))

    # -- moving through the steps ------------------------------------------------------
    def _advance(self, s: Session, instance: Any, chain: ChainDef, record: Any, after: int) -> None:
        """Start the first step after index `after` that runs; finish the request after the last."""
        for step in chain.steps[after + 1 :]:
            if step.when and not self._holds(
                step.when, self._entity(instance), record, self._directory(s), instance.submitter
            ):
                rows.event(s, instance, "step_skipped", None, step=step.name, reason="condition")
                continue
            if self._start_step(s, instance, chain, record, step):
                return
            instance = rows.load_instance(s, instance.id)
        self._finish(s, instance, chain, record, APPROVED)

    def _start_step(
        self, s: Session, instance: Any, chain: ChainDef, record: Any, step: StepDef, dedup: bool = True
    ) -> bool:
        """Create the step's tasks; False when the step completed at once (a rule, or everyone passed automatically)."""
        ctx = self._context(s, instance, record, step)
        assignment = assign(chain, step, ctx, rows.approved_before(s, instance, chain, step), dedup)
        if assignment.rule == "skip":
            rows.event(s, instance, "step_skipped", None, step=step.name, reason="no_approver")
            return False
        if assignment.rule == "auto_approve":
            rows.event(s, instance, "step_auto_approved", None, step=step.name, reason="no_approver")
            return False
        s.execute(
            INSTANCES.update()
            .where(INSTANCES.c.id == instance.id)
            .values(step=step.name, step_run=INSTANCES.c.step_run + 1)
        )
        instance = rows.load_instance(s, instance.id)
        rows.event(
            s,
            instance,
            "step_started",
            None,
            step=step.name,
            to_admins=assignment.to_admins,
            approvers=[p for p, _ in assignment.people],
        )
        self._create_tasks(s, instance, step, assignment)
        if self._settle(s, instance, chain, record, step):
            return False
        timeouts.schedule(s, instance, step, utcnow())
        return True

    def _create_tasks(
        self, s: Session, instance: Any, step: StepDef, assignment: Assignment, origin: str = "assigned"
    ) -> None:
        now, first_open = utcnow(), True
        for position, (person, passed) in enumerate(assignment.people):
            if passed:
                task_id = self._insert_task(
                    s, instance, step.name, position, person, "approved", origin, decided_by=person, decided_at=now
                )
                rows.event(
                    s, instance, "auto_approve", None, step=step.name, task_id=task_id, reason=passed, approver=person
                )
                continue
            status = "pending" if step.mode != "sequential" or first_open else "waiting"
            first_open = False
            self._insert_task(s, instance, step.name, position, person, status, origin)

    def _insert_task(
        self,
        s: Session,
        instance: Any,
        step: str,
        position: int,
        person: str,
        status: str,
        origin: str,
        by: str | None = None,
        **values: Any,
    ) -> int:
        """`by`: who hands the task over (a transfer, an add-sign), named in the newcomer's notification."""
        assignee, delegated_from = delegate_of(s, self.today(), person), None
        if assignee != person and status in ("pending", "waiting") and not self._kept_from(instance, assignee):
            delegated_from = person
        else:
            assignee = person
        task_id = s.execute(
            TASKS.insert().values(
                instance_id=instance.id,
                round=instance.round,
                step=step,
                step_run=instance.step_run,
                position=position,
                assignee=assignee,
                status=status,
                origin=origin,
                delegated_from=delegated_from,
                created_at=utcnow(),
                **values,
            )
        ).inserted_primary_key[0]
        if status == "pending":
            notices.task_opened(self.runtime, s, instance, step, assignee, origin, actor=by)
        return task_id

    def _settle(self, s: Session, instance: Any, chain: ChainDef, record: Any, step: StepDef) -> bool:
        """Complete the step if its mode is satisfied (then move on) and say so; otherwise open the next sequential task."""
        tasks = rows.step_tasks(s, instance, step.name)
        base = [t for t in tasks if t.origin not in ADDED]
        approved = sum(t.status == "approved" for t in base)
        added_open = any(t.origin in ADDED and t.status != "approved" for t in tasks)
        if approved >= step.needed(len(base)) and not added_open:
            rows.close_open_tasks(s, instance, step.name, "no_response")
            rows.event(s, instance, "step_approved", None, step=step.name)
            return True
        if step.mode == "sequential" and not any(t.status == "pending" for t in tasks):
            waiting = [t for t in tasks if t.status == "waiting" and t.waiting_for is None]
            if waiting:
                following = min(waiting, key=lambda t: t.position)
                s.execute(TASKS.update().where(TASKS.c.id == following.id).values(status="pending"))
                notices.task_opened(self.runtime, s, instance, step.name, following.assignee, following.origin)
        return False

    def _after_step(self, s: Session, instance: Any, chain: ChainDef, record: Any, step: StepDef) -> None:
        if self._settle(s, instance, chain, record, step):
            self._advance(s, rows.load_instance(s, instance.id), chain, record, step.index)

    def _finish(self, s: Session, instance: Any, chain: ChainDef, record: Any, outcome: str) -> None:
        rows.close_open_tasks(s, instance, None, "no_response")
        s.execute(
            INSTANCES.update()
            .where(INSTANCES.c.id == instance.id)
            .values(status=outcome, step=None, finished_at=utcnow(), updated_at=utcnow())
        )
        instance = rows.load_instance(s, instance.id)
        rows.event(s, instance, outcome, None)
        notices.decided(self.runtime, s, instance, outcome)
        result = chain.on_approve if outcome == APPROVED else chain.on_reject
        self._apply_outcome(s, instance, record, result.set)
        if result.notify:
            self._notify(s, instance, chain, record, result.notify, "notify")
        if chain.cc and chain.cc_at in ("end", "both"):
            self._notify(s, instance, chain, record, chain.cc, "cc")
        self._announce(s, instance, outcome, rows.last_actor(s, instance))

    def _apply_outcome(self, s: Session, instance: Any, record: Any, values: dict[str, Any]) -> None:
        """Set the chain's fields on the record (constants, or CEL on the record as it is now)."""
        if not values:
            return
        entity, directory = self._entity(instance), self._directory(s)
        ctx, applied = Context(directory, self.runtime.catalog, entity, record, instance.submitter), {}
        chosen: dict[str, Any] = {}
        for name, value in values.items():
            f = entity.field(name)
            if isinstance(value, dict):
                expression = compile_expression(
                    value["expr"],
                    entity_variables(entity, self.runtime.catalog),
                    expect=field_variable(f, self.runtime.catalog),
                )
                try:
                    value = expression.evaluate(
                        ctx.values(), user=ctx.user(), where=f"{entity.qualified} approval outcome"
                    )
                except ExpressionFailed as failed:
                    raise WorkflowError(CANNOT_SET, field=f.label, reason=failed.reason) from None
            chosen[name] = value
            applied[name] = None if value is None else str(value)
        self._set_fields(s, entity, record, chosen)
        rows.event(s, instance, "fields_set", None, fields=applied)

    def _set_fields(self, s: Session, entity: Any, record: Any, values: dict[str, Any]) -> None:
        """The chain's outcome through the record lifecycle, written by the system: the fields it names may be
        read-only to users, the record is the one its own approval locks, and a decision taken is not undone by a
        validation rule (docs/workflow.md)."""
        try:
            save_record(
                self.runtime,
                Actor.system(),
                entity,
                record,
                values,
                session=s,
                skip={SKIP_READ_ONLY, SKIP_LOCKS, SKIP_RULES},
            )
        except RecordRejected as rejected:
            name, messages = next(iter(rejected.errors.items()))
            label = entity.field(name).label if entity.field(name) is not None else name
            raise WorkflowError(CANNOT_SET, field=label, reason=" ".join(map(str, messages))) from None

    def _announce(self, s: Session, instance: Any, event: str, actor: str | None) -> None:
        """Tell the record's listeners (automations) of an approval event, in this transaction; a refusal undoes the
        action, with the listener's message."""
        try:
            announce(RecordSignal(self.runtime, s, instance.entity, instance.record_id, f"approval.{event}", actor))
        except SignalRefused as refused:
            raise WorkflowError(LISTENER_REFUSED, reason=str(refused)) from None

    def _notify(self, s: Session, instance: Any, chain: ChainDef, record: Any, sources: tuple, action: str) -> None:
        people = resolve(sources, self._context(s, instance, record, None))
        rows.event(s, instance, action, None, recipients=people)
        notices.copied(self.runtime, s, instance, people, action)

    # -- decisions --------------------------------------------------------------------
    def approve(self, task_id: int, user: str, *, comment: str | None = None, attachments: Sequence[dict] = ()) -> None:
        self._run(lambda s: self._approve(s, task_id, user, comment, list(attachments)))

    def _approve(self, s: Session, task_id: int, user: str, comment: str | None, attachments: list[dict]) -> None:
        instance, chain, task, step = self._open_task(s, task_id, user)
        rows.decide(s, task, user, "approved", comment)
        rows.event(
            s, instance, "approve", user, step=step.name, task_id=task_id, comment=comment, attachments=attachments
        )
        if task.origin == "added_before":
            for waited in s.execute(
                TASKS.update()
                .where(TASKS.c.waiting_for == task_id, TASKS.c.status == "waiting")
                .values(status="pending", waiting_for=None)
                .returning(TASKS.c.assignee, TASKS.c.origin)
            ).all():
                notices.task_opened(self.runtime, s, instance, step.name, waited.assignee, waited.origin)
        self._after_step(s, instance, chain, self._record(s, instance), step)

    def reject(self, task_id: int, user: str, *, comment: str | None = None, attachments: Sequence[dict] = ()) -> None:
        """Reject; the step's `on_reject` says whether the request ends, goes back, or returns to the submitter."""
        self._run(lambda s: self._reject(s, task_id, user, comment, list(attachments)))

    def _reject(self, s: Session, task_id: int, user: str, comment: str | None, attachments: list[dict]) -> None:
        instance, chain, task, step = self._open_task(s, task_id, user)
        rows.decide(s, task, user, "rejected", comment)
        rows.event(
            s, instance, "reject", user, step=step.name, task_id=task_id, comment=comment, attachments=attachments
        )
        record = self._record(s, instance)
        if step.mode == "quorum" and task.origin not in ADDED and self._quorum_still_possible(s, instance, step):
            self._after_step(s, instance, chain, record, step)
            return
        self._step_rejected(s, instance, chain, record, step)

    def _step_rejected(self, s: Session, instance: Any, chain: ChainDef, record: Any, step: StepDef) -> None:
        """The step is rejected (by a person, or by its timeout): its `on_reject` says where the request goes."""
        rows.close_open_tasks(s, instance, step.name, "no_response")
        rows.event(s, instance, "step_rejected", None, step=step.name, rule=step.on_reject)
        if step.on_reject == "reject":
            self._finish(s, instance, chain, record, REJECTED)
        elif step.on_reject == "submitter":
            self._return_to_submitter(s, instance)
        else:
            target = (
                self._previous_step(s, instance, chain, step)
                if step.on_reject == "previous"
                else chain.step(step.on_reject)
            )
            if target is None or not rows.ran(s, instance, target.name):
                self._return_to_submitter(s, instance)
            else:
                self._restart(s, instance, chain, record, target)

    def _quorum_still_possible(self, s: Session, instance: Any, step: StepDef) -> bool:
        base = [t for t in rows.step_tasks(s, instance, step.name) if t.origin not in ADDED]
        approved = sum(t.status == "approved" for t in base)
        open_ = sum(t.status in ("pending", "waiting") for t in base)
        return approved + open_ >= step.needed(len(base))

    def return_to(
        self, task_id: int, user: str, step_name: str, *, comment: str | None = None, attachments: Sequence[dict] = ()
    ) -> None:
        """Send the request back to an earlier step of this round, which starts again."""
        self._run(lambda s: self._return_to(s, task_id, user, step_name, comment, list(attachments)))

    def _return_to(
        self, s: Session, task_id: int, user: str, step_name: str, comment: str | None, attachments: list[dict]
    ) -> None:
        instance, chain, task, step = self._open_task(s, task_id, user)
        target = chain.step(step_name)
        if target is None or target.index >= step.index or not rows.ran(s, instance, target.name):
            earlier = [x.label for x in chain.steps[: step.index] if rows.ran(s, instance, x.name)]
            raise WorkflowError(NOT_EARLIER, step=step_label(chain, step_name), earlier=earlier or [NO_STEPS])
        rows.decide(s, task, user, "returned", comment)
        rows.event(
            s,
            instance,
            "return",
            user,
            step=step.name,
            task_id=task_id,
            comment=comment,
            attachments=attachments,
            to=target.name,
        )
        rows.close_open_tasks(s, instance, step.name, "no_response")
        self._announce(s, instance, "returned", user)
        self._restart(s, instance, chain, self._record(s, instance), target)

    def _restart(self, s: Session, instance: Any, chain: ChainDef, record: Any, step: StepDef) -> None:
        """Run `step` again (after a rejection or return): its approvers decide anew, nobody is passed by dedup."""
        if not self._start_step(s, instance, chain, record, step, dedup=False):
            self._advance(s, rows.load_instance(s, instance.id), chain, record, step.index)

    def _return_to_submitter(self, s: Session, instance: Any) -> None:
        s.execute(INSTANCES.update().where(INSTANCES.c.id == instance.id).values(status=RETURNED, step=None))
        rows.event(s, rows.load_instance(s, instance.id), "returned_to_submitter", None)
        self._announce(s, instance, "returned", rows.last_actor(s, instance))

    def _previous_step(self, s: Session, instance: Any, chain: ChainDef, step: StepDef) -> StepDef | None:
        return next((x for x in reversed(chain.steps[: step.index]) if rows.ran(s, instance, x.name)), None)

    # -- other actions ---------------------------------------------------------------
    def withdraw(self, instance_id: int, user: str, *, comment: str | None = None) -> None:
        """The submitter takes the request back while it is undecided; open tasks are cancelled."""

        def run(s: Session) -> None:
            instance = rows.lock(s, instance_id)
            if instance.submitter != user:
                raise NotAllowed(ONLY_SUBMITTER_WITHDRAWS, submitter=instance.submitter)
            if instance.status != PENDING:
                raise AlreadyDecided(CANNOT_WITHDRAW, status=STATUS[instance.status])
            rows.close_open_tasks(s, instance, None, "cancelled")
            s.execute(INSTANCES.update().where(INSTANCES.c.id == instance_id).values(status=WITHDRAWN, step=None))
            rows.event(s, instance, "withdraw", user, comment=comment)
            self._announce(s, instance, "withdrawn", user)

        self._run(run)

    def move_to_current(self, instance_id: int, user: str, reason: str) -> str:
        """An admin moves a running request onto the current version of its chain (docs/workflow.md, "Moving an
        instance"): the open tasks are cancelled and the step of the same name starts again on the new version, or,
        when it has none, the first step that runs. Returns the version it moved to."""

        def run(s: Session) -> str:
            instance = rows.lock(s, instance_id)
            if not is_admin(self._directory(s), user):
                raise NotAllowed(ONLY_ADMINS_MOVE)
            if not reason.strip():
                raise WorkflowError(REASON_NEEDED)
            if instance.status != PENDING:
                raise Conflict(NOT_RUNNING, status=STATUS[instance.status])
            chain = self.runtime.catalog.chains.get(instance.chain)
            if chain is None:
                raise Conflict(CHAIN_GONE, chain=instance.chain)
            if chain.version == instance.chain_version:
                raise Conflict(ALREADY_CURRENT, version=chain.version)
            target = chain.step(instance.step) if instance.step else None
            rows.close_open_tasks(s, instance, None, "cancelled")
            s.execute(
                INSTANCES.update()
                .where(INSTANCES.c.id == instance_id)
                .values(chain_version=chain.version, snapshot=chain.snapshot(), step=None)
            )
            moved = rows.load_instance(s, instance_id)
            rows.event(
                s,
                moved,
                "moved",
                user,
                step=instance.step,
                comment=reason.strip(),
                from_version=instance.chain_version,
                to_version=chain.version,
                to_step=target.name if target is not None else None,
            )
            record = self._record(s, moved)
            if target is None:
                self._advance(s, moved, chain, record, -1)
            else:
                self._restart(s, moved, chain, record, target)
            return chain.version

        return self._run(run)

    def reopen(self, instance_id: int, user: str, reason: str) -> None:
        """Take an approved request back (the chain's `lock.reopen` says who may, admins always): the record is no
        longer locked by the approval, and the submitter's next submission starts on the chain's current version."""

        def run(s: Session) -> None:
            instance = rows.lock(s, instance_id)
            lock = chain_from_snapshot(instance.snapshot).lock
            if not is_admin(self._directory(s), user):
                if lock.reopen != "submitter":
                    raise NotAllowed(ONLY_ADMINS_REOPEN)
                if instance.submitter != user:
                    raise NotAllowed(ONLY_SUBMITTER_REOPENS, submitter=instance.submitter)
            if not reason.strip():
                raise WorkflowError(REASON_NEEDED)
            if instance.status != APPROVED:
                raise Conflict(NOT_APPROVED, status=STATUS[instance.status])
            s.execute(INSTANCES.update().where(INSTANCES.c.id == instance_id).values(status=WITHDRAWN, step=None))
            rows.event(s, instance, "reopen", user, comment=reason.strip())

        self._run(run)

    def transfer(self, task_id: int, user: str, to: str, *, comment: str | None = None) -> int:
        """Hand one's task to someone else, who decides in one's place; returns the new task's id."""

        def run(s: Session) -> int:
            instance, _, task, step = self._open_task(s, task_id, user)
            self._check_newcomer(s, instance, step, to)
            rows.decide(s, task, user, "transferred", comment)
            new_id = self._insert_task(s, instance, step.name, task.position, to, "pending", "transferred", by=user)
            rows.event(s, instance, "transfer", user, step=step.name, task_id=task_id, comment=comment, to=to)
            return new_id

        return self._run(run)

    def add_approver(self, task_id: int, user: str, who: str, *, before: bool, comment: str | None = None) -> int:
        """Add-sign: `who` approves before oneself (one's task waits for theirs) or after (one approves now)."""

        def run(s: Session) -> int:
            instance, chain, task, step = self._open_task(s, task_id, user)
            self._check_newcomer(s, instance, step, who)
            if before:
                new_id = self._insert_task(
                    s, instance, step.name, task.position, who, "pending", "added_before", by=user
                )
                s.execute(TASKS.update().where(TASKS.c.id == task_id).values(status="waiting", waiting_for=new_id))
                rows.event(s, instance, "add_before", user, step=step.name, task_id=task_id, comment=comment, added=who)
                return new_id
            rows.decide(s, task, user, "approved", comment)
            new_id = self._insert_task(s, instance, step.name, task.position, who, "pending", "added_after", by=user)
            rows.event(s, instance, "add_after", user, step=step.name, task_id=task_id, comment=comment, added=who)
            self._after_step(s, instance, chain, self._record(s, instance), step)
            return new_id

        return self._run(run)

    def _check_newcomer(self, s: Session, instance: Any, step: StepDef, person: str) -> None:
        if not self._directory(s).is_active(person):
            raise WorkflowError(NOT_ACTIVE, person=person)
        if self._kept_from(instance, person):
            raise NotAllowed(SELF_APPROVAL, person=person)
        open_people = {
            t.assignee for t in rows.step_tasks(s, instance, step.name) if t.status in ("pending", "waiting")
        }
        if person in open_people:
            raise WorkflowError(HAS_TASK, person=person, step=step.label)

    def urge(self, instance_id: int, user: str, *, comment: str | None = None) -> list[str]:
        """The submitter reminds the people the request waits for; returns who was reminded."""

        def run(s: Session) -> list[str]:
            instance = rows.lock(s, instance_id)
            if instance.submitter != user:
                raise NotAllowed(ONLY_SUBMITTER_URGES, submitter=instance.submitter)
            if instance.status != PENDING:
                raise WorkflowError(NOBODY_TO_URGE, status=STATUS[instance.status])
            people = rows.waiting_for(s, instance)
            rows.event(s, instance, "urge", user, step=instance.step, comment=comment, recipients=people)
            notices.reminded(self.runtime, s, instance, people, user, comment)
            return people

        return self._run(run)

    def comment(self, instance_id: int, user: str, text: str, *, attachments: Sequence[dict] = ()) -> None:
        def run(s: Session) -> None:
            instance = rows.lock(s, instance_id)
            rows.event(s, instance, "comment", user, step=instance.step, comment=text, attachments=list(attachments))

        self._run(run)

    def delegate(self, user: str, to: str, starts_on: date, ends_on: date) -> int:
        """Out of office: `to` gets `user`'s tasks from `starts_on` to `ends_on` (inclusive). No circles."""

        def run(s: Session) -> int:
            if ends_on < starts_on:
                raise WorkflowError(ENDS_BEFORE_START)
            if to == user:
                raise WorkflowError(SELF_DELEGATION)
            if not self._directory(s).is_active(to):
                raise WorkflowError(NOT_ACTIVE, person=to)
            circle = circle_through(s, user, to, starts_on, ends_on)
            if circle:
                raise WorkflowError(CIRCLE, circle=" → ".join(circle))
            delegation_id = s.execute(
                DELEGATIONS.insert().values(
                    delegator=user, delegate=to, starts_on=starts_on, ends_on=ends_on, created_at=utcnow()
                )
            ).inserted_primary_key[0]
            if starts_on <= self.today() <= ends_on:
                self._hand_over_open_tasks(s, user)
            return delegation_id

        return self._run(run)

    def _hand_over_open_tasks(self, s: Session, user: str) -> None:
        """Move `user`'s open tasks to their delegate. The requests are locked one by one in instance order (as every
        action locks its request first), and each task moves only if it is still `user`'s and open by then."""
        delegate = delegate_of(s, self.today(), user)
        open_tasks = s.execute(
            sa.select(TASKS.c.id, TASKS.c.instance_id)
            .where(TASKS.c.assignee == user, TASKS.c.status.in_(("pending", "waiting")))
            .order_by(TASKS.c.instance_id, TASKS.c.id)
        ).all()
        for task_id, instance_id in open_tasks:
            instance = rows.lock(s, instance_id)
            if self._kept_from(instance, delegate):
                continue  # the delegate submitted this request: the task stays with `user`
            moved = s.execute(
                TASKS.update()
                .where(TASKS.c.id == task_id, TASKS.c.assignee == user, TASKS.c.status.in_(("pending", "waiting")))
                .values(assignee=delegate, delegated_from=sa.func.coalesce(TASKS.c.delegated_from, user))
            )
            if moved.rowcount != 1:
                continue  # decided, transferred or moved meanwhile
            task = s.execute(sa.select(TASKS.c.step, TASKS.c.status).where(TASKS.c.id == task_id)).one()
            rows.event(s, instance, "delegated", user, step=task.step, task_id=task_id, to=delegate)
            if task.status == "pending":
                notices.task_opened(self.runtime, s, instance, task.step, delegate, "delegated", actor=user)

    @staticmethod
    def _kept_from(instance: Any, person: str) -> bool:
        """The chain's self_approval applied to someone who becomes an approver after the step's people were
        resolved (a transfer, an added approver, a delegate): with `exclude` or `pass` the submitter may not be one."""
        return person == instance.submitter and chain_from_snapshot(instance.snapshot).self_approval != "allow"

    def replace_inactive_approvers(self, instance_id: int) -> list[str]:
        """Tasks of people deactivated since they were asked are cancelled; a step left with nobody follows `no_approver`.

        Returns who was replaced. Meant for the worker that later runs timeouts, and for an admin's button.
        """

        def run(s: Session) -> list[str]:
            instance = rows.lock(s, instance_id)
            if instance.status != PENDING or instance.step is None:
                return []
            directory, chain = self._directory(s), chain_from_snapshot(instance.snapshot)
            step = chain.step(instance.step)
            tasks = rows.step_tasks(s, instance, step.name)
            gone = [t for t in tasks if t.status in ("pending", "waiting") and not directory.is_active(t.assignee)]
            for task in gone:
                s.execute(TASKS.update().where(TASKS.c.id == task.id).values(status="replaced"))
                rows.event(
                    s, instance, "approver_replaced", None, step=step.name, task_id=task.id, approver=task.assignee
                )
            if not gone:
                return []
            record = self._record(s, instance)
            if not any(t.status in ("pending", "waiting") for t in rows.step_tasks(s, instance, step.name)):
                assignment = no_approver(chain, self._context(s, instance, record, step))
                if assignment.rule is None:
                    self._create_tasks(s, instance, step, assignment)
                else:
                    rows.event(
                        s,
                        instance,
                        "step_auto_approved" if assignment.rule == "auto_approve" else "step_skipped",
                        None,
                        step=step.name,
                        reason="no_approver",
                    )
                    rows.close_open_tasks(s, instance, step.name, "no_response")
                    self._advance(s, instance, chain, record, step.index)
                    return [t.assignee for t in gone]
            self._after_step(s, instance, chain, record, step)
            return [t.assignee for t in gone]

        return self._run(run)

    # -- timeouts and reminders (workflow/timeouts.py calls these in the transaction that claimed the job) ----
    def time_out(self, s: Session, instance: Any, step: StepDef) -> str:
        """The current step ran out of time: approve or reject it as `system`, or escalate it. Returns the action."""
        chain, record, timeout = chain_from_snapshot(instance.snapshot), self._record(s, instance), step.timeout
        reason = f"timed out after {timeout.after}"
        if timeout.action == "escalate":
            self._escalate(s, instance, chain, record, step, reason)
            return timeout.action
        rows.event(
            s,
            instance,
            "timeout",
            SYSTEM,
            step=step.name,
            comment=reason,
            then=timeout.action,
            after=timeout.after.text,
        )
        if timeout.action == "reject":
            self._step_rejected(s, instance, chain, record, step)
            return timeout.action
        rows.close_open_tasks(s, instance, step.name, "no_response")
        rows.event(s, instance, "step_approved", None, step=step.name)
        self._advance(s, instance, chain, record, step.index)
        return timeout.action

    def _escalate(self, s: Session, instance: Any, chain: ChainDef, record: Any, step: StepDef, reason: str) -> None:
        """The people of `timeout.to` replace whoever has not decided yet (their tasks become `escalated`).

        The escalation goes through the same policies as a step's approvers (inactive people left out,
        self-approval, no_approver); approvals already given still count towards the step's mode.
        """
        escalation = replace(step, approvers=step.timeout.to)
        assignment = assign(chain, escalation, self._context(s, instance, record, step), [], dedup=False)
        open_tasks = [t for t in rows.step_tasks(s, instance, step.name) if t.status in ("pending", "waiting")]
        s.execute(
            TASKS.update()
            .where(TASKS.c.id.in_([t.id for t in open_tasks]))
            .values(status="escalated", decided_at=utcnow())
        )
        rows.event(
            s,
            instance,
            "timeout",
            SYSTEM,
            step=step.name,
            comment=reason,
            then="escalate",
            after=step.timeout.after.text,
            replaced=[t.assignee for t in open_tasks],
            approvers=[p for p, _ in assignment.people],
            to_admins=assignment.to_admins,
        )
        if assignment.rule is not None:  # nobody to escalate to, and the chain approves or skips such steps
            rows.event(
                s,
                instance,
                "step_auto_approved" if assignment.rule == "auto_approve" else "step_skipped",
                None,
                step=step.name,
                reason="no_approver",
            )
            self._advance(s, instance, chain, record, step.index)
            return
        self._create_tasks(s, instance, step, assignment, origin="escalated")
        self._after_step(s, instance, chain, record, step)

    def remind(self, s: Session, instance: Any, step: StepDef) -> list[str]:
        """The step's reminder: an `urge` event by `system` naming who the request waits for (the notifier reads it)."""
        people = rows.waiting_for(s, instance)
        rows.event(s, instance, "urge", SYSTEM, step=step.name, recipients=people, every=step.remind_every.text)
        notices.reminded(self.runtime, s, instance, people, None)
        return people

    # -- reading ----------------------------------------------------------------------
    def status(self, entity: str, record_id: int) -> ApprovalStatus | None:
        """The record's approval state, or None when it was never submitted."""

        def read(s: Session) -> ApprovalStatus | None:
            row = s.execute(
                sa.select(INSTANCES).where(INSTANCES.c.entity == entity, INSTANCES.c.record_id == record_id)
            ).first()
            if row is None:
                return None
            return ApprovalStatus(
                row.id,
                row.chain,
                row.chain_version,
                row.status,
                row.round,
                row.step,
                rows.waiting_for(s, row),
                row.submitter,
            )

        return self._read(read)

    def tasks(self, instance_id: int) -> list[Any]:
        return self._read(
            lambda s: s.execute(sa.select(TASKS).where(TASKS.c.instance_id == instance_id).order_by(TASKS.c.id)).all()
        )

    def pending_tasks(self, user: str) -> list[Any]:
        """A user's inbox: their open tasks, oldest first."""
        return self._read(
            lambda s: s.execute(
                sa.select(TASKS).where(TASKS.c.assignee == user, TASKS.c.status == "pending").order_by(TASKS.c.id)
            ).all()
        )

    def history(self, instance_id: int) -> list[Any]:
        return self._read(
            lambda s: s.execute(
                sa.select(EVENTS).where(EVENTS.c.instance_id == instance_id).order_by(EVENTS.c.id)
            ).all()
        )

    def editable_fields(self, entity: str, record_id: int, user: str) -> set[str] | None:
        """What `user` may change on the record now: None when approval does not lock it (never submitted, returned,
        withdrawn, or decided with nothing locked), the fields the current step lets its open approvers edit while
        it is in approval, and the fields its chain's `lock` leaves free once it is decided (admins may change more,
        giving a reason: workflow/lock.py)."""

        def read(s: Session) -> set[str] | None:
            decided = decided_lock(s, entity, record_id)
            if decided is None:
                return editable_in(s, entity, record_id, user)
            row, lock = decided
            return {f.name for f in self.runtime.catalog.entities[entity].fields if not lock.locks(row.status, f.name)}

        return self._read(read)

    def _read(self, query: Callable[[Session], T]) -> T:
        s = self.runtime.session()
        try:
            return query(s)
        finally:
            s.rollback()

    # -- helpers ------------------------------------------------------------------------
    def _open_task(self, s: Session, task_id: int, user: str) -> tuple[Any, ChainDef, Any, StepDef]:
        """The instance (locked), its chain, the task and its step, for a decision by `user` on the task."""
        owner = sa.select(TASKS.c.instance_id).where(TASKS.c.id == task_id).scalar_subquery()
        done = s.execute(INSTANCES.update().where(INSTANCES.c.id == owner).values(updated_at=utcnow()))
        if done.rowcount != 1:
            raise NotFound(NO_TASK, task=task_id)
        task = s.execute(sa.select(TASKS).where(TASKS.c.id == task_id)).one()
        instance = rows.load_instance(s, task.instance_id)
        if task.status != "pending":
            raise rows.already(task)
        if task.assignee != user:
            raise NotAllowed(NOT_YOUR_TASK, assignee=task.assignee, user=user)
        chain = chain_from_snapshot(instance.snapshot)
        return instance, chain, task, chain.step(task.step)

    def _entity(self, instance: Any) -> Any:
        return self.runtime.catalog.entities[instance.entity]

    def _label(self, entity: str) -> Label | str:
        """What a refusal calls an entity: its label (the name as given when the catalog has no such entity)."""
        found = self.runtime.catalog.entities.get(entity)
        return found.label if found is not None else entity

    def _role_label(self, role: str) -> Label | str:
        found = self.runtime.catalog.roles.get(role)
        return found.label if found is not None else role

    def _record(self, s: Session, instance: Any) -> Any:
        record = s.get(self.runtime.compiled.model(instance.entity), instance.record_id)
        if record is None:
            raise NotFound(RECORD_DELETED, entity=self._entity(instance).label, id=instance.record_id)
        return record

    def _context(self, s: Session, instance: Any, record: Any, step: StepDef | None) -> Context:
        return Context(
            self._directory(s),
            self.runtime.catalog,
            self._entity(instance),
            record,
            instance.submitter,
            dict(instance.chosen or {}),
            step,
        )

"""The one record lifecycle: every save and delete of a record, from any caller, passes here.

The REST API, imports, seeds, the approval engine and screen deletes are thin adapters: they turn what they
received into values (as the entity's input schema loads them: references as ids) and call `save_record` or
`delete_record` with the actor who writes. A save checks in three stages, the first that finds something answering
alone: the fields the actor may not set; the registered `validate` hooks (the approval lock is one); read-only
fields, child rows, retired values, references and uniques. Then the values are assigned, the `assigned` hooks may
assign more (checked as the caller's were), and the entity logic runs (defaults, formulas, rules; what it refuses
is told to the `refused` hooks, so those that assigned learn the save failed), then the `before_save` hooks, the
flush (audit columns, auto numbers and rollups are filled there) and the `after_save` hooks; `after_commit` hooks
run once the caller's transaction commits. A caller that deliberately skips a check names it in `skip` (see
SKIPPABLE), so the code says so. A screen's form checks with the same functions while FAB validates it, then writes
through `save_assigned_record` (its hooks and flush).

The caller owns the transaction: it commits (an API request, once it has read the saved record back) or rolls back
(an import's dry run). Nothing here commits.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from ..actor import Actor
from ..features import load_features
from ..i18n import CatalogText
from ..meta.model import EntityDef
from ..rights import unchangeable_fields
from .generated import FilledValueRefused
from .logic import (
    FieldErrors,
    compute_formulas,
    fill_defaults,
    record_values,
    save_errors,
)
from .records import (
    RecordInUse,
    StaleRecord,
    change_errors,
    check_deletable,
    check_version,
    read_only_errors,
    reference_errors,
    row_errors,
    stored_values,
    unique_errors,
)
from .schemas import assign_values

if TYPE_CHECKING:
    from ..tenancy.runtime import TenantRuntime

#: checks a caller may skip, each for a reason it states where it skips it
SKIP_READ_ONLY = "read_only"  # the approval engine sets the fields its chain names, read-only to users or not
SKIP_LOCKS = "locks"  # the approval engine writes the record its own approval keeps locked
SKIP_RULES = "rules"  # an approval outcome is final: a validation rule cannot undo a decision already taken
SKIPPABLE = frozenset({SKIP_READ_ONLY, SKIP_LOCKS, SKIP_RULES})


@dataclass
class RecordWrite:
    """One save or delete on its way through the lifecycle: what every hook receives."""

    runtime: TenantRuntime
    session: Session
    actor: Actor
    entity: EntityDef
    record: Any
    values: dict[str, Any]
    created: bool
    #: the record's values before the save, as expressions see them (None for a new record or a delete)
    old: dict[str, Any] | None = None
    skip: frozenset[str] = field(default_factory=frozenset)
    #: what a feature's hooks remember between the events of this one write, under the feature's name
    notes: dict[str, Any] = field(default_factory=dict)


class RecordRejected(Exception):
    """The save broke a rule: `errors` per field (RECORD_ERRORS for the record as a whole). Nothing was written."""

    def __init__(self, errors: FieldErrors, on_flush: bool = False) -> None:
        super().__init__(errors)
        self.errors = errors
        #: refused by the flush (a value filled then took a unique value): the transaction cannot go on
        self.on_flush = on_flush


class RecordConflict(Exception):
    """The database refused the write (a unique value or a reference changed meanwhile, or the record changed):
    the caller's transaction must be rolled back."""


FIELD_NOT_YOURS = CatalogText("Your role may not change this field.")
STALE_SAVE = CatalogText("This record was changed by someone else at the same moment. Reload it and try again.")
CONFLICT = CatalogText(
    "The record conflicts with stored data (a unique value or a reference changed meanwhile); reload and try again."
)
DELETE_CONFLICT = CatalogText("The record is in use or was changed meanwhile; reload and try again.")


def save_record(
    runtime: TenantRuntime,
    actor: Actor,
    entity: EntityDef,
    record: Any | None,
    values: dict[str, Any],
    *,
    session: Session | None = None,
    version: Any = None,
    skip: Iterable[str] = (),
) -> Any:
    """Create (`record` None) or update `record` with `values`; returns the record, flushed, not committed.

    Raises RecordRejected (nothing assigned that will be written), StaleRecord when `version` is not the stored one,
    RecordConflict when the database refuses the flush.
    """
    skip = frozenset(skip)
    unknown = skip - SKIPPABLE
    if unknown:
        raise ValueError(f"cannot skip {', '.join(sorted(unknown))}; skippable: {', '.join(sorted(SKIPPABLE))}")
    session = session if session is not None else runtime.session()
    created = record is None
    if not created:
        check_version(record, version)
    write = RecordWrite(runtime, session, actor, entity, record, dict(values), created, skip=skip)
    _run_hooks("before_validate", write)
    with session.no_autoflush:
        _raise_if(value_errors(write))
        write.record = record if record is not None else runtime.compiled.model(entity.qualified)()
        logic = runtime.compiled.logic[entity.qualified]
        if write.old is None and not created and not logic.is_empty:  # a before_validate hook may have read them
            write.old = record_values(record, entity, session, runtime.compiled)
        assign_values(write.record, entity, write.values, session, runtime.compiled)
        try:
            _run_hooks("assigned", write)
        except RecordRejected:
            _forget(write)
            raise
        errors = logic_errors(write)
        if errors:
            _run_hooks("refused", write)
    if errors:
        _forget(write)
        raise RecordRejected(errors)
    _run_hooks("before_save", write)
    _flush(write)
    _run_hooks("after_save", write)
    _after_commit(write)
    return write.record


def save_assigned_record(
    runtime: TenantRuntime, actor: Actor, entity: EntityDef, record: Any, *, session: Session | None = None
) -> Any:
    """A screen's save: FAB's form has validated the values with the lifecycle's checks (`validate_hook_errors`
    and the same check functions, compile/forms.py) and assigned them to `record`; the hooks and the flush are the
    lifecycle's, as for every other write. The hooks see the changed fields as `values`."""
    session = session if session is not None else runtime.session()
    state = sa.inspect(record)
    changed = {
        f.name: getattr(record, f.name, None)
        for f in entity.fields
        if f.name in state.attrs and state.attrs[f.name].history.has_changes()
    }
    write = RecordWrite(runtime, session, actor, entity, record, changed, created=state.transient or state.pending)
    assigned = dict(write.values)
    with session.no_autoflush:
        _run_hooks("assigned", write)
        errors = logic_errors(write) if write.values != assigned else {}  # what the hooks assigned is checked
        if errors:
            _run_hooks("refused", write)
    if errors:
        raise RecordRejected(errors)
    _run_hooks("before_save", write)
    _flush(write)
    _run_hooks("after_save", write)
    _after_commit(write)
    return record


def validate_hook_errors(write: RecordWrite) -> FieldErrors:
    """What the registered `validate` hooks refuse (the approval lock is one), merged per field."""
    errors: FieldErrors = {}
    for hook in load_features().record_hooks("validate"):
        for name, messages in (hook(write) or {}).items():
            errors.setdefault(name, []).extend(messages)
    return errors


def value_errors(write: RecordWrite) -> FieldErrors:
    """What is wrong with the values themselves, before any is assigned, in three stages (the first that finds
    something answers alone, as the API always did): fields the actor's roles keep it from setting; the registered
    `validate` hooks (the approval lock is one); then read-only fields, child rows of another record, retired
    choices, missing references and taken unique values."""
    entity, data, session = write.entity, write.values, write.session
    stored = None if write.created else write.record
    if SKIP_READ_ONLY not in write.skip and (refused := set(data) & unchangeable_fields(write.entity, write.actor)):
        return {name: [FIELD_NOT_YOURS.localized()] for name in sorted(refused)}
    errors = validate_hook_errors(write)
    if errors:
        return errors
    compiled = write.runtime.compiled
    if SKIP_READ_ONLY not in write.skip:
        errors.update(read_only_errors(entity, data, stored))
    errors.update(row_errors(entity, data, stored))
    errors.update(change_errors(entity, data, stored, compiled))
    errors.update(reference_errors(session, entity, compiled, data, write.actor))
    errors.update(
        unique_errors(
            session,
            entity,
            compiled.model(entity.qualified),
            data,
            None if stored is None else stored.id,
            None if stored is None else stored_values(stored, entity),
        )
    )
    return errors


def logic_errors(write: RecordWrite) -> FieldErrors:
    """The entity's logic on the assigned record: defaults (new records), formulas, field conditions and rules."""
    compiled, entity, session = write.runtime.compiled, write.entity, write.session
    logic = compiled.logic[entity.qualified]
    if logic.is_empty:
        return {}
    new = record_values(write.record, entity, session, compiled)
    errors = fill_defaults(logic, write.record, new, write.actor, session, compiled) if write.created else {}
    errors.update(compute_formulas(logic, write.record, new))
    if SKIP_RULES not in write.skip:
        errors.update(save_errors(logic, new, write.old, write.actor.user))
    return errors


def delete_record(
    runtime: TenantRuntime, actor: Actor, entity: EntityDef, record: Any, *, session: Session | None = None
) -> None:
    """Delete `record` (flushed, not committed): refused with RecordInUse while it is locked or other records still
    point at it, or a `before_delete` hook refuses (a record in approval); RecordConflict when the database does."""
    session = session if session is not None else runtime.session()
    write = RecordWrite(runtime, session, actor, entity, record, {}, created=False)
    check_deletable(session, runtime.catalog, runtime.compiled, entity, record)
    _run_hooks("before_delete", write)
    session.delete(record)
    try:
        session.flush()
    except (StaleDataError, IntegrityError) as refused:
        raise RecordConflict(DELETE_CONFLICT.localized()) from refused
    _after_commit(write)


def _raise_if(errors: FieldErrors) -> None:
    if errors:
        raise RecordRejected(errors)


def _run_hooks(event: str, write: RecordWrite) -> None:
    for hook in load_features().record_hooks(event):
        hook(write)


def _flush(write: RecordWrite) -> None:
    """Write the record; the database's refusals become the lifecycle's errors."""
    session = write.session
    session.add(write.record)
    try:
        session.flush()
    except FilledValueRefused as refused:  # a default or formula filled on flush took a unique value
        raise RecordRejected(refused.errors, on_flush=True) from None
    except StaleDataError as stale:
        raise RecordConflict(STALE_SAVE.localized()) from stale
    except IntegrityError as conflict:
        raise RecordConflict(CONFLICT.localized()) from conflict


def _forget(write: RecordWrite) -> None:
    """A refused save leaves nothing to write: a new record is not added, an existing one forgets the assignment."""
    if write.created:
        if write.record in write.session:
            write.session.expunge(write.record)
    else:
        write.session.expire(write.record)


def _after_commit(write: RecordWrite) -> None:
    hooks = load_features().record_hooks("after_commit")
    if hooks:
        write.session.info.setdefault(_PENDING, []).extend((hook, write) for hook in hooks)


_PENDING = "formwork_after_commit"


def install_after_commit(session_factory: Any) -> None:
    """Run a transaction's pending `after_commit` hooks when it commits, and forget them when it rolls back: on the
    sessions of one tenant (tenancy/apps.tenant_runtime), not on every SQLAlchemy session of the process."""
    sa.event.listen(session_factory, "after_commit", _run_after_commit)
    sa.event.listen(session_factory, "after_rollback", _drop_after_commit)


def _run_after_commit(session: Session) -> None:
    for hook, write in session.info.pop(_PENDING, []):
        hook(write)


def _drop_after_commit(session: Session) -> None:
    session.info.pop(_PENDING, None)


Hook = Callable[[RecordWrite], Any]
__all__ = [
    "RecordWrite",
    "RecordRejected",
    "RecordConflict",
    "RecordInUse",
    "StaleRecord",
    "save_record",
    "save_assigned_record",
    "validate_hook_errors",
    "delete_record",
    "Hook",
    "SKIP_READ_ONLY",
    "SKIP_LOCKS",
    "SKIP_RULES",
]

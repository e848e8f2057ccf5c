"""Record signals and approval starts: the ports through which approvals and automations meet without importing
each other.

The approval engine announces each approval event on a record (`announce`); automations listen in the
RECORD_SIGNALS slot and run the steps of those triggered. An automation's step may start an approval
(`start_approval`); the approvals feature answers in the APPROVAL_STARTERS slot. Both happen inside the caller's
transaction, so an automation's work commits or rolls back with the event that caused it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from ..features import APPROVAL_STARTERS, RECORD_SIGNALS, RecordSignal, load_features

if TYPE_CHECKING:
    from ..actor import Actor
    from .runtime import TenantRuntime


class NoApprovals(LookupError):
    """No loaded feature starts approvals."""


class SignalRefused(Exception):
    """A listener refused what was announced (an automation's step failed): the announcer undoes its action and
    tells the person the message."""


class ApprovalRefused(Exception):
    """The approvals feature refused to start the record's approval; the message says why, in the reader's
    language."""


def announce(signal: RecordSignal) -> None:
    """Tell every listener of RECORD_SIGNALS, in priority order; a listener may raise SignalRefused."""
    for listener in load_features().items(RECORD_SIGNALS):
        listener(signal)


def start_approval(
    runtime: TenantRuntime, session: Session, actor: Actor, entity: str, record_id: int, chain: str | None
) -> None:
    """Submit a record for approval in `session`'s transaction, on `chain` or the one its rules choose; raises
    ApprovalRefused when it cannot be."""
    starters = load_features().items(APPROVAL_STARTERS)
    if not starters:
        raise NoApprovals("no feature starts approvals here")
    starters[0](runtime, session, actor, entity, record_id, chain)

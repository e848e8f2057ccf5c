"""Approvals started by something else than a person pressing Submit: an automation's `start_approval` step, through
the core's port (tenancy/signals.start_approval, the APPROVAL_STARTERS slot)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from ..i18n import CatalogText
from ..tenancy.signals import ApprovalRefused
from .engine import Approvals
from .errors import WorkflowError

if TYPE_CHECKING:
    from ..actor import Actor
    from ..tenancy.runtime import TenantRuntime

OTHER_CHAIN = CatalogText("The record's approval would run on chain {chosen}, not on {chain}.")
NO_SUBMITTER = CatalogText("An approval is submitted by a person; a scheduled run has none to submit it.")


def start_in_transaction(
    runtime: TenantRuntime, session: Session, actor: Actor, entity: str, record_id: int, chain: str | None
) -> None:
    """Submit the record as `actor` in `session`'s transaction, as their Submit would (same chain choice, same
    refusals, raised as the port's ApprovalRefused); with `chain`, only if that is the chain the record's rules
    choose for them."""
    try:
        if actor.username is None:
            raise WorkflowError(NO_SUBMITTER)
        approvals = Approvals(runtime)
        if chain is not None:
            chosen = approvals.submission_chain(session, entity, record_id, actor.username)
            if chosen.qualified != chain:
                raise WorkflowError(OTHER_CHAIN, chosen=chosen.qualified, chain=chain)
        approvals.submit_in(session, entity, record_id, actor.username)
    except WorkflowError as refused:
        raise ApprovalRefused(refused.localized()) from None

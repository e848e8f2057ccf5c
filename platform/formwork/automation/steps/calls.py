"""The steps that reach beyond the record: call a webhook, start an approval, run a server action.

A webhook is queued in the triggering transaction (automation/webhooks) and delivered by the worker after the commit,
signed, retried with backoff, never lost and never sent twice. An approval starts through the core's port
(tenancy/signals.start_approval), as the person who triggered the run would submit it. A server action is Python an
installed feature registered (compile/server_actions.py).
"""

from __future__ import annotations

from typing import Any

from ...compile.lifecycle import RecordConflict, RecordRejected
from ...compile.server_actions import UnknownServerAction, run_server_action, server_action
from ...i18n import say
from ...tenancy.signals import ApprovalRefused, NoApprovals, start_approval
from .. import check_texts as says
from ..webhooks import queue_webhook
from .base import Step, StepFailed, StepRun, StepScope, Value
from .records import refusal

#: a webhook's URL: http(s) only; where it may point is the operator's allow-list's to decide, when it is sent
URL_PATTERN = "^https?://[^\\s/$.?#].[^\\s]*$"


class CallWebhook(Step):
    kind = "webhook"
    description = "POST the record (and `payload`) as signed JSON to a URL, after the save commits"
    schema = {
        "type": "object",
        "required": ["url", "event"],
        "additionalProperties": False,
        "properties": {
            "url": {"type": "string", "pattern": URL_PATTERN},
            "event": {"type": "string", "pattern": "^[a-z][a-z0-9_.]*$", "description": "the payload's `type`"},
            "payload": {"type": "object", "description": "more keys of `data`: a constant, or {expr: CEL}"},
        },
    }

    def prepare(self, options: Any, scope: StepScope) -> None:
        self.url, self.event = str(options["url"]), str(options["event"])
        self.payload: dict[str, Value] = {}
        for key, written in (options.get("payload") or {}).items():
            found = scope.value(written, ("payload", key), None)
            if found is not None:
                self.payload[key] = found

    def run(self, run: StepRun) -> None:
        data = {
            "entity": run.entity.qualified,
            "id": getattr(run.record, "id", None),
            "record": _plain(run.values),
            **{key: _plain(value.of(run)) for key, value in self.payload.items()},
        }
        queue_webhook(
            run.session, url=self.url, event_type=self.event, data=data, now=run.actor.now(), source=run.source
        )


class StartApproval(Step):
    kind = "start_approval"
    description = "submit the record for approval, as the person who triggered the run"
    schema = {
        "type": "object",
        "additionalProperties": False,
        "properties": {"chain": {"$ref": "#/$defs/qualified_name", "description": "default: the one its rules pick"}},
    }

    def prepare(self, options: Any, scope: StepScope) -> None:
        written = (options or {}).get("chain")
        self.chain = None if written is None else (written if "." in written else f"{scope.pack}.{written}")
        chains = scope.catalog.collections.get("chains", {})
        if self.chain is not None and self.chain not in chains:
            scope.problem(("chain",), say(says.CHAIN_NOT_DEFINED, chain=self.chain))
        elif not any(chain.entity == scope.entity.qualified for chain in chains.values()):
            scope.problem((), say(says.NO_CHAIN_ON, entity=scope.entity.qualified))

    def run(self, run: StepRun) -> None:
        if run.record is None:
            raise StepFailed("the record was deleted; it cannot be submitted")
        try:
            start_approval(run.runtime, run.session, run.actor, run.entity.qualified, run.record.id, self.chain)
        except (NoApprovals, ApprovalRefused) as refused:
            raise StepFailed(str(refused)) from None


class RunServerAction(Step):
    kind = "run"
    description = "run a server action an installed feature registered (docs/extending.md)"
    schema = {"type": "string", "pattern": "^[a-z][a-z0-9_.]*$", "description": "the server action's name"}

    def prepare(self, options: Any, scope: StepScope) -> None:
        self.name = str(options)
        try:
            server_action(self.name, scope.entity)
        except UnknownServerAction as unknown:
            scope.problem((), unknown.message)

    def run(self, run: StepRun) -> None:
        if run.record is None:
            raise StepFailed("the record was deleted; a server action needs one")
        try:
            told = run_server_action(
                run.runtime, run.actor, self.name, run.entity, run.record, session=run.session, skip=run.skip
            )
        except (RecordRejected, RecordConflict) as refused:
            raise StepFailed(refusal(run.entity, refused)) from None
        if told:
            run.messages.append(told)
        run.refresh()


def _plain(value: Any) -> Any:
    """A value as JSON carries it: records as their values, dates and decimals as text."""
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)

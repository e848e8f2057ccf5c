"""Typed approval chains: what an ApprovalChain document means once it is validated.

A running instance keeps the document's data (its snapshot) and is rebuilt
from it with `chain_from_snapshot`, so a chain changed mid-flight never
changes the instances already running on it.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import timedelta
from math import ceil
from typing import Any

from ..i18n import Label, humanize
from ..meta.model import qualify
from ..meta.yamlload import Document

#: the approver sources, in the order the docs list them (each a one-key mapping in YAML)
SOURCES = ("users", "role", "manager", "department_head", "field", "submitter_choice", "expr")
#: a duration in chain documents: a whole number and a unit, `30m`, `4h` or `2d` (the schema checks the same pattern)
DURATION = re.compile(r"^([1-9][0-9]{0,3})([mhd])$")
UNITS = {"m": ("minutes", "minute"), "h": ("hours", "hour"), "d": ("days", "day")}


@dataclass(frozen=True)
class ApproverSource:
    """One entry of `approvers`: `kind` is one of SOURCES, `value` what the YAML gave it. `index` is its place."""

    kind: str
    value: Any
    index: int


@dataclass(frozen=True)
class Duration:
    """`30m`, `4h` or `2d` as written in the chain; `delta` is what the engine adds to a step's start."""

    text: str

    @property
    def delta(self) -> timedelta:
        amount, unit = DURATION.match(self.text).groups()
        return timedelta(**{UNITS[unit][0]: int(amount)})

    def __str__(self) -> str:
        """In words, for events: "2 days", "1 hour"."""
        amount, unit = DURATION.match(self.text).groups()
        return f"{amount} {UNITS[unit][amount == '1']}"


@dataclass(frozen=True)
class Timeout:
    """What happens to a step nobody finished in time: `approve`, `reject`, or `escalate` to the people of `to`."""

    after: Duration
    action: str
    to: tuple[ApproverSource, ...] = ()


@dataclass(frozen=True)
class Outcome:
    """on_approve / on_reject: fields to set on the record and people to notify."""

    set: dict[str, Any] = field(default_factory=dict)
    notify: tuple[ApproverSource, ...] = ()


#: what `lock` says of an outcome: every field, its child rows and files (`all`), nothing (`none`), or a list of fields
ALL, NONE = "all", "none"


@dataclass(frozen=True)
class DecisionLock:
    """What a decided request keeps as decided (`lock:` in the chain; docs/workflow.md, "The record lock"): per outcome
    `all`, `none` or the names of the fields (a child table's name covers its rows); `reopen` says who may reopen an
    approved request: `admin` (tenant admins) or `submitter` (the submitter too)."""

    approved: str | tuple[str, ...] = ALL
    rejected: str | tuple[str, ...] = NONE
    reopen: str = "admin"

    def scope(self, outcome: str) -> str | tuple[str, ...]:
        """What `outcome` (a request's status) locks: ALL, NONE or field names; nothing for a request not decided."""
        return getattr(self, outcome) if outcome in ("approved", "rejected") else NONE

    def locks(self, outcome: str, name: str) -> bool:
        scope = self.scope(outcome)
        return scope == ALL or (scope != NONE and name in scope)


def _lock(data: dict[str, Any] | None) -> DecisionLock:
    data = data or {}
    scopes = {k: v if isinstance(v, str) else tuple(v) for k, v in data.items() if k in ("approved", "rejected")}
    return DecisionLock(**scopes, reopen=data.get("reopen", "admin"))


@dataclass(frozen=True)
class StepDef:
    name: str
    label: Label
    index: int
    approvers: tuple[ApproverSource, ...]
    when: str | None = None
    mode: str = "any"
    quorum: int | str | None = None
    on_reject: str = "reject"
    editable: tuple[str, ...] = ()
    timeout: Timeout | None = None
    remind_every: Duration | None = None

    def needed(self, assigned: int) -> int:
        """How many approvals complete the step when `assigned` people were asked."""
        if self.mode == "any":
            return min(1, assigned)
        if self.mode != "quorum":
            return assigned
        if isinstance(self.quorum, str):
            return min(assigned, max(1, ceil(assigned * int(self.quorum.rstrip("%")) / 100)))
        return min(assigned, int(self.quorum or 1))


@dataclass
class ChainDef:
    pack: str
    name: str
    entity: str
    label: Label
    steps: list[StepDef]
    document: Document
    when: str | None = None
    submitter_roles: tuple[str, ...] = ()
    #: who may submit a record: `owner`, `field`, `role` sources (workflow/submitters.py); empty: the default there
    submitters: tuple[ApproverSource, ...] = ()
    no_approver: str = "admin"
    dedup: str = "off"
    self_approval: str = "allow"
    cc: tuple[ApproverSource, ...] = ()
    cc_at: str = "both"
    on_approve: Outcome = field(default_factory=Outcome)
    on_reject: Outcome = field(default_factory=Outcome)
    lock: DecisionLock = field(default_factory=DecisionLock)

    @property
    def qualified(self) -> str:
        return f"{self.pack}.{self.name}"

    def step(self, name: str) -> StepDef | None:
        return next((s for s in self.steps if s.name == name), None)

    @property
    def version(self) -> str:
        """The content hash of the document: instances record the version they started on."""
        text = json.dumps(self.document.data, sort_keys=True, default=str, ensure_ascii=False)
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def snapshot(self) -> dict[str, Any]:
        """What an instance stores to finish on this version even after the pack changes."""
        return {"pack": self.pack, "file": self.document.file, "data": self.document.data}


def _sources(entries: list[dict[str, Any]]) -> tuple[ApproverSource, ...]:
    return tuple(ApproverSource(kind, value, i) for i, entry in enumerate(entries) for kind, value in entry.items())


def _submitters(entries: list[Any]) -> tuple[ApproverSource, ...]:
    """`owner` is written alone; `field:` and `role:` are one-key mappings, as approver sources are."""
    found = []
    for i, entry in enumerate(entries):
        if entry == "owner":
            found.append(ApproverSource("owner", True, i))
        elif isinstance(entry, dict):
            found += [ApproverSource(kind, value, i) for kind, value in entry.items()]
    return tuple(found)


def _outcome(data: dict[str, Any] | None) -> Outcome:
    data = data or {}
    return Outcome(dict(data.get("set", {})), _sources(data.get("notify", [])))


def _timeout(data: dict[str, Any] | None) -> Timeout | None:
    if not data:
        return None
    return Timeout(Duration(data["after"]), data["action"], _sources(data.get("to", [])))


def build_chain(doc: Document) -> ChainDef:
    data = doc.data
    steps = [
        StepDef(
            name=s["name"],
            label=Label(s.get("label"), humanize(s["name"])),
            index=i,
            approvers=_sources(s["approvers"]),
            when=s.get("when"),
            mode=s.get("mode", "any"),
            quorum=s.get("quorum"),
            on_reject=s.get("on_reject", "reject"),
            editable=tuple(s.get("editable", ())),
            timeout=_timeout(s.get("timeout")),
            remind_every=Duration(s["remind_every"]) if s.get("remind_every") else None,
        )
        for i, s in enumerate(data["steps"])
    ]
    cc = data.get("cc") or {}
    return ChainDef(
        pack=doc.pack,
        name=data["name"],
        entity=qualify(data["entity"], doc.pack),
        label=Label(data.get("label"), humanize(data["name"])),
        steps=steps,
        document=doc,
        when=data.get("when"),
        submitter_roles=tuple(data.get("submitter_roles", ())),
        submitters=_submitters(data.get("submitters", [])),
        no_approver=data.get("no_approver", "admin"),
        dedup=data.get("dedup", "off"),
        self_approval=data.get("self_approval", "allow"),
        cc=_sources(cc.get("approvers", [])),
        cc_at=cc.get("at", "both"),
        on_approve=_outcome(data.get("on_approve")),
        on_reject=_outcome(data.get("on_reject")),
        lock=_lock(data.get("lock")),
    )


def chain_from_snapshot(snapshot: dict[str, Any]) -> ChainDef:
    """The chain an instance started on, rebuilt from what it stored."""
    return build_chain(Document(snapshot["file"], snapshot["data"], pack=snapshot["pack"]))

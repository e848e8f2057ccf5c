"""What a scenario is once read from its file: users, records, steps and checks, each with the line it came from, so
that every failure points at what the implementer wrote."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

#: the tenant's first user, who creates `given.records` and acts or reads where a step or check names nobody
ADMIN = "admin"
STEP_KINDS = ("create", "update", "delete", "submit", "approve", "reject", "action", "advance_clock")
CHECK_KINDS = ("record", "approval", "notification", "count", "deleted")


@dataclass(frozen=True)
class Place:
    """A line of a scenario file."""

    file: str
    line: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass(frozen=True)
class User:
    name: str
    #: as written: `pack.role`, a bare role name or Admin
    roles: tuple[str, ...]
    place: Place


@dataclass(frozen=True)
class Step:
    """One thing a user does (a `given` record is a `create` by the admin): its kind, the key that names it, and the
    mapping as written (checked by the scenario schema)."""

    kind: str
    spec: Mapping[str, Any]
    place: Place

    @property
    def target(self) -> Any:
        """What the kind's key names: an entity to create, a record to change, an action, a duration."""
        return self.spec[self.kind]

    @property
    def by(self) -> str:
        return str(self.spec.get("by", ADMIN))

    def describe(self) -> str:
        """The step in a few words, for its failure: `update t1 by carol`."""
        if self.kind == "advance_clock":
            return f"advance_clock {self.target}"
        subject = f"{self.target} on {self.spec['record']}" if self.kind == "action" else self.target
        return f"{self.kind} {subject} by {self.by}"


@dataclass(frozen=True)
class Check:
    """One thing that must hold once the steps ran; `spec` is the mapping as written."""

    kind: str
    spec: Mapping[str, Any]
    place: Place

    @property
    def target(self) -> Any:
        return self.spec[self.kind]

    def describe(self) -> str:
        target = self.target
        if isinstance(target, Mapping):
            target = ", ".join(f"{key} {value}" for key, value in target.items())
        return f"{self.kind} {target}"


@dataclass(frozen=True)
class Scenario:
    name: str
    place: Place
    #: the packs of its tenant; empty: the pack under test
    packs: tuple[str, ...]
    users: tuple[User, ...]
    #: `given.records`, as `create` steps
    records: tuple[Step, ...]
    steps: tuple[Step, ...]
    checks: tuple[Check, ...]

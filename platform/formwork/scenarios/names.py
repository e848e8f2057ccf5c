"""The names a scenario uses, checked before anything runs: every user who acts or is read for was given, every
record a step or check names (or a value's `$name`) was named with `as:` before, and each step or check does one
thing. What needs the packs (an entity, a role) is checked by the tenant when the scenario runs."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from ..meta.errors import DefinitionError
from .model import ADMIN, CHECK_KINDS, STEP_KINDS, Check, Place, Scenario, Step

#: a value naming a record: `$acme` is the id of the record named `acme`
RECORD_VALUE = re.compile(r"^\$([a-z][a-z0-9_]*)$")
#: the steps whose key names the record they act on (an action names it under `record:`)
RECORD_STEPS = ("update", "delete", "submit", "approve", "reject")
ADMIN_GIVEN = f"'{ADMIN}' is the tenant's admin, there from the start: give other users"


def name_errors(scenarios: list[Scenario]) -> list[DefinitionError]:
    """Each once: a file's shared `given` is every one of its scenarios'."""
    return sorted({error for scenario in scenarios for error in _scenario_errors(scenario)})


def record_names(value: Any) -> Iterator[str]:
    """The records `$name` values name, anywhere inside `value`."""
    if isinstance(value, str) and (found := RECORD_VALUE.match(value)):
        yield found.group(1)
    elif isinstance(value, dict):
        for item in value.values():
            yield from record_names(item)
    elif isinstance(value, list):
        for item in value:
            yield from record_names(item)


def _scenario_errors(scenario: Scenario) -> Iterator[DefinitionError]:
    users = {ADMIN}
    for user in scenario.users:
        if user.name in users:
            yield _error(user.place, f"user '{user.name}' is given twice" if user.name != ADMIN else ADMIN_GIVEN)
        users.add(user.name)
    records: set[str] = set()
    for step in (*scenario.records, *scenario.steps):
        yield from _step_errors(step, users, records)
        if "as" in step.spec:
            records.add(step.spec["as"])
    for check in scenario.checks:
        yield from _check_errors(check, users, records)


def _step_errors(step: Step, users: set[str], records: set[str]) -> Iterator[DefinitionError]:
    yield from _one_kind(step.spec, STEP_KINDS, step.place)
    if step.kind != "advance_clock":
        yield from _user(step.by, users, step.place)
    if step.spec.get("as") in records:
        yield _error(step.place, f"a record is named '{step.spec['as']}' already")
    acted_on = step.target if step.kind in RECORD_STEPS else step.spec.get("record")
    named = [acted_on] if acted_on is not None else []
    for name in [*named, *record_names([step.spec.get("values"), step.spec.get("input")])]:
        yield from _record(name, records, step.place)


def _check_errors(check: Check, users: set[str], records: set[str]) -> Iterator[DefinitionError]:
    yield from _one_kind(check.spec, CHECK_KINDS, check.place)
    target = check.target
    if isinstance(target, dict):  # notification, count: the reader and record inside
        readers, named = [target.get("to"), target.get("by")], [target.get("record")]
    else:
        readers, named = [check.spec.get("by")], [target]
    for reader in filter(None, readers):
        yield from _user(reader, users, check.place)
    for name in [*filter(None, named), *record_names(check.spec.get("fields"))]:
        yield from _record(name, records, check.place)


def _one_kind(spec: Any, kinds: tuple[str, ...], place: Place) -> Iterator[DefinitionError]:
    found = [key for key in kinds if key in spec]
    if len(found) > 1:
        yield _error(place, f"one thing per entry: {' and '.join(found)} are two; write them as two entries")


def _user(name: str, users: set[str], place: Place) -> Iterator[DefinitionError]:
    if name not in users:
        yield _error(place, f"unknown user '{name}'; expected one of {', '.join(sorted(users))} (given.users)")


def _record(name: str, records: set[str], place: Place) -> Iterator[DefinitionError]:
    if name not in records:
        known = ", ".join(sorted(records)) or "none yet"
        yield _error(place, f"no record is named '{name}' before this line; named: {known} (name one with `as:`)")


def _error(place: Place, message: str) -> DefinitionError:
    return DefinitionError(place.file, place.line, "", message)

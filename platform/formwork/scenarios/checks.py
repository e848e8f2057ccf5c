"""The checks of `then`, each read through the REST API (as the admin, who sees every record, unless it names a
reader) and compared with what the scenario expects: one line per difference, expected against got."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .model import ADMIN, Check
from .scene import Scene
from .values import matches, shown

#: notifications read per inbox: far more than a scenario makes
INBOX_PAGE = 100
#: the approval a record has before its first submission, as `approval: {status: none}` says
NEVER_SUBMITTED: dict[str, Any] = {"status": "none", "step": None, "waiting_for": []}


def check_differences(scene: Scene, check: Check) -> list[str]:
    """What differs from what `check` expects; empty when it holds."""
    return CHECKS[check.kind](scene, check)


def _record(scene: Scene, check: Check) -> list[str]:
    reader = check.spec.get("by", ADMIN)
    answer = scene.api.call(reader, "GET", scene.path(check.target))
    if answer.status != 200:
        return [f"{reader} cannot read {check.target}: {answer}"]
    got = answer.body["result"]
    entity = scene.records[check.target].entity
    return [
        f"{name}: expected {shown(expected)}, "
        + (f"got {shown(got[name])}" if name in got else f"but the API shows no field '{name}' of {entity}")
        for name, expected in check.spec["fields"].items()
        if name not in got or not matches(expected, got[name], scene.ids())
    ]


def _approval(scene: Scene, check: Check) -> list[str]:
    record = scene.records[check.target]
    answer = scene.api.call(ADMIN, "GET", f"approvals/records/{record.entity}/{record.id}")
    if answer.status != 200:
        return [f"the approval of {check.target} cannot be read: {answer}"]
    got = answer.body["status"] or NEVER_SUBMITTED
    return [
        f"{key}: expected {shown(check.spec[key])}, got {shown(got[key])}"
        for key in ("status", "step", "waiting_for")
        if key in check.spec and _normal(check.spec[key]) != _normal(got[key])
    ]


def _notification(scene: Scene, check: Check) -> list[str]:
    wanted = check.target
    reader = wanted["to"]
    answer = scene.api.call(reader, "GET", f"notifications/?page_size={INBOX_PAGE}")
    if answer.status != 200:
        return [f"{reader}'s notifications cannot be read: {answer}"]
    rows = answer.body["result"]
    if any(_is_wanted(scene, row, wanted) for row in rows):
        return []
    has = "; ".join(_notice(row) for row in rows) or "none"
    return [f"expected a notification to {reader} with {_wanted_words(wanted)}", f"{reader} has: {has}"]


def _count(scene: Scene, check: Check) -> list[str]:
    wanted = check.target
    reader = wanted.get("by", ADMIN)
    answer = scene.api.call(reader, "GET", f"{scene.table(wanted['entity'])}/?q=(page_size:1)")
    if answer.status != 200:
        return [f"{reader} cannot list {wanted['entity']}: {answer}"]
    got = answer.body["count"]
    return (
        []
        if got == wanted["equals"]
        else [f"{wanted['entity']} seen by {reader}: expected {wanted['equals']}, got {got}"]
    )


def _deleted(scene: Scene, check: Check) -> list[str]:
    answer = scene.api.call(ADMIN, "GET", scene.path(check.target))
    return [] if answer.status == 404 else [f"expected {check.target} to be gone, got {answer}"]


def _is_wanted(scene: Scene, row: dict[str, Any], wanted: dict[str, Any]) -> bool:
    if "event" in wanted and row["event"] != wanted["event"]:
        return False
    if "subject" in wanted and wanted["subject"] not in (row["subject"] or ""):
        return False
    if "record" in wanted:
        record = scene.records[wanted["record"]]
        return (row["entity"], row["record_id"]) == (record.entity, record.id)
    return True


def _notice(row: dict[str, Any]) -> str:
    about = f" ({row['entity']} #{row['record_id']})" if row["entity"] else ""
    return f"{row['event']} {row['subject']!r}{about}"


def _wanted_words(wanted: dict[str, Any]) -> str:
    return ", ".join(f"{key} {value!r}" for key, value in wanted.items() if key != "to") or "any event"


def _normal(value: Any) -> Any:
    """Who an approval waits for is a set: the order in which the API lists them does not count."""
    return sorted(value) if isinstance(value, list) else value


CHECKS: dict[str, Callable[[Scene, Check], list[str]]] = {
    "record": _record,
    "approval": _approval,
    "notification": _notification,
    "count": _count,
    "deleted": _deleted,
}

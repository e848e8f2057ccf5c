"""The steps of `when` (and `given.records`, which are creations by the admin), each done as its user would do it
through the tenant's REST API: the entity API for records and actions, the approvals API for submissions and
decisions. A step succeeds with a 2xx answer, or, when it gives `error:`, with the refusal it describes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .api import Answer
from .clock import duration
from .expectations import unmet
from .model import ADMIN, Step
from .outcome import StepFailed
from .scene import NamedRecord, Scene


def run_step(scene: Scene, step: Step) -> None:
    """Do `step`; StepFailed says how it went otherwise than written."""
    if step.kind == "advance_clock":
        problems = scene.clock.advance(scene.tenant.runtime(), duration(step.target))
        if problems:
            raise StepFailed(*problems)
        return
    answer = STEPS[step.kind](scene, step)
    if "error" in step.spec:
        if problems := unmet(step.spec["error"], answer):
            raise StepFailed(*problems)
        return
    if not answer.ok:
        raise StepFailed(f"expected it to succeed, got {answer}")
    if step.kind == "create" and "as" in step.spec:
        scene.records[step.spec["as"]] = NamedRecord(step.target, int(answer.body["id"]))


def _create(scene: Scene, step: Step) -> Answer:
    return scene.api.call(step.by, "POST", f"{scene.table(step.target)}/", scene.sent(step.spec.get("values", {})))


def _update(scene: Scene, step: Step) -> Answer:
    return scene.api.call(step.by, "PUT", scene.path(step.target), scene.sent(step.spec["values"]))


def _delete(scene: Scene, step: Step) -> Answer:
    return scene.api.call(step.by, "DELETE", scene.path(step.target))


def _submit(scene: Scene, step: Step) -> Answer:
    record = scene.records[step.target]
    body = {"entity": record.entity, "id": record.id, **_comment(step)}
    return scene.api.call(step.by, "POST", "approvals/submit", body)


def _decide(scene: Scene, step: Step) -> Answer:
    """Approve or reject the open task `by` holds on the record: theirs when they hold one, else another open task
    of the record, which the API refuses them as it would in their inbox."""
    return scene.api.call(step.by, "POST", f"approvals/tasks/{_open_task(scene, step)}/{step.kind}", _comment(step))


def _action(scene: Scene, step: Step) -> Answer:
    path = f"{scene.path(step.spec['record'])}/actions/{step.target}"
    return scene.api.call(step.by, "POST", path, scene.sent(step.spec.get("input")))


def _open_task(scene: Scene, step: Step) -> int:
    record = scene.records[step.target]
    answer = scene.api.call(ADMIN, "GET", f"approvals/records/{record.entity}/{record.id}")
    if answer.status != 200:
        raise StepFailed(f"the approval of {step.target} cannot be read: {answer}")
    tasks = [task for task in answer.body["tasks"] if task["status"] == "pending"]
    if not tasks:
        status = (answer.body["status"] or {}).get("status", "never submitted")
        raise StepFailed(f"{step.target} has no open approval task (its approval: {status})")
    held = [task for task in tasks if task["assignee"] == step.by]
    return int((held or tasks)[0]["id"])


def _comment(step: Step) -> dict[str, Any]:
    return {"comment": step.spec["comment"]} if "comment" in step.spec else {}


STEPS: dict[str, Callable[[Scene, Step], Answer]] = {
    "create": _create,
    "update": _update,
    "delete": _delete,
    "submit": _submit,
    "approve": _decide,
    "reject": _decide,
    "action": _action,
}

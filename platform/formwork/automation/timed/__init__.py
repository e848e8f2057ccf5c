"""Scheduled and date-relative automations: the tick's job that runs each due slot exactly once (claimed by a unique
run-log row), catches up after downtime within a window, runs big schedules in chunks, and logs every run for the
tenant's admins, who may retry a failed one (docs/automation_timed.md)."""

from __future__ import annotations

from ...features import JOBS, SCREENS, TENANT_TABLES, FeatureRegistry, Job
from .job import OUTCOMES, timed_automations_due
from .tables import RUNS
from .views import register_screens

TIMED_AUTOMATIONS = Job("timed automations", timed_automations_due, OUTCOMES)


def register(registry: FeatureRegistry) -> None:
    """The run log table, the tick's job (before webhooks at 80 and e-mails at 90, so what a run queues leaves in
    the same tick) and the run log screen."""
    registry.add(TENANT_TABLES, RUNS)
    registry.add(JOBS, TIMED_AUTOMATIONS, priority=50)
    registry.add(SCREENS, register_screens, priority=71)


__all__ = ["RUNS", "TIMED_AUTOMATIONS", "register"]

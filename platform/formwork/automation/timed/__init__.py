"""Scheduled and date-relative automations: the tick's job that runs each due slot exactly once (claimed by a unique
run-log row), catches up after downtime within a window, runs big schedules in chunks, and logs every run for the
tenant's admins, who may retry a failed one (docs/automation_timed.md)."""

from __future__ import annotations

from ...features import AUTOMATION_RUNS, JOBS, SCREENS, TENANT_TABLES, FeatureRegistry, Job
from .job import OUTCOMES, timed_automations_due
from .tables import RUNS
from .views import logged_runs, register_screens

TIMED_AUTOMATIONS = Job("timed automations", timed_automations_due, OUTCOMES)


def register(registry: FeatureRegistry) -> None:
    """The run log table, the tick's job (before webhooks at 80 and e-mails at 90, so what a run queues leaves in
    the same tick), the run log screen, and each automation's runs for the Studio."""
    registry.add(TENANT_TABLES, RUNS)
    registry.add(JOBS, TIMED_AUTOMATIONS, priority=50)
    registry.add(SCREENS, register_screens, priority=71)
    registry.add(AUTOMATION_RUNS, logged_runs)


__all__ = ["RUNS", "TIMED_AUTOMATIONS", "register"]

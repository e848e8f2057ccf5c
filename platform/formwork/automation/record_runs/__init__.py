"""The record run log: each run of an automation a record triggered (created, updated, changed, deleted, approval)
whose condition held, with its trigger, record, steps run, outcome, duration and error, shown to the tenant's admins
beside the automation's editor in the Studio (docs/automation.md)."""

from __future__ import annotations

from ...features import AUTOMATION_RUNS, SESSION_SETUP, TENANT_TABLES, FeatureRegistry
from .log import install_failure_log
from .shown import logged_record_runs
from .table import RECORD_RUNS


def register(registry: FeatureRegistry) -> None:
    """The log's table, the listener that writes failed runs once their save is rolled back, and each automation's
    record runs for the Studio."""
    registry.add(TENANT_TABLES, RECORD_RUNS)
    registry.add(SESSION_SETUP, install_failure_log)
    registry.add(AUTOMATION_RUNS, logged_record_runs)


__all__ = ["RECORD_RUNS", "register"]

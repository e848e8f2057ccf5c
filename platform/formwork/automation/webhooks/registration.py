"""What webhook delivery declares on the feature registry (formwork/features.py): its tables, the tick's delivery
job and the delivery log screen. The automation feature's registration (automation/feature.py) calls `register`."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from ...features import JOBS, SCREENS, TENANT_TABLES, FeatureRegistry, Job, JobDone
from .delivery import OUTCOMES, deliver_due
from .tables import DELIVERIES, SECRETS
from .views import register_screens

if TYPE_CHECKING:
    from ...tenancy.runtime import TenantRuntime
    from ...tenancy.worker import JobServices


def webhooks_due(runtime: TenantRuntime, now: datetime, services: JobServices) -> JobDone:
    """The webhooks due at `now`, to the targets FORMWORK_WEBHOOK_ALLOW permits; without the server's settings
    (a test running one tenant's jobs) only public addresses."""
    allow = services.settings.webhook_allow if services.settings is not None else ()
    return JobDone(deliver_due(runtime, now, allow))


WEBHOOKS_DUE = Job("webhook deliveries", webhooks_due, OUTCOMES)


def register(registry: FeatureRegistry) -> None:
    for table in (DELIVERIES, SECRETS):
        registry.add(TENANT_TABLES, table)
    registry.add(JOBS, WEBHOOKS_DUE, priority=80)  # after the jobs that may queue webhooks, before notify's e-mails
    registry.add(SCREENS, register_screens, priority=70)

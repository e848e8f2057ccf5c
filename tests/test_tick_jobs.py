"""The tick runs the jobs features declare (the JOBS slot): per active tenant, lowest priority first, what they
did summed up in the report, and one tenant's failing job reported while the other tenants' jobs still run."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Any

from conftest import Platform
from formwork.compile.models import utcnow
from formwork.features import JOBS, FeatureRegistry, Job, JobDone, load_features
from formwork.notify.mail import LogMailer
from formwork.tenancy.cache import TenantApps
from formwork.tenancy.worker import JobServices, tick

Call = tuple[str, str, Any]


def probe_job(name: str, calls: list[Call], fails_in: str = "") -> Job:
    """A job that records each run (tenant, job, services), counts one `name` naming the tenant, and raises in
    tenant `fails_in`."""

    def run(runtime: Any, _now: datetime, services: JobServices) -> JobDone:
        calls.append((runtime.slug, name, services))
        if runtime.slug == fails_in:
            raise RuntimeError(f"{name} broke")
        return JobDone(Counter({name: 1}), {name: [runtime.slug]})

    return Job(name, run, {name: f"{name} done"})


def test_a_features_jobs_run_in_priority_order_and_a_failing_tenant_stops_only_its_own(platform: Platform) -> None:
    for slug in ("jobsone", "jobsbroken", "jobstwo"):
        platform.tenant(slug, ["core"])
    calls: list[Call] = []

    def register(registry: FeatureRegistry) -> None:
        registry.add(JOBS, probe_job("last", calls), priority=90)
        registry.add(JOBS, probe_job("first", calls, fails_in="jobsbroken"), priority=10)

    registry = FeatureRegistry()
    registry.load("probe", register, "tests")
    apps, mailer, reported = TenantApps(platform.settings, platform.catalog), LogMailer(), []
    results = tick(apps, utcnow(), reported.append, mailer=mailer, jobs=registry.items(JOBS))

    assert [(slug, name) for slug, name, _ in calls] == [
        ("jobsbroken", "first"),  # its later job does not run
        ("jobsone", "first"),
        ("jobsone", "last"),
        ("jobstwo", "first"),
        ("jobstwo", "last"),
    ]
    assert reported == results
    assert [result.describe() for result in results] == [
        "jobsbroken: failed: first broke",
        "jobsone: 1 first done (jobsone), 1 last done (jobsone)",
        "jobstwo: 1 first done (jobstwo), 1 last done (jobstwo)",
    ]
    assert all(services == JobServices(apps.settings, mailer) for _, _, services in calls)  # the tick's, explicit


def test_the_approvals_run_before_the_mails_they_queue() -> None:
    declared = load_features().entries(JOBS)
    assert [(entry.feature, entry.item.name) for entry in declared] == [
        ("workflow", "approval timeouts and reminders"),
        ("automation", "timed automations"),
        ("automation", "webhook deliveries"),
        ("notify", "notification e-mails"),
    ]

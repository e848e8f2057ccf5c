"""What `formwork tick` (once, for cron) and `formwork worker` (a loop) do: every active tenant's share of the
features' jobs (the JOBS slot of formwork/features.py).

Per tenant the jobs run lowest priority first: the approvals' replacements, timeouts and reminders (workflow),
then the e-mails due (notify), so a reminder's mail leaves in the same tick. Tenants come from the registry,
suspended ones skipped, and their runtimes from TenantApps like the server's. A tenant whose job fails is logged
and reported, its later jobs skipped; the other tenants still run. The time is `clock()`, so tests move it instead
of sleeping.
"""

from __future__ import annotations

import logging
import threading
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from ..compile.models import utcnow
from ..features import JOBS, PLATFORM_JOBS, Job, load_features
from .cache import TenantApps
from .registry import list_tenants

if TYPE_CHECKING:
    from ..config import Settings
    from ..notify.mail import Mailer
    from .runtime import TenantRuntime

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class JobServices:
    """What a job gets besides the tenant's runtime and the time, chosen once per tick by its caller: the server's
    settings, and the mailer e-mails go through (None: the one FORMWORK_SMTP_URL names). With neither, as when a
    test runs one tenant's jobs, the e-mails wait for a tick that has them."""

    settings: Settings | None = None
    mailer: Mailer | None = None


@dataclass
class TenantTick:
    """What one tick did for one tenant, or why it could not."""

    slug: str
    done: Counter[str] = field(default_factory=Counter)
    #: who or what some kinds of count are about, by kind (the approvers replaced)
    named: dict[str, list[str]] = field(default_factory=dict)
    #: how each kind's count reads in the report, in the order the jobs ran and declared them
    words: dict[str, str] = field(default_factory=dict)
    error: str | None = None

    @property
    def replaced(self) -> list[str]:
        """The inactive approvers the approvals' job replaced, by login."""
        return self.named.get("replaced", [])

    @property
    def idle(self) -> bool:
        return not (self.done or self.error)

    def describe(self) -> str:
        if self.error:
            return f"{self.slug}: failed: {self.error}"
        parts = [self._count(kind, words) for kind, words in self.words.items() if self.done[kind]]
        return f"{self.slug}: {', '.join(parts) or 'nothing due'}"

    def _count(self, kind: str, words: str) -> str:
        names = self.named.get(kind)
        return f"{self.done[kind]} {words}" + (f" ({', '.join(sorted(set(names)))})" if names else "")


def registered_jobs() -> list[Job]:
    """The features' jobs, lowest priority first."""
    return load_features().items(JOBS)


def run_tenant(
    runtime: TenantRuntime, now: datetime, services: JobServices | None = None, jobs: Sequence[Job] | None = None
) -> TenantTick:
    """One tenant's tick on its runtime: each job (default: the features') in turn, its counts added up. A job that
    raises ends the tenant's tick; `tick` reports it."""
    jobs = registered_jobs() if jobs is None else jobs
    services = services or JobServices()
    result = TenantTick(runtime.slug, words={kind: words for job in jobs for kind, words in job.words.items()})
    for job in jobs:
        done = job.run(runtime, now, services)
        result.done.update(+done.counts)
        for kind, names in done.names.items():
            result.named.setdefault(kind, []).extend(names)
    return result


def tick(
    apps: TenantApps,
    now: datetime,
    report: Callable[[TenantTick], None] = lambda _: None,
    mailer: Mailer | None = None,
    jobs: Sequence[Job] | None = None,
) -> list[TenantTick]:
    """Run the jobs due at `now` for every active tenant, reporting each as it finishes; e-mails go through `mailer`
    (default: FORMWORK_SMTP_URL's)."""
    services = JobServices(apps.settings, mailer)
    jobs = registered_jobs() if jobs is None else jobs
    results = []
    for tenant in list_tenants(apps.settings.database_url):
        if tenant.status != "active":
            continue
        try:
            result = run_tenant(apps.get(tenant).extensions["formwork"], now, services, jobs)
        except Exception as exc:  # noqa: BLE001 - one tenant's trouble must not stop the others
            log.exception("tenant %s: the tick failed", tenant.slug)
            result = TenantTick(tenant.slug, error=getattr(exc, "reason", None) or str(exc) or type(exc).__name__)
        report(result)
        results.append(result)
    platform = run_platform(services, now)
    if not platform.idle:  # reported only when it did something: most ticks have no platform mail
        report(platform)
        results.append(platform)
    return results


def run_platform(services: JobServices, now: datetime) -> TenantTick:
    """The tick's share that is no tenant's (PLATFORM_JOBS), reported under the reserved name `platform`."""
    jobs = load_features().items(PLATFORM_JOBS)
    result = TenantTick("platform", words={kind: words for job in jobs for kind, words in job.words.items()})
    for job in jobs:
        try:
            result.done.update(+job.run(services.settings, now, services).counts)
        except Exception as exc:  # noqa: BLE001 - reported like a tenant's failure; the next tick tries again
            log.exception("the platform's share of the tick failed")
            result.error = str(exc) or type(exc).__name__
    return result


def work(
    apps: TenantApps,
    interval: float,
    stop: threading.Event,
    clock: Callable[[], datetime] = utcnow,
    report: Callable[[TenantTick], None] = lambda _: None,
) -> int:
    """Tick every `interval` seconds until `stop` is set (the current tick finishes first); returns how many ticks ran."""
    ticks = 0
    while not stop.is_set():
        tick(apps, clock(), report)
        ticks += 1
        stop.wait(interval)
    return ticks

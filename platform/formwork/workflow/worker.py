"""What `formwork tick` (once, for cron) and `formwork worker` (a loop) do for every active tenant.

Per tenant: approvers deactivated since they were asked are replaced (the
chain's policy), then the due timeouts and reminders run (workflow/timeouts.py),
then the notification e-mails due are sent (notify/outbox.py).
Tenants come from the registry, suspended ones skipped, and their runtimes
from TenantApps like the server's. A tenant that fails is logged and reported;
the others still run. The time is `clock()`, so tests move it instead of sleeping.
"""

from __future__ import annotations

import logging
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from ..compile.models import utcnow
from ..notify.mail import Mailer, mailer_for
from ..notify.outbox import send_due
from ..tenancy.cache import TenantApps
from ..tenancy.registry import list_tenants
from .engine import Approvals
from .timeouts import replace_inactive, run_due

if TYPE_CHECKING:
    from ..tenancy.runtime import TenantRuntime

log = logging.getLogger(__name__)
#: how a tick's counts read, in the order they are printed
WORDS = {
    "approve": "approved on timeout",
    "reject": "rejected on timeout",
    "escalate": "escalated on timeout",
    "remind": "reminder(s)",
    "obsolete": "obsolete job(s) dropped",
    "failed": "job(s) failed",
    "elsewhere": "job(s) run by another worker meanwhile",
    "sent": "e-mail(s) sent",
    "retry": "e-mail(s) refused, to be retried",
    "failed_mail": "e-mail(s) given up",
}


@dataclass
class TenantTick:
    """What one tick did for one tenant, or why it could not."""

    slug: str
    done: Counter[str] = field(default_factory=Counter)
    replaced: list[str] = field(default_factory=list)
    error: str | None = None

    @property
    def idle(self) -> bool:
        return not (self.done or self.replaced or self.error)

    def describe(self) -> str:
        if self.error:
            return f"{self.slug}: failed: {self.error}"
        parts = [f"{self.done[kind]} {words}" for kind, words in WORDS.items() if self.done[kind]]
        if self.replaced:
            parts.append(
                f"{len(self.replaced)} inactive approver(s) replaced ({', '.join(sorted(set(self.replaced)))})"
            )
        return f"{self.slug}: {', '.join(parts) or 'nothing due'}"


def run_tenant(runtime: TenantRuntime, now: datetime, mailer: Mailer | None = None) -> TenantTick:
    """One tenant's tick on its runtime: replacements first, so timeouts and reminders reach the people asked now;
    the mails go last, so a reminder's mail leaves in the same tick."""
    result = TenantTick(runtime.slug)
    if runtime.catalog.chains:  # nothing can be due without chains
        approvals = Approvals(runtime)
        try:
            result.replaced = replace_inactive(approvals)
            result.done = run_due(approvals, now)
        finally:
            runtime.session.remove()
    if mailer is not None:
        mails = send_due(runtime, mailer, now)
        mails["failed_mail"] = mails.pop("failed", 0)
        result.done.update(+mails)
    return result


def tick(
    apps: TenantApps, now: datetime, report: Callable[[TenantTick], None] = lambda _: None, mailer: Mailer | None = None
) -> list[TenantTick]:
    """Run what is due at `now` for every active tenant, reporting each as it finishes; mails go through `mailer`
    (default: FORMWORK_SMTP_URL's)."""
    mailer = mailer or mailer_for(apps.settings.smtp_url, apps.settings.site_url)
    results = []
    for tenant in list_tenants(apps.settings.database_url):
        if tenant.status != "active":
            continue
        try:
            result = run_tenant(apps.get(tenant).extensions["formwork"], now, mailer)
        except Exception as exc:  # noqa: BLE001 - one tenant's trouble must not stop the others
            log.exception("tenant %s: the tick failed", tenant.slug)
            result = TenantTick(tenant.slug, error=getattr(exc, "reason", None) or str(exc) or type(exc).__name__)
        report(result)
        results.append(result)
    return results


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

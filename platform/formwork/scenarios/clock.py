"""`advance_clock`: the scenario's time moves on and the worker's jobs run as they would have meanwhile.

The platform's clock for what runs later is the worker's tick time (tenancy/worker.run_tenant: approval timeouts
and reminders, schedules and date automations, e-mails), which tests move instead of sleeping; this is the same.
The time is moved in ticks no further apart than half the catch-up window of timed automations, so a long advance
runs every slot a worker ticking all along would have run, not only the last day's. Requests keep the real time:
a record created after an advance is stamped with today.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from ..compile.models import utcnow
from ..tenancy.worker import JobServices, run_tenant

if TYPE_CHECKING:
    from ..config import Settings
    from ..tenancy.runtime import TenantRuntime

UNITS = {"w": timedelta(weeks=1), "d": timedelta(days=1), "h": timedelta(hours=1), "m": timedelta(minutes=1)}
PART = re.compile(r"([0-9]+)([wdhm])")


def duration(text: str) -> timedelta:
    """`1d12h` → 36 hours (the scenario schema checked the form)."""
    return sum((int(count) * UNITS[unit] for count, unit in PART.findall(text)), timedelta())


class ScenarioClock:
    """The time the worker's jobs see in one scenario: the real time when it starts, then as far as it advanced."""

    def __init__(self, settings: Settings) -> None:
        self.services = JobServices(settings)
        self.stride = timedelta(hours=settings.automation_catch_up_hours) / 2
        self.now: datetime = utcnow()

    def advance(self, runtime: TenantRuntime, by: timedelta) -> list[str]:
        """Tick the tenant's jobs up to `by` later; what failed, in the worker's words (empty: nothing)."""
        until = self.now + by
        while self.now < until:
            self.now = min(self.now + self.stride, until)
            try:
                run_tenant(runtime, self.now, self.services)
            except Exception as exc:  # noqa: BLE001 - the worker reports a tenant's failed tick the same way
                return [f"the jobs due at {self.now:%Y-%m-%d %H:%M} UTC failed: {type(exc).__name__}: {exc}"]
        return []

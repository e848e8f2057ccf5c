"""`formwork tick` and `formwork worker`: the features' jobs (the approval timeouts and reminders, the notification
e-mails…), run from the command line (tenancy/worker.py does the work). Declared on the registry by
workflow/feature.py, whose approvals were the first thing a tick ran; the jobs themselves each come from their own
feature (the JOBS slot)."""

from __future__ import annotations

import logging
import sys
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from ..cli import CommandEnvironment
    from ..tenancy.worker import TenantTick


@click.command("tick")
@click.pass_obj
def tick_command(environment: CommandEnvironment) -> None:
    """Run the jobs due now (approval timeouts and reminders, e-mails…) for every active tenant, once, and exit (for
    cron)."""
    from ..compile.models import utcnow
    from ..tenancy.worker import tick

    results = tick(environment.apps(), utcnow(), report=lambda result: click.echo(result.describe()))
    if not results:
        click.echo("no active tenants")
    if any(result.error for result in results):
        sys.exit(1)


@click.command("worker")
@click.option("--interval", default=30, show_default=True, type=click.IntRange(min=1), help="Seconds between ticks")
@click.pass_obj
def worker_command(environment: CommandEnvironment, interval: int) -> None:
    """Run `formwork tick` every INTERVAL seconds until stopped (SIGTERM or Ctrl+C); several workers may run at once."""
    import signal
    import threading

    from ..tenancy.worker import work

    apps = environment.apps()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    log = logging.getLogger("formwork.worker")
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda number, _frame: stop.set())  # the tick running now finishes first
    log.info("worker started: a tick every %ss", interval)

    def report(result: TenantTick) -> None:
        if result.error:
            log.error("%s", result.describe())
        elif not result.idle:
            log.info("%s", result.describe())

    ticks = work(apps, interval, stop, report=report)
    log.info("worker stopped after %d tick(s)", ticks)

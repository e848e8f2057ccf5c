"""The oa meeting calendar with 2,000 meetings in one month: `GET /oa_meeting/calendar/oa.meeting_calendar/events`
for that month's range, as FullCalendar asks for it (issue 15).

Run from the repository root (a minute on 2 cores):

    .venv/bin/python bench/calendar_month.py                      # SQLite, 2,000 events, 15 timed requests
    .venv/bin/python bench/calendar_month.py --events 2000 --postgres postgresql://postgres@127.0.0.1:5432/postgres

One throw-away platform with a tenant on the core and OA packs in Shanghai's time zone: `--events` meetings over
March 2031 (five a day at different hours, over the three rooms, each with a duration), all in the month view's
range. Its admin, signed in through the login form, asks for the month as the calendar page does. The first request
is reported apart; the figures are the median, the fastest and the slowest of the timed requests that follow, and
the SQL statements of one request: all of them (sign-in state, rights) and the calendar's own (those reading the
packs' tables). Issue 15's goal: at most 300 ms server time and at most 6 SQL statements for a month of 2,000 events.

Not `bench/calendar.py`: run as a script, this folder comes first on the import path, and a `calendar.py` here would
stand in for the standard library's `calendar` module (which `email`, and so Werkzeug, import).
"""

from __future__ import annotations

import argparse
from datetime import datetime, timedelta
from typing import Any

from pages import PageFigures, bench_platform, bench_tenant, print_figures, signed_in, time_page
from scratch import quiet_logs, throwaway_platform

SLUG = "calendarbench"
ZONE = "Asia/Shanghai"
ROOMS = ("lotus", "bamboo", "online")
GOAL_SECONDS, GOAL_STATEMENTS = 0.3, 6
EVENTS = f"/t/{SLUG}/oa_meeting/calendar/oa.meeting_calendar/events"
#: the range FullCalendar's month view of March 2031 asks for (six weeks, Monday first in zh, Sunday in en)
MONTH = {"start": "2031-02-23T00:00:00", "end": "2031-04-06T00:00:00"}
FIRST_DAY = datetime(2031, 3, 1)


def meetings(settings: Any, catalog: Any, count: int) -> None:
    """A tenant in Shanghai's zone with `count` meetings over March 2031, written in one transaction."""
    runtime = bench_tenant(settings, catalog, SLUG, ["core", "oa"], timezone=ZONE)
    session = runtime.session()
    meeting = runtime.compiled.model("oa.meeting")
    per_day = -(-count // 31)
    session.add_all(
        meeting(
            subject=f"Meeting {n}",
            starts_at=FIRST_DAY + timedelta(days=n // per_day, hours=1 + n % per_day),
            duration=30 + 15 * (n % 4),
            room=ROOMS[n % len(ROOMS)],
        )
        for n in range(count)
    )
    session.commit()
    runtime.session.remove()


def measure(count: int, runs: int) -> PageFigures:
    settings, catalog = bench_platform()
    meetings(settings, catalog, count)
    return time_page(
        signed_in(settings, catalog, SLUG),
        EVENTS,
        runs,
        answered=lambda response: len(response.json["events"]) == min(count, 2000),
        own=lambda statement: "oa_" in statement or "core_employee" in statement,
        query=MONTH,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=2000, help="meetings in the month (2000)")
    parser.add_argument("--runs", type=int, default=15, help="timed requests after the first (15)")
    parser.add_argument("--postgres", metavar="URL", help="a PostgreSQL server to use instead of SQLite")
    parser.add_argument("--keep", action="store_true", help="keep the instance folder")
    args = parser.parse_args()
    quiet_logs()
    with throwaway_platform("calendar", args.postgres, args.keep):
        figures = measure(args.events, args.runs)
    title = f"month calendar of {args.events} events, {args.runs} timed requests after the first"
    print_figures(title, figures, GOAL_SECONDS, GOAL_STATEMENTS, "calendar")


if __name__ == "__main__":
    main()

"""When timed automations are due: a schedule's cron slots and a date trigger's moments, in the tenant's time zone.

Times are stored and compared as naive UTC (as every time Formwork stores); the calendar arithmetic (which day, which
o'clock, daylight saving) happens in the tenant's zone, so "09:00" is nine in the morning where the tenant is, in
winter and in summer. croniter reads the cron expressions; nothing here parses cron by hand.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from croniter import croniter

#: at most this many slots of one schedule run in one tick; the next tick goes on from the last one run
MAX_SLOTS_PER_TICK = 1000


def local(moment: datetime, zone: str) -> datetime:
    """A naive UTC time in `zone`."""
    return moment.replace(tzinfo=UTC).astimezone(ZoneInfo(zone))


def as_utc(moment: datetime) -> datetime:
    """An aware time as naive UTC."""
    return moment.astimezone(UTC).replace(tzinfo=None)


def schedule_slots(cron: str, zone: str, after: datetime, now: datetime) -> list[datetime]:
    """The slots of `cron` in `zone` later than `after` and not later than `now` (naive UTC), oldest first."""
    slots: list[datetime] = []
    found = croniter(cron, local(after, zone))
    while len(slots) < MAX_SLOTS_PER_TICK:
        slot = as_utc(found.get_next(datetime))
        if slot > now:
            break
        slots.append(slot)
    return slots


def first_slot_after(last: datetime | None, floor: datetime) -> datetime:
    """Where a schedule's due slots start: after the last slot run, but never before `floor` (now minus the
    catch-up window; a slot exactly at the floor is still due)."""
    earliest = floor - timedelta(seconds=1)
    return earliest if last is None or last < earliest else last


def time_of_day(at: str) -> time:
    """`"09:00"` (the schema's pattern) as a time."""
    hours, minutes = at.split(":")
    return time(int(hours), int(minutes))


def date_moment(value: date, days: int, at: time, zone: str) -> datetime:
    """When a record whose date field holds `value` is due: `days` later, at `at` in `zone` (naive UTC)."""
    return as_utc(datetime.combine(value + timedelta(days=days), at, tzinfo=ZoneInfo(zone)))


def date_values_due(days: int, zone: str, start: datetime, now: datetime) -> tuple[date, date]:
    """The first and last date values whose moment may fall between `start` and `now`: a moment's local day is
    between theirs, so its value is `days` earlier. The caller keeps those whose exact moment is in range."""
    shift = timedelta(days=days)
    return local(start, zone).date() - shift, local(now, zone).date() - shift


def local_day_bounds(first: date, last: date, zone: str) -> tuple[datetime, datetime]:
    """The naive UTC range [start of `first`, start of the day after `last`) of local days: how a datetime field's
    values on those days are found with an index."""
    tz = ZoneInfo(zone)
    start = datetime.combine(first, time(0), tzinfo=tz)
    end = datetime.combine(last + timedelta(days=1), time(0), tzinfo=tz)
    return as_utc(start), as_utc(end)


def local_date(value: date | datetime, zone: str) -> date:
    """A date field's value, or a datetime field's (naive UTC) local day."""
    return local(value, zone).date() if isinstance(value, datetime) else value

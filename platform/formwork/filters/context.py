"""What a filter may refer to besides the record: the current user, their employee record, today.

The caller (a list view request, a record rule, the approval engine) knows
who is asking; filters only name `$variables`, so one definition serves
every user. A variable with no value (a user without an employee record)
makes its condition false rather than "is empty", so a record rule such as
`owner = $employee` never widens to records that have no owner.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

from ..actor import Actor
from ..i18n import CatalogText


@dataclass(frozen=True)
class FilterContext:
    """The values of the `$variables`, and the calendar relative dates are computed in."""

    today: date
    user_id: int | None = None
    employee_id: int | None = None
    department_id: int | None = None
    #: local day boundaries of datetime columns (stored as naive UTC) are computed in this zone
    timezone: tzinfo | str = UTC
    #: 0 = Monday (ISO), 6 = Sunday
    first_weekday: int = 0

    def __post_init__(self) -> None:
        if isinstance(self.timezone, str):
            object.__setattr__(self, "timezone", ZoneInfo(self.timezone))

    @classmethod
    def now(cls, timezone: tzinfo | str = UTC, **values: Any) -> FilterContext:
        """A context whose `today` is the current date in `timezone`."""
        zone = ZoneInfo(timezone) if isinstance(timezone, str) else timezone
        return cls(today=datetime.now(zone).date(), timezone=zone, **values)

    @property
    def zone(self) -> tzinfo:
        assert not isinstance(self.timezone, str)
        return self.timezone


def actor_context(actor: Actor) -> FilterContext:
    """The values of $user, $employee, $department and $today for `actor` (reading its employee costs a query)."""
    employee = actor.employee
    return FilterContext(
        today=actor.now().date(),
        timezone=UTC,
        user_id=actor.user_id,
        employee_id=employee.id if employee is not None else None,
        department_id=getattr(employee, "department_id", None),
    )


@dataclass(frozen=True)
class Variable:
    """A `$name` value: what it fits (value kinds, and for ids the entity) and how to read it."""

    description: str
    kinds: tuple[str, ...]
    entity: str | None
    read: Callable[[FilterContext], Any]


VARIABLES: dict[str, Variable] = {
    "$user": Variable(CatalogText("the current user"), ("user",), None, lambda c: c.user_id),
    "$employee": Variable(
        CatalogText("the current user's employee record"), ("id", "integer"), "core.employee", lambda c: c.employee_id
    ),
    "$department": Variable(
        CatalogText("the current user's department"), ("id", "integer"), "core.department", lambda c: c.department_id
    ),
    "$today": Variable(CatalogText("today's date"), ("date", "datetime"), None, lambda c: c.today),
}


def is_variable(raw: Any) -> bool:
    """`$user` is a variable; `$$5` is the literal text `$5`."""
    return isinstance(raw, str) and raw.startswith("$") and not raw.startswith("$$")

"""Out of office: a person's tasks go to their delegate for a date range, and delegations never form a circle."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session

from .tables import DELEGATIONS


def circle_through(s: Session, user: str, to: str, starts_on: date, ends_on: date) -> list[str]:
    """The delegations that overlap the new one's dates and lead from `to` back to `user`, if any."""
    overlapping = s.execute(
        sa.select(DELEGATIONS.c.delegator, DELEGATIONS.c.delegate).where(
            DELEGATIONS.c.starts_on <= ends_on, DELEGATIONS.c.ends_on >= starts_on
        )
    ).all()
    edges: dict[str, set[str]] = {}
    for delegator, delegate in overlapping:
        edges.setdefault(delegator, set()).add(delegate)
    paths, seen = [[user, to]], {to}
    while paths:
        path = paths.pop(0)
        if path[-1] == user:
            return path
        for nxt in sorted(edges.get(path[-1], ())):
            if nxt == user or nxt not in seen:
                seen.add(nxt)
                paths.append([*path, nxt])
    return []


def delegate_of(s: Session, today: date, person: str) -> str:
    """Who decides for `person` on `today`: their delegate (and theirs…), or themselves."""
    seen = [person]
    while True:
        found = s.execute(
            sa.select(DELEGATIONS.c.delegate)
            .where(
                DELEGATIONS.c.delegator == seen[-1], DELEGATIONS.c.starts_on <= today, DELEGATIONS.c.ends_on >= today
            )
            .order_by(DELEGATIONS.c.id.desc())
        ).scalar()
        if found is None or found in seen:
            return seen[-1]
        seen.append(found)

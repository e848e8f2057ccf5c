"""Reading and changing one person's notifications, preferences and follows (the screens and the API share these).

Every function takes the user name and filters on it: there is no way to
read or mark someone else's notification, an id that is not yours is
treated like one that does not exist.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ..compile.models import utcnow
from ..i18n import LANGUAGES
from .events import EMAIL, EVENTS, IN_APP, default_channels
from .tables import FOLLOWERS, NOTIFICATIONS, PREFERENCES, PROFILES

#: an unread count above this shows as "99+": the badge's query stops counting there
SHOWN_UNREAD = 99


def unread_count(s: Session, user: str) -> int:
    """The navbar badge: one indexed query, capped at SHOWN_UNREAD + 1."""
    unread = sa.select(NOTIFICATIONS.c.id).where(NOTIFICATIONS.c.recipient == user, NOTIFICATIONS.c.read_at.is_(None))
    return s.execute(sa.select(sa.func.count()).select_from(unread.limit(SHOWN_UNREAD + 1).subquery())).scalar_one()


def shown_unread(count: int) -> str:
    return f"{SHOWN_UNREAD}+" if count > SHOWN_UNREAD else str(count)


def page_of(s: Session, user: str, page: int, page_size: int, unread_only: bool = False) -> tuple[int, list[Any]]:
    """(how many, one page of them newest first); `page` counts from 0. Notifications sent by e-mail only are left out."""
    mine = sa.and_(
        NOTIFICATIONS.c.recipient == user,
        NOTIFICATIONS.c.in_app.is_(True),
        NOTIFICATIONS.c.read_at.is_(None) if unread_only else sa.true(),
    )
    total = s.execute(sa.select(sa.func.count()).select_from(NOTIFICATIONS).where(mine)).scalar_one()
    rows = s.execute(
        sa.select(NOTIFICATIONS)
        .where(mine)
        .order_by(NOTIFICATIONS.c.created_at.desc(), NOTIFICATIONS.c.id.desc())
        .offset(page * page_size)
        .limit(page_size)
    ).all()
    return total, rows


def one(s: Session, user: str, notification_id: int) -> Any | None:
    return s.execute(
        sa.select(NOTIFICATIONS).where(
            NOTIFICATIONS.c.id == notification_id, NOTIFICATIONS.c.recipient == user, NOTIFICATIONS.c.in_app.is_(True)
        )
    ).first()


def mark_read(s: Session, user: str, ids: Iterable[int] | None = None) -> int:
    """Mark the user's unread notifications `ids` (all of them when None) read; returns how many changed."""
    where = [NOTIFICATIONS.c.recipient == user, NOTIFICATIONS.c.read_at.is_(None)]
    if ids is not None:
        where.append(NOTIFICATIONS.c.id.in_(list(ids)))
    return s.execute(NOTIFICATIONS.update().where(*where).values(read_at=utcnow())).rowcount


def preferences(s: Session, user: str) -> dict[str, dict[str, bool]]:
    """Per event, the user's channels: what they chose, else the event's defaults."""
    chosen = {
        row.event: {IN_APP: row.in_app, EMAIL: row.email}
        for row in s.execute(sa.select(PREFERENCES).where(PREFERENCES.c.username == user))
    }
    return {event: chosen.get(event) or default_channels(event) for event in EVENTS}


def save_preferences(s: Session, user: str, choices: Mapping[str, Mapping[str, bool]]) -> None:
    """Store the user's channels for the events in `choices` (known events only: the callers validate)."""
    for event, channels in choices.items():
        s.execute(PREFERENCES.delete().where(PREFERENCES.c.username == user, PREFERENCES.c.event == event))
        s.execute(
            PREFERENCES.insert().values(
                username=user, event=event, in_app=bool(channels[IN_APP]), email=bool(channels[EMAIL])
            )
        )


def language(s: Session, user: str) -> str | None:
    return s.execute(sa.select(PROFILES.c.language).where(PROFILES.c.username == user)).scalar()


def save_language(s: Session, user: str, chosen: str) -> None:
    if chosen not in LANGUAGES:
        raise ValueError(chosen)
    s.execute(PROFILES.delete().where(PROFILES.c.username == user))
    s.execute(PROFILES.insert().values(username=user, language=chosen))


def is_following(s: Session, user: str, entity: str, record_id: int) -> bool:
    return (
        s.execute(
            sa.select(FOLLOWERS.c.username).where(
                FOLLOWERS.c.username == user, FOLLOWERS.c.entity == entity, FOLLOWERS.c.record_id == record_id
            )
        ).first()
        is not None
    )


def follow(s: Session, user: str, entity: str, record_id: int, on: bool) -> None:
    """Follow (on) or stop following the record; doing it twice is the same as once."""
    s.execute(
        FOLLOWERS.delete().where(
            FOLLOWERS.c.username == user, FOLLOWERS.c.entity == entity, FOLLOWERS.c.record_id == record_id
        )
    )
    if on:
        s.execute(FOLLOWERS.insert().values(username=user, entity=entity, record_id=record_id, created_at=utcnow()))


def followed(s: Session, user: str) -> list[Any]:
    return s.execute(
        sa.select(FOLLOWERS).where(FOLLOWERS.c.username == user).order_by(FOLLOWERS.c.created_at.desc())
    ).all()

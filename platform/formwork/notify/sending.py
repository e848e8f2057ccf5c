"""Recording notifications: what other parts of the platform call when something happens to someone.

`notify` writes in the caller's transaction, so a notification exists exactly
when the action that caused it commits; it never talks to a mail server (the
worker sends the queued e-mails later, see notify/outbox.py), so a slow or
broken mail server never slows or breaks the request.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ..compile.models import utcnow
from ..i18n import Label
from .events import AUTOMATED, EMAIL, EVENTS, FOLLOWED_CHANGED, IN_APP, default_channels
from .tables import FOLLOWERS, NOTIFICATIONS, OUTBOX, PREFERENCES

PENDING = "pending"


def notify(
    session: Session,
    *,
    event: str,
    recipients: Iterable[str],
    entity: str | None = None,
    record_id: int | None = None,
    actor: str | None = None,
    data: Mapping[str, Any] | None = None,
    email: bool = False,
) -> None:
    """Tell `recipients` about `event` in their inbox and by e-mail, as each of them chose (with `email`, by e-mail
    only, whatever they chose: an automation's e-mail step).

    The actor is never told of their own action. `data` fills the event's template placeholders
    ({record}, {step}, {comment}…); its values are stored as text, a Label as its texts per language.
    """
    if event not in EVENTS:
        raise ValueError(f"unknown notification event {event!r}; known: {', '.join(EVENTS)}")
    people = sorted({person for person in recipients if person and person != actor})
    if not people:
        return
    stored = {str(key): _stored(value) for key, value in (data or {}).items() if value is not None}
    now = utcnow()
    for person, chosen in _channels(session, event, people).items():
        channels = {IN_APP: False, EMAIL: True} if email else chosen
        if not (channels[IN_APP] or channels[EMAIL]):
            continue
        # the statements are the tables' plain inserts with parameters: compiled once and cached, not per row
        row = session.execute(
            NOTIFICATIONS.insert(),
            {
                "recipient": person,
                "event": event,
                "entity": entity,
                "record_id": record_id,
                "actor": actor,
                "data": stored,
                "in_app": channels[IN_APP],
                "created_at": now,
                "read_at": None if channels[IN_APP] else now,  # e-mail only: never unread
            },
        )
        if channels[EMAIL]:
            session.execute(
                OUTBOX.insert(),
                {
                    "notification_id": row.inserted_primary_key[0],
                    "recipient": person,
                    "status": PENDING,
                    "attempts": 0,
                    "next_attempt_at": now,
                    "created_at": now,
                },
            )


def mail(
    session: Session,
    *,
    addresses: Iterable[str],
    subject: Mapping[str, str],
    body: Mapping[str, str],
    entity: str | None = None,
    record_id: int | None = None,
    actor: str | None = None,
) -> None:
    """Queue an e-mail to each address (a contact's, not a user's): a notification no inbox shows (no recipient,
    e-mail only) whose outbox row carries the address, sent by the worker like every other mail."""
    now = utcnow()
    for address in sorted({a.strip() for a in addresses if a and a.strip()}):
        row = session.execute(
            NOTIFICATIONS.insert().values(
                recipient="",
                event=AUTOMATED,
                entity=entity,
                record_id=record_id,
                actor=actor,
                data={"subject": dict(subject), "message": dict(body)},
                in_app=False,
                created_at=now,
                read_at=now,
            )
        )
        session.execute(
            OUTBOX.insert().values(
                notification_id=row.inserted_primary_key[0],
                recipient="",
                address=address,
                status=PENDING,
                attempts=0,
                next_attempt_at=now,
                created_at=now,
            )
        )


def record_changed(
    session: Session,
    *,
    entity: str,
    record_id: int,
    actor: str | None,
    changes: Mapping[str, Any],
    record: str | None = None,
    shown_to: Callable[[str], Mapping[str, Any]] | None = None,
) -> None:
    """Tell the record's followers (but not the one who changed it) which fields changed.

    `changes` maps a field to its new value, to an (old, new) pair or to {"old": …, "new": …}. `shown_to(follower)`
    gives the part of `changes` that follower may know (nothing: they are not told), since followers have
    different field rights and may have lost sight of the record since they followed it.
    """
    if not changes:
        return
    followers = (
        session.execute(
            sa.select(FOLLOWERS.c.username).where(FOLLOWERS.c.entity == entity, FOLLOWERS.c.record_id == record_id)
        )
        .scalars()
        .all()
    )
    audiences: dict[tuple[str, ...], tuple[Mapping[str, Any], list[str]]] = {}
    for person in followers:
        seen = changes if shown_to is None or person == actor else shown_to(person)
        if seen:
            audiences.setdefault(tuple(seen), (seen, []))[1].append(person)
    for seen, people in audiences.values():
        notify(
            session,
            event=FOLLOWED_CHANGED,
            recipients=people,
            entity=entity,
            record_id=record_id,
            actor=actor,
            data={"record": record, "fields": ", ".join(seen), "changes": describe_changes(seen)},
        )


def forget_followers(session: Session, entity: str, record_id: int) -> None:
    """A deleted record has no followers: a record later stored under the same id must not reach them."""
    session.execute(FOLLOWERS.delete().where(FOLLOWERS.c.entity == entity, FOLLOWERS.c.record_id == record_id))


def describe_changes(changes: Mapping[str, Any]) -> str:
    """`amount: 100 → 120; stage: new → won`, whatever shape the change history gives."""
    parts = []
    for name, change in changes.items():
        if isinstance(change, Mapping) and {"old", "new"} <= set(change):
            old, new = change["old"], change["new"]
        elif isinstance(change, (tuple, list)) and len(change) == 2:
            old, new = change
        else:
            parts.append(f"{name}: {_text(change)}")
            continue
        parts.append(f"{name}: {_text(old)} → {_text(new)}")
    return "; ".join(parts)


def _channels(session: Session, event: str, people: list[str]) -> dict[str, dict[str, bool]]:
    """Each person's channels for `event`: what they chose on the preferences screen, else the event's defaults."""
    chosen = {
        row.username: {IN_APP: row.in_app, EMAIL: row.email}
        for row in session.execute(
            sa.select(PREFERENCES).where(PREFERENCES.c.event == event, PREFERENCES.c.username.in_(people))
        )
    }
    return {person: chosen.get(person) or default_channels(event) for person in people}


def _stored(value: Any) -> str | dict[str, str]:
    return dict(value.translations) if isinstance(value, Label) else _text(value)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (list, tuple, set)):
        return ", ".join(_text(item) for item in value)
    return str(value)

"""Telling people what happened: the port every feature calls, answered by whichever feature delivers notices.

Approvals tell approvers a task waits for them, comments tell the people they mention, the change history tells a
record's followers. None of them knows how people are told: they call `notices().notify`, `.record_changed` and
`.forget_followers`, inside their own transaction, and the feature in the NOTICES slot (the notify feature:
inbox, e-mail, preferences, followers) answers. With no such feature loaded nobody is told, and nothing fails.
The event names are the shared vocabulary: the deliverer's templates and preferences are keyed by them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any, Protocol

from sqlalchemy.orm import Session

from ..features import NOTICES, load_features

ASSIGNED, APPROVAL_NEEDED, APPROVAL_DECIDED = "assigned", "approval_needed", "approval_decided"
MENTIONED, FOLLOWED_CHANGED, REMINDER, CC = "mentioned", "followed_changed", "reminder", "cc"
#: a message an automation sends: its `data` carries the `subject` and `message`, a text per language
AUTOMATED = "automated"


class Notices(Protocol):
    """What a feature that delivers notices answers (notify/sending.py is the built-in one). `notify` tells
    `recipients` about `event` (never its actor; `data` fills the event's text: {record}, {step}, {comment}…; with
    `email`, by e-mail only, whatever they chose); `mail` queues an e-mail to addresses that are no user's (a
    contact's), `subject` and `body` per language;
    `record_changed` tells a record's followers which fields changed (`shown_to(follower)`: what that follower may
    know); `forget_followers`: a deleted record has none, so a record later stored under its id reaches nobody."""

    def notify(
        self,
        session: Session,
        *,
        event: str,
        recipients: Iterable[str],
        entity: str | None = None,
        record_id: int | None = None,
        actor: str | None = None,
        data: Mapping[str, Any] | None = None,
        email: bool = False,
    ) -> None: ...

    def mail(
        self,
        session: Session,
        *,
        addresses: Iterable[str],
        subject: Mapping[str, str],
        body: Mapping[str, str],
        entity: str | None = None,
        record_id: int | None = None,
        actor: str | None = None,
    ) -> None: ...

    def record_changed(
        self,
        session: Session,
        *,
        entity: str,
        record_id: int,
        actor: str | None,
        changes: Mapping[str, Any],
        record: str | None = None,
        shown_to: Callable[[str], Mapping[str, Any]] | None = None,
    ) -> None: ...

    def forget_followers(self, session: Session, entity: str, record_id: int) -> None: ...


class _NobodyIsTold:
    """What answers when no feature delivers notices: nothing is sent, and nothing fails."""

    def notify(self, session: Session, **_notice: Any) -> None:
        pass

    def mail(self, session: Session, **_mail: Any) -> None:
        pass

    def record_changed(self, session: Session, **_change: Any) -> None:
        pass

    def forget_followers(self, session: Session, entity: str, record_id: int) -> None:
        pass


def notices() -> Notices:
    """Whoever delivers notices: the feature in the NOTICES slot with the lowest priority, else nobody."""
    answering = load_features().items(NOTICES)
    return answering[0] if answering else _NobodyIsTold()

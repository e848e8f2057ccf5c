"""Comments on records: plain text with @mentions of people, who are notified.

A mention is `@` and a user name (FAB's `username`), at the start of the text
or after a space or punctuation, so an e-mail address in the text is not one.
Every person mentioned must be an active user of the tenant who may see the
record (their own record rules); otherwise the comment is refused with the
names that are not, and nothing is stored. The
body is stored as typed and escaped wherever it is shown.
"""

from __future__ import annotations

import re
from typing import Any

import sqlalchemy as sa
from flask_appbuilder.models.sqla import Model
from sqlalchemy.orm import Session

from ..compile.models import utcnow
from ..i18n import CatalogText
from ..tenancy.directory import Directory
from ..tenancy.notices import MENTIONED, notices
from .audience import may_see
from .tables import COMMENTS, MAX_COMMENT

MENTION = re.compile(r"(?<![\w@.])@([\w][\w.\-]*)")
EMPTY_BODY = CatalogText("Write a comment.")
TOO_LONG = CatalogText("A comment is at most {limit} characters.")
UNKNOWN_PEOPLE = CatalogText("No active user is called {names}.")
CANNOT_SEE = CatalogText("{names} cannot see this record.")


class CommentRefused(Exception):
    """A comment that cannot be stored; `messages` is the body's list of reasons (the API's 400 shape)."""

    def __init__(self, messages: list[str]) -> None:
        super().__init__("; ".join(messages))
        self.messages = messages


def mentioned_names(body: str) -> list[str]:
    """The user names `body` mentions, in order, each once (a trailing full stop ends a sentence, not a name)."""
    names: list[str] = []
    for match in MENTION.finditer(body):
        name = match.group(1).rstrip(".-")
        if name and name not in names:
            names.append(name)
    return names


def add_comment(
    session: Session, models: Any, *, entity: str, record_id: int, author: str, body: str, record: str | None = None
) -> int:
    """Store a comment and notify the people it mentions, in the session's transaction (the caller commits).

    Raises CommentRefused, having changed nothing, for an empty or too long body or a mention of someone who is
    not an active user.
    """
    text = body.strip()
    mentions = _checked(session, models, text)
    _may_all_see(session, models.model(entity), record_id, mentions)
    inserted = session.execute(
        COMMENTS.insert().values(
            entity=entity, record_id=record_id, author=author, body=text, mentions=mentions, created_at=utcnow()
        )
    )
    notices().notify(
        session,
        event=MENTIONED,
        recipients=mentions,
        entity=entity,
        record_id=record_id,
        actor=author,
        data={"comment": text, "record": record},
    )
    return int(inserted.inserted_primary_key[0])


def _checked(session: Session, models: Any, text: str) -> list[str]:
    if not text:
        raise CommentRefused([EMPTY_BODY.localized()])
    if len(text) > MAX_COMMENT:
        raise CommentRefused([TOO_LONG.localized().format(limit=MAX_COMMENT)])
    mentions = mentioned_names(text)
    directory = Directory(session, models)
    unknown = [name for name in mentions if not directory.is_active(name)]
    if unknown:
        raise CommentRefused([UNKNOWN_PEOPLE.localized().format(names=", ".join(f"@{name}" for name in unknown))])
    return mentions


def _may_all_see(session: Session, model: type, record_id: int, mentions: list[str]) -> None:
    """A mention sends its person to the record: someone who may not see it would learn it exists (and its text)."""
    blind = [name for name in mentions if not may_see(session, name, model, record_id)]
    if blind:
        raise CommentRefused([CANNOT_SEE.localized().format(names=", ".join(f"@{name}" for name in blind))])


def people_named(session: Session, typed: str, limit: int = 10) -> list[str]:
    """Active users whose name starts with `typed` (the comment box suggests them after `@`)."""
    users = Model.metadata.tables["ab_user"]
    query = (
        sa.select(users.c.username)
        .where(users.c.active.is_(True), users.c.username.startswith(typed, autoescape=True))
        .order_by(users.c.username)
        .limit(limit)
    )
    return list(session.execute(query).scalars())

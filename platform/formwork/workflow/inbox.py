"""A user's approval inbox: what they must approve, what they submitted, what was copied to them, what they did.

Each tab is one query of a page of rows; the four counts (tab headings, the
menu's "Approvals (3)") are one query per request, kept in its `RequestState`, and
stop at COUNT_LIMIT + 1 like the list screens' counts, so years of history
never make every page slower.
Records' titles are read with one query per entity on the page, not per row.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ..actor import request_state
from .tables import EVENTS, INSTANCES, TASKS

TABS = ("to_approve", "submitted", "cc", "done")
PAGE_SIZE = 25
COUNT_LIMIT = 10_000
#: task states that are a decision of the person who held the task
DECIDED = ("approved", "rejected", "returned", "transferred")


def _to_approve(user: str) -> list[Any]:
    return [TASKS.c.assignee == user, TASKS.c.status == "pending"]


def _done(user: str) -> list[Any]:
    return [TASKS.c.decided_by == user, TASKS.c.status.in_(DECIDED)]


#: the events that copy people on a request (the tab "CC'd to me", like the API's `cc` box)
COPIES = ("cc", "notify")


def _copied(user: str) -> Any:
    """The instances `user` was copied or notified on, with the last time. The recipients are a JSON list in the
    event's detail; the user's name is matched as a JSON string (quotes included), so one name never matches another."""
    named = sa.cast(EVENTS.c.detail, sa.Text).contains(json.dumps(user), autoescape=True)
    return (
        sa.select(EVENTS.c.instance_id, sa.func.max(EVENTS.c.at).label("at"))
        .where(EVENTS.c.action.in_(COPIES), named)
        .group_by(EVENTS.c.instance_id)
    )


def _capped(rows: sa.Select) -> Any:
    return sa.select(sa.func.count()).select_from(rows.limit(COUNT_LIMIT + 1).subquery()).scalar_subquery()


def counts(session: Session, user: str) -> dict[str, int]:
    """Rows per tab (at most COUNT_LIMIT + 1), in one query; cached for the request (the menu and the inbox ask)."""
    state = request_state()
    cache = state.cache("approval_counts") if state is not None else {}
    if user not in cache:
        row = session.execute(
            sa.select(
                _capped(sa.select(TASKS.c.id).where(*_to_approve(user))).label("to_approve"),
                _capped(sa.select(INSTANCES.c.id).where(INSTANCES.c.submitter == user)).label("submitted"),
                _capped(_copied(user)).label("cc"),
                _capped(sa.select(TASKS.c.id).where(*_done(user))).label("done"),
            )
        ).one()
        cache[user] = dict(row._mapping)
    return cache[user]


def shown_count(count: int) -> str:
    """A count as shown: "10,000+" when counting stopped at the limit."""
    return f"{COUNT_LIMIT:,}+" if count > COUNT_LIMIT else str(count)


def paging(count: int, page: int, rows: int) -> tuple[int | None, bool]:
    """A tab's last page (None when counting stopped at the limit) and whether there is a next page."""
    if count > COUNT_LIMIT:
        return None, rows == PAGE_SIZE
    last = max(1, -(-count // PAGE_SIZE))
    return last, page < last


@dataclass
class InboxRow:
    """One line of a tab: the request, and the task or copy it is about."""

    instance: Any
    task_id: int | None = None
    task_status: str | None = None
    at: Any = None
    delegated_from: str | None = None
    title: str = ""
    waiting_for: tuple[str, ...] = ()


def page_of(session: Session, tab: str, user: str, page: int) -> list[InboxRow]:
    offset = (page - 1) * PAGE_SIZE
    if tab in ("to_approve", "done"):
        where = _to_approve(user) if tab == "to_approve" else _done(user)
        order = [TASKS.c.id] if tab == "to_approve" else [TASKS.c.decided_at.desc(), TASKS.c.id.desc()]
        at = TASKS.c.created_at if tab == "to_approve" else TASKS.c.decided_at
        query = (
            sa.select(
                INSTANCES,
                TASKS.c.id.label("task_id"),
                TASKS.c.status.label("task_status"),
                at.label("at"),
                TASKS.c.delegated_from.label("delegated_from"),
            )
            .join(TASKS, TASKS.c.instance_id == INSTANCES.c.id)
            .where(*where)
            .order_by(*order)
        )
    elif tab == "submitted":
        query = (
            sa.select(INSTANCES, INSTANCES.c.submitted_at.label("at"))
            .where(INSTANCES.c.submitter == user)
            .order_by(INSTANCES.c.submitted_at.desc(), INSTANCES.c.id.desc())
        )
    else:
        copies = _copied(user).subquery()
        query = (
            sa.select(INSTANCES, copies.c.at)
            .join(copies, copies.c.instance_id == INSTANCES.c.id)
            .order_by(copies.c.at.desc(), INSTANCES.c.id.desc())
        )
    found = session.execute(query.offset(offset).limit(PAGE_SIZE)).all()
    return [
        InboxRow(
            row,
            getattr(row, "task_id", None),
            getattr(row, "task_status", None),
            row.at,
            getattr(row, "delegated_from", None),
        )
        for row in found
    ]


def fill_in(session: Session, compiled: Any, rows: list[InboxRow], waiting_for: bool) -> None:
    """Each row's record title (one query per entity) and, with `waiting_for`, who the open requests wait for
    (one query)."""
    by_entity: dict[str, set[int]] = defaultdict(set)
    for row in rows:
        by_entity[row.instance.entity].add(row.instance.record_id)
    titles: dict[tuple[str, int], str] = {}
    for entity, ids in by_entity.items():
        if entity in compiled.models:
            model = compiled.model(entity)
            titles.update({(entity, r.id): str(r) for r in session.query(model).filter(model.id.in_(ids))})
    pending = {row.instance.id for row in rows if row.instance.status == "pending"} if waiting_for else set()
    waiting: dict[int, list[str]] = defaultdict(list)
    if pending:
        for instance_id, person in session.execute(
            sa.select(TASKS.c.instance_id, TASKS.c.assignee)
            .where(TASKS.c.instance_id.in_(pending), TASKS.c.status == "pending")
            .order_by(TASKS.c.id)
        ):
            waiting[instance_id].append(person)
    for row in rows:
        row.title = titles.get((row.instance.entity, row.instance.record_id), f"#{row.instance.record_id}")
        row.waiting_for = tuple(waiting.get(row.instance.id, ()))


def held_by(session: Session, task_ids: list[int], user: str) -> bool:
    """Are all these tasks `user`'s (assigned to them, or to their delegate on their behalf)?"""
    mine = sa.or_(TASKS.c.assignee == user, TASKS.c.delegated_from == user)
    found = session.execute(
        sa.select(sa.func.count()).select_from(TASKS).where(TASKS.c.id.in_(task_ids), mine)
    ).scalar_one()
    return found == len(set(task_ids))

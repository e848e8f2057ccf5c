"""Personal list views: a user's own named lists of an entity (columns, sort and filters), stored in the tenant's
storage per user, each over one of the entity's list views (its filter and record rules still apply).

On TENANT_METADATA: new tenants get the table at creation, existing ones at their next `formwork migrate`. Every
query names the user, so nobody reads or deletes another's views.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import parse_qsl, urlencode

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ..compile.generated import TENANT_METADATA, keyed_by

PERSONAL_LIST_VIEWS = sa.Table(
    "formwork_personal_list_view",
    TENANT_METADATA,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("user_id", sa.Integer, nullable=False),
    sa.Column("entity", sa.String(128), nullable=False, info=keyed_by("Entity")),  # qualified: `crm.account`
    sa.Column("listing", sa.String(64), nullable=False),  # the list view it is shown as
    sa.Column("name", sa.String(100), nullable=False),
    sa.Column("columns", sa.Text, nullable=False),  # a JSON list of column names, in order
    sa.Column("sort", sa.String(80), nullable=False),  # `amount`, `-amount`, or '' for the list view's own
    sa.Column("query", sa.Text, nullable=False),  # the list's filter arguments, URL-encoded
    sa.Column("saved_at", sa.DateTime, nullable=False),
    sa.UniqueConstraint("user_id", "entity", "name", name="uq_personal_list_view_name"),
)
NAME_LENGTH = 100

#: the query arguments of a list that filter it: the quick search, a structured filter and FAB's search filters
FILTER_ARGUMENTS = ("q", "where")
SEARCH_FILTER_PREFIX = "_flt_"


@dataclass(frozen=True)
class PersonalView:
    id: int
    listing: str
    name: str
    columns: list[str]
    sort: str
    query: str


def filter_query(arguments: list[tuple[str, str]]) -> str:
    """The filtering part of a list's query arguments, URL-encoded (paging and anything else left out)."""
    kept = [(k, v) for k, v in arguments if v and (k in FILTER_ARGUMENTS or k.startswith(SEARCH_FILTER_PREFIX))]
    return urlencode(kept)


def _view(row: sa.Row[tuple[object, ...]]) -> PersonalView:
    return PersonalView(
        row.id, row.listing, row.name, json.loads(row.columns), row.sort, filter_query(parse_qsl(row.query))
    )


def personal_views(session: Session, user_id: int, entity: str) -> list[PersonalView]:
    """The user's views of `entity`, by name."""
    table = PERSONAL_LIST_VIEWS
    rows = session.execute(
        sa.select(table).where(table.c.user_id == user_id, table.c.entity == entity).order_by(table.c.name)
    )
    return [_view(row) for row in rows]


def personal_view(session: Session, user_id: int, entity: str, view_id: int) -> PersonalView | None:
    """The user's view `view_id` of `entity`; None for anyone else's."""
    table = PERSONAL_LIST_VIEWS
    row = session.execute(
        sa.select(table).where(table.c.id == view_id, table.c.user_id == user_id, table.c.entity == entity)
    ).first()
    return None if row is None else _view(row)


def save_personal_view(
    session: Session, user_id: int, entity: str, listing: str, name: str, columns: list[str], sort: str, query: str
) -> int:
    """Store the view (replacing the user's view of that name); its id. The caller commits."""
    table = PERSONAL_LIST_VIEWS
    session.execute(table.delete().where(table.c.user_id == user_id, table.c.entity == entity, table.c.name == name))
    return int(
        session.scalar(
            table.insert()
            .values(
                user_id=user_id,
                entity=entity,
                listing=listing,
                name=name,
                columns=json.dumps(columns),
                sort=sort,
                query=query,
                saved_at=datetime.now(UTC).replace(tzinfo=None),
            )
            .returning(table.c.id)
        )
    )


def delete_personal_view(session: Session, user_id: int, entity: str, view_id: int) -> None:
    """Delete the user's view (nothing when it is not theirs). The caller commits."""
    table = PERSONAL_LIST_VIEWS
    session.execute(table.delete().where(table.c.id == view_id, table.c.user_id == user_id, table.c.entity == entity))

"""The result of planning a tenant's schema: changes in words, each with what carries it out, in a fixed order."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any

from ..i18n import say
from .plan_texts import REFUSED


class Phase(IntEnum):
    """The order changes run in: a table is renamed before anything else sees it, a column is renamed before it
    is filled, filled before it becomes required."""

    RENAME_TABLES = 0
    TABLES = 1
    DROP_INDEXES = 2
    RENAMES = 3
    COLUMNS = 4
    FILLS = 5
    ALTERS = 6  # per table in one batch: SQLite recreates the table once
    INDEXES = 7
    DROP_TABLES = 8


Step = Callable[[Any], None]  # given Alembic's operations, or in Phase.ALTERS the table's batch operations


@dataclass
class Change:
    """One change in words, and the steps that carry it out, each in its phase."""

    text: str
    table: str
    steps: list[tuple[Phase, Step]]
    added: tuple[str, str] | None = None  # (table, column) of a column this change adds


@dataclass
class SchemaPlan:
    apply: list[Change] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)  # why each change that is refused is refused
    retired: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # indexes, constraints and tables Formwork did not create

    def describe(self) -> list[str]:
        return [change.text for change in self.apply]

    @property
    def refused(self) -> list[str]:
        """The refused changes in words: `refused: <why>`."""
        return [say(REFUSED, reason=reason) for reason in self.reasons]

    @property
    def left_alone(self) -> list[str]:
        """What stays as it is: refused changes with their reasons, retired columns and tables, and what is not
        Formwork's to change."""
        return self.refused + self.retired + self.kept

    def added_columns(self) -> set[tuple[str, str]]:
        return {change.added for change in self.apply if change.added}

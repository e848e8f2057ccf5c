"""A tenant's customization revisions: each change of its customizations (a Studio publish, `formwork tenant
customize`, a revert, a restore) is one revision, numbered per tenant, with its author, time and comment.

The overlay versions a change records (`CustomizationVersion`) carry their revision's number, so the whole set of
customizations at any revision is the latest version of each overlay up to it: what the Studio compares and
restores (tenancy/customize.restore_revision), and how it tells that someone published the overlays a draft
changes since the draft was started.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ..config import Settings
from .customizations import change_words
from .registry import CustomizationVersion, platform_session

Sources = dict[tuple[str, str], str]


@dataclass
class Revision:
    """One change of a tenant's customizations: who, when, why, and the overlays it changed (kind, target, change in
    the reader's words: `customizations.change_words`)."""

    number: int
    actor: str
    at: datetime
    comment: str
    changes: list[tuple[str, str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class OverlayDifference:
    """How one overlay differs between two revisions: its unified diff (lines), or that it exists in one only."""

    kind: str
    target: str
    lines: list[str]


def latest_revision(session: Session, slug: str) -> int:
    """The tenant's last revision number (0 before its first customization)."""
    found = session.scalar(
        sa.select(sa.func.max(CustomizationVersion.revision)).where(CustomizationVersion.tenant_slug == slug)
    )
    return int(found or 0)


def current_revision(settings: Settings, slug: str) -> int:
    with platform_session(settings.database_url) as session:
        return latest_revision(session, slug)


def revisions(settings: Settings, slug: str) -> list[Revision]:
    """The tenant's revisions, newest first."""
    query = (
        sa.select(CustomizationVersion)
        .where(CustomizationVersion.tenant_slug == slug)
        .order_by(CustomizationVersion.revision.desc(), CustomizationVersion.kind, CustomizationVersion.target)
    )
    found: dict[int, Revision] = {}
    with platform_session(settings.database_url) as session:
        for version in session.scalars(query):
            revision = found.setdefault(
                version.revision, Revision(version.revision, version.actor, version.changed_at, version.comment)
            )
            revision.changes.append((version.kind, version.target, change_words(version.change)))
    return list(found.values())


def sources_at(settings: Settings, slug: str, number: int) -> Sources:
    """The texts of the tenant's customizations as they were right after revision `number` (removed ones left out)."""
    query = (
        sa.select(CustomizationVersion)
        .where(CustomizationVersion.tenant_slug == slug, CustomizationVersion.revision <= number)
        .order_by(CustomizationVersion.revision)
    )
    state: dict[tuple[str, str], str | None] = {}
    with platform_session(settings.database_url) as session:
        for version in session.scalars(query):
            state[(version.kind, version.target)] = version.source
    return {key: source for key, source in state.items() if source is not None}


def published_since(
    settings: Settings, slug: str, number: int, targets: set[tuple[str, str]]
) -> list[CustomizationVersion]:
    """The versions of `targets` (kind, target) recorded after revision `number`: what a draft started then missed."""
    query = (
        sa.select(CustomizationVersion)
        .where(CustomizationVersion.tenant_slug == slug, CustomizationVersion.revision > number)
        .order_by(CustomizationVersion.revision)
    )
    with platform_session(settings.database_url) as session:
        return [v for v in session.scalars(query) if (v.kind, v.target) in targets]


def compare_sources(older: Sources, newer: Sources, older_name: str, newer_name: str) -> list[OverlayDifference]:
    """Each overlay that differs between two sets of texts, with its unified diff (an absent one diffs as empty)."""
    return [
        OverlayDifference(
            kind,
            target,
            list(
                difflib.unified_diff(
                    older.get((kind, target), "").splitlines(),
                    newer.get((kind, target), "").splitlines(),
                    older_name,
                    newer_name,
                    lineterm="",
                )
            ),
        )
        for kind, target in sorted(set(older) | set(newer))
        if older.get((kind, target)) != newer.get((kind, target))
    ]

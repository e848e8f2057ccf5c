"""`formwork tenant import`: a file imported from the command line, as a named user of the tenant.

The import runs in a request context signed in as that user, so the same
rights (`can_import`, `can_add`, `can_edit` on the entity's screens), record
rules, field rights and audit columns apply as on the screens.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from flask import g
from flask_login import login_user

from ..compile.models import class_name
from ..meta.catalog import Catalog
from ..meta.model import EntityDef
from .importer import Outcome, Progress
from .service import import_file

if TYPE_CHECKING:
    from ..cli import CommandEnvironment

CHECKPOINT = 1000  # rows between progress lines when the output is not a terminal


class ImportCommandError(Exception):
    """The command cannot run as asked (unknown entity or user, no right): nothing was read or written."""


def find_entity(catalog: Catalog, name: str) -> EntityDef:
    """`core.employee`, `core_employee` or, when only one pack has it, `employee`."""
    matches = [e for e in catalog.entities.values() if name in (e.qualified, e.table, e.name)]
    if len(matches) != 1:
        raise ImportCommandError(
            f"no single entity is called '{name}'"
            if not matches
            else f"'{name}' is in several packs: say {' or '.join(e.qualified for e in matches)}"
        )
    return matches[0]


def run_import(
    app: Any,
    entity_name: str,
    path: Path,
    username: str,
    match_on: str | None,
    dry_run: bool,
    progress: Progress | None,
) -> Outcome:
    runtime = app.extensions["formwork"]
    entity = find_entity(runtime.catalog, entity_name)
    view = f"{class_name(entity)}View"
    with app.test_request_context("/"):
        sm = app.appbuilder.sm
        user = sm.find_user(username=username)
        if user is None or not user.is_active:
            raise ImportCommandError(f"no active user '{username}' in tenant '{runtime.slug}'")
        login_user(user)
        g.user = user
        if not sm.has_access("can_import", view):
            raise ImportCommandError(f"user '{username}' may not import {entity.plural} (can_import on {view})")
        return import_file(
            entity,
            path.name,
            path.read_bytes(),
            match_on=match_on,
            apply=not dry_run,
            may_create=sm.has_access("can_add", view),
            may_update=sm.has_access("can_edit", view),
            progress=progress,
        )


class RowsProgress:
    """A progress bar of rows on a terminal; elsewhere (logs, CI) a line every CHECKPOINT rows."""

    def __init__(self, echo: Callable[[str], None] = click.echo) -> None:
        self.echo = echo
        self.bar: Any = None
        self.tty = sys.stdout.isatty()

    def __call__(self, done: int, total: int) -> None:
        if self.tty:
            if self.bar is None:
                self.bar = click.progressbar(length=total, label="checking rows", show_pos=True, show_eta=True)
                self.bar.__enter__()
            self.bar.update(1)
        elif done % CHECKPOINT == 0 or done == total:
            self.echo(f"  {done}/{total} rows checked")

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None


def summary(outcome: Outcome, dry_run: bool) -> list[str]:
    """What the command prints: ignored columns, every error, then the counts."""
    lines = [f"ignored column '{header}': {note}" for header, note in outcome.notes]
    lines += [f"row {e.row}, {e.column or 'record'}: {e.message}" for e in outcome.errors]
    if outcome.errors:
        lines.append(f"{len(outcome.errors)} error(s); nothing was imported")
    elif dry_run:
        lines.append(f"dry run: {outcome.created} would be created, {outcome.updated} updated; nothing was imported")
    else:
        lines.append(f"{outcome.created} created, {outcome.updated} updated")
    return lines


@click.command("import")
@click.argument("slug")
@click.argument("entity")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--match-on", help="A unique field (or id): rows whose value finds a record update it")
@click.option("--dry-run", is_flag=True, help="Check every row and report; save nothing")
@click.option("--user", "username", default="admin", show_default=True, help="The tenant user the import runs as")
@click.pass_obj
def import_command(
    environment: CommandEnvironment,
    slug: str,
    entity: str,
    file: Path,
    match_on: str | None,
    dry_run: bool,
    username: str,
) -> None:
    """Import a CSV or XLSX FILE into ENTITY (e.g. core.employee): every row is saved, or none."""
    app = environment.tenant_app(slug)
    progress = RowsProgress()
    try:
        outcome = run_import(app, entity, file, username, match_on, dry_run, progress)
    finally:
        progress.close()
    for line in summary(outcome, dry_run):
        click.echo(line)
    if outcome.errors:
        sys.exit(1)

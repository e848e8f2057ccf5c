"""The `formwork` command."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from .config import Settings
from .i18n import LANGUAGES

if TYPE_CHECKING:
    from flask import Flask

    from .tenancy.cache import TenantApps
    from .tenancy.customizations import Overlay
    from .tenancy.registry import CustomizationVersion

DEMO_SLUG = "demo"
DEMO_USER = "admin"
DEMO_PASSWORD = "formwork-demo"
#: the longest message of an unexpected exception shown on its one line (`--debug` shows it whole)
SHOWN_CHARS = 400


class CommandFailed(click.ClickException):
    """A failure a command expects: the lines that explain it (each definition error), then one line on what failed."""

    def __init__(self, message: str, details: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.details = list(details)

    def show(self, file: Any = None) -> None:
        for line in self.details:
            click.echo(line, err=True)
        super().show(file)


class FormworkGroup(click.Group):
    """The `formwork` command. Whatever a command raises ends here, in one line on stderr and exit 1: an expected
    failure (definition, tenant, customization, seed or import errors, a database that cannot be reached, a file
    that cannot be read) says what failed, anything else that it is unexpected and how to see its traceback. Only
    `formwork --debug …` lets tracebacks through. One place, so that no command can forget it."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort, BrokenPipeError, EOFError):
            raise  # click reports these itself
        except Exception as exc:
            if ctx.params.get("debug"):
                raise
            raise failure(exc) from None


def failure(exc: Exception) -> CommandFailed:
    """The one line (and the definition errors) that report `exc`."""
    from sqlalchemy.exc import InterfaceError, OperationalError

    from .meta.errors import DefinitionsInvalid

    if isinstance(exc, DefinitionsInvalid):
        return CommandFailed(
            f"{len(exc.errors)} definition error(s); nothing was changed", [str(e) for e in exc.errors]
        )
    if isinstance(exc, _expected_errors()):
        return CommandFailed(_one_line(str(exc)))
    if isinstance(exc, OperationalError | InterfaceError):
        return CommandFailed(f"the database cannot be used: {_one_line(str(exc.orig))}")
    if isinstance(exc, OSError):
        return CommandFailed(
            _one_line(f"{exc.strerror}: {exc.filename}" if exc.filename and exc.strerror else str(exc))
        )
    said = _one_line(str(exc))[:SHOWN_CHARS]
    return CommandFailed(
        f"unexpected error, {type(exc).__name__}{': ' + said if said else ''} "
        "(run the command again as `formwork --debug …` to see its traceback)"
    )


def _expected_errors() -> tuple[type[Exception], ...]:
    """The project's errors that report a refusal in their message, not a bug."""
    from .imports.command import ImportCommandError
    from .imports.importer import ImportRefused
    from .imports.reading import UnreadableFile
    from .tenancy.customizations import CustomizationError
    from .tenancy.errors import TenantError, TenantUnavailable
    from .tenancy.seeds import SeedFailed

    return (
        TenantError,
        TenantUnavailable,
        CustomizationError,
        SeedFailed,
        ImportCommandError,
        ImportRefused,
        UnreadableFile,
    )


def _one_line(text: str) -> str:
    return "; ".join(line.strip() for line in text.splitlines() if line.strip())


def _settings() -> Settings:
    """The settings, with a database URL SQLAlchemy can use (else one line saying why, not a traceback)."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError, NoSuchModuleError

    settings = Settings.from_env()
    try:
        make_url(settings.database_url).get_dialect()
    except (ArgumentError, NoSuchModuleError) as exc:
        raise click.ClickException(f"FORMWORK_DATABASE_URL cannot be used: {exc}") from None
    return settings


def _quiet_fab_logs() -> None:
    """FAB logs every column it cannot filter on; operators do not need to read that."""
    logging.getLogger("flask_appbuilder").setLevel(logging.ERROR)


def _catalog():
    from .definitions.loader import require_catalog

    return require_catalog()


def _platform(settings: Settings) -> None:
    from .tenancy.registry import upgrade_platform_db

    upgrade_platform_db(settings.database_url)


class CommandEnvironment:
    """What every command gets as click's `obj` (`@click.pass_obj`): the server's tenants, their definitions and
    their apps, read when a command asks. A feature's commands use it instead of importing this module."""

    def apps(self) -> TenantApps:
        """The tenant apps of this server's settings and definitions, its platform database upgraded first."""
        from .tenancy.cache import TenantApps

        settings, catalog = _settings(), _catalog()
        _platform(settings)
        return TenantApps(settings, catalog)

    def tenant_app(self, slug: str) -> Flask:
        """The app of tenant `slug` (one line saying so when there is none)."""
        apps = self.apps()
        return apps.get(_tenant(apps.settings, slug))


@click.group(cls=FormworkGroup)
@click.option("--debug", is_flag=True, help="Show the traceback of a failure instead of its one line")
@click.pass_context
def main(ctx: click.Context, debug: bool) -> None:
    """Formwork: YAML packs become tables, screens, REST APIs and workflows per tenant."""
    # `debug` is read where failures are reported (FormworkGroup.invoke), after the command has run
    ctx.obj = CommandEnvironment()
    _quiet_fab_logs()


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
def validate(paths: tuple[Path, ...]) -> None:
    """Check pack folders (default: every pack on the pack path) and report every error."""
    from .definitions.loader import load_catalog

    catalog, errors = load_catalog(also=paths)
    for error in errors:
        click.echo(str(error))
    if errors:
        click.echo(f"{len(errors)} error(s)", err=True)
        sys.exit(1)
    click.echo(
        f"OK: {len(catalog.packs)} packs, {len(catalog.entities)} entities, "
        f"{sum(map(len, catalog.forms.values()))} forms, {sum(map(len, catalog.list_views.values()))} list views"
    )


@main.group()
def pack() -> None:
    """Configuration packs."""


@pack.command("list")
def pack_list() -> None:
    """Every pack on the pack path, with its version, what it requires and where it comes from."""
    from .definitions.loader import find_pack_folders, pack_locations

    catalog = _catalog()
    found = {str(folder.path): folder for folder in find_pack_folders(pack_locations()[0])}
    for item in sorted(catalog.packs.values(), key=lambda p: p.name):
        requires = ", ".join(f"{name} {wanted}" for name, wanted in item.requires.items()) or "-"
        folder = found[catalog.sources[item.name].folder]
        source = folder.source if folder.declared else f"{folder.source} {folder.path}"  # a wheel's path says little
        click.echo(
            f"{item.name:<12} {item.version:<10} {len(catalog.entities_of(item.name)):>3} entities  "
            f"requires: {requires:<20} {str(item.label):<20} {source}"
        )


@pack.command("new")
@click.argument("name")
@click.option(
    "--out", type=click.Path(file_okay=False, path_type=Path), default=Path("."), help="Where the pack folder goes"
)
def pack_new(name: str, out: Path) -> None:
    """Start a pack NAME in OUT/NAME/: an entity with its form and list view, a role, a seed, a scenario test, and
    the JSON Schemas its files' modelines point at."""
    from .definitions.scaffold import ScaffoldRefused, new_pack

    try:
        written = new_pack(name, out)
    except ScaffoldRefused as exc:
        raise CommandFailed(str(exc)) from None
    folder = out / name
    click.echo(f"wrote {folder}: {len(written)} files, the JSON Schemas in {folder / 'schemas'}")
    click.echo(
        f"next: put {out.resolve()} on FORMWORK_PACK_PATH, run `formwork validate` and `formwork pack test {folder}`; "
        "docs/implementers.md goes on from there"
    )


@pack.command("test")
@click.argument("path", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option(
    "--postgres",
    metavar="URL",
    help="Run on this PostgreSQL server, in a database of the run's own dropped afterwards (default: SQLite)",
)
def pack_test(path: Path, postgres: str | None) -> None:
    """Run the scenario tests of the pack at PATH (its tests/*.yaml), each on a throw-away tenant."""
    from .scenarios.command import test_pack

    if not test_pack(path, postgres):
        sys.exit(1)


@pack.command("from-tenant")
@click.argument("slug")
@click.argument("pack_name", metavar="PACK")
@click.option("--version", help="The new version (default: the installed one's next minor version)")
@click.option(
    "--out", type=click.Path(file_okay=False, path_type=Path), default=Path("."), help="Where the pack folder goes"
)
def pack_from_tenant_command(slug: str, pack_name: str, version: str | None, out: Path) -> None:
    """Write a new version of PACK with tenant SLUG's customizations of it folded in (OUT/PACK/)."""
    from .meta.errors import DefinitionsInvalid
    from .tenancy.pack_from_tenant import pack_from_tenant

    settings = _settings()
    _platform(settings)
    record = _tenant(settings, slug)
    folder = out / pack_name
    if folder.exists():
        raise CommandFailed(f"{folder} exists; choose another --out")
    try:
        made = pack_from_tenant(settings, record, pack_name, version)
    except DefinitionsInvalid as exc:
        raise CommandFailed(
            f"{len(exc.errors)} error(s): the new version does not check; nothing was written",
            [str(e) for e in exc.errors],
        ) from None
    for path, text in made.files:
        (folder / path).parent.mkdir(parents=True, exist_ok=True)
        (folder / path).write_text(text, encoding="utf-8")
    click.echo(f"wrote {folder}: {made.name} {made.version}, {len(made.files)} file(s)")
    for line in made.folded:
        click.echo(f"  folded in: {line}")
    for line in made.left_out:
        click.echo(f"  left out: {line}")
    click.echo(
        f"to move {slug} onto it: `formwork tenant upgrade-pack {slug} {made.name}` with the folder on the pack path "
        "(the pack takes over the tenant's own entities and added fields, their data kept); what else was folded in "
        "stays the tenant's customization until `formwork tenant uncustomize`"
    )


@main.group()
def schema() -> None:
    """JSON Schemas of the definition kinds."""


@schema.command("export")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path), default="schemas")
def schema_export(folder: Path) -> None:
    """Write one JSON Schema per kind (tenant manifests and customizations too), for editor autocomplete."""
    from .definitions.jsonschemas import exported_schema_files

    folder.mkdir(parents=True, exist_ok=True)
    for name, text in exported_schema_files().items():
        target = folder / name
        target.write_text(text, encoding="utf-8")
        click.echo(f"wrote {target}")


@main.group()
def db() -> None:
    """The platform (control-plane) database."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Bring the platform database to the newest revision."""
    settings = _settings()
    _platform(settings)
    click.echo("platform database is up to date")


@main.group()
def tenant() -> None:
    """Create and list tenants."""


@tenant.command("create")
@click.argument("slug")
@click.option("--name", required=True, help="The company's name")
@click.option("--packs", default="core", show_default=True, help="Comma-separated packs to install")
@click.option("--admin-user", required=True)
@click.option("--admin-password", required=True)
@click.option("--locale", type=click.Choice(LANGUAGES), default="en", show_default=True)
@click.option("--currency", default="CNY", show_default=True, help="ISO 4217 code of the default currency")
@click.option(
    "--storage",
    type=click.Choice(["sqlite", "postgres_schema", "postgres_database"]),
    help="Where its records live (default: a file on SQLite, a schema on PostgreSQL)",
)
def tenant_create(
    slug: str,
    name: str,
    packs: str,
    admin_user: str,
    admin_password: str,
    locale: str,
    currency: str,
    storage: str | None,
) -> None:
    """Create a tenant: storage, tables, roles and its first admin."""
    from .tenancy.provision import create_tenant

    settings = _settings()
    catalog = _catalog()
    _platform(settings)
    record = create_tenant(
        settings,
        catalog,
        slug,
        name,
        [p.strip() for p in packs.split(",") if p.strip()],
        admin_user,
        admin_password,
        locale,
        progress=lambda m: click.echo(f"  {m}"),
        currency=currency,
        storage=storage,
    )
    click.echo(f"created tenant '{record.slug}' with packs {', '.join(record.packs)}: /t/{record.slug}/")


@tenant.command("apply")
@click.argument("manifest", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def tenant_apply(manifest: Path) -> None:
    """Create or update a tenant from its YAML manifest (tenants/SLUG.yaml); a second run changes nothing."""
    from .tenancy.manifest import apply_manifest, read_manifest

    settings, catalog = _settings(), _catalog()
    _platform(settings)
    read = read_manifest(manifest)
    changes = apply_manifest(settings, catalog, read, report=lambda m: click.echo(f"  {m}"))
    for change in changes:
        click.echo(f"  {change}")
    if not changes:
        click.echo(f"tenant '{read.slug}' is up to date; nothing changed")


@tenant.command("export")
@click.argument("slug")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), help="File to write (default: print)")
def tenant_export(slug: str, output: Path | None) -> None:
    """Write a tenant's manifest, the format `formwork tenant apply` reads."""
    from .tenancy.manifest import export_manifest

    settings = _settings()
    _platform(settings)
    text = export_manifest(settings, _tenant(settings, slug))
    if output is None:
        click.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
        click.echo(f"wrote {output}")


@tenant.command("customize")
@click.argument("slug")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def tenant_customize(slug: str, file: Path) -> None:
    """Apply and store a tenant's customizations (EntityExtension, Form, ListView documents), replacing those of the
    same target; nothing is stored when one has an error or its schema change is refused."""
    from .tenancy.customize import store_overlays

    settings, catalog = _settings(), _catalog()
    _platform(settings)
    record = _tenant(settings, slug)
    _change_customizations(
        slug,
        lambda: store_overlays(settings, catalog, record, _overlays_in(file), report=click.echo),
        refused="nothing was stored",
        unchanged="already has these customizations",
    )


def _overlays_in(file: Path) -> list[Overlay]:
    """The customizations of a file, read as pack files are (size, encoding), or DefinitionsInvalid."""
    from .meta.errors import DefinitionsInvalid
    from .meta.yamlload import read_text
    from .tenancy.customizations import read_overlays

    text, unreadable = read_text(file)
    if text is None:
        raise DefinitionsInvalid(unreadable)
    return read_overlays(text, str(file))


@tenant.command("customizations")
@click.argument("slug")
@click.argument("target", required=False)
@click.option(
    "--history", is_flag=True, help="Every version (with its text, when TARGET is given), who made it and when"
)
def tenant_customizations(slug: str, target: str | None, history: bool) -> None:
    """List a tenant's customizations (of TARGET only, e.g. crm.account), and those that no longer fit its packs."""
    from .tenancy.customizations import customization_history, list_customizations
    from .tenancy.customize import customization_conflicts

    settings, catalog = _settings(), _catalog()
    _platform(settings)
    record = _tenant(settings, slug)
    if history:
        _print_history(customization_history(settings, slug, target), with_text=target is not None)
        return
    rows = [row for row in list_customizations(settings, slug) if target in (None, row.target)]
    if not rows:
        click.echo(f"tenant '{slug}' has no customizations" + (f" of {target}" if target else ""))
    for row in rows:
        click.echo(f"{row.kind:<16} {row.target:<40} updated {row.updated_at:%Y-%m-%d %H:%M}")
    for conflict in customization_conflicts(settings, catalog, record):
        click.echo(f"  conflict: {conflict}")


def _print_history(versions: list[CustomizationVersion], with_text: bool) -> None:
    if not versions:
        click.echo("no recorded versions")
    shown = None
    for version in versions:
        if (version.kind, version.target) != shown:
            shown = (version.kind, version.target)
            click.echo(f"{version.kind} {version.target}")
        click.echo(
            f"  version {version.version:<3} {version.changed_at:%Y-%m-%d %H:%M}  {version.change:<24} "
            f"by {version.actor:<12} definitions {version.definitions_hash or '-'}"
        )
        if with_text and version.source is not None:
            for line in version.source.splitlines():
                click.echo(f"      {line}")


class OverlayKind(click.ParamType):
    """A kind a tenant customizes with, in any case; the features' kinds are known only once they are loaded."""

    name = "kind"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        from .tenancy.customizations import overlay_kinds

        kinds = overlay_kinds()
        found = next((kind for kind in kinds if kind.lower() == str(value).lower()), None)
        if found is None:
            self.fail(f"{value!r} is not a kind a tenant customizes with ({', '.join(kinds)})", param, ctx)
        return found


OVERLAY_KIND = OverlayKind()


@tenant.command("uncustomize")
@click.argument("slug")
@click.argument("kind", type=OVERLAY_KIND)
@click.argument("target")
def tenant_uncustomize(slug: str, kind: str, target: str) -> None:
    """Remove one customization (TARGET: crm.account, or crm.account/default for a form or list view).

    Fields an extension added are retired: hidden, their columns and data kept (dropped only by
    `formwork migrate --drop-retired`). Refused while other customizations use them.
    """
    from .tenancy.customize import remove_overlay

    settings, catalog = _settings(), _catalog()
    _platform(settings)
    record = _tenant(settings, slug)
    _change_customizations(
        slug,
        lambda: remove_overlay(settings, catalog, record, kind, target, report=click.echo),
        "other customizations depend on it; change or remove them first; nothing was removed",
    )


@tenant.command("customization-revert")
@click.argument("slug")
@click.argument("kind", type=OVERLAY_KIND)
@click.argument("target")
@click.argument("version", type=click.IntRange(min=1))
def tenant_customization_revert(slug: str, kind: str, target: str, version: int) -> None:
    """Make a customization what it was at VERSION (see `formwork tenant customizations SLUG --history TARGET`)."""
    from .tenancy.customize import revert_overlay

    settings, catalog = _settings(), _catalog()
    _platform(settings)
    record = _tenant(settings, slug)
    _change_customizations(
        slug,
        lambda: revert_overlay(settings, catalog, record, kind, target, version, report=click.echo),
        f"version {version} does not fit the tenant's packs and other customizations; nothing was changed",
    )


@tenant.command("customization-restore")
@click.argument("slug")
@click.argument("revision", type=click.IntRange(min=0))
@click.option("--comment", default="", help="Why (kept with the new revision)")
def tenant_customization_restore(slug: str, revision: int, comment: str) -> None:
    """Make all of a tenant's customizations what they were at REVISION (see `formwork tenant revisions SLUG`), as a
    new revision: overlays added since are removed and their fields retired (columns and data kept)."""
    from .tenancy.customize import restore_revision
    from .tenancy.revisions import current_revision

    settings, catalog = _settings(), _catalog()
    _platform(settings)
    record = _tenant(settings, slug)
    if revision > current_revision(settings, slug):
        raise CommandFailed(
            f"tenant '{slug}' has no revision {revision} (its last is {current_revision(settings, slug)})"
        )
    _change_customizations(
        slug,
        lambda: restore_revision(settings, catalog, record, revision, "cli", comment, report=click.echo),
        f"revision {revision} does not fit the tenant's packs; nothing was changed",
        unchanged="already has the customizations of that revision",
    )


@tenant.command("revisions")
@click.argument("slug")
def tenant_revisions(slug: str) -> None:
    """A tenant's customization revisions, newest first: who changed what, when and why."""
    from .tenancy.revisions import revisions

    settings = _settings()
    _platform(settings)
    _tenant(settings, slug)
    found = revisions(settings, slug)
    if not found:
        click.echo(f"tenant '{slug}' has no customization revisions")
    for revision in found:
        comment = f"  “{revision.comment}”" if revision.comment else ""
        click.echo(f"revision {revision.number:<4} {revision.at:%Y-%m-%d %H:%M}  by {revision.actor}{comment}")
        for kind, target, change in revision.changes:
            click.echo(f"  {change}: {kind} {target}")


def _change_customizations(
    slug: str, change: Callable[[], list[str]], refused: str, unchanged: str = "already has that version"
) -> None:
    """Run a customization change (applied with its schema changes, or not at all) and print what it did; its
    definition errors end in what they mean for it (`refused`)."""
    from .meta.errors import DefinitionsInvalid

    try:
        changes = change()
    except DefinitionsInvalid as exc:
        raise CommandFailed(f"{len(exc.errors)} error(s): {refused}", [str(e) for e in exc.errors]) from None
    for line in changes:
        click.echo(f"  {line}")
    if not changes:
        click.echo(f"tenant '{slug}' {unchanged}; nothing changed")


@tenant.command("suspend")
@click.argument("slug")
def tenant_suspend(slug: str) -> None:
    """Stop serving a tenant (its pages answer 503); its data is kept."""
    _set_status(slug, "suspended")


@tenant.command("resume")
@click.argument("slug")
def tenant_resume(slug: str) -> None:
    """Serve a suspended tenant again."""
    _set_status(slug, "active")


@tenant.command("delete")
@click.argument("slug")
@click.option("--confirm", is_flag=True, help="Really delete: the tenant's data is removed after the export")
@click.option(
    "--export-to",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for the export written first (default: INSTANCE/exports)",
)
def tenant_delete(slug: str, confirm: bool, export_to: Path | None) -> None:
    """Delete a tenant for good, after exporting its manifest, rows and files."""
    from .tenancy.lifecycle import delete_tenant

    settings = _settings()
    _platform(settings)
    tenant = _tenant(settings, slug)
    if not confirm:
        raise click.ClickException(
            f"this deletes tenant '{tenant.slug}' ({tenant.name}) and all its data; "
            "run again with --confirm (an export is written first)"
        )
    archive = delete_tenant(
        settings, slug, export_to or settings.instance / "exports", progress=lambda m: click.echo(f"  {m}")
    )
    click.echo(f"tenant '{slug}' deleted; its export is in {archive}")


def _set_status(slug: str, status: str) -> None:
    from .tenancy.registry import set_status

    settings = _settings()
    _platform(settings)
    if not set_status(settings.database_url, slug, status):
        raise click.ClickException(f"no tenant '{slug}'")
    click.echo(f"tenant '{slug}' is {status} (running servers notice before their next request)")


@tenant.command("list")
def tenant_list() -> None:
    """Every tenant with its status and pack versions; `(upgrade available: x)` marks another release on this server."""
    from .definitions.loader import load_catalog
    from .tenancy.packs import upgrades_available
    from .tenancy.registry import list_tenants

    settings = _settings()
    _platform(settings)
    rows = list_tenants(settings.database_url)
    if not rows:
        click.echo("no tenants yet: create one with `formwork tenant create`")
        return
    catalog, _errors = load_catalog()  # a broken pack must not hide the tenants; `validate` reports it
    for row in rows:
        upgrades = upgrades_available(catalog, row)
        packs = ", ".join(
            f"{name} {version or '?'}" + (f" (upgrade available: {upgrades[name]})" if name in upgrades else "")
            for name, version in row.pack_versions.items()
        )
        click.echo(f"{row.slug:<20} {row.status:<10} {row.name:<24} {packs}")


@tenant.command("install-pack")
@click.argument("slug")
@click.argument("pack")
def tenant_install_pack(slug: str, pack: str) -> None:
    """Install PACK (and the packs it requires) into a tenant: shows the plan, then creates tables and loads seeds."""
    from .tenancy.packs import install_pack, plan_install

    settings, catalog = _settings(), _catalog()
    _platform(settings)
    record = _tenant(settings, slug)
    plan = plan_install(settings, catalog, record, pack)
    _echo_section(f"plan for tenant '{slug}':", plan.describe())
    done = install_pack(settings, catalog, record, plan, progress=lambda m: click.echo(f"  {m}"))
    _echo_section("done:", done)


def _echo_section(title: str, lines: list[str]) -> None:
    click.echo(title)
    for line in lines:
        click.echo(f"  {line}")


@tenant.command("upgrade-pack")
@click.argument("slug")
@click.argument("pack")
@click.option("--plan", "plan_only", is_flag=True, help="Only show the plan; change nothing")
@click.option("--yes", is_flag=True, help="Apply without asking")
def tenant_upgrade_pack(slug: str, pack: str, plan_only: bool, yes: bool) -> None:
    """Move a tenant's PACK to the version this server has: shows the plan, applies after confirmation."""
    from .tenancy.packs import plan_upgrade, upgrade_pack

    settings, catalog = _settings(), _catalog()
    _platform(settings)
    record = _tenant(settings, slug)
    plan = plan_upgrade(settings, catalog, record, pack)
    if plan.up_to_date:
        click.echo(f"tenant '{slug}' already has {pack} {plan.available}; nothing to upgrade")
        return
    _echo_section(f"plan for tenant '{slug}':", plan.describe())
    if plan.conflicts:
        raise click.ClickException(
            f"not upgraded: {len(plan.conflicts)} customization(s) conflict with {pack} "
            f"{plan.available}; change or remove them first"
        )
    if plan.refused:
        raise click.ClickException(f"not upgraded: {len(plan.refused)} change(s) refused; nothing was changed")
    if plan_only or not (yes or click.confirm(f"upgrade {pack} to {plan.available}?", default=False)):
        click.echo("nothing was changed")
        return
    done = upgrade_pack(settings, catalog, record, plan, progress=lambda m: click.echo(f"  {m}"))
    _echo_section("done:", done)


@main.command()
@click.argument("slug")
@click.option("--drop-retired", is_flag=True, help="Show what `migrate --drop-retired` would drop")
def plan(slug: str, drop_retired: bool) -> None:
    """Show, in words, what `formwork migrate SLUG` would change, keep and refuse."""
    from .tenancy.customize import customization_conflicts
    from .tenancy.migrate import plan_tenant

    settings, catalog = _settings(), _catalog()
    _platform(settings)
    changes = plan_tenant(settings, catalog, _tenant(settings, slug), drop_retired)
    verb = "would" if changes.refused else "will"
    for change in changes.describe():
        click.echo(f"  {verb} {change}")
    for change in changes.left_alone:
        click.echo(f"  {change}")
    if changes.refused:
        click.echo(
            f"  nothing is applied while {len(changes.refused)} change(s) are refused (a migration is all or nothing)"
        )
    conflicts = customization_conflicts(settings, catalog, _tenant(settings, slug))
    for conflict in conflicts:
        click.echo(f"  customization conflict: {conflict}")
    if not changes.apply and not changes.left_alone and not conflicts:
        click.echo(f"tenant '{slug}' is up to date")


@main.command()
@click.argument("slug", required=False)
@click.option("--all", "every", is_flag=True, help="Every tenant")
@click.option("--jobs", default=2, show_default=True, type=int, help="Tenants migrated at once")
@click.option("--drop-retired", is_flag=True, help="Also drop retired columns and tables, and their data")
def migrate(slug: str | None, every: bool, jobs: int, drop_retired: bool) -> None:
    """Apply the schema changes of one tenant, or of all; unchanged tenants are skipped."""
    from .tenancy.migrate import migrate_all
    from .tenancy.registry import list_tenants

    if bool(slug) == every:
        raise click.UsageError("name one tenant, or use --all")
    settings, catalog = _settings(), _catalog()
    _platform(settings)
    tenants = list_tenants(settings.database_url) if every else [_tenant(settings, slug)]
    with _progress_bar(len(tenants), "migrating tenants") as report:
        summary = migrate_all(settings, catalog, tenants, jobs, report=report, drop_retired=drop_retired)
    click.echo(summary.describe())
    if not summary.ok:
        sys.exit(1)


@contextmanager
def _progress_bar(total: int, label: str) -> Iterator[Callable[[str], None]]:
    """On a terminal, a progress bar with what is worth reading printed above it; elsewhere (logs, CI) every line.

    Report lines that start with `[n/total]` advance the bar; unchanged tenants only advance it.
    """
    if not sys.stdout.isatty():
        yield click.echo
        return
    with click.progressbar(length=total, label=label, show_pos=True, show_eta=True) as bar:

        def report(line: str) -> None:
            if not line.endswith(": unchanged"):
                click.echo(f"\r\033[K{line}")
            if line.startswith("["):
                bar.update(1)

        yield report


def _tenant(settings: Settings, slug: str):
    from .tenancy.registry import find_tenant

    tenant = find_tenant(settings.database_url, slug)
    if tenant is None:
        raise click.ClickException(f"no tenant '{slug}'")
    return tenant


@main.group()
def operator() -> None:
    """Operators sign in to the console at /."""


@operator.command("create")
@click.argument("username")
@click.option("--password", required=True)
def operator_create(username: str, password: str) -> None:
    """Create an operator account for the console."""
    from .console import add_operator, build_console_app

    settings = _settings()
    _platform(settings)
    if not add_operator(build_console_app(settings), username, password):
        raise click.ClickException(f"operator '{username}' already exists")
    click.echo(f"operator '{username}' created")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--threads", default=8, show_default=True, type=int)
def serve(host: str, port: int, threads: int) -> None:
    """Serve the console and every tenant with waitress (a production WSGI server)."""
    _serve(_settings(), host, port, threads)


def _serve(settings: Settings, host: str, port: int, threads: int) -> None:
    import waitress

    from . import create_app
    from .tenancy.long_lived import freeze_long_lived

    app = create_app(settings)
    freeze_long_lived()
    click.echo(f"serving on http://{host}:{port}/  (Ctrl+C to stop)")
    waitress.serve(app, host=host, port=port, threads=threads, ident="formwork")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--no-serve", is_flag=True, help="Prepare the demo and exit")
def demo(host: str, port: int, no_serve: bool) -> None:
    """A demo tenant with the OA and CRM packs and sample data, served on localhost."""
    from .demo.setup import prepare_demo
    from .demo.users import DEMO_USERS

    settings = _settings()
    catalog = _catalog()
    _platform(settings)
    prepare_demo(settings, catalog, DEMO_SLUG, DEMO_USER, DEMO_PASSWORD, progress=lambda m: click.echo(f"  {m}"))
    click.echo("")
    click.echo(f"  Demo tenant:  http://{host}:{port}/t/{DEMO_SLUG}/   user: {DEMO_USER}   password: {DEMO_PASSWORD}")
    click.echo(f"  Console:      http://{host}:{port}/           user: {DEMO_USER}   password: {DEMO_PASSWORD}")
    for username, user in DEMO_USERS.items():
        click.echo(f"  Also:         user: {username:<8} ({user.does}), same password")
    click.echo(f"  Instance:     {settings.instance}")
    click.echo("")
    if no_serve:
        click.echo(
            f"  Not serving (--no-serve): `formwork serve --host {host} --port {port}` serves it at those addresses."
        )
        return
    _serve(settings, host, port, threads=8)


@main.command("features")
def features_command() -> None:
    """List the features loaded (built in, or installed through the `formwork.features` entry points) and what
    each declared, slot by slot."""
    from .features import load_features

    registry = load_features()
    for feature in registry.features:
        click.echo(f"{feature.name}  ({feature.source})")
        for slot in registry.slots():
            count = sum(1 for entry in registry.entries(slot) if entry.feature == feature.name)
            if count:
                click.echo(f"  {slot}: {count}")


def add_feature_commands() -> None:
    """The commands the features declared (`formwork tick`, `formwork tenant import`…), each in its group."""
    from .features import COMMANDS, load_features

    groups = {
        "": main,
        **{name: command for name, command in main.commands.items() if isinstance(command, click.Group)},
    }
    for declared in load_features().items(COMMANDS):
        groups[declared.group].add_command(declared.command)


add_feature_commands()

if __name__ == "__main__":
    main()

"""Pack versions per tenant: install-pack and upgrade-pack (plan first, then apply), and seeds loaded once."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from werkzeug.test import Client

from conftest import Platform, login
from formwork import create_app
from formwork.cli import main
from formwork.definitions.loader import builtin_definitions, require_catalog
from formwork.tenancy.provision import create_tenant
from formwork.tenancy.registry import find_tenant, schema_changes
from formwork.tenancy.storage import tenant_engine

TAGS = """\
kind: Pack
name: tags
version: @TAGS@
requires: {core: ">=0.1.0"}
---
kind: Entity
name: tag
fields:
  - {name: name, type: string, required: true, unique: true}
---
kind: Seed
name: basic
entity: tag
key: name
records:
  - {name: general}
"""
NOTES = """\
kind: Pack
name: notes
version: @NOTES@
requires: {tags: "@RANGE@"}
---
kind: Entity
name: note
fields:
  - {name: title, type: string, required: true}
  - {name: code, type: string, unique: true}
  - {name: tag, type: reference, target: tags.tag}
  - {name: number, type: auto_number, format: "NO-{####}"}
---
kind: Seed
name: first
entity: note
label: {en: First note, zh: 第一条笔记}
records:
  - {title: {en: Read me, zh: 请阅读}, code: N-0, tag: {name: general}}
"""
NOTES_1_1 = (
    NOTES.replace("  - {name: tag,", "  - {name: pinned, type: boolean}\n  - {name: tag,")
    + """\
---
kind: Seed
name: more
entity: note
key: code
records:
  - {title: Second, code: N-1, pinned: true}
  - {title: Third, code: N-2}
"""
)


def packs(folder: Path, tags: str, notes: str, notes_text: str = NOTES, tags_range: str = ">=1.0") -> Path:
    """A folder with the packs tags and notes at the given versions."""
    texts = {
        "tags": TAGS.replace("@TAGS@", tags),
        "notes": notes_text.replace("@NOTES@", notes).replace("@RANGE@", tags_range),
    }
    for name, text in texts.items():
        (folder / name).mkdir(parents=True, exist_ok=True)
        (folder / name / "pack.yaml").write_text(text, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def versions(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """v1: notes 1.0.0 + tags 1.0.0; v1_1: notes 1.1.0 (a field, a seed); v2: notes 2.0.0 needs tags 2; tags 2.0.0."""
    root = tmp_path_factory.mktemp("versions")
    return {
        "v1": packs(root / "v1", "1.0.0", "1.0.0"),
        "v1_1": packs(root / "v1_1", "1.0.0", "1.1.0", NOTES_1_1),
        "v2": packs(root / "v2", "2.0.0", "2.0.0", tags_range=">=2.0"),
    }


@pytest.fixture
def run(platform: Platform, monkeypatch: pytest.MonkeyPatch):
    """`formwork …` against the test platform; `run(version, *args)` puts that version's packs on the pack path."""
    monkeypatch.setenv("FORMWORK_INSTANCE", str(platform.settings.instance))
    monkeypatch.setenv("FORMWORK_DATABASE_URL", platform.settings.database_url)
    monkeypatch.setenv("FORMWORK_SECRET_KEY", platform.settings.secret_key)
    runner = CliRunner()

    def invoke(folder: Path, *args: str, input: str | None = None):
        monkeypatch.setenv("FORMWORK_PACK_PATH", str(folder))
        return runner.invoke(main, list(args), input=input, catch_exceptions=False)

    return invoke


def new_tenant(platform: Platform, folder: Path, slug: str, packs: list[str], locale: str = "en") -> None:
    catalog = require_catalog([builtin_definitions(), folder])
    create_tenant(platform.settings, catalog, slug, slug.title(), packs, "admin", "pw-123456", locale)


def rows(platform: Platform, slug: str, query: str) -> list[tuple]:
    with tenant_engine(platform.settings, find_tenant(platform.settings.database_url, slug)).connect() as connection:
        return [tuple(row) for row in connection.execute(sa.text(query))]


def pack_versions(platform: Platform, slug: str) -> dict[str, str | None]:
    return find_tenant(platform.settings.database_url, slug).pack_versions


def test_a_new_tenant_records_versions_and_loads_the_seeds_in_its_language(platform: Platform) -> None:
    create_tenant(platform.settings, platform.catalog, "zh-co", "Zh Co", ["oa"], "admin", "pw-123456", "zh")
    assert pack_versions(platform, "zh-co") == {"core": "0.1.0", "oa": "0.1.0"}
    assert rows(platform, "zh-co", "SELECT name, code FROM core_department") == [("总部", "HO")]
    assert rows(platform, "zh-co", "SELECT title, pinned FROM oa_announcement") == [("欢迎使用协同办公", True)]
    create_tenant(platform.settings, platform.catalog, "en-co", "En Co", ["core"], "admin", "pw-123456", "en")
    assert rows(platform, "en-co", "SELECT name FROM core_department") == [("Head office",)]
    assert rows(platform, "en-co", "SELECT pack, name FROM formwork_seed") == [("core", "head_office")]


def test_install_pack_shows_the_plan_then_adds_tables_seeds_and_versions(platform: Platform, versions, run) -> None:
    new_tenant(platform, versions["v1"], "inst-co", ["core"])
    result = run(versions["v1"], "tenant", "install-pack", "inst-co", "notes")
    assert result.exit_code == 0, result.output
    plan, done = result.output.split("loading 2 seed(s)")
    for line in (
        "install tags 1.0.0",
        "install notes 1.0.0",
        "add table tags_tag",
        "add table notes_note",
        "load seed tags.basic (Basic): 1 record(s)",
        "load seed notes.first (First note): 1 record(s)",
    ):
        assert line in plan
    assert "[2/2] seed notes.first: 1 record(s) created" in done  # progress while it loads
    assert "installed tags 1.0.0, notes 1.0.0" in done
    assert pack_versions(platform, "inst-co") == {"core": "0.1.0", "tags": "1.0.0", "notes": "1.0.0"}
    # saved like any record: the reference found by its unique field, the auto number filled in
    assert rows(
        platform, "inst-co", "SELECT n.title, t.name, n.number FROM notes_note n JOIN tags_tag t ON t.id = n.tag_id"
    ) == [("Read me", "general", "NO-0001")]
    assert "notes 1.0.0" in run(versions["v1"], "tenant", "list").output
    client = Client(create_app(platform.settings, require_catalog([builtin_definitions(), versions["v1"]])))
    login(client, "inst-co", password="pw-123456")
    page = client.get("/t/inst-co/notes_note/list/")
    assert page.status_code == 200 and "NO-0001" in page.text  # the admin sees the new pack's screens at once


def test_installing_an_installed_or_unknown_pack_is_refused_and_changes_nothing(
    platform: Platform, versions, run
) -> None:
    new_tenant(platform, versions["v1"], "twice-co", ["core"])
    assert run(versions["v1"], "tenant", "install-pack", "twice-co", "tags").exit_code == 0
    again = run(versions["v1"], "tenant", "install-pack", "twice-co", "tags")
    assert again.exit_code == 1 and "tenant 'twice-co' already has pack tags 1.0.0" in again.output
    unknown = run(versions["v1"], "tenant", "install-pack", "twice-co", "payroll")
    assert unknown.exit_code == 1 and "unknown pack 'payroll'" in unknown.output
    assert pack_versions(platform, "twice-co") == {"core": "0.1.0", "tags": "1.0.0"}
    assert rows(platform, "twice-co", "SELECT count(*) FROM tags_tag") == [(1,)]


def test_upgrade_pack_plans_asks_then_adds_the_field_and_new_seeds_only(platform: Platform, versions, run) -> None:
    new_tenant(platform, versions["v1"], "up-co", ["notes"])
    with tenant_engine(platform.settings, find_tenant(platform.settings.database_url, "up-co")).begin() as connection:
        connection.execute(sa.text("DELETE FROM notes_note WHERE code = 'N-0'"))  # a user deletes the seeded note
        connection.execute(
            sa.text(
                "INSERT INTO notes_note (title, code, version, created_at, updated_at) "
                "VALUES ('Mine', 'N-1', 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
            )
        )
    assert "notes 1.0.0 (upgrade available: 1.1.0)" in run(versions["v1_1"], "tenant", "list").output

    planned = run(versions["v1_1"], "tenant", "upgrade-pack", "up-co", "notes", "--plan")
    assert planned.exit_code == 0
    for line in (
        "upgrade notes 1.0.0 → 1.1.0",
        "add column notes_note.pinned",
        "load seed notes.more (More): 2 record(s)",
        "nothing was changed",
    ):
        assert line in planned.output
    assert "seed notes.first" not in planned.output  # loaded once already, even though its record was deleted
    declined = run(versions["v1_1"], "tenant", "upgrade-pack", "up-co", "notes", input="n\n")
    assert "upgrade notes to 1.1.0? [y/N]" in declined.output and "nothing was changed" in declined.output
    assert pack_versions(platform, "up-co")["notes"] == "1.0.0"

    applied = run(versions["v1_1"], "tenant", "upgrade-pack", "up-co", "notes", input="y\n")
    assert applied.exit_code == 0, applied.output
    assert "seed notes.more: 1 record(s) created, 1 already there" in applied.output
    assert "upgraded notes 1.0.0 → 1.1.0" in applied.output
    assert pack_versions(platform, "up-co") == {"core": "0.1.0", "tags": "1.0.0", "notes": "1.1.0"}
    # the deleted seed record stays deleted; the user's N-1 is left alone (key match); N-2 is new
    assert rows(platform, "up-co", "SELECT code, title, pinned FROM notes_note ORDER BY code") == [
        ("N-1", "Mine", None),
        ("N-2", "Third", None),
    ]

    again = run(versions["v1_1"], "tenant", "upgrade-pack", "up-co", "notes", "--yes")
    assert again.exit_code == 0 and "already has notes 1.1.0; nothing to upgrade" in again.output
    downgrade = run(versions["v1"], "tenant", "upgrade-pack", "up-co", "notes", "--yes")
    assert downgrade.exit_code == 1
    assert "has notes 1.1.0; this server has the older 1.0.0, and downgrading a pack is refused" in downgrade.output
    assert pack_versions(platform, "up-co")["notes"] == "1.1.0"


def test_an_upgrade_outside_the_ranges_other_packs_require_is_refused(platform: Platform, versions, run) -> None:
    new_tenant(platform, versions["v1"], "range-co", ["notes"])
    refused = run(versions["v2"], "tenant", "upgrade-pack", "range-co", "notes", "--yes")
    assert refused.exit_code == 1
    assert "notes 2.0.0 requires tags >=2.0, but the tenant has tags 1.0.0; upgrade tags first" in refused.output
    assert pack_versions(platform, "range-co") == {"core": "0.1.0", "tags": "1.0.0", "notes": "1.0.0"}
    assert run(versions["v2"], "tenant", "upgrade-pack", "range-co", "tags", "--yes").exit_code == 0
    assert run(versions["v2"], "tenant", "upgrade-pack", "range-co", "notes", "--yes").exit_code == 0
    assert pack_versions(platform, "range-co") == {"core": "0.1.0", "tags": "2.0.0", "notes": "2.0.0"}


def test_a_tenant_recorded_before_versions_keeps_its_packs(platform: Platform, versions, run) -> None:
    new_tenant(platform, versions["v1"], "old-co", ["tags"])
    engine = sa.create_engine(platform.settings.database_url)
    with engine.begin() as connection:  # the format rows had before versions were recorded
        connection.execute(
            sa.text("UPDATE formwork_tenant SET packs_json = '[\"core\", \"tags\"]' WHERE slug = 'old-co'")
        )
    engine.dispose()
    assert find_tenant(platform.settings.database_url, "old-co").packs == ["core", "tags"]
    assert "old-co" in (listing := run(versions["v1"], "tenant", "list").output)
    assert "core ? (upgrade available: 0.1.0), tags ? (upgrade available: 1.0.0)" in listing
    upgraded = run(versions["v1"], "tenant", "upgrade-pack", "old-co", "tags", "--yes")
    assert upgraded.exit_code == 0 and "upgraded tags (version not recorded) → 1.0.0" in upgraded.output
    assert pack_versions(platform, "old-co") == {"core": None, "tags": "1.0.0"}


STRICT = """\
kind: Pack
name: strict
version: 1.0.0
requires: {core: ">=0.1.0"}
---
kind: Entity
name: price
fields:
  - {name: item, type: string, required: true}
  - {name: amount, type: decimal}
rules:
  - {name: positive, check: "amount > 0.0", field: amount, message: {en: The amount must be positive, zh: 金额必须为正}}
---
kind: Seed
name: prices
entity: price
records:
  - {item: Tea, amount: 3}
  - {item: Air, amount: 0}
"""


def test_a_seed_record_the_rules_refuse_stops_the_install_and_names_its_line(
    platform: Platform, run, tmp_path: Path
) -> None:
    (tmp_path / "strict").mkdir()
    (tmp_path / "strict" / "pack.yaml").write_text(STRICT, encoding="utf-8")
    new_tenant(platform, tmp_path, "strict-co", ["core"])
    refused = run(tmp_path, "tenant", "install-pack", "strict-co", "strict")
    assert refused.exit_code == 1
    assert (
        f"{tmp_path / 'strict' / 'pack.yaml'}:19: seed strict.prices, records[1] cannot be saved: "
        "amount: The amount must be positive"
    ) in refused.output
    assert pack_versions(platform, "strict-co") == {"core": "0.1.0"}
    tenant = find_tenant(platform.settings.database_url, "strict-co")
    assert (
        "strict_price" not in sa.inspect(tenant_engine(platform.settings, tenant)).get_table_names()
    )  # all or nothing
    log = schema_changes(platform.settings.database_url, "strict-co")[-1]
    assert log.outcome == "failed" and "amount: The amount must be positive" in log.left_alone[0]

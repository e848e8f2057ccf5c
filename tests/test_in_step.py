"""A tenant runs on what it installed and last applied; refusals keep it serving; every process stays in step.

Each case has real rows before, and compares every row and column after.
"""

from __future__ import annotations

import textwrap
import threading
import time
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
import yaml
from click.testing import CliRunner
from werkzeug.test import Client

from conftest import (
    PASSWORD,
    Platform,
    catalog_with_pack,
    csrf_token,
    jwt,
    login,
    migrate_to,
)
from formwork import create_app
from formwork.cli import main
from formwork.compile import apis
from formwork.console import add_operator, build_console_app
from formwork.meta.catalog import Catalog
from formwork.tenancy.cache import TenantApps
from formwork.tenancy.customizations import (
    list_customizations,
    read_overlays,
)
from formwork.tenancy.customize import store_overlays
from formwork.tenancy.errors import MigrationRefused, TenantChanged
from formwork.tenancy.locks import migration_lock, migration_running
from formwork.tenancy.packs import plan_upgrade, upgrade_pack
from formwork.tenancy.provision import create_tenant
from formwork.tenancy.registry import (
    Customization,
    Tenant,
    find_tenant,
    platform_session,
    schema_changes,
)
from formwork.tenancy.storage import tenant_engine

PACK = "kind: Pack\nname: pin\nversion: {version}\nrequires: {{core: '>=0.1.0'}}\n---\n"
ITEM = """\
kind: Entity
name: item
title_field: code
fields:
  - {name: code, type: string, max_length: 40, required: true}
  - {name: note, type: string}
  - {name: price, type: decimal, precision: 4}
  - {name: qty, type: integer}
---
kind: Form
entity: item
sections:
  - fields: [code, note, price, qty]
---
kind: ListView
entity: item
columns: [code, note, price]
"""
ROWS = [
    {"code": "A-1", "note": "first", "price": "1.2345", "qty": 3},
    {"code": "B-2", "note": "second", "price": "20.5", "qty": None},
]


def pack(tmp_path: Path, name: str, version: str, item: str) -> tuple[Catalog, Path]:
    """Release `version` of pack `pin` in a folder of its own; returns the catalog and the folder to put on the path."""
    folder = tmp_path / name / "pin"
    return catalog_with_pack(folder, PACK.format(version=version) + textwrap.dedent(item)), folder.parent


def with_rows(platform: Platform, tmp_path: Path, slug: str, item: str = ITEM) -> Catalog:
    """A tenant on pin 1.0.0 with ROWS, created through the API; returns the catalog it was created from."""
    v1, _ = pack(tmp_path, f"{slug}-v1", "1.0.0", item)
    create_tenant(platform.settings, v1, slug, slug, ["pin"], "admin", PASSWORD)
    client = platform.client()
    for row in ROWS:
        created = client.post(f"/t/{slug}/api/v1/pin_item/", json=row, headers=jwt(client, slug))
        assert created.status_code == 201, created.text
    return v1


def rows(platform: Platform, slug: str, table: str = "pin_item") -> list[dict[str, Any]]:
    """Every row and column of `table`, in id order, with the audit columns that move on any save left out."""
    tenant = find_tenant(platform.settings.database_url, slug)
    with tenant_engine(platform.settings, tenant).connect() as conn:
        found = conn.execute(sa.text(f"SELECT * FROM {table} ORDER BY id")).mappings().all()  # noqa: S608 - a test's table
    return [{k: v for k, v in row.items() if k not in ("updated_at", "updated_by")} for row in found]


def columns(platform: Platform, slug: str, table: str = "pin_item") -> dict[str, dict[str, Any]]:
    tenant = find_tenant(platform.settings.database_url, slug)
    with tenant_engine(platform.settings, tenant).connect() as conn:
        return {c["name"]: c for c in sa.inspect(conn).get_columns(table)}


def cli(platform: Platform, monkeypatch: pytest.MonkeyPatch, pack_path: Path | None = None):
    monkeypatch.setenv("FORMWORK_INSTANCE", str(platform.settings.instance))
    monkeypatch.setenv("FORMWORK_DATABASE_URL", platform.settings.database_url)
    monkeypatch.setenv("FORMWORK_SECRET_KEY", platform.settings.secret_key)
    monkeypatch.setenv("FORMWORK_PACK_PATH", str(pack_path or ""))
    runner = CliRunner()
    return lambda *args: runner.invoke(main, list(args), catch_exceptions=False)


# --- pack versions --------------------------------------------------------------------------------------------------

RENAMED = (
    ITEM.replace("{name: note, type: string}", "{name: remark, type: string, renamed_from: note}")
    .replace("[code, note, price, qty]", "[code, remark, price, qty, colour]")
    .replace("[code, note, price]", "[code, remark, price]")
    .replace("  - {name: qty, type: integer}\n", "  - {name: qty, type: integer}\n  - {name: colour, type: string}\n")
)
OVERLAY = """\
kind: Form
entity: pin.item
sections:
  - label: Mine
    fields: [note, code]
---
kind: EntityExtension
entity: pin.item
labels:
  note: {en: Memo, zh: 备忘}
"""


def test_a_new_pack_folder_changes_no_tenant_until_it_is_upgraded_and_renames_carry_customizations_along(
    platform: Platform, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    v1 = with_rows(platform, tmp_path, "pinned-co")
    store_overlays(
        platform.settings,
        v1,
        find_tenant(platform.settings.database_url, "pinned-co"),
        read_overlays(OVERLAY, "mine.yaml"),
    )
    before = rows(platform, "pinned-co")
    v2, v2_path = pack(tmp_path, "pinned-v2", "1.1.0", RENAMED)
    run = cli(platform, monkeypatch, v2_path)

    # deployed, not upgraded: served, planned and migrated as 1.0.0 by every command and server
    assert "tenant 'pinned-co' is up to date" in run("plan", "pinned-co").output
    assert "pinned-co: unchanged" in run("migrate", "pinned-co").output
    assert "pin 1.0.0 (upgrade available: 1.1.0)" in run("tenant", "list").output
    client = Client(create_app(platform.settings, v2))
    login(client, "pinned-co")
    page = client.get("/t/pinned-co/pin_item/edit/1")
    assert (
        page.status_code == 200
        and 'name="note"' in page.text
        and "Memo" in page.text
        and 'name="remark"' not in page.text
    )
    assert (
        client.get("/t/pinned-co/api/v1/pin_item/1", headers=jwt(client, "pinned-co")).json["result"]["note"] == "first"
    )
    assert rows(platform, "pinned-co") == before

    planned = run("tenant", "upgrade-pack", "pinned-co", "pin", "--plan").output
    assert "upgrade pin 1.0.0 → 1.1.0" in planned and "rename field pin item.note to remark (data kept)" in planned
    assert "customization Form pin.item/default follows the release's renames" in planned
    assert "customization EntityExtension pin.item follows the release's renames" in planned
    assert (
        "customization Form pin.item/default replaces the pack's, which now also shows colour; "
        "add them to the customization to show them"
    ) in planned
    upgraded = run("tenant", "upgrade-pack", "pinned-co", "pin", "--yes")
    assert upgraded.exit_code == 0, upgraded.output

    after = rows(platform, "pinned-co")
    assert [{k: v for k, v in row.items() if k not in ("remark", "colour")} for row in after] == [
        {k: v for k, v in row.items() if k != "note"} for row in before
    ]
    assert [row["remark"] for row in after] == ["first", "second"]
    stored = {(c.kind, c.target): c.source for c in list_customizations(platform.settings, "pinned-co")}
    assert yaml.safe_load(stored[("Form", "pin.item/default")])["sections"][0]["fields"] == ["remark", "code"]
    assert list(yaml.safe_load(stored[("EntityExtension", "pin.item")])["labels"]) == ["remark"]
    page = client.get("/t/pinned-co/pin_item/edit/1")
    assert 'name="remark"' in page.text and "Memo" in page.text and "first" in page.text
    history = run("tenant", "customizations", "pinned-co", "--history").output
    assert "follows the pack's renames" in history and "by upgrade" in history


def test_a_refused_narrowing_keeps_serving_and_accepting_what_the_column_stores(
    platform: Platform, tmp_path: Path
) -> None:
    with_rows(platform, tmp_path, "places-co")
    before = rows(platform, "places-co")
    v2, _ = pack(
        tmp_path,
        "places-v2",
        "1.1.0",
        ITEM.replace("{name: price, type: decimal, precision: 4}", "{name: price, type: decimal, precision: 2}"),
    )
    with pytest.raises(MigrationRefused, match="1 stored value"):
        migrate_to(platform, "places-co", v2)
    assert rows(platform, "places-co") == before

    client = Client(create_app(platform.settings, v2))
    token = jwt(client, "places-co")
    shown = client.get("/t/places-co/api/v1/pin_item/1", headers=token).json["result"]
    assert shown["price"] == "1.2345"
    saved = client.put("/t/places-co/api/v1/pin_item/1", json={"price": shown["price"], "qty": 4}, headers=token)
    assert saved.status_code == 200 and saved.json["result"]["price"] == "1.2345"
    assert rows(platform, "places-co")[0]["price"] == before[0]["price"]
    assert find_tenant(platform.settings.database_url, "places-co").pack_versions["pin"] == "1.0.0"


# --- refusals -------------------------------------------------------------------------------------------------------

REQUIRED_EXTENSION = (
    "kind: EntityExtension\nentity: pin.item\nfields:\n  - {name: x_size, type: integer, required: true}\n"
)


def test_a_refused_change_stores_nothing_keeps_the_tenant_serving_and_is_counted_and_logged(
    platform: Platform, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with_rows(platform, tmp_path, "refused-co")
    before = rows(platform, "refused-co")
    run = cli(platform, monkeypatch)
    (tmp_path / "size.yaml").write_text(REQUIRED_EXTENSION)
    customized = run("tenant", "customize", "refused-co", str(tmp_path / "size.yaml"))
    assert customized.exit_code == 1
    assert "pin item.x_size is a new required field but 2 record(s) would have no value" in customized.output
    assert list_customizations(platform.settings, "refused-co") == [] and rows(platform, "refused-co") == before

    # a customization stored without its migration (a draft): every command must agree on what happens to it
    with platform_session(platform.settings.database_url) as session:
        session.add(
            Customization(
                tenant_slug="refused-co", kind="EntityExtension", target="pin.item", source=REQUIRED_EXTENSION
            )
        )
        session.commit()
    planned = run("plan", "refused-co").output
    assert "would add column pin_item.x_size" not in planned
    assert "refused: pin item.x_size is a new required field but 2 record(s) would have no value" in planned
    assert "nothing is applied while 1 change(s) are refused" in planned
    for _ in range(2):  # plan and migrate agree, every time
        migrated = run("migrate", "refused-co")
        assert migrated.exit_code == 1
        assert "refused-co: REFUSED, nothing changed" in migrated.output
        assert "0 migrated, 0 unchanged, 1 refused, 0 failed" in migrated.output
    log = schema_changes(platform.settings.database_url, "refused-co")[-1]
    assert log.outcome == "refused" and "x_size is a new required field" in log.left_alone[0]
    assert rows(platform, "refused-co") == before and "x_size" not in columns(platform, "refused-co")

    client = platform.client()
    token = jwt(client, "refused-co")
    listed = client.get("/t/refused-co/api/v1/pin_item/", headers=token)
    assert listed.status_code == 200 and "x_size" not in listed.json["result"][0]
    assert client.post("/t/refused-co/api/v1/pin_item/", json={"code": "C-3"}, headers=token).status_code == 201
    login(client, "refused-co")
    assert client.get("/t/refused-co/pin_item/list/").status_code == 200

    add_operator(build_console_app(platform.settings), "step-op", "op-password-1")
    console = platform.client()
    page = console.get("/login/")
    console.post(
        "/login/", data={"username": "step-op", "password": "op-password-1", "csrf_token": csrf_token(page.text)}
    )
    shown = console.get(f"/tenants/show/{find_tenant(platform.settings.database_url, 'refused-co').id}")
    assert "Schema changes" in shown.text and "refused" in shown.text and "x_size is a new required field" in shown.text


# --- one migration at a time ----------------------------------------------------------------------------------------

WITH_EXTRA = ITEM.replace(
    "  - {name: qty, type: integer}\n", "  - {name: qty, type: integer}\n  - {name: extra, type: string}\n"
)


def test_a_second_migration_of_a_tenant_waits_for_the_first_and_says_so(platform: Platform, tmp_path: Path) -> None:
    with_rows(platform, tmp_path, "turns-co")
    v2, _ = pack(tmp_path, "turns-v2", "1.1.0", WITH_EXTRA)
    told: list[str] = []
    outcome: list[Any] = []
    tenant = find_tenant(platform.settings.database_url, "turns-co")
    with migration_lock(platform.settings, "turns-co"):
        upgrade = plan_upgrade(platform.settings, v2, tenant, "pin")

        def second() -> None:
            try:
                outcome.append(upgrade_pack(platform.settings, v2, tenant, upgrade, progress=told.append))
            except Exception as exc:  # noqa: BLE001 - reported by the assertion below
                outcome.append(exc)

        worker = threading.Thread(target=second)
        worker.start()
        deadline = time.monotonic() + 20
        while "waiting for another migration of turns-co" not in told and time.monotonic() < deadline:
            time.sleep(0.05)
        assert "waiting for another migration of turns-co" in told
        assert "extra" not in columns(platform, "turns-co")
    worker.join(30)
    assert not isinstance(outcome[0], Exception), outcome[0]
    assert "add column pin_item.extra" in outcome[0]
    assert not migration_running(platform.settings, "turns-co")


def test_a_sqlite_migration_waits_for_a_long_write_instead_of_failing(platform: Platform, tmp_path: Path) -> None:
    if platform.backend != "sqlite":
        pytest.skip("SQLite's write lock")
    with_rows(platform, tmp_path, "busy-co")
    v2, _ = pack(tmp_path, "busy-v2", "1.1.0", WITH_EXTRA)
    engine = tenant_engine(platform.settings, find_tenant(platform.settings.database_url, "busy-co"))
    holding = threading.Event()

    def long_write() -> None:
        with engine.connect() as conn:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
            conn.exec_driver_sql("UPDATE pin_item SET qty = 9 WHERE code = 'A-1'")
            holding.set()
            time.sleep(6)  # past the 5 s after which a migration used to fail with "database is locked"
            conn.exec_driver_sql("COMMIT")

    writer = threading.Thread(target=long_write)
    writer.start()
    holding.wait(10)
    applied = migrate_to(platform, "busy-co", v2)
    writer.join()
    assert "add column pin_item.extra" in applied.describe()
    assert [row["qty"] for row in rows(platform, "busy-co")] == [9, None]


# --- writes racing a migration --------------------------------------------------------------------------------------


def test_writes_racing_a_migration_succeed_or_get_a_503_and_nothing_is_lost(platform: Platform, tmp_path: Path) -> None:
    with_rows(platform, tmp_path, "racing-co")
    v2, _ = pack(
        tmp_path,
        "racing-v2",
        "1.1.0",
        ITEM.replace(
            "  - {name: qty, type: integer}\n",
            "  - {name: qty, type: integer}\n  - {name: size, type: integer, required: true, default: 1, backfill: 7}\n",
        ),
    )
    stop = threading.Event()
    answers: list[tuple[int, str, str | None]] = []
    token = jwt(platform.client(), "racing-co")

    def write(number: int) -> None:
        client = platform.client()
        for n in range(10_000):
            if stop.is_set():
                return
            code = f"W{number}-{n}"
            response = client.post("/t/racing-co/api/v1/pin_item/", json={"code": code, "qty": n}, headers=token)
            answers.append((response.status_code, code, response.headers.get("Retry-After")))

    writers = [threading.Thread(target=write, args=(number,)) for number in range(4)]
    for writer in writers:
        writer.start()
    time.sleep(0.5)
    migrate_to(platform, "racing-co", v2)
    time.sleep(0.5)
    stop.set()
    for writer in writers:
        writer.join(60)

    statuses = {status for status, _, _ in answers}
    assert statuses <= {201, 503}, sorted(statuses)
    assert all(retry for status, _, retry in answers if status == 503)
    created = {code for status, code, _ in answers if status == 201}
    stored = {row["code"]: row for row in rows(platform, "racing-co")}
    assert created <= set(stored) and len(stored) == len(created) + len(ROWS)
    assert {row["size"] for code, row in stored.items() if code in ("A-1", "B-2")} == {7}
    assert {stored[code]["size"] for code in created} == {1, 7}  # the writes went on before, during and after


def test_a_tenant_from_before_releases_were_kept_is_adopted_once_on_first_use(
    platform: Platform, tmp_path: Path
) -> None:
    v1 = with_rows(platform, tmp_path, "older-co")
    before = rows(platform, "older-co")
    with platform_session(platform.settings.database_url) as session:  # what revision 0006 leaves for older tenants
        stored = session.scalar(sa.select(Tenant).where(Tenant.slug == "older-co"))
        stored.releases, stored.applied_json = {}, None
        session.commit()
    changes = len(schema_changes(platform.settings.database_url, "older-co"))
    client = Client(create_app(platform.settings, v1))
    token = jwt(client, "older-co")
    assert client.get("/t/older-co/api/v1/pin_item/1", headers=token).json["result"]["note"] == "first"
    adopted = find_tenant(platform.settings.database_url, "older-co")
    assert adopted.releases["pin"] and adopted.applied_json is not None
    assert len(schema_changes(platform.settings.database_url, "older-co")) == changes  # nothing to change in its tables
    assert rows(platform, "older-co") == before


def test_a_screen_save_the_database_refuses_is_told_in_words_never_in_sql(platform: Platform, tmp_path: Path) -> None:
    with_rows(platform, tmp_path, "words-co")
    tenant = find_tenant(platform.settings.database_url, "words-co")
    with tenant_engine(
        platform.settings, tenant
    ).begin() as conn:  # what the definitions do not say: the form cannot know
        conn.exec_driver_sql("CREATE UNIQUE INDEX dba_unique_code ON pin_item (code)")
    client = platform.client()
    login(client, "words-co")

    def save_twice() -> str:
        page = client.get("/t/words-co/pin_item/add")
        saved = client.post(
            "/t/words-co/pin_item/add", data={"csrf_token": csrf_token(page.text), "code": "A-1"}, follow_redirects=True
        )
        assert saved.status_code == 200
        return saved.text

    refused = save_twice()
    assert "The record was not saved: it conflicts with stored data" in refused
    assert "INSERT" not in refused and "UNIQUE" not in refused.upper().replace("UNIQUE VALUE", "")
    with migration_lock(platform.settings, "words-co"):  # another process is migrating the tenant right now
        assert "This workspace was being updated while your request ran; nothing was saved" in save_twice()
    assert [row["code"] for row in rows(platform, "words-co")] == ["A-1", "B-2"]


def test_a_request_that_fails_after_it_saved_is_not_told_nothing_was_saved(
    platform: Platform, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with_rows(platform, tmp_path, "saved-co")
    client = platform.client()
    token = jwt(client, "saved-co")

    answer_as_usual = apis.EntityRestApi.response

    def fail_once_saved(code: int, **kwargs: Any) -> Any:  # the record is committed; then a query fails
        if code == 201:
            apis.current_app.extensions["formwork"].session().execute(sa.text("SELECT remark FROM pin_item"))
        return answer_as_usual(code, **kwargs)

    monkeypatch.setattr(apis.EntityRestApi, "response", staticmethod(fail_once_saved))
    with migration_lock(platform.settings, "saved-co"):
        answer = client.post("/t/saved-co/api/v1/pin_item/", json={"code": "C-3"}, headers=token)
    assert answer.status_code == 500 and "Retry-After" not in answer.headers
    assert [row["code"] for row in rows(platform, "saved-co")] == ["A-1", "B-2", "C-3"]


def test_a_plan_made_before_another_change_landed_is_refused_and_changes_nothing(
    platform: Platform, tmp_path: Path
) -> None:
    v1 = with_rows(platform, tmp_path, "stale-co")
    v2, _ = pack(tmp_path, "stale-v2", "1.1.0", RENAMED)
    tenant = find_tenant(platform.settings.database_url, "stale-co")
    upgrade = plan_upgrade(platform.settings, v2, tenant, "pin")  # shown to the operator, who waits before saying yes
    store_overlays(platform.settings, v1, tenant, read_overlays(OVERLAY, "mine.yaml"))  # meanwhile, from elsewhere
    before = rows(platform, "stale-co")
    with pytest.raises(TenantChanged, match="changed by another command since this plan was made"):
        upgrade_pack(platform.settings, v2, tenant, upgrade)
    assert rows(platform, "stale-co") == before
    assert find_tenant(platform.settings.database_url, "stale-co").pack_versions["pin"] == "1.0.0"
    again = plan_upgrade(platform.settings, v2, find_tenant(platform.settings.database_url, "stale-co"), "pin")
    assert any("follows the release's renames" in line for line in again.customizations)  # the new plan sees it
    upgrade_pack(platform.settings, v2, find_tenant(platform.settings.database_url, "stale-co"), again)
    assert [row["remark"] for row in rows(platform, "stale-co")] == ["first", "second"]


def test_an_app_is_named_by_the_generation_of_the_state_it_was_built_from(platform: Platform, tmp_path: Path) -> None:
    with_rows(platform, tmp_path, "cached-co")
    v2, _ = pack(tmp_path, "cached-v2", "1.1.0", WITH_EXTRA)
    apps = TenantApps(platform.settings, v2)
    stale = apps.tenant("cached-co")  # read by a request just before another process upgraded the tenant
    migrate_to(platform, "cached-co", v2)
    built = apps.get(stale)
    assert built.extensions["formwork"].catalog.entities["pin.item"].field("extra") is None
    fresh = apps.get(apps.tenant("cached-co"))  # the next request sees the new generation
    assert fresh is not built and fresh.extensions["formwork"].catalog.entities["pin.item"].field("extra") is not None


def test_an_older_tenant_recorded_at_another_version_is_adopted_and_its_upgrade_records_the_version(
    platform: Platform, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    v1 = with_rows(platform, tmp_path, "behind-co")
    with platform_session(platform.settings.database_url) as session:  # recorded at 0.9.0, tables synced to 1.0.0
        stored = session.scalar(sa.select(Tenant).where(Tenant.slug == "behind-co"))
        stored.releases, stored.applied_json, stored.pack_versions = {}, None, {"core": "0.1.0", "pin": "0.9.0"}
        session.commit()
    before = rows(platform, "behind-co")
    client = Client(create_app(platform.settings, v1))
    assert client.get("/t/behind-co/api/v1/pin_item/1", headers=jwt(client, "behind-co")).status_code == 200
    run = cli(platform, monkeypatch, Path(v1.sources["pin"].folder).parent)
    assert "pin 0.9.0 (upgrade available: 1.0.0)" in run("tenant", "list").output
    upgraded = run("tenant", "upgrade-pack", "behind-co", "pin", "--yes")
    assert upgraded.exit_code == 0 and "upgraded pin 0.9.0 → 1.0.0" in upgraded.output
    assert find_tenant(platform.settings.database_url, "behind-co").pack_versions["pin"] == "1.0.0"
    assert "pin 1.0.0 (upgrade" not in run("tenant", "list").output
    assert rows(platform, "behind-co") == before


def test_drop_retired_is_refused_while_a_stored_customization_does_not_fit(
    platform: Platform, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    v1 = with_rows(platform, tmp_path, "unfit-co")
    store_overlays(
        platform.settings,
        v1,
        find_tenant(platform.settings.database_url, "unfit-co"),
        read_overlays(
            "kind: EntityExtension\nentity: pin.item\nfields:\n  - {name: x_mood, type: string}\n", "mood.yaml"
        ),
    )
    unfit = "kind: Form\nentity: pin.item\nsections:\n  - fields: [code, x_nothing]\n"
    with platform_session(platform.settings.database_url) as session:  # stored without its checks (a draft)
        session.add(Customization(tenant_slug="unfit-co", kind="Form", target="pin.item/default", source=unfit))
        session.commit()
    run = cli(platform, monkeypatch)
    refused = run("migrate", "unfit-co", "--drop-retired")
    assert refused.exit_code == 1 and "--drop-retired is refused while customizations do not fit" in refused.output
    assert "x_mood" in columns(platform, "unfit-co")


def test_a_build_that_collides_with_another_threads_ast_use_is_tried_again(
    platform: Platform, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """CPython 3.11 (gh-106905): an exception logged in another thread while routes compile can fail the build."""
    from formwork.tenancy import apps

    with_rows(platform, tmp_path, "ast-co")
    real, calls = apps._build_app, []

    def collide_once(*args: Any) -> Any:
        calls.append(args)
        if len(calls) == 1:
            raise SystemError("AST constructor recursion depth mismatch (before=99, after=100)")
        return real(*args)

    monkeypatch.setattr(apps, "_build_app", collide_once)
    client = Client(create_app(platform.settings, platform.catalog))  # a process that has not built the app yet
    assert client.get("/t/ast-co/api/v1/pin_item/1", headers=jwt(client, "ast-co")).status_code == 200
    assert len(calls) == 2


def test_an_installed_release_that_breaks_a_newer_check_still_serves(
    platform: Platform, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from formwork.tenancy import releases, state
    from formwork.tenancy.registry import PackRelease

    v1 = with_rows(
        platform,
        tmp_path,
        "older-rules-co",
        ITEM.replace(
            "  - {name: qty, type: integer}\n",
            "  - {name: qty, type: integer}\n  - {name: boss, type: reference, target: core.employee}\n",
        ),
    )
    digest = find_tenant(platform.settings.database_url, "older-rules-co").releases["pin"]
    with platform_session(
        platform.settings.database_url
    ) as session:  # as a Formwork from before `requires` was checked
        stored = session.scalar(sa.select(PackRelease).where(PackRelease.name == "pin", PackRelease.digest == digest))
        stored.sources_json = stored.sources_json.replace("requires: {core: '>=0.1.0'}", "")
        session.commit()
    monkeypatch.setattr(releases, "_catalogs", type(releases._catalogs)())
    monkeypatch.setattr(releases, "_server_releases", {})
    monkeypatch.setattr(state, "_merged", type(state._merged)())
    client = Client(create_app(platform.settings, v1))
    assert client.get("/t/older-rules-co/api/v1/pin_item/1", headers=jwt(client, "older-rules-co")).status_code == 200

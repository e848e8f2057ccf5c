"""Tenant customizations: overlays stored apart from packs, merged into what the tenant's users see."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from click.testing import CliRunner
from jsonschema import Draft202012Validator
from werkzeug.test import Client

from conftest import Platform, csrf_token, jwt, login
from formwork.cli import main
from formwork.definitions.loader import builtin_definitions, require_catalog
from formwork.meta.errors import DefinitionsInvalid
from formwork.tenancy.cache import TenantApps
from formwork.tenancy.customizations import list_customizations, read_overlays
from formwork.tenancy.customize import customization_conflicts, store_overlays
from formwork.tenancy.errors import TenantError
from formwork.tenancy.packs import plan_upgrade, upgrade_pack
from formwork.tenancy.provision import create_tenant
from formwork.tenancy.registry import find_tenant, migrations_folder
from formwork.tenancy.state import applied_state, definitions_hash
from formwork.tenancy.storage import tenant_engine

EXTENSION = """\
kind: EntityExtension
entity: crm.account
labels:
  city: {en: Town, zh: 城镇}
fields:
  - name: x_wechat
    type: string
    label: {en: WeChat ID, zh: 微信号}
    max_length: 40
rules:
  - {name: wechat_not_phone, check: "x_wechat != phone", message: {en: WeChat ID repeats the phone, zh: 微信号与电话相同}}
---
kind: Form
entity: crm.account
sections:
  - label: {en: Essentials, zh: 基本信息}
    fields: [name, x_wechat, city, industry]
"""


@pytest.fixture
def formwork(platform: Platform, monkeypatch: pytest.MonkeyPatch):
    """`formwork …` run against the test platform's control plane; returns everything it printed."""
    monkeypatch.setenv("FORMWORK_INSTANCE", str(platform.settings.instance))
    monkeypatch.setenv("FORMWORK_DATABASE_URL", platform.settings.database_url)
    monkeypatch.setenv("FORMWORK_SECRET_KEY", platform.settings.secret_key)
    runner = CliRunner()
    return lambda *args: runner.invoke(main, list(args), catch_exceptions=False)


@pytest.fixture(scope="module")
def browser(platform: Platform) -> Client:
    tenant = platform.tenant("studio", ["crm"])
    changes = store_overlays(platform.settings, platform.catalog, tenant, read_overlays(EXTENSION, "studio.yaml"))
    assert changes == [
        "customization added: EntityExtension crm.account",
        "customization added: Form crm.account/default",
        "add column crm_account.x_wechat",
    ]
    client = platform.client()
    assert login(client, "studio").status_code == 302
    return client


def test_an_extension_adds_a_column_and_a_field_on_screen_and_in_the_api(platform: Platform, browser: Client) -> None:
    page = browser.get("/t/studio/crm_account/add")
    assert "WeChat ID" in page.text and 'name="x_wechat"' in page.text
    saved = browser.post(
        "/t/studio/crm_account/add",
        follow_redirects=True,
        data={"csrf_token": csrf_token(page.text), "name": "Tencent Partner", "x_wechat": "tp-2024"},
    )
    assert saved.status_code == 200
    tenant = find_tenant(platform.settings.database_url, "studio")
    with tenant_engine(platform.settings, tenant).connect() as conn:
        assert (
            conn.execute(sa.text("SELECT x_wechat FROM crm_account WHERE name = 'Tencent Partner'")).scalar()
            == "tp-2024"
        )

    headers = jwt(browser, "studio")
    created = browser.post(
        "/t/studio/api/v1/crm_account/", json={"name": "Api Co", "x_wechat": "api-co"}, headers=headers
    )
    assert created.status_code == 201, created.text
    shown = browser.get(f"/t/studio/api/v1/crm_account/{created.json['id']}", headers=headers)
    assert shown.json["result"]["x_wechat"] == "api-co"


def test_an_added_rule_refuses_a_save(browser: Client) -> None:
    headers = jwt(browser, "studio")
    refused = browser.post(
        "/t/studio/api/v1/crm_account/",
        headers=headers,
        json={"name": "Same Co", "phone": "123456", "x_wechat": "123456"},
    )
    assert refused.status_code == 400 and "WeChat ID repeats the phone" in refused.text


def test_changed_labels_show_in_english_and_chinese(browser: Client) -> None:
    listing = browser.get("/t/studio/crm_account/list/")
    assert "Town" in listing.text
    browser.get("/t/studio/lang/zh")
    page = browser.get("/t/studio/crm_account/add")
    browser.get("/t/studio/lang/en")
    assert "城镇" in page.text and "微信号" in page.text and "基本信息" in page.text


def test_a_form_overlay_replaces_the_pack_form(browser: Client) -> None:
    page = browser.get("/t/studio/crm_account/add")
    assert "Essentials" in page.text
    assert "Contact details" not in page.text and 'name="website"' not in page.text


def test_an_invalid_overlay_names_its_origin_and_line_and_stores_nothing(platform: Platform, browser: Client) -> None:
    tenant = find_tenant(platform.settings.database_url, "studio")
    before = [(c.kind, c.target, c.source) for c in list_customizations(platform.settings, "studio")]
    bad = textwrap.dedent("""\
        kind: EntityExtension
        entity: crm.account
        fields:
          - {name: wechat, type: string}
        ---
        kind: Form
        entity: crm.account
        sections:
          - fields: [name, x_wechat, x_unknown]
        """)
    with pytest.raises(DefinitionsInvalid) as raised:
        store_overlays(platform.settings, platform.catalog, tenant, read_overlays(bad, "bad-studio.yaml"))
    messages = [str(e) for e in raised.value.errors]
    assert any(
        m.startswith("bad-studio.yaml:4 at fields[0].name: 'wechat': fields a tenant adds are named x_…")
        and "no later version of the pack" in m
        for m in messages
    ), messages
    assert any(
        m.startswith("bad-studio.yaml:9 at sections[0].fields[2]: 'x_unknown' is not a field of crm.account")
        for m in messages
    ), messages
    assert [(c.kind, c.target, c.source) for c in list_customizations(platform.settings, "studio")] == before
    assert find_tenant(platform.settings.database_url, "studio").generation == tenant.generation  # its row untouched

    with pytest.raises(DefinitionsInvalid) as unknown_kind:
        read_overlays("kind: Pack\nname: thing\nversion: 1.0.0\n", "kinds.yaml")
    assert "kinds.yaml:1 at kind: a tenant customizes with Entity, EntityExtension, Form, ListView" in str(
        unknown_kind.value
    )


PACK = "kind: Pack\nname: notes\nversion: {version}\nrequires: {{core: '>=0.1.0'}}\n"
NOTE = """\
kind: Entity
name: note
fields:
  - {name: title, type: string}
  - {name: body, type: text}
---
kind: Form
entity: note
sections:
  - fields: [title, body]
"""
NOTES_OVERLAYS = """\
kind: EntityExtension
entity: notes.note
fields:
  - {name: x_mood, type: string, label: {en: Mood, zh: 心情}}
---
kind: Form
entity: notes.note
sections:
  - fields: [title, body, x_mood]
"""


def notes_pack(folder: Path, version: str, note: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "pack.yaml").write_text(PACK.format(version=version))
    (folder / "note.yaml").write_text(note)
    return folder


def test_an_upgrade_that_would_leave_a_customization_out_is_refused_and_the_tenant_still_serves(
    platform: Platform, tmp_path: Path
) -> None:
    v1 = require_catalog([builtin_definitions(), notes_pack(tmp_path / "v1" / "notes", "1.0.0", NOTE)])
    tenant = create_tenant(platform.settings, v1, "notes-studio", "Notes Studio", ["notes"], "admin", "pw-123456")
    store_overlays(platform.settings, v1, tenant, read_overlays(NOTES_OVERLAYS, "notes.yaml"))
    assert (
        customization_conflicts(platform.settings, v1, find_tenant(platform.settings.database_url, "notes-studio"))
        == []
    )

    without_body = NOTE.replace("  - {name: body, type: text}\n", "").replace("[title, body]", "[title]")
    v2 = require_catalog([builtin_definitions(), notes_pack(tmp_path / "v2" / "notes", "2.0.0", without_body)])
    tenant = find_tenant(platform.settings.database_url, "notes-studio")
    assert customization_conflicts(platform.settings, v2, tenant) == []  # the tenant is still on 1.0.0
    plan = plan_upgrade(platform.settings, v2, tenant, "notes")
    assert plan.conflicts == [
        "customization Form notes.note/default (tenant notes-studio) no longer fits and is left out: "
        "'body' is not a field of notes.note (line 6 at sections[0].fields[1])"
    ]
    with pytest.raises(TenantError, match="upgrade of notes refused: it conflicts with the tenant's customizations"):
        upgrade_pack(platform.settings, v2, tenant, plan)

    runtime = TenantApps(platform.settings, v2).get(find_tenant(platform.settings.database_url, "notes-studio"))
    catalog = runtime.extensions["formwork"].catalog
    assert catalog.packs["notes"].version == "1.0.0"
    assert catalog.form_for("notes.note").field_names == {"title", "body", "x_mood"}  # the customized form, whole

    gone = require_catalog(
        [
            builtin_definitions(),
            notes_pack(
                tmp_path / "v3" / "notes",
                "3.0.0",
                NOTE.replace("name: note", "name: memo").replace("entity: note", "entity: memo"),
            ),
        ]
    )
    assert any(
        "EntityExtension notes.note" in c and "entity 'notes.note' is not in the tenant's packs" in c
        for c in plan_upgrade(platform.settings, gone, tenant, "notes").conflicts
    )
    columns = {c["name"] for c in sa.inspect(tenant_engine(platform.settings, tenant)).get_columns("notes_note")}
    assert {"title", "body", "x_mood"} <= columns


def test_a_customization_changes_the_definitions_hash(platform: Platform, browser: Client) -> None:
    tenant = find_tenant(platform.settings.database_url, "studio")
    before = tenant.definitions_hash
    listing = "kind: ListView\nentity: crm.account\nname: wechat\nlabel: {en: On WeChat, zh: 微信客户}\ncolumns: [name, x_wechat]\n"
    assert store_overlays(platform.settings, platform.catalog, tenant, read_overlays(listing, "list.yaml")) == [
        "customization added: ListView crm.account/wechat"
    ]
    assert find_tenant(platform.settings.database_url, "studio").definitions_hash != before
    page = browser.get("/t/studio/crm_account/view/wechat/")
    assert page.status_code == 200 and "On WeChat" in page.text and "tp-2024" in page.text


WECHAT = """\
kind: EntityExtension
entity: crm.account
fields:
  - {name: x_wechat, type: string, label: {en: WeChat ID, zh: 微信号}}
"""
LINE = WECHAT.replace("x_wechat", "x_line").replace("WeChat ID", "LINE ID").replace("微信号", "LINE 账号")


@pytest.fixture(scope="module")
def history_co(platform: Platform) -> Client:
    platform.tenant("history-co", ["crm"])
    client = platform.client()
    assert login(client, "history-co").status_code == 302
    return client


def test_history_keeps_every_version_with_who_when_and_the_definitions_after(
    platform: Platform, formwork, history_co: Client, tmp_path: Path
) -> None:
    for name, text in (("wechat.yaml", WECHAT), ("line.yaml", LINE)):
        (tmp_path / name).write_text(text, encoding="utf-8")
    assert (
        "customization added: EntityExtension crm.account"
        in formwork("tenant", "customize", "history-co", str(tmp_path / "wechat.yaml")).output
    )
    assert (
        "customization changed: EntityExtension crm.account"
        in formwork("tenant", "customize", "history-co", str(tmp_path / "line.yaml")).output
    )
    removed = formwork("tenant", "uncustomize", "history-co", "entityextension", "crm.account")
    assert removed.exit_code == 0, removed.output
    assert "customization removed: EntityExtension crm.account" in removed.output

    history = formwork("tenant", "customizations", "history-co", "--history", "crm.account").output.splitlines()
    assert history[0] == "EntityExtension crm.account"
    versions = [line.split() for line in history if line.startswith("  version")]
    assert [(v[1], v[4], v[6]) for v in versions] == [
        ("1", "added", "cli"),
        ("2", "changed", "cli"),
        ("3", "removed", "cli"),
    ]
    text = "\n".join(history)
    assert (
        text.index("name: x_wechat")
        < text.index("version 2  ")
        < text.index("name: x_line")
        < text.index("version 3  ")
    )
    tenant = find_tenant(platform.settings.database_url, "history-co")
    assert (
        versions[2][-1]
        == tenant.definitions_hash
        == definitions_hash(platform.settings, "history-co", applied_state(tenant))
    )
    assert len({v[-1] for v in versions}) == 3  # each version led to other definitions

    everything = formwork("tenant", "customizations", "history-co", "--history").output
    assert "name: x_wechat" not in everything and "version 3" in everything  # without a target: the list, not the texts


FORM = "kind: Form\nentity: crm.account\nsections:\n  - fields: [name, {fields}]\n"


def test_revert_restores_an_earlier_version_on_screen(
    platform: Platform, formwork, history_co: Client, tmp_path: Path
) -> None:
    reverted = formwork("tenant", "customization-revert", "history-co", "EntityExtension", "crm.account", "1")
    assert reverted.exit_code == 0, reverted.output
    assert "customization reverted to version 1: EntityExtension crm.account" in reverted.output
    (tmp_path / "form.yaml").write_text(FORM.format(fields="x_wechat, x_line"), encoding="utf-8")
    refused = formwork("tenant", "customize", "history-co", str(tmp_path / "form.yaml"))
    assert (
        refused.exit_code == 1 and "'x_line' is not a field of crm.account" in refused.output
    )  # version 2's field is gone
    (tmp_path / "form.yaml").write_text(FORM.format(fields="x_wechat"), encoding="utf-8")
    assert formwork("tenant", "customize", "history-co", str(tmp_path / "form.yaml")).exit_code == 0
    page = history_co.get("/t/history-co/crm_account/add")
    assert 'name="x_wechat"' in page.text and "WeChat ID" in page.text and 'name="x_line"' not in page.text
    again = formwork("tenant", "customization-revert", "history-co", "EntityExtension", "crm.account", "1")
    assert "already has that version; nothing changed" in again.output

    history = formwork("tenant", "customizations", "history-co", "--history", "crm.account").output
    assert "version 4" in history and "reverted to version 1" in history
    removal = formwork("tenant", "customization-revert", "history-co", "EntityExtension", "crm.account", "3")
    assert removal.exit_code == 1 and "version 3 of EntityExtension crm.account is its removal" in removal.output
    unknown = formwork("tenant", "customization-revert", "history-co", "Form", "crm.account/default", "7")
    assert (
        unknown.exit_code == 1
        and "Form crm.account/default of tenant 'history-co' has no version 7 (it has 1)" in unknown.output
    )


def test_reverting_to_a_version_that_no_longer_fits_is_refused(
    platform: Platform, formwork, history_co: Client, tmp_path: Path
) -> None:
    (tmp_path / "form.yaml").write_text(FORM.format(fields="city"), encoding="utf-8")
    (tmp_path / "line.yaml").write_text(LINE, encoding="utf-8")
    for name in ("form.yaml", "line.yaml"):  # the form's version 1 shows x_wechat; LINE's extension removes it
        assert formwork("tenant", "customize", "history-co", str(tmp_path / name)).exit_code == 0
    before = [(c.kind, c.target, c.source) for c in list_customizations(platform.settings, "history-co")]

    refused = formwork("tenant", "customization-revert", "history-co", "Form", "crm.account/default", "1")
    assert refused.exit_code == 1
    assert (
        "customization Form crm.account/default (tenant history-co) version 1:6 at sections[0].fields[1]: "
        "'x_wechat' is not a field of crm.account"
    ) in refused.output
    assert "version 1 does not fit the tenant's packs and other customizations; nothing was changed" in refused.output
    assert [(c.kind, c.target, c.source) for c in list_customizations(platform.settings, "history-co")] == before


def test_a_tenants_export_keeps_the_customizations_history(
    platform: Platform, history_co: Client, tmp_path: Path
) -> None:
    from formwork.tenancy.lifecycle import export_tenant

    folder = export_tenant(platform.settings, find_tenant(platform.settings.database_url, "history-co"), tmp_path)
    history = json.loads((folder / "customization_history.json").read_text(encoding="utf-8"))
    extension = [(v["version"], v["change"]) for v in history if v["kind"] == "EntityExtension"]
    assert extension[:4] == [(1, "added"), (2, "changed"), (3, "removed"), (4, "reverted to version 1")]
    assert "name: x_wechat" in history[0]["source"] and history[2]["source"] is None


def test_the_console_shows_a_tenants_customizations_on_its_page(
    platform: Platform, browser: Client, history_co: Client
) -> None:
    from formwork.console import add_operator, build_console_app

    add_operator(build_console_app(platform.settings), "op", "op-password-1")
    client = platform.client()
    page = client.get("/login/")
    client.post("/login/", data={"username": "op", "password": "op-password-1", "csrf_token": csrf_token(page.text)})
    tenant = find_tenant(platform.settings.database_url, "studio")
    shown = client.get(f"/tenants/show/{tenant.id}")
    assert shown.status_code == 200
    assert "Customizations" in shown.text and "crm.account/default" in shown.text and "EntityExtension" in shown.text
    extension = next(c for c in list_customizations(platform.settings, "studio") if c.kind == "EntityExtension")
    assert f'href="/customizations/show/{extension.id}?' in shown.text
    other = client.get(f"/tenants/show/{find_tenant(platform.settings.database_url, 'history-co').id}")
    assert "EntityExtension" in other.text and f'href="/customizations/show/{extension.id}?' not in other.text
    text = client.get(f"/customizations/show/{extension.id}")
    assert text.status_code == 200 and "<pre>" in text.text and "name: x_wechat" in text.text
    assert client.get(f"/customizations/edit/{extension.id}").status_code in (302, 403, 404)  # read-only


def test_uncustomize_hides_added_fields_but_keeps_their_column_and_data(
    platform: Platform, formwork, browser: Client
) -> None:
    refused = formwork("tenant", "uncustomize", "studio", "EntityExtension", "crm.account")
    assert refused.exit_code == 1
    assert "customization Form crm.account/default (tenant studio):" in refused.output
    assert "'x_wechat' is not a field of crm.account" in refused.output
    assert "other customizations depend on it; change or remove them first; nothing was removed" in refused.output
    assert len(list_customizations(platform.settings, "studio")) == 3

    assert formwork("tenant", "uncustomize", "studio", "ListView", "crm.account/wechat").exit_code == 0
    assert formwork("tenant", "uncustomize", "studio", "Form", "crm.account/default").exit_code == 0
    removed = formwork("tenant", "uncustomize", "studio", "EntityExtension", "crm.account")
    assert removed.exit_code == 0, removed.output
    assert "x_wechat is no longer defined; its column and 2 stored value(s) are kept" in removed.output

    page = browser.get("/t/studio/crm_account/add")
    assert page.status_code == 200 and 'name="x_wechat"' not in page.text and "WeChat ID" not in page.text
    assert "Contact details" in page.text  # the pack's own form is back
    tenant = find_tenant(platform.settings.database_url, "studio")
    with tenant_engine(platform.settings, tenant).connect() as conn:
        assert (
            conn.execute(sa.text("SELECT x_wechat FROM crm_account WHERE name = 'Tencent Partner'")).scalar()
            == "tp-2024"
        )
    missing = formwork("tenant", "uncustomize", "studio", "EntityExtension", "crm.account")
    assert (
        missing.exit_code == 1
        and "tenant 'studio' has no customization EntityExtension crm.account (it has: none)" in missing.output
    )


def test_schema_export_writes_the_entity_extension_schema(formwork, tmp_path: Path) -> None:
    result = formwork("schema", "export", str(tmp_path / "schemas"))
    assert result.exit_code == 0 and "entityextension.schema.json" in result.output
    schema = json.loads((tmp_path / "schemas" / "entityextension.schema.json").read_text(encoding="utf-8"))
    validator = Draft202012Validator(schema)
    assert list(validator.iter_errors(read_overlays(WECHAT, "wechat.yaml")[0].document.data)) == []
    wrong = {"kind": "EntityExtension", "entity": "crm.account", "fields": [{"name": "x_size", "type": "strin"}]}
    assert any("strin" in error.message for error in validator.iter_errors(wrong))


def test_revision_0005_records_stored_customizations_as_their_first_version(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'platform.sqlite'}"
    config = Config()
    config.set_main_option("script_location", str(migrations_folder()))
    config.set_main_option("sqlalchemy.url", url)
    command.upgrade(config, "0004")
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO formwork_customization (tenant_slug, kind, target, source, updated_at) "
                "VALUES ('old-co', 'EntityExtension', 'crm.account', :source, '2026-01-02 03:04:05')"
            ),
            {"source": WECHAT},
        )
    command.upgrade(config, "head")
    with engine.connect() as conn:
        rows = conn.execute(
            sa.text(
                "SELECT version, change, source, actor, definitions_hash "
                "FROM formwork_customization_version WHERE tenant_slug = 'old-co'"
            )
        ).all()
    engine.dispose()
    assert [tuple(row) for row in rows] == [(1, "added", WECHAT, "before history", None)]

"""Tenant customizations: overlays stored apart from packs, merged into what the tenant's users see."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
import sqlalchemy as sa
from conftest import Platform, csrf_token, jwt, login
from formwork.meta.errors import DefinitionsInvalid
from formwork.meta.loader import builtin_definitions, require_catalog
from formwork.tenancy import cache
from formwork.tenancy.cache import TenantApps
from formwork.tenancy.customizations import (
    customization_conflicts,
    list_customizations,
    read_overlays,
    store_overlays,
)
from formwork.tenancy.provision import create_tenant
from formwork.tenancy.registry import find_tenant
from formwork.tenancy.storage import tenant_engine
from werkzeug.test import Client

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


@pytest.fixture(autouse=True)
def fresh_registry_rows(monkeypatch: pytest.MonkeyPatch) -> None:
    """Servers notice a customization within the registry lookup's 2 s; tests do not wait for it."""
    monkeypatch.setattr(cache, "TENANT_LOOKUP_TTL", 0.0)


@pytest.fixture(scope="module")
def browser(platform: Platform) -> Client:
    tenant = platform.tenant("studio", ["crm"])
    changes = store_overlays(platform.settings, platform.catalog, tenant, read_overlays(EXTENSION, "studio.yaml"))
    assert changes == ["customization added: EntityExtension crm.account", "customization added: Form crm.account/default"]
    client = platform.client()
    assert login(client, "studio").status_code == 302
    return client


def test_an_extension_adds_a_column_and_a_field_on_screen_and_in_the_api(platform: Platform, browser: Client) -> None:
    page = browser.get("/t/studio/crm_account/add")
    assert "WeChat ID" in page.text and 'name="x_wechat"' in page.text
    saved = browser.post("/t/studio/crm_account/add", follow_redirects=True,
                         data={"csrf_token": csrf_token(page.text), "name": "Tencent Partner", "x_wechat": "tp-2024"})
    assert saved.status_code == 200
    tenant = find_tenant(platform.settings.database_url, "studio")
    with tenant_engine(platform.settings, tenant).connect() as conn:
        assert conn.execute(sa.text("SELECT x_wechat FROM crm_account WHERE name = 'Tencent Partner'")).scalar() == "tp-2024"

    headers = jwt(browser, "studio")
    created = browser.post("/t/studio/api/v1/crm_account/", json={"name": "Api Co", "x_wechat": "api-co"}, headers=headers)
    assert created.status_code == 201, created.text
    shown = browser.get(f"/t/studio/api/v1/crm_account/{created.json['id']}", headers=headers)
    assert shown.json["result"]["x_wechat"] == "api-co"


def test_an_added_rule_refuses_a_save(browser: Client) -> None:
    headers = jwt(browser, "studio")
    refused = browser.post("/t/studio/api/v1/crm_account/", headers=headers,
                           json={"name": "Same Co", "phone": "123456", "x_wechat": "123456"})
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
    assert any(m.startswith("bad-studio.yaml:4 at fields[0].name: 'wechat': fields a tenant adds are named x_…")
               and "no later version of the pack" in m for m in messages), messages
    assert any(m.startswith("bad-studio.yaml:9 at sections[0].fields[2]: 'x_unknown' is not a field of crm.account")
               for m in messages), messages
    assert [(c.kind, c.target, c.source) for c in list_customizations(platform.settings, "studio")] == before
    assert find_tenant(platform.settings.database_url, "studio").customizations_hash == tenant.customizations_hash

    with pytest.raises(DefinitionsInvalid) as unknown_kind:
        read_overlays("kind: Entity\nname: thing\nfields: [{name: a, type: string}]\n", "kinds.yaml")
    assert "kinds.yaml:1 at kind: a tenant customizes with EntityExtension, Form, ListView" in str(unknown_kind.value)


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


def test_a_conflict_after_a_pack_change_is_reported_and_the_tenant_still_serves(platform: Platform, tmp_path: Path) -> None:
    v1 = require_catalog([builtin_definitions(), notes_pack(tmp_path / "v1" / "notes", "1.0.0", NOTE)])
    tenant = create_tenant(platform.settings, v1, "notes-studio", "Notes Studio", ["notes"], "admin", "pw-123456")
    store_overlays(platform.settings, v1, tenant, read_overlays(NOTES_OVERLAYS, "notes.yaml"))
    assert customization_conflicts(platform.settings, v1, find_tenant(platform.settings.database_url, "notes-studio")) == []

    without_body = NOTE.replace("  - {name: body, type: text}\n", "").replace("[title, body]", "[title]")
    v2 = require_catalog([builtin_definitions(), notes_pack(tmp_path / "v2" / "notes", "2.0.0", without_body)])
    tenant = find_tenant(platform.settings.database_url, "notes-studio")
    conflicts = customization_conflicts(platform.settings, v2, tenant)
    assert conflicts == ["customization Form notes.note/default (tenant notes-studio) no longer fits and is left out: "
                         "'body' is not a field of notes.note (line 6 at sections[0].fields[1])"]

    runtime = TenantApps(platform.settings, v2).get(tenant).extensions["formwork"]
    assert runtime.catalog.entities["notes.note"].field("x_mood") is not None  # the extension still fits
    assert runtime.catalog.form_for("notes.note").field_names == {"title"}  # the pack's form, not the left-out one
    columns = {c["name"] for c in sa.inspect(tenant_engine(platform.settings, tenant)).get_columns("notes_note")}
    assert {"title", "body", "x_mood"} <= columns  # the removed field's column is kept, as for any removed field

    gone = require_catalog([builtin_definitions(), notes_pack(tmp_path / "v3" / "notes", "3.0.0",
                                                              NOTE.replace("name: note", "name: memo").replace("entity: note", "entity: memo"))])
    assert any("EntityExtension notes.note" in c and "entity 'notes.note' is not in the tenant's packs" in c
               for c in customization_conflicts(platform.settings, gone, tenant))


def test_a_customization_changes_the_definitions_hash(platform: Platform, browser: Client) -> None:
    tenant = find_tenant(platform.settings.database_url, "studio")
    apps = platform.app.tenant_apps
    before = apps.definitions_hash(tenant)
    listing = "kind: ListView\nentity: crm.account\nname: wechat\nlabel: {en: On WeChat, zh: 微信客户}\ncolumns: [name, x_wechat]\n"
    assert store_overlays(platform.settings, platform.catalog, tenant, read_overlays(listing, "list.yaml")) == [
        "customization added: ListView crm.account/wechat"]
    tenant = find_tenant(platform.settings.database_url, "studio")
    assert apps.definitions_hash(tenant) != before
    page = browser.get("/t/studio/crm_account/view/wechat/")
    assert page.status_code == 200 and "On WeChat" in page.text and "tp-2024" in page.text

"""Words made while the platform runs follow the reader's language: an expression that fails on a save, a list's
`?where=` filter that cannot be used, an unknown server action in the automation editor, the console's pack upgrade
plan, and the Studio's versions page's stored "what changed". A Chinese reader gets Chinese, an English one English;
the CLI and what is stored stay English."""

from __future__ import annotations

import json
import re
import textwrap
from html import unescape
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from werkzeug.test import Client

from conftest import PASSWORD, Platform, catalog_with_pack, control_errors, csrf_token, jwt, login, page_text
from formwork.console import add_operator, build_console_app
from formwork.tenancy.customizations import read_overlays
from formwork.tenancy.customize import revert_overlay, store_overlays
from formwork.tenancy.provision import create_tenant
from formwork.tenancy.registry import CustomizationVersion, find_tenant, platform_session
from test_studio_automations import posted_page

SLUG = "zh-words"
BATCHES = f"/t/{SLUG}/api/v1/lab_batch/"
STUDIO = f"/t/{SLUG}/studio"


@pytest.fixture(scope="module")
def tenant(platform: Platform) -> Platform:
    platform.tenant(SLUG, ["core", "crm", "lab"])
    return platform


def signed_in(platform: Platform, language: str) -> Client:
    """The admin, signed in, who chose `language` in the language menu."""
    client = platform.client()
    assert login(client, SLUG).status_code == 302
    client.get(f"/t/{SLUG}/lang/{language}")
    return client


# -- 1. an expression that fails on a save ----------------------------------------------------------------------------
def test_a_formula_that_cannot_be_computed_says_why_in_the_readers_language(tenant: Platform) -> None:
    client = tenant.client()
    auth = jwt(client, SLUG)
    bad = {"label": "bad", "total": 10, "count": 0}  # per_item = total / count
    chinese = client.post(BATCHES, json=bad, headers={**auth, "Accept-Language": "zh"})
    assert chinese.status_code == 400 and chinese.json["message"]["per_item"] == ["无法计算：除数为零。"]
    english = client.post(BATCHES, json=bad, headers={**auth, "Accept-Language": "en"})
    assert english.status_code == 400 and english.json["message"]["per_item"] == [
        "Cannot be computed: it divides by zero."
    ]

    browser = signed_in(tenant, "zh")
    page = browser.get(f"/t/{SLUG}/lab_batch/add")
    shown = browser.post(
        f"/t/{SLUG}/lab_batch/add",
        data={"csrf_token": csrf_token(page.text), "label": "bad form", "total": "10", "count": "0"},
    )
    assert shown.status_code == 200 and "无法计算：除数为零。" in unescape(shown.text)


# -- 2. a list's ?where= filter -------------------------------------------------------------------------------------
def test_a_url_filter_that_cannot_be_used_is_refused_in_the_readers_language(tenant: Platform) -> None:
    browser = signed_in(tenant, "zh")
    where = json.dumps({"field": "nope", "op": "=", "value": "x"})
    chinese = browser.get(f"/t/{SLUG}/crm_account/list/?where={where}")
    assert chinese.status_code == 400
    assert "无法使用此链接的筛选条件：'nope' 不是 crm.account 的字段" in unescape(chinese.text)
    english = browser.get(f"/t/{SLUG}/crm_account/list/?where={where}&_l_=en")
    assert english.status_code == 400
    assert "This link's filter cannot be used: 'nope' is not a field of crm.account" in unescape(english.text)


# -- 3. an unknown server action ------------------------------------------------------------------------------------
def test_an_unknown_server_action_is_named_at_its_control_in_the_admins_language(tenant: Platform) -> None:
    editor = f"{STUDIO}/crm.opportunity/actions/mark_won/"
    for language, words in (("zh", "crm.opportunity 没有名为 'no.such_action' 的服务器操作"), ("en", None)):
        admin = signed_in(tenant, language)
        added = admin.post(editor, data=posted_page(admin.get(editor), {}, action="add_step:run"))
        step = re.findall(r'name="step" value="(\d+)"', added.text)[-1]
        refused = admin.post(editor, data=posted_page(added, {f"steps.{step}.run": "no.such_action"}))
        assert refused.status_code == 400
        messages = control_errors(refused, f"steps.{step}.run")
        assert messages == [words or "no server action 'no.such_action' for crm.opportunity"], messages


# -- 4. the console's pack upgrade plan -----------------------------------------------------------------------------
PACK = "kind: Pack\nname: pzh\nversion: {version}\nrequires: {{core: '>=0.1.0'}}\n---\n"
ITEM = """\
kind: Entity
name: item
fields:
  - {name: code, type: string}
  - {name: note, type: string}
---
kind: Form
entity: item
sections:
  - fields: [code, note]
"""
RENAMED = ITEM.replace(
    "{name: note, type: string}", "{name: remark, type: string, renamed_from: note}\n  - {name: colour, type: string}"
).replace("[code, note]", "[code, remark, colour]")
OVERLAY = """\
kind: Form
entity: pzh.item
sections:
  - label: Mine
    fields: [note, code]
"""
OPERATOR = "zh-words-op"


def test_the_consoles_upgrade_plan_follows_the_operators_language(platform: Platform, tmp_path: Path) -> None:
    v1 = catalog_with_pack(tmp_path / "v1" / "pzh", PACK.format(version="1.0.0") + ITEM)
    v2 = catalog_with_pack(tmp_path / "v2" / "pzh", PACK.format(version="1.1.0") + textwrap.dedent(RENAMED))
    tenant = create_tenant(platform.settings, v1, "zh-upgrade", "Upgrade Co", ["pzh"], "admin", PASSWORD)
    store_overlays(platform.settings, v1, tenant, read_overlays(OVERLAY, "mine.yaml"))
    app = build_console_app(platform.settings, v2)
    add_operator(app, OPERATOR, "op-password-1")

    def plan(language: str) -> list[str]:
        operator = Client(app)
        page = operator.get("/login/")
        operator.post(
            "/login/", data={"username": OPERATOR, "password": "op-password-1", "csrf_token": csrf_token(page.text)}
        )
        operator.get(f"/lang/{language}")
        shown = operator.get(f"/tenant-packs/{tenant.id}/upgrade/pzh")
        assert shown.status_code == 200
        found = re.search(r'<ul class="console-plan">(.*?)</ul>', shown.text, re.S)
        assert found, shown.text
        return [" ".join(unescape(item).split()) for item in re.findall(r"<li>(.*?)</li>", found.group(1), re.S)]

    chinese = plan("zh")
    assert chinese[0] == "升级 pzh 1.0.0 → 1.1.0"
    assert "定制 Form pzh.item/default 随新版本的重命名调整" in chinese
    assert (
        "定制 Form pzh.item/default 替换了功能包中的定义，而后者现在还显示 colour；如需显示，请将它们加入该定制"
        in chinese
    )
    english = plan("en")
    assert english[0] == "upgrade pzh 1.0.0 → 1.1.0"
    assert "customization Form pzh.item/default follows the release's renames" in english
    assert find_tenant(platform.settings.database_url, "zh-upgrade").pack_versions["pzh"] == "1.0.0"


# -- 5. the Studio's versions page ----------------------------------------------------------------------------------
LABELS = "kind: EntityExtension\nentity: crm.account\nlabels:\n  city: {{en: {en}, zh: {zh}}}\n"


def test_the_versions_page_shows_what_changed_in_the_readers_language(tenant: Platform) -> None:
    settings, catalog = tenant.settings, tenant.catalog
    for en, zh in (("Town", "城镇"), ("Place", "地点")):
        current = find_tenant(settings.database_url, SLUG)
        store_overlays(settings, catalog, current, read_overlays(LABELS.format(en=en, zh=zh), "labels.yaml"))
    revert_overlay(settings, catalog, find_tenant(settings.database_url, SLUG), "EntityExtension", "crm.account", 1)
    with platform_session(settings.database_url) as session:  # a row an older Formwork wrote in words of its own
        session.add(
            CustomizationVersion(
                tenant_slug=SLUG,
                kind="EntityExtension",
                target="crm.other",
                version=1,
                revision=99,
                actor="old",
                change="moved by hand",
                source=None,
            )
        )
        session.commit()

    def changes(language: str) -> list[str]:
        page = signed_in(tenant, language).get(f"{STUDIO}/versions/")
        assert page.status_code == 200
        return [" ".join(unescape(item).split()) for item in re.findall(r"<li>(.*?)</li>", _table(page), re.S)]

    chinese = changes("zh")
    assert "EntityExtension crm.account: 已新增" in chinese and "EntityExtension crm.account: 已修改" in chinese
    assert "EntityExtension crm.account: 已还原到版本 1" in chinese
    assert "EntityExtension crm.other: moved by hand" in chinese  # words it does not know: as stored
    english = changes("en")
    assert "EntityExtension crm.account: added" in english
    assert "EntityExtension crm.account: reverted to version 1" in english
    with platform_session(settings.database_url) as session:  # stored as it always was
        stored = session.scalars(
            sa.select(CustomizationVersion.change).where(CustomizationVersion.tenant_slug == SLUG)
        ).all()
    assert "reverted to version 1" in stored


def _table(page: Any) -> str:
    found = re.search(r'<table class="table table-condensed fw-studio-versions">(.*?)</table>', page.text, re.S)
    assert found, page_text(page)
    return found.group(1)

"""Languages: FAB's and Formwork's texts in Chinese, the user's choice, the API's Accept-Language, and numbers,
money and dates written for the reader's language and the tenant's time zone."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from flask import render_template_string
from flask_babel import force_locale
from werkzeug.test import Client

from conftest import PASSWORD, Platform, csrf_token, jwt, login
from formwork import formatting, i18n_catalog
from formwork.definitions.loader import builtin_definitions, require_catalog
from formwork.tenancy.manifest import apply_manifest, read_manifest
from formwork.tenancy.registry import find_tenant

EN, ZH = "lingo", "huayu"
#: a Chinese company in Shanghai (UTC+8): its users see Chinese until they pick another language
ZH_MANIFEST = f"""\
kind: Tenant
slug: {ZH}
name: 华语贸易
packs: [core, crm, oa]
locale: zh
currency: CNY
timezone: Asia/Shanghai
admin: {{username: admin, password_env: FORMWORK_LANGUAGES_TEST_PASSWORD}}
"""


@pytest.fixture(scope="module")
def tenants(platform: Platform, tmp_path_factory: pytest.TempPathFactory) -> Platform:
    """`lingo` (English, UTC, the default) and `huayu` (Chinese, Asia/Shanghai, from a manifest)."""
    platform.tenant(EN, packs=["core", "crm", "oa"])
    manifest = tmp_path_factory.mktemp("manifest") / "huayu.yaml"
    manifest.write_text(ZH_MANIFEST, encoding="utf-8")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("FORMWORK_LANGUAGES_TEST_PASSWORD", PASSWORD)
        apply_manifest(platform.settings, platform.catalog, read_manifest(manifest), report=lambda _: None)
    return platform


def signed_in(platform: Platform, slug: str) -> Client:
    client = platform.client()
    assert login(client, slug).status_code == 302
    return client


def app_of(platform: Platform, slug: str) -> Any:
    return platform.app.tenant_apps.get(find_tenant(platform.settings.database_url, slug))


def new_opportunity(client: Client, slug: str, auth: dict[str, str], amount: str) -> int:
    account = client.post(f"/t/{slug}/api/v1/crm_account/", json={"name": f"Account {amount}"}, headers=auth)
    assert account.status_code == 201, account.text
    created = client.post(
        f"/t/{slug}/api/v1/crm_opportunity/",
        headers=auth,
        json={"name": f"Deal {amount}", "account": account.json["id"], "amount": amount},
    )
    assert created.status_code == 201, created.text
    return created.json["id"]


def test_a_chinese_tenant_shows_fab_and_formwork_texts_in_chinese(tenants: Platform) -> None:
    client = signed_in(tenants, ZH)
    page = client.get(f"/t/{ZH}/crm_opportunity/view/pipeline/").text
    assert "记录数目" in page and "用户权限" in page  # FAB's own "Record Count" and "Security", from FAB's catalog
    assert "(合计)" in page and "搜索…" in page  # Formwork's templates, from Formwork's catalog
    assert "销售漏斗" in page and "金额" in page  # the pack's labels
    assert "商机名称</a>" in page and "Opportunity" not in page  # FAB's search box, with the fields' labels
    assert '<span class="sr-only">添加</span>' in page  # a FAB text its catalog lacks, added by ours
    assert "Record Count" not in page and "(total)" not in page
    assert f"/t/{ZH}/lang/en" in page and f"/t/{ZH}/lang/zh" not in page  # the language menu knows it is Chinese
    expense = client.get(f"/t/{ZH}/oa_expense_claim/add").text
    assert "添加行" in expense and "Add row" not in expense


def test_the_language_menu_switches_and_the_choice_sticks(tenants: Platform) -> None:
    english = signed_in(tenants, EN)
    page = english.get(f"/t/{EN}/crm_opportunity/view/pipeline/").text
    assert "Record Count" in page and "(total)" in page and f"/t/{EN}/lang/zh" in page  # the tenant's locale: English
    english.get(f"/t/{EN}/lang/zh")
    page = english.get(f"/t/{EN}/crm_opportunity/view/pipeline/").text
    assert "记录数目" in page and "(合计)" in page and "销售漏斗" in page
    assert "记录数目" in english.get(f"/t/{EN}/crm_account/list/").text  # kept for the session
    english.get(f"/t/{EN}/lang/en")
    assert "Record Count" in english.get(f"/t/{EN}/crm_account/list/").text

    chinese = signed_in(tenants, ZH)
    chinese.get(f"/t/{ZH}/lang/en")
    assert "Record Count" in chinese.get(f"/t/{ZH}/crm_account/list/").text
    assert signed_in(tenants, ZH).get(f"/t/{ZH}/crm_account/list/").text.count("记录数目") == 1  # others keep Chinese
    assert chinese.get(f"/t/{ZH}/lang/fr").status_code == 404


def test_api_messages_follow_accept_language(tenants: Platform) -> None:
    client = tenants.client()
    auth = jwt(client, EN)
    bad = {"stage": "bogus", "amount": "lots", "probability": 500}
    chinese = client.post(
        f"/t/{EN}/api/v1/crm_opportunity/", json=bad, headers={**auth, "Accept-Language": "zh-CN,zh;q=0.9"}
    )
    assert chinese.status_code == 400
    messages = chinese.json["message"]
    assert messages["name"] == ["缺少必填字段。"] and messages["amount"] == ["不是有效的数字。"]
    assert messages["stage"][0].startswith("必须是以下之一：prospecting, qualification")
    assert messages["probability"] == ["必须大于或等于 0 且小于或等于 100。"]
    english = client.post(f"/t/{EN}/api/v1/crm_opportunity/", json=bad, headers=auth)
    assert english.json["message"]["name"] == ["Missing data for required field."]  # no header: the tenant's locale
    assert (
        client.post(
            f"/t/{EN}/api/v1/crm_opportunity/",
            data="[",
            headers={**auth, "Accept-Language": "zh"},
            content_type="application/json",
        ).json["message"]
        == "请发送一个 JSON 对象。"
    )

    listed = client.get(f"/t/{EN}/api/v1/crm_opportunity/", headers={**auth, "Accept-Language": "zh"}).json
    assert listed["label_columns"]["amount"] == "金额"  # labels follow the header too
    assert client.get(f"/t/{EN}/api/v1/crm_opportunity/", headers=auth).json["label_columns"]["amount"] == "Amount"

    zh_auth = jwt(client, ZH)
    account = client.post(f"/t/{ZH}/api/v1/crm_account/", json={"name": "Rule Co"}, headers=zh_auth).json["id"]
    won = {"name": "Won", "account": account, "stage": "won", "probability": 50}
    rule = client.post(f"/t/{ZH}/api/v1/crm_opportunity/", json=won, headers=zh_auth)
    assert rule.status_code == 400 and rule.json["message"]["probability"] == [
        "赢单商机的赢率应为 100%。"
    ]  # a pack's rule
    rule = client.post(f"/t/{ZH}/api/v1/crm_opportunity/", json=won, headers={**zh_auth, "Accept-Language": "en"})
    assert rule.json["message"]["probability"] == ["A won opportunity has a probability of 100%."]


def test_money_follows_the_language_and_the_tenants_currency(tenants: Platform) -> None:
    client = tenants.client()
    pk = new_opportunity(client, EN, jwt(client, EN), "1234.5")
    english = signed_in(tenants, EN)
    assert "CN¥1,234.50" in english.get(f"/t/{EN}/crm_opportunity/show/{pk}").text  # "¥" alone would read as yen
    english.get(f"/t/{EN}/lang/zh")
    show = english.get(f"/t/{EN}/crm_opportunity/show/{pk}").text
    assert "¥1,234.50" in show and "CN¥" not in show
    listing = english.get(f"/t/{EN}/crm_opportunity/view/pipeline/").text
    assert '<span class="fw-total">¥1,234.50</span>' in listing

    app = app_of(tenants, EN)
    with app.test_request_context("/"):
        with force_locale("zh"):
            assert formatting.money(Decimal("-1234.5"), "USD") == "-US$1,234.50"
            assert formatting.number(Decimal("1234567.891"), 2) == "1,234,567.89"
            assert formatting.percent(Decimal("12.5")) == "12.5%"
        with force_locale("en"):
            assert formatting.money(Decimal("1234.5"), "USD") == "$1,234.50"
            assert formatting.money(Decimal("1234.6"), "JPY") == "¥1,235"  # yen have no decimals
            assert formatting.number(1234567) == "1,234,567"


def test_dates_are_shown_in_the_tenants_time_zone_and_language(tenants: Platform) -> None:
    client = tenants.client()
    auth = jwt(client, ZH)
    news = client.post(
        f"/t/{ZH}/api/v1/oa_announcement/",
        headers=auth,
        json={"title": "Late news", "body": "Tonight", "published_at": "2026-03-01T23:30:00"},
    )
    assert news.status_code == 201, news.text
    pk = news.json["id"]
    browser = signed_in(tenants, ZH)
    assert "2026年3月2日 07:30" in browser.get(f"/t/{ZH}/oa_announcement/show/{pk}").text  # 23:30 UTC is 07:30 next day
    assert "2026年3月2日 07:30" in browser.get(f"/t/{ZH}/oa_announcement/list/").text
    browser.get(f"/t/{ZH}/lang/en")
    assert "Mar 2, 2026, 07:30" in browser.get(f"/t/{ZH}/oa_announcement/show/{pk}").text

    edit = browser.get(f"/t/{ZH}/oa_announcement/edit/{pk}").text
    assert 'value="2026-03-02 07:30:00"' in edit  # the form speaks the same local time as the page
    version = re.search(r'name="record_version"[^>]*value="(\d+)"', edit)
    saved = browser.post(
        f"/t/{ZH}/oa_announcement/edit/{pk}",
        data={
            "csrf_token": csrf_token(edit),
            "title": "Late news",
            "body": "Tonight",
            "published_at": "2026-03-02 08:00:00",
            "record_version": version.group(1),
        },
    )
    assert saved.status_code == 302
    stored = client.get(f"/t/{ZH}/api/v1/oa_announcement/{pk}", headers=auth).json["result"]["published_at"]
    assert stored == "2026-03-02T00:00:00+00:00"  # 08:00 in Shanghai, stored as UTC

    with app_of(tenants, ZH).test_request_context("/"):
        with force_locale("zh"):
            assert formatting.moment(datetime(2026, 1, 2, 23, 30)) == "2026年1月3日 07:30"
            assert formatting.relative_day(date(2026, 1, 4), today=date(2026, 1, 1)) == "3天后"
            assert formatting.relative_day(date(2026, 1, 1), today=date(2026, 1, 1)) == "今天"
            page = render_template_string(
                "{{ at|fw_datetime }} {{ none|fw_date }}| {{ 1234.5|fw_money }}",
                at=datetime(2026, 1, 2, 23, 30),
                none=None,
            )
            assert page == "2026年1月3日 07:30 | ¥1,234.50"  # the same writing for templates of their own
        with force_locale("en"):
            assert formatting.day(datetime(2026, 1, 2, 23, 30)) == "Jan 3, 2026"  # the tenant's calendar day
            assert formatting.relative_day(date(2025, 12, 30), today=date(2026, 1, 1)) == "2 days ago"
            assert formatting.relative_day(date(2026, 1, 2), today=date(2026, 1, 1)) == "tomorrow"


def test_exports_write_raw_values_in_csv_and_spreadsheets_numbers_and_dates(tenants: Platform) -> None:
    from openpyxl import load_workbook

    client = tenants.client()
    auth = jwt(client, ZH)
    client.post(
        f"/t/{ZH}/api/v1/oa_meeting/", json={"subject": "Export me", "starts_at": "2026-05-01T18:00:00"}, headers=auth
    )
    browser = signed_in(tenants, ZH)
    csv_text = browser.get(f"/t/{ZH}/oa_meeting/view/default/export/csv").text
    assert csv_text.splitlines()[0].startswith("\ufeff主题,开始时间") and "2026-05-02 02:00:00" in csv_text
    sheet = load_workbook(BytesIO(browser.get(f"/t/{ZH}/oa_meeting/view/default/export/xlsx").data)).active
    rows = {row[0]: row for row in sheet.iter_rows(values_only=True)}
    assert (
        rows["Export me"][1] == datetime(2026, 5, 2, 2, 0) and rows["Export me"][2] == 60
    )  # cells a sheet computes with


def test_every_pack_label_has_a_chinese_text() -> None:
    missing = i18n_catalog.missing_pack_texts(require_catalog([builtin_definitions()]))
    assert not missing, "labels without zh:\n" + "\n".join(missing)


def test_the_walk_finds_a_missing_chinese_text(tmp_path: Path) -> None:
    pack = tmp_path / "half"
    pack.mkdir()
    (pack / "pack.yaml").write_text(
        "kind: Pack\nname: half\nversion: 1.0.0\nlabel: {en: Half, zh: 一半}\n---\n"
        "kind: Entity\nname: thing\nlabel: {en: Thing, zh: 东西}\nplural: {en: Things, zh: 东西}\n"
        "fields:\n  - {name: size, type: choice, label: {en: Size, zh: 尺寸}, "
        "choices: [{value: s, label: {en: Small, zh: 小}}, {value: l, label: Large}]}\n"
    )
    assert i18n_catalog.missing_pack_texts(require_catalog([pack])) == [
        "catalog.entities['half.thing'].fields[0].choices[1].label: 'Large'"
    ]


def test_the_platform_catalog_is_complete_and_compiled() -> None:
    """Every text marked in code and templates is in the zh catalog, translated, and the .mo is its .po compiled."""
    assert i18n_catalog.problems() == []


def test_every_platform_label_has_a_chinese_text() -> None:
    """The platform's own word lists (`Label` constants such as workflow/labels.py) are complete too."""
    missing = i18n_catalog.missing_platform_texts()
    assert not missing, "platform labels without zh:\n" + "\n".join(missing)


def test_an_imported_time_is_read_in_the_tenants_time_zone(tenants: Platform) -> None:
    """A sheet says 02:00 as the screens and XLSX exports of a Shanghai tenant do: stored as 18:00 UTC the day before."""
    client = tenants.client()
    auth = jwt(client, ZH)
    sheet = BytesIO("subject,starts_at\nImported meeting,2026-05-02 02:00\n".encode())
    answer = client.post(f"/t/{ZH}/api/v1/oa_meeting/import", headers=auth, data={"file": (sheet, "m.csv")})
    assert answer.status_code == 200, answer.json
    found = client.get(
        f"/t/{ZH}/api/v1/oa_meeting/",
        headers=auth,
        query_string={"q": "(filters:!((col:subject,opr:eq,value:'Imported meeting')))"},
    ).json["result"]
    assert found[0]["starts_at"] == "2026-05-01T18:00:00+00:00"

"""The Studio's first slice: a tenant's admin adds a field to an entity as a draft, reads the plan, publishes it
through the customization machinery of `formwork tenant customize`, and the tenant's form and API have it next;
bad fields are refused at their control and store nothing; only admins reach the Studio, and only with CSRF."""

from __future__ import annotations

import re
from typing import Any

import pytest
import sqlalchemy as sa
from werkzeug.test import Client

from conftest import PASSWORD, Platform, control_errors, csrf_token, jwt, login, page_text
from formwork.tenancy.apps import build_tenant_app
from formwork.tenancy.customizations import stored_sources
from formwork.tenancy.registry import find_tenant
from formwork.tenancy.storage import tenant_engine

SLUG = "studio-slice"
OTHER = "studio-other"
STUDIO = f"/t/{SLUG}/studio"
ACCOUNT = f"{STUDIO}/crm.account/"
WECHAT = {"name": "wechat_id", "type": "string", "label_en": "WeChat ID", "label_zh": "微信号", "help": "Their ID"}


@pytest.fixture(scope="module")
def company(platform: Platform) -> Platform:
    """Two tenants of core + crm + oa; rita (a sales rep) is no admin of the first."""
    app = build_tenant_app(platform.settings, platform.tenant(SLUG), platform.catalog)
    with app.app_context():
        sm = app.appbuilder.sm
        sm.add_user("rita", "Rita", "Test", "rita@example.com", [sm.find_role("sales_rep")], password=PASSWORD)
    platform.tenant(OTHER)
    return platform


def signed_in(platform: Platform, user: str = "admin", slug: str = SLUG) -> Client:
    client = platform.client()
    assert login(client, slug, user).status_code == 302
    return client


def add_field(client: Client, form: dict[str, str]) -> Any:
    token = csrf_token(client.get(ACCOUNT).text)
    return client.post(f"{ACCOUNT[:-1]}/fields", data={**form, "csrf_token": token})


def test_an_admin_drafts_publishes_and_the_form_and_api_have_the_field(company: Platform) -> None:
    admin = signed_in(company)
    entities = admin.get(f"{STUDIO}/")
    assert entities.status_code == 200
    assert 'data-entity="crm.account"' in entities.text and "Account" in page_text(entities)

    drafted = add_field(admin, WECHAT)
    assert drafted.status_code == 302, page_text(drafted)
    page = admin.get(ACCOUNT)
    assert 'data-field="x_wechat_id"' in page.text and "fw-drafted" in page.text
    plan = re.search(r'<ul class="fw-plan-changes">(.*?)</ul>', page.text, re.S)
    assert plan and "x_wechat_id" in plan.group(1), page_text(page)
    assert ("EntityExtension", "crm.account") not in stored_sources(company.settings, SLUG)
    assert 'name="x_wechat_id"' not in admin.get(f"/t/{SLUG}/crm_account/add").text  # a draft is not applied

    published = admin.post(f"{ACCOUNT[:-1]}/publish", data={"csrf_token": csrf_token(page.text)})
    assert published.status_code == 302
    after = admin.get(ACCOUNT)
    assert "Published." in page_text(after) and "fw-studio-plan" not in after.text
    assert ("EntityExtension", "crm.account") in stored_sources(company.settings, SLUG)

    form = admin.get(f"/t/{SLUG}/crm_account/add")
    assert 'name="x_wechat_id"' in form.text and "WeChat ID" in page_text(form)
    api = company.client()
    headers = jwt(api, SLUG)
    made = api.post(
        f"/t/{SLUG}/api/v1/crm_account/", json={"name": "Studio Co", "x_wechat_id": "studio-co"}, headers=headers
    )
    assert made.status_code == 201, made.text
    assert (
        api.get(f"/t/{SLUG}/api/v1/crm_account/{made.json['id']}", headers=headers).json["result"]["x_wechat_id"]
        == "studio-co"
    )

    other = company.client()
    refused = other.post(
        f"/t/{OTHER}/api/v1/crm_account/", json={"name": "Other Co", "x_wechat_id": "x"}, headers=jwt(other, OTHER)
    )
    assert refused.status_code == 400 and "x_wechat_id" in refused.json["message"]
    assert 'name="x_wechat_id"' not in signed_in(company, slug=OTHER).get(f"/t/{OTHER}/crm_account/add").text


@pytest.mark.parametrize(
    ("form", "control"),
    [
        ({**WECHAT, "name": "WeChat ID"}, "name"),
        ({**WECHAT, "name": "phone_2", "type": "telepathy"}, "type"),
    ],
)
def test_a_bad_field_is_refused_at_its_control_and_stores_nothing(
    company: Platform, form: dict[str, str], control: str
) -> None:
    admin = signed_in(company)
    answer = add_field(admin, form)
    assert answer.status_code == 400
    assert control_errors(answer, control), page_text(answer)
    assert "fw-studio-plan" not in admin.get(ACCOUNT).text


def test_a_duplicate_name_is_refused_at_the_name(company: Platform) -> None:
    admin = signed_in(company)
    first = add_field(admin, {**WECHAT, "name": "twin"})
    assert first.status_code == 302
    answer = add_field(admin, {**WECHAT, "name": "twin", "label_en": "Twin again"})
    assert answer.status_code == 400
    assert control_errors(answer, "name"), page_text(answer)
    page = admin.get(ACCOUNT)
    assert page.text.count('data-field="x_twin"') == 1
    discarded = admin.post(f"{ACCOUNT[:-1]}/discard", data={"csrf_token": csrf_token(page.text)})
    assert discarded.status_code == 302
    assert 'data-field="x_twin"' not in admin.get(ACCOUNT).text


def test_only_admins_reach_the_studio_and_only_with_csrf(company: Platform) -> None:
    rita = signed_in(company, "rita")
    token = csrf_token(rita.get(f"/t/{SLUG}/notifications/preferences").text)
    assert rita.get(f"{STUDIO}/").status_code == 403
    assert rita.get(ACCOUNT).status_code == 403
    for action in ("fields", "publish", "discard", "fields/x_wechat_id/retire"):
        assert rita.post(f"{ACCOUNT[:-1]}/{action}", data={**WECHAT, "csrf_token": token}).status_code == 403
    assert "/studio/" not in rita.get(f"/t/{SLUG}/").text
    admin = signed_in(company)
    assert f"/t/{SLUG}/studio/" in admin.get(f"/t/{SLUG}/").text
    assert admin.post(f"{ACCOUNT[:-1]}/fields", data={**WECHAT, "name": "no_token"}).status_code == 400
    assert 'data-field="x_no_token"' not in admin.get(ACCOUNT).text


def test_a_retired_field_leaves_the_form_and_keeps_its_data(company: Platform) -> None:
    admin = signed_in(company)
    assert add_field(admin, {**WECHAT, "name": "old_code", "label_en": "Old code"}).status_code == 302
    page = admin.get(ACCOUNT)
    assert admin.post(f"{ACCOUNT[:-1]}/publish", data={"csrf_token": csrf_token(page.text)}).status_code == 302
    api = company.client()
    headers = jwt(api, SLUG)
    made = api.post(f"/t/{SLUG}/api/v1/crm_account/", json={"name": "Kept Co", "x_old_code": "K-1"}, headers=headers)
    assert made.status_code == 201, made.text

    page = admin.get(ACCOUNT)
    retire = f"{ACCOUNT[:-1]}/fields/x_old_code/retire"
    assert admin.post(retire, data={"csrf_token": csrf_token(page.text)}).status_code == 302
    page = admin.get(ACCOUNT)
    assert "To be retired" in page_text(page)
    plan = re.search(r'<ul class="fw-plan-changes">(.*?)</ul>', page.text, re.S)
    assert plan and "x_old_code" in plan.group(1), page_text(page)
    assert admin.post(f"{ACCOUNT[:-1]}/publish", data={"csrf_token": csrf_token(page.text)}).status_code == 302

    assert 'name="x_old_code"' not in admin.get(f"/t/{SLUG}/crm_account/add").text
    tenant = find_tenant(company.settings.database_url, SLUG)
    with tenant_engine(company.settings, tenant).connect() as conn:
        kept = conn.execute(sa.text("SELECT x_old_code FROM crm_account WHERE name = 'Kept Co'")).scalar()
    assert kept == "K-1"


def test_the_studio_speaks_chinese(company: Platform) -> None:
    admin = signed_in(company)
    admin.get(f"/t/{SLUG}/lang/zh")
    page = admin.get(ACCOUNT)
    assert "添加字段" in page.text and "加入草稿" in page.text
    assert "设计器" in admin.get(f"{STUDIO}/").text

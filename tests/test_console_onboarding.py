"""Operators onboard tenants in the console: the new-tenant form (checked as the CLI checks), suspend and resume
with a confirmation, and the console log naming the operator of each action. The first admin's invitation is
tests/test_console_invitations.py's."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from werkzeug.test import Client

from conftest import Platform, csrf_token
from console_mail import invitation_link
from formwork.console import add_operator
from formwork.tenancy.registry import Tenant, find_tenant, platform_engine

OPERATOR, OPERATOR_PASSWORD = "onboard-op", "op-password-1"
NEW = "onboarded-co"


@pytest.fixture(scope="module")
def operator(platform: Platform) -> Client:
    add_operator(platform.app.console, OPERATOR, OPERATOR_PASSWORD)
    client = platform.client()
    page = client.get("/login/")
    signed = client.post(
        "/login/", data={"username": OPERATOR, "password": OPERATOR_PASSWORD, "csrf_token": csrf_token(page.text)}
    )
    assert signed.status_code == 302
    return client


def form_data(client: Client, **changes: object) -> dict[str, object]:
    page = client.get("/tenants/new/form")
    assert page.status_code == 200, page.text
    data: dict[str, object] = {
        "slug": NEW,
        "name": "Onboarded Co",
        "packs": ["crm"],
        "locale": "en",
        "timezone": "Asia/Shanghai",
        "currency": "eur",
        "admin_user": "founder",
        "admin_name": "Fang Lin",
        "admin_email": "fang.lin@onboarded.example",
        "csrf_token": csrf_token(page.text),
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def tenant_count(platform: Platform) -> int:
    with platform_engine(platform.settings.database_url).connect() as connection:
        return int(connection.scalar(sa.select(sa.func.count()).select_from(Tenant.__table__)))


def field_error(html: str, field: str) -> str:
    """The error shown beside one field of FAB's form (the alert right after the field's input)."""
    start = html.index(f'id="{field}"')
    alert = re.search(r'<div class="alert alert-danger">(.*?)</div>', html[start:], re.S)
    assert alert, f"no error beside {field}"
    return " ".join(alert.group(1).split())


def test_the_form_offers_the_catalogs_packs_as_checkboxes(operator: Client) -> None:
    page = operator.get("/tenants/new/form").text
    for pack in ("core", "crm", "oa"):
        assert f'type="checkbox" value="{pack}"' in page
    assert "CRM (crm 0.1.0) + core" in page  # what the pack brings with it


def test_an_operator_creates_a_tenant_whose_admin_sees_the_crm_menu(platform: Platform, operator: Client) -> None:
    created = operator.post("/tenants/new/form", data=form_data(operator))
    tenant = find_tenant(platform.settings.database_url, NEW)
    assert tenant is not None
    assert created.status_code == 302 and created.headers["Location"].endswith(f"/tenants/show/{tenant.id}")
    assert tenant.packs == ["core", "crm"]  # crm's requirement, resolved as the CLI resolves it
    assert (tenant.timezone, tenant.currency, tenant.status) == ("Asia/Shanghai", "EUR", "active")
    shown = operator.get(f"/tenants/show/{tenant.id}").text
    assert f"Tenant {NEW} was created with the packs core, crm" in shown
    assert "Invitation sent to fang.lin@onboarded.example" in shown
    assert "Suspend…" in shown

    admin = platform.client()
    link = invitation_link(platform, NEW, "fang.lin@onboarded.example")
    page = admin.get(link)
    chosen = admin.post(
        link, data={"password": "first-admin-pw", "confirm": "first-admin-pw", "csrf_token": csrf_token(page.text)}
    )
    assert chosen.status_code == 302
    home = admin.get(f"/t/{NEW}/crm_account/list/")
    assert home.status_code == 200 and 'id="fw-sidebar"' in home.text and "CRM" in home.text
    assert "Fang Lin" in home.text  # the admin's name, as the operator wrote it


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"slug": NEW}, "slug", f"tenant '{NEW}' already exists"),
        ({"slug": "Bad Slug!"}, "slug", "is not a valid tenant slug"),
        ({"slug": "console"}, "slug", "'console' is reserved"),
        ({"slug": "no-admin-co", "admin_user": None}, "admin_user", "This field is required."),
        ({"slug": "no-pack-co", "packs": None}, "packs", "Choose at least one pack."),
        ({"slug": "no-zone-co", "timezone": "Mars/Olympus"}, "timezone", "'Mars/Olympus' is not a time zone"),
        ({"slug": "no-mail-co", "admin_email": "not-an-address"}, "admin_email", "Invalid email address."),
    ],
)
def test_a_refused_form_says_why_beside_the_field_and_creates_nothing(
    platform: Platform, operator: Client, changes: dict[str, object], field: str, message: str
) -> None:
    if find_tenant(platform.settings.database_url, NEW) is None:  # the taken slug, when run alone
        platform.tenant(NEW, packs=["core"])
    before = tenant_count(platform)
    refused = operator.post("/tenants/new/form", data=form_data(operator, **changes))
    assert refused.status_code == 200
    assert message in field_error(refused.text, field)
    assert tenant_count(platform) == before


def test_a_signed_out_visitor_cannot_create_a_tenant(platform: Platform) -> None:
    visitor = platform.client()
    assert visitor.get("/tenants/new/form").status_code == 302
    token = csrf_token(visitor.get("/login/").text)
    data = {"slug": "sneaky-co", "name": "Sneaky", "packs": "core", "locale": "en", "timezone": "UTC"}
    data |= {"currency": "CNY", "admin_user": "x", "admin_name": "X", "admin_email": "x@example.com"}
    data |= {"csrf_token": token}
    posted = visitor.post("/tenants/new/form", data=data)
    assert posted.status_code == 302 and "/login/" in posted.headers["Location"]
    assert visitor.post("/tenants/new/form", data={**data, "csrf_token": ""}).status_code == 400
    assert find_tenant(platform.settings.database_url, "sneaky-co") is None


def test_suspend_and_resume_ask_first_and_are_logged_with_the_operator(platform: Platform, operator: Client) -> None:
    tenant = find_tenant(platform.settings.database_url, NEW) or platform.tenant(NEW, packs=["core"])
    question = operator.get(f"/tenants/suspend/{tenant.id}")
    assert question.status_code == 200 and f"Suspend tenant {NEW}?" in question.text
    assert find_tenant(platform.settings.database_url, NEW).status == "active"  # asking changes nothing
    assert operator.post(f"/tenants/suspend/{tenant.id}", data={}).status_code == 400  # no CSRF token
    suspended = operator.post(f"/tenants/suspend/{tenant.id}", data={"csrf_token": csrf_token(question.text)})
    assert suspended.status_code == 302
    assert find_tenant(platform.settings.database_url, NEW).status == "suspended"
    assert platform.client().get(f"/t/{NEW}/login/").status_code == 503

    question = operator.get(f"/tenants/resume/{tenant.id}")
    operator.post(f"/tenants/resume/{tenant.id}", data={"csrf_token": csrf_token(question.text)})
    assert find_tenant(platform.settings.database_url, NEW).status == "active"
    assert platform.client().get(f"/t/{NEW}/login/").status_code == 200

    log = operator.get("/console-log/list/")
    assert log.status_code == 200
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", log.text, re.S)
    cells = [" ".join(re.sub(r"<[^>]+>", " ", row).split()) for row in rows]
    assert any(OPERATOR in row and "resumed" in row and NEW in row for row in cells)
    assert any(OPERATOR in row and "suspended" in row and NEW in row for row in cells)


def test_the_console_log_lists_a_creation_with_the_operators_name(platform: Platform, operator: Client) -> None:
    created = operator.post("/tenants/new/form", data=form_data(operator, slug="logged-co", packs=["core"]))
    assert created.status_code == 302
    log = operator.get("/console-log/list/").text
    rows = [" ".join(re.sub(r"<[^>]+>", " ", row).split()) for row in re.findall(r"<tr[^>]*>(.*?)</tr>", log, re.S)]
    created = next(row for row in rows if "logged-co" in row and "created" in row)
    assert OPERATOR in created and "packs: core; admin: founder" in created
    invited = next(row for row in rows if "logged-co" in row and "invited" in row)
    assert OPERATOR in invited and "founder &lt;fang.lin@onboarded.example&gt;" in invited
    assert platform.client().get("/console-log/list/").status_code == 302  # operators only

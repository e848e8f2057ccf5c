"""The screens generated per entity: login form, add form, list, show, edit, language."""

from __future__ import annotations

import re

import pytest
from werkzeug.test import Client

from conftest import Platform, csrf_token, login


@pytest.fixture(scope="module")
def browser(platform: Platform) -> Client:
    platform.tenant("acme")
    client = platform.client()
    response = login(client, "acme")
    assert response.status_code == 302
    return client


def add_account(client: Client, **fields: str):
    page = client.get("/t/acme/crm_account/add")
    data = {"csrf_token": csrf_token(page.text), **fields}
    return client.post("/t/acme/crm_account/add", data=data, follow_redirects=True)


def test_screens_need_a_login(platform: Platform, browser: Client) -> None:
    response = platform.client().get("/t/acme/crm_account/list/")
    assert response.status_code == 302
    assert "/t/acme/login/" in response.headers["Location"]


def test_login_with_a_wrong_password_fails(platform: Platform, browser: Client) -> None:
    client = platform.client()
    login(client, "acme", password="wrong")
    assert client.get("/t/acme/crm_account/list/").status_code == 302


def test_add_form_shows_sections_labels_and_help(browser: Client) -> None:
    page = browser.get("/t/acme/core_employee/add")
    assert page.status_code == 200
    for text in ("Person", "Position", "Name", "Manager", "Hire date", "The user name this employee signs in with"):
        assert text in page.text
    assert 'name="csrf_token"' in page.text


def test_added_record_appears_in_the_list(browser: Client) -> None:
    response = add_account(
        browser, name="Golden Textiles", industry="manufacturing", city="Suzhou", annual_revenue="2500000"
    )
    assert response.status_code == 200
    listing = browser.get("/t/acme/crm_account/list/")
    assert "Golden Textiles" in listing.text
    assert "Manufacturing" in listing.text  # a choice is shown by its label
    assert "2,500,000.00" in listing.text  # money is formatted


def test_invalid_form_input_is_refused_with_the_field_message(browser: Client) -> None:
    response = add_account(browser, name="Bad Revenue Ltd", annual_revenue="-5", email="not-an-email")
    assert "Not a valid e-mail address." in response.text
    assert "Number must be between 0 and" in response.text
    assert "Bad Revenue Ltd" not in browser.get("/t/acme/crm_account/list/").text


def test_form_without_csrf_token_changes_nothing(browser: Client) -> None:
    browser.post("/t/acme/crm_account/add", data={"name": "Forged Corp"}, follow_redirects=True)
    assert "Forged Corp" not in browser.get("/t/acme/crm_account/list/").text


def test_values_are_escaped_in_pages(browser: Client) -> None:
    add_account(browser, name="<script>alert(1)</script>")
    listing = browser.get("/t/acme/crm_account/list/")
    assert "<script>alert(1)</script>" not in listing.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in listing.text


def _record_id(client: Client, name: str) -> str:
    listing = client.get("/t/acme/crm_account/list/", query_string={"_flt_0_name": name})
    match = re.search(r"/t/acme/crm_account/show/(\d+)", listing.text)
    assert match, listing.text
    return match.group(1)


def test_show_page_and_stale_edit(browser: Client) -> None:
    add_account(browser, name="Pacific Medical", city="Singapore")
    pk = _record_id(browser, "Pacific Medical")
    show = browser.get(f"/t/acme/crm_account/show/{pk}")
    assert "Pacific Medical" in show.text and "Singapore" in show.text

    first = browser.get(f"/t/acme/crm_account/edit/{pk}")
    second = browser.get(f"/t/acme/crm_account/edit/{pk}")
    saved = browser.post(
        f"/t/acme/crm_account/edit/{pk}",
        follow_redirects=True,
        data={
            "csrf_token": csrf_token(first.text),
            "record_version": "1",
            "name": "Pacific Medical",
            "city": "Jakarta",
        },
    )
    assert saved.status_code == 200
    stale = browser.post(
        f"/t/acme/crm_account/edit/{pk}",
        follow_redirects=True,
        data={
            "csrf_token": csrf_token(second.text),
            "record_version": "1",
            "name": "Pacific Medical",
            "city": "Manila",
        },
    )
    assert "changed by someone else" in stale.text
    show = browser.get(f"/t/acme/crm_account/show/{pk}")
    assert "Jakarta" in show.text and "Manila" not in show.text


def test_menu_groups_entities_by_pack(browser: Client) -> None:
    home = browser.get("/t/acme/")
    for text in ("CRM", "Office", "Organization", "Accounts", "Leave requests", "Employees"):
        assert text in home.text


def test_user_can_switch_to_chinese(browser: Client) -> None:
    browser.get("/t/acme/lang/zh")
    page = browser.get("/t/acme/crm_account/list/")
    browser.get("/t/acme/lang/en")
    assert "客户名称" in page.text and "行业" in page.text
    assert "客户关系" in page.text  # the pack's menu category


def test_list_sort_and_search(browser: Client) -> None:
    for name in ("Zeta Retail", "Alpha Retail"):
        add_account(browser, name=name, city="Chengdu")
    listing = browser.get("/t/acme/crm_account/list/", query_string={"_flt_0_city": "Chengdu"})
    assert listing.text.index("Alpha Retail") < listing.text.index("Zeta Retail")
    assert "Golden Textiles" not in listing.text


def test_deleting_a_record_in_use_is_refused_with_a_message(browser: Client) -> None:
    add_account(browser, name="Silver Foods")
    pk = _record_id(browser, "Silver Foods")
    page = browser.get("/t/acme/crm_contact/add")
    browser.post(
        "/t/acme/crm_contact/add", data={"csrf_token": csrf_token(page.text), "name": "Qian Yu", "account": pk}
    )
    response = browser.post(
        f"/t/acme/crm_account/delete/{pk}", data={"csrf_token": csrf_token(page.text)}, follow_redirects=True
    )
    assert "cannot be deleted: it is still used by 1 Contacts (Account)" in response.text
    assert browser.get(f"/t/acme/crm_account/show/{pk}").status_code == 200


def test_each_list_view_is_a_menu_entry_with_groups_totals_and_export(browser: Client) -> None:
    auth_client = browser
    page = auth_client.get("/t/acme/crm_opportunity/add")
    account = _record_id(auth_client, "Golden Textiles")
    for name, stage, amount in (
        ("Deal A", "proposal", "1000"),
        ("Deal B", "proposal", "2500.50"),
        ("Deal C", "won", "400"),
    ):
        auth_client.post(
            "/t/acme/crm_opportunity/add",
            data={
                "csrf_token": csrf_token(page.text),
                "name": name,
                "account": account,
                "stage": stage,
                "amount": amount,
                "close_date": "2026-12-01",
                "probability": "100",
            },
        )
    home = auth_client.get("/t/acme/")
    assert "/t/acme/crm_opportunity/view/pipeline/" in home.text and "Pipeline" in home.text
    pipeline = auth_client.get("/t/acme/crm_opportunity/view/pipeline/")
    assert pipeline.status_code == 200
    assert "Proposal" in pipeline.text and '<span class="badge">2</span>' in pipeline.text
    assert '<span class="fw-total">CN¥3,900.50</span>' in pipeline.text
    assert "Amount (total)" in pipeline.text
    assert auth_client.get("/t/acme/crm_opportunity/view/nope/").status_code == 404

    csv_export = auth_client.get("/t/acme/crm_opportunity/view/pipeline/export/csv")
    assert csv_export.status_code == 200 and csv_export.mimetype == "text/csv"
    lines = csv_export.data.decode("utf-8-sig").strip().splitlines()
    assert lines[0].startswith("Opportunity,Account,Stage,Amount")
    assert any(line.startswith("Deal B,Golden Textiles,Proposal,2500.50") for line in lines)

    xlsx = auth_client.get("/t/acme/crm_opportunity/view/pipeline/export/xlsx")
    from io import BytesIO

    from openpyxl import load_workbook

    sheet = load_workbook(BytesIO(xlsx.data)).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0][:3] == ["Opportunity", "Account", "Stage"] and len(rows) == 4


def test_quick_search_looks_in_the_search_fields_and_keeps_percent_literal(browser: Client) -> None:
    add_account(browser, name="100% Organic Foods", city="Xiamen")
    add_account(browser, name="Organic Hundred", city="Xiamen")
    found = browser.get("/t/acme/crm_account/list/", query_string={"q": "100%"})
    assert "100% Organic Foods" in found.text and "Organic Hundred" not in found.text
    by_city = browser.get("/t/acme/crm_account/list/", query_string={"q": "xiamen"})
    assert "100% Organic Foods" in by_city.text and "Organic Hundred" in by_city.text
    csv_export = browser.get("/t/acme/crm_account/view/default/export/csv", query_string={"q": "100%"})
    assert "100% Organic Foods" in csv_export.text and "Organic Hundred" not in csv_export.text


def test_a_reference_select_offers_only_allowed_records(platform: Platform, browser: Client) -> None:
    from conftest import jwt

    auth = jwt(platform.client(), "acme")
    api = platform.client()
    api.post("/t/acme/api/v1/core_employee/", json={"name": "Still Here", "active": True}, headers=auth)
    api.post("/t/acme/api/v1/core_employee/", json={"name": "Long Gone", "active": False}, headers=auth)
    found = browser.get("/t/acme/crm_account/choices/owner", query_string={"q": "e"}).json["results"]
    names = [row["text"] for row in found]
    assert "Still Here" in names and "Long Gone" not in names
    searched = browser.get("/t/acme/crm_account/choices/owner", query_string={"q": "still"}).json["results"]
    assert [row["text"] for row in searched] == ["Still Here"]
    assert browser.get("/t/acme/crm_account/choices/industry").status_code == 404
    page = browser.get("/t/acme/crm_account/add")
    gone = next(
        r for r in api.get("/t/acme/api/v1/core_employee/", headers=auth).json["result"] if r["name"] == "Long Gone"
    )
    refused = browser.post(
        "/t/acme/crm_account/add",
        data={"csrf_token": csrf_token(page.text), "name": "Gone Owner Co", "owner": str(gone["id"])},
    )
    assert "Not a valid choice." in refused.text

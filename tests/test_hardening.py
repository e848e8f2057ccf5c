"""Attacks and abuse that must fail safely (found in review): each answers with a clear refusal, never a 500."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from werkzeug.test import Client

from conftest import Platform, csrf_token, jwt, login
from formwork.meta.yamlload import parse_documents
from formwork.tenancy.errors import TenantError

ACCOUNTS = "/t/acme/api/v1/crm_account/"


@pytest.fixture(scope="module")
def acme(platform: Platform):
    platform.tenant("acme")
    client = platform.client()
    auth = jwt(client, "acme")
    browser = platform.client()
    login(browser, "acme")
    return client, auth, browser


def test_platform_names_cannot_be_tenant_slugs(platform: Platform, acme) -> None:
    for slug in ("console", "api", "static"):
        with pytest.raises(TenantError, match="reserved"):
            platform.tenant(slug)


def test_a_get_request_cannot_delete_and_a_post_needs_the_token(acme) -> None:
    client, auth, browser = acme
    pk = client.post(ACCOUNTS, json={"name": "Keep Me"}, headers=auth).json["id"]
    browser.get(f"/t/acme/crm_account/delete/{pk}")
    browser.post(f"/t/acme/crm_account/delete/{pk}")
    assert client.get(f"{ACCOUNTS}{pk}", headers=auth).status_code == 200


def test_export_uses_only_this_requests_search(platform: Platform, acme) -> None:
    client, auth, browser = acme
    for name in ("Export Alpha", "Export Beta"):
        client.post(ACCOUNTS, json={"name": name}, headers=auth)
    other = platform.client()
    login(other, "acme")
    other.get("/t/acme/crm_account/list/", query_string={"_flt_0_name": "Export Alpha"})
    everything = browser.get("/t/acme/crm_account/view/default/export/csv").text
    assert "Export Alpha" in everything and "Export Beta" in everything
    searched = browser.get(
        "/t/acme/crm_account/view/default/export/csv", query_string={"_flt_0_name": "Export Beta"}
    ).text
    assert "Export Beta" in searched and "Export Alpha" not in searched


def test_exported_text_never_runs_as_a_spreadsheet_formula(acme) -> None:
    client, auth, browser = acme
    client.post(ACCOUNTS, json={"name": '=HYPERLINK("http://evil.example","x")'}, headers=auth)
    exported = browser.get("/t/acme/crm_account/view/default/export/csv").text
    assert "'=HYPERLINK" in exported and "\n=HYPERLINK" not in exported


@pytest.mark.parametrize(
    "body, field",
    [
        ({"name": "Huge", "employees": 2**63}, "employees"),
        ({"name": "Huge", "owner": 2**63}, "owner"),
        ({"name": "Huge", "annual_revenue": "12345678901234567.89"}, "annual_revenue"),
    ],
)
def test_numbers_too_large_to_store_are_400(acme, body: dict, field: str) -> None:
    client, auth, _ = acme
    response = client.post(ACCOUNTS, json=body, headers=auth)
    assert response.status_code == 400 and field in response.json["message"]


def test_a_huge_id_in_the_url_is_not_a_500(acme) -> None:
    client, auth, browser = acme
    assert client.get(f"{ACCOUNTS}{2**63}", headers=auth).status_code in (400, 404)
    assert browser.get(f"/t/acme/crm_account/show/{2**63}").status_code in (400, 404)


def test_a_rule_message_with_a_percent_sign_is_shown(acme) -> None:
    client, auth, browser = acme
    account = client.post(ACCOUNTS, json={"name": "Percent Co"}, headers=auth).json["id"]
    page = browser.get("/t/acme/crm_opportunity/add")
    response = browser.post(
        "/t/acme/crm_opportunity/add",
        data={
            "csrf_token": csrf_token(page.text),
            "name": "Half won",
            "account": str(account),
            "stage": "won",
            "probability": "50",
            "close_date": "2026-12-01",
        },
    )
    assert response.status_code == 200 and "A won opportunity has a probability of 100%." in response.text


def test_a_locked_record_cannot_be_deleted(acme) -> None:
    client, auth, _ = acme
    employee = client.post("/t/acme/api/v1/core_employee/", json={"name": "Old Leave"}, headers=auth).json["id"]
    past = str(date.today() - timedelta(days=90))
    pk = client.post(
        "/t/acme/api/v1/oa_leave_request/",
        headers=auth,
        json={"employee": employee, "start_date": past, "end_date": past, "days": "1", "reason": "Past"},
    ).json["id"]
    refused = client.delete(f"/t/acme/api/v1/oa_leave_request/{pk}", headers=auth)
    assert refused.status_code == 409 and "locked" in refused.json["message"]


def test_yaml_aliases_and_odd_kinds_are_definition_errors() -> None:
    for text in ("loop: &l [*l]\n", "a: &a [1, 2]\nb: [*a, *a, *a]\n"):
        _, errors = parse_documents(text, "bomb.yaml")
        assert errors and "aliases" in errors[0].message
    documents, _ = parse_documents("kind: [Entity]\n", "odd.yaml")
    assert documents[0].kind is None


def test_unknown_slugs_are_not_remembered(platform: Platform, acme) -> None:
    apps = platform.app.tenant_apps
    for number in range(50):
        assert Client(platform.app).get(f"/t/nobody-{number}/").status_code == 404
    assert not any(slug.startswith("nobody-") for slug in apps._tenants)
    assert Client(platform.app).get("/t/Not_A_Slug!/").status_code == 404

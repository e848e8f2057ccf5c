"""List screens and API lists load references without one query per row."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from conftest import Platform, counting, jwt, login
from formwork.tenancy.registry import find_tenant
from formwork.tenancy.storage import tenant_engine


@pytest.fixture(scope="module")
def tenant(platform: Platform):
    platform.tenant("acme")
    client = platform.client()
    auth = jwt(client, "acme")
    for i in range(30):
        account = client.post("/t/acme/api/v1/crm_account/", json={"name": f"Account {i:02d}"}, headers=auth).json["id"]
        client.post("/t/acme/api/v1/crm_contact/", json={"name": f"Contact {i:02d}", "account": account}, headers=auth)
    login(client, "acme")
    return client, auth, tenant_engine(platform.settings, find_tenant(platform.settings.database_url, "acme"))


def queries(engine: sa.Engine, request) -> int:
    with counting(engine) as statements:
        response = request()
        assert response.status_code == 200
    return len(statements)


def test_api_list_query_count_does_not_grow_with_rows(tenant) -> None:
    client, auth, engine = tenant
    few = queries(
        engine, lambda: client.get("/t/acme/api/v1/crm_contact/", headers=auth, query_string={"q": "(page_size:3)"})
    )
    many = queries(
        engine, lambda: client.get("/t/acme/api/v1/crm_contact/", headers=auth, query_string={"q": "(page_size:30)"})
    )
    assert few == many


def test_list_screen_query_count_does_not_grow_with_rows(tenant) -> None:
    client, _, engine = tenant
    few = queries(engine, lambda: client.get("/t/acme/crm_contact/list/", query_string={"psize_CrmContactView": 3}))
    many = queries(engine, lambda: client.get("/t/acme/crm_contact/list/", query_string={"psize_CrmContactView": 30}))
    page = client.get("/t/acme/crm_contact/list/", query_string={"psize_CrmContactView": 30})
    assert "Account 29" in page.text
    assert few == many


def test_counting_stops_at_the_limit_and_says_so(tenant, monkeypatch) -> None:
    from formwork.compile import listing

    client, _, engine = tenant
    monkeypatch.setattr(listing, "COUNT_LIMIT", 10)
    with counting(engine) as statements:
        page = client.get("/t/acme/crm_contact/list/")
    assert "More than 10 records" in page.text
    counts = [s for s in statements if "count(" in s.lower()]
    assert counts and all("LIMIT" in s.upper() for s in counts)


def test_export_query_count_does_not_grow_with_rows(tenant) -> None:
    """Exports stream in batches; the accounts they show are loaded per batch, not per row."""
    client, auth, engine = tenant
    exports = {
        "screen": lambda query: client.get("/t/acme/crm_contact/view/default/export/csv", query_string=query),
        "api": lambda query: client.get(
            "/t/acme/api/v1/crm_contact/export", headers=auth, query_string={"format": "csv", **query}
        ),
    }
    for export in exports.values():
        with counting(engine) as few:
            assert "Account 07" in export({"q": "Contact 0"}).get_data(as_text=True)
        with counting(engine) as many:
            body = export({}).get_data(as_text=True)
        assert "Account 29" in body and body.count("\n") > 30
        assert len(many) == len(few)

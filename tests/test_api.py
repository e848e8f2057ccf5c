"""The REST API generated per entity: CRUD with a JWT, 400 per field, 409 on a stale version, OpenAPI."""

from __future__ import annotations

import pytest

from conftest import Platform, jwt

ACCOUNTS = "/t/acme/api/v1/crm_account/"


@pytest.fixture(scope="module")
def api(platform: Platform):
    platform.tenant("acme")
    client = platform.client()
    return client, jwt(client, "acme")


def test_create_read_list_update_delete(api) -> None:
    client, auth = api
    created = client.post(
        ACCOUNTS,
        json={
            "name": "Lotus Foods",
            "industry": "retail",
            "annual_revenue": "1250000.50",
            "email": "info@lotus.example",
        },
        headers=auth,
    )
    assert created.status_code == 201, created.text
    pk = created.json["id"]
    assert created.json["result"]["annual_revenue"] == "1250000.50"
    assert created.json["result"]["version"] == 1

    shown = client.get(f"{ACCOUNTS}{pk}", headers=auth)
    assert shown.status_code == 200
    assert shown.json["result"]["name"] == "Lotus Foods"

    listed = client.get(ACCOUNTS, headers=auth)
    assert "Lotus Foods" in [row["name"] for row in listed.json["result"]]

    updated = client.put(f"{ACCOUNTS}{pk}", json={"city": "Hangzhou", "version": 1}, headers=auth)
    assert updated.status_code == 200, updated.text
    assert updated.json["result"]["city"] == "Hangzhou"
    assert updated.json["result"]["name"] == "Lotus Foods"
    assert updated.json["result"]["version"] == 2

    assert client.delete(f"{ACCOUNTS}{pk}", headers=auth).status_code == 200
    assert client.get(f"{ACCOUNTS}{pk}", headers=auth).status_code == 404


def test_bad_input_is_400_with_a_message_per_field(api) -> None:
    client, auth = api
    before = client.get(ACCOUNTS, headers=auth).json["count"]
    response = client.post(
        ACCOUNTS,
        json={
            "name": "",
            "industry": "space",
            "annual_revenue": "lots",
            "email": "nope",
            "employees": -3,
            "website": "not a url",
            "colour": "red",
        },
        headers=auth,
    )
    assert response.status_code == 400
    message = response.json["message"]
    assert set(message) == {"name", "industry", "annual_revenue", "email", "employees", "website", "colour"}
    assert "Must be one of" in message["industry"][0]
    assert "e-mail" in message["email"][0]
    assert message["name"] == ["This field is required."]
    assert message["colour"] == ["Unknown field."]
    assert client.get(ACCOUNTS, headers=auth).json["count"] == before


def test_required_fields_and_wrong_types(api) -> None:
    client, auth = api
    response = client.post(
        "/t/acme/api/v1/crm_opportunity/", json={"amount": "10", "probability": "high"}, headers=auth
    )
    assert response.status_code == 400
    message = response.json["message"]
    assert message["name"] == ["Missing data for required field."]
    assert message["account"] == ["Missing data for required field."]
    assert "probability" in message


def test_reference_must_exist_and_unique_must_not_repeat(api) -> None:
    client, auth = api
    missing = client.post("/t/acme/api/v1/crm_contact/", json={"name": "Ann", "account": 999999}, headers=auth)
    assert missing.status_code == 400
    assert "No crm.account with id 999999" in missing.json["message"]["account"][0]

    assert client.post(ACCOUNTS, json={"name": "Jade Motors"}, headers=auth).status_code == 201
    again = client.post(ACCOUNTS, json={"name": "Jade Motors"}, headers=auth)
    assert again.status_code == 400
    assert "already used" in again.json["message"]["name"][0]


def test_reference_is_set_by_id_and_read_with_its_title(api) -> None:
    client, auth = api
    account = client.post(ACCOUNTS, json={"name": "Summit Energy"}, headers=auth).json["id"]
    contact = client.post("/t/acme/api/v1/crm_contact/", json={"name": "Li Wei", "account": account}, headers=auth)
    assert contact.status_code == 201, contact.text
    shown = client.get(f"/t/acme/api/v1/crm_contact/{contact.json['id']}", headers=auth).json["result"]
    assert shown["account"] == {"id": account, "name": "Summit Energy"}


def test_stale_version_is_409_and_changes_nothing(api) -> None:
    client, auth = api
    pk = client.post(ACCOUNTS, json={"name": "Harbor Logistics", "city": "Tokyo"}, headers=auth).json["id"]
    assert client.put(f"{ACCOUNTS}{pk}", json={"city": "Berlin", "version": 1}, headers=auth).status_code == 200
    stale = client.put(f"{ACCOUNTS}{pk}", json={"city": "London", "version": 1}, headers=auth)
    assert stale.status_code == 409
    assert "changed by someone else" in stale.json["message"]
    record = client.get(f"{ACCOUNTS}{pk}", headers=auth).json["result"]
    assert (record["city"], record["version"]) == ("Berlin", 2)


def test_not_json_and_unauthenticated(api, platform: Platform) -> None:
    client, auth = api
    assert client.post(ACCOUNTS, data="name=x", headers=auth).status_code == 400
    assert client.post(ACCOUNTS, json=["not", "an", "object"], headers=auth).status_code == 400
    assert platform.client().get(ACCOUNTS).status_code == 401


def test_openapi_describes_every_entity(api) -> None:
    client, auth = api
    spec = client.get("/t/acme/api/v1/_openapi", headers=auth)
    assert spec.status_code == 200
    paths = spec.json["paths"]
    for table in (
        "core_department",
        "core_employee",
        "crm_account",
        "crm_contact",
        "crm_opportunity",
        "oa_leave_request",
        "oa_announcement",
    ):
        assert f"/api/v1/{table}/" in paths
    assert spec.json["servers"] == [{"url": "/t/acme"}]
    schema = spec.json["components"]["schemas"]["CrmAccountApi.post"]
    assert "name" in schema["required"]
    assert schema["properties"]["annual_revenue"]["type"] == "number"


def test_a_record_in_use_cannot_be_deleted(api) -> None:
    client, auth = api
    account = client.post(ACCOUNTS, json={"name": "Red Capital"}, headers=auth).json["id"]
    client.post("/t/acme/api/v1/crm_contact/", json={"name": "Zhou Min", "account": account}, headers=auth)
    refused = client.delete(f"{ACCOUNTS}{account}", headers=auth)
    assert refused.status_code == 409
    assert (
        refused.json["message"] == "Account 'Red Capital' cannot be deleted: it is still used by 1 Contacts (Account)."
    )
    assert client.get(f"{ACCOUNTS}{account}", headers=auth).status_code == 200


def test_writes_record_who_made_them(api) -> None:
    client, auth = api
    me = client.get("/t/acme/api/v1/security/users/", headers=auth)
    created = client.post(ACCOUNTS, json={"name": "Unity Software"}, headers=auth).json["result"]
    assert created["created_by"] == created["updated_by"] and created["created_by"] is not None
    assert me.status_code in (200, 404)


def test_unique_combination_is_400_on_its_first_field(api) -> None:
    client, auth = api
    account = client.post(ACCOUNTS, json={"name": "Lotus Energy"}, headers=auth).json["id"]
    other = client.post(ACCOUNTS, json={"name": "Jade Energy"}, headers=auth).json["id"]
    contacts = "/t/acme/api/v1/crm_contact/"
    assert (
        client.post(contacts, json={"name": "A", "account": account, "email": "a@x.example"}, headers=auth).status_code
        == 201
    )
    assert (
        client.post(contacts, json={"name": "B", "account": other, "email": "a@x.example"}, headers=auth).status_code
        == 201
    )
    again = client.post(contacts, json={"name": "C", "account": account, "email": "a@x.example"}, headers=auth)
    assert again.status_code == 400
    assert again.json["message"]["account"] == ["This account already has a contact with this e-mail."]
    pk = client.post(contacts, json={"name": "D", "account": account, "email": "d@x.example"}, headers=auth).json["id"]
    moved = client.put(f"{contacts}{pk}", json={"email": "a@x.example"}, headers=auth)
    assert moved.status_code == 400


def test_a_reference_filter_limits_the_choices(api) -> None:
    client, auth = api
    employees = "/t/acme/api/v1/core_employee/"
    active = client.post(employees, json={"name": "Active Li", "active": True}, headers=auth).json["id"]
    gone = client.post(employees, json={"name": "Former Zhao", "active": False}, headers=auth).json["id"]
    assert client.post(ACCOUNTS, json={"name": "Owned Co", "owner": active}, headers=auth).status_code == 201
    refused = client.post(ACCOUNTS, json={"name": "Orphan Co", "owner": gone}, headers=auth)
    assert refused.status_code == 400
    assert refused.json["message"]["owner"] == [f"core.employee {gone} is not one of the allowed choices."]

"""The entity API's HTTP validators: ETag on GET and PUT, If-None-Match → 304, If-Match on PUT and DELETE → 412."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from conftest import Platform, jwt
from formwork.tenancy.registry import find_tenant
from formwork.tenancy.storage import tenant_engine

SLUG = "etags"
ACCOUNTS = f"/t/{SLUG}/api/v1/crm_account/"
CONTACTS = f"/t/{SLUG}/api/v1/crm_contact/"


@pytest.fixture(scope="module")
def api(platform: Platform):
    platform.tenant(SLUG)
    client = platform.client()
    return client, jwt(client, SLUG)


def account(api, name: str) -> tuple[str, str]:
    """A new account's URL and the ETag its GET answers."""
    client, auth = api
    created = client.post(ACCOUNTS, json={"name": name, "city": "Tokyo"}, headers=auth)
    assert created.status_code == 201, created.text
    url = f"{ACCOUNTS}{created.json['id']}"
    return url, client.get(url, headers=auth).headers["ETag"]


def shown(api, url: str) -> dict[str, Any]:
    client, auth = api
    return client.get(url, headers=auth).json["result"]


def test_get_answers_an_etag_that_changes_when_the_record_does(api) -> None:
    client, auth = api
    url, etag = account(api, "Etag Foods")
    assert etag.startswith('"') and etag.endswith('"')
    assert client.get(url, headers=auth).headers["ETag"] == etag
    updated = client.put(url, json={"city": "Osaka"}, headers=auth)
    assert updated.status_code == 200, updated.text
    assert updated.headers["ETag"] not in (None, etag)
    assert client.get(url, headers=auth).headers["ETag"] == updated.headers["ETag"]


def test_the_etag_changes_when_what_get_shows_changes_without_a_new_version(api) -> None:
    """A referenced record's title is part of the answer: a cached copy showing the old title is not current."""
    client, auth = api
    account_url, _ = account(api, "Old Name Ltd")
    contact = client.post(CONTACTS, json={"name": "Li Na", "account": int(account_url.rsplit("/", 1)[1])}, headers=auth)
    contact_url = f"{CONTACTS}{contact.json['id']}"
    before = client.get(contact_url, headers=auth).headers["ETag"]
    assert client.put(account_url, json={"name": "New Name Ltd"}, headers=auth).status_code == 200
    after = client.get(contact_url, headers={**auth, "If-None-Match": before})
    assert after.status_code == 200
    assert after.json["result"]["account"]["name"] == "New Name Ltd"
    assert after.json["result"]["version"] == 1


def test_if_none_match_with_the_current_etag_is_304_without_a_body(api) -> None:
    client, auth = api
    url, etag = account(api, "Cache Corp")
    cached = client.get(url, headers={**auth, "If-None-Match": etag})
    assert cached.status_code == 304
    assert cached.data == b""
    assert cached.headers["ETag"] == etag
    assert client.get(url, headers={**auth, "If-None-Match": '"another"'}).status_code == 200
    assert client.get(f"{url}?q=(columns:!(name))", headers={**auth, "If-None-Match": etag}).status_code == 304


def test_stale_if_match_on_put_is_412_and_changes_nothing(api) -> None:
    client, auth = api
    url, etag = account(api, "Stale Trading")
    assert client.put(url, json={"city": "Berlin"}, headers=auth).status_code == 200
    refused = client.put(url, json={"city": "London"}, headers={**auth, "If-Match": etag})
    assert refused.status_code == 412
    assert refused.json["message"].startswith("The record changed since you read it")
    record = shown(api, url)
    assert (record["city"], record["version"]) == ("Berlin", 2)


def test_current_if_match_on_put_saves_and_answers_the_new_etag(api) -> None:
    client, auth = api
    url, etag = account(api, "Fresh Trading")
    saved = client.put(url, json={"city": "Paris"}, headers={**auth, "If-Match": etag})
    assert saved.status_code == 200, saved.text
    assert saved.json["result"]["city"] == "Paris"
    again = client.put(url, json={"city": "Rome"}, headers={**auth, "If-Match": saved.headers["ETag"]})
    assert again.status_code == 200, again.text
    assert shown(api, url)["city"] == "Rome"


def test_if_match_and_the_body_version_must_both_agree(api) -> None:
    client, auth = api
    url, etag = account(api, "Both Checks Inc")
    assert (
        client.put(url, json={"city": "Lima", "version": 1}, headers={**auth, "If-Match": '"other"'}).status_code == 412
    )
    assert client.put(url, json={"city": "Lima", "version": 7}, headers={**auth, "If-Match": etag}).status_code == 409
    assert shown(api, url)["city"] == "Tokyo"
    assert client.put(url, json={"city": "Lima", "version": 1}, headers={**auth, "If-Match": etag}).status_code == 200


def test_if_match_star_matches_any_existing_record(api) -> None:
    client, auth = api
    url, _ = account(api, "Star Holdings")
    assert client.put(url, json={"city": "Quito"}, headers={**auth, "If-Match": "*"}).status_code == 200
    assert client.put(f"{ACCOUNTS}999999", json={"city": "Quito"}, headers={**auth, "If-Match": "*"}).status_code == 404
    assert client.delete(url, headers={**auth, "If-Match": "*"}).status_code == 200
    assert client.get(url, headers=auth).status_code == 404


def test_an_unreadable_or_weak_if_match_matches_nothing(api) -> None:
    client, auth = api
    url, etag = account(api, "Odd Headers Co")
    for header in ("", "not, quoted, ,", f"W/{etag}"):
        assert client.put(url, json={"city": "Oslo"}, headers={**auth, "If-Match": header}).status_code == 412
    assert shown(api, url)["city"] == "Tokyo"


def test_stale_if_match_on_delete_is_412_and_the_record_stays(api) -> None:
    client, auth = api
    url, etag = account(api, "Keep Me Ltd")
    assert client.put(url, json={"city": "Cairo"}, headers=auth).status_code == 200
    refused = client.delete(url, headers={**auth, "If-Match": etag})
    assert refused.status_code == 412
    assert shown(api, url)["city"] == "Cairo"
    current = client.get(url, headers=auth).headers["ETag"]
    assert client.delete(url, headers={**auth, "If-Match": current}).status_code == 200
    assert client.get(url, headers=auth).status_code == 404


def test_the_412_message_follows_the_users_language(api) -> None:
    client, auth = api
    url, _ = account(api, "Chinese Reader Co")
    refused = client.put(url, json={"city": "Xi'an"}, headers={**auth, "If-Match": '"old"', "Accept-Language": "zh"})
    assert refused.status_code == 412
    assert (
        refused.json["message"]
        == "记录在您读取后已被修改（If-Match 与其当前 ETag 不符），未做任何更改。请重新读取后再试。"
    )


def test_two_clients_saving_with_the_same_etag_one_wins_one_gets_412(api) -> None:
    client, auth = api
    url, etag = account(api, "Race Track Inc")
    first = client.put(url, json={"city": "Madrid"}, headers={**auth, "If-Match": etag})
    second = client.put(url, json={"city": "Lisbon"}, headers={**auth, "If-Match": etag})
    assert (first.status_code, second.status_code) == (200, 412)
    record = shown(api, url)
    assert (record["city"], record["version"]) == ("Madrid", 2)


@pytest.mark.parametrize("method", ["put", "delete"])
def test_a_change_committed_between_the_check_and_the_write_is_412(api, platform: Platform, method: str) -> None:
    """The If-Match check and the write are one transaction: another writer committing after the check (here, as
    the request flushes) makes the write fail on the record's version, and their change stays."""
    client, auth = api
    url, etag = account(api, f"Between Checks {method}")
    pk = int(url.rsplit("/", 1)[1])
    engine = tenant_engine(platform.settings, find_tenant(platform.settings.database_url, SLUG))

    def another_writer(*_args: Any) -> None:
        with engine.begin() as connection:
            connection.execute(
                sa.text("UPDATE crm_account SET city = 'Racer', version = version + 1 WHERE id = :id"), {"id": pk}
            )

    sa.event.listen(Session, "before_flush", another_writer, once=True)
    try:
        answer = client.open(
            url,
            method=method.upper(),
            json={"city": "Loser"} if method == "put" else None,
            headers={**auth, "If-Match": etag},
        )
    finally:
        if sa.event.contains(Session, "before_flush", another_writer):
            sa.event.remove(Session, "before_flush", another_writer)
    assert answer.status_code == 412, answer.text
    record = shown(api, url)
    assert (record["city"], record["version"]) == ("Racer", 2)


def test_openapi_declares_the_etag_headers_and_conditions(api) -> None:
    client, auth = api
    path = client.get(f"/t/{SLUG}/api/v1/_openapi", headers=auth).json["paths"]["/api/v1/crm_account/{pk}"]
    assert "ETag" in path["get"]["responses"]["200"]["headers"]
    assert "ETag" in path["put"]["responses"]["200"]["headers"]
    assert "ETag" in path["get"]["responses"]["304"]["headers"]
    assert "If-None-Match" in [p["name"] for p in path["get"]["parameters"]]
    for method in ("put", "delete"):
        assert "If-Match" in [p["name"] for p in path[method]["parameters"]]
        assert path[method]["responses"]["412"] == {"$ref": "#/components/responses/412"}

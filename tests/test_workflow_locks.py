"""What a decision locks: an approved record, its rows and files stay as approved unless reopened, or changed by an
admin who gives a reason (recorded in the record's approval history)."""

from __future__ import annotations

import pytest
from werkzeug.test import Client

from conftest import PASSWORD, Platform, catalog_with_pack, csrf_token, jwt, login
from formwork import create_app
from formwork.tenancy.apps import build_tenant_app
from formwork.tenancy.registry import find_tenant
from workflow_org import company, new_record

SLUG = "wflocks"
API = f"/t/{SLUG}/api/v1/approvals"
TRIPS = f"/t/{SLUG}/api/v1/trips_trip/"
LEGS = f"/t/{SLUG}/api/v1/trips_leg/"
LOCKED = "Approved records are locked: reopen the approval to change it (an admin may, giving a reason)."
PACK = """\
kind: Pack
name: trips
version: 1.0.0
requires: {core: ">=0.1.0", oa: ">=0.1.0"}
---
kind: Entity
name: trip
title_field: purpose
fields:
  - {name: purpose, type: string, required: true}
  - {name: kind, type: string}
  - {name: note, type: string}
  - {name: legs, type: child_table, target: leg}
---
kind: Entity
name: leg
fields:
  - {name: trip, type: reference, target: trip}
  - {name: city, type: string}
---
kind: ApprovalChain
name: trip_approval
entity: trip
when: kind != 'light'
steps:
  - {name: manager, approvers: [users: [mike]]}
---
kind: ApprovalChain
name: light_approval
entity: trip
when: kind == 'light'
lock: {approved: [purpose], reopen: submitter}
steps:
  - {name: manager, approvers: [users: [mike]]}
"""


@pytest.fixture(scope="module")
def site(platform: Platform, tmp_path_factory: pytest.TempPathFactory):
    """erin and mike hold a role with every right an admin has (but are no admins); `admin` is the tenant's admin."""
    catalog = catalog_with_pack(tmp_path_factory.mktemp("trips") / "trips", PACK)
    runtime = company(platform, catalog, SLUG, ["core", "oa", "trips"])
    app = build_tenant_app(platform.settings, find_tenant(platform.settings.database_url, SLUG), catalog)
    with app.app_context():
        sm = app.appbuilder.sm
        staff = sm.add_role("Staff", permissions=list(sm.find_role("Admin").permissions))
        for name in ("erin", "mike"):
            user = sm.find_user(username=name)
            user.roles = [staff]
            sm.update_user(user)
    runtime.session.remove()
    client = Client(create_app(platform.settings, catalog))
    return runtime, client, {name: jwt(client, SLUG, name, PASSWORD) for name in ("erin", "mike", "admin")}


def approved_trip(site, kind: str = "full") -> tuple[int, int, int]:
    """A trip of erin's with one leg, approved by mike: (trip, leg, request)."""
    runtime, client, tokens = site
    trip = new_record(runtime, "trips.trip", owner="erin", purpose="fair", kind=kind)
    leg = new_record(runtime, "trips.leg", trip_id=trip, city="Hamburg")
    instance = client.post(f"{API}/submit", json={"entity": "trips.trip", "id": trip}, headers=tokens["erin"]).json[
        "status"
    ]["instance_id"]
    task = client.get(f"{API}/inbox/todo", headers=tokens["mike"]).json["result"][-1]["task_id"]
    assert client.post(f"{API}/tasks/{task}/approve", json={}, headers=tokens["mike"]).status_code == 200
    return trip, leg, instance


def stored(site, trip: int) -> dict:
    _, client, tokens = site
    return client.get(f"{TRIPS}{trip}", headers=tokens["erin"]).json["result"]


def test_an_approved_record_refuses_api_edits_with_a_message_per_field(site) -> None:
    _, client, tokens = site
    trip, _, _ = approved_trip(site)
    refused = client.put(f"{TRIPS}{trip}", json={"purpose": "holiday", "note": "x"}, headers=tokens["erin"])
    assert refused.status_code == 400
    assert refused.json["message"] == {"purpose": [LOCKED], "note": [LOCKED]}
    chinese = client.put(f"{TRIPS}{trip}", json={"note": "x"}, headers={**tokens["erin"], "Accept-Language": "zh"})
    assert chinese.json["message"] == {
        "note": ["已审批通过的记录已锁定：如需修改请重新打开审批（管理员填写原因后可修改）。"]
    }
    assert stored(site, trip)["purpose"] == "fair"
    state = client.get(f"{API}/records/trips.trip/{trip}", headers=tokens["erin"]).json
    assert state["status"]["status"] == "approved" and state["editable"] == []


def test_an_approved_record_keeps_its_rows_and_cannot_be_deleted(site) -> None:
    _, client, tokens = site
    trip, leg, _ = approved_trip(site)
    auth = tokens["erin"]
    changed = client.put(f"{LEGS}{leg}", json={"city": "Paris"}, headers=auth)
    assert changed.status_code == 400 and changed.json["message"] == {"trip": [LOCKED]}
    added = client.post(LEGS, json={"trip": trip, "city": "Lyon"}, headers=auth)
    assert added.status_code == 400 and added.json["message"] == {"trip": [LOCKED]}
    assert client.delete(f"{LEGS}{leg}", headers=auth).status_code == 409
    deleted = client.delete(f"{TRIPS}{trip}", headers=auth)
    assert deleted.status_code == 409 and "approved and locked" in deleted.json["message"]
    assert client.get(f"{LEGS}{leg}", headers=auth).json["result"]["city"] == "Hamburg"


def test_the_edit_screen_refuses_changes_to_an_approved_record(site) -> None:
    _, client, _ = site
    trip, _, _ = approved_trip(site)
    page = f"/t/{SLUG}/trips_trip/edit/{trip}"
    browser = Client(client.application)
    login(browser, SLUG, "erin")
    form = browser.get(page)
    saved = browser.post(
        page,
        follow_redirects=True,
        data={
            "csrf_token": csrf_token(form.text),
            "record_version": str(stored(site, trip)["version"]),
            "purpose": "holiday",
            "kind": "full",
            "note": "",
        },
    )
    assert LOCKED in saved.text and stored(site, trip)["purpose"] == "fair"


def test_an_admin_changes_an_approved_record_giving_a_reason_which_its_history_keeps(site) -> None:
    _, client, tokens = site
    trip, leg, _ = approved_trip(site)
    without = client.put(f"{TRIPS}{trip}", json={"note": "corrected"}, headers=tokens["admin"])
    assert without.status_code == 400 and without.json["message"] == {"note": [LOCKED]}
    staff = client.put(
        f"{TRIPS}{trip}", json={"note": "corrected"}, headers={**tokens["erin"], "X-Formwork-Reason": "typo"}
    )
    assert staff.status_code == 400
    reason = {**tokens["admin"], "X-Formwork-Reason": "the invoice says Hamburg fair"}
    assert client.put(f"{TRIPS}{trip}", json={"note": "corrected"}, headers=reason).status_code == 200
    assert client.put(f"{LEGS}{leg}", json={"city": "Bremen"}, headers=reason).status_code == 200
    assert stored(site, trip)["note"] == "corrected"
    events = client.get(f"{API}/records/trips.trip/{trip}", headers=tokens["erin"]).json["rounds"][-1]["events"]
    changes = [(e["actor"], e["comment"], e["detail"]["fields"]) for e in events if e["action"] == "locked_change"]
    assert changes == [
        ("admin", "the invoice says Hamburg fair", ["note"]),
        ("admin", "the invoice says Hamburg fair", ["legs"]),
    ]
    assert client.get(f"/t/{SLUG}/api/v1/records/trips_trip/{trip}/history", headers=tokens["erin"]).status_code == 200
    assert client.delete(f"{TRIPS}{trip}", headers=reason).status_code == 200


def test_a_chain_that_locks_some_fields_leaves_the_others_free_and_lets_the_submitter_reopen(site) -> None:
    _, client, tokens = site
    trip, leg, instance = approved_trip(site, kind="light")
    assert client.put(f"{TRIPS}{trip}", json={"note": "free"}, headers=tokens["erin"]).status_code == 200
    assert client.put(f"{LEGS}{leg}", json={"city": "Bremen"}, headers=tokens["erin"]).status_code == 200
    refused = client.put(f"{TRIPS}{trip}", json={"purpose": "holiday"}, headers=tokens["erin"])
    assert refused.status_code == 400 and refused.json["message"] == {"purpose": [LOCKED]}
    assert (
        client.post(f"{API}/requests/{instance}/reopen", json={"reason": "x"}, headers=tokens["mike"]).status_code
        == 403
    )
    reopened = client.post(f"{API}/requests/{instance}/reopen", json={"reason": "wrong dates"}, headers=tokens["erin"])
    assert reopened.status_code == 200 and reopened.json["status"]["status"] == "withdrawn"
    assert client.put(f"{TRIPS}{trip}", json={"purpose": "holiday"}, headers=tokens["erin"]).status_code == 200
    again = client.post(f"{API}/submit", json={"entity": "trips.trip", "id": trip}, headers=tokens["erin"])
    assert again.status_code == 201 and again.json["status"]["waiting_for"] == ["mike"]


def test_only_admins_reopen_by_default_and_only_approved_requests(site) -> None:
    _, client, tokens = site
    trip, _, instance = approved_trip(site)
    refused = client.post(f"{API}/requests/{instance}/reopen", json={"reason": "mine"}, headers=tokens["erin"])
    assert refused.status_code == 403 and "admins" in refused.json["message"]
    assert client.post(f"{API}/requests/{instance}/reopen", json={}, headers=tokens["admin"]).status_code == 400
    assert (
        client.post(f"{API}/requests/{instance}/reopen", json={"reason": "dates"}, headers=tokens["admin"]).status_code
        == 200
    )
    again = client.post(f"{API}/requests/{instance}/reopen", json={"reason": "dates"}, headers=tokens["admin"])
    assert again.status_code == 409
    assert client.put(f"{TRIPS}{trip}", json={"note": "new dates"}, headers=tokens["erin"]).status_code == 200

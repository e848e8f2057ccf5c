"""The approvals REST API walked with JWTs, and the record lock on the entity API and the edit screen."""

from __future__ import annotations

import io
from datetime import date

import pytest
from werkzeug.test import Client

from conftest import PASSWORD, Platform, catalog_with_pack, csrf_token, jwt, login
from formwork import create_app
from formwork.tenancy.apps import build_tenant_app
from formwork.tenancy.registry import find_tenant
from workflow_org import company, employee_id, leave, new_record

SLUG = "wfapi"
API = f"/t/{SLUG}/api/v1/approvals"
LEAVE = "oa.leave_request"
TRIPS = f"/t/{SLUG}/api/v1/trips_trip/"
#: a pack whose chain lets the manager correct the note (and nothing else) while the trip is in approval
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
  - {name: amount, type: decimal, precision: 2}
  - {name: note, type: string}
---
kind: ApprovalChain
name: trip_approval
entity: trip
steps:
  - {name: manager, approvers: [manager: 1], editable: [note]}
"""


@pytest.fixture(scope="module")
def site(platform: Platform, tmp_path_factory: pytest.TempPathFactory):
    """The company of workflow_org with the trips pack; erin, mike and dora get a role with every right an admin has
    (as a tenant admin would give them), sam has no role; returns (runtime, a client of a dispatcher serving it)."""
    catalog = catalog_with_pack(tmp_path_factory.mktemp("trips") / "trips", PACK)
    runtime = company(platform, catalog, SLUG, ["core", "oa", "trips"])
    app = build_tenant_app(platform.settings, find_tenant(platform.settings.database_url, SLUG), catalog)
    with app.app_context():
        sm = app.appbuilder.sm
        staff = sm.add_role("Staff", permissions=list(sm.find_role("Admin").permissions))
        for name in ("erin", "mike", "dora"):
            user = sm.find_user(username=name)
            user.roles = [staff]
            sm.update_user(user)
    runtime.session.remove()
    return runtime, Client(create_app(platform.settings, catalog))


@pytest.fixture(scope="module")
def tokens(site) -> dict[str, dict[str, str]]:
    _, client = site
    return {name: jwt(client, SLUG, name) for name in ("erin", "mike", "dora", "sam", "fiona")}


def call(site, tokens, method: str, path: str, user: str, body: dict | None = None):
    _, client = site
    return client.open(f"{API}{path}", method=method, json=body, headers=tokens[user])


def todo(site, tokens, user: str) -> list[dict]:
    response = call(site, tokens, "GET", "/inbox/todo", user)
    assert response.status_code == 200, response.text
    return response.json["result"]


def task_of(site, tokens, user: str, record_id: int, entity: str = LEAVE) -> int:
    found = [
        item["task_id"]
        for item in todo(site, tokens, user)
        if (item["entity"], item["record_id"]) == (entity, record_id)
    ]
    assert len(found) == 1, todo(site, tokens, user)
    return found[0]


def state(site, tokens, user: str, entity: str, record_id: int) -> dict:
    response = call(site, tokens, "GET", f"/records/{entity}/{record_id}", user)
    assert response.status_code == 200, response.text
    return response.json


def stored_file(site, tokens) -> dict:
    _, client = site
    uploaded = client.post(
        f"{API}/files", data={"file": (io.BytesIO(b"%PDF-1.4 receipt"), "receipt.pdf")}, headers=tokens["mike"]
    )
    assert uploaded.status_code == 201, uploaded.text
    [reference] = uploaded.json["result"]
    return reference


def test_uploads_are_checked_like_a_file_field(site, tokens) -> None:
    _, client = site
    fake = client.post(
        f"{API}/files", data={"file": (io.BytesIO(b"MZ\x90\x00 not a pdf"), "receipt.pdf")}, headers=tokens["mike"]
    )
    assert fake.status_code == 400 and "file" in fake.json["message"]
    assert client.post(f"{API}/files", data={}, headers=tokens["mike"]).status_code == 400


def test_a_long_leave_walks_through_manager_and_department_head(site, tokens) -> None:
    runtime, _ = site
    record = leave(runtime, "erin", days=5)
    submitted = call(site, tokens, "POST", "/submit", "erin", {"entity": LEAVE, "id": record, "comment": "family trip"})
    assert submitted.status_code == 201, submitted.text
    assert submitted.json["status"]["step"] == "manager" and submitted.json["status"]["waiting_for"] == ["mike"]

    [item] = [i for i in todo(site, tokens, "mike") if i["record_id"] == record]
    assert (item["entity"], item["step"], item["submitter"], item["status"]) == (LEAVE, "manager", "erin", "pending")
    assert item["title"].startswith("LV-") and item["since"]
    receipt = stored_file(site, tokens)
    approved = call(
        site,
        tokens,
        "POST",
        f"/tasks/{item['task_id']}/approve",
        "mike",
        {"comment": "fine by me", "attachments": [receipt]},
    )
    assert approved.status_code == 200, approved.text
    assert approved.json["status"]["waiting_for"] == ["dora"]

    again = call(site, tokens, "POST", f"/tasks/{item['task_id']}/approve", "mike", {})
    assert again.status_code == 409
    assert "already decided by mike (Approved)" in again.json["message"]

    assert (
        call(site, tokens, "POST", f"/tasks/{task_of(site, tokens, 'dora', record)}/approve", "dora", {}).status_code
        == 200
    )
    final = state(site, tokens, "erin", LEAVE, record)
    assert final["status"]["status"] == "approved" and final["editable"] == []  # an approved record is locked
    [only_round] = final["rounds"]
    events = only_round["events"]
    assert [e["action"] for e in events if e["actor"]] == ["submit", "approve", "approve"]
    assert events[0]["comment"] == "family trip"
    assert next(e for e in events if e["actor"] == "mike")["attachments"] == [receipt]

    copied = call(site, tokens, "GET", "/inbox/cc", "erin").json["result"]
    assert [(i["record_id"], i["reason"]) for i in copied if i["record_id"] == record] == [(record, "cc")]
    done = call(site, tokens, "GET", "/inbox/done", "mike").json["result"]
    assert {"record_id": record, "decision": "approve"}.items() <= done[0].items()
    mine = call(site, tokens, "GET", "/inbox/submitted", "erin").json
    assert record in [i["record_id"] for i in mine["result"]] and mine["count"] >= 1


def test_only_someone_who_may_edit_the_record_and_owns_it_may_submit_it(platform: Platform, site, tokens) -> None:
    runtime, client = site
    record = leave(runtime, "erin", days=1)
    # dora may edit leave requests, but this one is erin's
    others = call(site, tokens, "POST", "/submit", "dora", {"entity": LEAVE, "id": record})
    assert (
        others.status_code == 403 and "only the person who created this Leave request record" in others.json["message"]
    )
    # fiona may read leave requests (and use approvals) but not edit them
    app = build_tenant_app(platform.settings, find_tenant(platform.settings.database_url, SLUG), runtime.catalog)
    with app.app_context():
        sm = app.appbuilder.sm
        reader = sm.add_role("Leave reader", permissions=[sm.find_permission_view_menu("can_get", "OaLeaveRequestApi")])
        fiona = sm.find_user(username="fiona")
        fiona.roles = [*fiona.roles, reader]
        sm.update_user(fiona)
    try:
        assert (
            client.put(
                f"/t/{SLUG}/api/v1/oa_leave_request/{record}", json={"reason": "x"}, headers=tokens["fiona"]
            ).status_code
            == 403
        )
        reader_submits = call(site, tokens, "POST", "/submit", "fiona", {"entity": LEAVE, "id": record})
        assert reader_submits.status_code == 403, reader_submits.text
        assert (
            reader_submits.json["message"]
            == "You may not edit Leave request records, so you cannot submit them for approval."
        )
        assert state(site, tokens, "erin", LEAVE, record)["status"] is None
    finally:
        with app.app_context():
            fiona = app.appbuilder.sm.find_user(username="fiona")
            fiona.roles = [r for r in fiona.roles if r.name != "Leave reader"]
            app.appbuilder.sm.update_user(fiona)
    # nothing was locked: erin still edits and submits her own leave
    edited = client.put(f"/t/{SLUG}/api/v1/oa_leave_request/{record}", json={"reason": "mine"}, headers=tokens["erin"])
    assert edited.status_code == 200, edited.text
    assert call(site, tokens, "POST", "/submit", "erin", {"entity": LEAVE, "id": record}).status_code == 201


def test_submitting_bumps_the_records_version_so_an_edit_of_what_was_read_before_is_409(site, tokens) -> None:
    runtime, client = site
    record = leave(runtime, "erin", days=1)
    url = f"/t/{SLUG}/api/v1/oa_leave_request/{record}"
    read = client.get(url, headers=tokens["erin"]).json["result"]["version"]
    assert call(site, tokens, "POST", "/submit", "erin", {"entity": LEAVE, "id": record}).status_code == 201
    stale = client.put(url, json={"reason": "changed", "version": read}, headers=tokens["erin"])
    assert stale.status_code == 409 and stale.json["version"] == read + 1


def test_return_withdraw_urge_comment_and_resubmit(site, tokens) -> None:
    runtime, _ = site
    record = leave(runtime, "erin", days=1)
    instance = call(site, tokens, "POST", "/submit", "erin", {"entity": LEAVE, "id": record}).json["status"][
        "instance_id"
    ]
    urged = call(site, tokens, "POST", f"/requests/{instance}/urge", "erin", {"comment": "please"})
    assert urged.status_code == 200
    assert call(site, tokens, "POST", f"/requests/{instance}/urge", "mike", {}).status_code == 403
    assert (
        call(site, tokens, "POST", f"/requests/{instance}/comment", "mike", {"text": "which week?"}).status_code == 200
    )
    assert call(site, tokens, "POST", f"/requests/{instance}/withdraw", "erin", {}).status_code == 200
    assert record not in [i["record_id"] for i in todo(site, tokens, "mike")]
    assert call(site, tokens, "POST", f"/requests/{instance}/withdraw", "erin", {}).status_code == 409

    assert call(site, tokens, "POST", "/submit", "erin", {"entity": LEAVE, "id": record}).status_code == 201
    rejected = call(
        site, tokens, "POST", f"/tasks/{task_of(site, tokens, 'mike', record)}/reject", "mike", {"comment": "too busy"}
    )
    assert rejected.json["status"]["status"] == "returned"
    history = state(site, tokens, "erin", LEAVE, record)["rounds"]
    assert [r["round"] for r in history] == [1, 2]
    assert [e["action"] for e in history[0]["events"] if e["actor"]] == ["submit", "urge", "comment", "withdraw"]
    assert next(e for e in history[0]["events"] if e["action"] == "urge")["detail"] == {"recipients": ["mike"]}


def test_transfer_and_add_sign_refuse_unknown_people_and_steps(site, tokens) -> None:
    runtime, _ = site
    record = leave(runtime, "erin", days=1)
    call(site, tokens, "POST", "/submit", "erin", {"entity": LEAVE, "id": record})
    task = task_of(site, tokens, "mike", record)
    nobody = call(site, tokens, "POST", f"/tasks/{task}/add-approver", "mike", {"who": "nobody", "position": "before"})
    assert nobody.status_code == 400 and nobody.json["message"] == "'nobody' is not an active user"
    step = call(site, tokens, "POST", f"/tasks/{task}/return", "mike", {"step": "finance"})
    assert step.status_code == 400 and "'finance' is not an earlier step" in step.json["message"]
    assert state(site, tokens, "erin", LEAVE, record)["status"]["waiting_for"] == ["mike"]

    added = call(site, tokens, "POST", f"/tasks/{task}/add-approver", "mike", {"who": "dora", "position": "before"})
    assert added.status_code == 200 and added.json["status"]["waiting_for"] == ["dora"]
    dora_task = task_of(site, tokens, "dora", record)
    moved = call(site, tokens, "POST", f"/tasks/{dora_task}/transfer", "dora", {"to": "sam", "comment": "yours"})
    assert moved.status_code == 200 and moved.json["status"]["waiting_for"] == ["sam"]


def test_another_persons_task_is_not_found_and_changes_nothing(site, tokens) -> None:
    runtime, _ = site
    record = leave(runtime, "erin", days=1)
    call(site, tokens, "POST", "/submit", "erin", {"entity": LEAVE, "id": record})
    task = task_of(site, tokens, "mike", record)
    for user in ("erin", "dora"):
        response = call(site, tokens, "POST", f"/tasks/{task}/approve", user, {})
        assert (
            response.status_code == 404
            and response.json == call(site, tokens, "POST", "/tasks/999999/approve", user, {}).json
        )
    assert state(site, tokens, "erin", LEAVE, record)["status"]["waiting_for"] == ["mike"]


def test_only_ones_own_uploads_may_be_attached_once_as_they_were_uploaded(site, tokens) -> None:
    runtime, client = site
    mikes = stored_file(site, tokens)  # uploaded by mike
    record = leave(runtime, "erin", days=1)
    instance = call(site, tokens, "POST", "/submit", "erin", {"entity": LEAVE, "id": record}).json["status"][
        "instance_id"
    ]
    before = state(site, tokens, "erin", LEAVE, record)["rounds"]
    forged = {"key": mikes["key"], "name": "evil.html", "size": 1, "content_type": "text/html"}
    for reference in (forged, mikes):
        reused = call(
            site,
            tokens,
            "POST",
            f"/requests/{instance}/comment",
            "erin",
            {"text": "mine now", "attachments": [reference]},
        )
        assert (
            reused.status_code == 400
            and "upload the file first" in reused.json["message"]["attachments"]["0"]["key"][0]
        )
    assert state(site, tokens, "erin", LEAVE, record)["rounds"] == before
    browser = Client(client.application)
    login(browser, SLUG, "erin", PASSWORD)
    assert browser.get(f"/t/{SLUG}/oa_leave_request/approval/{record}/file/{mikes['key']}").status_code == 404

    # erin's own upload: what is recorded is what she uploaded, whatever the body says; and only once
    uploaded = client.post(
        f"{API}/files", data={"file": (io.BytesIO(b"%PDF-1.4 ticket"), "ticket.pdf")}, headers=tokens["erin"]
    )
    [hers] = uploaded.json["result"]
    assert (hers["name"], hers["content_type"]) == ("ticket.pdf", "application/pdf")
    lied = {"key": hers["key"], "name": "evil.html", "size": 1, "content_type": "text/html"}
    commented = call(
        site, tokens, "POST", f"/requests/{instance}/comment", "erin", {"text": "ticket", "attachments": [lied]}
    )
    assert commented.status_code == 200, commented.text
    assert commented.json["rounds"][-1]["events"][-1]["attachments"] == [hers]
    again = call(
        site,
        tokens,
        "POST",
        f"/requests/{instance}/comment",
        "erin",
        {"text": "again", "attachments": [{"key": hers["key"]}]},
    )
    assert again.status_code == 400
    download = browser.get(f"/t/{SLUG}/oa_leave_request/approval/{record}/file/{hers['key']}")
    assert download.status_code == 200 and download.headers["Content-Type"] == "application/pdf"


def test_bad_bodies_are_400_with_a_message_per_field(site, tokens) -> None:
    runtime, _ = site
    record = leave(runtime, "erin", days=1)
    bad = call(site, tokens, "POST", "/submit", "erin", {"entity": LEAVE, "id": "seven", "colour": "red"})
    assert bad.status_code == 400
    assert bad.json["message"] == {"id": ["Not a valid integer."], "colour": ["Unknown field."]}
    assert state(site, tokens, "erin", LEAVE, record)["status"] is None

    call(site, tokens, "POST", "/submit", "erin", {"entity": LEAVE, "id": record})
    task = task_of(site, tokens, "mike", record)
    wrong = call(
        site,
        tokens,
        "POST",
        f"/tasks/{task}/approve",
        "mike",
        {"comment": 5, "attachments": [{"key": "0123456789abcdef", "name": "x.pdf", "size": 1, "content_type": "a/b"}]},
    )
    assert wrong.status_code == 400 and wrong.json["message"] == {"comment": ["Not a valid string."]}
    missing = call(
        site,
        tokens,
        "POST",
        f"/tasks/{task}/approve",
        "mike",
        {"attachments": [{"key": "0123456789abcdef", "name": "x.pdf", "size": 1, "content_type": "a/b"}]},
    )
    assert (
        missing.status_code == 400 and "upload the file first" in missing.json["message"]["attachments"]["0"]["key"][0]
    )
    position = call(site, tokens, "POST", f"/tasks/{task}/add-approver", "mike", {"who": "dora", "position": "later"})
    assert position.status_code == 400 and "position" in position.json["message"]
    assert call(site, tokens, "GET", "/inbox/todo?page_size=1000", "mike").status_code == 400
    assert state(site, tokens, "erin", LEAVE, record)["status"]["waiting_for"] == ["mike"]


def test_delegations_are_listed_refused_in_a_circle_and_cancelled_by_their_owner(site, tokens) -> None:
    backwards = call(
        site, tokens, "POST", "/delegations", "mike", {"to": "sam", "starts_on": "2031-02-10", "ends_on": "2031-02-01"}
    )
    assert backwards.status_code == 400 and backwards.json["message"] == {
        "ends_on": ["The delegation ends before it starts."]
    }
    made = call(
        site, tokens, "POST", "/delegations", "mike", {"to": "dora", "starts_on": "2031-02-01", "ends_on": "2031-02-10"}
    )
    assert made.status_code == 201
    circle = call(
        site, tokens, "POST", "/delegations", "dora", {"to": "mike", "starts_on": "2031-02-05", "ends_on": "2031-02-06"}
    )
    assert (
        circle.status_code == 400
        and circle.json["message"] == "this delegation would make a circle: dora → mike → dora"
    )
    listed = call(site, tokens, "GET", "/delegations", "mike").json["result"]
    assert listed == [{"id": made.json["id"], "to": "dora", "starts_on": "2031-02-01", "ends_on": "2031-02-10"}]
    assert call(site, tokens, "DELETE", f"/delegations/{made.json['id']}", "dora").status_code == 404
    assert call(site, tokens, "DELETE", f"/delegations/{made.json['id']}", "mike").status_code == 200
    assert call(site, tokens, "GET", "/delegations", "mike").json["result"] == []


def test_every_route_needs_the_right_and_pack_roles_have_it(site, tokens) -> None:
    _, client = site
    assert client.get(f"{API}/inbox/todo").status_code == 401
    assert call(site, tokens, "GET", "/inbox/todo", "sam").status_code == 403  # no role
    assert call(site, tokens, "GET", "/inbox/todo", "fiona").status_code == 200  # the oa pack's finance role
    # finance may not read leave requests: their approval does not exist for her
    assert call(site, tokens, "GET", f"/records/{LEAVE}/1", "fiona").status_code == 404
    browser = Client(client.application)
    login(browser, SLUG, "erin")
    assert browser.get(f"{API}/inbox/todo").status_code == 401  # a session cookie is not enough: JWTs only


def test_openapi_lists_the_routes_and_body_schemas(site, tokens) -> None:
    _, client = site
    spec = client.get(f"/t/{SLUG}/api/v1/_openapi", headers=tokens["erin"]).json
    for path in (
        "/inbox/{box}",
        "/tasks/{task_id}/approve",
        "/tasks/{task_id}/add-approver",
        "/submit",
        "/requests/{instance_id}/withdraw",
        "/records/{entity}/{record_id}",
        "/delegations",
        "/delegations/{delegation_id}",
    ):
        assert f"/api/v1/approvals{path}" in spec["paths"], sorted(spec["paths"])
    assert {"SubmitSchema", "DecisionSchema", "AddApproverSchema", "DelegationSchema"} <= set(
        spec["components"]["schemas"]
    )
    body = spec["paths"]["/api/v1/approvals/submit"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert body == {"$ref": "#/components/schemas/SubmitSchema"}


# -- the record lock ----------------------------------------------------------------------
def submitted_trip(site, tokens) -> int:
    runtime, _ = site
    trip = new_record(runtime, "trips.trip", "erin", purpose="Fair in Hamburg", amount="1500.00", note="")
    assert call(site, tokens, "POST", "/submit", "erin", {"entity": "trips.trip", "id": trip}).status_code == 201
    return trip


def trip(site, tokens, record: int) -> dict:
    _, client = site
    return client.get(f"{TRIPS}{record}", headers=tokens["erin"]).json["result"]


def test_a_trip_in_approval_refuses_api_edits_except_the_note_for_the_manager(site, tokens) -> None:
    _, client = site
    record = submitted_trip(site, tokens)
    refused = client.put(f"{TRIPS}{record}", json={"purpose": "Fair in Paris", "note": "x"}, headers=tokens["erin"])
    assert refused.status_code == 400
    assert refused.json["message"] == {"purpose": ["Locked while in approval."], "note": ["Locked while in approval."]}
    by_manager = client.put(f"{TRIPS}{record}", json={"amount": "9.00"}, headers=tokens["mike"])
    assert by_manager.status_code == 400 and by_manager.json["message"] == {"amount": ["Locked while in approval."]}
    assert trip(site, tokens, record)["purpose"] == "Fair in Hamburg"
    allowed = client.put(f"{TRIPS}{record}", json={"note": "train, not plane"}, headers=tokens["mike"])
    assert allowed.status_code == 200, allowed.text
    assert trip(site, tokens, record)["note"] == "train, not plane"


def test_a_trip_in_approval_refuses_screen_edits_except_the_note_for_the_manager(site, tokens) -> None:
    record = submitted_trip(site, tokens)
    page = f"/t/{SLUG}/trips_trip/edit/{record}"

    def post(user: str, **changes: str):
        browser = Client(site[1].application)
        login(browser, SLUG, user, PASSWORD)
        form = browser.get(page)
        data = {
            "csrf_token": csrf_token(form.text),
            "record_version": str(trip(site, tokens, record)["version"]),
            "purpose": "Fair in Hamburg",
            "amount": "1500.00",
            "note": "",
            **changes,
        }
        return browser.post(page, data=data, follow_redirects=True)

    refused = post("erin", purpose="Fair in Paris")
    assert "Locked while in approval." in refused.text
    assert "Locked while in approval." in post("mike", amount="9.00").text
    assert (
        trip(site, tokens, record)["purpose"] == "Fair in Hamburg" and trip(site, tokens, record)["amount"] == "1500.00"
    )
    saved = post("mike", note="hotel near the fair")
    assert "Locked while in approval." not in saved.text
    assert trip(site, tokens, record)["note"] == "hotel near the fair"


def test_deleting_is_refused_while_in_approval_and_allowed_after_the_end(site, tokens) -> None:
    _, client = site
    record = submitted_trip(site, tokens)
    refused = client.delete(f"{TRIPS}{record}", headers=tokens["erin"])
    assert refused.status_code == 409 and "in approval" in refused.json["message"]
    browser = Client(client.application)
    login(browser, SLUG, "erin")
    show = browser.get(f"/t/{SLUG}/trips_trip/show/{record}")
    screen = browser.post(
        f"/t/{SLUG}/trips_trip/delete/{record}", data={"csrf_token": csrf_token(show.text)}, follow_redirects=True
    )
    assert "in approval" in screen.text
    assert client.get(f"{TRIPS}{record}", headers=tokens["erin"]).status_code == 200

    call(site, tokens, "POST", f"/tasks/{task_of(site, tokens, 'mike', record, 'trips.trip')}/reject", "mike", {})
    assert client.delete(f"{TRIPS}{record}", headers=tokens["erin"]).status_code == 200  # a rejection locks nothing
    assert call(site, tokens, "GET", f"/records/trips.trip/{record}", "erin").json["status"] is None


def test_the_lines_of_an_expense_claim_in_approval_are_locked_too(site, tokens) -> None:
    runtime, client = site
    claim = new_record(runtime, "oa.expense_claim", employee_id=employee_id(runtime, "erin"), title="fair")
    line = new_record(
        runtime, "oa.expense_line", claim_id=claim, spent_on=date(2030, 1, 2), category="travel", amount="80.00"
    )
    instance = call(site, tokens, "POST", "/submit", "erin", {"entity": "oa.expense_claim", "id": claim}).json[
        "status"
    ]["instance_id"]
    lines, auth = f"/t/{SLUG}/api/v1/oa_expense_line/", tokens["erin"]
    changed = client.put(f"{lines}{line}", json={"amount": "8000.00"}, headers=auth)
    assert changed.status_code == 400 and changed.json["message"] == {"claim": ["Locked while in approval."]}
    added = client.post(
        lines, json={"claim": claim, "spent_on": "2030-01-03", "category": "travel", "amount": "5.00"}, headers=auth
    )
    assert added.status_code == 400 and added.json["message"] == {"claim": ["Locked while in approval."]}
    removed = client.delete(f"{lines}{line}", headers=auth)
    assert removed.status_code == 409 and "in approval" in removed.json["message"]
    assert client.get(f"{lines}{line}", headers=auth).json["result"]["amount"] == "80.00"

    call(site, tokens, "POST", f"/requests/{instance}/withdraw", "erin", {})
    assert client.put(f"{lines}{line}", json={"amount": "90.00"}, headers=auth).status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        "/tasks/99999999999999999999/approve",
        "/requests/99999999999999999999/withdraw",
        "/requests/99999999999999999999/comment",
    ],
)
def test_ids_too_large_to_store_name_nothing(site, tokens, path: str) -> None:
    answer = call(site, tokens, "post", path, "mike", {"comment": "x"})
    assert answer.status_code == 404, answer.text

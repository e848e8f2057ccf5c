"""Record history, comments with @mentions and the record timeline, as people and API clients see them."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from werkzeug.test import Client

from conftest import Platform, csrf_token, jwt, login
from formwork.history.recording import HistoryIsAppendOnly
from formwork.history.tables import CHANGES, COMMENTS
from formwork.notify.tables import FOLLOWERS, NOTIFICATIONS
from formwork.tenancy import lifecycle
from formwork.workflow.engine import Approvals
from workflow_org import company, employee_id, leave

SLUG = "hist"
OTHER = "hist-other"
ACCOUNT = "crm.account"


@pytest.fixture(scope="module")
def runtime(platform: Platform) -> Any:
    runtime = company(platform, platform.catalog, SLUG, ["core", "crm", "oa"])
    session = runtime.session()
    session.execute(sa.text("UPDATE ab_user SET active = :no WHERE username = 'gone'"), {"no": False})
    session.commit()
    runtime.session.remove()
    apps = platform.app.tenant_apps
    with apps.get(apps.tenant(SLUG)).app_context():  # dora runs the company: she may see (be told of) every record
        sm = apps.get(apps.tenant(SLUG)).appbuilder.sm
        dora = sm.find_user(username="dora")
        dora.roles = [sm.find_role(sm.auth_role_admin)]
        sm.update_user(dora)
    return runtime


@pytest.fixture(scope="module")
def admin(platform: Platform, runtime: Any) -> Client:
    client = platform.client()
    assert login(client, SLUG).status_code == 302
    return client


@pytest.fixture(scope="module")
def token(platform: Platform, runtime: Any) -> dict[str, str]:
    return jwt(platform.client(), SLUG)


def rows(runtime: Any, table: sa.Table, **where: Any) -> list[Any]:
    session = runtime.session()
    try:
        query = sa.select(table).where(*(table.c[name] == value for name, value in where.items())).order_by(table.c.id)
        return session.execute(query).all()
    finally:
        runtime.session.remove()


def add_account(client: Client, runtime: Any, **fields: str) -> int:
    """An account added on the add screen; returns its id."""
    page = client.get(f"/t/{SLUG}/crm_account/add")
    done = client.post(f"/t/{SLUG}/crm_account/add", data={"csrf_token": csrf_token(page.text), **fields})
    assert done.status_code == 302, done.text
    model, session = runtime.compiled.model(ACCOUNT), runtime.session()
    try:
        return session.execute(sa.select(model.id).where(model.name == fields["name"])).scalar_one()
    finally:
        runtime.session.remove()


def follow(runtime: Any, username: str, pk: int) -> None:
    session = runtime.session()
    session.execute(
        FOLLOWERS.insert().values(username=username, entity=ACCOUNT, record_id=pk, created_at=datetime.now())
    )
    session.commit()
    runtime.session.remove()


def timeline(html: str) -> str:
    return html[html.index('id="fw-timeline"') :]


# -- recording ---------------------------------------------------------------------------------------
def test_a_screen_create_and_edit_are_recorded_with_old_and_new_values(admin: Client, runtime: Any) -> None:
    pk = add_account(admin, runtime, name="Harbour Logistics", city="Xiamen", industry="retail")
    created = rows(runtime, CHANGES, entity=ACCOUNT, record_id=pk)
    assert [c.action for c in created] == ["create"] and created[0].actor == "admin"
    assert created[0].changes["city"] == {"old": None, "new": "Xiamen"}
    assert "version" not in created[0].changes and "updated_at" not in created[0].changes

    page = admin.get(f"/t/{SLUG}/crm_account/edit/{pk}")
    saved = admin.post(
        f"/t/{SLUG}/crm_account/edit/{pk}",
        data={
            "csrf_token": csrf_token(page.text),
            "record_version": "1",
            "name": "Harbour Logistics",
            "city": "Fuzhou",
            "industry": "retail",
        },
    )
    assert saved.status_code == 302
    changes = rows(runtime, CHANGES, entity=ACCOUNT, record_id=pk)
    assert [c.action for c in changes] == ["create", "update"]
    assert changes[1].changes == {"city": {"old": "Xiamen", "new": "Fuzhou"}}

    shown = timeline(admin.get(f"/t/{SLUG}/crm_account/show/{pk}").text)
    assert "City" in shown and "Xiamen" in shown and "Fuzhou" in shown and "Changed" in shown


def test_saving_without_a_change_records_nothing(admin: Client, runtime: Any) -> None:
    pk = add_account(admin, runtime, name="Quiet Traders", city="Ningbo")
    page = admin.get(f"/t/{SLUG}/crm_account/edit/{pk}")
    admin.post(
        f"/t/{SLUG}/crm_account/edit/{pk}",
        data={"csrf_token": csrf_token(page.text), "record_version": "1", "name": "Quiet Traders", "city": "Ningbo"},
    )
    assert [c.action for c in rows(runtime, CHANGES, entity=ACCOUNT, record_id=pk)] == ["create"]


def test_api_writes_are_recorded_with_json_safe_values(platform: Platform, runtime: Any, token: dict[str, str]) -> None:
    client = platform.client()
    owner = employee_id(runtime, "dora")
    made = client.post(
        f"/t/{SLUG}/api/v1/crm_account/",
        headers=token,
        json={"name": "Delta Foods", "annual_revenue": "1200.50", "owner": owner},
    )
    assert made.status_code == 201, made.text
    pk = made.json["id"]
    follow(runtime, "dora", pk)
    client.put(
        f"/t/{SLUG}/api/v1/crm_account/{pk}",
        headers=token,
        json={"annual_revenue": "1300.00", "owner": employee_id(runtime, "mike")},
    )
    client.put(f"/t/{SLUG}/api/v1/crm_account/{pk}", headers=token, json={"annual_revenue": "1300.00"})  # no change
    assert client.delete(f"/t/{SLUG}/api/v1/crm_account/{pk}", headers=token).status_code == 200

    create, update, delete = rows(runtime, CHANGES, entity=ACCOUNT, record_id=pk)
    assert create.changes["owner"] == {"old": None, "new": {"id": owner, "title": "Dora"}}
    assert update.changes == {
        "annual_revenue": {"old": "1200.50", "new": "1300.00"},
        "owner": {"old": {"id": owner, "title": "Dora"}, "new": {"id": employee_id(runtime, "mike"), "title": "Mike"}},
    }
    assert delete.action == "delete" and delete.changes["name"] == {"old": "Delta Foods", "new": None}
    assert {create.actor, update.actor, delete.actor} == {"admin"}
    [told] = rows(runtime, NOTIFICATIONS, entity=ACCOUNT, record_id=pk, event="followed_changed")
    assert told.recipient == "dora" and "1200.50 → 1300.00" in told.data["changes"]


def test_values_of_every_kind_are_stored_as_json(platform: Platform) -> None:
    platform.tenant("hist-lab", packs=["core", "lab"])
    client = platform.client()
    token = jwt(client, "hist-lab")
    ann = client.post("/t/hist-lab/api/v1/core_employee/", headers=token, json={"name": "Ann"}).json["id"]
    made = client.post(
        "/t/hist-lab/api/v1/lab_specimen/",
        headers=token,
        json={
            "code": "AB-123",
            "weight": "1.250",
            "day": "2030-01-02",
            "moment": "2030-01-02T03:04:05",
            "flags": ["a"],
            "team": [ann],
            "assignee": 1,
            "colour": "red",
            "active": True,
        },
    )
    assert made.status_code == 201, made.text
    pk = made.json["id"]
    client.put(
        f"/t/hist-lab/api/v1/lab_specimen/{pk}", headers=token, json={"weight": "2", "team": [], "colour": "blue"}
    )
    history = client.get(f"/t/hist-lab/api/v1/records/lab_specimen/{pk}/history", headers=token).json["result"]
    update, create = history[0]["changes"], history[1]["changes"]
    assert {
        name: create[name]["new"] for name in ("weight", "day", "moment", "flags", "team", "assignee", "active")
    } == {
        "weight": "1.250",
        "day": "2030-01-02",
        "moment": "2030-01-02T03:04:05",
        "flags": ["a"],
        "team": [{"id": ann, "title": "Ann"}],
        "assignee": {"id": 1, "title": "admin"},
        "active": True,
    }
    assert create["number"]["new"].startswith("SP-")  # filled on flush, recorded all the same
    assert update == {
        "weight": {"old": "1.250", "new": "2.000"},
        "colour": {"old": "red", "new": "blue"},
        "team": {"old": [{"id": ann, "title": "Ann"}], "new": []},
    }


def test_child_table_rows_are_in_the_parents_history(runtime: Any) -> None:
    session = runtime.session()
    claim_model, line_model = runtime.compiled.model("oa.expense_claim"), runtime.compiled.model("oa.expense_line")
    claim = claim_model(employee_id=employee_id(runtime, "erin"), title="Trip")
    claim.lines = [line_model(spent_on=date(2030, 1, 2), category="travel", amount=Decimal("80.00"))]
    session.add(claim)
    session.commit()
    claim_id, line_id = claim.id, claim.lines[0].id
    claim.lines = []  # the row is deleted as an orphan
    session.commit()
    runtime.session.remove()
    lines = rows(runtime, CHANGES, entity="oa.expense_line", record_id=line_id)
    assert [(r.action, r.parent_entity, r.parent_id, r.actor) for r in lines] == [
        ("create", "oa.expense_claim", claim_id, None),
        ("delete", "oa.expense_claim", claim_id, None),
    ]
    assert lines[0].changes["amount"] == {"old": None, "new": "80.00"}


# -- the timeline ------------------------------------------------------------------------------------------
def test_the_timeline_mixes_changes_comments_and_approval_events(admin: Client, runtime: Any) -> None:
    record = leave(runtime)
    Approvals(runtime).submit("oa.leave_request", record, "erin", comment="family trip")
    page = admin.get(f"/t/{SLUG}/oa_leave_request/show/{record}")
    posted = admin.post(
        f"/t/{SLUG}/oa_leave_request/comment/{record}",
        follow_redirects=True,
        data={"csrf_token": csrf_token(page.text), "body": "Looks fine <b>to me</b>, @dora."},
    )
    assert "Comment added." in posted.text
    shown = timeline(admin.get(f"/t/{SLUG}/oa_leave_request/show/{record}").text)
    kinds = re.findall(r'data-kind="(\w+)" data-action="(\w+)"', shown)
    assert kinds[0] == ("comment", "comment")  # newest first
    assert ("approval", "submit") in kinds and ("change", "create") in kinds
    assert "Looks fine &lt;b&gt;to me&lt;/b&gt;, @dora." in shown and "<b>to me</b>" not in shown
    assert "family trip" in shown and "Submitted" in shown


def test_the_timeline_speaks_the_users_language(admin: Client, runtime: Any) -> None:
    pk = add_account(admin, runtime, name="Lingua Co", city="Hangzhou")
    admin.get(f"/t/{SLUG}/lang/zh")
    try:
        shown = timeline(admin.get(f"/t/{SLUG}/crm_account/show/{pk}").text)
        assert "创建" in shown and "城市" in shown and "动态" in shown
    finally:
        admin.get(f"/t/{SLUG}/lang/en")


# -- comments and mentions --------------------------------------------------------------------------------
def test_a_mention_of_an_unknown_user_is_refused_and_nothing_is_stored(
    platform: Platform, admin: Client, runtime: Any, token: dict[str, str]
) -> None:
    pk = add_account(admin, runtime, name="Mention Refusals")
    answer = platform.client().post(
        f"/t/{SLUG}/api/v1/records/crm_account/{pk}/comments", headers=token, json={"body": "ask @nobody and @gone"}
    )
    assert answer.status_code == 400
    assert answer.json["message"]["body"] == ["No active user is called @nobody, @gone."]
    page = admin.get(f"/t/{SLUG}/crm_account/show/{pk}")
    flashed = admin.post(
        f"/t/{SLUG}/crm_account/comment/{pk}",
        follow_redirects=True,
        data={"csrf_token": csrf_token(page.text), "body": "hello @nobody"},
    )
    assert "No active user is called @nobody." in flashed.text
    assert rows(runtime, COMMENTS, entity=ACCOUNT, record_id=pk) == []
    empty = platform.client().post(
        f"/t/{SLUG}/api/v1/records/crm_account/{pk}/comments", headers=token, json={"body": ""}
    )
    assert empty.status_code == 400 and "body" in empty.json["message"]


def test_a_mention_of_a_known_user_stores_the_comment_and_notifies_them(
    platform: Platform, admin: Client, runtime: Any, token: dict[str, str]
) -> None:
    pk = add_account(admin, runtime, name="Mention Works")
    client = platform.client()
    answer = client.post(
        f"/t/{SLUG}/api/v1/records/crm_account/{pk}/comments",
        headers=token,
        json={"body": "@dora please call them (cc @admin.)"},
    )
    assert answer.status_code == 201, answer.text
    [stored] = rows(runtime, COMMENTS, entity=ACCOUNT, record_id=pk)
    assert stored.author == "admin" and stored.mentions == ["dora", "admin"]
    told = rows(runtime, NOTIFICATIONS, entity=ACCOUNT, record_id=pk, event="mentioned")
    assert [n.recipient for n in told] == ["dora"]  # never told of one's own comment
    listed = client.get(f"/t/{SLUG}/api/v1/records/crm_account/{pk}/comments", headers=token)
    assert listed.json["count"] == 1 and listed.json["result"][0]["body"] == "@dora please call them (cc @admin.)"


def test_a_mention_of_someone_who_may_not_read_the_record_is_refused(
    platform: Platform, admin: Client, runtime: Any, token: dict[str, str]
) -> None:
    pk = add_account(admin, runtime, name="Mention Blind")
    answer = platform.client().post(
        f"/t/{SLUG}/api/v1/records/crm_account/{pk}/comments", headers=token, json={"body": "@mike look at this"}
    )  # mike has no right on accounts
    assert answer.status_code == 400 and answer.json["message"] == {"body": ["@mike cannot see this record."]}
    page = admin.get(f"/t/{SLUG}/crm_account/show/{pk}")
    flashed = admin.post(
        f"/t/{SLUG}/crm_account/comment/{pk}",
        follow_redirects=True,
        data={"csrf_token": csrf_token(page.text), "body": "@dora and @mike"},
    )
    assert "@mike cannot see this record." in flashed.text
    assert rows(runtime, COMMENTS, entity=ACCOUNT, record_id=pk) == []
    assert rows(runtime, NOTIFICATIONS, entity=ACCOUNT, record_id=pk) == []


def test_the_comment_box_suggests_active_people(admin: Client, runtime: Any) -> None:
    pk = add_account(admin, runtime, name="Suggestions")
    assert "mention-people" in admin.get(f"/t/{SLUG}/crm_account/show/{pk}").text
    assert admin.get(f"/t/{SLUG}/crm_account/mention-people?q=do").json == {"people": ["dora"]}
    assert admin.get(f"/t/{SLUG}/crm_account/mention-people?q=go").json == {"people": []}


# -- the API ---------------------------------------------------------------------------------------------
def test_the_history_api_pages_and_filters(platform: Platform, runtime: Any, token: dict[str, str]) -> None:
    client = platform.client()
    pk = client.post(f"/t/{SLUG}/api/v1/crm_account/", headers=token, json={"name": "Filter Co", "city": "A"}).json[
        "id"
    ]
    for city in ("B", "C"):
        client.put(f"/t/{SLUG}/api/v1/crm_account/{pk}", headers=token, json={"city": city})
    client.put(f"/t/{SLUG}/api/v1/crm_account/{pk}", headers=token, json={"employees": 12})
    url = f"/t/{SLUG}/api/v1/records/crm_account/{pk}/history"
    everything = client.get(url, headers=token).json
    assert everything["count"] == 4 and [r["action"] for r in everything["result"]] == [
        "update",
        "update",
        "update",
        "create",
    ]
    assert everything["result"][0]["changes"] == {"employees": {"old": None, "new": 12}}
    cities = client.get(url, headers=token, query_string={"field": "city", "action": "update"}).json
    assert [r["changes"]["city"]["new"] for r in cities["result"]] == ["C", "B"]
    paged = client.get(url, headers=token, query_string={"page": 1, "page_size": 3}).json
    assert paged["count"] == 4 and [r["action"] for r in paged["result"]] == ["create"]
    assert client.get(url, headers=token, query_string={"actor": "dora"}).json["count"] == 0
    assert client.get(url, headers=token, query_string={"since": "2999-01-01T00:00:00"}).json["count"] == 0
    bad = client.get(url, headers=token, query_string={"action": "rename", "page_size": 0})
    assert bad.status_code == 400 and set(bad.json["message"]) == {"action", "page_size"}
    assert "/api/v1/records/{table}/{pk}/history" in client.get(f"/t/{SLUG}/api/v1/_openapi", headers=token).text


def test_the_history_api_reads_a_long_history_only_up_to_a_capped_count(
    platform: Platform, runtime: Any, token: dict[str, str], monkeypatch
) -> None:
    monkeypatch.setattr("formwork.history.api.COUNT_AHEAD", 2)  # counting stops 2 past the page (1000 in production)
    client = platform.client()
    pk = client.post(f"/t/{SLUG}/api/v1/crm_account/", headers=token, json={"name": "Long Story", "employees": 0}).json[
        "id"
    ]
    for n in range(1, 8):
        client.put(f"/t/{SLUG}/api/v1/crm_account/{pk}", headers=token, json={"employees": n})
    url = f"/t/{SLUG}/api/v1/records/crm_account/{pk}/history"
    first = client.get(url, headers=token, query_string={"page_size": 3}).json
    assert first["count"] == 5 and [r["changes"]["employees"]["new"] for r in first["result"]] == [7, 6, 5]
    last = client.get(url, headers=token, query_string={"page": 2, "page_size": 3}).json
    assert last["count"] == 8 and [r["action"] for r in last["result"]] == ["update", "create"]


def test_ids_and_times_out_of_range_are_refused_not_a_server_error(
    platform: Platform, runtime: Any, token: dict[str, str]
) -> None:
    client = platform.client()
    pk = client.post(f"/t/{SLUG}/api/v1/crm_account/", headers=token, json={"name": "Range Co"}).json["id"]
    since = client.get(
        f"/t/{SLUG}/api/v1/records/crm_account/{pk}/history",
        headers=token,
        query_string={"since": "0001-01-01T00:00:00+05:00"},
    )
    assert since.status_code == 400 and since.json["message"] == {"since": ["Not a time that can be stored."]}
    huge = "99999999999999999999"
    for path in (
        f"{huge}/history",
        f"{huge}/comments",
        f"{huge}/attachments",
        f"{pk}/attachments/{huge}/versions",
        f"{huge}/files/logo/versions",
    ):
        # a URL number too large for a key matches no route; werkzeug says 405 where a route of another method
        # has the same shape (POST …/comments), as it does before checking the number's range
        assert client.get(f"/t/{SLUG}/api/v1/records/crm_account/{path}", headers=token).status_code in (404, 405), path
    assert (
        client.post(
            f"/t/{SLUG}/api/v1/records/crm_account/{huge}/comments", headers=token, json={"body": "hi"}
        ).status_code
        == 404
    )


def test_without_the_read_right_or_from_another_tenant_there_is_nothing(
    platform: Platform, admin: Client, runtime: Any, token: dict[str, str]
) -> None:
    pk = add_account(admin, runtime, name="Private Co")
    client = platform.client()
    mike = jwt(client, SLUG, "mike")  # no right on accounts
    for path in ("history", "comments"):
        assert client.get(f"/t/{SLUG}/api/v1/records/crm_account/{pk}/{path}", headers=mike).status_code == 404
    assert (
        client.post(
            f"/t/{SLUG}/api/v1/records/crm_account/{pk}/comments", headers=mike, json={"body": "hi"}
        ).status_code
        == 404
    )
    assert client.get(f"/t/{SLUG}/api/v1/records/crm_account/{pk}/history").status_code == 401
    assert client.get(f"/t/{SLUG}/api/v1/records/no_such_table/{pk}/history", headers=token).status_code == 404
    assert client.get(f"/t/{SLUG}/api/v1/records/crm_account/999999/history", headers=token).status_code == 404

    browser = platform.client()
    login(browser, SLUG, "mike")
    page = admin.get(f"/t/{SLUG}/crm_account/show/{pk}")
    browser.post(f"/t/{SLUG}/crm_account/comment/{pk}", data={"csrf_token": csrf_token(page.text), "body": "sneaky"})
    assert rows(runtime, COMMENTS, entity=ACCOUNT, record_id=pk) == []

    platform.tenant(OTHER, packs=["crm"])
    other = jwt(client, OTHER)
    made = client.post(f"/t/{OTHER}/api/v1/crm_account/", headers=other, json={"name": "Elsewhere"}).json["id"]
    seen = client.get(f"/t/{OTHER}/api/v1/records/crm_account/{made}/history", headers=other).json
    assert [(r["action"], r["changes"]["name"]["new"]) for r in seen["result"]] == [("create", "Elsewhere")]
    only_here = add_account(admin, runtime, name="Private Co 2")  # an id the other tenant has no record with
    assert client.get(f"/t/{OTHER}/api/v1/records/crm_account/{only_here}/history", headers=other).status_code == 404
    crossed = client.get(f"/t/{SLUG}/api/v1/records/crm_account/{pk}/history", headers=other)
    assert crossed.status_code == 401 and "result" not in crossed.json  # the other tenant's token is not valid here


def test_fields_hidden_from_a_role_stay_hidden_in_the_history(platform: Platform, runtime: Any) -> None:
    apps = platform.app.tenant_apps
    app = apps.get(apps.tenant(SLUG))
    with app.app_context():  # sam becomes an oa "employee", whose role hides colleagues' phone numbers
        sm = app.appbuilder.sm
        sam = sm.find_user(username="sam")
        sam.roles = [sm.find_role("employee")]
        sm.update_user(sam)
    session = runtime.session()
    dora = session.get(runtime.compiled.model("core.employee"), employee_id(runtime, "dora"))
    dora.phone = "555-0100"
    session.commit()
    dora.phone, dora.job_title = "555-0199", "Head of Sales"
    session.commit()
    runtime.session.remove()

    client = platform.client()
    history = client.get(
        f"/t/{SLUG}/api/v1/records/core_employee/{employee_id(runtime, 'dora')}/history",
        headers=jwt(client, SLUG, "sam"),
    )
    assert history.status_code == 200
    assert [r["changes"] for r in history.json["result"] if r["action"] == "update"] == [
        {"job_title": {"old": None, "new": "Head of Sales"}}
    ]
    [changed, _set] = [
        r.changes
        for r in rows(runtime, CHANGES, entity="core.employee", record_id=employee_id(runtime, "dora"))
        if r.action == "update"
    ][::-1]
    assert changed["phone"] == {"old": "555-0100", "new": "555-0199"}  # set after a commit, without reading it first
    assert "555-01" not in history.text
    assert (
        client.get(
            f"/t/{SLUG}/api/v1/records/core_employee/{employee_id(runtime, 'dora')}/history",
            headers=jwt(client, SLUG, "sam"),
            query_string={"field": "phone"},
        ).json["count"]
        == 0
    )
    browser = platform.client()
    login(browser, SLUG, "sam")
    shown = timeline(browser.get(f"/t/{SLUG}/core_employee/show/{employee_id(runtime, 'dora')}").text)
    assert "Head of Sales" in shown and "555-01" not in shown


def test_records_outside_the_users_record_rules_have_no_history_for_them(
    platform: Platform, admin: Client, runtime: Any
) -> None:
    apps = platform.app.tenant_apps
    app = apps.get(apps.tenant(SLUG))
    with app.app_context():  # erin becomes a sales rep: she reads the accounts she created or owns
        sm = app.appbuilder.sm
        erin = sm.find_user(username="erin")
        erin.roles = [sm.find_role("sales_rep")]
        sm.update_user(erin)
    others = add_account(admin, runtime, name="Someone Else's Co")
    client = platform.client()
    erin_token = jwt(client, SLUG, "erin")
    hers = client.post(f"/t/{SLUG}/api/v1/crm_account/", headers=erin_token, json={"name": "Erin's Co"}).json["id"]
    assert client.get(f"/t/{SLUG}/api/v1/records/crm_account/{hers}/history", headers=erin_token).json["count"] == 1
    assert client.get(f"/t/{SLUG}/api/v1/records/crm_account/{others}/history", headers=erin_token).status_code == 404
    assert (
        client.post(
            f"/t/{SLUG}/api/v1/records/crm_account/{others}/comments", headers=erin_token, json={"body": "hello"}
        ).status_code
        == 404
    )
    browser = platform.client()
    login(browser, SLUG, "erin")
    page = browser.get(f"/t/{SLUG}/crm_account/show/{hers}")
    assert (
        browser.post(
            f"/t/{SLUG}/crm_account/comment/{others}", data={"csrf_token": csrf_token(page.text), "body": "hello"}
        ).status_code
        == 404
    )
    assert rows(runtime, COMMENTS, entity=ACCOUNT, record_id=others) == []


# -- append-only ------------------------------------------------------------------------------------------
def test_history_cannot_be_changed_or_deleted(admin: Client, runtime: Any) -> None:
    pk = add_account(admin, runtime, name="Immutable Co")
    session = runtime.session()
    try:
        with pytest.raises(HistoryIsAppendOnly):
            session.execute(sa.update(CHANGES).where(CHANGES.c.record_id == pk).values(actor="mallory"))
        with pytest.raises(HistoryIsAppendOnly):
            session.execute(sa.delete(CHANGES).where(CHANGES.c.record_id == pk))
    finally:
        session.rollback()
        runtime.session.remove()
    engine = runtime.session().get_bind()
    runtime.session.remove()
    for statement in ("UPDATE formwork_record_change SET actor = 'mallory'", "DELETE FROM formwork_record_change"):
        with pytest.raises(sa.exc.DBAPIError, match="append-only"), engine.begin() as connection:
            connection.execute(sa.text(statement))
    assert rows(runtime, CHANGES, entity=ACCOUNT, record_id=pk)[0].actor == "admin"


def test_a_tenant_with_history_can_still_be_deleted(platform: Platform, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(lifecycle, "IN_FLIGHT_SECONDS", 0)
    platform.tenant("hist-doomed", packs=["crm"])
    client = platform.client()
    token = jwt(client, "hist-doomed")
    pk = client.post("/t/hist-doomed/api/v1/crm_account/", headers=token, json={"name": "Doomed"}).json["id"]
    client.put(f"/t/hist-doomed/api/v1/crm_account/{pk}", headers=token, json={"city": "Nowhere"})
    assert lifecycle.delete_tenant(platform.settings, "hist-doomed", tmp_path) is not None

"""Expressions at work: defaults, formulas, field conditions, validation rules and locks — on the API and on forms."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from conftest import Platform, csrf_token, jwt, login

LEAVES = "/t/acme/api/v1/oa_leave_request/"
DEALS = "/t/acme/api/v1/crm_opportunity/"


@pytest.fixture(scope="module")
def acme(platform: Platform):
    platform.tenant("acme")
    client = platform.client()
    auth = jwt(client, "acme")
    employee = client.post(
        "/t/acme/api/v1/core_employee/", json={"name": "Wang Fang", "login": "admin"}, headers=auth
    ).json["id"]
    account = client.post("/t/acme/api/v1/crm_account/", json={"name": "Blue Retail"}, headers=auth).json["id"]
    browser = platform.client()
    login(browser, "acme")
    return client, auth, browser, employee, account


def leave(employee: int, **changes) -> dict:
    today = date.today()
    return {
        "employee": employee,
        "leave_type": "annual",
        "start_date": str(today + timedelta(days=3)),
        "end_date": str(today + timedelta(days=4)),
        "days": "2",
        "reason": "Family",
        **changes,
    }


def test_validation_rule_message_is_on_its_field(acme) -> None:
    client, auth, _, employee, _ = acme
    response = client.post(LEAVES, json=leave(employee, end_date=str(date.today())), headers=auth)
    assert response.status_code == 400
    assert response.json["message"]["end_date"] == ["The leave cannot end before it starts."]
    assert client.post(LEAVES, json=leave(employee, days="9"), headers=auth).json["message"]["days"] == [
        "More days than the dates allow."
    ]


def test_required_when_and_a_hidden_field_is_never_required(acme) -> None:
    client, auth, _, employee, _ = acme
    today = date.today()
    sick = leave(employee, leave_type="sick", end_date=str(today + timedelta(days=6)), days="3")
    refused = client.post(LEAVES, json=sick, headers=auth)
    assert refused.status_code == 400 and refused.json["message"]["certificate"] == ["This field is required."]
    assert client.post(LEAVES, json={**sick, "certificate": "MC-1"}, headers=auth).status_code == 201
    assert (
        client.post(LEAVES, json=leave(employee, days="2"), headers=auth).status_code == 201
    )  # annual: no certificate


def test_expression_default_and_auto_number(acme) -> None:
    client, auth, _, employee, _ = acme
    body = leave(employee)
    body.pop("start_date")
    body["end_date"] = str(date.today() + timedelta(days=1))
    created = client.post(LEAVES, json=body, headers=auth)
    assert created.status_code == 201, created.text
    assert created.json["result"]["start_date"] == str(date.today())
    assert created.json["result"]["number"].startswith(f"LV-{date.today().year}-")


def test_formula_is_computed_stored_and_refused_as_input(acme) -> None:
    client, auth, _, _, account = acme
    deal = client.post(
        DEALS, json={"name": "Pilot", "account": account, "amount": "1000", "probability": 25}, headers=auth
    )
    assert deal.status_code == 201, deal.text
    assert deal.json["result"]["weighted_amount"] == "250.00"
    updated = client.put(f"{DEALS}{deal.json['id']}", json={"probability": 50}, headers=auth)
    assert updated.json["result"]["weighted_amount"] == "500.00"
    refused = client.post(DEALS, json={"name": "X", "account": account, "weighted_amount": "1"}, headers=auth)
    assert refused.json["message"]["weighted_amount"] == ["This field is filled in automatically."]


def test_read_only_when_and_a_rule_across_fields(acme) -> None:
    client, auth, _, _, account = acme
    bad = client.post(
        DEALS,
        json={"name": "Won", "account": account, "stage": "won", "probability": 80, "close_date": "2026-12-01"},
        headers=auth,
    )
    assert bad.json["message"]["probability"] == ["A won opportunity has a probability of 100%."]
    won = client.post(
        DEALS,
        json={
            "name": "Won",
            "account": account,
            "stage": "won",
            "probability": 100,
            "amount": "10",
            "close_date": "2026-12-01",
        },
        headers=auth,
    ).json["id"]
    frozen = client.put(f"{DEALS}{won}", json={"amount": "99"}, headers=auth)
    assert frozen.status_code == 400 and frozen.json["message"]["amount"] == ["This field cannot be changed now."]
    assert client.get(f"{DEALS}{won}", headers=auth).json["result"]["amount"] == "10.00"


def test_locked_record_cannot_be_edited(acme) -> None:
    client, auth, _, employee, _ = acme
    long_ago = date.today() - timedelta(days=60)
    pk = client.post(
        LEAVES, json=leave(employee, start_date=str(long_ago), end_date=str(long_ago), days="1"), headers=auth
    ).json["id"]
    response = client.put(f"{LEAVES}{pk}", json={"reason": "Changed"}, headers=auth)
    assert response.status_code == 400
    assert response.json["message"]["_record"] == ["This Leave request is locked and cannot be changed."]


def test_form_shows_rule_errors_on_fields_and_keeps_the_input(acme) -> None:
    _, _, browser, employee, _ = acme
    page = browser.get("/t/acme/oa_leave_request/add")
    today = date.today()
    response = browser.post(
        "/t/acme/oa_leave_request/add",
        data={
            "csrf_token": csrf_token(page.text),
            "employee": str(employee),
            "leave_type": "annual",
            "start_date": str(today),
            "end_date": str(today - timedelta(days=1)),
            "days": "1",
            "reason": "Kept input",
        },
    )
    assert response.status_code == 200
    assert "The leave cannot end before it starts." in response.text
    assert "Kept input" in response.text


def test_form_rules_endpoint_tells_the_browser_what_to_show(acme) -> None:
    _, _, browser, _, _ = acme
    page = browser.get("/t/acme/oa_leave_request/add")
    assert 'data-rules-url="/t/acme/oa_leave_request/form-rules"' in page.text
    token = csrf_token(page.text)
    annual = browser.post(
        "/t/acme/oa_leave_request/form-rules", data={"csrf_token": token, "leave_type": "annual", "days": "5"}
    )
    assert annual.json["certificate"] == {"visible": False, "required": False, "read_only": False}
    sick = browser.post(
        "/t/acme/oa_leave_request/form-rules", data={"csrf_token": token, "leave_type": "sick", "days": "5"}
    )
    assert sick.json["certificate"] == {"visible": True, "required": True, "read_only": False}
    short = browser.post(
        "/t/acme/oa_leave_request/form-rules", data={"csrf_token": token, "leave_type": "sick", "days": "1"}
    )
    assert short.json["certificate"]["required"] is False
    assert (
        browser.post("/t/acme/oa_leave_request/form-rules", data={"leave_type": "sick"}).status_code == 400
    )  # no token


def test_form_rules_need_a_login(platform: Platform, acme) -> None:
    stranger = platform.client()
    token = csrf_token(stranger.get("/t/acme/login/").text)  # a valid token, but nobody signed in
    response = stranger.post("/t/acme/oa_leave_request/form-rules", data={"csrf_token": token, "leave_type": "sick"})
    assert response.status_code == 302 and "/login/" in response.headers["Location"]


def test_rollups_follow_their_referring_records(acme) -> None:
    client, auth, _, _, _ = acme
    accounts = "/t/acme/api/v1/crm_account/"
    first = client.post(accounts, json={"name": "Rollup One"}, headers=auth).json["id"]
    second = client.post(accounts, json={"name": "Rollup Two"}, headers=auth).json["id"]

    def totals(pk: int) -> tuple[str, int]:
        record = client.get(f"{accounts}{pk}", headers=auth).json["result"]
        return str(record["open_pipeline"]), record["opportunity_count"]

    assert totals(first) == ("0.00", 0)
    a = client.post(DEALS, json={"name": "A", "account": first, "amount": "100"}, headers=auth).json["id"]
    b = client.post(DEALS, json={"name": "B", "account": first, "amount": "50"}, headers=auth).json["id"]
    client.post(DEALS, json={"name": "C", "account": first, "amount": "999", "stage": "lost"}, headers=auth)
    assert totals(first) == ("150.00", 3)  # the lost deal counts, but is not open pipeline
    client.put(f"{DEALS}{a}", json={"amount": "300"}, headers=auth)
    assert totals(first) == ("350.00", 3)
    client.put(f"{DEALS}{b}", json={"account": second}, headers=auth)  # moved: both accounts change
    assert totals(first) == ("300.00", 2) and totals(second) == ("50.00", 1)
    client.delete(f"{DEALS}{a}", headers=auth)
    assert totals(first) == ("0.00", 1)


def test_child_rows_are_saved_with_their_parent(acme) -> None:
    client, auth, _, employee, _ = acme
    claims = "/t/acme/api/v1/oa_expense_claim/"
    rows = [
        {"spent_on": "2026-11-01", "category": "travel", "amount": "100"},
        {"spent_on": "2026-11-02", "category": "meals", "amount": "50", "description": "Lunch"},
    ]
    created = client.post(claims, json={"employee": employee, "title": "Trip", "lines": rows}, headers=auth)
    assert created.status_code == 201, created.text
    pk = created.json["id"]
    claim = client.get(f"{claims}{pk}", headers=auth).json["result"]
    assert claim["total"] == "150.00" and [line["amount"] for line in claim["lines"]] == ["100.00", "50.00"]
    first, second = (line["id"] for line in claim["lines"])

    changed = client.put(
        f"{claims}{pk}",
        headers=auth,
        json={
            "lines": [
                {"id": first, "spent_on": "2026-11-01", "category": "travel", "amount": "120"},
                {"spent_on": "2026-11-03", "category": "lodging", "amount": "300"},
            ]
        },
    )
    assert changed.status_code == 200, changed.text
    claim = client.get(f"{claims}{pk}", headers=auth).json["result"]
    assert claim["total"] == "420.00"
    assert [line["id"] for line in claim["lines"]][0] == first and second not in [line["id"] for line in claim["lines"]]
    assert (
        client.get(f"/t/acme/api/v1/oa_expense_line/{second}", headers=auth).status_code == 404
    )  # removed row is gone


def test_child_rows_are_validated_and_cannot_be_taken_from_another_record(acme) -> None:
    client, auth, _, employee, _ = acme
    claims = "/t/acme/api/v1/oa_expense_claim/"
    bad = client.post(
        claims,
        headers=auth,
        json={
            "employee": employee,
            "title": "Bad",
            "lines": [
                {"spent_on": "2026-11-01", "category": "travel", "amount": "10"},
                {"category": "fun", "amount": "-1"},
            ],
        },
    )
    assert bad.status_code == 400
    assert set(bad.json["message"]["lines"]["1"]) == {"spent_on", "category", "amount"}
    one = client.post(
        claims,
        json={
            "employee": employee,
            "title": "One",
            "lines": [{"spent_on": "2026-11-01", "category": "travel", "amount": "10"}],
        },
        headers=auth,
    ).json
    other = client.post(claims, json={"employee": employee, "title": "Other"}, headers=auth).json["id"]
    row = one["result"]["lines"][0]["id"]
    stolen = client.put(
        f"{claims}{other}",
        headers=auth,
        json={"lines": [{"id": row, "spent_on": "2026-11-01", "category": "travel", "amount": "10"}]},
    )
    assert stolen.status_code == 400 and "is not a row of this record" in stolen.json["message"]["lines"][0]


def test_deleting_a_parent_deletes_its_rows(acme) -> None:
    client, auth, _, employee, _ = acme
    claims = "/t/acme/api/v1/oa_expense_claim/"
    pk = client.post(
        claims,
        json={
            "employee": employee,
            "title": "Gone",
            "lines": [{"spent_on": "2026-11-01", "category": "office", "amount": "5"}],
        },
        headers=auth,
    ).json["id"]
    row = client.get(f"{claims}{pk}", headers=auth).json["result"]["lines"][0]["id"]
    assert client.delete(f"{claims}{pk}", headers=auth).status_code == 200
    assert client.get(f"/t/acme/api/v1/oa_expense_line/{row}", headers=auth).status_code == 404


def test_child_rows_are_edited_inline_in_the_form(acme) -> None:
    client, auth, browser, employee, _ = acme
    page = browser.get("/t/acme/oa_expense_claim/add")
    assert 'name="lines-__index__-amount"' in page.text  # the template row the browser copies
    saved = browser.post(
        "/t/acme/oa_expense_claim/add",
        follow_redirects=True,
        data={
            "csrf_token": csrf_token(page.text),
            "employee": str(employee),
            "title": "Inline trip",
            "lines-0-spent_on": "2026-11-05",
            "lines-0-category": "travel",
            "lines-0-amount": "80",
            "lines-3-spent_on": "2026-11-06",
            "lines-3-category": "meals",
            "lines-3-amount": "20.5",
        },
    )
    assert saved.status_code == 200
    claims = client.get("/t/acme/api/v1/oa_expense_claim/", headers=auth).json["result"]
    claim = next(c for c in claims if c["title"] == "Inline trip")
    assert claim["total"] == "100.50" and len(claim["lines"]) == 2
    listing = browser.get("/t/acme/oa_expense_claim/list/", query_string={"q": "Inline trip"})
    assert "Inline trip" in listing.text and "100.50" in listing.text  # the rollup, in the list
    travel = next(line for line in claim["lines"] if line["category"] == "travel")

    edit = browser.get(f"/t/acme/oa_expense_claim/edit/{claim['id']}")
    assert 'value="80.00"' in edit.text
    browser.post(
        f"/t/acme/oa_expense_claim/edit/{claim['id']}",
        follow_redirects=True,
        data={
            "csrf_token": csrf_token(edit.text),
            "record_version": str(claim["version"]),
            "employee": str(employee),
            "title": "Inline trip",
            "lines-0-id": str(travel["id"]),
            "lines-0-spent_on": "2026-11-05",
            "lines-0-category": "travel",
            "lines-0-amount": "90",
            "lines-1-spent_on": "2026-11-07",
            "lines-1-category": "office",
            "lines-1-amount": "10",
        },
    )
    claim = client.get(f"/t/acme/api/v1/oa_expense_claim/{claim['id']}", headers=auth).json["result"]
    assert claim["total"] == "100.00"
    assert sorted(line["category"] for line in claim["lines"]) == ["office", "travel"]
    assert travel["id"] in [line["id"] for line in claim["lines"]]


def test_a_bad_row_is_shown_in_its_cell_and_nothing_is_saved(acme) -> None:
    client, auth, browser, employee, _ = acme
    page = browser.get("/t/acme/oa_expense_claim/add")
    response = browser.post(
        "/t/acme/oa_expense_claim/add",
        data={
            "csrf_token": csrf_token(page.text),
            "employee": str(employee),
            "title": "Broken rows",
            "lines-0-spent_on": "2026-11-05",
            "lines-0-category": "travel",
            "lines-0-amount": "-3",
        },
    )
    assert response.status_code == 200 and "Number must be between 0.01 and" in response.text
    titles = [c["title"] for c in client.get("/t/acme/api/v1/oa_expense_claim/", headers=auth).json["result"]]
    assert "Broken rows" not in titles


def test_a_formula_that_fails_is_a_clear_400_a_form_message_and_a_log_line(platform: Platform, caplog) -> None:
    platform.tenant("lab", packs=["lab"])
    client = platform.client()
    auth = jwt(client, "lab")
    batches = "/t/lab/api/v1/lab_batch/"
    assert (
        client.post(batches, json={"label": "ok", "total": 10, "count": 4}, headers=auth).json["result"]["per_item"]
        == 2
    )
    with caplog.at_level("WARNING", logger="formwork.expr"):
        failed = client.post(batches, json={"label": "bad", "total": 10, "count": 0}, headers=auth)
    assert failed.status_code == 400
    assert failed.json["message"]["per_item"] == ["Cannot be computed: it divides by zero."]
    expression_logs = [record for record in caplog.records if record.name == "formwork.expr"]
    assert any("lab.batch formula per_item" in record.getMessage() for record in expression_logs)
    login(client, "lab")
    page = client.get("/t/lab/lab_batch/add")
    shown = client.post(
        "/t/lab/lab_batch/add",
        data={"csrf_token": csrf_token(page.text), "label": "bad form", "total": "10", "count": "0"},
    )
    assert shown.status_code == 200 and "Cannot be computed: it divides by zero." in shown.text


def test_close_date_is_required_once_a_proposal_is_made(acme) -> None:
    client, auth, _, _, account = acme
    early = client.post(DEALS, json={"name": "Early", "account": account, "stage": "prospecting"}, headers=auth)
    assert early.status_code == 201
    proposal = client.post(DEALS, json={"name": "Proposal", "account": account, "stage": "proposal"}, headers=auth)
    assert proposal.status_code == 400 and proposal.json["message"]["close_date"] == ["This field is required."]
    moved = client.put(f"{DEALS}{early.json['id']}", json={"stage": "negotiation"}, headers=auth)
    assert moved.status_code == 400 and "close_date" in moved.json["message"]


def test_the_add_form_shows_expression_defaults(acme) -> None:
    _, _, browser, _, _ = acme
    page = browser.get("/t/acme/oa_leave_request/add")
    assert f'value="{date.today().isoformat()}"' in page.text

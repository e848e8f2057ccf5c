"""The demo keeps the README's promise: every approval flow it names works end to end for the demo's users."""

from __future__ import annotations

import re
from typing import Any

import pytest
import sqlalchemy as sa
from werkzeug.test import Client

from conftest import Platform, csrf_token, jwt, login
from formwork.cli import DEMO_PASSWORD, DEMO_SLUG, DEMO_USER
from formwork.demo.setup import prepare_demo
from formwork.tenancy.registry import find_tenant
from formwork.tenancy.storage import tenant_engine

API = f"/t/{DEMO_SLUG}/api/v1"


@pytest.fixture(scope="module")
def demo(platform: Platform) -> Platform:
    prepare_demo(platform.settings, platform.catalog, DEMO_SLUG, DEMO_USER, DEMO_PASSWORD, progress=lambda _: None)
    return platform


class Person:
    """A demo user signed in to the API."""

    def __init__(self, client: Client, username: str) -> None:
        self.client, self.username = client, username
        self.headers = jwt(client, DEMO_SLUG, username, DEMO_PASSWORD)

    def post(self, path: str, body: dict[str, Any]) -> Any:
        response = self.client.post(f"{API}/{path}", json=body, headers=self.headers)
        assert response.status_code in (200, 201), (
            f"{self.username} POST {path}: {response.status_code} {response.text}"
        )
        return response.json

    def get(self, path: str) -> Any:
        response = self.client.get(f"{API}/{path}", headers=self.headers)
        assert response.status_code == 200, f"{self.username} GET {path}: {response.status_code} {response.text}"
        return response.json

    def approve_the_task_on(self, entity: str, record: int) -> None:
        todo = [
            row
            for row in self.get("approvals/inbox/todo?page_size=100")["result"]
            if row["entity"] == entity and row["record_id"] == record
        ]
        assert todo, f"{self.username} has no task on {entity} {record}"
        self.post(f"approvals/tasks/{todo[0]['task_id']}/approve", {"comment": "ok"})


def status(person: Person, entity: str, record: int) -> dict[str, Any]:
    return person.get(f"approvals/records/{entity}/{record}")["status"]


def employee_id(demo: Platform, login: str) -> int:
    tenant = find_tenant(demo.settings.database_url, DEMO_SLUG)
    with tenant_engine(demo.settings, tenant).connect() as conn:
        return conn.execute(sa.text("SELECT id FROM core_employee WHERE login = :login"), {"login": login}).scalar_one()


def walk(people: dict[str, Person], submitter: str, entity: str, record: int, approvers: list[str]) -> None:
    """Submit as `submitter`, then approve as each of `approvers` in turn; the request ends approved."""
    people[submitter].post("approvals/submit", {"entity": entity, "id": record, "comment": "please"})
    for approver in approvers:
        assert status(people[submitter], entity, record)["status"] == "pending"
        people[approver].approve_the_task_on(entity, record)
    assert status(people[submitter], entity, record)["status"] == "approved"


@pytest.fixture(scope="module")
def people(demo: Platform) -> dict[str, Person]:
    client = demo.client()
    return {
        name: Person(client, name)
        for name in ("user2", "user4", "user5", "user9", "user10", "user12", "user13", "user16")
    }


def test_a_long_leave_goes_to_the_engineers_manager(demo: Platform, people: dict[str, Person]) -> None:
    leave = people["user12"].post(
        "oa_leave_request/",
        {
            "employee": employee_id(demo, "user12"),
            "leave_type": "annual",
            "start_date": "2026-12-14",
            "end_date": "2026-12-18",
            "reason": "Family trip",
        },
    )
    walk(people, "user12", "oa.leave_request", leave["id"], ["user4"])


def test_an_expense_claim_goes_through_finance_and_the_cfo(demo: Platform, people: dict[str, Person]) -> None:
    claim = people["user12"].post("oa_expense_claim/", {"employee": employee_id(demo, "user12"), "title": "Expo 2026"})
    people["user12"].post(
        "oa_expense_line/", {"claim": claim["id"], "spent_on": "2026-11-20", "category": "travel", "amount": "25000"}
    )
    walk(people, "user12", "oa.expense_claim", claim["id"], ["user4", "user13", "user5"])


def test_a_purchase_request_goes_through_purchasing(demo: Platform, people: dict[str, Person]) -> None:
    engineering = people["user12"].get("core_department/?q=(filters:!((col:code,opr:eq,value:ENG)))")["result"][0]["id"]
    request = people["user12"].post(
        "oa_purchase_request/",
        {
            "requester": employee_id(demo, "user12"),
            "department": engineering,
            "item": "Oscilloscope",
            "quantity": 2,
            "unit_price": "8000",
            "reason": "Lab",
        },
    )
    walk(people, "user12", "oa.purchase_request", request["id"], ["user4", "user16"])


def test_a_big_discount_goes_to_the_sales_director(demo: Platform, people: dict[str, Person]) -> None:
    rep, director = people["user10"], people["user2"]
    account = rep.post("crm_account/", {"name": "Demo Discount Co"})
    deal = rep.post(
        "crm_opportunity/",
        {
            "name": "Big deal",
            "account": account["id"],
            "stage": "proposal",
            "amount": "100000",
            "close_date": "2026-12-31",
            "owner": employee_id(demo, "user10"),
        },
    )
    discounted = director.client.put(
        f"{API}/crm_opportunity/{deal['id']}", json={"discount_percent": "20"}, headers=director.headers
    )  # a rep sees the discount; the director sets it
    assert discounted.status_code == 200, discounted.text
    walk(people, "user10", "crm.opportunity", deal["id"], ["user2"])


def test_a_contract_goes_through_legal_and_the_sales_director(demo: Platform, people: dict[str, Person]) -> None:
    rep = people["user10"]
    account = rep.post("crm_account/", {"name": "Demo Contract Co"})
    contract = rep.post(
        "crm_contract/",
        {
            "title": "Licence 2027",
            "account": account["id"],
            "amount": "600000",
            "start_date": "2027-01-01",
            "end_date": "2027-12-31",
            "owner": employee_id(demo, "user10"),
        },
    )
    walk(people, "user10", "crm.contract", contract["id"], ["user2", "user9", "user2"])


def test_a_leave_request_walked_through_the_screens(demo: Platform) -> None:
    engineer, manager = demo.client(), demo.client()
    assert login(engineer, DEMO_SLUG, "user12", DEMO_PASSWORD).status_code == 302
    assert login(manager, DEMO_SLUG, "user4", DEMO_PASSWORD).status_code == 302
    page = engineer.get(f"/t/{DEMO_SLUG}/oa_leave_request/add")
    saved = engineer.post(
        f"/t/{DEMO_SLUG}/oa_leave_request/add",
        follow_redirects=True,
        data={
            "csrf_token": csrf_token(page.text),
            "employee": employee_id(demo, "user12"),
            "leave_type": "annual",
            "start_date": "2026-12-21",
            "end_date": "2026-12-22",
            "days": "2",
            "reason": "Moving house",
        },
    )
    assert saved.status_code == 200
    record = newest_leave(demo)
    shown = engineer.get(f"/t/{DEMO_SLUG}/oa_leave_request/show/{record}")
    submitted = engineer.post(
        f"/t/{DEMO_SLUG}/oa_leave_request/approval/{record}/submit",
        follow_redirects=True,
        data={"csrf_token": csrf_token(shown.text), "comment": "two days"},
    )
    assert submitted.status_code == 200
    assert "Submitted for approval." in submitted.text
    manager_name, engineer_name = employee_name(demo, "user4"), employee_name(demo, "user12")
    assert f'data-assignee="user4" data-status="pending">\n          <td>{manager_name}' in submitted.text
    inbox = manager.get(f"/t/{DEMO_SLUG}/approvals/")
    assert f"<td>{engineer_name}</td>" in inbox.text and "<td>user12</td>" not in inbox.text
    task_page = manager.get(f"/t/{DEMO_SLUG}/oa_leave_request/show/{record}")
    task = re.search(r'name="task" value="(\d+)"', task_page.text)
    assert task, "the manager's page offers no decision"
    approved = manager.post(
        f"/t/{DEMO_SLUG}/oa_leave_request/approval/{record}/approve",
        data={"csrf_token": csrf_token(task_page.text), "task": task.group(1), "comment": "enjoy"},
    )
    assert approved.status_code == 302
    assert status(Person(demo.client(), "user12"), "oa.leave_request", record)["status"] == "approved"


def employee_name(demo: Platform, login: str) -> str:
    tenant = find_tenant(demo.settings.database_url, DEMO_SLUG)
    with tenant_engine(demo.settings, tenant).connect() as conn:
        return conn.execute(
            sa.text("SELECT name FROM core_employee WHERE login = :login"), {"login": login}
        ).scalar_one()


def newest_leave(demo: Platform) -> int:
    tenant = find_tenant(demo.settings.database_url, DEMO_SLUG)
    with tenant_engine(demo.settings, tenant).connect() as conn:
        return conn.execute(sa.text("SELECT max(id) FROM oa_leave_request")).scalar_one()


def test_the_demo_people_are_called_by_their_names(demo: Platform) -> None:
    client = demo.client()
    login(client, DEMO_SLUG, "user12", DEMO_PASSWORD)
    tenant = find_tenant(demo.settings.database_url, DEMO_SLUG)
    with tenant_engine(demo.settings, tenant).connect() as conn:
        name, title = conn.execute(sa.text("SELECT name, job_title FROM core_employee WHERE login = 'user12'")).one()
    page = client.get(f"/t/{DEMO_SLUG}/oa_leave_request/list/")
    assert title == "Engineer"
    assert f'class="fw-top-text fw-user-name">{name}<' in page.text  # the top bar: the employee, not "user12"

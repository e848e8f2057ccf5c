"""Every approver and recipient source, who may submit (`submitters`) and reference paths, on the property test pack.

tests/packs/property: a building has a manager (a user field), a caretaker (an employee) and a department; a unit is
in a building; a maintenance ticket is about a unit. The ticket's `route` picks one chain per approver source, whose
approvers are also notified at the end; `repair_approval` (route `standard`) names its submitters.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import TEST_PACKS, Platform, counting, csrf_token, jwt, login
from formwork.definitions.loader import builtin_definitions, load_catalog
from formwork.tenancy.apps import build_tenant_app
from formwork.tenancy.directory import Directory
from formwork.tenancy.registry import find_tenant
from formwork.workflow.api import cc_box
from formwork.workflow.engine import Approvals
from formwork.workflow.errors import NotAllowed
from formwork.workflow.paths import person_at
from workflow_org import (
    PASSWORD,
    company,
    employee_id,
    leave,
    new_record,
    open_task,
    user_id,
)

SLUG = "props"
TICKET = "property.ticket"
API = f"/t/{SLUG}/api/v1/approvals"
#: people beyond workflow_org's company: name -> what they are to the tickets
EXTRA = {
    "bella": "the building's manager",
    "cole": "the building's caretaker",
    "hana": "head of Facilities",
    "walt": "head of Works",
    "tom": "the ticket's assignee",
    "rita": "the ticket's reporter",
    "paul": "the ticket's requester",
}
#: route -> (who gets the task, who is notified when it is approved); erin creates and submits every ticket
ROUTES = {
    "users": (["fiona"], ["fiona"]),
    "role": (["fred"], ["fred"]),  # the only holder of facilities
    "manager": (["mike"], ["mike"]),  # erin's manager
    "head_of_submitter": (["dora"], ["dora"]),  # head of erin's department (Sales)
    "head_of_department": (["walt"], ["walt"]),  # the ticket's department is Works
    "user_field": (["tom"], ["tom"]),  # assignee, a user field
    "employee_field": (["paul"], ["paul"]),  # requester, a reference to core.employee
    "submitter_choice": (["sam"], ["tom"]),  # erin picks sam; notify cannot take a choice: the assignee
    "expr": (["carl"], ["carl"]),  # [title == 'boiler' ? 'carl' : 'fiona']
    "user_path": (["bella"], ["bella"]),  # unit.building.manager
    "employee_path": (["cole"], ["cole"]),  # unit.building.caretaker
    "department_path": (["hana"], ["hana"]),  # unit.building.department: Facilities
}
#: who `repair_approval` admits, besides erin who creates the tickets
SUBMITTERS = {
    "rita": "reporter (user field)",
    "paul": "requester (employee reference)",
    "bella": "unit.building.manager (a path)",
    "fred": "role facilities",
}
NOT_A_SUBMITTER = {
    "en": "only its creator, Reporter, Requester, Unit › Building › Building manager, holders of role Facilities "
    "may submit this Maintenance ticket record",
    "zh": "只有创建人、报修人、申请员工、单元 › 楼宇 › 楼宇经理、角色“设施管理”的成员可以提交该维修工单记录",
}


@pytest.fixture(scope="module")
def runtime(platform: Platform):
    """workflow_org's company with the property pack, EXTRA as users and employees, Facilities (headed by hana) and
    Works (headed by walt), the building Tower (managed by bella, cared for by cole, in Facilities) and its unit
    T-101. Everyone gets a role with every right an admin has (a tenant admin's doing); fred also holds facilities."""
    runtime = company(platform, platform.catalog, SLUG, ["core", "oa", "property"])
    app = build_tenant_app(platform.settings, find_tenant(platform.settings.database_url, SLUG), platform.catalog)
    with app.app_context():
        sm = app.appbuilder.sm
        staff = sm.add_role("Staff", permissions=list(sm.find_role("Admin").permissions))
        for name in EXTRA:
            sm.add_user(name, name.title(), "Test", f"{name}@example.com", [staff], password=PASSWORD)
        for user in sm.get_all_users():
            if user.username != "admin":
                user.roles = [staff, sm.find_role("facilities")] if user.username == "fred" else [staff]
                sm.update_user(user)
    employees = {name: new_record(runtime, "core.employee", name=name.title(), login=name) for name in EXTRA}
    facilities = new_record(runtime, "core.department", name="Facilities", code="F", head_id=employees["hana"])
    new_record(runtime, "core.department", name="Works", code="W", head_id=employees["walt"])
    tower = new_record(
        runtime,
        "property.building",
        name="Tower",
        manager_id=user_id(runtime, "bella"),
        caretaker_id=employees["cole"],
        department_id=facilities,
    )
    new_record(runtime, "property.unit", code="T-101", building_id=tower)
    return runtime


@pytest.fixture(scope="module")
def approvals(runtime) -> Approvals:
    return Approvals(runtime)


def record_id(runtime, entity: str, **where) -> int:
    session = runtime.session()
    try:
        return session.query(runtime.compiled.model(entity)).filter_by(**where).one().id
    finally:
        session.rollback()


def ticket(runtime, route: str = "standard", **values) -> int:
    """A ticket erin created about unit T-101, reported by rita, requested by paul, assigned to tom, for Works."""
    fields = {
        "title": "boiler",
        "route": route,
        "unit_id": record_id(runtime, "property.unit", code="T-101"),
        "reporter_id": user_id(runtime, "rita"),
        "requester_id": employee_id(runtime, "paul"),
        "assignee_id": user_id(runtime, "tom"),
        "department_id": record_id(runtime, "core.department", code="W"),
    }
    return new_record(runtime, TICKET, "erin", **{**fields, **values})


def notified(approvals: Approvals, instance_id: int) -> list[str]:
    return next(e.detail["recipients"] for e in approvals.history(instance_id) if e.action == "notify")


# -- every approver and recipient source ---------------------------------------------------------------------------
@pytest.mark.parametrize("route", sorted(ROUTES))
def test_each_source_gives_the_task_and_the_notice_to_its_people(runtime, approvals, route: str) -> None:
    approvers, told = ROUTES[route]
    record = ticket(runtime, route)
    instance = approvals.submit(
        TICKET, record, "erin", chosen={"decide": ["sam"]} if route == "submitter_choice" else None
    )
    assert sorted(t.assignee for t in approvals.tasks(instance) if t.status == "pending") == approvers

    approvals.approve(open_task(approvals, instance, approvers[0]), approvers[0])
    assert approvals.status(TICKET, record).status == "approved"
    assert notified(approvals, instance) == told
    for person in told:  # what their "CC'd to me" tab lists
        _, rows = cc_box(runtime, person, 0, 50)
        assert (TICKET, record) in {(row["entity"], row["record_id"]) for row in rows}


def test_an_empty_hop_or_field_names_nobody_and_the_no_approver_rule_decides(runtime, approvals) -> None:
    """A ticket with no unit: `unit.building.manager` is nobody, so the step goes to the tenant's admins."""
    record = ticket(runtime, "user_path", unit_id=None)
    instance = approvals.submit(TICKET, record, "erin")
    assert [t.assignee for t in approvals.tasks(instance)] == ["admin"]


def test_a_path_costs_one_query_per_hop(runtime) -> None:
    """unit.building.manager on a ticket: the unit, the building, the manager's user name. Nothing else is loaded."""
    session = runtime.session()
    try:
        record = session.get(runtime.compiled.model(TICKET), ticket(runtime, "user_path"))
        with counting(session.get_bind()) as statements:
            found = person_at(
                Directory(session, runtime.compiled),
                runtime.catalog,
                runtime.catalog.entities[TICKET],
                record,
                "unit.building.manager",
            )
        assert found == "bella"
        assert [re.search(r"FROM (\w+)", s).group(1) for s in statements] == [
            "property_unit",
            "property_building",
            "ab_user",
        ]
    finally:
        session.rollback()


# -- the approvals API: a user field approves and is notified (was a 500) ------------------------------------------
@pytest.fixture(scope="module")
def tokens(platform: Platform, runtime) -> dict[str, dict[str, str]]:
    client = platform.client()
    return {name: jwt(client, SLUG, name) for name in ("erin", "dora", "tom", *SUBMITTERS)}


def call(platform: Platform, tokens, user: str, method: str, path: str, body: dict | None = None, language: str = "en"):
    return platform.client().open(
        f"{API}{path}", method=method, json=body, headers={**tokens[user], "Accept-Language": language}
    )


def test_a_user_field_approver_decides_through_the_api_and_is_notified(platform: Platform, runtime, tokens) -> None:
    record = ticket(runtime, "user_field")
    submitted = call(platform, tokens, "erin", "POST", "/submit", {"entity": TICKET, "id": record})
    assert submitted.status_code == 201, submitted.text
    todo = call(platform, tokens, "tom", "GET", "/inbox/todo?page_size=100").json["result"]
    task = next(item["task_id"] for item in todo if item["record_id"] == record and item["entity"] == TICKET)

    approved = call(platform, tokens, "tom", "POST", f"/tasks/{task}/approve", {"comment": "fixed"})
    assert approved.status_code == 200, approved.text
    assert approved.json["status"]["status"] == "approved"
    copied = call(platform, tokens, "tom", "GET", "/inbox/cc?page_size=100").json["result"]
    assert any(item["record_id"] == record and item["entity"] == TICKET for item in copied)


# -- submitters ------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("person", ["erin", *SUBMITTERS])
def test_each_submitter_source_admits_its_person(platform: Platform, runtime, approvals, tokens, person: str) -> None:
    record = ticket(runtime)
    answer = call(platform, tokens, person, "POST", "/submit", {"entity": TICKET, "id": record})
    assert answer.status_code == 201, answer.text
    assert approvals.status(TICKET, record).submitter == person
    assert approvals.status(TICKET, record).waiting_for == ["bella"]  # field: unit.building.manager


@pytest.mark.parametrize("language", ["en", "zh"])
def test_someone_no_submitter_source_names_is_refused_with_403(
    platform: Platform, runtime, approvals, tokens, language: str
) -> None:
    record = ticket(runtime)
    answer = call(platform, tokens, "dora", "POST", "/submit", {"entity": TICKET, "id": record}, language)
    assert answer.status_code == 403
    assert answer.json == {"message": NOT_A_SUBMITTER[language]}
    assert approvals.status(TICKET, record) is None


def test_a_path_submitter_with_an_empty_hop_is_refused(platform: Platform, runtime, approvals, tokens) -> None:
    """No unit, so no building manager: bella is not the ticket's submitter, and is told so (not a 500)."""
    record = ticket(runtime, unit_id=None)
    answer = call(platform, tokens, "bella", "POST", "/submit", {"entity": TICKET, "id": record})
    assert answer.status_code == 403
    assert approvals.status(TICKET, record) is None


def test_shipped_chains_keep_the_creator_and_the_employee_as_submitters(approvals, runtime) -> None:
    """A chain without `submitters` (oa's leave): the creator or the employee, nobody else, whatever their role."""
    record = leave(runtime, "erin")
    with pytest.raises(NotAllowed, match="only the person who created this Leave request record, or the employee"):
        approvals.submit("oa.leave_request", record, "fred")  # a facilities holder: the role admits only tickets
    approvals.submit("oa.leave_request", record, "erin")
    assert approvals.status("oa.leave_request", record).submitter == "erin"


def _show(client, record: int) -> str:
    page = client.get(f"/t/{SLUG}/property_ticket/show/{record}")
    assert page.status_code == 200
    return page.text


def _buttons(html: str) -> set[str]:
    return set(re.findall(r'<button type="submit"[^>]*data-action="(\w+)"', html[html.index('id="fw-approval"') :]))


@pytest.mark.parametrize("language", ["en", "zh"])
def test_the_screen_offers_submit_to_submitters_only_and_flashes_the_refusal(
    platform: Platform, runtime, approvals, language: str
) -> None:
    record = ticket(runtime)
    bella, dora = platform.client(), platform.client()
    for client, name in ((bella, "bella"), (dora, "dora")):
        assert login(client, SLUG, name).status_code == 302
        client.get(f"/t/{SLUG}/lang/{language}")
    assert "submit" in _buttons(_show(bella, record))
    assert "submit" not in _buttons(_show(dora, record))

    token = csrf_token(_show(dora, record))
    page = dora.post(
        f"/t/{SLUG}/property_ticket/approval/{record}/submit", data={"csrf_token": token}, follow_redirects=True
    ).text
    assert NOT_A_SUBMITTER[language] in page.replace("&#39;", "'")
    assert approvals.status(TICKET, record) is None


# -- definition checks ---------------------------------------------------------------------------------------------
BROKEN = """\
kind: Pack
name: broken_property
version: 1.0.0
requires: {property: ">=1.0.0"}
---
kind: ApprovalChain
name: broken
entity: property.ticket
submitters: [owner, field: title, field: unit.bulding.manager, role: janitor, field: unit.building.manager]
steps:
  - name: one
    approvers: [field: unit.building.name, field: cost.manager, department_head: unit.building, field: unit.building.caretaker]
on_approve: {notify: [field: unit.building.department, department_head: unit.building.department]}
"""


def test_paths_and_submitters_are_checked_with_file_line_and_the_broken_hop(tmp_path: Path) -> None:
    folder = tmp_path / "broken_property"
    folder.mkdir()
    (folder / "pack.yaml").write_text(BROKEN)
    _, errors = load_catalog([builtin_definitions(), TEST_PACKS, folder])
    known = "known: Admin, Public, facilities, hr"
    assert [str(e).replace(f"{folder}/", "") for e in errors] == [
        (
            "pack.yaml:9 at submitters[1].field: 'title' is a string field; a submitter field is a user field or a "
            "reference to core.employee"
        ),
        (
            "pack.yaml:9 at submitters[2].field: 'unit.bulding' is not a reference field of property.unit; "
            "did you mean 'unit.building'?"
        ),
        (
            f"pack.yaml:9 at submitters[3].role: unknown role 'janitor'; declare it with kind Role in this pack or one it "
            f"requires ({known})"
        ),
        (
            "pack.yaml:12 at steps[0].approvers[0].field: 'unit.building.name' is a string field; an approver field is a "
            "user field or a reference to core.employee"
        ),
        "pack.yaml:12 at steps[0].approvers[1].field: 'cost' is not a reference, so it cannot be followed with '.'",
        (
            "pack.yaml:12 at steps[0].approvers[2].department_head: department_head takes `submitter` or a reference "
            "field of property.ticket to core.department (or a path through references to one); 'unit.building' is not one"
        ),
        (
            "pack.yaml:13 at on_approve.notify[0].field: 'unit.building.department' is a reference field; an approver "
            "field is a user field or a reference to core.employee"
        ),
    ]


def test_the_packs_chains_pass_the_checks() -> None:
    _, errors = load_catalog([builtin_definitions(), TEST_PACKS])
    assert errors == []

"""Chain versions: a new submission starts on the chain as it is now, and an admin moves a running request to it."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from werkzeug.test import Client

from conftest import PASSWORD, Platform, catalog_with_pack, csrf_token, jwt, login
from formwork import create_app
from formwork.tenancy.apps import build_tenant_app, tenant_runtime
from formwork.tenancy.packs import plan_upgrade
from formwork.tenancy.registry import find_tenant
from formwork.workflow.engine import Approvals
from formwork.workflow.errors import Conflict, NotAllowed, WorkflowError
from formwork.workflow.tables import INSTANCES
from workflow_org import company, new_record, open_task

SLUG = "wfversions"
TRIP = "trips.trip"
PACK = """\
kind: Pack
name: trips
version: {version}
requires: {{core: ">=0.1.0", oa: ">=0.1.0"}}
---
kind: Entity
name: trip
title_field: purpose
fields:
  - {{name: purpose, type: string, required: true}}
---
kind: ApprovalChain
name: trip_approval
entity: trip
steps:
{steps}
"""
#: the chain as first shipped (mike approves), as fixed (fiona, then the manager step asks dora), and rebuilt
BROKEN = "  - {name: manager, approvers: [users: [mike]]}"
FIXED = "  - {name: finance, approvers: [users: [fiona]]}\n  - {name: manager, approvers: [users: [dora]]}"
REBUILT = "  - {name: review, approvers: [users: [carl]]}"


def catalog(tmp_path: Path, version: str, steps: str):
    return catalog_with_pack(tmp_path / "trips", PACK.format(version=version, steps=steps))


@pytest.fixture(scope="module")
def broken(platform: Platform, tmp_path_factory: pytest.TempPathFactory):
    """The tenant on the first version of the chain: its runtime and catalog."""
    shipped = catalog(tmp_path_factory.mktemp("v1"), "1.0.0", BROKEN)
    return company(platform, shipped, SLUG, ["core", "oa", "trips"]), shipped


def on(platform: Platform, tmp_path: Path, steps: str, version: str = "1.0.1") -> Approvals:
    """The engine of the tenant after its pack was fixed (a new release whose chain has `steps`)."""
    fixed = catalog(tmp_path, version, steps)
    tenant = find_tenant(platform.settings.database_url, SLUG)
    return Approvals(
        tenant_runtime(platform.settings, tenant, fixed, plan_upgrade(platform.settings, fixed, tenant, "trips").target)
    )


def submitted(broken) -> tuple[Approvals, int, int]:
    runtime, _ = broken
    record = new_record(runtime, TRIP, owner="erin", purpose="fair")
    approvals = Approvals(runtime)
    return approvals, record, approvals.submit(TRIP, record, "erin")


def waiting(approvals: Approvals, record: int) -> tuple[str, str | None, list[str]]:
    status = approvals.status(TRIP, record)
    return status.status, status.step, status.waiting_for


def test_resubmitting_after_a_withdrawal_routes_on_the_fixed_chain(platform, broken, tmp_path) -> None:
    approvals, record, instance = submitted(broken)
    old_version = approvals.status(TRIP, record).chain_version
    approvals.withdraw(instance, "erin")
    fixed = on(platform, tmp_path, FIXED)
    fixed.submit(TRIP, record, "erin")
    assert waiting(fixed, record) == ("pending", "finance", ["fiona"])
    assert fixed.status(TRIP, record).chain_version != old_version
    fixed.approve(open_task(fixed, instance, "fiona"), "fiona")
    assert waiting(fixed, record) == ("pending", "manager", ["dora"])


def test_resubmitting_after_a_rejection_routes_on_the_fixed_chain(platform, broken, tmp_path) -> None:
    approvals, record, instance = submitted(broken)
    approvals.reject(open_task(approvals, instance, "mike"), "mike")
    fixed = on(platform, tmp_path, FIXED)
    fixed.submit(TRIP, record, "erin")
    assert waiting(fixed, record) == ("pending", "finance", ["fiona"])


def test_a_running_request_stays_on_its_version_until_an_admin_moves_it(platform, broken, tmp_path) -> None:
    approvals, record, instance = submitted(broken)
    fixed = on(platform, tmp_path, FIXED)
    assert waiting(fixed, record) == ("pending", "manager", ["mike"])
    version = fixed.move_to_current(instance, "admin", "mike left Sales")
    assert waiting(fixed, record) == ("pending", "manager", ["dora"])  # the step of the same name, asked again
    assert fixed.status(TRIP, record).chain_version == version
    assert [t.status for t in fixed.tasks(instance) if t.assignee == "mike"] == ["cancelled"]
    moved = [e for e in fixed.history(instance) if e.action == "moved"]
    assert [(e.actor, e.comment, e.detail["to_version"], e.detail["to_step"]) for e in moved] == [
        ("admin", "mike left Sales", version, "manager")
    ]
    assert moved[0].detail["from_version"] != version


def test_a_moved_request_whose_step_is_gone_starts_at_the_first_step(platform, broken, tmp_path) -> None:
    _, record, instance = submitted(broken)
    rebuilt = on(platform, tmp_path, REBUILT, "1.0.2")
    rebuilt.move_to_current(instance, "admin", "the chain was rebuilt")
    assert waiting(rebuilt, record) == ("pending", "review", ["carl"])


def test_moving_is_for_admins_with_a_reason_on_a_running_request_behind_the_current_version(
    platform, broken, tmp_path
) -> None:
    approvals, record, instance = submitted(broken)
    with pytest.raises(Conflict, match="already runs on the current version"):
        approvals.move_to_current(instance, "admin", "nothing to fix")
    fixed = on(platform, tmp_path, FIXED)
    with pytest.raises(NotAllowed, match="only the tenant's admins"):
        fixed.move_to_current(instance, "erin", "I want fiona")
    with pytest.raises(WorkflowError, match="give a reason"):
        fixed.move_to_current(instance, "admin", "  ")
    fixed.withdraw(instance, "erin")
    with pytest.raises(Conflict, match="not in approval"):
        fixed.move_to_current(instance, "admin", "too late")
    assert waiting(fixed, record) == ("withdrawn", None, [])


# -- the API and the panel --------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def site(platform: Platform, broken):
    """A client of the tenant; erin holds a role with every right an admin has, but is no admin."""
    runtime, shipped = broken
    app = build_tenant_app(platform.settings, find_tenant(platform.settings.database_url, SLUG), shipped)
    with app.app_context():
        sm = app.appbuilder.sm
        user = sm.find_user(username="erin")
        user.roles = [sm.add_role("Staff", permissions=list(sm.find_role("Admin").permissions))]
        sm.update_user(user)
    runtime.session.remove()
    return Client(create_app(platform.settings, shipped))


def made_old(runtime, instance: int) -> None:
    """The request started on an earlier version of the chain (another step, another version)."""
    session = runtime.session()
    row = session.execute(sa.select(INSTANCES.c.snapshot).where(INSTANCES.c.id == instance)).scalar_one()
    data = {**row["data"], "steps": [{"name": "manager", "approvers": [{"users": ["sam"]}]}]}
    session.execute(
        INSTANCES.update()
        .where(INSTANCES.c.id == instance)
        .values(snapshot={**row, "data": data}, chain_version="0123456789abcdef")
    )
    session.commit()
    runtime.session.remove()


def test_the_api_moves_a_request_for_an_admin_and_refuses_everyone_else(broken, site) -> None:
    runtime, _ = broken
    record = new_record(runtime, TRIP, owner="erin", purpose="fair")
    api, admin, erin = f"/t/{SLUG}/api/v1/approvals", jwt(site, SLUG, "admin"), jwt(site, SLUG, "erin", PASSWORD)
    instance = site.post(f"{api}/submit", json={"entity": TRIP, "id": record}, headers=erin).json["status"][
        "instance_id"
    ]
    made_old(runtime, instance)
    assert site.post(f"{api}/requests/{instance}/move", json={}, headers=admin).status_code == 400
    refused = site.post(f"{api}/requests/{instance}/move", json={"reason": "please"}, headers=erin)
    assert refused.status_code == 403 and "admins" in refused.json["message"]
    moved = site.post(f"{api}/requests/{instance}/move", json={"reason": "sam left"}, headers=admin)
    assert moved.status_code == 200, moved.text
    assert (
        moved.json["status"]["waiting_for"] == ["mike"] and moved.json["status"]["chain_version"] != "0123456789abcdef"
    )
    event = moved.json["rounds"][-1]["events"][-2]
    assert (event["action"], event["actor"], event["comment"]) == ("moved", "admin", "sam left")
    again = site.post(
        f"{api}/requests/{instance}/move", json={"reason": "again"}, headers={**admin, "Accept-Language": "zh"}
    )
    assert again.status_code == 409 and "当前版本" in again.json["message"]


def test_the_panel_offers_admins_the_move_of_a_request_behind_the_current_version(broken, site) -> None:
    runtime, _ = broken
    record = new_record(runtime, TRIP, owner="erin", purpose="fair")
    instance = Approvals(runtime).submit(TRIP, record, "erin")
    show = f"/t/{SLUG}/trips_trip/show/{record}"
    browser = Client(site.application)
    login(browser, SLUG, "erin")
    assert 'data-action="move"' not in browser.get(show).text
    made_old(runtime, instance)
    assert 'data-action="move"' not in browser.get(show).text
    admin = Client(site.application)
    login(admin, SLUG, "admin")
    page = admin.get(show)
    assert 'data-action="move"' in page.text
    done = admin.post(
        f"/t/{SLUG}/trips_trip/approval/{record}/move",
        follow_redirects=True,
        data={"csrf_token": csrf_token(page.text), "comment": "sam left"},
    )
    assert "Moved to the current version of the chain." in done.text
    assert Approvals(runtime).status(TRIP, record).waiting_for == ["mike"]

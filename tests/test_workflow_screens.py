"""The approval screens, used as people use them: the panel on a record, its buttons, the inbox and bulk approve."""

from __future__ import annotations

import re
from datetime import date
from io import BytesIO

import pytest
import sqlalchemy as sa
from werkzeug.test import Client

from conftest import PASSWORD, Platform, counting, csrf_token, login
from formwork.workflow.engine import Approvals
from formwork.workflow.tables import TASKS
from workflow_org import PEOPLE, company, employee_id, leave, new_record, open_task

SLUG = "wfui"
LEAVE = "oa.leave_request"
#: what a tenant admin grants everyone here: the leave request screens and the inbox
STAFF_RIGHTS = [
    ("can_show", "OaLeaveRequestView"),
    ("can_edit", "OaLeaveRequestView"),
    ("can_list", "OaLeaveRequestView"),
    ("can_inbox", "ApprovalInbox"),
    ("menu_access", "Approval inbox"),
]


@pytest.fixture(scope="module")
def runtime(platform: Platform):
    runtime = company(platform, platform.catalog, SLUG, ["core", "oa"])
    apps = platform.app.tenant_apps
    app = apps.get(apps.tenant(SLUG))
    with app.app_context():
        sm = app.appbuilder.sm
        staff = sm.add_role("Staff")
        for permission, view in STAFF_RIGHTS:
            sm.add_permission_role(staff, sm.find_permission_view_menu(permission, view))
        for name in PEOPLE:
            user = sm.find_user(username=name)
            user.roles.append(staff)
            sm.update_user(user)
    return runtime


@pytest.fixture(scope="module")
def people(platform: Platform, runtime) -> dict[str, Client]:
    clients = {}
    for name in ("erin", "mike", "sam", "dora"):
        clients[name] = platform.client()
        assert login(clients[name], SLUG, name).status_code == 302
    return clients


@pytest.fixture
def approvals(runtime) -> Approvals:
    return Approvals(runtime)


def show(client: Client, record: int) -> str:
    page = client.get(f"/t/{SLUG}/oa_leave_request/show/{record}")
    assert page.status_code == 200
    return page.text


def act(client: Client, record: int, action: str, **form: str | list[str]):
    token = csrf_token(client.get(f"/t/{SLUG}/oa_leave_request/show/{record}").text)
    return client.post(
        f"/t/{SLUG}/oa_leave_request/approval/{record}/{action}",
        data={"csrf_token": token, **form},
        follow_redirects=True,
    )


def buttons(html: str) -> set[str]:
    panel = html[html.index('id="fw-approval"') :]
    return set(re.findall(r'<button type="submit"[^>]*data-action="(\w+)"', panel))


def status_badge(html: str) -> str:
    match = re.search(r'fw-approval-status" data-status="(\w+)">\s*([^<]*)</span>', html)
    assert match, "the page has no approval status"
    return " ".join(match.group(2).split())


def test_each_person_sees_the_status_and_the_buttons_they_may_press(people, runtime) -> None:
    record = leave(runtime)
    draft = show(people["erin"], record)
    assert status_badge(draft) == "Draft"
    assert buttons(draft) == {"submit"}
    assert "Nothing has happened yet." in draft

    submitted = act(people["erin"], record, "submit", comment="family trip")
    assert "Submitted for approval." in submitted.text
    assert status_badge(submitted.text) == "In approval · Manager"
    assert buttons(submitted.text) == {"urge", "withdraw"}  # comments: the activity's one comment box
    timeline = submitted.text[submitted.text.index("fw-approval-timeline") :]
    assert (
        re.search(r"<td>Erin Test</td>\s*<td>Submitted</td>", timeline) and "family trip" in timeline
    )  # people by name
    assert re.search(r"<td>System</td>\s*<td>Step started</td>\s*<td>Manager</td>", timeline)

    manager = show(people["mike"], record)
    assert buttons(manager) == {"approve", "reject", "transfer", "add_before", "add_after"}
    assert re.search(
        r'data-assignee="mike" data-status="pending">\s*<td>Mike Test</td>\s*<td>Waiting for decision</td>', manager
    )
    assert buttons(show(people["sam"], record)) == set()  # not involved: may only comment, in the timeline


def test_only_someone_who_may_edit_the_record_and_owns_it_may_submit_it(
    platform: Platform, people, runtime, approvals
) -> None:
    record, submitted = leave(runtime), leave(runtime)  # erin's
    approvals.submit(LEAVE, submitted, "erin")

    def post_submit(client: Client) -> str:  # the draft's page offers them no form: a token from another page
        token = csrf_token(show(client, submitted))
        return client.post(
            f"/t/{SLUG}/oa_leave_request/approval/{record}/submit", data={"csrf_token": token}, follow_redirects=True
        ).text

    assert buttons(show(people["sam"], record)) == set()
    assert "Refused: only the person who created this Leave request record" in post_submit(people["sam"])
    assert approvals.status(LEAVE, record) is None
    apps = platform.app.tenant_apps
    app = apps.get(apps.tenant(SLUG))
    with app.app_context():
        sm = app.appbuilder.sm
        viewer = sm.add_role("Leave viewer")
        for permission in ("can_show", "can_list"):
            sm.add_permission_role(viewer, sm.find_permission_view_menu(permission, "OaLeaveRequestView"))
        sm.add_user("vera", "Vera", "Test", "vera@example.com", [viewer], password=PASSWORD)
    vera = platform.client()
    assert login(vera, SLUG, "vera").status_code == 302
    vera_made = new_record(
        runtime,
        LEAVE,
        "vera",
        employee_id=employee_id(runtime, "erin"),
        leave_type="annual",
        start_date=date(2030, 5, 1),
        end_date=date(2030, 5, 10),
        days=1,
        reason="holiday",
    )
    assert buttons(show(vera, vera_made)) == set()  # her own record, but she may not edit it
    assert "Refused: You may not edit this record, so you cannot submit it for approval." in post_submit(vera)
    assert approvals.status(LEAVE, record) is None
    assert "Submitted for approval." in act(people["erin"], record, "submit").text


def test_approving_moves_the_record_and_a_second_approval_is_refused(people, runtime, approvals) -> None:
    record = leave(runtime)
    act(people["erin"], record, "submit")
    task = open_task(approvals, approvals.status(LEAVE, record).instance_id, "mike")

    approved = act(people["mike"], record, "approve", task=str(task), comment="enjoy")
    assert "Approved." in approved.text
    assert status_badge(approved.text) == "Approved"
    assert approvals.status(LEAVE, record).status == "approved"
    assert not buttons(approved.text)

    again = act(people["mike"], record, "approve", task=str(task))
    assert "Already decided: this task was already decided by mike (Approved)" in again.text
    assert [e.action for e in approvals.history(approvals.status(LEAVE, record).instance_id)].count("approve") == 1


def test_reject_returns_it_and_the_submitter_may_submit_again(people, runtime, approvals) -> None:
    record = leave(runtime)
    act(people["erin"], record, "submit")
    task = open_task(approvals, approvals.status(LEAVE, record).instance_id, "mike")
    rejected = act(people["mike"], record, "reject", task=str(task), comment="busy week")
    assert "Rejected." in rejected.text and status_badge(rejected.text) == "Returned for changes"
    page = show(people["erin"], record)
    assert "submit" in buttons(page) and "busy week" in page
    assert "Submitted for approval." in act(people["erin"], record, "submit").text
    assert approvals.status(LEAVE, record).round == 2


def test_transfer_hands_the_buttons_to_the_new_approver(people, runtime, approvals) -> None:
    record = leave(runtime)
    act(people["erin"], record, "submit")
    task = open_task(approvals, approvals.status(LEAVE, record).instance_id, "mike")
    moved = act(people["mike"], record, "transfer", task=str(task), person="dora")
    assert "Transferred." in moved.text and "→ Dora Test" in moved.text  # the new approver by name
    assert "approve" not in buttons(moved.text)
    assert "approve" in buttons(show(people["dora"], record))
    unknown = act(
        people["dora"],
        record,
        "transfer",
        task=str(open_task(approvals, approvals.status(LEAVE, record).instance_id, "dora")),
        person="nobody",
    )
    assert "Refused: &#39;nobody&#39; is not an active user" in unknown.text


def test_withdraw_urge_and_comment_by_the_submitter(people, runtime, approvals) -> None:
    record = leave(runtime)
    act(people["erin"], record, "submit")
    assert "Reminder sent." in act(people["erin"], record, "urge", comment="please").text
    comment = act(people["sam"], record, "comment", comment="<script>alert(1)</script>")
    assert "Comment added." in comment.text
    assert "<script>alert(1)</script>" not in comment.text and "&lt;script&gt;alert(1)&lt;/script&gt;" in comment.text
    assert "Write a comment first." in act(people["sam"], record, "comment", comment=" ").text
    withdrawn = act(people["erin"], record, "withdraw")
    assert "Withdrawn." in withdrawn.text and status_badge(withdrawn.text) == "Withdrawn"
    refused = act(people["erin"], record, "withdraw")
    assert "Already decided: the request is no longer in approval (Withdrawn)" in refused.text


def test_a_post_without_the_csrf_token_is_refused(people, runtime, approvals) -> None:
    record = leave(runtime)
    act(people["erin"], record, "submit")
    task = open_task(approvals, approvals.status(LEAVE, record).instance_id, "mike")
    forged = people["mike"].post(f"/t/{SLUG}/oa_leave_request/approval/{record}/approve", data={"task": str(task)})
    assert forged.status_code == 400 and "CSRF" in forged.text
    assert approvals.status(LEAVE, record).status == "pending"


def test_another_users_task_is_not_found(people, runtime, approvals) -> None:
    record, other = leave(runtime), leave(runtime)
    act(people["erin"], record, "submit")
    act(people["erin"], other, "submit")
    task = open_task(approvals, approvals.status(LEAVE, record).instance_id, "mike")
    token = csrf_token(show(people["sam"], record))
    assert (
        people["sam"]
        .post(f"/t/{SLUG}/oa_leave_request/approval/{record}/approve", data={"csrf_token": token, "task": str(task)})
        .status_code
        == 404
    )
    # mike's own task, posted on another record's page
    assert (
        people["mike"]
        .post(
            f"/t/{SLUG}/oa_leave_request/approval/{other}/approve",
            data={"csrf_token": csrf_token(show(people["mike"], other)), "task": str(task)},
        )
        .status_code
        == 404
    )
    assert (
        people["sam"].post(f"/t/{SLUG}/approvals/approve", data={"csrf_token": token, "task": str(task)}).status_code
        == 404
    )
    assert (
        people["sam"].post(f"/t/{SLUG}/oa_leave_request/approval/{record}/nope", data={"csrf_token": token}).status_code
        == 404
    )
    assert approvals.status(LEAVE, record).status == "pending"


def inbox(client: Client, tab: str = "to_approve") -> str:
    page = client.get(f"/t/{SLUG}/approvals/{tab}/")
    assert page.status_code == 200
    return page.text


def tab_count(html: str, tab: str) -> int:
    return int(tab_count_text(html, tab))


def open_count(runtime) -> int:
    session = runtime.session()
    try:
        return session.execute(
            sa.select(sa.func.count()).select_from(TASKS).where(TASKS.c.assignee == "mike", TASKS.c.status == "pending")
        ).scalar_one()
    finally:
        runtime.session.remove()


def test_the_inbox_tabs_and_the_menu_count(people, runtime, approvals) -> None:
    first, second = leave(runtime), leave(runtime)
    act(people["erin"], first, "submit")
    act(people["erin"], second, "submit")
    waiting = open_count(runtime)
    mine = inbox(people["mike"])
    assert f"Approvals ({waiting})" in mine
    assert tab_count(mine, "to_approve") == waiting
    for record in (first, second):
        assert f'href="/t/{SLUG}/oa_leave_request/show/{record}"' in mine
    assert "Leave approval" in mine

    act(
        people["mike"],
        first,
        "approve",
        task=str(open_task(approvals, approvals.status(LEAVE, first).instance_id, "mike")),
    )
    after = inbox(people["mike"], "done")
    assert f"Approvals ({waiting - 1})" in after and tab_count(after, "done") >= 1
    assert f'/oa_leave_request/show/{first}"' in after

    submitted = inbox(people["erin"], "submitted")
    assert f'/oa_leave_request/show/{second}"' in submitted and "Mike Test" in submitted  # waiting for mike
    copied = inbox(people["erin"], "cc")  # the leave chain copies the employee at the end
    assert f'/oa_leave_request/show/{first}"' in copied and f'/oa_leave_request/show/{second}"' not in copied
    assert f'/show/{first}"' not in inbox(people["sam"], "cc")
    assert people["mike"].get(f"/t/{SLUG}/approvals/everything/").status_code == 404


def test_the_inbox_reads_a_fixed_number_of_queries_whatever_its_length(people, runtime) -> None:
    act(people["erin"], leave(runtime), "submit")
    engine = runtime.session.get_bind()
    with counting(engine) as statements:
        inbox(people["mike"])
    few = len(statements)
    for _ in range(3):
        act(people["erin"], leave(runtime), "submit")
    with counting(engine) as statements:
        inbox(people["mike"])
    assert few > 0 and len(statements) == few
    assert sum("formwork_approval_task" in s and "count(" in s.lower() for s in statements) == 1  # menu + tabs share it


def test_bulk_approve_decides_each_task_and_sums_up(people, runtime, approvals) -> None:
    records = [leave(runtime) for _ in range(3)]
    for record in records:
        act(people["erin"], record, "submit")
    tasks = [open_task(approvals, approvals.status(LEAVE, r).instance_id, "mike") for r in records]
    approvals.approve(tasks[0], "mike")  # decided in another tab meanwhile
    page = inbox(people["mike"])
    done = people["mike"].post(
        f"/t/{SLUG}/approvals/approve",
        follow_redirects=True,
        data={"csrf_token": csrf_token(page), "task": [str(t) for t in tasks], "comment": "ok"},
    )
    assert "2 approved, 1 already decided" in done.text
    assert all(approvals.status(LEAVE, r).status == "approved" for r in records)
    nothing = people["mike"].post(
        f"/t/{SLUG}/approvals/approve", follow_redirects=True, data={"csrf_token": csrf_token(page)}
    )
    assert "Select the tasks to approve first." in nothing.text
    forged = people["mike"].post(f"/t/{SLUG}/approvals/approve", data={"task": str(tasks[0])})
    assert forged.status_code == 400


def test_the_screens_follow_the_users_language(people, runtime, approvals) -> None:
    record = leave(runtime)
    act(people["erin"], record, "submit")
    mike = people["mike"]
    mike.get(f"/t/{SLUG}/lang/zh")
    try:
        page = show(mike, record)
        assert "审批中 · 直属上级" in status_badge(page)
        assert ">同意</button>" in page and ">驳回</button>" in page and "审批记录" in page
        listing = inbox(mike)
        assert "待我审批" in listing and "抄送我的" in listing and re.search(r"审批 \(\d+\)", listing)
        task = open_task(approvals, approvals.status(LEAVE, record).instance_id, "mike")
        assert "已同意。" in act(mike, record, "approve", task=str(task)).text
        assert "已被处理：该任务已由 mike 处理（已同意）" in act(mike, record, "approve", task=str(task)).text
    finally:
        mike.get(f"/t/{SLUG}/lang/en")


def test_the_edit_page_shows_the_panel_too(people, runtime) -> None:
    record = leave(runtime)
    page = people["erin"].get(f"/t/{SLUG}/oa_leave_request/edit/{record}")
    assert page.status_code == 200 and 'id="fw-approval"' in page.text
    assert 'name="back" value="edit"' in page.text


def test_files_attached_to_a_decision_are_listed_and_served_to_record_viewers(
    platform: Platform, people, runtime, approvals
) -> None:
    record, other = leave(runtime), leave(runtime)
    act(people["erin"], record, "submit")
    act(people["erin"], other, "submit")
    task = open_task(approvals, approvals.status(LEAVE, record).instance_id, "mike")
    fake = act(people["mike"], record, "approve", task=str(task), attachments=(BytesIO(b"MZ not a pdf"), "receipt.pdf"))
    assert "Refused: The file&#39;s content does not match its name." in fake.text
    assert approvals.status(LEAVE, record).status == "pending"

    pdf = b"%PDF-1.4 a receipt"
    approved = act(
        people["mike"],
        record,
        "approve",
        task=str(task),
        comment="receipt attached",
        attachments=(BytesIO(pdf), "receipt.pdf"),
    )
    assert "Approved." in approved.text
    link = re.search(r'href="(/t/wfui/oa_leave_request/approval/\d+/file/(\w+))">receipt.pdf</a>', approved.text)
    assert link, approved.text
    download = people["sam"].get(link.group(1))
    assert (
        download.status_code == 200
        and download.data == pdf
        and "receipt.pdf" in download.headers["Content-Disposition"]
    )
    assert people["sam"].get(f"/t/{SLUG}/oa_leave_request/approval/{other}/file/{link.group(2)}").status_code == 404
    assert people["sam"].get(f"/t/{SLUG}/oa_leave_request/approval/{record}/file/nokey").status_code == 404
    stored = platform.settings.instance / "files" / SLUG
    before = sorted(p for p in stored.rglob("*") if p.is_file())
    late = act(people["mike"], record, "approve", task=str(task), attachments=(BytesIO(pdf), "again.pdf"))
    assert "Already decided" in late.text
    assert sorted(p for p in stored.rglob("*") if p.is_file()) == before  # the refused action's file is gone again


def test_long_tabs_are_paged_and_counting_stops_at_the_limit(people, runtime, monkeypatch) -> None:
    from formwork.workflow import inbox as rows

    for _ in range(3):
        act(people["erin"], leave(runtime), "submit")
    monkeypatch.setattr(rows, "PAGE_SIZE", 2)
    waiting = open_count(runtime)
    first = inbox(people["mike"])
    assert first.count('name="task"') == 2 and f"Page 1 / {-(-waiting // 2)}" in first
    assert f'href="/t/{SLUG}/approvals/to_approve/?page=2"' in first
    monkeypatch.setattr(rows, "COUNT_LIMIT", 2)
    capped = inbox(people["mike"])
    assert "Approvals (2+)" in capped and tab_count_text(capped, "to_approve") == "2+"
    assert "Page 1<" in capped and "?page=2" in capped  # no last page to show, but the page is full: there is a next


def tab_count_text(html: str, tab: str) -> str:
    match = re.search(rf'data-tab="{tab}">[^<]*<span class="badge">([^<]+)</span>', html)
    assert match
    return match.group(1)


def test_attachments_stay_as_they_are_while_the_record_is_in_approval(people, runtime, approvals) -> None:
    record = leave(runtime)
    erin = people["erin"]

    def upload(name: str):
        token = csrf_token(show(erin, record))
        return erin.post(
            f"/t/{SLUG}/oa_leave_request/attachments/{record}",
            follow_redirects=True,
            data={"csrf_token": token, "files": (BytesIO(b"%PDF-1.4\n" + name.encode()), name)},
            content_type="multipart/form-data",
        )

    assert "Attached." in upload("before.pdf").text
    act(erin, record, "submit")
    refused = upload("during.pdf")
    assert "Locked while in approval." in refused.text and "during.pdf" not in refused.text
    approvals.withdraw(approvals.status(LEAVE, record).instance_id, "erin")
    assert "Attached." in upload("after.pdf").text

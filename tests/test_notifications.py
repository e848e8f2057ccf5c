"""Notifications: approvals reach the inbox and the mail queue, the worker sends through a real (local) SMTP server,
refusals are retried and recorded, preferences hold, the navbar badge counts, follows report changes, and nobody
sees anyone else's notifications. The clock is moved, never waited for: `run_tenant(runtime, now, mailer)`."""

from __future__ import annotations

import email
import email.policy
import logging
import re
import socketserver
import threading
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from werkzeug.test import Client

from conftest import PASSWORD, Platform, catalog_with_pack, csrf_token, jwt, login
from formwork import create_app
from formwork.compile.models import utcnow
from formwork.definitions.loader import builtin_definitions, load_catalog
from formwork.notify.mail import LogMailer, SmtpMailer, mailer_for
from formwork.notify.outbox import MAX_ATTEMPTS, send_due
from formwork.notify.sending import notify, record_changed
from formwork.notify.tables import FOLLOWERS, NOTIFICATIONS, OUTBOX
from formwork.notify.templates import render
from formwork.tenancy.apps import build_tenant_app
from formwork.tenancy.cache import TenantApps
from formwork.tenancy.provision import create_tenant
from formwork.tenancy.registry import find_tenant
from formwork.tenancy.worker import tick
from formwork.workflow.engine import Approvals
from workflow_org import PEOPLE, company, employee_id, leave, open_task

SLUG, OTHER = "notes", "notes2"
API = f"/t/{SLUG}/api/v1/notifications"
LEAVE = "oa.leave_request"
#: a pack with its own texts for "approval needed" on leave requests (the other events keep the platform's)
PACK = """\
kind: Pack
name: alerts
version: 1.0.0
requires: {core: ">=0.1.0", oa: ">=0.1.0"}
---
kind: Notification
event: approval_needed
entity: oa.leave_request
subject: {en: "Leave to approve: {record}", zh: "请假待审批：{record}"}
body: {en: "{actor} asks for leave ({step}).", zh: "{actor} 申请请假（{step}）。"}
"""


# -- a local SMTP server that accepts, or refuses with a 5xx ----------------------------------------
class SmtpHandler(socketserver.StreamRequestHandler):
    """Just enough SMTP for smtplib: EHLO, MAIL, RCPT, DATA, QUIT; the end of DATA is refused while `server.refuse`."""

    def reply(self, text: str) -> None:
        self.wfile.write(f"{text}\r\n".encode())

    def handle(self) -> None:
        self.reply("220 test.local ESMTP")
        lines: list[bytes] | None = None
        while line := self.rfile.readline():
            if lines is not None:
                if line.rstrip(b"\r\n") == b".":
                    self._end_of_data(b"".join(lines))
                    lines = None
                else:
                    lines.append(line[1:] if line.startswith(b"..") else line)
                continue
            command = line[:4].upper()
            if command == b"DATA":
                self.reply("354 go ahead")
                lines = []
            elif command == b"QUIT":
                self.reply("221 bye")
                return
            elif command in (b"EHLO", b"HELO", b"MAIL", b"RCPT", b"RSET", b"NOOP"):
                self.reply("250 OK")
            else:
                self.reply("502 not implemented")

    def _end_of_data(self, data: bytes) -> None:
        if self.server.refuse:  # type: ignore[attr-defined]
            self.reply("550 5.7.1 refused by policy")
        else:
            self.server.received.append(email.message_from_bytes(data, policy=email.policy.default))  # type: ignore[attr-defined]
            self.reply("250 queued")


class SmtpServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), SmtpHandler)
        self.refuse = False
        self.received: list[email.message.EmailMessage] = []

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.server_address[1]}?from=formwork@test.local"


@pytest.fixture(scope="module")
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


# -- the tenant -----------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def site(platform: Platform, tmp_path_factory: pytest.TempPathFactory):
    """The company of workflow_org with the alerts pack; everyone holds the oa pack's `employee` role (their own
    leave requests, and the notification rights every pack role gets). Returns (runtime, client, catalog)."""
    catalog = catalog_with_pack(tmp_path_factory.mktemp("alerts") / "alerts", PACK)
    runtime = company(platform, catalog, SLUG, ["core", "oa", "alerts"])
    app = build_tenant_app(platform.settings, find_tenant(platform.settings.database_url, SLUG), catalog)
    with app.app_context():
        sm = app.appbuilder.sm
        employee = sm.find_role("employee")
        for name in PEOPLE:
            user = sm.find_user(username=name)
            user.roles = [employee]
            sm.update_user(user)
    runtime.session.remove()
    return runtime, Client(create_app(platform.settings, catalog)), catalog


@pytest.fixture(scope="module")
def tokens(site) -> dict[str, dict[str, str]]:
    _, client, _ = site
    return {name: jwt(client, SLUG, name) for name in ("admin", "erin", "mike", "sam", "dora")}


def call(site, tokens, method: str, path: str, user: str, body: dict | None = None):
    _, client, _ = site
    return client.open(f"{API}{path}", method=method, json=body, headers=tokens[user])


def listed(site, tokens, user: str, **query: str) -> dict:
    suffix = "?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else ""
    response = call(site, tokens, "GET", f"/{suffix}", user)
    assert response.status_code == 200, response.text
    return response.json


def outbox(runtime, recipient: str) -> list:
    session = runtime.session()
    try:
        return session.execute(sa.select(OUTBOX).where(OUTBOX.c.recipient == recipient).order_by(OUTBOX.c.id)).all()
    finally:
        runtime.session.remove()


def number_of(runtime, record_id: int) -> str:
    session = runtime.session()
    try:
        return session.get(runtime.compiled.model(LEAVE), record_id).number
    finally:
        runtime.session.remove()


def send(site, smtp: SmtpServer, at: timedelta = timedelta(seconds=1)):
    """The worker's mail step alone (a whole tick would also run the leave chain's reminders and timeouts)."""
    runtime, _, _ = site
    return send_due(runtime, mailer_for(smtp.url), utcnow() + at)


def tell(runtime, event: str, recipient: str, **data: str) -> None:
    """A notification through the public API, as another part of the platform would send it."""
    session = runtime.session()
    notify(session, event=event, recipients=[recipient], entity=None, record_id=None, actor="erin", data=data)
    session.commit()
    runtime.session.remove()


def browser(site, user: str) -> Client:
    """A browser signed in as `user` (cookies of its own)."""
    client = Client(site[1].application)
    assert login(client, SLUG, user).status_code == 302
    return client


# -- approvals -> inbox and outbox ----------------------------------------------------------------------
def test_approval_needed_reaches_the_approvers_inbox_in_the_pack_texts_and_queues_a_mail(site, tokens):
    runtime, _, _ = site
    record = leave(runtime, "erin")
    Approvals(runtime).submit(LEAVE, record, "erin")
    number = number_of(runtime, record)

    mine = listed(site, tokens, "mike")
    assert mine["count"] == 1 and mine["unread"] == 1
    item = mine["result"][0]
    assert (item["event"], item["entity"], item["record_id"], item["actor"]) == (
        "approval_needed",
        LEAVE,
        record,
        "erin",
    )
    assert item["subject"] == f"Leave to approve: {number}"
    assert item["body"] == "Erin Test asks for leave (Manager)."  # people by name; `actor` stays the login
    chinese = listed(site, tokens, "mike", language="zh")["result"][0]
    assert chinese["subject"] == f"请假待审批：{number}" and chinese["body"] == "Erin Test 申请请假（直属上级）。"
    assert [row.status for row in outbox(runtime, "mike")] == ["pending"]
    assert listed(site, tokens, "erin")["count"] == 0  # never told of one's own action


def test_the_decision_reaches_the_submitter_in_the_platform_texts(site, tokens):
    runtime, _, _ = site
    approvals = Approvals(runtime)
    record = leave(runtime, "erin")
    instance = approvals.submit(LEAVE, record, "erin")
    approvals.approve(open_task(approvals, instance, "mike"), "mike")

    decided = [n for n in listed(site, tokens, "erin")["result"] if n["event"] == "approval_decided"]
    assert len(decided) == 1 and decided[0]["actor"] == "mike"
    assert decided[0]["subject"] == f"Leave request {number_of(runtime, record)} was approved"
    assert "已通过" in listed(site, tokens, "erin", language="zh")["result"][0]["subject"]


def test_urging_reminds_the_people_the_request_waits_for(site, tokens):
    runtime, _, _ = site
    approvals = Approvals(runtime)
    instance = approvals.submit(LEAVE, leave(runtime, "erin"), "erin")
    approvals.urge(instance, "erin", comment="please, the flights")
    reminder = [n for n in listed(site, tokens, "mike")["result"] if n["event"] == "reminder"]
    assert len(reminder) == 1 and "please, the flights" in reminder[0]["body"]


def test_a_transferred_task_is_assigned_to_its_new_approver(site, tokens):
    runtime, _, _ = site
    approvals = Approvals(runtime)
    instance = approvals.submit(LEAVE, leave(runtime, "sam"), "sam")
    approvals.transfer(open_task(approvals, instance, "mike"), "mike", "dora")
    assigned = [n for n in listed(site, tokens, "dora")["result"] if n["event"] == "assigned"]
    assert len(assigned) == 1 and assigned[0]["subject"].endswith("was assigned to you")
    assert assigned[0]["actor"] == "mike" and assigned[0]["body"].startswith("Mike Test assigned ")


# -- the worker sends -------------------------------------------------------------------------------------
def test_the_worker_sends_the_queued_mails_over_smtp_once(platform, site, smtp):
    runtime, _, catalog = site
    smtp.received.clear()
    mailer = mailer_for(smtp.url, site_url="https://work.example.com")
    ticked = tick(TenantApps(platform.settings, catalog), utcnow() + timedelta(seconds=1), mailer=mailer)
    assert [t.slug for t in ticked] == [SLUG]
    done = ticked[0].done
    assert "e-mail(s) sent" in ticked[0].describe()
    assert done["sent"] >= 2 and not done["retry"]
    to_mike = [m for m in smtp.received if m["To"] == "mike@example.com"]
    assert to_mike and to_mike[0]["From"] == "formwork@test.local"
    assert any(m["Subject"].startswith("Leave to approve: ") for m in to_mike)
    links = re.findall(rf"https://work\.example\.com/t/{SLUG}/notifications/open/(\d+)", to_mike[0].get_content())
    assert links, to_mike[0].get_content()  # the mail opens its notification, and through it the record
    opened = browser(site, "mike").get(f"/t/{SLUG}/notifications/open/{links[0]}")
    assert opened.status_code == 302 and "/oa_leave_request/show/" in opened.headers["Location"]
    assert all(
        row.status == "sent" and row.sent_at is not None and row.attempts == 1 for row in outbox(runtime, "mike")
    )
    assert send(site, smtp)["sent"] == 0  # sent once, never again


def test_a_refused_mail_is_retried_with_backoff_and_recorded(site, smtp):
    runtime, _, _ = site
    tell(runtime, "reminder", "sam", record="R-1")
    smtp.refuse, smtp.received[:] = True, []
    try:
        assert send(site, smtp)["retry"] == 1
        row = outbox(runtime, "sam")[-1]
        assert (row.status, row.attempts) == ("pending", 1)
        assert "550" in row.last_error and "refused by policy" in row.last_error
        assert row.next_attempt_at > utcnow() + timedelta(seconds=30)  # backs off
        assert send(site, smtp, timedelta(seconds=20)) == {}  # not due yet: not tried again
    finally:
        smtp.refuse = False
    assert send(site, smtp, timedelta(minutes=2))["sent"] == 1
    row = outbox(runtime, "sam")[-1]
    assert (row.status, row.attempts) == ("sent", 2)
    assert [m["To"] for m in smtp.received] == ["sam@example.com"]


def test_a_mail_refused_every_time_is_failed_after_the_last_attempt_and_kept(site, smtp):
    runtime, _, _ = site
    tell(runtime, "reminder", "sam", record="R-2")
    smtp.refuse = True
    try:
        outcomes = [send(site, smtp, timedelta(days=attempt + 1)) for attempt in range(MAX_ATTEMPTS + 1)]
    finally:
        smtp.refuse = False
    assert [o.get("retry", 0) for o in outcomes[:-2]] == [1] * (MAX_ATTEMPTS - 1)
    assert outcomes[-2]["failed"] == 1 and outcomes[-1] == {}
    row = outbox(runtime, "sam")[-1]
    assert (row.status, row.attempts) == ("failed", MAX_ATTEMPTS) and "550" in row.last_error


def test_admins_see_failed_mails_and_send_them_again(site, smtp):
    runtime, _, _ = site
    failed = outbox(runtime, "sam")[-1]
    assert failed.status == "failed"
    admin = browser(site, "admin")
    assert 'href="/t/notes/notifications/outbox"' in admin.get(f"/t/{SLUG}/notifications/").text
    page = admin.get(f"/t/{SLUG}/notifications/outbox?status=failed")
    assert page.status_code == 200 and f'data-mail="{failed.id}" data-status="failed"' in page.text
    assert "refused by policy" in page.text
    again = admin.post(f"/t/{SLUG}/notifications/outbox/{failed.id}/retry", data={"csrf_token": csrf_token(page.text)})
    assert again.status_code == 302
    assert (
        admin.post(
            f"/t/{SLUG}/notifications/outbox/{failed.id}/retry", data={"csrf_token": csrf_token(page.text)}
        ).status_code
        == 404
    )  # not failed any more
    assert send(site, smtp, timedelta(days=20))["sent"] >= 1
    assert outbox(runtime, "sam")[-1].status == "sent"

    sam = browser(site, "sam")  # the employee role has the inbox, not the outbox
    assert "notifications/outbox" not in sam.get(f"/t/{SLUG}/notifications/").text
    refused = sam.get(f"/t/{SLUG}/notifications/outbox")
    assert refused.status_code == 403 and "refused by policy" not in refused.text


class CountingMailer:
    """Records what it sends, slowly, so two workers overlap."""

    sender = "formwork@test.local"
    site_url = ""

    def __init__(self) -> None:
        self.sent: list[str] = []
        self.lock = threading.Lock()

    def send(self, message) -> None:
        threading.Event().wait(0.01)
        with self.lock:
            self.sent.append(message["Subject"])


def test_two_workers_at_once_send_each_mail_once(site):
    runtime, _, _ = site
    for n in range(12):
        tell(runtime, "mentioned", "fred", record=f"P-{n}")
    mailer, later = CountingMailer(), utcnow() + timedelta(days=90)
    workers = [threading.Thread(target=send_due, args=(runtime, mailer, later)) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    mine = sorted(subject for subject in mailer.sent if "P-" in subject)
    assert mine == sorted(f"erin mentioned you on P-{n}" for n in range(12))
    assert all(row.status == "sent" and row.attempts == 1 for row in outbox(runtime, "fred"))


def test_an_unreachable_server_is_retried_too(site):
    runtime, _, _ = site
    tell(runtime, "reminder", "sam", record="R-3")
    closed = SmtpServer()
    url = closed.url
    closed.server_close()  # nobody listens there now
    assert send_due(runtime, mailer_for(url), utcnow() + timedelta(seconds=1))["retry"] == 1
    assert outbox(runtime, "sam")[-1].status == "pending"


def test_without_an_smtp_url_mails_go_to_the_log(site, smtp, caplog):
    runtime, _, _ = site
    tell(runtime, "mentioned", "dora", record="R-4", comment="have a look")
    with caplog.at_level(logging.INFO, logger="formwork.notify.mail"):
        assert send_due(runtime, LogMailer(), utcnow() + timedelta(days=30))["sent"] >= 1
    assert "dora@example.com" in caplog.text and "erin mentioned you" in caplog.text


def test_smtp_urls():
    assert isinstance(mailer_for(""), LogMailer)
    secure = mailer_for("smtps://mailer:p%40ss@mail.example.com?from=noreply@example.com")
    assert secure == SmtpMailer("mail.example.com", 465, "noreply@example.com", "mailer", "p@ss", implicit_tls=True)
    assert mailer_for("smtp://mail.example.com:587?starttls=1").starttls
    with pytest.raises(ValueError):
        mailer_for("http://mail.example.com")


# -- preferences ------------------------------------------------------------------------------------------
def test_preferences_decide_the_channels_and_bad_input_changes_nothing(site, tokens):
    runtime, _, _ = site
    before = call(site, tokens, "GET", "/preferences", "dora").json
    assert before["events"]["followed_changed"] == {"in_app": True, "email": False}  # the platform's defaults
    bad = call(
        site,
        tokens,
        "PUT",
        "/preferences",
        "dora",
        {
            "events": {"nonsense": {"in_app": True, "email": True}, "cc": {"in_app": "maybe", "email": True}},
            "language": "fr",
        },
    )
    assert bad.status_code == 400
    assert set(bad.json["message"]) == {"events", "language"}
    assert call(site, tokens, "GET", "/preferences", "dora").json == before

    changed = call(
        site,
        tokens,
        "PUT",
        "/preferences",
        "dora",
        {
            "events": {"cc": {"in_app": True, "email": False}, "reminder": {"in_app": False, "email": True}},
            "language": "zh",
        },
    )
    assert changed.status_code == 200 and changed.json["events"]["cc"] == {"in_app": True, "email": False}
    mails = len(outbox(runtime, "dora"))
    tell(runtime, "cc", "dora", record="C-1")
    assert len(outbox(runtime, "dora")) == mails  # no mail for cc any more
    assert listed(site, tokens, "dora", unread="true")["result"][0]["event"] == "cc"
    tell(runtime, "reminder", "dora", record="C-2")
    assert [n["event"] for n in listed(site, tokens, "dora")["result"]].count("reminder") == 0  # mail only
    assert len(outbox(runtime, "dora")) == mails + 1


def test_mails_are_written_in_the_recipients_language(site, smtp):
    smtp.received.clear()
    send(site, smtp, timedelta(days=60))
    to_dora = [m for m in smtp.received if m["To"] == "dora@example.com"]
    assert [m["Subject"] for m in to_dora] == ["提醒： C-2 等待您处理"]


def test_the_preferences_screen_saves_with_its_csrf_token(platform, site):
    client = browser(site, "fred")
    page = client.get(f"/t/{SLUG}/notifications/preferences")
    assert page.status_code == 200 and "Notification settings" in page.text
    assert client.post(f"/t/{SLUG}/notifications/preferences", data={"language": "en"}).status_code == 400  # no token
    saved = client.post(
        f"/t/{SLUG}/notifications/preferences",
        data={"csrf_token": csrf_token(page.text), "language": "en", "mentioned-in_app": "on"},
    )
    assert saved.status_code == 302
    page = client.get(f"/t/{SLUG}/notifications/preferences")
    assert 'name="mentioned-in_app" checked' in page.text and 'name="mentioned-email" checked' not in page.text
    assert 'name="reminder-in_app" checked' not in page.text


# -- the inbox screen and its badge ---------------------------------------------------------------------------
def test_the_navbar_badge_counts_unread_and_mark_all_read_clears_it(site, tokens):
    client = browser(site, "mike")
    unread = listed(site, tokens, "mike")["unread"]
    assert unread >= 2
    page = client.get(f"/t/{SLUG}/notifications/")
    assert page.status_code == 200
    assert f'<span class="badge fw-unread" title="unread">{unread}</span>' in page.text
    assert "Leave to approve: " in page.text
    done = client.post(f"/t/{SLUG}/notifications/read", data={"csrf_token": csrf_token(page.text), "all": "1"})
    assert done.status_code == 302
    page = client.get(f"/t/{SLUG}/notifications/")
    assert "fw-unread" not in page.text and listed(site, tokens, "mike")["unread"] == 0


def test_opening_a_notification_marks_it_read_and_goes_to_the_record(site, tokens):
    runtime, client, _ = site
    record = leave(runtime, "sam")
    Approvals(runtime).submit(LEAVE, record, "sam")
    newest = listed(site, tokens, "mike", unread="true")["result"][0]
    client = browser(site, "mike")
    opened = client.get(f"/t/{SLUG}/notifications/open/{newest['id']}")
    assert opened.status_code == 302 and opened.headers["Location"].endswith(f"/oa_leave_request/show/{record}")
    assert listed(site, tokens, "mike")["unread"] == 0


def test_nobody_reads_or_marks_anyone_elses_notifications(platform, site, tokens):
    runtime, client, catalog = site
    tell(runtime, "mentioned", "mike", record="M-1", comment="secret plans")
    mikes = listed(site, tokens, "mike", unread="true")["result"][0]
    assert "secret plans" not in str(listed(site, tokens, "sam")) and "secret plans" not in str(
        listed(site, tokens, "admin")
    )
    assert call(site, tokens, "POST", "/read", "sam", {"ids": [mikes["id"]]}).json == {"changed": 0}
    assert listed(site, tokens, "mike")["unread"] == 1
    bad = call(site, tokens, "POST", "/read", "sam", {"ids": ["x"]})
    assert bad.status_code == 400 and "ids" in bad.json["message"]
    assert call(site, tokens, "POST", "/read", "sam", {}).json["message"] == {
        "ids": ["Give the ids to mark read, or all: true."]
    }
    client = browser(site, "sam")
    assert client.get(f"/t/{SLUG}/notifications/open/{mikes['id']}").status_code == 404
    assert "secret plans" not in client.get(f"/t/{SLUG}/notifications/").text
    assert client.get(f"/t/{SLUG}/api/v1/notifications/").status_code == 401  # the API takes JWTs, not the cookie

    create_tenant(platform.settings, catalog, OTHER, "Other", ["core", "oa", "alerts"], "admin", PASSWORD)
    other = client.open(f"/t/{OTHER}/api/v1/notifications/", headers=jwt(client, OTHER, "admin"))
    assert other.status_code == 200 and other.json["count"] == 0


# -- following a record --------------------------------------------------------------------------------
def test_following_a_record_brings_its_changes_and_only_readers_may_follow(site, tokens):
    runtime, client, _ = site
    record = leave(runtime, "erin")
    show = f"/t/{SLUG}/oa_leave_request/show/{record}"
    client = browser(site, "erin")
    page = client.get(show)
    assert page.status_code == 200 and 'data-following="no"' in page.text
    followed = client.post(
        f"/t/{SLUG}/oa_leave_request/follow/{record}", data={"csrf_token": csrf_token(page.text), "on": "1"}
    )
    assert followed.status_code == 302
    assert 'data-following="yes"' in client.get(show).text
    assert call(site, tokens, "GET", "/follows", "erin").json["result"][0]["record_id"] == record

    api = site[1]  # no session cookie: the JWT alone says who edits
    edited = api.open(
        f"/t/{SLUG}/api/v1/oa_leave_request/{record}",
        method="PUT",
        json={"reason": "family visit"},
        headers=tokens["admin"],
    )
    assert edited.status_code == 200, edited.text
    change = [n for n in listed(site, tokens, "erin")["result"] if n["event"] == "followed_changed"]
    assert len(change) == 1 and change[0]["actor"] == "admin"
    assert "holiday → family visit" in change[0]["body"]
    own = api.open(
        f"/t/{SLUG}/api/v1/oa_leave_request/{record}", method="PUT", json={"reason": "mine"}, headers=tokens["erin"]
    )
    assert own.status_code == 200, own.text
    assert len([n for n in listed(site, tokens, "erin")["result"] if n["event"] == "followed_changed"]) == 1

    # sam may not see erin's request (the employee role's record rules): neither screen nor API lets him follow it
    client = browser(site, "sam")
    token = csrf_token(client.get(f"/t/{SLUG}/notifications/").text)
    assert (
        client.post(f"/t/{SLUG}/oa_leave_request/follow/{record}", data={"csrf_token": token, "on": "1"}).status_code
        == 404
    )
    assert call(site, tokens, "POST", "/follow", "sam", {"entity": LEAVE, "id": record}).status_code == 404
    assert call(site, tokens, "POST", "/follow", "sam", {"entity": LEAVE, "id": "1"}).json["message"] == {
        "id": ["Not a valid integer."]
    }
    assert call(site, tokens, "GET", "/follows", "sam").json["result"] == []


def test_record_changed_tells_followers_but_not_the_actor(site, tokens):
    runtime, _, _ = site
    session = runtime.session()
    session.execute(
        sa.text(
            "INSERT INTO formwork_follower (username, entity, record_id, created_at) "
            "VALUES ('dora', 'oa.meeting', 7, :now), ('carl', 'oa.meeting', 7, :now)"
        ),
        {"now": utcnow()},
    )
    record_changed(
        session, entity="oa.meeting", record_id=7, actor="carl", changes={"room": ("A", "B"), "topic": "Plans"}
    )
    session.commit()
    rows = session.execute(
        sa.select(NOTIFICATIONS.c.recipient, NOTIFICATIONS.c.data).where(
            NOTIFICATIONS.c.event == "followed_changed", NOTIFICATIONS.c.entity == "oa.meeting"
        )
    ).all()
    runtime.session.remove()
    assert [(r.recipient, r.data["changes"]) for r in rows] == [("dora", "room: A → B; topic: Plans")]


def followed_changes(site, tokens, user: str, record_id: int) -> list[dict]:
    return [
        n
        for n in listed(site, tokens, user)["result"]
        if n["event"] == "followed_changed" and n["record_id"] == record_id
    ]


def test_followers_are_told_only_the_fields_they_may_see(site, tokens):
    """erin's employee role hides colleagues' phone numbers: following sam, she is not told of his phone."""
    runtime, client, _ = site
    sam = employee_id(runtime, "sam")
    assert call(site, tokens, "POST", "/follow", "erin", {"entity": "core.employee", "id": sam}).status_code == 200
    url = f"/t/{SLUG}/api/v1/core_employee/{sam}"
    assert client.open(url, method="PUT", json={"phone": "13800138000"}, headers=tokens["admin"]).status_code == 200
    assert followed_changes(site, tokens, "erin", sam) == []  # a change of hidden fields only: nothing at all
    both = client.open(url, method="PUT", json={"phone": "13900139000", "job_title": "Closer"}, headers=tokens["admin"])
    assert both.status_code == 200, both.text
    [told] = followed_changes(site, tokens, "erin", sam)
    assert "Closer" in told["body"] and "Phone" not in told["body"] and "139001" not in str(told)


def test_a_follower_who_may_no_longer_see_the_record_is_not_told_and_deleting_forgets_followers(site, tokens):
    runtime, client, _ = site
    record = leave(runtime, "erin")
    session = runtime.session()  # sam followed it once; his record rules no longer show him erin's requests
    session.execute(FOLLOWERS.insert().values(username="sam", entity=LEAVE, record_id=record, created_at=utcnow()))
    session.commit()
    runtime.session.remove()
    assert call(site, tokens, "POST", "/follow", "erin", {"entity": LEAVE, "id": record}).status_code == 200
    url = f"/t/{SLUG}/api/v1/oa_leave_request/{record}"
    assert client.open(url, method="PUT", json={"reason": "moving house"}, headers=tokens["admin"]).status_code == 200
    assert followed_changes(site, tokens, "sam", record) == []
    assert "moving house" in followed_changes(site, tokens, "erin", record)[0]["body"]

    assert client.open(url, method="DELETE", headers=tokens["admin"]).status_code == 200
    assert record not in [
        f["record_id"] for f in call(site, tokens, "GET", "/follows", "erin").json["result"] if f["entity"] == LEAVE
    ]
    session = runtime.session()
    left = session.execute(
        sa.select(FOLLOWERS).where(FOLLOWERS.c.entity == LEAVE, FOLLOWERS.c.record_id == record)
    ).all()
    runtime.session.remove()
    assert left == []


def test_a_mention_of_someone_who_may_not_see_the_record_is_refused(site, tokens):
    runtime, client, _ = site
    record = leave(runtime, "erin")
    url = f"/t/{SLUG}/api/v1/records/oa_leave_request/{record}/comments"
    refused = client.post(url, headers=tokens["admin"], json={"body": "@sam what do you think?"})
    assert refused.status_code == 400 and refused.json["message"] == {"body": ["@sam cannot see this record."]}
    assert "what do you think" not in str(listed(site, tokens, "sam"))
    assert client.get(url, headers=tokens["admin"]).json["count"] == 0
    assert client.post(url, headers=tokens["admin"], json={"body": "@erin enjoy"}).status_code == 201
    assert any(n["event"] == "mentioned" and n["record_id"] == record for n in listed(site, tokens, "erin")["result"])


def test_ids_no_table_can_store_are_refused_not_a_server_error(site, tokens):
    _, client, _ = site
    huge = call(site, tokens, "POST", "/follow", "erin", {"entity": LEAVE, "id": 2**64})
    assert huge.status_code == 400 and "id" in huge.json["message"]
    read = call(site, tokens, "POST", "/read", "erin", {"ids": [2**64]})
    assert read.status_code == 400 and "ids" in read.json["message"]
    assert (
        client.get(
            f"/t/{SLUG}/api/v1/approvals/records/{LEAVE}/99999999999999999999", headers=tokens["erin"]
        ).status_code
        == 404
    )
    assert (
        client.get(
            f"/t/{SLUG}/api/v1/approvals/records/{LEAVE}/99999999999999999999", headers=tokens["admin"]
        ).status_code
        == 404
    )
    submit = client.post(
        f"/t/{SLUG}/api/v1/approvals/submit", headers=tokens["admin"], json={"entity": LEAVE, "id": 2**64}
    )
    assert submit.status_code == 400 and "id" in submit.json["message"]
    assert browser(site, "erin").get(f"/t/{SLUG}/notifications/open/99999999999999999999").status_code == 404


# -- templates ------------------------------------------------------------------------------------------------
def test_bad_notification_templates_are_reported_with_file_and_line(tmp_path: Path):
    folder = tmp_path / "badnotes"
    folder.mkdir()
    (folder / "pack.yaml").write_text("kind: Pack\nname: badnotes\nversion: 1.0.0\n")
    (folder / "texts.yaml").write_text(
        "kind: Notification\nevent: payday\nsubject: Hi\nbody: Hello\n"
        "---\nkind: Notification\nevent: cc\nsubject: {en: 'Copy of {record.__class__}', zh: '抄送 {bogus}'}\nbody: '{record!r}'\n"
        "---\nkind: Notification\nevent: reminder\nentity: nowhere\nsubject: 'Missing {brace'\nbody: ok\n"
    )
    _, errors = load_catalog([builtin_definitions(), folder])
    found = [(e.line, e.path, e.message) for e in errors if e.file.endswith("texts.yaml")]
    assert found[0][:2] == (2, "event") and "'payday' is not one of" in found[0][2]
    messages = "\n".join(f"{line} {path}: {message}" for line, path, message in found)
    assert "8 subject.en: unknown placeholder {record.__class__}" in messages
    assert "8 subject.zh: unknown placeholder {bogus}" in messages
    assert "9 body: placeholder {record} takes no format or conversion" in messages
    assert "13 entity: entity 'badnotes.nowhere' is not defined" in messages
    assert "14 subject: " in messages


def test_rendering_never_reaches_into_objects():
    assert render("{record.__class__.__mro__} {record[0]} {record}", {"record": "R-1"}) == "  R-1"
    assert render("{unknown}: {missing brace", {}) == "{unknown}: {missing brace"


def test_openapi_lists_the_notification_routes_and_bodies(site, tokens):
    _, client, _ = site
    spec = client.get(f"/t/{SLUG}/api/v1/_openapi", headers=tokens["admin"]).json
    paths = spec["paths"]
    assert {
        f"/api/v1/notifications{path}" for path in ("/", "/unread", "/read", "/preferences", "/follow", "/follows")
    } <= set(paths)
    assert set(paths["/api/v1/notifications/preferences"]) == {"get", "put"}
    assert {"ReadSchema", "PreferencesSchema", "FollowSchema"} <= set(spec["components"]["schemas"])

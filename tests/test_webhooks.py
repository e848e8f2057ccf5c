"""Webhook delivery: queued in the caller's transaction, POSTed by the worker to a real (local) HTTP server with a
Standard Webhooks signature the receiver verifies, retried with backoff, failed and shown in the admin's log, never
sent twice by two workers, and kept off loopback and private addresses unless the operator lists them. The clock is
moved, never waited for."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import sqlalchemy as sa
from standardwebhooks import Webhook
from werkzeug.test import Client

from conftest import PASSWORD, Platform, csrf_token, login
from formwork.automation import webhooks
from formwork.automation.webhooks.delivery import BACKOFF, MAX_ATTEMPTS, claim
from formwork.automation.webhooks.registration import WEBHOOKS_DUE
from formwork.automation.webhooks.tables import DELIVERIES
from formwork.compile.models import utcnow
from formwork.tenancy.apps import build_tenant_app
from formwork.tenancy.worker import JobServices, run_tenant

SLUG = "hooks"
LOCAL = ("127.0.0.1",)
UNREACHED = "http://192.0.2.1/h"  # TEST-NET: refused unless listed, so no test ever sends to it  # the test server's address, as an operator lists it in FORMWORK_WEBHOOK_ALLOW


# -- a local receiver that answers what the test asks --------------------------------------------------------------
@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Script:
    """The statuses to answer, in turn (the last one from then on), and what came in."""

    statuses: list[int] = field(default_factory=lambda: [200])
    received: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


class Receiver(BaseHTTPRequestHandler):
    def do_POST(self) -> None:  # noqa: N802 - http.server's name
        script: Script = self.server.script  # type: ignore[attr-defined]
        body = self.rfile.read(int(self.headers["Content-Length"]))
        with script.lock:
            script.received.append(Received(self.path, dict(self.headers.items()), body))
            status = script.statuses.pop(0) if len(script.statuses) > 1 else script.statuses[0]
        self.send_response(status)
        self.end_headers()
        self.wfile.write(b"receiver says no" if status >= 300 else b"ok")

    def log_message(self, *_args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def receiver() -> Iterator[ThreadingHTTPServer]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    server.daemon_threads = True
    server.script = Script()  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def script(receiver: ThreadingHTTPServer) -> Script:
    """A fresh script for each test (the server lives for the module)."""
    receiver.script = Script()  # type: ignore[attr-defined]
    return receiver.script  # type: ignore[attr-defined]


def url_of(receiver: ThreadingHTTPServer, path: str = "/hook") -> str:
    return f"http://127.0.0.1:{receiver.server_address[1]}{path}"


# -- the tenant ----------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def site(platform: Platform) -> tuple[Any, Platform]:
    """A core tenant with a non-admin user (hank, the core pack's hr role). Returns (runtime, platform)."""
    app = build_tenant_app(platform.settings, platform.tenant(SLUG, ["core"]), platform.catalog)
    with app.app_context():
        sm = app.appbuilder.sm
        sm.add_user("hank", "Hank", "Test", "hank@example.com", [sm.find_role("hr")], password=PASSWORD)
    return app.extensions["formwork"], platform


def queue(site, url: str, now: datetime | None = None, **data: Any) -> int:
    runtime, _ = site
    session = runtime.session()
    try:
        delivery = webhooks.queue_webhook(
            session, url=url, event_type="crm.contract_ending", data=data, now=now or utcnow(), source="tests"
        )
        session.commit()
        return delivery
    finally:
        runtime.session.remove()


def deliver(site, at: datetime, allow: tuple[str, ...] = LOCAL) -> dict[str, int]:
    """The worker's webhook job alone at `at`, with FORMWORK_WEBHOOK_ALLOW set to `allow`."""
    runtime, platform = site
    services = JobServices(settings=replace(platform.settings, webhook_allow=allow))
    return dict(run_tenant(runtime, at, services, jobs=[WEBHOOKS_DUE]).done)


def row(site, delivery: int) -> Any:
    runtime, _ = site
    session = runtime.session()
    try:
        return session.execute(sa.select(DELIVERIES).where(DELIVERIES.c.id == delivery)).one()
    finally:
        runtime.session.remove()


def browser(site, user: str) -> Client:
    _, platform = site
    client = platform.client()
    assert login(client, SLUG, user).status_code == 302
    return client


def shown_secret(page: str) -> str:
    start = page.index("whsec_")
    return page[start : page.index("<", start)]


# -- delivery ------------------------------------------------------------------------------------------------------
def test_a_queued_webhook_is_posted_once_signed_as_standard_webhooks(site, receiver, script):
    now = utcnow()
    delivery = queue(site, url_of(receiver, "/hook?tenant=a"), now, contract="C-1", amount="12.50")
    assert row(site, delivery).status == "pending"

    assert deliver(site, now) == {"webhooks_delivered": 1}
    assert deliver(site, now + timedelta(days=1)) == {}  # delivered once, never again

    [received] = script.received
    assert received.path == "/hook?tenant=a"
    assert received.headers["Content-Type"] == "application/json"
    secret = shown_secret(browser(site, "admin").get(f"/t/{SLUG}/webhooks/").text)
    payload = Webhook(secret).verify(received.body, received.headers)
    assert payload["type"] == "crm.contract_ending" and payload["data"] == {"contract": "C-1", "amount": "12.50"}
    assert received.headers["webhook-id"] == row(site, delivery).message_id
    with pytest.raises(Exception, match="signature"):
        Webhook(secret).verify(received.body.replace(b"C-1", b"C-2"), received.headers)
    stored = row(site, delivery)
    assert (stored.status, stored.attempts, stored.response_code, stored.last_error) == ("delivered", 1, 200, None)


def test_a_refusal_is_recorded_and_retried_after_the_backoff_with_the_same_message(site, receiver, script):
    script.statuses[:] = [500, 200]
    now = utcnow()
    delivery = queue(site, url_of(receiver), now, contract="C-2")

    assert deliver(site, now) == {"webhooks_retry": 1}
    first = row(site, delivery)
    assert (first.status, first.attempts, first.response_code) == ("pending", 1, 500)
    assert first.last_error == "HTTP 500: receiver says no"
    assert first.next_attempt_at == now + BACKOFF[0]
    assert deliver(site, now + BACKOFF[0] - timedelta(seconds=1)) == {}  # not due yet: not tried again

    assert deliver(site, now + BACKOFF[0]) == {"webhooks_delivered": 1}
    done = row(site, delivery)
    assert (done.status, done.attempts, done.response_code, done.last_error) == ("delivered", 2, 200, None)
    assert [r.headers["webhook-id"] for r in script.received] == [done.message_id] * 2  # one message, tried twice
    assert script.received[0].body == script.received[1].body


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_an_unreachable_receiver_is_retried_then_failed_and_shown_in_the_log(site):
    now = utcnow()
    delivery = queue(site, f"http://127.0.0.1:{free_port()}/gone", now, contract="C-3")
    outcomes = [deliver(site, now + timedelta(days=attempt)) for attempt in range(MAX_ATTEMPTS + 1)]

    assert outcomes[: MAX_ATTEMPTS - 1] == [{"webhooks_retry": 1}] * (MAX_ATTEMPTS - 1)
    assert outcomes[-2:] == [{"webhooks_failed": 1}, {}]
    failed = row(site, delivery)
    assert (failed.status, failed.attempts, failed.response_code) == ("failed", MAX_ATTEMPTS, None)
    assert "ConnectionRefusedError" in failed.last_error

    page = browser(site, "admin").get(f"/t/{SLUG}/webhooks/?status=failed")
    assert page.status_code == 200
    assert f'data-delivery="{delivery}" data-status="failed"' in page.text
    assert "ConnectionRefusedError" in page.text and "/gone" in page.text


def test_a_rolled_back_save_queues_nothing_and_a_committed_one_is_kept(site):
    runtime, _ = site
    session = runtime.session()
    try:
        delivery = webhooks.queue_webhook(session, url=UNREACHED, event_type="crm.deal_won", data={}, now=utcnow())
        session.rollback()
        assert session.execute(sa.select(DELIVERIES).where(DELIVERIES.c.id == delivery)).first() is None
    finally:
        runtime.session.remove()
    kept = queue(site, UNREACHED, when=utcnow())  # a datetime in the data is sent as ISO 8601 text
    assert row(site, kept).payload["data"]["when"].endswith("Z")
    with pytest.raises(TypeError, match="JSON"):
        queue(site, UNREACHED, thing=object())
    assert deliver(site, utcnow(), allow=()) == {"webhooks_failed": 1}  # the kept one, refused: later ticks skip it


def test_two_workers_at_once_send_each_delivery_once(site, receiver, script):
    now = utcnow()
    queued = {queue(site, url_of(receiver), now, n=n) for n in range(10)}
    workers = [threading.Thread(target=deliver, args=(site, now)) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    numbers = sorted(json.loads(r.body)["data"]["n"] for r in script.received)
    assert numbers == list(range(10))
    assert {(row(site, d).status, row(site, d).attempts) for d in queued} == {("delivered", 1)}


def test_a_claimed_delivery_is_not_claimed_again_until_its_lease_ends(site, receiver):
    runtime, _ = site
    now = utcnow()
    delivery = queue(site, url_of(receiver), now)
    first = runtime.in_transaction(lambda s: claim(s, now))
    second = runtime.in_transaction(lambda s: claim(s, now))  # another worker, while the first one sends
    runtime.session.remove()
    assert first.id == delivery and second is None
    assert deliver(site, now + timedelta(hours=1)) == {"webhooks_delivered": 1}  # the first worker died: retaken


# -- the allow-list ------------------------------------------------------------------------------------------------
INTERNAL = {
    "http://127.0.0.1/h": "refused: 127.0.0.1 is a loopback address; list it in FORMWORK_WEBHOOK_ALLOW to allow it",
    "http://localhost:8080/h": "refused: localhost resolves to ",
    "http://10.0.0.1/h": "refused: 10.0.0.1 is a private address; list it in FORMWORK_WEBHOOK_ALLOW to allow it",
    "http://169.254.169.254/latest/meta-data": "refused: 169.254.169.254 is a link-local address; ",
    "http://[::1]:9000/h": "refused: ::1 is a loopback address; list it in FORMWORK_WEBHOOK_ALLOW to allow it",
    "http://[::ffff:127.0.0.1]/h": "refused: ::ffff:127.0.0.1 resolves to 127.0.0.1, a loopback address",
    "http://0.0.0.0/h": "refused: 0.0.0.0 is an unspecified address",
    "http://100.64.0.1/h": "refused: 100.64.0.1 is a non-public address",
}


@pytest.mark.parametrize("url", INTERNAL)
def test_loopback_private_and_link_local_targets_are_refused_unless_listed(url):
    assert webhooks.target_refusal(url, ()).startswith(INTERNAL[url])
    assert webhooks.target_refusal(url, ("192.168.0.0/16", "example.com")).startswith(INTERNAL[url])


@pytest.mark.parametrize(
    "url, allow",
    [
        ("http://127.0.0.1/h", ("127.0.0.1",)),  # the address
        ("http://localhost:8080/h", ("localhost",)),  # the host name, whatever it resolves to
        ("http://10.0.0.1/h", ("10.0.0.0/8",)),  # a network holding it
        ("http://169.254.169.254/h", ("169.254.169.254/32",)),
        ("http://[::1]:9000/h", ("::1",)),
        ("http://[::1]:9000/h", ("[::1]",)),
        ("http://[::ffff:127.0.0.1]/h", ("127.0.0.0/8",)),
    ],
)
def test_a_listed_host_address_or_network_is_allowed(url, allow):
    assert webhooks.target_refusal(url, allow) is None


@pytest.mark.parametrize(
    "url, reason",
    [
        ("file:///etc/passwd", "is not an http or https URL"),
        ("gopher://127.0.0.1:25/", "is not an http or https URL"),
        ("http:///h", "names no host"),
        ("http://user:secret@127.0.0.1/h", "may not carry a user name or password"),
        ("http://127.0.0.1:99999/h", "is not a valid URL"),
    ],
)
def test_only_plain_http_and_https_urls_are_called(url, reason):
    assert reason in webhooks.target_refusal(url, ("127.0.0.1",))


def test_a_refused_target_fails_at_once_with_the_reason_and_is_not_retried(site, receiver, script):
    now = utcnow()
    delivery = queue(site, url_of(receiver), now)
    assert deliver(site, now, allow=()) == {"webhooks_failed": 1}  # the operator listed nothing
    refused = row(site, delivery)
    assert (refused.status, refused.attempts) == ("failed", 1)
    assert refused.last_error.startswith("refused: 127.0.0.1 is a loopback address; list it in FORMWORK_WEBHOOK_ALLOW")
    assert script.received == []  # nothing was sent
    assert deliver(site, now + timedelta(days=1), allow=()) == {}


# -- the log screen ------------------------------------------------------------------------------------------------
def test_only_admins_see_the_log_and_the_secret(site):
    admin = browser(site, "admin")
    page = admin.get(f"/t/{SLUG}/webhooks/")
    assert page.status_code == 200 and "whsec_" in page.text
    assert 'href="/t/hooks/webhooks/"' in admin.get(f"/t/{SLUG}/").text  # the admin's menu entry

    hank = browser(site, "hank")
    refused = hank.get(f"/t/{SLUG}/webhooks/")
    assert refused.status_code == 403 and "whsec_" not in refused.text
    assert "/webhooks/" not in hank.get(f"/t/{SLUG}/").text
    token = csrf_token(hank.get(f"/t/{SLUG}/notifications/preferences").text)
    assert hank.post(f"/t/{SLUG}/webhooks/secret/rotate", data={"csrf_token": token}).status_code == 403


def test_admins_retry_a_failed_delivery_through_the_log(site, receiver, script):
    now = utcnow()
    delivery = queue(site, url_of(receiver), now)
    deliver(site, now, allow=())  # refused: the operator had not listed the receiver yet
    admin = browser(site, "admin")
    page = admin.get(f"/t/{SLUG}/webhooks/?status=failed")
    assert f'data-delivery="{delivery}" data-status="failed"' in page.text

    assert admin.post(f"/t/{SLUG}/webhooks/{delivery}/retry").status_code == 400  # no CSRF token
    assert row(site, delivery).status == "failed"
    again = admin.post(f"/t/{SLUG}/webhooks/{delivery}/retry", data={"csrf_token": csrf_token(page.text)})
    assert again.status_code == 302
    assert (row(site, delivery).status, row(site, delivery).attempts) == ("pending", 0)
    assert (
        admin.post(f"/t/{SLUG}/webhooks/{delivery}/retry", data={"csrf_token": csrf_token(page.text)}).status_code
        == 404
    )

    assert deliver(site, utcnow()) == {"webhooks_delivered": 1}  # now listed: delivered
    assert row(site, delivery).status == "delivered"


def test_rotating_the_secret_signs_with_the_new_one_and_the_old_one_for_a_day(site, receiver, script):
    admin = browser(site, "admin")
    page = admin.get(f"/t/{SLUG}/webhooks/")
    old = shown_secret(page.text)
    assert admin.post(f"/t/{SLUG}/webhooks/secret/rotate").status_code == 400  # no CSRF token
    assert shown_secret(admin.get(f"/t/{SLUG}/webhooks/").text) == old
    rotated = admin.post(f"/t/{SLUG}/webhooks/secret/rotate", data={"csrf_token": csrf_token(page.text)})
    assert rotated.status_code == 302
    new = shown_secret(admin.get(f"/t/{SLUG}/webhooks/").text)
    assert new != old and new.startswith("whsec_")

    now = utcnow()
    queue(site, url_of(receiver), now)
    assert deliver(site, now) == {"webhooks_delivered": 1}
    [received] = script.received
    assert len(received.headers["webhook-signature"].split()) == 2
    Webhook(new).verify(received.body, received.headers)
    Webhook(old).verify(received.body, received.headers)  # receivers not switched yet still accept it

    queue(site, url_of(receiver), now + timedelta(days=2))
    assert deliver(site, now + timedelta(days=2)) == {"webhooks_delivered": 1}
    assert script.received[-1].headers["webhook-signature"].count("v1,") == 1  # the old secret retired

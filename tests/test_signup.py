"""Self-service sign-up: off by default (a 404); on, a company asks for a tenant, gets a verification link through
the platform's outbox (sent by the worker), and the tenant exists only once the link is followed, its person the
first admin choosing a password; used, forged and expired links and too many attempts are refused."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field, replace
from datetime import timedelta
from email.message import EmailMessage

import pytest
import sqlalchemy as sa
from werkzeug.test import Client

from conftest import Platform, csrf_token
from formwork import create_app
from formwork.compile.models import utcnow
from formwork.console import signup
from formwork.tenancy.registry import ConsoleAction, PlatformMail, find_tenant, platform_session
from formwork.tenancy.worker import tick

LINK = re.compile(r"/signup/verify/[A-Za-z0-9_.-]+")


@pytest.fixture(scope="module")
def site(platform: Platform) -> Client:
    """The platform served with FORMWORK_SIGNUP on."""
    return Client(create_app(replace(platform.settings, signup=True), platform.catalog))


def ask(client: Client, address: str = "127.0.0.1", **changes: str) -> object:
    page = client.get("/signup/", environ_base={"REMOTE_ADDR": address})
    data = {"company": "Sunrise Tea", "slug": "sunrise-tea", "email": "owner@sunrise.example", "template": "core+crm"}
    data |= {"csrf_token": csrf_token(page.text)} | changes
    return client.post("/signup/", data=data, environ_base={"REMOTE_ADDR": address})


def mails_to(platform: Platform, address: str) -> list[PlatformMail]:
    with platform_session(platform.settings.database_url) as session:
        query = sa.select(PlatformMail).where(PlatformMail.address == address).order_by(PlatformMail.id)
        return list(session.scalars(query))


def link_in(mail: PlatformMail) -> str:
    found = LINK.search(mail.body)
    assert found, mail.body
    return found.group(0)


def test_sign_up_is_off_by_default(platform: Platform) -> None:
    client = platform.client()
    assert client.get("/signup/").status_code == 404
    assert client.get("/signup/verify/anything").status_code == 404


def test_the_tenant_exists_only_after_the_link_is_followed(platform: Platform, site: Client) -> None:
    form = site.get("/signup/")
    assert form.status_code == 200
    for choice in ('value="core+oa"', 'value="core+crm"', 'value="all"'):
        assert choice in form.text
    sent = ask(site, address="10.0.0.1")
    assert sent.status_code == 200 and "We sent a link to owner@sunrise.example" in sent.text
    assert find_tenant(platform.settings.database_url, "sunrise-tea") is None

    (mail,) = mails_to(platform, "owner@sunrise.example")
    assert mail.subject == "Confirm your e-mail address to create Sunrise Tea" and mail.status == "pending"
    link = link_in(mail)
    question = site.get(link)
    assert question.status_code == 200
    assert "Create Sunrise Tea at /t/sunrise-tea/ with Organization + CRM?" in " ".join(question.text.split())
    assert find_tenant(platform.settings.database_url, "sunrise-tea") is None  # opening the link creates nothing

    created = site.post(link, data={"username": "owner", "csrf_token": csrf_token(question.text)})
    assert created.status_code == 302
    invitation = created.headers["Location"]
    assert re.search(r"/t/sunrise-tea/invitation/[A-Za-z0-9_.-]+$", invitation)
    tenant = find_tenant(platform.settings.database_url, "sunrise-tea")
    assert tenant.packs == ["core", "crm"] and tenant.name == "Sunrise Tea"

    page = site.get(invitation)
    chosen = site.post(
        invitation,
        data={"password": "sunrise-pass-1", "confirm": "sunrise-pass-1", "csrf_token": csrf_token(page.text)},
    )
    assert chosen.status_code == 302
    home = site.get("/t/sunrise-tea/").text
    assert "fw-sign-out" in home and '<span class="fw-top-text fw-user-name">owner</span>' in home  # signed in

    again = site.get(link)
    assert again.status_code == 410 and "already used" in again.text
    with platform_session(platform.settings.database_url) as session:
        logged = session.scalars(sa.select(ConsoleAction).where(ConsoleAction.tenant_slug == "sunrise-tea")).one()
    assert (logged.action, logged.detail) == ("signed up", "owner@sunrise.example; template: core+crm; admin: owner")


@dataclass
class RecordingMailer:
    sender: str = "formwork@example.com"
    site_url: str = ""
    sent: list[EmailMessage] = field(default_factory=list)

    def send(self, message: EmailMessage) -> None:
        self.sent.append(message)


def test_the_worker_sends_the_verification_mail(platform: Platform, site: Client) -> None:
    ask(site, address="10.0.0.2", slug="mail-tea", email="mail@tea.example")
    mailer = RecordingMailer()
    ticked = tick(site.application.tenant_apps, utcnow() + timedelta(seconds=1), mailer=mailer)
    (message,) = [m for m in mailer.sent if m["To"] == "mail@tea.example"]
    assert message["Subject"] == "Confirm your e-mail address to create Sunrise Tea"
    assert LINK.search(message.get_content())
    assert [mail.status for mail in mails_to(platform, "mail@tea.example")] == ["sent"]
    assert any(result.slug == "platform" and "e-mail(s) sent" in result.describe() for result in ticked)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"slug": "Bad Slug"}, "is not a valid tenant slug"),
        ({"slug": "console"}, "'console' is reserved"),
        ({"email": "not-an-address"}, "Invalid email address."),
        ({"company": ""}, "This field is required."),
    ],
)
def test_a_refused_form_says_why_and_sends_nothing(
    platform: Platform, site: Client, changes: dict[str, str], message: str
) -> None:
    sent = {"email": "refused@tea.example"} | changes
    refused = ask(site, address="10.0.1.1", **sent)
    assert refused.status_code == 400 and message in html.unescape(refused.text)
    assert mails_to(platform, sent["email"]) == []


def test_a_taken_address_is_refused(platform: Platform, site: Client) -> None:
    if find_tenant(platform.settings.database_url, "taken-tea") is None:
        platform.tenant("taken-tea", packs=["core"])
    refused = ask(site, address="10.0.1.2", slug="taken-tea", email="taken@tea.example")
    assert refused.status_code == 400 and "tenant 'taken-tea' already exists" in html.unescape(refused.text)


def test_forged_and_expired_links_are_refused(
    platform: Platform, site: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    ask(site, address="10.0.0.3", slug="late-tea", email="late@tea.example")
    link = link_in(mails_to(platform, "late@tea.example")[-1])
    forged = site.get(link[:-3] + ("abc" if not link.endswith("abc") else "xyz"))
    assert forged.status_code == 400 and "This sign-up link is not valid." in forged.text
    monkeypatch.setattr(signup, "SIGNUP_LIFETIME", timedelta(seconds=-1))
    expired = site.get(link)
    assert expired.status_code == 410 and "has expired" in expired.text
    assert site.post(link, data={"username": "late"}).status_code == 400  # no CSRF token
    assert find_tenant(platform.settings.database_url, "late-tea") is None


def test_too_many_sign_ups_from_one_address_get_a_429(platform: Platform, site: Client) -> None:
    for attempt in range(signup.SIGNUPS_PER_WINDOW):
        assert (
            ask(site, address="10.0.9.9", slug=f"busy-tea-{attempt}", email=f"b{attempt}@tea.example").status_code
            == 200
        )
    refused = ask(site, address="10.0.9.9", slug="busy-tea-x", email="bx@tea.example")
    assert refused.status_code == 429 and "Too many sign-ups from your address" in refused.text
    assert int(refused.headers["Retry-After"]) > 0
    assert mails_to(platform, "bx@tea.example") == []
    assert ask(site, address="10.0.9.10", slug="busy-tea-y", email="by@tea.example").status_code == 200  # others may

"""A tenant's first admin is invited, not given a password: the console queues an e-mail in the tenant's outbox
whose link lets them choose a password once and lands them signed in; used, expired, replaced and forged links
are refused with a page saying why, and an operator can send the invitation again (logged)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from werkzeug.test import Client

from conftest import Platform, csrf_token, login
from console_mail import invitation_link, mails_to
from formwork.console import add_operator
from formwork.tenancy import invitations
from formwork.tenancy.registry import find_tenant

OPERATOR, OPERATOR_PASSWORD = "invite-op", "op-password-1"
SLUG, ADDRESS = "invited-co", "mei.chen@invited.example"
CHOSEN = "chosen-password-1"


@pytest.fixture(scope="module")
def operator(platform: Platform) -> Client:
    add_operator(platform.app.console, OPERATOR, OPERATOR_PASSWORD)
    client = platform.client()
    page = client.get("/login/")
    client.post(
        "/login/", data={"username": OPERATOR, "password": OPERATOR_PASSWORD, "csrf_token": csrf_token(page.text)}
    )
    return client


@pytest.fixture(scope="module")
def created(platform: Platform, operator: Client) -> int:
    """A tenant the operator created in the console, its admin invited at ADDRESS; its id."""
    page = operator.get("/tenants/new/form")
    data = {
        "slug": SLUG,
        "name": "Invited Co",
        "packs": ["core"],
        "locale": "en",
        "timezone": "UTC",
        "currency": "CNY",
        "storage": page.text.split('name="storage"', 1)[1].split('value="', 1)[1].split('"', 1)[0],
        "admin_user": "mei",
        "admin_name": "Mei Chen",
        "admin_email": ADDRESS,
        "csrf_token": csrf_token(page.text),
    }
    answer = operator.post("/tenants/new/form", data=data)
    assert answer.status_code == 302, answer.text
    return find_tenant(platform.settings.database_url, SLUG).id


def invited(platform: Platform, slug: str) -> str:
    """A tenant made for the test whose admin (admin@example.invalid) is invited; the invitation's path."""
    tenant = find_tenant(platform.settings.database_url, slug) or platform.tenant(slug, packs=["core"])
    invitations.send_invitation(platform.settings, tenant, "admin")
    return invitation_link(platform, slug, "admin@example.invalid")


def signs_in(platform: Platform, slug: str, username: str, password: str) -> bool:
    """Whether FAB's sign-in form lets `username` in with `password` (it answers 302 either way)."""
    client = platform.client()
    login(client, slug, username, password)
    return "Welcome," in client.get(f"/t/{slug}/").text


def choose(client: Client, link: str, password: str, again: str | None = None) -> object:
    page = client.get(link)
    assert page.status_code == 200, page.text
    return client.post(
        link, data={"password": password, "confirm": again or password, "csrf_token": csrf_token(page.text)}
    )


def test_the_invitation_is_in_the_tenants_outbox_with_a_link(
    platform: Platform, operator: Client, created: int
) -> None:
    mails = mails_to(platform, SLUG, ADDRESS)
    assert len(mails) == 1
    assert mails[0]["subject"] == "You are invited to Invited Co"
    assert "sign in as mei" in mails[0]["body"] and "for 7 days" in mails[0]["body"]
    assert invitation_link(platform, SLUG, ADDRESS).startswith(f"/t/{SLUG}/invitation/")
    shown = operator.get(f"/tenants/show/{created}").text
    assert "Invitations waiting" in shown and f"mei &lt;{ADDRESS}&gt;" in shown


def test_nobody_signs_in_before_choosing_a_password(platform: Platform, created: int) -> None:
    assert not signs_in(platform, SLUG, "mei", "")
    assert not signs_in(platform, SLUG, "mei", "invited:")


def test_the_admin_chooses_a_password_and_lands_signed_in(platform: Platform, created: int) -> None:
    admin = platform.client()
    link = invitation_link(platform, SLUG, ADDRESS)
    page = admin.get(link)
    assert page.status_code == 200
    assert "Choose your password" in page.text and "You sign in to Invited Co as mei." in page.text

    short = admin.post(link, data={"password": "short", "confirm": "short", "csrf_token": csrf_token(page.text)})
    assert short.status_code == 400 and "At least 8 characters." in short.text
    differ = choose(admin, link, CHOSEN, "another-password-1")
    assert differ.status_code == 400 and "The two passwords differ." in differ.text
    assert admin.post(link, data={"password": CHOSEN, "confirm": CHOSEN}).status_code == 400  # no CSRF token

    chosen = choose(admin, link, CHOSEN)
    assert chosen.status_code == 302 and chosen.headers["Location"].rstrip("/").endswith(f"/t/{SLUG}")
    home = admin.get(f"/t/{SLUG}/")
    assert home.status_code == 200 and "Welcome, Mei Chen" in home.text
    assert signs_in(platform, SLUG, "mei", CHOSEN)


def test_a_used_link_is_refused(platform: Platform, created: int) -> None:
    again = platform.client().get(invitation_link(platform, SLUG, ADDRESS))
    assert again.status_code == 410 and "already used" in again.text
    assert signs_in(platform, SLUG, "mei", CHOSEN)  # still the password chosen


def test_an_accepted_invitation_is_not_sent_again(platform: Platform, operator: Client, created: int) -> None:
    shown = operator.get(f"/tenants/show/{created}").text
    assert "Invitations waiting" not in shown
    resent = operator.post(
        f"/tenants/invite/{created}/mei", data={"csrf_token": csrf_token(shown)}, follow_redirects=True
    )
    assert "mei has already accepted the invitation and signed in." in resent.text
    assert len(mails_to(platform, SLUG, ADDRESS)) == 1


def test_an_expired_link_is_refused(platform: Platform, monkeypatch: pytest.MonkeyPatch) -> None:
    link = invited(platform, "expiring-co")
    monkeypatch.setattr(invitations, "INVITATION_LIFETIME", timedelta(seconds=-1))
    expired = platform.client().get(link)
    assert expired.status_code == 410 and "has expired" in expired.text
    monkeypatch.undo()
    assert platform.client().get(link).status_code == 200  # the same link, within its lifetime


@pytest.mark.parametrize("edit", ["forged", "other tenant", "truncated"])
def test_a_forged_link_is_refused(platform: Platform, edit: str) -> None:
    link = invited(platform, "forging-co")
    token = link.rsplit("/", 1)[1]
    if edit == "forged":
        path = link[:-4] + ("AAAA" if not link.endswith("AAAA") else "BBBB")
    elif edit == "other tenant":  # a genuine token of forging-co shown to another tenant
        invited(platform, "forged-other-co")  # it has an invitation of its own: only the key differs
        path = f"/t/forged-other-co/invitation/{token}"
    else:
        path = link[: len(link) // 2]
    refused = platform.client().get(path)
    assert refused.status_code == 400 and "This invitation link is not valid." in refused.text
    assert refused.status_code == 400 and "The invitation cannot be used" in refused.text


def test_sending_again_replaces_the_link_and_is_logged(platform: Platform, operator: Client) -> None:
    first = invited(platform, "resent-co")
    tenant = find_tenant(platform.settings.database_url, "resent-co")
    shown = operator.get(f"/tenants/show/{tenant.id}").text
    resent = operator.post(
        f"/tenants/invite/{tenant.id}/admin", data={"csrf_token": csrf_token(shown)}, follow_redirects=True
    )
    assert "Invitation sent to admin@example.invalid" in resent.text
    second = invitation_link(platform, "resent-co", "admin@example.invalid")
    assert second != first and len(mails_to(platform, "resent-co", "admin@example.invalid")) == 2
    assert platform.client().get(first).status_code == 410  # replaced
    assert choose(platform.client(), second, CHOSEN).status_code == 302

    log = operator.get("/console-log/list/?_oc_ConsoleLogView=id&_od_ConsoleLogView=desc").text
    rows = [" ".join(re.sub(r"<[^>]+>", " ", row).split()) for row in re.findall(r"<tr[^>]*>(.*?)</tr>", log, re.S)]
    assert any(OPERATOR in row and "invited" in row and "resent-co" in row for row in rows)


def test_only_operators_send_invitations(platform: Platform) -> None:
    tenant = find_tenant(platform.settings.database_url, "resent-co") or platform.tenant("resent-co", packs=["core"])
    visitor = platform.client()
    token = csrf_token(visitor.get("/login/").text)
    answer = visitor.post(f"/tenants/invite/{tenant.id}/admin", data={"csrf_token": token})
    assert answer.status_code == 302 and "/login/" in answer.headers["Location"]

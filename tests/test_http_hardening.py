"""HTTP hardening: sign-in throttling, security headers, Secure cookies, and FAB's security APIs taking JWTs only."""

from __future__ import annotations

import logging
import re
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

import pytest
from werkzeug.test import Client

from conftest import PASSWORD, Platform, csrf_token, jwt, login
from formwork import create_app
from formwork.compile.models import utcnow
from formwork.console import add_operator
from formwork.tenancy.dispatch import TenantDispatcher
from formwork.tenancy.throttle import login_throttle

SLUG = "guarded"
API_LOGIN = f"/t/{SLUG}/api/v1/security/login"
USERS = f"/t/{SLUG}/api/v1/security/users/"
#: the throttled platform of most tests: 3 failures per user name, 6 per address, 60 s first, 240 s at most
LIMITS = {"login_user_limit": 3, "login_address_limit": 6, "login_first_delay": 60, "login_max_delay": 240}


class Clock:
    """The time the throttle sees, moved by the test instead of waiting."""

    def __init__(self) -> None:
        self.now = utcnow()

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: int) -> None:
        self.now += timedelta(seconds=seconds)


def user(username: str) -> dict[str, Any]:
    return {
        "first_name": username.title(),
        "last_name": "Tester",
        "username": username,
        "email": f"{username}@example.com",
        "password": PASSWORD,
        "active": True,
        "roles": [1],
    }


@pytest.fixture(scope="module")
def site(platform: Platform) -> Platform:
    """A tenant whose users each test throttles in turn (`admin` is left signed in and unthrottled)."""
    platform.tenant(SLUG, packs=["core"])
    client = platform.client()
    auth = jwt(client, SLUG)
    for username in ("walt", "vera"):
        assert client.post(USERS, json=user(username), headers=auth).status_code == 201
    return platform


@pytest.fixture(scope="module")
def throttled(site: Platform) -> TenantDispatcher:
    """Another server of the same platform database with lower limits."""
    return create_app(replace(site.settings, **LIMITS), site.catalog)


@pytest.fixture
def clock(throttled: TenantDispatcher) -> Clock:
    clock = Clock()
    apps = throttled.tenant_apps
    login_throttle(apps.get(apps.tenant(SLUG))).clock = clock
    login_throttle(throttled.console).clock = clock
    return clock


def api_login(client: Client, username: str, password: str, address: str, **headers: str) -> Any:
    return client.post(
        API_LOGIN,
        json={"username": username, "password": password},
        environ_base={"REMOTE_ADDR": address},
        headers=headers,
    )


def form_login(client: Client, username: str, password: str, address: str, path: str = f"/t/{SLUG}/login/") -> Any:
    page = client.get(path, environ_base={"REMOTE_ADDR": address})
    return client.post(
        path,
        data={"username": username, "password": password, "csrf_token": csrf_token(page.text)},
        environ_base={"REMOTE_ADDR": address},
    )


# -- sign-in throttling -----------------------------------------------------------------------------------------------
def test_after_five_wrong_passwords_even_the_right_one_is_refused_429_by_api_and_form(site: Platform) -> None:
    client = site.client()
    for _ in range(5):
        assert api_login(client, "walt", "wrong", "10.1.0.1").status_code == 401
    refused = api_login(client, "walt", PASSWORD, "10.1.0.2")
    assert refused.status_code == 429
    assert refused.headers["Retry-After"] == "30"
    assert refused.json == {"message": "Too many failed sign-ins. Try again in 30 seconds."}
    assert form_login(Client(site.app), "WALT", PASSWORD, "10.1.0.3").status_code == 429  # names match as FAB's do


def test_an_unknown_user_name_is_answered_and_throttled_like_a_wrong_password(
    throttled: TenantDispatcher, clock: Clock
) -> None:
    client = Client(throttled)
    known = [api_login(client, "vera", "wrong", "10.2.0.1") for _ in range(4)]
    unknown = [api_login(client, "nobody-here", "wrong", "10.2.0.2") for _ in range(4)]
    assert [(r.status_code, r.json, r.headers.get("Retry-After")) for r in known] == [
        (r.status_code, r.json, r.headers.get("Retry-After")) for r in unknown
    ]
    assert [r.status_code for r in known] == [401, 401, 401, 429]
    assert form_login(Client(throttled), "nobody-here", "wrong", "10.2.0.3").status_code == 429


def test_the_login_form_answers_429_with_its_page_and_the_reason_in_english_and_chinese(
    throttled: TenantDispatcher, clock: Clock
) -> None:
    client = Client(throttled)
    for _ in range(3):
        failed = form_login(client, "ann", "wrong", "10.3.0.1")
        assert failed.status_code == 302  # FAB's "Invalid login" and its form again
    english = form_login(client, "ann", "wrong", "10.3.0.1")
    assert english.status_code == 429 and english.headers["Retry-After"] == "60"
    assert "Too many failed sign-ins. Try again in 60 seconds." in english.text
    assert 'name="password"' in english.text  # the form is there to try again later
    chinese = form_login(client, "ann", "wrong", "10.3.0.1", path=f"/t/{SLUG}/login/?_l_=zh")
    assert chinese.status_code == 429
    assert "登录失败次数过多，请在 60 秒后重试。" in chinese.text
    assert api_login(client, "ann", "wrong", "10.3.0.2", **{"Accept-Language": "zh"}).json == {
        "message": "登录失败次数过多，请在 60 秒后重试。"
    }


def test_each_further_failure_doubles_the_wait_up_to_the_cap(throttled: TenantDispatcher, clock: Clock) -> None:
    client = Client(throttled)
    for _ in range(3):
        assert api_login(client, "bo", "wrong", "10.4.0.1").status_code == 401
    waits = []
    for _ in range(4):
        refused = api_login(client, "bo", "wrong", "10.4.0.1")
        assert refused.status_code == 429
        waits.append(int(refused.headers["Retry-After"]))
        clock.advance(waits[-1])
        assert api_login(client, "bo", "wrong", "10.4.0.1").status_code == 401  # tried once more, failed again
    assert waits == [60, 120, 240, 240]


def test_a_successful_sign_in_forgets_the_user_names_failures(throttled: TenantDispatcher, clock: Clock) -> None:
    client = Client(throttled)
    for _ in range(2):
        assert api_login(client, "admin", "wrong", "10.5.0.1").status_code == 401
    assert api_login(client, "admin", PASSWORD, "10.5.0.2").status_code == 200
    for _ in range(2):
        assert api_login(client, "admin", "wrong", "10.5.0.3").status_code == 401
    assert api_login(client, "admin", PASSWORD, "10.5.0.4").status_code == 200


def test_failures_are_forgotten_after_the_window(throttled: TenantDispatcher, clock: Clock) -> None:
    client = Client(throttled)
    for _ in range(2):
        assert api_login(client, "cy", "wrong", "10.6.0.1").status_code == 401
    clock.advance(901)
    for _ in range(2):
        assert api_login(client, "cy", "wrong", "10.6.0.1").status_code == 401
    assert api_login(client, "cy", "wrong", "10.6.0.1").status_code == 401


def test_one_address_trying_many_user_names_is_refused_and_another_address_is_not(
    throttled: TenantDispatcher, clock: Clock
) -> None:
    client = Client(throttled)
    for number in range(6):
        assert api_login(client, f"guess-{number}", "wrong", "10.7.0.1").status_code == 401
    refused = api_login(client, "admin", PASSWORD, "10.7.0.1")
    assert refused.status_code == 429 and refused.headers["Retry-After"] == "60"
    assert form_login(client, "console-op", "wrong", "10.7.0.1", path="/login/").status_code == 429  # platform-wide
    assert api_login(client, "admin", PASSWORD, "10.7.0.2").status_code == 200


def test_failures_counted_by_one_server_throttle_another(
    site: Platform, throttled: TenantDispatcher, clock: Clock
) -> None:
    other = create_app(replace(site.settings, **LIMITS), site.catalog)  # another process of the same platform
    login_throttle(other.tenant_apps.get(other.tenant_apps.tenant(SLUG))).clock = clock
    assert api_login(Client(throttled), "di", "wrong", "10.8.0.1").status_code == 401
    assert api_login(Client(other), "di", "wrong", "10.8.0.2").status_code == 401
    assert form_login(Client(throttled), "di", "wrong", "10.8.0.3").status_code == 302
    assert api_login(Client(other), "di", PASSWORD, "10.8.0.4").status_code == 429


def test_the_console_login_is_throttled_and_resets_on_success(throttled: TenantDispatcher, clock: Clock) -> None:
    add_operator(throttled.console, "op", "op-password-1")
    client = Client(throttled)
    for _ in range(3):
        assert form_login(client, "op", "wrong", "10.9.0.1", path="/login/").status_code == 302
    refused = form_login(client, "op", "op-password-1", "10.9.0.2", path="/login/")
    assert refused.status_code == 429 and "Too many failed sign-ins" in refused.text
    clock.advance(60)
    assert form_login(client, "op", "op-password-1", "10.9.0.2", path="/login/").status_code == 302
    assert client.get("/tenants/list/").status_code == 200
    for _ in range(2):  # counted from nothing again
        assert form_login(Client(throttled), "op", "wrong", "10.9.0.3", path="/login/").status_code == 302
    assert form_login(Client(throttled), "op", "op-password-1", "10.9.0.3", path="/login/").status_code == 302


def test_the_console_login_api_is_throttled_too(throttled: TenantDispatcher, clock: Clock) -> None:
    client = Client(throttled)

    def sign_in(password: str) -> Any:
        return client.post(
            "/api/v1/security/login",
            json={"username": "api-op", "password": password, "provider": "db"},
            environ_base={"REMOTE_ADDR": "10.9.1.1"},
        )

    assert [sign_in("wrong").status_code for _ in range(4)] == [401, 401, 401, 429]


def test_every_refused_attempt_is_logged(
    throttled: TenantDispatcher, clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    client = Client(throttled)
    for _ in range(3):
        api_login(client, "eve", "wrong", "10.10.0.1")
    with caplog.at_level(logging.WARNING, logger="formwork"):
        api_login(client, "eve", "wrong", "10.10.0.1")
        form_login(client, "eve", "wrong", "10.10.0.2")
    refusals = [r.getMessage() for r in caplog.records if r.name == "formwork.tenancy.throttle"]
    assert len(refusals) == 2
    assert all("'eve' of guarded" in message and "retry after 60 s" in message for message in refusals)
    assert "10.10.0.2" in refusals[1]


# -- security headers -------------------------------------------------------------------------------------------------
def assert_page_headers(response: Any) -> str:
    policy = response.headers["Content-Security-Policy"]
    for part in ("default-src 'self'", "frame-ancestors 'self'", "object-src 'none'", "form-action 'self'"):
        assert part in policy, part
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    return policy


def test_tenant_pages_carry_the_policy_and_their_scripts_its_nonce(site: Platform) -> None:
    client = site.client()
    login(client, SLUG)
    page = client.get(f"/t/{SLUG}/core_employee/list/")
    assert page.status_code == 200
    policy = assert_page_headers(page)
    nonce = re.search(r"'nonce-([^']+)'", policy).group(1)
    scripts = re.findall(r"<script\b[^>]*>", page.text)
    assert scripts and all(f'nonce="{nonce}"' in tag for tag in scripts)
    again = re.search(
        r"'nonce-([^']+)'", client.get(f"/t/{SLUG}/core_employee/list/").headers["Content-Security-Policy"]
    )
    assert again.group(1) != nonce  # one per response
    assert "'unsafe-inline'" not in policy.split("script-src")[1].split(";")[0]


def test_api_answers_files_and_the_console_and_dispatcher_pages_carry_headers(site: Platform) -> None:
    client = site.client()
    answer = client.get(f"/t/{SLUG}/api/v1/core_employee/", headers=jwt(client, SLUG))
    assert answer.status_code == 200 and answer.headers["X-Content-Type-Options"] == "nosniff"
    assert client.get(f"/t/{SLUG}/formwork-static/formwork.js").headers["X-Content-Type-Options"] == "nosniff"
    assert_page_headers(client.get("/login/"))
    assert_page_headers(client.get(f"/t/{SLUG}/login/"))
    missing = client.get("/t/no-such-tenant/")
    assert missing.status_code == 404
    assert_page_headers(missing)


# -- Secure cookies ---------------------------------------------------------------------------------------------------
def set_cookies(response: Any) -> list[str]:
    return response.headers.getlist("Set-Cookie")


def test_cookies_are_secure_only_when_the_platform_says_it_is_served_over_https(site: Platform) -> None:
    plain = [c for c in set_cookies(login(site.client(), SLUG)) if "session=" in c]
    assert plain and not any("Secure" in cookie for cookie in plain)
    secure_site = create_app(replace(site.settings, secure_cookies=True), site.catalog)
    tenant = [c for c in set_cookies(login(Client(secure_site), SLUG)) if "session=" in c]
    assert tenant and all("; Secure" in cookie for cookie in tenant)
    console = set_cookies(Client(secure_site).get("/login/"))
    assert console and all("; Secure" in cookie for cookie in console)


# -- FAB's security APIs take JWTs only -------------------------------------------------------------------------------
def test_the_user_api_refuses_a_session_cookie_so_no_page_can_create_a_user_with_it(site: Platform) -> None:
    browser = site.client()
    assert login(browser, SLUG).status_code == 302
    assert browser.get(f"/t/{SLUG}/users/list/").status_code == 200  # signed in, as an admin
    intruder = {
        "first_name": "Mal",
        "last_name": "Lory",
        "username": "mallory",
        "email": "mal@example.com",
        "password": PASSWORD,
        "active": True,
        "roles": [1],
    }
    refused = browser.post(USERS, json=intruder)
    assert refused.status_code == 401
    for path in (USERS, f"/t/{SLUG}/api/v1/security/roles/", f"/t/{SLUG}/api/v1/security/groups/"):
        assert browser.get(path).status_code == 401, path
    auth = jwt(site.client(), SLUG)
    listed = site.client().get(USERS, headers=auth).json["result"]
    assert "mallory" not in {user["username"] for user in listed}
    assert site.client().post(USERS, json=intruder, headers=auth).status_code == 201  # with a token it works


def test_upgrade_canary_fab_still_signs_in_through_the_hooks_formwork_throttles() -> None:
    """Fails when FAB renames what tenancy/throttle.py replaces, or stops checking passwords in `auth_user_db`."""
    import inspect

    from flask_appbuilder.security.api import SecurityApi
    from flask_appbuilder.security.manager import BaseSecurityManager
    from flask_appbuilder.security.views import AuthDBView

    assert hasattr(BaseSecurityManager, "authdbview") and hasattr(BaseSecurityManager, "security_api")
    assert "sm.auth_user_db(" in inspect.getsource(AuthDBView.login)
    assert "sm.auth_user_db(" in inspect.getsource(SecurityApi.login)

"""Sign-in throttling: after too many failed sign-ins for a user name or from an address, wait before trying again.

Both ways to sign in to a tenant (FAB's login form and `POST /api/v1/security/login`) and the console's are
throttled alike: once a user name of a tenant has failed `Settings.login_user_limit` times, or an address
`login_address_limit` times, within `login_window` seconds, further attempts are answered 429 with `Retry-After`
for `login_first_delay` seconds, doubled at every further failure up to `login_max_delay`. Attempts refused so are
not counted, and are logged. A successful sign-in forgets the user name's failures (not the address's: an attacker
would reset it with an account of their own).

An unknown user name fails and is counted exactly like a wrong password, so neither the answers nor the throttling
tell which names exist. The counters live in the platform database (`registry.LoginFailure`), so every serving
process sees the same ones. The address is the request's as Werkzeug sees it: a proxy in front must be trusted where
the app is served (Werkzeug's ProxyFix), or every client counts as the proxy.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask import (
    Flask,
    Response,
    current_app,
    flash,
    has_request_context,
    jsonify,
    make_response,
    request,
)
from flask_appbuilder import expose
from flask_appbuilder.security.api import SecurityApi
from flask_appbuilder.security.decorators import no_cache
from flask_appbuilder.security.forms import LoginForm_db
from flask_appbuilder.security.views import AuthDBView
from sqlalchemy.dialects import postgresql, sqlite

from ..compile.models import utcnow
from ..config import Settings
from ..i18n import CatalogText
from .registry import LoginFailure, platform_engine

log = logging.getLogger(__name__)

TOO_MANY = CatalogText("Too many failed sign-ins. Try again in {seconds} seconds.")
EXTENSION = "formwork.login_throttle"
#: realm of the per-address counters: one address is counted across the whole platform
EVERYWHERE = ""
NAME_LENGTH = 200
#: each dialect's INSERT with `on_conflict_do_update` (the same method on two classes with no common type)
UPSERTS: dict[str, Callable[..., Any]] = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


@dataclass(frozen=True)
class ThrottlePolicy:
    """How many failures are let through, and how long attempts wait after them (from `Settings`)."""

    user_limit: int
    address_limit: int
    window: timedelta
    first_delay: timedelta
    max_delay: timedelta

    @classmethod
    def of(cls, settings: Settings) -> ThrottlePolicy:
        return cls(
            settings.login_user_limit,
            settings.login_address_limit,
            timedelta(seconds=settings.login_window),
            timedelta(seconds=settings.login_first_delay),
            timedelta(seconds=settings.login_max_delay),
        )

    def limit(self, kind: str) -> int:
        return self.user_limit if kind == "user" else self.address_limit

    def delay(self, kind: str, failures: int) -> timedelta | None:
        """How long to refuse after `failures`: none below the limit, then the first delay, doubling, capped."""
        over = failures - self.limit(kind)
        if over < 0:
            return None
        return min(self.first_delay * 2 ** min(over, 32), self.max_delay)


@dataclass
class LoginThrottle:
    """The failure counters of one app's sign-ins: `realm` is the tenant's slug, or `console`."""

    database_url: str
    realm: str
    policy: ThrottlePolicy
    #: the current time (naive UTC); tests move it instead of waiting
    clock: Callable[[], datetime] = utcnow

    def retry_after(self, username: str, address: str) -> int:
        """Seconds to wait before the user name may be tried from this address; 0: go ahead."""
        now = self.clock()
        with platform_engine(self.database_url).connect() as connection:
            until = connection.scalar(
                sa.select(sa.func.max(LoginFailure.blocked_until))
                .where(sa.or_(*(self._subject(kind, name) for kind, name in self._subjects(username, address))))
                .where(LoginFailure.blocked_until > now)
            )
        return math.ceil((until - now).total_seconds()) if until is not None else 0

    def failed(self, username: str, address: str) -> None:
        """Count a failure for the user name and the address, in one transaction (atomic across processes)."""
        now = self.clock()
        with platform_engine(self.database_url).begin() as connection:
            self._forget_stale(connection, now)
            for kind, name in self._subjects(username, address):
                self._count(connection, kind, name, now)

    def succeeded(self, username: str) -> None:
        """The right password: the user name's failures are forgotten."""
        with platform_engine(self.database_url).begin() as connection:
            connection.execute(sa.delete(LoginFailure).where(self._subject("user", username)))

    def _subjects(self, username: str, address: str) -> list[tuple[str, str]]:
        return [("user", username), ("address", address)]

    def _realm(self, kind: str) -> str:
        """A user name counts in its tenant (or the console); an address across the platform."""
        return self.realm if kind == "user" else EVERYWHERE

    def _subject(self, kind: str, name: str) -> sa.ColumnElement[bool]:
        return sa.and_(LoginFailure.kind == kind, LoginFailure.realm == self._realm(kind), LoginFailure.name == name)

    def _count(self, connection: sa.Connection, kind: str, name: str, now: datetime) -> None:
        """One more failure (an upsert, so two processes counting at once both count), then block if over."""
        upsert = UPSERTS[connection.dialect.name](LoginFailure).values(
            kind=kind, realm=self._realm(kind), name=name, failures=1, last_failed_at=now
        )
        connection.execute(
            upsert.on_conflict_do_update(
                index_elements=["kind", "realm", "name"],
                set_={"failures": LoginFailure.failures + 1, "last_failed_at": now},
            )
        )
        failures = connection.execute(sa.select(LoginFailure.failures).where(self._subject(kind, name))).scalar_one()
        delay = self.policy.delay(kind, failures)
        if delay is not None:
            connection.execute(
                sa.update(LoginFailure).where(self._subject(kind, name)).values(blocked_until=now + delay)
            )

    def _forget_stale(self, connection: sa.Connection, now: datetime) -> None:
        """Counters whose last failure and block are both older than the window start again from nothing."""
        cutoff = now - self.policy.window
        connection.execute(
            sa.delete(LoginFailure).where(
                LoginFailure.last_failed_at < cutoff,
                sa.or_(LoginFailure.blocked_until.is_(None), LoginFailure.blocked_until < cutoff),
            )
        )


def install_login_throttle(app: Flask, settings: Settings, realm: str) -> None:
    """Give `app`'s sign-ins their counters (its security manager must mix in `ThrottledLogins`)."""
    app.extensions[EXTENSION] = LoginThrottle(settings.database_url, realm, ThrottlePolicy.of(settings))


def login_throttle(app: Flask) -> LoginThrottle:
    return app.extensions[EXTENSION]


def typed_name(username: Any) -> str:
    """The user name as counted: FAB matches user names case-insensitively, so `Admin` counts as `admin`."""
    return str(username or "").strip().lower()[:NAME_LENGTH]


def client_address() -> str:
    return request.remote_addr or "unknown"


def throttled_for(username: Any) -> int:
    """Seconds this sign-in attempt must wait (0: none); a refused attempt is logged, not counted."""
    name = typed_name(username)
    throttle = login_throttle(current_app)
    seconds = throttle.retry_after(name, client_address())
    if seconds:
        log.warning(
            "sign-in refused (too many failures): user %r of %s from %s, retry after %d s",
            name,
            throttle.realm,
            client_address(),
            seconds,
        )
    return seconds


def too_many_message(seconds: int) -> str:
    return TOO_MANY.localized().format(seconds=seconds)


class ThrottledAuthDBView(AuthDBView):
    """FAB's login form, refusing a throttled attempt with its page again, the reason flashed, and 429."""

    @expose("/login/", methods=["GET", "POST"])
    @no_cache
    def login(self) -> Any:
        seconds = throttled_for(request.form.get("username")) if request.method == "POST" else 0
        if not seconds:
            return super().login()
        flash(too_many_message(seconds), "danger")
        page = self.render_template(
            self.login_template, title=self.title, form=LoginForm_db(), appbuilder=self.appbuilder
        )
        return page, 429, {"Retry-After": str(seconds)}


class ThrottledSecurityApi(SecurityApi):
    """FAB's login API, refusing a throttled attempt with 429 and `{"message": …}`."""

    @expose("/login", methods=["POST"])
    def login(self) -> Response:
        body = request.get_json(silent=True)
        seconds = throttled_for(body.get("username")) if isinstance(body, dict) else 0
        if not seconds:
            return super().login()
        response = make_response(jsonify(message=too_many_message(seconds)), 429)
        response.headers["Retry-After"] = str(seconds)
        return response

    login.__doc__ = SecurityApi.login.__doc__  # FAB's OpenAPI text of the route


class ThrottledLogins:
    """Mixed into a FAB security manager: its login form and API refuse throttled attempts, and every password
    check, whichever way it came, is counted as a failure or forgets the user name's failures."""

    #: under FAB's class name: its endpoint (`AuthDBView.login`) and permission names stay FAB's
    authdbview = type("AuthDBView", (ThrottledAuthDBView,), {})
    security_api = ThrottledSecurityApi

    def auth_user_db(self, username: Any, password: Any) -> Any:
        user = super().auth_user_db(username, password)  # type: ignore[misc]
        if has_request_context():
            throttle = login_throttle(current_app)
            if user:
                throttle.succeeded(typed_name(username))
            else:
                throttle.failed(typed_name(username), client_address())
        return user

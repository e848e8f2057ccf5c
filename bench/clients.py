"""What both benchmarks need: signed-in clients (a browser through the login form, an API caller with a JWT)
and the SQL statements one request runs."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from werkzeug.test import Client


def csrf_token(html: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', html
    )
    if not match:
        raise RuntimeError("the login page has no CSRF token")
    return match.group(1)


def browser(wsgi: Any, prefix: str, username: str, password: str) -> Client:
    """A client signed in through the login form, as a person would be."""
    client = Client(wsgi)
    page = client.get(f"{prefix}/login/")
    response = client.post(
        f"{prefix}/login/", data={"username": username, "password": password, "csrf_token": csrf_token(page.text)}
    )
    if response.status_code != 302:
        raise RuntimeError(f"form login on {prefix or '/'} failed: {response.status_code}")
    return client


def bearer(wsgi: Any, prefix: str, username: str, password: str) -> tuple[Client, dict[str, str]]:
    """A cookie-less client and the JWT header, as an API caller would have."""
    client = Client(wsgi, use_cookies=False)
    response = client.post(
        f"{prefix}/api/v1/security/login",
        json={"username": username, "password": password, "provider": "db", "refresh": False},
    )
    if response.status_code != 200:
        raise RuntimeError(f"API login on {prefix or '/'} failed: {response.status_code} {response.text[:200]}")
    return client, {"Authorization": f"Bearer {response.json['access_token']}"}


@contextmanager
def counting(target: Any = None) -> Iterator[list[str]]:
    """The SQL statements run while the block runs, on `target` (an engine) or on every engine (None)."""
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(" ".join(statement.split()))

    target = Engine if target is None else target
    event.listen(target, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(target, "before_cursor_execute", record)


def statements_of(call: Callable[[int], Any], i: int) -> list[str]:
    """The SQL statements run by one request, on any engine (tenant, platform or hand-written)."""
    with counting() as seen:
        call(i)
    return seen

"""The one WSGI entry point: /t/<slug>/… goes to that tenant's app, the rest to the console."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from html import escape
from typing import Any

from .cache import TenantApps
from .errors import TenantUnavailable
from .headers import html_headers

#: DOTALL: a path holding a newline is still the tenant's (its app answers it, as JSON on the API)
TENANT_PATH = re.compile(r"^/t/(?P<slug>[^/]+)(?P<rest>/.*)?$", re.DOTALL)
WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]

NOT_FOUND_PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>Not found</title></head>
<body style="font-family:sans-serif;margin:4em"><h1>No such workspace</h1>
<p>There is no tenant called <b>{slug}</b> here. Check the address, or ask your administrator.</p>
<p>未找到该租户，请检查地址或联系管理员。</p></body></html>"""


UNAVAILABLE_PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>Unavailable</title></head>
<body style="font-family:sans-serif;margin:4em"><h1>This workspace is unavailable</h1>
<p><b>{slug}</b> cannot be opened right now; its data is safe. Please try again later.</p>
<p>该工作区暂时无法访问，数据安全无虞，请稍后再试。</p></body></html>"""


SUSPENDED_PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>Suspended</title></head>
<body style="font-family:sans-serif;margin:4em"><h1>This workspace is suspended</h1>
<p><b>{slug}</b> has been suspended by the operator. Its data is kept; please contact your administrator.</p>
<p>该工作区已被暂停，数据均已保留，请联系管理员。</p></body></html>"""


def _respond(
    start_response: Callable[..., Any], status: str, body: str, headers: list[tuple[str, str]] | None = None
) -> list[bytes]:
    data = body.encode("utf-8")
    start_response(
        status,
        [
            ("Content-Type", "text/html; charset=utf-8"),
            ("Content-Length", str(len(data))),
            *html_headers(),
            *(headers or []),
        ],
    )
    return [data]


class TenantDispatcher:
    def __init__(self, console: WSGIApp, tenant_apps: TenantApps) -> None:
        self.console = console
        self.tenant_apps = tenant_apps

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        match = TENANT_PATH.match(environ.get("PATH_INFO", ""))
        if match is None:
            return self.console(environ, start_response)
        slug, rest = match["slug"], match["rest"]
        tenant = self.tenant_apps.tenant(slug)
        if tenant is None:
            return _respond(start_response, "404 Not Found", NOT_FOUND_PAGE.format(slug=escape(slug)))
        if tenant.status == "suspended":
            return _respond(
                start_response,
                "503 Service Unavailable",
                SUSPENDED_PAGE.format(slug=escape(slug)),
                [("Retry-After", "3600")],
            )
        if not rest:
            location = f"{environ.get('SCRIPT_NAME', '')}/t/{slug}/"
            return _respond(start_response, "308 Permanent Redirect", "", [("Location", location)])
        try:
            app = self.tenant_apps.get(tenant)
        except TenantUnavailable:
            return _respond(
                start_response,
                "503 Service Unavailable",
                UNAVAILABLE_PAGE.format(slug=escape(slug)),
                [("Retry-After", "300")],
            )
        environ["SCRIPT_NAME"] = f"{environ.get('SCRIPT_NAME', '')}/t/{slug}"
        environ["PATH_INFO"] = rest
        return app(environ, start_response)

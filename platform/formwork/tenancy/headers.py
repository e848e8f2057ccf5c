"""Security headers on every response of the tenant apps, the console and the dispatcher's own pages.

- `Content-Security-Policy` on HTML: everything from this origin only; no plugins; pages framed only by the
  platform's own; forms posted only here. Scripts must come from here or carry the request's nonce: FAB's and
  Formwork's templates put `nonce="{{ baselib.get_nonce() }}"` on every `<script>`, and FAB's `get_nonce` calls the
  `csp_nonce()` Jinja global installed here (Flask-Talisman's name). Styles may be inline: FAB's templates and
  its JavaScript (filters, select2) write `style` attributes. Images and fonts may be `data:` URLs (FAB's CSS).
- `X-Content-Type-Options: nosniff` on everything (API answers, files, static assets): a browser never runs a
  response as another type than it is declared.
- `Referrer-Policy: strict-origin-when-cross-origin`: record addresses (ids, filters) never leave in a Referer.
- `X-Frame-Options: SAMEORIGIN` for browsers that predate `frame-ancestors`.
"""

from __future__ import annotations

import secrets

from flask import Flask, Response, g

POLICY = (
    "default-src 'self'; script-src 'self'{nonce}; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "font-src 'self' data:; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'self'"
)
EVERY_RESPONSE = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "X-Frame-Options": "SAMEORIGIN",
}


def content_security_policy(nonce: str | None = None) -> str:
    """The policy of an HTML page; inline scripts run only with `nonce` (none given: no inline script runs)."""
    return POLICY.format(nonce=f" 'nonce-{nonce}'" if nonce else "")


def html_headers(nonce: str | None = None) -> list[tuple[str, str]]:
    """All security headers of an HTML page (the dispatcher's own pages take them as they are)."""
    return [("Content-Security-Policy", content_security_policy(nonce)), *EVERY_RESPONSE.items()]


def csp_nonce() -> str:
    """The request's nonce, made when a template first asks for it."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return g.csp_nonce


def add_security_headers(response: Response) -> Response:
    for name, value in EVERY_RESPONSE.items():
        response.headers.setdefault(name, value)
    if response.mimetype == "text/html":
        response.headers.setdefault("Content-Security-Policy", content_security_policy(g.get("csp_nonce")))
    return response


def install_security_headers(app: Flask) -> None:
    app.jinja_env.globals["csp_nonce"] = csp_nonce
    app.after_request(add_security_headers)

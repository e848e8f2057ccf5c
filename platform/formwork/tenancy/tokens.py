"""How the API signs in: the login body (throttled like the login form, tenancy/throttle.py), and the answer to a
missing, invalid or expired token.

flask_jwt_extended answers a bad token with 422 and the decoder's words ("Signature verification failed"); a token
of another tenant is signed with another key (tenancy/keys.py), so it is just as invalid here. Every one of them is
a 401 with `WWW-Authenticate: Bearer` (RFC 6750) and a message in the request's language: the client should sign
in again, not correct its request.
"""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify, make_response, request
from flask_appbuilder.api import expose
from flask_appbuilder.const import API_SECURITY_PROVIDER_DB
from flask_appbuilder.security.api import SecurityApi
from flask_jwt_extended import JWTManager

from ..i18n import CatalogText, Label
from .throttle import ThrottledSecurityApi

MISSING = CatalogText(
    "Sign in first: send the token of POST /api/v1/security/login as 'Authorization: Bearer <token>'."
)
INVALID = CatalogText("The token is not valid here; sign in again.")
EXPIRED = CatalogText("The token has expired; sign in again.")


def token_refused(message: Label, challenge: str) -> Response:
    """401 with the challenge a client answers by signing in again."""
    response = make_response(jsonify(message=message.localized()), 401)
    response.headers["WWW-Authenticate"] = challenge
    return response


def answer_token_problems(manager: JWTManager) -> None:
    """Register the 401 answers on FAB's JWT manager (a token for a deleted user is as invalid as a forged one)."""
    invalid = 'Bearer error="invalid_token"'
    manager.unauthorized_loader(lambda _reason: token_refused(MISSING, "Bearer"))
    manager.invalid_token_loader(lambda _reason: token_refused(INVALID, invalid))
    manager.expired_token_loader(lambda _header, _data: token_refused(EXPIRED, invalid))
    manager.user_lookup_error_loader(lambda _header, _data: token_refused(INVALID, invalid))


class TenantSecurityApi(ThrottledSecurityApi):
    """FAB's login (throttled) and refresh, `provider` being optional: a tenant signs in with its database, FAB's "db"."""

    @expose("/login", methods=["POST"])
    def login(self) -> Response:
        _default_provider()
        return super().login()

    login.__doc__ = SecurityApi.login.__doc__  # FAB's OpenAPI text of the route


def _default_provider() -> None:
    """Give the login body FAB reads its `provider` when the client left it out (FAB fails on a KeyError, a 500).

    Flask caches the parsed body and hands FAB's `request.json` the same dict, so setting the key here is what FAB
    reads; tests/test_bad_input.py signs in without a provider.
    """
    body: Any = request.get_json(silent=True)
    if isinstance(body, dict):
        body.setdefault("provider", API_SECURITY_PROVIDER_DB)

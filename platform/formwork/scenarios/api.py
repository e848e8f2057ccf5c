"""The tenant's REST API as a scenario's users call it: each signs in with their password and sends their own JWT,
so the platform's rights, record rules and field rights decide every answer as they would for a real client."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from werkzeug.test import Client

from .outcome import StepFailed

#: how much of an answer's body a failure shows
SHOWN_BODY = 300


@dataclass(frozen=True)
class Answer:
    status: int
    #: the JSON body, or the text when it is not JSON
    body: Any

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    @property
    def message(self) -> Any:
        """The body's `message` (a text, or field → messages for a refused write); None without one."""
        return self.body.get("message") if isinstance(self.body, dict) else None

    def __str__(self) -> str:
        text = self.body if isinstance(self.body, str) else json.dumps(self.body, ensure_ascii=False, default=str)
        return f"{self.status} {text[:SHOWN_BODY]}{'…' if len(text) > SHOWN_BODY else ''}"


class SignInRefused(StepFailed):
    """A user of the scenario could not sign in (their answer says why): the step they take fails."""


class TenantApi:
    """One tenant's `/api/v1/`, reached through the platform's WSGI app; users' tokens are asked for once."""

    def __init__(self, client: Client, slug: str, passwords: dict[str, str]) -> None:
        self.client = client
        self.slug = slug
        self.passwords = passwords
        self._tokens: dict[str, str] = {}

    def call(self, user: str, method: str, path: str, body: Any = None) -> Answer:
        """`method /t/<slug>/api/v1/<path>` as `user`, with `body` as JSON."""
        headers = {"Authorization": f"Bearer {self._token(user)}"}
        response = self.client.open(self._url(path), method=method, json=body, headers=headers)
        return _answer(response)

    def _token(self, user: str) -> str:
        if user not in self._tokens:
            body = {"username": user, "password": self.passwords[user], "provider": "db", "refresh": False}
            answer = _answer(self.client.post(self._url("security/login"), json=body))
            if answer.status != 200:
                raise SignInRefused(f"{user} cannot sign in: {answer}")
            self._tokens[user] = answer.body["access_token"]
        return self._tokens[user]

    def _url(self, path: str) -> str:
        return f"/t/{self.slug}/api/v1/{path}"


def _answer(response: Any) -> Answer:
    try:
        body = response.get_json(silent=True)
        return Answer(response.status_code, body if body is not None else response.get_data(as_text=True))
    finally:
        response.close()

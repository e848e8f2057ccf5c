"""A request body the tenant app will not read: the JSON provider (tenancy/bad_input.py) raises these, and the
entity API (compile/apis.py) answers them as a 400 naming the field, so they sit below both."""

from __future__ import annotations

from typing import Any

from werkzeug.exceptions import BadRequest

PathPart = str | int


class UnreadableJSON(ValueError):
    """JSON that parses but that the app refuses to read; `path` leads to the offending value (empty: the whole)."""

    def __init__(self, path: tuple[PathPart, ...], reason: str) -> None:
        self.path, self.reason = path, reason
        super().__init__(f"{'.'.join(map(str, path))}: {reason}" if path else reason)

    @property
    def messages(self) -> Any:
        """The reason nested under its path, as marshmallow nests field errors (`{"lines": {0: {"note": [...]}}}`)."""
        messages: Any = [self.reason]
        for part in reversed(self.path):
            messages = {part: messages}
        return messages if self.path else self.reason


class UnreadableBody(BadRequest):
    """A 400 for a body the JSON provider refused; `messages` has the reason nested under its path."""

    def __init__(self, unreadable: UnreadableJSON) -> None:
        super().__init__(description=str(unreadable))
        self.messages = unreadable.messages

    def __str__(self) -> str:
        """FAB's `safe` answers `str(error)`: the reason alone, without werkzeug's "400 Bad Request:"."""
        return str(self.description)

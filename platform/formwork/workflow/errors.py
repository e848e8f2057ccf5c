"""What the engine refuses, each with a message for the person who tried (the API will map them to 4xx)."""

from __future__ import annotations


class WorkflowError(Exception):
    """An action that cannot be done; nothing was changed."""

    status = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(WorkflowError):
    status = 404


class NotAllowed(WorkflowError):
    status = 403


class AlreadyDecided(WorkflowError):
    """Someone decided the task (or the request) first; the second decision is refused."""

    status = 409

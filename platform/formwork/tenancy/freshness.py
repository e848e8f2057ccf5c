"""Requests that race a migration get a 503 with Retry-After, not a 500 or a misleading 409.

A request checks the tenant's generation before it starts (tenancy/cache.py),
but one that was already running when another process migrated the tenant's
storage (a column added as NOT NULL, a column renamed) may fail on tables that
no longer fit the app it started with. When such a request failed on a database
error before anything of it was committed, while the tenant's migration lock
was held or after the tenant's generation moved past the one its app was built
for, nothing was written and the client is told to try again: the next attempt
is served by an app built for the new tables.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from flask import Flask, Response, jsonify, request
from sqlalchemy.orm import scoped_session

from ..actor import request_state
from ..compile.records import BEING_UPDATED
from ..config import Settings
from .locks import migration_running
from .registry import Tenant, generation_of

RETRY_AFTER_SECONDS = 2


def storage_watch(settings: Settings, tenant: Tenant) -> Callable[[], bool]:
    """Whether the tenant's storage is being migrated now, or was since an app of this generation was built."""
    built = tenant.generation

    def moved() -> bool:
        return migration_running(settings, tenant.slug) or generation_of(settings.database_url, tenant.slug) != built

    return moved


def being_updated() -> Response:
    """The 503 of a request that raced a migration: JSON on the API, a short text on screens."""
    message = BEING_UPDATED.localized()
    response = jsonify(message=message) if "/api/" in request.path else Response(message, mimetype="text/plain")
    response.status_code = 503
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def install_storage_watch(app: Flask, session: scoped_session, moved: Callable[[], bool]) -> None:
    """Turn the 500 of a request that raced a migration into a 503 (FAB's APIs answer 500 for any exception)."""
    engine = session.session_factory.kw["bind"]
    if not sa.event.contains(engine, "handle_error", _note_database_error):
        sa.event.listen(engine, "handle_error", _note_database_error)
    sa.event.listen(session, "after_commit", _note_commit)

    @app.after_request
    def raced_a_migration(response: Response) -> Response:
        state = request_state()
        failed_unsaved = state is not None and state.database_error and not state.committed
        if response.status_code == 500 and failed_unsaved and moved():
            return being_updated()
        return response


def _note_database_error(_context: Any) -> None:
    if (state := request_state()) is not None:
        state.database_error = True


def _note_commit(_session: Any) -> None:
    """Something of this request is saved: its failure can no longer be answered "nothing was saved"."""
    if (state := request_state()) is not None:
        state.committed = True

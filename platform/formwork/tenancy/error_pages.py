"""403, 404 and 500 on any page of a tenant app as a page inside its layout, in the reader's language, with a way
back: the home page, and the page the reader came from when it is one of the app's own.

Entity screens answer theirs with a way back to their list (compile/views.error_page); this is the app's answer
everywhere else (dashboards, inboxes, the search, a path no route takes). The API keeps answering JSON
(tenancy/openapi.json_http_errors hands only screens' errors here). Other statuses keep werkzeug's answer, whose
text says what was wrong with the request (a missing CSRF token). Should the layout itself fail (the database is
down), a page without it says the same, never a traceback.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlsplit

from flask import current_app, render_template, request
from werkzeug.exceptions import HTTPException, InternalServerError

from ..compile.views import BACK_HOME, ERROR_TEXTS
from .layout import TEXT

log = logging.getLogger(__name__)


def error_page(error: HTTPException) -> Any:
    """The page of a 403, 404 or 5xx; `error` itself (werkzeug's answer) for any other status."""
    status = error.code or InternalServerError.code
    if status not in ERROR_TEXTS and status < InternalServerError.code:
        return error
    appbuilder = current_app.appbuilder  # type: ignore[attr-defined]  # FAB sets it on the app
    if status >= InternalServerError.code:
        appbuilder.session.rollback()  # the failed request's transaction: the layout reads the menu's rights
    title, text = ERROR_TEXTS.get(status, ERROR_TEXTS[InternalServerError.code])
    values = {
        "title": title,
        "status": status,
        "text": text,
        "back": appbuilder.get_url_for_index,
        "back_label": BACK_HOME,
        "previous": previous_page(),
        "previous_label": TEXT["back"],
    }
    try:
        page = render_template(
            "formwork/error.html", base_template=appbuilder.base_template, appbuilder=appbuilder, **values
        )
    except Exception:  # the layout needs the database and the menu; the page must not fail with them
        log.exception("the error page's layout failed; answering without it")
        appbuilder.session.rollback()
        page = render_template("formwork/error_plain.html", **values)
    return page, status


def previous_page() -> str | None:
    """The page the reader came from, when it is a page of this app other than this one (never another site's)."""
    came_from = request.referrer
    if not came_from:
        return None
    parts = urlsplit(came_from)
    inside = parts.path.startswith(f"{request.script_root}/") or parts.path == request.script_root
    if parts.netloc != request.host or not inside or came_from == request.url:
        return None
    return came_from

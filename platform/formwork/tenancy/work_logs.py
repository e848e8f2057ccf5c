"""What the admins' logs of the worker's work (the e-mail outbox, webhook deliveries, automation runs) read from a
request: which status they show and which page. Their template macros are formwork/_work_log.html."""

from __future__ import annotations

from collections.abc import Sequence

from flask import abort, request

#: past this a page number is someone typing, not paging
MAX_PAGE = 100_000


def requested_page(statuses: Sequence[str]) -> tuple[str | None, int]:
    """(status or None for every one, page from 0); a status the log does not have is 404."""
    status = request.args.get("status") or None
    if status not in (None, *statuses):
        abort(404)
    return status, max(0, min(request.args.get("page", 0, type=int), MAX_PAGE))

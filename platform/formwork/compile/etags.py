"""HTTP validators of the entity API's records: `ETag` on reads and writes, `If-None-Match` and `If-Match`.

A record's ETag is a digest of the record as the caller's GET shows it (its `result`: the fields the caller's
roles let them see, the id and `version`), so it changes with the record's version and with anything else the
answer shows without a new version: a rollup recomputed after another record's save, a referenced record's
title. A client caching the record with `If-None-Match` then never gets a 304 for a copy that is out of date, and
`If-Match` succeeds only on the record the client actually read. The form is opaque (a quoted hash).

`If-Match` is checked against the record loaded in the writing transaction; the write itself is then guarded by
the record's `version` (SQLAlchemy's version counter: `UPDATE … WHERE version = <loaded>`), so a change committed
between the check and the write fails the write too (412 for a request that sent `If-Match`).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

from flask import current_app, request
from flask.wrappers import Response

from ..i18n import CatalogText

PRECONDITION_FAILED = CatalogText(
    "The record changed since you read it (If-Match does not name its current ETag); nothing was changed. "
    "Read it again and retry."
)
ETAG_HEADER = {
    "description": "The record's validator (opaque): send it back in If-Match or If-None-Match",
    "required": True,
    "schema": {"type": "string"},
}
IF_MATCH = {
    "in": "header",
    "name": "If-Match",
    "required": False,
    "schema": {"type": "string"},
    "description": "Change only if the record still has this ETag (`*`: any existing record); else 412",
}
IF_NONE_MATCH = {
    "in": "header",
    "name": "If-None-Match",
    "required": False,
    "schema": {"type": "string"},
    "description": "304 without a body if the record still has this ETag",
}
NOT_MODIFIED = {
    "description": "Not modified: If-None-Match names the record's current ETag",
    "headers": {"ETag": ETAG_HEADER},
}
PRECONDITION_FAILED_ANSWER = {"$ref": "#/components/responses/412"}
#: per method of the record path: the condition it takes, and the answer when the condition holds or fails
CONDITIONS = {
    "get": (IF_NONE_MATCH, "304", NOT_MODIFIED),
    "put": (IF_MATCH, "412", PRECONDITION_FAILED_ANSWER),
    "delete": (IF_MATCH, "412", PRECONDITION_FAILED_ANSWER),
}


def record_etag(shown: dict[str, Any]) -> str:
    """The ETag (unquoted) of a record as GET shows it, the same whether `shown` was dumped or read back as JSON."""
    as_sent = json.loads(current_app.json.dumps(shown))
    canonical = json.dumps(as_sent, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()[:32]


def asks_if_match() -> bool:
    """The request makes its write conditional (an If-Match header with no tag we can read matches nothing)."""
    return "If-Match" in request.headers


def if_match_fails(shown: Callable[[], dict[str, Any]]) -> bool:
    """An If-Match naming neither `*` nor the ETag of the record `shown` gives (strong comparison, as RFC 9110
    requires). The record is dumped only for an If-Match naming tags: plain writes pay nothing."""
    if not asks_if_match() or request.if_match.star_tag:
        return False
    return not request.if_match.contains(record_etag(shown()))


def is_not_modified(etag: str) -> bool:
    """An If-None-Match naming this ETag or `*` (weak comparison, as RFC 9110 requires)."""
    return request.if_none_match.contains_weak(etag)


def not_modified(etag: str) -> Response:
    """304: the client's copy is current; no body."""
    response = current_app.response_class(status=304)
    response.set_etag(etag)
    return response


def declare_etags(paths: dict[str, Any], record_path: str) -> None:
    """The OpenAPI document of the record path: ETag on GET and PUT answers, If-None-Match on GET with its 304,
    If-Match on PUT and DELETE with their 412. (The entity API serves no PATCH.)"""
    for method, (condition, code, refusal) in CONDITIONS.items():
        operation = paths.get(record_path, {}).get(method)
        if operation is None:
            continue
        operation.setdefault("parameters", []).append(condition)
        answers = operation.setdefault("responses", {})
        answers[code] = refusal
        success = answers.get("200")
        if method != "delete" and isinstance(success, dict) and "$ref" not in success:
            success.setdefault("headers", {})["ETag"] = ETAG_HEADER

"""Bad input: a request a tenant app cannot read is refused with a 4xx that says why, never a 500.

FAB's `safe` decorator turns every exception of an API route into a 500 "Fatal error" unless it is a
`BadRequest`, so what would fail deep inside FAB, the drivers or Python is refused before:

- the JSON provider reads request bodies: a body nested deeper than `MAX_DEPTH`, or with text no database stores
  (a NUL, an unpaired surrogate; `fields.base.unstorable`) in any string or key, is unreadable, and the error
  names where (`lines.0.note`). It also writes menu links (`menu.EndpointUrl`) for FAB's menu API;
- the request class answers an unreadable body, or none where JSON is read, with a `BadRequest` that says why
  (Flask hides the reason; werkzeug's 415 for a missing body is no `BadRequest`, so FAB made it a 500);
- the request guard, before every request: a body over `MAX_CONTENT_LENGTH` is a 413 before a view reads it, and
  a query argument (FAB's `q` read as FAB reads it), form value or file name with such text is a 400 naming it,
  as is a number in `q` no column stores or a `page` past any offset (the drivers overflow on both).

JSON on the API (`{"message": …}`, as FAB answers), plain text on screens.
"""

from __future__ import annotations

import json
import math
import urllib.parse
from collections.abc import Iterator
from typing import Any

import prison
from flask import Flask, Response, current_app, jsonify, make_response, request
from flask.json.provider import DefaultJSONProvider
from flask.wrappers import Request
from werkzeug.exceptions import BadRequest, RequestEntityTooLarge

from ..compile.unreadable import PathPart, UnreadableBody, UnreadableJSON
from ..fields.base import unstorable
from ..i18n import CatalogText
from ..languages import API_PREFIX
from ..uploads import MEGABYTE
from .menu import EndpointUrl

#: deeper than any record, child row or filter needs, and far below Python's recursion limit, which FAB, marshmallow
#: and the JSON encoders would otherwise reach on the way in or out
MAX_DEPTH = 64
TOO_DEEP = CatalogText("Nested deeper than {limit} levels.")
#: FAB's ModelRestApi routes that take `q` as rison: the list, one record, `_info`
RISON_ROUTES = ("get_list", "get", "info")
NOT_A_QUERY = CatalogText("Not a valid rison or JSON argument.")
TOO_LARGE_BODY = CatalogText("The request body is larger than {mb:g} MB.")
#: the largest whole number a database column stores (a BIGINT); offsets and comparisons beyond it overflow
BIGINT_LIMIT = 2**63 - 1
NO_SUCH_NUMBER = CatalogText("A number no database column stores.")
NO_SUCH_PAGE = CatalogText("A page past any the list can have.")
NOT_JSON = CatalogText("The request body is not JSON (Content-Type: application/json).")


def check_document(document: Any, numbers: bool = False) -> Any:
    """`document`, once checked: UnreadableJSON for the first container nested deeper than MAX_DEPTH or text no
    database stores, and
    with `numbers` (a query's `q`: its values are compared with columns and make the page's offset) a number none
    stores, which the driver would refuse (a 500) instead of finding no row.

    Iterative, so a document built to be deep cannot exhaust the stack while it is checked.
    """
    pending: list[tuple[tuple[PathPart, ...], Any]] = [((), document)]
    while pending:
        path, value = pending.pop()
        if isinstance(value, str):
            _refuse_unstorable(path, value)
        elif numbers and isinstance(value, (int, float)) and not isinstance(value, bool) and not storable_number(value):
            raise UnreadableJSON(path, NO_SUCH_NUMBER.localized())
        elif isinstance(value, (dict, list)):
            if len(path) >= MAX_DEPTH:
                raise _too_deep()
            items = value.items() if isinstance(value, dict) else enumerate(value)
            for key, item in items:
                if isinstance(key, str):
                    _refuse_unstorable(path, key)  # named by where the key is: the key itself may not be printable
                pending.append(((*path, key), item))
    return document


def check_list_page(query: Any) -> None:
    """Raise UnreadableJSON for a `page` of FAB's list whose rows start past any offset the database takes (FAB
    reads `page * page_size` rows past the first, `page_size` at most FAB_API_MAX_PAGE_SIZE), or before the first
    (a negative `page` or `page_size`: PostgreSQL refuses a negative OFFSET)."""
    if not isinstance(query, dict):
        return
    largest_page = max(current_app.config.get("FAB_API_MAX_PAGE_SIZE") or 1, 1)
    for name in ("page", "page_size"):
        number = query.get(name)
        if isinstance(number, int) and (number < 0 or number * largest_page > BIGINT_LIMIT):
            raise UnreadableJSON((name,), NO_SUCH_PAGE.localized())


def storable_number(value: float) -> bool:
    """Whether some column stores `value`: a finite float, or an integer a BIGINT holds (SQLite's, PostgreSQL's)."""
    return math.isfinite(value) if isinstance(value, float) else abs(value) <= BIGINT_LIMIT


def _too_deep() -> UnreadableJSON:
    return UnreadableJSON((), TOO_DEEP.localized().format(limit=MAX_DEPTH))


def _refuse_unstorable(path: tuple[PathPart, ...], text: str) -> None:
    problem = unstorable(text)
    if problem is not None:
        raise UnreadableJSON(path, problem.localized())


class TenantJSONProvider(DefaultJSONProvider):
    """Flask's JSON, reading only what `check_document` accepts and writing menu links as their URLs."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        try:
            document = super().loads(s, **kwargs)
        except RecursionError:  # deeper than the parser's own recursion: refused for the same reason
            raise _too_deep() from None
        check_document(document)
        return document

    @staticmethod
    def default(o: Any) -> Any:
        if isinstance(o, EndpointUrl):
            return str(o)
        return DefaultJSONProvider.default(o)


class NotJSON(BadRequest):
    """A 400 for a view reading JSON from a request that sent none (no body, or another Content-Type)."""

    def __init__(self) -> None:
        super().__init__(description=NOT_JSON.localized())

    def __str__(self) -> str:
        return str(self.description)


class TenantRequest(Request):
    """Flask's request, saying why a body is unreadable where Flask answers a bare 400 (outside debug mode)."""

    def on_json_loading_failed(self, e: ValueError | None) -> Any:
        if isinstance(e, UnreadableJSON):
            raise UnreadableBody(e)
        if e is None:  # werkzeug's 415 is no BadRequest: FAB's `safe` would make it a 500
            raise NotJSON()
        return super().on_json_loading_failed(e)


def fab_query_argument(value: str) -> Any:
    """The `q` argument of an API request as FAB reads it; UnreadableJSON where FAB would refuse it or fail.

    Mirrors FAB's `rison` decorator (flask_appbuilder/api/__init__.py): rison first; when prison's parser refuses
    the text and FAB_API_ALLOW_JSON_QS is on (FAB's default), JSON after a second URL-decoding of the text (so
    `%2500` in a URL is a NUL). Prison's other errors (TypeError, IndexError, RecursionError on malformed or deep
    text) escape FAB's decorator as a 500, so they are refused here. tests/test_bad_input.py compares this with FAB.
    """
    try:
        return prison.loads(value)
    except prison.decoder.ParserException:
        pass  # FAB tries JSON next
    except RecursionError:
        raise _too_deep() from None
    except Exception:  # noqa: BLE001 - whatever else prison raises on malformed text
        raise UnreadableJSON((), NOT_A_QUERY.localized()) from None
    if not current_app.config.get("FAB_API_ALLOW_JSON_QS", True):
        raise UnreadableJSON((), NOT_A_QUERY.localized())
    try:
        return json.loads(urllib.parse.parse_qs(f"q={value}")["q"][0])
    except RecursionError:
        raise _too_deep() from None
    except (ValueError, LookupError):
        raise UnreadableJSON((), NOT_A_QUERY.localized()) from None


def guard_request() -> Response | None:
    """Refuse, before any view runs, a body too large to read and text no database stores."""
    limit = current_app.config.get("MAX_CONTENT_LENGTH")
    if limit is not None and (request.content_length or 0) > limit:
        if request.mimetype == "multipart/form-data":
            raise RequestEntityTooLarge()  # an upload: answered by files/setup.too_large
        return answer(413, TOO_LARGE_BODY.localized().format(mb=round(limit / MEGABYTE, 1)))
    for name, text in _request_texts():
        problem = unstorable(text)
        if problem is not None:
            return refusal(name if unstorable(name) is None else ascii(name), problem.localized())
    query = request.args.get("q")
    if query is not None and request.path.startswith(API_PREFIX) and _reads_rison():
        try:
            check_list_page(check_document(fab_query_argument(query), numbers=True))
        except UnreadableJSON as unreadable:
            return refusal("q", str(unreadable))
    return None


def _reads_rison() -> bool:
    """Whether the route is one of FAB's that read `q` as rison; others (an export's quick search) ignore it."""
    return (request.endpoint or "").rsplit(".", 1)[-1] in RISON_ROUTES


def _request_texts() -> Iterator[tuple[str, str]]:
    """(name, text) of every query argument, form value and uploaded file's name, names included."""
    for source in (request.args, request.form):
        for name, value in source.items(multi=True):
            yield name, name
            yield name, value
    for name, upload in request.files.items(multi=True):
        yield name, name
        yield name, upload.filename or ""


def refusal(where: str, reason: str) -> Response:
    """A 400: `{"message": {where: [reason]}}` on the API, `where: reason` as plain text on screens."""
    if request.path.startswith(API_PREFIX):
        return make_response(jsonify(message={where: [reason]}), 400)
    return answer(400, f"{where}: {reason}")


def answer(status: int, message: str) -> Response:
    """`{"message": message}` on the API, `message` as plain text on screens."""
    if request.path.startswith(API_PREFIX):
        return make_response(jsonify(message=message), status)
    return make_response(
        message, status, {"Content-Type": "text/plain; charset=utf-8", "X-Content-Type-Options": "nosniff"}
    )


def install_bad_input(app: Flask) -> None:
    """The JSON provider, the request class and the request guard of a tenant app (before its other hooks)."""
    app.json = TenantJSONProvider(app)
    app.request_class = TenantRequest
    app.before_request(guard_request)

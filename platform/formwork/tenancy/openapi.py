"""A tenant's OpenAPI document says what its APIs answer: the contract generated clients and schemathesis read.

FAB assembles the document from each API's docstrings, and those differ from what FAB sends: ids written as
strings, `_info`'s columns as objects, every error's `message` as a string where field errors are an object. They
also leave out answers every API gives: 403 without the right, 404 for a path naming no record, 413 for a body over
the limit. The document is corrected as a whole, per kind of answer, never per operation. Errors on the API paths,
werkzeug's 404 and 405 included, are JSON like FAB's own (`{"message": …}`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask, current_app, jsonify, request
from flask.wrappers import Response
from flask_appbuilder.api import BaseApi, expose, protect, safe
from flask_appbuilder.api import manager as fab_api
from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound

from ..adapters.fab import new_api_spec
from ..languages import API_PREFIX

#: `{"message": …}`: a sentence, or the messages of each field (`{"name": ["Missing data for required field."]}`,
#: nested for rows: `{"lines": {"0": {"qty": [...]}}}`)
ERROR_BODY: dict[str, Any] = {
    "type": "object",
    "required": ["message"],
    "properties": {"message": {"anyOf": [{"type": "string"}, {"type": "object"}]}},
}
ERRORS = {
    "400": "Bad request: the message says what, per field where it can",
    "401": "No valid token (sign in at /api/v1/security/login)",
    "403": "The token's user lacks the right",
    "404": "Not found",
    "405": "The path does not take this method",
    "409": "Conflict: the record changed meanwhile, or is in use",
    "412": "If-Match names a version the record no longer has",
    "413": "The request body is larger than the limit",
    "422": "Could not process the request",
    "500": "Fatal error",
}
BODY_METHODS = ("post", "put", "patch")


def corrected(document: dict[str, Any]) -> dict[str, Any]:
    """FAB's document, saying what the APIs answer."""
    responses = document.setdefault("components", {}).setdefault("responses", {})
    for code, description in ERRORS.items():
        responses[code] = {"description": description, "content": {"application/json": {"schema": ERROR_BODY}}}
    responses["414"] = {"description": "The query is longer than the HTTP server takes (its own answer, not JSON)"}
    for path, operations in document.get("paths", {}).items():
        for method, operation in operations.items():
            add_common_answers(path, method, operation)
            for answer in operation.get("responses", {}).values():
                schema = answer.get("content", {}).get("application/json", {}).get("schema")
                if isinstance(schema, dict):
                    correct_fab_shapes(schema)
    for name, schema in document["components"].get("schemas", {}).items():
        if name.endswith("Api.put"):  # a ModelRestApi merges a PUT body with the stored record: any part will do
            schema.pop("required", None)
        if name.endswith(("Api.get", "Api.get_list")):  # `columns` in `q` picks the fields a read answers
            schema.pop("required", None)
    return document


def add_common_answers(path: str, method: str, operation: dict[str, Any]) -> None:
    """Answers any operation may give: 400 (bad query text), 401 and 403 when it needs a token, 404 when its path
    names something, 413 when it takes a body, 414 when it takes a query."""
    answers = operation.setdefault("responses", {})
    codes = ["400"]
    if operation.get("security"):
        codes += ["401", "403"]
    if "{" in path:
        codes.append("404")
    if method in BODY_METHODS:
        codes.append("413")
    if any(parameter.get("in") == "query" for parameter in operation.get("parameters", [])):
        codes.append("414")
    for code in codes:
        answers.setdefault(code, {"$ref": f"#/components/responses/{code}"})


def correct_fab_shapes(schema: dict[str, Any]) -> None:
    """What FAB's list, show, `_info` and menu answers contain, where its docstrings say otherwise."""
    properties = schema.get("properties", {})
    if properties.get("ids", {}).get("type") == "array":
        properties["ids"]["items"] = {"type": "integer"}
    if properties.get("id", {}).get("type") == "string":
        properties["id"] = {"type": "integer"}
    for name in ("add_columns", "edit_columns"):
        if properties.get(name, {}).get("type") == "object":
            properties[name] = {
                "type": "array",
                "items": {"type": "object"},
                "description": "the columns, each with its name, label, description, type, required and unique",
            }
    result = properties.get("result", {})
    for item in (result, result.get("items", {})):
        childs = item.get("properties", {}).get("childs", {})
        if childs.get("type") == "array":
            childs["items"] = {"anyOf": [{"type": "object"}, {"type": "string", "description": "a separator: -"}]}


class OpenApi(fab_api.OpenApi):
    """FAB's `/api/<version>/_openapi` (same name, endpoint and permission), serving the corrected document."""

    @expose("/<version>/_openapi")
    @protect()
    @safe
    def get(self, version: str) -> Response:
        spec = new_api_spec(self, version)
        appbuilder = current_app.appbuilder  # type: ignore[attr-defined]  # FAB sets it on the app
        apis = [api for api in appbuilder.baseviews if isinstance(api, BaseApi) and api.version == version]
        if not apis:
            return self.response_404()
        for api in apis:
            api.add_api_spec(spec)
        return self.response(200, **corrected(spec.to_dict()))

    get.__doc__ = fab_api.OpenApi.get.__doc__


def add_openapi(appbuilder: Any) -> None:
    """The corrected document and FAB's Swagger page (FAB_ADD_OPENAPI_VIEWS is off in tenant apps)."""
    appbuilder.add_api(OpenApi)
    appbuilder.add_view_no_menu(fab_api.SwaggerView)


def json_http_errors(app: Flask, pages: Callable[[HTTPException], Any]) -> None:
    """werkzeug's own errors (a path no route takes: 404; a method a path does not take: 405) in JSON on the API,
    as FAB answers; on screens, what `pages` answers (tenancy/error_pages.py)."""

    @app.errorhandler(HTTPException)
    def answer(error: HTTPException) -> Any:
        if error.code is None or error.code < 400:
            return error
        if not request.path.startswith(API_PREFIX):
            return pages(error)
        if isinstance(error, MethodNotAllowed) and not any_method_matches(error.valid_methods or []):
            error = NotFound()
        answer = jsonify(message=error.description)
        answer.status_code = error.code or NotFound.code
        for name, value in error.get_headers():
            if name.lower() != "content-type":
                answer.headers[name] = value
        return answer


def any_method_matches(methods: Iterable[str]) -> bool:
    """Whether some method takes the request's path. werkzeug answers 405 when a rule's pattern matched the path for
    another method even if its converter then refused the value (`/<int:pk>` given a number no key can be), so a
    405 whose path no method takes is a 404."""
    adapter = current_app.url_map.bind_to_environ(request.environ)
    for method in methods:
        try:
            adapter.match(method=method)
        except HTTPException:
            continue
        return True
    return False

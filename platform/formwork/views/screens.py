"""What the screens of every view kind share: finding the view a URL names (404 when it is not this entity's), the
viewer's rights on the entity (and a view's roles), the JSON bodies the views' endpoints take and the refusals they answer with.

The screens are mixins of each entity's ModelView (views/feature.py), so Flask-AppBuilder checks the entity's own
rights on every route: a view's page needs `can_list` (as the entity's lists), a change `can_edit`, an add
`can_add`. The JSON endpoints take the CSRF token in the `X-CSRFToken` header (the app's CSRFProtect reads it there).
"""

from __future__ import annotations

from typing import Any

from flask import abort, current_app, jsonify, request, url_for
from werkzeug.wrappers import Response

from ..compile.actors import request_actor
from ..compile.audience import meant_for
from ..i18n import CatalogText
from .saving import Refused

SEND_JSON = CatalogText("Send a JSON object.")


class ViewScreens:
    """The shared part of a view kind's routes on an entity's ModelView (which provides entity, appbuilder and
    `class_permission_name`, the view FAB's rights are on)."""

    entity: Any
    appbuilder: Any
    class_permission_name: str
    render_template: Any  # FAB's BaseView method, on the class this is mixed into

    def view_definition(self, collection: str, name: str) -> Any:
        """The view `pack.name` of this entity in `collection`; 404 for any other name, 403 when it is meant for
        roles the viewer holds none of (compile/audience.py)."""
        found = getattr(tenant_runtime().catalog, collection).get(name)
        if found is None or found.entity != self.entity.qualified:
            abort(404)
        if not meant_for(found.roles, request_actor()):
            abort(403)
        return found

    def query_for(self, query_class: type, definition: Any) -> Any:
        """`query_class`'s queries of `definition` for the signed-in viewer, in the tenant's session."""
        runtime = tenant_runtime()
        return query_class(definition, runtime.catalog, runtime.compiled, runtime.session(), request_actor())

    def may(self, permission: str) -> bool:
        return bool(self.appbuilder.sm.has_access(permission, self.class_permission_name))

    def show_url(self, pk: int) -> str:
        return url_for(f"{self.__class__.__name__}.show", pk=pk)


def tenant_runtime() -> Any:
    return current_app.extensions["formwork"]


def json_body() -> dict[str, Any]:
    """The request's JSON object; anything else is answered 400 with a message."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        abort(Response(jsonify(message=SEND_JSON.localized()).get_data(), 400, mimetype="application/json"))
    return body


def refusal(refused: Refused) -> Response:
    response = jsonify(message=refused.message, errors=refused.errors)
    response.status_code = refused.status
    return response

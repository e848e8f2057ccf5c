"""The formula editor's server side: the names an expression on an entity may use (the editor completes them) and
the static check of what the admin is typing (answered as JSON under the editor).

Both read the entity as the draft would make it (studio/publishing.py `draft_catalog`), so a formula may use a
field added a minute ago. The check is `expr.check_expression`: the passes `formwork validate` runs on a default, a
formula or a condition (CEL's parse, names, functions, types, the result against the field's type) without its
sample run, so nothing the admin types is ever run; the whole definition is compiled in full when the field is added
to the draft.
"""

from __future__ import annotations

from typing import Any

from werkzeug.datastructures import MultiDict

from ..expr import ExpressionError, Variable, check_expression, entity_variables, field_variable
from ..i18n import localized
from ..meta.catalog import Catalog
from ..meta.kinds import build_field
from ..meta.model import EntityDef
from .field_form import Control, posted_field

#: what a condition gives
CONDITION = "boolean"


def completion_names(entity: EntityDef, catalog: Catalog) -> list[str]:
    """Every name an expression on `entity` may use, and one step into each record it reads (`account.name`,
    `user.id`), sorted: the editor offers those starting with what is being typed."""
    names = []
    for name, variable in entity_variables(entity, catalog).items():
        names.append(name)
        names += [f"{name}.{inner}" for inner in (variable.fields or {})]
    return sorted(names)


def expected(control: str, field: dict[str, Any], entity: EntityDef, catalog: Catalog) -> str | Variable:
    """What the expression at `control` must give: true or false for a condition, the field's own value (a
    formula's result type) for a formula or a default."""
    if control not in ("expression", "default_expr"):
        return CONDITION
    return field_variable(build_field(field, len(entity.fields), entity.pack), catalog)


def check_answer(
    control: str, form: MultiDict[str, str], offered: list[Control], entity: EntityDef, catalog: Catalog
) -> dict[str, Any]:
    """{ok, type, errors} for the expression at `control` (one of EXPRESSION_CONTROLS) of the posted add-field form:
    its value's type in words when it passes the checks, the checker's message when it does not, both in the
    admin's language."""
    field = posted_field(form, offered, catalog)
    try:
        result = check_expression(
            form.get(control, ""), entity_variables(entity, catalog), expect=expected(control, field, entity, catalog)
        )
    except ExpressionError as error:
        return {"ok": False, "type": None, "errors": [localized(error.message)]}
    return {"ok": True, "type": localized(result.describe()), "errors": []}

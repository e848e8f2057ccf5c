"""Expressions: CEL behind one small interface, so that it could be swapped.

Field defaults, formulas, form conditions (visible_when, required_when,
read_only_when), entity validation rules and lock conditions are all CEL
expressions (docs/expressions.md is the reference for their authors). Callers
use only what is exported here:

    compile_expression(source, variables, *, expect=None) -> Expression
        Compile and check once, when definitions are validated. `variables`
        maps names to types: a field type name ("money", "date"…), "map",
        "list", "any", or a `Variable` (a reference's fields, a choice's values).
        `expect` is the result type ("boolean" for conditions). Raises
        ExpressionError (message, line, column inside the expression); the
        caller adds the file and line.

    check_expression(source, variables, *, expect=None) -> Type
        The same checks without the sample run (nothing is run): the type of
        the expression's value, for an editor checking as its author types.

    Expression.evaluate(record, *, user=None, now=None, tz=None, where="") -> Any
        Run on a record (a mapping or a model instance). Returns the result as
        `expect` says: "money" → Decimal with 2 places, "date" → date,
        "boolean" → bool… Raises ExpressionFailed (with a user-facing `reason`)
        after logging one line with the source and `where`
        (e.g. "crm.opportunity rule 'close_after_open'").

    Expression.names / .paths
        The variables (record fields) the expression reads, and the
        `reference.field` paths: a formula's inputs, a form rule's triggers.

    Expression.named / .gives
        For each name and path it reads, the text values it compares it with
        (None: it cannot tell which matter); the text values it can give: the
        choices a definition relies on (`joined_values` joins two such sets).

    entity_variables(entity, catalog) -> dict[str, Variable]
        What an expression on an entity may use: fields, standard columns, `user`.
    field_variable(field, catalog) -> Variable
        A field's type, also the `expect` for its default or formula.

Inside, one module per concept: `types` (declared and static types),
`syntax` (a parser, as the package exposes no syntax tree), `check` (the
static checker), `functions` (today(), add_months()…), `values` (Python ↔ CEL),
`compiler` (the checks of compile_expression), `expression` (evaluation and
failure messages), `entity` (names from an EntityDef), `named` (the values an
expression names). Only `compiler`, `expression` and `check` import `cel`.
"""

from __future__ import annotations

from .compiler import check_expression, compile_expression
from .entity import USER, entity_variables, field_variable
from .errors import ExpressionError, ExpressionFailed
from .expression import Expression
from .named import NamedValues, joined_values
from .types import Variable

__all__ = [
    "USER",
    "Expression",
    "ExpressionError",
    "ExpressionFailed",
    "NamedValues",
    "Variable",
    "check_expression",
    "compile_expression",
    "entity_variables",
    "field_variable",
    "joined_values",
]

"""Compiling an expression once: everything that can be wrong in how it is written.

Four passes, each refusing with an `ExpressionError` for the author: CEL's own
parse (syntax), our parse and static check (names, fields, functions, types,
in every branch), the result type against what the caller expects, and one
sample run on typical values (type errors hidden behind `dyn`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime, timedelta, timezone
from typing import Any

import cel

from ..i18n import CatalogText, say
from . import check_texts as says
from .check import Checker, check, closest
from .errors import ExpressionError
from .expression import Expression, first_sentence
from .functions import A_NUMBER, implementations
from .named import given_values, named_values
from .syntax import Node, SyntaxProblem, parse
from .types import NUMBER_KINDS, TIME_KINDS, WORDS, Type, Variable, VariableSpec, as_variable

#: What a result of each static kind may be, as the checker sees it, and how the requirement reads.
RESULTS: dict[str, tuple[frozenset[str], CatalogText]] = {
    "bool": (frozenset({"bool"}), CatalogText("true or false")),
    "int": (frozenset({"int", "uint"}), WORDS["int"]),
    "double": (NUMBER_KINDS, A_NUMBER),
    "string": (frozenset({"string"}), WORDS["string"]),
    "date": (TIME_KINDS, WORDS["date"]),
    "timestamp": (TIME_KINDS, WORDS["timestamp"]),
    "map": (frozenset({"map", "int"}), CatalogText("a record or its id")),
    "list": (frozenset({"list"}), WORDS["list"]),
}


def compile_expression(
    source: str, variables: Mapping[str, VariableSpec], *, expect: VariableSpec | None = None
) -> Expression:
    """Compile and check `source` once; raises ExpressionError with a message for its author.

    `variables` maps each name the expression may use to its type (a field
    type name or a `Variable`); `expect` is the result type (e.g. "boolean"
    for a condition, a field's `Variable` for its default or formula).
    """
    program, declared, wanted, checked, tree = _static_checks(source, variables, expect)
    used = {name: declared[name] for name in sorted(checked.names)}
    expression = Expression(
        source,
        program,
        used,
        wanted,
        checked.result,
        frozenset(checked.paths),
        named_values(tree, declared),
        given_values(tree),
    )
    _sample_run(expression)
    return expression


def check_expression(source: str, variables: Mapping[str, VariableSpec], *, expect: VariableSpec | None = None) -> Type:
    """The type of `source`'s value after the static passes of `compile_expression` (ExpressionError otherwise).

    Nothing is run, not even the sample run: for an editor checking as its author types (the Studio's formula
    editor); the definition it ends up in is compiled in full when it is validated."""
    return _static_checks(source, variables, expect)[3].result


def _static_checks(
    source: str, variables: Mapping[str, VariableSpec], expect: VariableSpec | None
) -> tuple[cel.Program, dict[str, Variable], Variable | None, Checker, Node]:
    """CEL's parse, ours, the static check and the result type: (program, declared names, expected, checker, tree)."""
    if not isinstance(source, str) or not source.strip():
        raise ExpressionError(say(says.EMPTY), str(source or ""))
    declared = {name: as_variable(spec) for name, spec in variables.items()}
    wanted = as_variable(expect) if expect is not None else None
    program = _cel_compile(source)
    try:
        tree = parse(source)
    except SyntaxProblem as problem:
        raise ExpressionError(say(says.SYNTAX_ERROR, problem=problem.message), source, problem.offset) from None
    checked = check(tree, source, {name: var.static for name, var in declared.items()})
    _check_result(source, checked.result, wanted, tree)
    return program, declared, wanted, checked, tree


_CEL_ERROR = re.compile(r"<input>:(\d+):(\d+): (.*)")


def _cel_compile(source: str) -> cel.Program:
    """CEL's own parse, whose syntax errors are made readable here."""
    try:
        return cel.compile(source)
    except Exception as exc:  # noqa: BLE001 - the package raises ValueError today; any failure is a syntax error
        found = _CEL_ERROR.search(str(exc))
        if not found:
            raise ExpressionError(say(says.SYNTAX_ERROR, problem=first_sentence(str(exc))), source) from None
        line, column, message = int(found[1]), int(found[2]), found[3]
        offset = sum(len(text) + 1 for text in source.split("\n")[: line - 1]) + column - 1
        problem = _readable(message, source, offset)
        raise ExpressionError(say(says.SYNTAX_ERROR, problem=problem), source, offset) from None


def _readable(message: str, source: str, offset: int) -> str:
    """CEL's message in our words where we know it; else CEL's own (English)."""
    message = message.removeprefix("Syntax error: ")
    if "<EOF>" in message:
        return say(says.ENDS_EARLY)
    if message.startswith("reserved identifier: "):
        return say(says.RESERVED_NAME, word=message.split(": ", 1)[1])
    found = re.match(
        r"(?:mismatched input|no viable alternative at input|extraneous input|token recognition error at:) '?(.*?)'?( expecting.*)?$",
        message,
    )
    if found:
        return say(says.UNEXPECTED, text=found[1] or source[offset : offset + 1])
    return message


def _check_result(source: str, result: Type, expect: Variable | None, tree: Any) -> None:
    """A condition must give true/false, a date default a date…: refuse an expression that never can."""
    if expect is None or expect.static.kind not in RESULTS:
        return
    accepted, words = RESULTS[expect.static.kind]
    boolean = expect.static.kind == "bool"
    if result.kind == "dyn" or result.kind in accepted or (result.kind == "null" and not boolean):
        literal = getattr(tree, "value", None)
        if expect.choices and getattr(tree, "kind", None) == "string" and literal not in expect.choices:
            hint = closest(str(literal), set(expect.choices))
            choices = ", ".join(expect.choices)
            raise ExpressionError(say(says.NOT_A_CHOICE, value=literal, choices=choices, hint=hint), source, 0)
        return
    text = says.CONDITION_GIVES if boolean else says.EXPRESSION_GIVES
    hint = say(says.USE_ROUND) if expect.static.kind == "int" and result.kind == "double" else ""
    raise ExpressionError(say(text, wanted=words, kind=result.describe(), hint=hint), source, 0)


# -- the sample run -------------------------------------------------------------------------

_SAMPLE_DAY = datetime(2024, 1, 31, tzinfo=timezone.utc)


def _sample(kind: Type) -> Any:
    """A typical non-null value of a static type, or None when the type says too little."""
    simple = {
        "int": 1,
        "uint": 1,
        "double": 1.5,
        "bool": True,
        "bytes": b"a",
        "date": _SAMPLE_DAY,
        "timestamp": _SAMPLE_DAY + timedelta(hours=9, minutes=30),
        "duration": timedelta(days=1),
    }
    if kind.kind in simple:
        return simple[kind.kind]
    if kind.kind == "string":
        return kind.choices[0] if kind.choices else "a"
    if kind.kind == "list":
        return [] if kind.item is None or kind.item.dyn else [_sample(kind.item)]
    if kind.kind == "map":
        return {} if kind.fields is None else {k: _sample(v) for k, v in kind.fields.items()}
    return None


def _sample_run(expression: Expression) -> None:
    """Run once on a record whose fields all have typical values: a type error CEL finds is the author's.

    This catches what the static checker lets through as `dyn`. Only type
    errors count; a value error (an index out of range…) depends on real data.
    """
    values = {name: _sample(var.static) for name, var in expression.variables.items()}
    if any(value is None for value in values.values()):
        return
    functions = implementations(_SAMPLE_DAY, timezone.utc, [])
    try:
        result = expression.program.execute(cel.Context(variables=values, functions=functions))
    except (TypeError, RuntimeError) as exc:
        message = str(exc)
        if isinstance(exc, TypeError) or message.startswith("Undefined variable or function"):
            raise ExpressionError(say(says.TYPE_ERROR, problem=first_sentence(message)), expression.source) from None
        return
    except Exception:  # noqa: BLE001 - value errors depend on the record, not on how the expression is written
        return
    if expression.expect is not None and expression.expect.static.kind == "bool" and not isinstance(result, bool):
        raise ExpressionError(say(says.CONDITION_GAVE, value=repr(result)), expression.source)

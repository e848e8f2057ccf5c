"""The static checker: types of an expression's parts, and the mistakes an author can fix.

It walks the syntax tree once with the declared types of the names and
reports, as `ExpressionError`, what can never work: an unknown name or field
(with the closest known one), a function called with the wrong number or kind
of arguments, comparing or combining values of kinds that never match (a date
with text, a decimal with a whole number, text with a number), a choice
compared with a value it does not have. Every branch is checked, not only the
one a sample record would take.

It is deliberately lenient where it cannot know: a value of type `dyn`
(an untyped map, `dyn(x)`) passes every check. Null is never predicted:
a field may always be empty at run time (see docs/expressions.md, "Null").
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from datetime import date

import cel

from . import syntax as s
from .errors import ExpressionError
from .functions import ANY, SIGNATURES
from .types import (
    BOOL,
    BYTES,
    DOUBLE,
    DURATION,
    DYN,
    INT,
    NUMBER_KINDS,
    STRING,
    TIME_KINDS,
    TIMESTAMP,
    TYPE,
    UINT,
    Type,
)

TYPE_NAMES = frozenset({"int", "uint", "double", "bool", "string", "bytes", "list", "map", "null_type", "type"})
CONVERSIONS: dict[str, tuple[frozenset[str], Type]] = {
    "int": (frozenset({"int", "uint", "double", "string"}), INT),
    "uint": (frozenset({"int", "uint", "double", "string"}), UINT),
    "double": (frozenset({"int", "uint", "double", "string"}), DOUBLE),
    "string": (frozenset({"int", "uint", "double", "string", "bytes", "date", "timestamp", "duration"}), STRING),
    "bytes": (frozenset({"string", "bytes"}), BYTES),
    "timestamp": (frozenset({"string", "date", "timestamp"}), TIMESTAMP),
    "duration": (frozenset({"string", "duration"}), DURATION),
    "dyn": (frozenset({"any"}), DYN),
    "type": (frozenset({"any"}), TYPE),
}
TIME_ACCESSORS = frozenset(
    {
        "getFullYear",
        "getMonth",
        "getDate",
        "getDayOfMonth",
        "getDayOfWeek",
        "getDayOfYear",
        "getHours",
        "getMinutes",
        "getSeconds",
        "getMilliseconds",
    }
)
DURATION_ACCESSORS = frozenset({"getHours", "getMinutes", "getSeconds", "getMilliseconds"})
TEXT_TESTS = frozenset({"contains", "startsWith", "endsWith", "matches"})
#: CEL's own functions and macros; SIGNATURES (ours, and those features add) join them in `known_functions`
CEL_FUNCTIONS = frozenset(
    {*CONVERSIONS, *TIME_ACCESSORS, *TEXT_TESTS, "size", "has", "all", "exists", "exists_one", "map", "filter"}
)
ORDERED_KINDS = frozenset({*NUMBER_KINDS, *TIME_KINDS, "string", "bool", "bytes", "duration"})


def closest(name: str, known: Iterable[str]) -> str:
    """' (did you mean 'x'?)' when a known name is close, else ''."""
    found = difflib.get_close_matches(name, sorted(known), n=1, cutoff=0.6)
    return f" (did you mean '{found[0]}'?)" if found else ""


def _family(kind: str) -> str:
    return "number" if kind in NUMBER_KINDS else "time" if kind in TIME_KINDS else kind


class Checker:
    """Infers the type of every node; `names` and `paths` collect the declared names it reads."""

    def __init__(self, source: str, env: dict[str, Type]) -> None:
        self.source, self.env = source, env
        self.names: set[str] = set()
        self.paths: set[str] = set()
        self.result: Type = DYN

    # -- helpers -----------------------------------------------------------------
    def fail(self, node: s.Node, message: str) -> ExpressionError:
        return ExpressionError(message, self.source, node.start)

    def text(self, node: s.Node) -> str:
        text = self.source[node.start : node.end]
        return text if len(text) <= 40 else text[:37] + "…"

    def about(self, node: s.Node, kind: Type) -> str:
        return f"{self.text(node)} ({kind.describe()})"

    # -- walk --------------------------------------------------------------------
    def check(self, node: s.Node, scope: dict[str, Type]) -> Type:
        method = getattr(self, f"visit_{type(node).__name__.lower()}")
        return method(node, scope)

    def visit_lit(self, node: s.Lit, scope: dict[str, Type]) -> Type:
        return Type(node.kind)

    def visit_ident(self, node: s.Ident, scope: dict[str, Type]) -> Type:
        if node.name in scope:
            return scope[node.name]
        if node.name in self.env:
            self.names.add(node.name)
            return self.env[node.name]
        if node.name in TYPE_NAMES:
            return TYPE
        known = {*self.env, *scope}
        hint = closest(node.name, known)
        if not hint and known:
            listed = ", ".join(sorted(known)[:15]) + (", …" if len(known) > 15 else "")
            hint = f"; known names are {listed}"
        return self._raise(node, f"unknown name '{node.name}'{hint}")

    def _raise(self, node: s.Node, message: str) -> Type:
        raise self.fail(node, message)

    def visit_select(self, node: s.Select, scope: dict[str, Type]) -> Type:
        owner = self.check(node.operand, scope)
        if isinstance(node.operand, s.Ident) and node.operand.name in self.names and node.operand.name not in scope:
            self.paths.add(f"{node.operand.name}.{node.field}")
        found = self._member(node, owner, node.field)
        return BOOL if node.test else found

    def _member(self, node: s.Node, owner: Type, name: str) -> Type:
        operand = node.operand if isinstance(node, (s.Select, s.Index)) else node
        if owner.kind == "map":
            if owner.fields is None:
                return owner.item or DYN
            if name in owner.fields:
                return owner.fields[name]
            return self._raise(node, f"{self.text(operand)} has no field '{name}'{closest(name, owner.fields)}")
        if owner.dyn:
            return DYN
        hint = ", use getFullYear(), getMonth()…" if owner.kind in TIME_KINDS else ""
        return self._raise(node, f"{self.about(operand, owner)} has no fields such as '{name}'{hint}")

    def visit_index(self, node: s.Index, scope: dict[str, Type]) -> Type:
        owner, index = self.check(node.operand, scope), self.check(node.index, scope)
        if owner.kind == "list":
            if index.kind not in ("int", "uint", "dyn"):
                return self._raise(
                    node.index, f"a list position must be a whole number, not {self.about(node.index, index)}"
                )
            return owner.item or DYN
        if owner.kind == "map":
            if owner.fields is not None and isinstance(node.index, s.Lit) and node.index.kind == "string":
                return self._member(node, owner, node.index.value)
            return DYN if owner.fields is not None else owner.item or DYN
        if owner.dyn:
            return DYN
        return self._raise(node, f"{self.about(node.operand, owner)} cannot be indexed with [ ]")

    def visit_listlit(self, node: s.ListLit, scope: dict[str, Type]) -> Type:
        items = [self.check(item, scope) for item in node.items]
        kinds = {t.kind for t in items}
        return Type("list", item=items[0] if len(kinds) == 1 else DYN)

    def visit_maplit(self, node: s.MapLit, scope: dict[str, Type]) -> Type:
        fields: dict[str, Type] | None = {}
        for key, value in node.entries:
            self.check(key, scope)
            kind = self.check(value, scope)
            if fields is not None and isinstance(key, s.Lit) and key.kind == "string":
                fields[key.value] = kind
            else:
                fields = None
        return Type("map", fields=fields)

    def visit_unary(self, node: s.Unary, scope: dict[str, Type]) -> Type:
        operand = self.check(node.operand, scope)
        if node.op == "!":
            if operand.kind not in ("bool", "dyn"):
                return self._raise(node, f"! needs true/false, but {self.about(node.operand, operand)} is not")
            return BOOL
        if operand.kind not in ("int", "double", "dyn"):
            return self._raise(node, f"cannot negate {self.about(node.operand, operand)}")
        return operand

    def visit_cond(self, node: s.Cond, scope: dict[str, Type]) -> Type:
        test = self.check(node.test, scope)
        if test.kind not in ("bool", "dyn"):
            return self._raise(
                node.test, f"the condition before ? must be true/false, but {self.about(node.test, test)} is not"
            )
        then, otherwise = self.check(node.then, scope), self.check(node.otherwise, scope)
        if then.kind == "null":
            return otherwise
        if otherwise.kind == "null" or then.kind == otherwise.kind:
            return then
        return DYN

    def visit_comprehension(self, node: s.Comprehension, scope: dict[str, Type]) -> Type:
        target = self.check(node.target, scope)
        if target.kind == "list":
            var = target.item or DYN
        elif target.kind == "map":
            var = STRING if target.fields is not None else DYN
        elif target.dyn:
            var = DYN
        else:
            return self._raise(
                node.target, f"{node.macro}() needs a list, but {self.about(node.target, target)} is not one"
            )
        wanted = (1, 2) if node.macro == "map" else (1,)
        if len(node.args) not in wanted:
            return self._raise(
                node,
                f"{node.macro}() takes a variable and {'one or two expressions' if node.macro == 'map' else 'a condition'}",
            )
        inner = {**scope, node.var: var}
        kinds = [self.check(arg, inner) for arg in node.args]
        tests = kinds if node.macro != "map" else kinds[:-1]
        for arg, kind in zip(node.args, tests, strict=False):
            if kind.kind not in ("bool", "dyn"):
                return self._raise(
                    arg, f"the condition of {node.macro}() must be true/false, but {self.about(arg, kind)} is not"
                )
        if node.macro == "map":
            return Type("list", item=kinds[-1])
        if node.macro == "filter":
            return Type("list", item=var)
        return BOOL

    # -- operators -----------------------------------------------------------------
    def visit_binary(self, node: s.Binary, scope: dict[str, Type]) -> Type:
        left, right = self.check(node.left, scope), self.check(node.right, scope)
        if node.op in ("&&", "||"):
            for side, kind in ((node.left, left), (node.right, right)):
                if kind.kind not in ("bool", "dyn"):
                    return self._raise(
                        side, f"{node.op} joins conditions, but {self.about(side, kind)} is not true/false"
                    )
            return BOOL
        if node.op in ("==", "!="):
            self._comparable(node, left, right)
            return BOOL
        if node.op in ("<", "<=", ">", ">="):
            self._ordered(node, left, right)
            return BOOL
        if node.op == "in":
            return self._in(node, left, right)
        return self._arithmetic(node, left, right)

    def _comparable(self, node: s.Binary, left: Type, right: Type) -> None:
        for one, subject, other in ((left, node.left, node.right), (right, node.right, node.left)):
            if one.choices and isinstance(other, s.Lit) and other.kind == "string":
                self._choice(subject, one, other)
        if "dyn" in (left.kind, right.kind) or "null" in (left.kind, right.kind):
            return
        if _family(left.kind) != _family(right.kind):
            raise self.fail(node, self._mismatch(node, left, right, "they are never equal"))

    def _choice(self, subject: s.Node, kind: Type, literal: s.Lit) -> None:
        """A choice field compared with a value it can never have: a typo, usually."""
        if literal.value not in kind.choices:
            raise self.fail(
                literal,
                f"{self.text(subject)} is never '{literal.value}': its choices are "
                f"{', '.join(kind.choices)}{closest(literal.value, set(kind.choices))}",
            )

    def _mismatch(self, node: s.Binary, left: Type, right: Type, consequence: str) -> str:
        message = f"{self.about(node.left, left)} and {self.about(node.right, right)} cannot be compared: {consequence}"
        for time_side, other in ((left, node.right), (right, node.left)):
            if time_side.kind in TIME_KINDS and isinstance(other, s.Lit) and other.kind == "string":
                hint = f"date('{other.value}')" if time_side.kind == "date" else f"timestamp('{other.value}')"
                message += f"; write {hint} to make a {time_side.describe()[2:]} from text"
        return message

    def _ordered(self, node: s.Binary, left: Type, right: Type) -> None:
        for side, kind in ((node.left, left), (node.right, right)):
            if kind.kind == "null" or kind.kind not in ORDERED_KINDS | {"dyn"}:
                raise self.fail(side, f"{self.about(side, kind)} cannot be ordered with {node.op}")
        if not left.dyn and not right.dyn and _family(left.kind) != _family(right.kind):
            raise self.fail(node, self._mismatch(node, left, right, f"{node.op} needs two values of the same kind"))

    def _in(self, node: s.Binary, left: Type, right: Type) -> Type:
        if right.kind == "list":
            if left.choices and isinstance(node.right, s.ListLit):
                for entry in node.right.items:
                    if isinstance(entry, s.Lit) and entry.kind == "string" and entry.value not in left.choices:
                        self._choice(node.left, left, entry)
            item = right.item or DYN
            if item.choices and isinstance(node.left, s.Lit) and node.left.kind == "string":
                self._choice(node.right, item, node.left)
            if not item.dyn and not left.dyn and left.kind != "null" and _family(item.kind) != _family(left.kind):
                raise self.fail(
                    node,
                    f"{self.about(node.left, left)} is never in {self.text(node.right)}, "
                    f"whose items are {item.describe()}",
                )
            return BOOL
        if right.kind == "map":
            if left.kind not in ("string", "dyn", "int", "uint", "bool"):
                raise self.fail(node.left, f"{self.about(node.left, left)} cannot be a key of {self.text(node.right)}")
            return BOOL
        if right.dyn:
            return BOOL
        return self._raise(
            node.right, f"'in' needs a list or a map on its right, but {self.about(node.right, right)} is neither"
        )

    def _arithmetic(self, node: s.Binary, left: Type, right: Type) -> Type:
        if left.dyn or right.dyn:
            return DYN
        result = _ARITHMETIC.get((node.op, left.kind, right.kind))
        if result is not None:
            return result
        if node.op == "+" and left.kind == right.kind == "list":
            return Type(
                "list", item=left.item if left.item and right.item and left.item.kind == right.item.kind else DYN
            )
        raise self.fail(
            node,
            f"cannot use {node.op} on {self.about(node.left, left)} and {self.about(node.right, right)}"
            f"{self._arithmetic_hint(node, left, right)}",
        )

    def _arithmetic_hint(self, node: s.Binary, left: Type, right: Type) -> str:
        kinds = {left.kind, right.kind}
        if "null" in kinds:
            return ": null is not a number; use coalesce() for an empty value"
        if kinds <= NUMBER_KINDS:
            literal = next((n for n in (node.left, node.right) if isinstance(n, s.Lit) and n.kind == "int"), None)
            fix = (
                f"write {literal.value}.0 instead of {literal.value}"
                if literal
                else "convert one side with double() or int()"
            )
            return f": whole and decimal numbers do not mix; {fix}"
        if kinds & TIME_KINDS and kinds & NUMBER_KINDS:
            return ": use add_days() or add_months() to move a date"
        if kinds & TIME_KINDS and node.op == "-" and "string" in kinds:
            return ": make a date from text with date('2024-01-31')"
        if "string" in kinds and node.op == "+":
            return ": convert the other side to text with string()"
        return ""

    # -- calls -----------------------------------------------------------------------
    def visit_call(self, node: s.Call, scope: dict[str, Type]) -> Type:
        target = self.check(node.target, scope) if node.target is not None else None
        args = [self.check(arg, scope) for arg in node.args]
        name = node.function
        if name in SIGNATURES:
            nodes = ([node.target] if node.target is not None else []) + node.args
            return self._ours(node, name, nodes, ([target] if target is not None else []) + args)
        if name == "size":
            subject = [target] if target is not None else args
            if len(subject) != 1 or (target is not None and args):
                return self._raise(node, "size() takes one text, list or map")
            if subject[0].kind not in ("string", "bytes", "list", "map", "dyn"):
                return self._raise(node, f"size() needs text, a list or a map, not {subject[0].describe()}")
            return INT
        if name in TEXT_TESTS:
            return self._text_test(node, target, args)
        if name in CONVERSIONS:
            return self._conversion(node, target, args)
        if name in TIME_ACCESSORS:
            return self._accessor(node, target, args)
        return self._raise(node, f"unknown function '{name}'{closest(name, sorted({*SIGNATURES, *CEL_FUNCTIONS}))}")

    def _ours(self, node: s.Call, name: str, nodes: list[s.Node], args: list[Type]) -> Type:
        sig = SIGNATURES[name]
        fewest, most = sig.arity()
        if len(args) < fewest or (most is not None and len(args) > most):
            wanted = f"{fewest}" if fewest == most else f"{fewest} or more" if most is None else f"{fewest} to {most}"
            plural = "" if wanted == "1" else "s"
            return self._raise(node, f"{name}() takes {wanted} argument{plural} ({sig.usage}), not {len(args)}")
        for position, (arg, kind) in enumerate(zip(nodes, args, strict=False)):
            param = sig.params[min(position, len(sig.params) - 1)]
            if param.kinds == ANY or kind.dyn or kind.kind in param.kinds:
                continue
            hint = (
                "; write a whole number such as 30, or use int()"
                if "int" in param.kinds and kind.kind == "double"
                else ""
            )
            return self._raise(
                arg,
                f"{name}() needs {param.label} as argument {position + 1}, but {self.about(arg, kind)} is not{hint}",
            )
        if name == "date" and nodes and isinstance(nodes[0], s.Lit) and nodes[0].kind == "string":
            try:
                date.fromisoformat(nodes[0].value)
            except ValueError:
                return self._raise(nodes[0], f"{self.text(nodes[0])} is not a date written as YYYY-MM-DD")
        if name == "coalesce":
            known = [(n, k) for n, k in zip(nodes, args, strict=False) if k.kind not in ("dyn", "null")]
            for arg, kind in known[1:]:
                if _family(kind.kind) != _family(known[0][1].kind):
                    return self._raise(
                        arg, f"coalesce() mixes {self.about(known[0][0], known[0][1])} with {self.about(arg, kind)}"
                    )
        return sig.result(args) if callable(sig.result) else sig.result

    def _text_test(self, node: s.Call, target: Type | None, args: list[Type]) -> Type:
        name = node.function
        if target is None or node.target is None:
            return self._raise(node, f"call {name}() on text, as in name.{name}('x')")
        if len(args) != 1:
            return self._raise(node, f"{name}() takes one argument, not {len(args)}")
        for side, kind in ((node.target, target), (node.args[0], args[0])):
            if kind.kind not in ("string", "dyn"):
                return self._raise(side, f"{name}() works on text, but {self.about(side, kind)} is not text")
        pattern = node.args[0]
        if name == "matches" and isinstance(pattern, s.Lit):
            self._literal_ok(pattern, "''.matches(value)", "is not a valid pattern")
        return BOOL

    def _conversion(self, node: s.Call, target: Type | None, args: list[Type]) -> Type:
        name = node.function
        accepted, result = CONVERSIONS[name]
        if target is not None or len(args) != 1:
            return self._raise(node, f"{name}() takes one argument, as in {name}(x)")
        kind = args[0]
        if accepted != ANY and not kind.dyn and kind.kind not in accepted:
            return self._raise(node.args[0], f"{name}() cannot convert {self.about(node.args[0], kind)}")
        literal = node.args[0]
        if name in ("timestamp", "duration") and isinstance(literal, s.Lit) and literal.kind == "string":
            example = "'2024-01-31T09:00:00Z'" if name == "timestamp" else "'36h' or '90m'"
            self._literal_ok(literal, f"{name}(value)", f"is not a valid {name}; write it like {example}")
        return result

    def _accessor(self, node: s.Call, target: Type | None, args: list[Type]) -> Type:
        name = node.function
        if target is None or node.target is None:
            return self._raise(node, f"call {name}() on a date, as in close_date.{name}()")
        if args:
            return self._raise(node, f"{name}() takes no arguments here (a time zone argument is not supported)")
        if target.kind in TIME_KINDS or target.dyn or (target.kind == "duration" and name in DURATION_ACCESSORS):
            return INT
        return self._raise(node.target, f"{name}() needs a date, but {self.about(node.target, target)} is not one")

    def _literal_ok(self, literal: s.Lit, probe: str, problem: str) -> None:
        """Run CEL on a literal argument now, so a bad pattern or timestamp fails at definition time."""
        try:
            cel.evaluate(probe, {"value": literal.value})
        except Exception:  # noqa: BLE001 - any refusal by CEL means the literal is unusable
            raise self.fail(literal, f"{self.text(literal)} {problem}") from None


_ARITHMETIC: dict[tuple[str, str, str], Type] = {
    **{(op, k, k): Type(k) for op in "+-*/" for k in ("int", "uint", "double")},
    **{("%", k, k): Type(k) for k in ("int", "uint")},
    ("+", "string", "string"): STRING,
    ("+", "bytes", "bytes"): BYTES,
    ("+", "duration", "duration"): DURATION,
    ("-", "duration", "duration"): DURATION,
    **{(op, t, "duration"): TIMESTAMP for op in "+-" for t in TIME_KINDS},
    **{("-", a, b): DURATION for a in TIME_KINDS for b in TIME_KINDS},
}


def check(tree: s.Node, source: str, env: dict[str, Type]) -> Checker:
    """Check `tree`; the returned checker holds the result type in `.result` and the names read."""
    checker = Checker(source, env)
    checker.result = checker.check(tree, {})
    return checker

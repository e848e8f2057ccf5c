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

from ..i18n import CatalogText, say
from . import check_texts as says
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
    return say(says.DID_YOU_MEAN, close=found[0]) if found else ""


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
    def fail(self, node: s.Node, text: CatalogText, /, **values: object) -> ExpressionError:
        return ExpressionError(say(text, **values), self.source, node.start)

    def text(self, node: s.Node) -> str:
        text = self.source[node.start : node.end]
        return text if len(text) <= 40 else text[:37] + "…"

    def about(self, node: s.Node, kind: Type) -> str:
        return say(says.ABOUT, text=self.text(node), kind=kind.describe())

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
            hint = say(says.KNOWN_NAMES, names=listed)
        return self._raise(node, says.UNKNOWN_NAME, name=node.name, hint=hint)

    def _raise(self, node: s.Node, text: CatalogText, /, **values: object) -> Type:
        raise self.fail(node, text, **values)

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
            return self._raise(
                node, says.NO_SUCH_FIELD, text=self.text(operand), name=name, hint=closest(name, owner.fields)
            )
        if owner.dyn:
            return DYN
        hint = say(says.USE_ACCESSORS) if owner.kind in TIME_KINDS else ""
        return self._raise(node, says.HAS_NO_FIELDS, about=self.about(operand, owner), name=name, hint=hint)

    def visit_index(self, node: s.Index, scope: dict[str, Type]) -> Type:
        owner, index = self.check(node.operand, scope), self.check(node.index, scope)
        if owner.kind == "list":
            if index.kind not in ("int", "uint", "dyn"):
                return self._raise(node.index, says.LIST_POSITION, about=self.about(node.index, index))
            return owner.item or DYN
        if owner.kind == "map":
            if owner.fields is not None and isinstance(node.index, s.Lit) and node.index.kind == "string":
                return self._member(node, owner, node.index.value)
            return DYN if owner.fields is not None else owner.item or DYN
        if owner.dyn:
            return DYN
        return self._raise(node, says.NOT_INDEXABLE, about=self.about(node.operand, owner))

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
                return self._raise(node, says.NOT_NEEDS_BOOLEAN, about=self.about(node.operand, operand))
            return BOOL
        if operand.kind not in ("int", "double", "dyn"):
            return self._raise(node, says.CANNOT_NEGATE, about=self.about(node.operand, operand))
        return operand

    def visit_cond(self, node: s.Cond, scope: dict[str, Type]) -> Type:
        test = self.check(node.test, scope)
        if test.kind not in ("bool", "dyn"):
            return self._raise(node.test, says.TEST_NOT_BOOLEAN, about=self.about(node.test, test))
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
                node.target, says.MACRO_NEEDS_LIST, macro=node.macro, about=self.about(node.target, target)
            )
        wanted = (1, 2) if node.macro == "map" else (1,)
        if len(node.args) not in wanted:
            return self._raise(
                node, says.MAP_ARGUMENTS if node.macro == "map" else says.MACRO_ARGUMENTS, macro=node.macro
            )
        inner = {**scope, node.var: var}
        kinds = [self.check(arg, inner) for arg in node.args]
        tests = kinds if node.macro != "map" else kinds[:-1]
        for arg, kind in zip(node.args, tests, strict=False):
            if kind.kind not in ("bool", "dyn"):
                return self._raise(arg, says.MACRO_CONDITION, macro=node.macro, about=self.about(arg, kind))
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
                    return self._raise(side, says.JOINS_CONDITIONS, op=node.op, about=self.about(side, kind))
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
            raise self._mismatch(node, left, right, says.NEVER_EQUAL)

    def _choice(self, subject: s.Node, kind: Type, literal: s.Lit) -> None:
        """A choice field compared with a value it can never have: a typo, usually."""
        if literal.value not in kind.choices:
            raise self.fail(
                literal,
                says.NEVER_A_CHOICE,
                text=self.text(subject),
                value=literal.value,
                choices=", ".join(kind.choices),
                hint=closest(literal.value, set(kind.choices)),
            )

    def _mismatch(self, node: s.Binary, left: Type, right: Type, text: CatalogText) -> ExpressionError:
        """Two sides that cannot be compared; comparing a date with text hints at making a date of the text."""
        hint: str = ""
        for time_side, other in ((left, node.right), (right, node.left)):
            if time_side.kind in TIME_KINDS and isinstance(other, s.Lit) and other.kind == "string":
                if time_side.kind == "date":
                    hint = say(says.DATE_FROM_TEXT, call=f"date('{other.value}')")
                else:
                    hint = say(says.TIMESTAMP_FROM_TEXT, call=f"timestamp('{other.value}')")
        left_about, right_about = self.about(node.left, left), self.about(node.right, right)
        return self.fail(node, text, left=left_about, right=right_about, op=node.op, hint=hint)

    def _ordered(self, node: s.Binary, left: Type, right: Type) -> None:
        for side, kind in ((node.left, left), (node.right, right)):
            if kind.kind == "null" or kind.kind not in ORDERED_KINDS | {"dyn"}:
                raise self.fail(side, says.NOT_ORDERED, about=self.about(side, kind), op=node.op)
        if not left.dyn and not right.dyn and _family(left.kind) != _family(right.kind):
            raise self._mismatch(node, left, right, says.NOT_SAME_KIND)

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
                    says.NEVER_IN,
                    about=self.about(node.left, left),
                    text=self.text(node.right),
                    kind=item.describe(),
                )
            return BOOL
        if right.kind == "map":
            if left.kind not in ("string", "dyn", "int", "uint", "bool"):
                raise self.fail(
                    node.left, says.NOT_A_KEY, about=self.about(node.left, left), text=self.text(node.right)
                )
            return BOOL
        if right.dyn:
            return BOOL
        return self._raise(node.right, says.IN_NEEDS_COLLECTION, about=self.about(node.right, right))

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
            says.CANNOT_COMBINE,
            op=node.op,
            left=self.about(node.left, left),
            right=self.about(node.right, right),
            hint=self._arithmetic_hint(node, left, right),
        )

    def _arithmetic_hint(self, node: s.Binary, left: Type, right: Type) -> str:
        kinds = {left.kind, right.kind}
        if "null" in kinds:
            return say(says.NULL_IS_NO_NUMBER)
        if kinds <= NUMBER_KINDS:
            literal = next((n for n in (node.left, node.right) if isinstance(n, s.Lit) and n.kind == "int"), None)
            return say(says.WRITE_DECIMAL, value=literal.value) if literal else say(says.CONVERT_NUMBER)
        if kinds & TIME_KINDS and kinds & NUMBER_KINDS:
            return say(says.MOVE_A_DATE)
        if kinds & TIME_KINDS and node.op == "-" and "string" in kinds:
            return say(says.DATE_FROM_LITERAL)
        if "string" in kinds and node.op == "+":
            return say(says.CONVERT_TO_TEXT)
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
                return self._raise(node, says.SIZE_ARGUMENTS)
            if subject[0].kind not in ("string", "bytes", "list", "map", "dyn"):
                return self._raise(node, says.SIZE_NEEDS, kind=subject[0].describe())
            return INT
        if name in TEXT_TESTS:
            return self._text_test(node, target, args)
        if name in CONVERSIONS:
            return self._conversion(node, target, args)
        if name in TIME_ACCESSORS:
            return self._accessor(node, target, args)
        return self._raise(
            node, says.UNKNOWN_FUNCTION, name=name, hint=closest(name, sorted({*SIGNATURES, *CEL_FUNCTIONS}))
        )

    def _ours(self, node: s.Call, name: str, nodes: list[s.Node], args: list[Type]) -> Type:
        sig = SIGNATURES[name]
        fewest, most = sig.arity()
        if len(args) < fewest or (most is not None and len(args) > most):
            counts = {"count": fewest, "fewest": fewest, "most": most}
            return self._raise(node, _arity_text(fewest, most), name=name, usage=sig.usage, given=len(args), **counts)
        for position, (arg, kind) in enumerate(zip(nodes, args, strict=False)):
            param = sig.params[min(position, len(sig.params) - 1)]
            if param.kinds == ANY or kind.dyn or kind.kind in param.kinds:
                continue
            hint = say(says.WHOLE_NUMBER_ARGUMENT) if "int" in param.kinds and kind.kind == "double" else ""
            return self._raise(
                arg,
                says.WRONG_ARGUMENT,
                name=name,
                wanted=param.label,
                position=position + 1,
                about=self.about(arg, kind),
                hint=hint,
            )
        if name == "date" and nodes and isinstance(nodes[0], s.Lit) and nodes[0].kind == "string":
            try:
                date.fromisoformat(nodes[0].value)
            except ValueError:
                return self._raise(nodes[0], says.NOT_A_DATE, text=self.text(nodes[0]))
        if name == "coalesce":
            known = [(n, k) for n, k in zip(nodes, args, strict=False) if k.kind not in ("dyn", "null")]
            for arg, kind in known[1:]:
                if _family(kind.kind) != _family(known[0][1].kind):
                    first = self.about(known[0][0], known[0][1])
                    return self._raise(arg, says.COALESCE_MIXES, first=first, other=self.about(arg, kind))
        return sig.result(args) if callable(sig.result) else sig.result

    def _text_test(self, node: s.Call, target: Type | None, args: list[Type]) -> Type:
        name = node.function
        if target is None or node.target is None:
            return self._raise(node, says.CALL_ON_TEXT, name=name)
        if len(args) != 1:
            return self._raise(node, says.ONE_ARGUMENT_NOT, name=name, given=len(args))
        for side, kind in ((node.target, target), (node.args[0], args[0])):
            if kind.kind not in ("string", "dyn"):
                return self._raise(side, says.WORKS_ON_TEXT, name=name, about=self.about(side, kind))
        pattern = node.args[0]
        if name == "matches" and isinstance(pattern, s.Lit):
            self._literal_ok(pattern, "''.matches(value)", says.NOT_A_PATTERN)
        return BOOL

    def _conversion(self, node: s.Call, target: Type | None, args: list[Type]) -> Type:
        name = node.function
        accepted, result = CONVERSIONS[name]
        if target is not None or len(args) != 1:
            return self._raise(node, says.CONVERSION_ARGUMENTS, name=name)
        kind = args[0]
        if accepted != ANY and not kind.dyn and kind.kind not in accepted:
            return self._raise(node.args[0], says.CANNOT_CONVERT, name=name, about=self.about(node.args[0], kind))
        literal = node.args[0]
        if name in ("timestamp", "duration") and isinstance(literal, s.Lit) and literal.kind == "string":
            problem = says.NOT_A_TIMESTAMP if name == "timestamp" else says.NOT_A_DURATION
            self._literal_ok(literal, f"{name}(value)", problem)
        return result

    def _accessor(self, node: s.Call, target: Type | None, args: list[Type]) -> Type:
        name = node.function
        if target is None or node.target is None:
            return self._raise(node, says.CALL_ON_DATE, name=name)
        if args:
            return self._raise(node, says.NO_TIME_ZONE, name=name)
        if target.kind in TIME_KINDS or target.dyn or (target.kind == "duration" and name in DURATION_ACCESSORS):
            return INT
        return self._raise(node.target, says.NEEDS_A_DATE, name=name, about=self.about(node.target, target))

    def _literal_ok(self, literal: s.Lit, probe: str, problem: CatalogText) -> None:
        """Run CEL on a literal argument now, so a bad pattern or timestamp fails at definition time."""
        try:
            cel.evaluate(probe, {"value": literal.value})
        except Exception:  # noqa: BLE001 - any refusal by CEL means the literal is unusable
            raise self.fail(literal, problem, text=self.text(literal)) from None


def _arity_text(fewest: int, most: int | None) -> CatalogText:
    """The text of a wrong argument count, by how many the function takes: 1, exactly n, n or more, n to m."""
    if fewest == most:
        return says.ONE_ARGUMENT if fewest == 1 else says.ARGUMENTS
    return says.ARGUMENTS_OR_MORE if most is None else says.ARGUMENTS_BETWEEN


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

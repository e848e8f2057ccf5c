"""A small CEL parser, so that the checker can see the shape of an expression.

The `cel` package compiles and runs expressions but does not expose its syntax
tree, and the checks we owe authors (unknown fields of a reference, argument
counts, comparing a date with text, in every branch and not only the one a
sample record happens to take) need one. This parser covers the CEL grammar
without protobuf messages; it only ever sees sources `cel.compile` accepted.
Every node keeps its span in the source for error messages.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from ..i18n import say
from . import check_texts as says

MACROS = frozenset({"all", "exists", "exists_one", "map", "filter"})


class SyntaxProblem(Exception):
    def __init__(self, message: str, offset: int) -> None:
        super().__init__(message)
        self.message, self.offset = message, offset


@dataclass
class Node:
    start: int
    end: int


@dataclass
class Lit(Node):
    value: Any
    kind: str  # int uint double string bytes bool null


@dataclass
class Ident(Node):
    name: str


@dataclass
class Select(Node):
    operand: Node
    field: str
    test: bool = False  # has(operand.field)


@dataclass
class Call(Node):
    function: str
    target: Node | None
    args: list[Node]


@dataclass
class Index(Node):
    operand: Node
    index: Node


@dataclass
class ListLit(Node):
    items: list[Node]


@dataclass
class MapLit(Node):
    entries: list[tuple[Node, Node]]


@dataclass
class Unary(Node):
    op: str
    operand: Node


@dataclass
class Binary(Node):
    op: str
    left: Node
    right: Node


@dataclass
class Cond(Node):
    test: Node
    then: Node
    otherwise: Node


@dataclass
class Comprehension(Node):
    macro: str
    target: Node
    var: str
    args: list[Node] = field(default_factory=list)


# -- lexer ------------------------------------------------------------------

_TOKEN = re.compile(
    r"""
    (?P<space>\s+|//[^\n]*)
  | (?P<string>(?:[rR][bB]?|[bB][rR]?)?(?:'''|\"\"\"|'|"))
  | (?P<number>0[xX][0-9a-fA-F]+[uU]?|(?:\d+\.\d+|\.\d+)(?:[eE][+-]?\d+)?|\d+[eE][+-]?\d+|\d+[uU]?)
  | (?P<ident>[_a-zA-Z][_a-zA-Z0-9]*)
  | (?P<op>\|\||&&|==|!=|<=|>=|[-+*/%<>!?:.,()\[\]{}])
""",
    re.VERBOSE,
)

_ESCAPE = re.compile(
    r"""\\(?:([abfnrtv\\'"`?])|x([0-9a-fA-F]{2})|u([0-9a-fA-F]{4})|U([0-9a-fA-F]{8})|([0-3][0-7]{2}))"""
)
_SIMPLE_ESCAPES = {"a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v"}


@dataclass
class Token:
    kind: str  # int uint double string bytes ident op eof
    value: Any
    start: int
    end: int


def _unescape(match: re.Match[str]) -> str:
    simple, hex2, hex4, hex8, octal = match.groups()
    if simple:
        return _SIMPLE_ESCAPES.get(simple, simple)
    code = hex2 or hex4 or hex8
    return chr(int(code, 16)) if code else chr(int(octal, 8))


def _string_token(source: str, start: int, opener: str) -> Token:
    prefix = opener.rstrip("'\"").lower()
    quote = opener[len(prefix) :]
    pos = start + len(opener)
    while True:
        if pos >= len(source) or (len(quote) == 1 and source[pos] == "\n"):
            raise SyntaxProblem(say(says.TEXT_NOT_CLOSED), start)
        if source.startswith(quote, pos):
            break
        pos += 2 if source[pos] == "\\" and "r" not in prefix else 1
    body = source[start + len(opener) : pos]
    text = body if "r" in prefix else _ESCAPE.sub(_unescape, body)
    if "b" in prefix:
        return Token("bytes", text.encode("utf-8", "surrogatepass"), start, pos + len(quote))
    return Token("string", text, start, pos + len(quote))


def _number_token(text: str, start: int) -> Token:
    end = start + len(text)
    unsigned = text[-1] in "uU"
    digits = text[:-1] if unsigned else text
    if digits[:2] in ("0x", "0X"):
        return Token("uint" if unsigned else "int", int(digits, 16), start, end)
    if unsigned or not re.search(r"[.eE]", digits):
        return Token("uint" if unsigned else "int", int(digits), start, end)
    return Token("double", float(digits), start, end)


def tokenize(source: str) -> list[Token]:
    tokens: list[Token] = []
    pos = 0
    while pos < len(source):
        match = _TOKEN.match(source, pos)
        if match is None:
            raise SyntaxProblem(say(says.UNEXPECTED_CHARACTER, character=repr(source[pos])), pos)
        kind, text = match.lastgroup, match.group()
        pos = match.end()
        if kind == "space":
            continue
        if kind == "string":
            token = _string_token(source, match.start(), text)
            pos = token.end
        elif kind == "number":
            token = _number_token(text, match.start())
        else:
            token = Token(kind or "op", text, match.start(), pos)
        tokens.append(token)
    tokens.append(Token("eof", None, len(source), len(source)))
    return tokens


# -- parser -----------------------------------------------------------------

_LEVELS: list[tuple[str, ...]] = [
    ("||",),
    ("&&",),
    ("==", "!=", "<", "<=", ">", ">=", "in"),
    ("+", "-"),
    ("*", "/", "%"),
]
_LITERALS = {"true": (True, "bool"), "false": (False, "bool"), "null": (None, "null")}


class _Parser:
    def __init__(self, source: str) -> None:
        self.tokens = tokenize(source)
        self.pos = 0

    @property
    def token(self) -> Token:
        return self.tokens[self.pos]

    def at(self, *values: str) -> bool:
        token = self.token
        return token.kind in ("op", "ident") and token.value in values

    def take(self, value: str) -> Token:
        if not self.at(value):
            raise SyntaxProblem(say(says.EXPECTED_TOKEN, token=value), self.token.start)
        self.pos += 1
        return self.tokens[self.pos - 1]

    def parse(self) -> Node:
        node = self.expr()
        if self.token.kind != "eof":
            raise SyntaxProblem(say(says.TEXT_AFTER), self.token.start)
        return node

    def expr(self) -> Node:
        test = self.binary(0)
        if not self.at("?"):
            return test
        self.take("?")
        then = self.binary(0)
        self.take(":")
        otherwise = self.expr()
        return Cond(test.start, otherwise.end, test, then, otherwise)

    def binary(self, level: int) -> Node:
        if level == len(_LEVELS):
            return self.unary()
        left = self.binary(level + 1)
        while self.at(*_LEVELS[level]):
            op = self.token.value
            self.pos += 1
            right = self.binary(level + 1)
            left = Binary(left.start, right.end, op, left, right)
        return left

    def unary(self) -> Node:
        if self.at("!", "-"):
            token = self.token
            self.pos += 1
            operand = self.unary()
            return Unary(token.start, operand.end, token.value, operand)
        return self.member(self.primary())

    def member(self, node: Node) -> Node:
        while True:
            if self.at("."):
                self.pos += 1
                name = self.identifier()
                if self.at("("):
                    args, end = self.arguments()
                    node = self.call(name.value, node, args, node.start, end)
                else:
                    node = Select(node.start, name.end, node, name.value)
            elif self.at("["):
                self.pos += 1
                index = self.expr()
                end = self.take("]").end
                node = Index(node.start, end, node, index)
            else:
                return node

    def identifier(self) -> Token:
        if self.token.kind != "ident":
            raise SyntaxProblem(say(says.EXPECTED_NAME), self.token.start)
        self.pos += 1
        return self.tokens[self.pos - 1]

    def arguments(self, close: str = ")") -> tuple[list[Node], int]:
        self.pos += 1  # the opening bracket
        items: list[Node] = []
        while not self.at(close):
            items.append(self.expr())
            if not self.at(","):
                break
            self.pos += 1
        return items, self.take(close).end

    def call(self, name: str, target: Node | None, args: list[Node], start: int, end: int) -> Node:
        if target is None and name == "has":
            if len(args) != 1 or not isinstance(args[0], Select):
                raise SyntaxProblem(say(says.HAS_NEEDS_SELECTION), start)
            select = args[0]
            return Select(start, end, select.operand, select.field, test=True)
        if target is not None and name in MACROS and args and isinstance(args[0], Ident):
            return Comprehension(start, end, name, target, args[0].name, args[1:])
        return Call(start, end, name, target, args)

    def primary(self) -> Node:
        token = self.token
        if token.kind in ("int", "uint", "double", "string", "bytes"):
            self.pos += 1
            return Lit(token.start, token.end, token.value, token.kind)
        if token.kind == "ident":
            self.pos += 1
            if token.value in _LITERALS:
                value, kind = _LITERALS[token.value]
                return Lit(token.start, token.end, value, kind)
            if self.at("("):
                args, end = self.arguments()
                return self.call(token.value, None, args, token.start, end)
            if self.at("{"):
                raise SyntaxProblem(say(says.NO_MESSAGES), token.start)
            return Ident(token.start, token.end, token.value)
        if self.at("."):  # a leading dot names the root scope: `.amount`
            self.pos += 1
            return self.primary()
        if self.at("("):
            self.pos += 1
            inner = self.expr()
            self.take(")")
            return inner
        if self.at("["):
            items, end = self.arguments("]")
            return ListLit(token.start, end, items)
        if self.at("{"):
            return self.map_literal()
        raise SyntaxProblem(say(says.EXPECTED_VALUE), token.start)

    def map_literal(self) -> Node:
        start = self.take("{").start
        entries: list[tuple[Node, Node]] = []
        while not self.at("}"):
            key = self.expr()
            self.take(":")
            entries.append((key, self.expr()))
            if not self.at(","):
                break
            self.pos += 1
        return MapLit(start, self.take("}").end, entries)


def parse(source: str) -> Node:
    """The syntax tree of `source`; raises SyntaxProblem with an offset."""
    return _Parser(source).parse()

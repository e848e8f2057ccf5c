"""Which text values an expression names for each field it reads, and which values it can give.

A definition that compares a choice field with a value relies on that value: `level == 'vip'` stops matching when
`vip` is renamed, but renaming `standard` changes nothing it does. The Studio locks only the choices definitions
rely on (studio/locks.py), so it asks here, by walking the syntax tree the checker checked, never the text.

A read the walk follows names the values it is compared with: `level == 'vip'`, `level != 'vip'`,
`level in ['key', 'vip']`, `'vip' in tags`; compared with null (`level != null`) or tested with `has(old.level)`,
it names none. Any other read (compared with another field, passed to a function, joined with text, iterated)
cannot tell which values matter, and names every value: None.
"""

from __future__ import annotations

from collections.abc import Iterable

from . import syntax as s

#: per field (`level`) or path (`old.level`): the values it is compared with; None: every value
NamedValues = dict[str, frozenset[str] | None]
NOTHING: frozenset[str] = frozenset()


def joined_values(one: frozenset[str] | None, other: frozenset[str] | None) -> frozenset[str] | None:
    """The values two uses name together: every value when either names every value."""
    return None if one is None or other is None else one | other


def named_values(tree: s.Node, names: Iterable[str]) -> NamedValues:
    """The values the expression names for each of the declared `names` it reads, and for each `name.field` path."""
    walk = _Walk(frozenset(names))
    walk.visit(tree, frozenset())
    return walk.found


def given_values(tree: s.Node) -> frozenset[str] | None:
    """The text values the expression can give: `'done'`, or `total > 100 ? 'big' : 'small'` (null gives none);
    None when it computes them."""
    if isinstance(tree, s.Lit):
        return frozenset({tree.value}) if tree.kind == "string" else NOTHING
    if isinstance(tree, s.Cond):
        return joined_values(given_values(tree.then), given_values(tree.otherwise))
    if isinstance(tree, s.ListLit):
        found: frozenset[str] | None = NOTHING
        for item in tree.items:
            found = joined_values(found, given_values(item))
        return found
    return None


class _Walk:
    def __init__(self, names: frozenset[str]) -> None:
        self.names = names
        self.found: NamedValues = {}

    def note(self, key: str, values: frozenset[str] | None) -> None:
        self.found[key] = joined_values(self.found[key], values) if key in self.found else values

    def subject(self, node: s.Node, scope: frozenset[str]) -> str | None:
        """The field (`level`) or path (`old.level`) `node` reads as a whole, if it is one."""
        if isinstance(node, s.Ident) and node.name in self.names and node.name not in scope:
            return node.name
        if isinstance(node, s.Select) and (owner := self.subject(node.operand, scope)) and "." not in owner:
            return f"{owner}.{node.field}"
        return None

    def visit(self, node: s.Node, scope: frozenset[str]) -> None:
        if isinstance(node, s.Binary) and self.compared(node, scope):
            return
        key = self.subject(node, scope)
        if key is not None:
            self.note(key, NOTHING if isinstance(node, s.Select) and node.test else None)
            return
        if isinstance(node, s.Comprehension):
            self.visit(node.target, scope)
            for arg in node.args:
                self.visit(arg, scope | {node.var})
            return
        for child in _children(node):
            self.visit(child, scope)

    def compared(self, node: s.Binary, scope: frozenset[str]) -> bool:
        """Note a field compared with literals (`level == 'vip'`, `level in ['a', 'b']`, `'a' in tags`); whether
        it was one."""
        pairs: list[tuple[s.Node, list[s.Node]]] = []
        if node.op in ("==", "!="):
            pairs = [(node.left, [node.right]), (node.right, [node.left])]
        elif node.op == "in":
            pairs = [(node.right, [node.left])]
            if isinstance(node.right, s.ListLit):
                pairs.append((node.left, node.right.items))
        for subject, others in pairs:
            key = self.subject(subject, scope)
            if key is not None and all(isinstance(other, s.Lit) for other in others):
                self.note(key, frozenset(o.value for o in others if isinstance(o, s.Lit) and o.kind == "string"))
                return True
        return False


def _children(node: s.Node) -> list[s.Node]:
    if isinstance(node, s.Select):
        return [node.operand]
    if isinstance(node, s.Call):
        return [*([node.target] if node.target is not None else []), *node.args]
    if isinstance(node, s.Index):
        return [node.operand, node.index]
    if isinstance(node, s.ListLit):
        return list(node.items)
    if isinstance(node, s.MapLit):
        return [part for entry in node.entries for part in entry]
    if isinstance(node, s.Unary):
        return [node.operand]
    if isinstance(node, s.Binary):
        return [node.left, node.right]
    if isinstance(node, s.Cond):
        return [node.test, node.then, node.otherwise]
    return []

"""The department hierarchy with each department's head and employee counts, read in one query.

Record rules apply to both departments and the employees counted. A
department whose parent the user cannot see (or that sits in a cycle of
parents) is shown as a top-level one, so nothing visible is left out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased

DEPARTMENT, EMPLOYEE = "core.department", "core.employee"


@dataclass
class Node:
    id: int
    name: str
    code: str | None
    parent_id: int | None
    head_id: int | None
    head_name: str | None
    employees: int  # directly in this department
    total: int = 0  # with every department below it
    depth: int = 0
    children: list[Node] = field(default_factory=list)


def read_nodes(session: Any, models: Any, visible: Any) -> list[Node]:
    """Every visible department with its head and the count of visible employees in it: one SELECT."""
    department, employee = models.model(DEPARTMENT), models.model(EMPLOYEE)
    counted = sa.select(employee.department_id, sa.func.count().label("n")).group_by(employee.department_id)
    if (rule := visible(employee)) is not None:
        counted = counted.where(rule)
    counts = counted.subquery()
    head = aliased(employee)
    query = (
        sa.select(
            department.id,
            department.name,
            department.code,
            department.parent_id,
            head.id,
            head.name,
            sa.func.coalesce(counts.c.n, 0),
        )
        .outerjoin(head, head.id == department.head_id)
        .outerjoin(counts, counts.c.department_id == department.id)
        .order_by(department.name, department.id)
    )
    if (rule := visible(department)) is not None:
        query = query.where(rule)
    return [Node(*row) for row in session.execute(query)]


def as_tree(nodes: list[Node]) -> list[Node]:
    """The nodes in display order (each followed by the departments below it), with depth and totals set."""
    by_id = {node.id: node for node in nodes}
    roots = [node for node in nodes if node.parent_id not in by_id]
    for node in nodes:
        if node.parent_id in by_id:
            by_id[node.parent_id].children.append(node)
    ordered: list[Node] = []
    seen: set[int] = set()
    for root in roots + nodes:  # departments in a cycle of parents have no root: they start a branch of their own
        if root.id not in seen:
            _walk(root, 0, ordered, seen)
    return ordered


def _walk(node: Node, depth: int, ordered: list[Node], seen: set[int]) -> int:
    """Place `node` and its branch; returns the employees of the branch."""
    seen.add(node.id)
    node.depth = depth
    ordered.append(node)
    node.total = node.employees
    for child in node.children:
        if child.id not in seen:
            node.total += _walk(child, depth + 1, ordered, seen)
    return node.total

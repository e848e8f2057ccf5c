"""Who approves a step: one small resolver per approver source, then the chain's policies in a fixed order.

The order (docs/workflow.md):

1. resolve every source of the step, in the order listed, each person once;
2. drop people who are inactive (FAB user inactive, or their employee marked inactive);
3. self-approval: `exclude` drops the submitter, `pass` approves their task automatically;
4. nobody left: the `no_approver` rule (auto_approve, skip, or the tenant's admins);
5. dedup: people who already approved in this round (`consecutive`: the step just
   before; `first`: any earlier step) are passed automatically.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..compile.logic import record_values
from ..expr import ExpressionFailed, Variable, compile_expression, entity_variables
from ..i18n import CatalogText, Label
from ..meta.catalog import Catalog
from ..meta.model import EntityDef
from ..tenancy.directory import ADMIN_ROLE, Directory
from .definition import ApproverSource, ChainDef, StepDef
from .errors import WorkflowError
from .paths import department_at, person_at

# What resolving approvers refuses (workflow/errors.py).
UNRESOLVED = CatalogText("the approvers of step '{step}' cannot be found: {reason}")
NO_ADMIN = CatalogText("step '{step}' has no approver and the tenant has no active admin to send it to")


@dataclass
class Context:
    """What resolving approvers may look at: the record, who submitted it, whom they chose."""

    directory: Directory
    catalog: Catalog
    entity: EntityDef
    record: Any
    submitter: str
    chosen: dict[str, list[str]] = field(default_factory=dict)
    #: the step whose approvers are resolved (None for the chain's cc and notify people)
    step: StepDef | None = None

    def values(self) -> dict[str, Any]:
        return record_values(self.record, self.entity, self.directory.session, self.directory.models)

    def user(self) -> dict[str, Any]:
        return self.directory.expression_user(self.submitter)

    def step_label(self) -> Label | str:
        """The step as a refusal names it (resolving the chain's cc and notify people has none)."""
        return self.step.label if self.step is not None else ""


def _users(source: ApproverSource, ctx: Context) -> list[str]:
    return [str(name) for name in source.value]


def _role(source: ApproverSource, ctx: Context) -> list[str]:
    return ctx.directory.role_holders(source.value)


def _manager(source: ApproverSource, ctx: Context) -> list[str]:
    """The submitter's manager, `value` levels up (1 is the direct manager); nobody when the line ends sooner."""
    person = ctx.directory.employee(ctx.submitter)
    for _ in range(int(source.value)):
        person = ctx.directory.employee_by_id(getattr(person, "manager_id", None)) if person is not None else None
    return [person.login] if person is not None and person.login else []


def _department_head(source: ApproverSource, ctx: Context) -> list[str]:
    """The head of the submitter's department, or of the department a field (or a path of references) names."""
    if source.value == "submitter":
        employee = ctx.directory.employee(ctx.submitter)
        department = getattr(employee, "department", None)
    else:
        department = department_at(ctx.record, source.value)
    head = getattr(department, "head", None)
    return [head.login] if head is not None and head.login else []


def _field(source: ApproverSource, ctx: Context) -> list[str]:
    """The person a user field or an employee reference names, on the record or at the end of a path."""
    name = person_at(ctx.directory, ctx.catalog, ctx.entity, ctx.record, source.value)
    return [name] if name else []


def _submitter_choice(source: ApproverSource, ctx: Context) -> list[str]:
    return list(ctx.chosen.get(ctx.step.name if ctx.step else "", []))


def _expression(source: ApproverSource, ctx: Context) -> list[str]:
    variables = entity_variables(ctx.entity, ctx.catalog)
    expression = compile_expression(source.value, variables, expect=Variable("list", item=Variable("string")))
    try:
        result = expression.evaluate(ctx.values(), user=ctx.user(), where=f"{ctx.entity.qualified} approvers")
    except ExpressionFailed as failed:
        raise WorkflowError(UNRESOLVED, step=ctx.step_label(), reason=failed.reason) from None
    return [str(name) for name in result or []]


RESOLVERS: dict[str, Callable[[ApproverSource, Context], list[str]]] = {
    "users": _users,
    "role": _role,
    "manager": _manager,
    "department_head": _department_head,
    "field": _field,
    "submitter_choice": _submitter_choice,
    "expr": _expression,
}


def resolve(sources: tuple[ApproverSource, ...], ctx: Context) -> list[str]:
    """Everyone the sources name, in order, each once, active people only."""
    found: list[str] = []
    for source in sources:
        for name in RESOLVERS[source.kind](source, ctx):
            if name not in found:
                found.append(name)
    return [name for name in found if ctx.directory.is_active(name)]


@dataclass
class Assignment:
    """The outcome for one step: people to ask (with the reason a task is passed automatically), or a rule that applied."""

    people: list[tuple[str, str | None]] = field(default_factory=list)
    #: "auto_approve" or "skip" when nobody was found and the chain says so; None when people were found
    rule: str | None = None
    #: the no_approver rule sent the step to the tenant's admins
    to_admins: bool = False


def assign(
    chain: ChainDef, step: StepDef, ctx: Context, approved_before: list[set[str]], dedup: bool = True
) -> Assignment:
    """Apply the policies, in the documented order, to the people a step resolves to.

    `approved_before` holds, per earlier step of this round in the order they ran, who approved it.
    """
    people = resolve(step.approvers, ctx)
    if chain.self_approval == "exclude":
        people = [p for p in people if p != ctx.submitter]
    assignment = Assignment(
        [(p, "self_approval" if p == ctx.submitter and chain.self_approval == "pass" else None) for p in people]
    )
    if not people:
        return no_approver(chain, ctx)
    if dedup and chain.dedup != "off" and approved_before:
        already = approved_before[-1] if chain.dedup == "consecutive" else set().union(*approved_before)
        assignment.people = [(p, reason or ("dedup" if p in already else None)) for p, reason in assignment.people]
    return assignment


def no_approver(chain: ChainDef, ctx: Context) -> Assignment:
    """The `no_approver` rule; a step that would go to admins when there is none refuses the action instead."""
    if chain.no_approver != "admin":
        return Assignment(rule=chain.no_approver)
    admins = ctx.directory.role_holders(ADMIN_ROLE)
    if not admins:
        raise WorkflowError(NO_ADMIN, step=ctx.step_label())
    return Assignment([(a, None) for a in admins], to_admins=True)

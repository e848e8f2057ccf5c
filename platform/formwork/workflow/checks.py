"""Semantic checks of approval chains: what JSON Schema cannot see (entities, fields, roles, steps, CEL).

Every error names the file and line of the chain document, so `formwork
validate` reports a chain's mistakes with everyone else's.
"""

from __future__ import annotations

from ..definitions.check_texts import NOT_A_FIELD, PACK_NOT_REQUIRED
from ..fields import kind_of
from ..i18n import say
from ..meta.catalog import Catalog
from ..meta.errors import DefinitionError
from ..meta.model import EntityDef
from ..tenancy.directory import BUILTIN_ROLES
from . import check_texts as says
from .definition import ApproverSource, ChainDef, Outcome, StepDef
from .paths import A_DEPARTMENT, PERSON, SUBMITTER, path_problem

REJECT_RULES = ("reject", "previous", "submitter")


def check_chains(catalog: Catalog) -> list[DefinitionError]:
    errors = []
    for chain in catalog.chains.values():
        entity = catalog.entities.get(chain.entity)
        if entity is None:
            if not catalog.knows_entity(chain.entity):
                errors.append(chain.document.error(("entity",), say(says.CHAIN_OF_UNKNOWN_ENTITY, entity=chain.entity)))
            continue
        if entity.pack not in catalog.with_requirements([chain.pack]):
            errors.append(
                chain.document.error(
                    ("entity",), say(PACK_NOT_REQUIRED, entity=chain.entity, pack=entity.pack, other=chain.pack)
                )
            )
            continue
        errors += _chain_errors(chain, entity, catalog)
    return errors


def _chain_errors(chain: ChainDef, entity: EntityDef, catalog: Catalog) -> list[DefinitionError]:
    doc, errors = chain.document, []
    roles = _roles_seen_by(chain, catalog)
    if chain.when:
        errors += _expression_errors(chain.when, entity, catalog, "boolean", doc, ("when",))
    for i, role in enumerate(chain.submitter_roles):
        if role not in roles:
            errors.append(doc.error(("submitter_roles", i), _unknown_role(role, roles)))
    errors += _submitters_errors(chain, entity, catalog, roles)
    seen: dict[str, int] = {}
    for step in chain.steps:
        if step.name in seen:
            errors.append(
                doc.error(("steps", step.index, "name"), say(says.STEP_TWICE, name=step.name, first=seen[step.name]))
            )
        seen.setdefault(step.name, step.index)
        errors += _step_errors(chain, step, entity, catalog, roles)
    errors += _sources_errors(chain.cc, ("cc", "approvers"), chain, entity, catalog, roles)
    for name in ("on_approve", "on_reject"):
        errors += _outcome_errors(getattr(chain, name), name, chain, entity, catalog, roles)
    for outcome in ("approved", "rejected"):
        scope = chain.lock.scope(outcome)
        errors += [
            doc.error(("lock", outcome, i), say(NOT_A_FIELD, name=name, entity=entity.qualified))
            for i, name in enumerate(scope if isinstance(scope, tuple) else ())
            if entity.field(name) is None
        ]
    return errors


def _roles_seen_by(chain: ChainDef, catalog: Catalog) -> set[str]:
    """Roles of the chain's pack and of the packs it requires, and FAB's own."""
    packs = set(catalog.with_requirements([chain.pack]))
    return {r.name for r in catalog.roles.values() if r.pack in packs} | set(BUILTIN_ROLES)


def _unknown_role(role: str, roles: set[str]) -> str:
    return say(says.UNKNOWN_ROLE, role=role, roles=", ".join(sorted(roles)))


def _step_errors(
    chain: ChainDef, step: StepDef, entity: EntityDef, catalog: Catalog, roles: set[str]
) -> list[DefinitionError]:
    doc, path, errors = chain.document, ("steps", step.index), []
    if step.when:
        errors += _expression_errors(step.when, entity, catalog, "boolean", doc, (*path, "when"))
    if step.mode == "quorum" and step.quorum is None:
        errors.append(doc.error((*path, "mode"), say(says.QUORUM_NEEDED)))
    if step.quorum is not None and step.mode != "quorum":
        errors.append(doc.error((*path, "quorum"), say(says.QUORUM_UNUSED, mode=step.mode)))
    if isinstance(step.quorum, str) and not 0 < int(step.quorum.rstrip("%")) <= 100:
        errors.append(doc.error((*path, "quorum"), say(says.SHARE, quorum=step.quorum)))
    if step.on_reject not in REJECT_RULES:
        target = chain.step(step.on_reject)
        if target is None or target.index >= step.index:
            earlier = ", ".join(s.name for s in chain.steps[: step.index]) or says.NO_EARLIER_STEP
            errors.append(doc.error((*path, "on_reject"), say(says.NOT_EARLIER, step=step.on_reject, earlier=earlier)))
    elif step.on_reject == "previous" and step.index == 0:
        errors.append(doc.error((*path, "on_reject"), say(says.NO_PREVIOUS)))
    for i, name in enumerate(step.editable):
        if entity.field(name) is None:
            errors.append(doc.error((*path, "editable", i), say(NOT_A_FIELD, name=name, entity=entity.qualified)))
    errors += _sources_errors(step.approvers, (*path, "approvers"), chain, entity, catalog, roles)
    return errors + _timeout_errors(chain, step, entity, catalog, roles)


def _timeout_errors(
    chain: ChainDef, step: StepDef, entity: EntityDef, catalog: Catalog, roles: set[str]
) -> list[DefinitionError]:
    doc, path, timeout, errors = chain.document, ("steps", step.index, "timeout"), step.timeout, []
    if timeout is not None and timeout.action == "escalate" and not timeout.to:
        errors.append(doc.error((*path, "action"), say(says.ESCALATE_NEEDS_TO)))
    elif timeout is not None and timeout.to and timeout.action != "escalate":
        errors.append(doc.error((*path, "to"), say(says.TO_UNUSED, action=timeout.action)))
    elif timeout is not None:
        errors += _sources_errors(timeout.to, (*path, "to"), chain, entity, catalog, roles)
    if timeout is not None and step.remind_every is not None and step.remind_every.delta >= timeout.after.delta:
        errors.append(
            doc.error(
                ("steps", step.index, "remind_every"),
                say(says.NO_REMINDER, every=step.remind_every.text, after=timeout.after.text),
            )
        )
    return errors


def _sources_errors(
    sources: tuple[ApproverSource, ...],
    path: tuple,
    chain: ChainDef,
    entity: EntityDef,
    catalog: Catalog,
    roles: set[str],
) -> list[DefinitionError]:
    from ..expr import Variable

    doc, errors = chain.document, []
    for source in sources:
        where = (*path, source.index, source.kind)
        if source.kind == "role" and source.value not in roles:
            errors.append(doc.error(where, _unknown_role(source.value, roles)))
        elif source.kind == "field":
            problem = path_problem(entity, source.value, catalog, PERSON)
            if problem:
                errors.append(doc.error(where, problem))
        elif source.kind == "department_head" and source.value != "submitter":
            problem = path_problem(entity, source.value, catalog, A_DEPARTMENT)
            if problem:
                errors.append(doc.error(where, problem))
        elif source.kind == "expr":
            errors += _expression_errors(
                source.value, entity, catalog, Variable("list", item=Variable("string")), doc, where
            )
        elif source.kind == "submitter_choice" and (path[0] != "steps" or "timeout" in path):
            errors.append(doc.error(where, say(says.SUBMITTER_CHOICE_HERE)))
    return errors


def _submitters_errors(chain: ChainDef, entity: EntityDef, catalog: Catalog, roles: set[str]) -> list[DefinitionError]:
    """`submitters`: each role declared, each field (or path) ending at a person."""
    errors = []
    for source in chain.submitters:
        where = ("submitters", source.index, source.kind)
        if source.kind == "role" and source.value not in roles:
            errors.append(chain.document.error(where, _unknown_role(source.value, roles)))
        elif source.kind == "field":
            problem = path_problem(entity, source.value, catalog, PERSON, role=SUBMITTER)
            if problem:
                errors.append(chain.document.error(where, problem))
    return errors


def _outcome_errors(
    outcome: Outcome, name: str, chain: ChainDef, entity: EntityDef, catalog: Catalog, roles: set[str]
) -> list[DefinitionError]:
    from ..expr import field_variable

    doc, errors = chain.document, []
    for field_name, value in outcome.set.items():
        path = (name, "set", field_name)
        f = entity.field(field_name)
        if f is None:
            errors.append(doc.error(path, say(NOT_A_FIELD, name=field_name, entity=entity.qualified)))
        elif kind_of(f).generated:  # the platform computes it: an outcome cannot set it
            errors.append(doc.error(path, say(says.COMPUTED, name=field_name, type=f.type)))
        elif isinstance(value, dict):
            if set(value) != {"expr"}:
                errors.append(doc.error(path, say(says.CONSTANT_OR_EXPRESSION)))
            else:
                errors += _expression_errors(
                    value["expr"], entity, catalog, field_variable(f, catalog), doc, (*path, "expr")
                )
        elif (
            kind_of(f).has_choices
            and not kind_of(f).holds_list
            and str(value) not in {c.value for c in f.offered_choices}
        ):
            choices = ", ".join(c.value for c in f.offered_choices)
            errors.append(doc.error(path, say(says.NOT_A_CHOICE, value=value, name=field_name, choices=choices)))
    return errors + _sources_errors(outcome.notify, (name, "notify"), chain, entity, catalog, roles)


def _expression_errors(
    source: str, entity: EntityDef, catalog: Catalog, expect: object, doc, path: tuple
) -> list[DefinitionError]:
    from ..expr import ExpressionError, compile_expression, entity_variables

    try:
        compile_expression(source, entity_variables(entity, catalog), expect=expect)
    except ExpressionError as exc:
        return [doc.error(path, exc.message)]
    return []

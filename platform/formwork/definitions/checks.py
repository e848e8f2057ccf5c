"""Semantic checks: what JSON Schema cannot see (names that must exist, names used twice).

The core checks its own kinds here; a feature declares the checks of its kinds on the feature registry, and
CHECKS runs them after the core's.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, overload

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import Version

from ..features import DEFINITION_CHECKS, load_features
from ..fields import FIELD_TYPES, kind_of, value_kind
from ..i18n import LANGUAGES, say
from ..meta.catalog import Catalog
from ..meta.errors import DefinitionError
from ..meta.limits import MAX_COLUMNS, MAX_FIELDS
from ..meta.model import SEED_LABEL_TYPES, STANDARD_COLUMNS, EntityDef
from . import check_texts as says

if TYPE_CHECKING:
    from ..expr.types import Variable

Check = Callable[[Catalog], list[DefinitionError]]
#: CEL's reserved words, and `user` (the signed-in user in every expression)
EXPRESSION_WORDS = {
    "as",
    "break",
    "const",
    "continue",
    "else",
    "false",
    "for",
    "function",
    "if",
    "import",
    "in",
    "let",
    "loop",
    "package",
    "namespace",
    "null",
    "return",
    "true",
    "var",
    "void",
    "while",
    "user",
}
#: the names of the fields a tenant adds start with it (Odoo Studio's convention)
TENANT_FIELD_PREFIX = "x_"
#: the pack a tenant's own definitions belong to (its entity `x.project` has the table x_project): no pack takes it
TENANT_PACK = "x"


def check_pack_requirements(catalog: Catalog) -> list[DefinitionError]:
    """Every required pack is there, in a version the range admits, and no pack requires itself through others."""
    errors = []
    for pack in catalog.packs.values():
        for required, wanted in pack.requires.items():
            path = ("requires", required)
            if required not in catalog.packs:
                errors.append(pack.document.error(path, f"requires pack '{required}', which is not available"))
                continue
            try:
                admitted = SpecifierSet(wanted)
            except InvalidSpecifier:
                errors.append(pack.document.error(path, f"'{wanted}' is not a version range (write e.g. '>=1.2,<2')"))
                continue
            available = catalog.packs[required].version
            if Version(available) not in admitted:
                errors.append(
                    pack.document.error(path, f"requires {required} {wanted}, but {required} {available} is available")
                )
        cycle = _requirement_cycle(pack.name, catalog)
        if cycle:
            errors.append(
                pack.document.error(("requires",), f"packs require each other in a circle: {' → '.join(cycle)}")
            )
    return errors


def _requirement_cycle(start: str, catalog: Catalog) -> list[str]:
    requires = {name: set(pack.requires) for name, pack in catalog.packs.items()}
    return _circle_from(start, requires)


def entity_width_problem(field_types: list[object]) -> str | None:
    """Why an entity with fields of these types does not fit one table, if it does not.

    Every field but a link or child table makes one column (a reference its `<name>_id`), and every table has the
    standard columns. Called on raw documents too (before JSON Schema, which would take minutes on a huge one), so
    a type may be anything.
    """
    columns = len(STANDARD_COLUMNS) + sum(1 for t in field_types if _makes_column(t))
    if columns > MAX_COLUMNS:
        return (
            f"{len(field_types):,} fields make {columns:,} columns with the {len(STANDARD_COLUMNS)} standard ones "
            f"({', '.join(STANDARD_COLUMNS)}); a table may have at most {MAX_COLUMNS:,} (PostgreSQL allows 1,600, "
            "SQLite 2,000): move fields to another entity that refers to this one"
        )
    if len(field_types) > MAX_FIELDS:
        return f"{len(field_types):,} fields; an entity may have at most {MAX_FIELDS:,}"
    return None


def _makes_column(field_type: object) -> bool:
    """A field makes a column unless its type keeps the values elsewhere; an unknown or malformed type (JSON Schema
    has not run yet) is counted as one."""
    kind = FIELD_TYPES.get(field_type) if isinstance(field_type, str) else None
    return kind is None or kind.stores_column


def check_entity_width(catalog: Catalog) -> list[DefinitionError]:
    """Pack entities are measured before they are built (loader.py); this catches the fields a tenant adds."""
    return [
        entity.document.error(("fields",), problem)
        for entity in catalog.entities.values()
        if (problem := entity_width_problem([f.type for f in entity.fields]))
    ]


def unrequired_pack(pack: str, target: str, catalog: Catalog) -> str | None:
    """The pack of the entity `target` when `pack` does not require it: a tenant may install `pack` without it, and
    then has no such table."""
    other = target.split(".")[0]
    return None if other in catalog.with_requirements([pack]) or other not in catalog.packs else other


def check_entity_fields(catalog: Catalog) -> list[DefinitionError]:
    errors = []
    for entity in catalog.entities.values():
        errors += _entity_field_errors(entity, catalog)
    return errors


def _entity_field_errors(entity: EntityDef, catalog: Catalog) -> list[DefinitionError]:
    doc, errors = entity.document, []
    seen: dict[str, int] = {}
    for f in entity.fields:
        path = ("fields", f.index, "name")
        if f.name in EXPRESSION_WORDS:
            errors.append(doc.error(path, say(says.RESERVED_WORD, name=f.name)))
        if f.name in STANDARD_COLUMNS:
            errors.append(doc.error(path, say(says.STANDARD_COLUMN, name=f.name)))
        elif f.name in seen:
            errors.append(doc.error(path, say(says.DEFINED_TWICE, name=f.name, first=seen[f.name])))
        seen.setdefault(f.name, f.index)
        kind = kind_of(f)
        if kind.targets_entity and (f.target is None or not catalog.knows_entity(f.target)):
            errors.append(doc.error(("fields", f.index, "target"), say(says.UNKNOWN_TARGET, target=f.target)))
        elif kind.targets_entity and f.target and (other := unrequired_pack(entity.pack, f.target, catalog)):
            errors.append(
                doc.error(
                    ("fields", f.index, "target"),
                    say(
                        says.UNREQUIRED_TARGET,
                        name=f.name,
                        target=f.target,
                        pack=entity.pack,
                        other=other,
                        version=catalog.packs[other].version,
                    ),
                )
            )
        if kind.aggregates_records:
            errors += _rollup_errors(entity, f, catalog)
        if f.options.get("currency_field"):  # only money takes it (JSON Schema)
            holder = entity.field(f.options["currency_field"])
            if holder is None or holder.type not in ("choice", "string"):  # an ISO code, picked or typed
                errors.append(
                    doc.error(
                        ("fields", f.index, "currency_field"),
                        say(says.NOT_A_CURRENCY_FIELD, name=f.options["currency_field"], entity=entity.qualified),
                    )
                )
        if kind.holds_rows and f.target in catalog.entities:
            from ..fields.child_table import parent_field_of

            child = catalog.entities[f.target]
            link = child.field(parent_field_of(f, child, entity.qualified))
            if link is None or not kind_of(link).refers_to_record or link.target != entity.qualified:
                errors.append(
                    doc.error(
                        ("fields", f.index, "target"),
                        say(says.NO_PARENT_REFERENCE, target=f.target, entity=entity.qualified),
                    )
                )
        if kind.refers_to_record and "filter" in f.options and f.target in catalog.entities:
            from ..filters import check_filter

            for filter_path, message in check_filter(f.options["filter"], catalog.entities[f.target], catalog):
                errors.append(doc.error(("fields", f.index, "filter", *filter_path), message))
        if "pattern" in f.options and (problem := regex_error(f.options["pattern"])):
            errors.append(doc.error(("fields", f.index, "pattern"), say(says.BAD_PATTERN, problem=problem)))
        errors += [doc.error(("fields", f.index, *where), message) for where, message in kind.definition_errors(f)]
        if kind.refers_to_record and f"{f.name}_id" in seen:
            errors.append(doc.error(path, say(says.COLUMN_TAKEN, name=f.name)))
    for index in entity.indexes:
        for i, name in enumerate(index.fields):
            indexed = entity.field(name)
            if indexed is None and name not in STANDARD_COLUMNS:
                errors.append(
                    doc.error(
                        ("indexes", index.index, "fields", i), say(says.NOT_A_FIELD, name=name, entity=entity.qualified)
                    )
                )
            elif indexed is not None and not kind_of(indexed).indexable:
                errors.append(
                    doc.error(("indexes", index.index, "fields", i), say(says.NOT_INDEXABLE, type=indexed.type))
                )
    if entity.title_field and entity.field(entity.title_field) is None:
        errors.append(
            doc.error(("title_field",), say(says.TITLE_NOT_A_FIELD, name=entity.title_field, entity=entity.qualified))
        )
    errors += [doc.error(("describe", i), message) for i, message in _describe_errors(entity)]
    return errors


def _describe_errors(entity: EntityDef) -> Iterator[tuple[int, str]]:
    """`describe:` names fields of the entity that an option of a picker can show (`describes_records`), each once;
    a field hidden on screens would be shown there."""
    for i, name in enumerate(entity.describe):
        described = entity.field(name)
        if described is None:
            yield i, say(says.DESCRIBE_NOT_A_FIELD, name=name, entity=entity.qualified)
        elif not kind_of(described).describes_records:
            yield i, say(says.CANNOT_DESCRIBE, type=described.type)
        elif described.hidden:
            yield i, say(says.DESCRIBE_HIDDEN, name=name)
        elif name in entity.describe[:i]:
            yield i, say(says.DESCRIBE_TWICE, name=name)


def _rollup_errors(entity: EntityDef, f, catalog: Catalog) -> list[DefinitionError]:
    from ..fields.rollup import rollup_source
    from ..filters import check_filter

    doc, path = entity.document, ("fields", f.index)
    source_name, reference_name = rollup_source(f)
    source = catalog.entities.get(source_name)
    if source is None:
        return (
            []
            if catalog.knows_entity(source_name)
            else [doc.error((*path, "source"), say(says.UNKNOWN_ENTITY, name=source_name))]
        )
    if other := unrequired_pack(entity.pack, source_name, catalog):
        return [
            doc.error(
                (*path, "source"),
                say(says.UNREQUIRED_SOURCE, name=f.name, source=source_name, pack=entity.pack, other=other),
            )
        ]
    reference = source.field(reference_name)
    if reference is None or not kind_of(reference).refers_to_record or reference.target != entity.qualified:
        return [
            doc.error(
                (*path, "source"),
                say(says.NOT_A_REFERENCE, name=reference_name, source=source_name, entity=entity.qualified),
            )
        ]
    errors = []
    if f.options["aggregate"] != "count":
        measured = source.field(str(f.options.get("field")))
        if measured is None or not value_kind(measured).holds_number:
            errors.append(
                doc.error(
                    (*path, "field"), say(says.NEEDS_A_NUMBER, aggregate=f.options["aggregate"], source=source_name)
                )
            )
    for filter_path, message in check_filter(f.options.get("filter"), source, catalog) if "filter" in f.options else []:
        errors.append(doc.error((*path, "filter", *filter_path), message))
    return errors


def regex_error(pattern: str) -> str | None:
    try:
        re.compile(pattern)
    except re.error as exc:
        return str(exc)
    return None


def check_forms(catalog: Catalog) -> list[DefinitionError]:
    errors = []
    for forms in catalog.forms.values():
        names: set[str] = set()
        for form in forms:
            doc = form.document
            entity = catalog.entities.get(form.entity)
            if entity is None:
                if not catalog.knows_entity(form.entity):
                    errors.append(doc.error(("entity",), say(says.FORM_OF_UNKNOWN_ENTITY, entity=form.entity)))
                continue
            if problem := catalog.unrequired_entity(form.pack, form.entity):
                errors.append(doc.error(("entity",), problem))
            if form.name in names:
                errors.append(doc.error(("name",), say(says.TWO_FORMS, entity=form.entity, name=form.name)))
            names.add(form.name)
            placed: set[str] = set()
            for s, section in enumerate(form.sections):
                for i, name in enumerate(section.fields):
                    path = ("sections", s, "fields", i)
                    if entity.field(name) is None:
                        errors.append(doc.error(path, say(says.NOT_A_FIELD, name=name, entity=entity.qualified)))
                    elif name in placed:
                        errors.append(doc.error(path, say(says.TWICE_IN_FORM, name=name)))
                    placed.add(name)
    return errors


def check_list_views(catalog: Catalog) -> list[DefinitionError]:
    errors = []
    for views in catalog.list_views.values():
        names: set[str] = set()
        for view in views:
            doc = view.document
            entity = catalog.entities.get(view.entity)
            if entity is None:
                if not catalog.knows_entity(view.entity):
                    errors.append(doc.error(("entity",), say(says.LIST_OF_UNKNOWN_ENTITY, entity=view.entity)))
                continue
            if problem := catalog.unrequired_entity(view.pack, view.entity):
                errors.append(doc.error(("entity",), problem))
            if view.name in names:
                errors.append(doc.error(("name",), say(says.TWO_LIST_VIEWS, entity=view.entity, name=view.name)))
            names.add(view.name)
            known = set(entity.field_names()) | set(STANDARD_COLUMNS)
            for i, column in enumerate(view.columns):
                if column not in known:
                    errors.append(
                        doc.error(("columns", i), say(says.COLUMN_NOT_A_FIELD, name=column, entity=entity.qualified))
                    )
            if view.sort_field not in known:
                errors.append(
                    doc.error(("sort",), say(says.CANNOT_SORT, name=view.sort_field, entity=entity.qualified))
                )
            if view.filter is not None:
                from ..filters import check_filter

                for path, message in check_filter(view.filter, entity, catalog):
                    errors.append(doc.error(("filter", *path), message))
            if view.group_by and view.group_by not in known:
                errors.append(
                    doc.error(("group_by",), say(says.CANNOT_GROUP, name=view.group_by, entity=entity.qualified))
                )
            for name in view.totals:
                f = entity.field(name)
                if f is None or not value_kind(f).holds_number:
                    errors.append(doc.error(("totals", name), say(says.NO_TOTAL, name=name, entity=entity.qualified)))
            for i, name in enumerate(view.search):
                f = entity.field(name)
                if f is None or not kind_of(f).searchable:
                    errors.append(
                        doc.error(("search", i), say(says.NOT_SEARCHABLE, name=name, entity=entity.qualified))
                    )
    return errors


def check_expressions(catalog: Catalog) -> list[DefinitionError]:
    """Every CEL expression compiles, uses known names and has the right result type."""
    from ..expr import entity_variables, field_variable

    errors: list[DefinitionError] = []
    for entity in catalog.entities.values():
        variables, doc = entity_variables(entity, catalog), entity.document
        for f in entity.fields:
            if f.default_expression:
                errors += _expression_errors(
                    f.default_expression,
                    variables,
                    field_variable(f, catalog),
                    doc,
                    ("fields", f.index, "default", "expr"),
                )
            if kind_of(f).computed_by_expression and f.options.get("expression"):
                errors += _expression_errors(
                    f.options["expression"],
                    variables,
                    field_variable(f, catalog),
                    doc,
                    ("fields", f.index, "expression"),
                )
            for condition in ("visible_when", "required_when", "read_only_when"):
                if source := f.condition(condition):
                    errors += _expression_errors(source, variables, "boolean", doc, ("fields", f.index, condition))
        for rule in entity.rules:
            errors += _expression_errors(rule.check, variables, "boolean", doc, ("rules", rule.index, "check"))
            if rule.field and entity.field(rule.field) is None:
                errors.append(
                    doc.error(
                        ("rules", rule.index, "field"), say(says.NOT_A_FIELD, name=rule.field, entity=entity.qualified)
                    )
                )
        if entity.locked_when:
            errors += _expression_errors(entity.locked_when, variables, "boolean", doc, ("locked_when",))
    return errors


def _expression_errors(
    source: str, variables: dict, expect: str | Variable | None, doc, path: tuple
) -> list[DefinitionError]:
    from ..expr import ExpressionError, compile_expression

    try:
        compile_expression(source, variables, expect=expect)
    except ExpressionError as exc:
        if exc.line and "\n" in source:
            return [
                doc.error(path, say(says.WHERE_IN_EXPRESSION, message=exc.message, line=exc.line, column=exc.column))
            ]
        return [doc.error(path, exc.message)]
    return []


def check_formula_cycles(catalog: Catalog) -> list[DefinitionError]:
    """Formulas may read other formulas, but never in a circle (a → b → a, or a formula reading itself)."""
    from ..expr import ExpressionError, compile_expression, entity_variables

    errors = []
    for entity in catalog.entities.values():
        variables = entity_variables(entity, catalog)
        reads: dict[str, set[str]] = {}
        for f in entity.fields:
            if kind_of(f).computed_by_expression and f.options.get("expression"):
                try:
                    reads[f.name] = set(compile_expression(f.options["expression"], variables).names)
                except ExpressionError:
                    continue  # reported by check_expressions
        for f in entity.fields:
            circle = _circle_from(f.name, reads)
            if circle:
                errors.append(
                    entity.document.error(
                        ("fields", f.index, "expression"), say(says.FORMULA_CIRCLE, circle=" → ".join(circle))
                    )
                )
    return errors


def _circle_from(start: str, reads: dict[str, set[str]]) -> list[str]:
    """The shortest path of formula reads from `start` back to itself, or []."""
    paths = [[start]]
    seen: set[str] = set()
    while paths:
        path = paths.pop(0)
        for name in sorted(reads.get(path[-1], ())):
            if name == start:
                return [*path, start]
            if name in reads and name not in seen:
                seen.add(name)
                paths.append([*path, name])
    return []


def check_seeds(catalog: Catalog) -> list[DefinitionError]:
    """A seed names an existing entity of its pack or of one it requires, real fields, valid values and a unique key."""
    errors = []
    for seed in catalog.seeds.values():
        doc, entity = seed.document, catalog.entities.get(seed.entity)
        if entity is None:
            if not catalog.knows_entity(seed.entity):
                errors.append(doc.error(("entity",), f"seed of unknown entity '{seed.entity}'"))
            continue
        if entity.pack not in catalog.with_requirements([seed.pack]):
            errors.append(
                doc.error(
                    ("entity",), say(says.PACK_NOT_REQUIRED, entity=seed.entity, pack=entity.pack, other=seed.pack)
                )
            )
            continue
        errors += _seed_key_errors(seed, entity)
        for index, record in enumerate(seed.records):
            errors += _seed_record_errors(seed, entity, index, record, catalog)
    return errors


def _seed_key_errors(seed, entity: EntityDef) -> list[DefinitionError]:
    if seed.key is None:
        return []
    doc, key = seed.document, entity.field(seed.key)
    if key is None:
        return [doc.error(("key",), f"key '{seed.key}' is not a field of {entity.qualified}")]
    if not kind_of(key).keys_seeds:
        return [doc.error(("key",), f"key '{seed.key}' is a {key.type} field; a key is a text or number field")]
    if not _is_unique(entity, seed.key):
        return [
            doc.error(
                ("key",), f"key '{seed.key}' is not a unique field of {entity.qualified}, so it cannot find a record"
            )
        ]
    errors = []
    seen: dict[str, int] = {}
    for index, record in enumerate(seed.records):
        value = record.get(seed.key)
        if value is None:
            errors.append(doc.error(("records", index), f"the record has no value for the key '{seed.key}'"))
        elif str(value) in seen:
            errors.append(
                doc.error(
                    ("records", index, seed.key),
                    f"key value '{value}' is used twice (first at records[{seen[str(value)]}])",
                )
            )
        seen.setdefault(str(value), index)
    return errors


def _is_unique(entity: EntityDef, name: str) -> bool:
    f = entity.field(name)
    return bool(f and f.unique) or any(index.unique and index.fields == (name,) for index in entity.indexes)


def _seed_record_errors(seed, entity: EntityDef, index: int, record: dict, catalog: Catalog) -> list[DefinitionError]:
    doc, errors = seed.document, []
    for declared in entity.fields:
        if (
            declared.required
            and declared.default is None
            and not FIELD_TYPES[declared.type].generated
            and declared.name not in record
        ):
            errors.append(
                doc.error(("records", index), f"the record has no value for '{declared.name}', a required field")
            )
    for name, value in record.items():
        path = ("records", index, name)
        f = entity.field(name)
        if f is None:
            errors.append(doc.error(path, say(says.NOT_A_FIELD, name=name, entity=entity.qualified)))
        elif FIELD_TYPES[f.type].generated:
            errors.append(
                doc.error(path, f"'{name}' is a {f.type} field: the platform fills it in, a seed cannot set it")
            )
        elif not kind_of(f).seedable:
            errors.append(doc.error(path, f"'{name}' is a {f.type} field, which a seed cannot set"))
        elif kind_of(f).refers_to_record:
            errors += [doc.error(path, message) for message in _seed_reference_errors(f, value, catalog)]
        else:
            errors += [doc.error(path, message) for message in _seed_value_errors(seed, entity, f, value)]
    return errors


def _seed_reference_errors(f, value, catalog: Catalog) -> list[str]:
    """A seeded reference finds its target by one unique field: {code: HQ}."""
    target = catalog.entities.get(f.target)
    if value is None or target is None:
        return []
    if not isinstance(value, dict) or len(value) != 1:
        return [f"a reference is written as {{field: value}} with one unique field of {f.target}, e.g. {{code: HQ}}"]
    ((name, _),) = value.items()
    if not _is_unique(target, name):
        return [f"'{name}' is not a unique field of {f.target}, so it cannot find the record to refer to"]
    return []


def _seed_value_errors(seed, entity: EntityDef, f, value) -> list[str]:
    """The value as the REST API would check it (type, length, range, choices), in every language it is given in."""
    from marshmallow import ValidationError

    if isinstance(value, dict) and f.type not in SEED_LABEL_TYPES:
        return [f"a {f.type} field takes a single value, not a mapping"]
    if isinstance(value, dict) and ("en" not in value or set(value) - set(LANGUAGES)):
        return ["a value in several languages is written {en: …, zh: …}, with en"]
    problems = []
    for locale in LANGUAGES if isinstance(value, dict) else ("en",):
        plain = seed.record_input({f.name: value}, entity, locale)[f.name]
        try:
            FIELD_TYPES[f.type].marshmallow_field(f).deserialize(plain)
        except ValidationError as invalid:
            problems += [m for m in _messages(invalid.messages) if m not in problems]
        problems += [m for m in FIELD_TYPES[f.type].change_errors(f, plain, None, None) if m not in problems]
    return problems


def check_field_evolution(catalog: Catalog) -> list[DefinitionError]:
    """`renamed_from` is a former name no field (or entity of the pack) still has; `backfill` is a value the field could store."""
    errors = []
    for entity in catalog.entities.values():
        if entity.former_qualified in catalog.entities:
            errors.append(
                entity.document.error(
                    ("renamed_from",),
                    f"renamed_from '{entity.renamed_from}' is the entity {entity.former_qualified}; it must name "
                    "the entity's former name, which no entity has any more",
                )
            )
        for f in entity.fields:
            if f.renamed_from and entity.field(f.renamed_from) is not None:
                errors.append(
                    entity.document.error(
                        ("fields", f.index, "renamed_from"),
                        f"renamed_from '{f.renamed_from}' is a field of {entity.qualified}; "
                        "it must name the field's former name, which no field has any more",
                    )
                )
            if f.backfill is not None:
                errors += [
                    entity.document.error(("fields", f.index, "backfill"), message) for message in _backfill_errors(f)
                ]
    return errors


def _backfill_errors(f) -> list[str]:
    """The backfill as the REST API would check a value of the field (type, length, range, choices)."""
    from datetime import date, time

    from marshmallow import ValidationError

    if kind_of(f).generated or not kind_of(f).seedable:
        return [f"a {f.type} field takes no backfill: its values are computed or are other records and files"]
    value = f.backfill.isoformat() if isinstance(f.backfill, date | time) else f.backfill
    try:
        FIELD_TYPES[f.type].marshmallow_field(f).deserialize(value)
    except ValidationError as invalid:
        return [say(says.BAD_BACKFILL, value=repr(f.backfill), problem=" ".join(_messages(invalid.messages)))]
    return [
        say(says.BAD_BACKFILL, value=repr(f.backfill), problem=problem)
        for problem in FIELD_TYPES[f.type].change_errors(f, value, None, None)
    ]


def _messages(messages) -> list[str]:
    if isinstance(messages, dict):
        return [m for inner in messages.values() for m in _messages(inner)]
    return [str(m) for m in messages] if isinstance(messages, list) else [str(messages)]


CORE_CHECKS: list[Check] = [
    check_pack_requirements,
    check_entity_width,
    check_entity_fields,
    check_forms,
    check_list_views,
    check_expressions,
    check_formula_cycles,
    check_seeds,
    check_field_evolution,
]


class WithFeatureChecks(Sequence[Check]):
    """`core`, then the checks the features declared (in priority order), then `last`.

    Read from the registry when iterated, not when meta is imported: loading a feature is what adds its checks.
    """

    def __init__(self, core: list[Check], last: tuple[Check, ...] = ()) -> None:
        self.core, self.last = core, last

    def _checks(self) -> list[Check]:
        return [*self.core, *load_features().items(DEFINITION_CHECKS), *self.last]

    @overload
    def __getitem__(self, index: int) -> Check: ...

    @overload
    def __getitem__(self, index: slice) -> list[Check]: ...

    def __getitem__(self, index: int | slice) -> Check | list[Check]:
        return self._checks()[index]

    def __iter__(self) -> Iterator[Check]:
        return iter(self._checks())

    def __len__(self) -> int:
        return len(self._checks())


CHECKS = WithFeatureChecks(CORE_CHECKS)


def check_pack_field_names(catalog: Catalog) -> list[DefinitionError]:
    """`x_` starts the names of the fields tenants add (tenancy/customizations.py): a pack never uses it, so no
    pack version can add a field a tenant already has."""
    return [
        entity.document.error(
            ("fields", f.index, "name"),
            say(says.KEPT_PREFIX, name=f.name, prefix=TENANT_FIELD_PREFIX),
        )
        for entity in catalog.entities.values()
        for f in entity.fields
        if f.name.startswith(TENANT_FIELD_PREFIX)
    ]


def check_pack_names(catalog: Catalog) -> list[DefinitionError]:
    """`x` is the pack of a tenant's own entities and dashboards (tenancy/customizations.py): a pack of that name
    would share their tables and names."""
    return [
        pack.document.error(
            ("name",), f"'{TENANT_PACK}' is the name of a tenant's own definitions; name the pack otherwise"
        )
        for pack in catalog.packs.values()
        if pack.name == TENANT_PACK
    ]


#: what packs are checked with; a tenant's merged definitions have x_ fields and the x pack by design, so they get
#: CHECKS only
PACK_CHECKS = WithFeatureChecks(CORE_CHECKS, (check_pack_field_names, check_pack_names))

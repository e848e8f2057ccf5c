"""Semantic checks of print formats: their entity and roles exist, and their template compiles.

A template's syntax error is reported at its line in the YAML file: a template written as a block scalar
(`template: |`) starts on the line after its key, so template line n is that line plus n; the message names the
template's own line too.
"""

from __future__ import annotations

from dataclasses import replace

from ..meta.catalog import Catalog
from ..meta.errors import DefinitionError
from ..meta.yamlload import Document
from ..tenancy.directory import BUILTIN_ROLES
from .definition import PrintFormatDef
from .sandbox import syntax_error


def check_print_formats(catalog: Catalog) -> list[DefinitionError]:
    errors = []
    for definition in catalog.print_formats.values():
        doc = definition.document
        assert doc is not None  # formats in a catalog come from documents
        if not catalog.knows_entity(definition.entity):
            errors.append(doc.error(("entity",), f"print format for unknown entity '{definition.entity}'"))
        elif problem := catalog.unrequired_entity(definition.pack, definition.entity):
            errors.append(doc.error(("entity",), problem))
        errors += _role_errors(definition, doc, catalog)
        errors += _template_errors(definition, doc)
    return errors


def _role_errors(definition: PrintFormatDef, doc: Document, catalog: Catalog) -> list[DefinitionError]:
    packs = set(catalog.with_requirements([definition.pack]))
    known = {role.name for role in catalog.roles.values() if role.pack in packs} | set(BUILTIN_ROLES)
    return [
        doc.error(
            ("roles", i),
            f"unknown role '{role}'; declare it with kind Role in this pack or one it requires "
            f"(known: {', '.join(sorted(known))})",
        )
        for i, role in enumerate(definition.roles)
        if role not in known
    ]


def _template_errors(definition: PrintFormatDef, doc: Document) -> list[DefinitionError]:
    if not definition.template:
        return []
    found = syntax_error(definition.template)
    if found is None:
        return []
    line, message = found
    error = doc.error(("template",), f"template line {line}: {message}")
    if "\n" in definition.template.rstrip("\n"):  # a block scalar: its text starts on the next line
        return [replace(error, line=error.line + line)]
    return [error]

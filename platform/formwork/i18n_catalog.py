"""The platform's own translation catalogs: extract the marked texts, update each language, compile, check.

    python -m formwork.i18n_catalog update    # extract, merge into translations/<lang>/LC_MESSAGES/messages.po, compile
    python -m formwork.i18n_catalog add fr    # start a catalog for a new language (then translate, compile)
    python -m formwork.i18n_catalog compile   # .po -> .mo only (after translating)
    python -m formwork.i18n_catalog check     # what is missing or stale; exit status 1 if anything is

The compiled `.mo` files are committed (and shipped as package data), so a
server needs no build step; `check` (and tests/test_languages.py) fails when a
`.mo` is not what its `.po` compiles to, when a text has no translation, and
when code or templates mark a text the catalog lacks. The languages are the
catalogs present (`i18n.LANGUAGES`). Pack labels are not here: they carry their
own `{en: …, zh: …}` texts in the YAML (docs/languages.md).
"""

from __future__ import annotations

import io
import sys
from collections.abc import Sequence
from dataclasses import fields, is_dataclass
from pathlib import Path
from string import Formatter
from typing import Any

from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

from .i18n import LANGUAGES, TRANSLATIONS, CatalogText, Label
from .meta.catalog import Catalog as Definitions
from .meta.model import FieldDef
from .meta.yamlload import Document

PACKAGE = Path(__file__).resolve().parent
MAPPING = PACKAGE.parents[1] / "babel.cfg"
#: `CatalogText("text")`, and `CatalogText("text", context="...")` (its second argument is gettext's msgctxt)
KEYWORDS = {**DEFAULT_KEYWORDS, "lazy_gettext": None, "CatalogText": {1: (1,), 2: (1, (2, "c"))}}
PROJECT = "Formwork"


def po_path(language: str) -> Path:
    return TRANSLATIONS / language / "LC_MESSAGES" / "messages.po"


def translated_languages() -> list[str]:
    """The languages with a catalog of their own (English is the source text): each directory with a messages.po."""
    return sorted(po.parents[1].name for po in TRANSLATIONS.glob("*/LC_MESSAGES/messages.po"))


def extract() -> Catalog:
    """Every text the package's Python code and templates mark for translation."""
    with MAPPING.open() as mapping:
        method_map, options_map = parse_mapping_cfg(mapping)
    template = Catalog(project=PROJECT, fuzzy=False)
    for filename, line, message, comments, context in extract_from_dir(
        PACKAGE, method_map, options_map, keywords=KEYWORDS, strip_comment_tags=True
    ):
        template.add(message, None, [(filename, line)], auto_comments=comments, context=context)
    return template


def read(language: str) -> Catalog:
    with po_path(language).open("rb") as source:
        return read_po(source, locale=language)


def compiled(catalog: Catalog) -> bytes:
    out = io.BytesIO()
    write_mo(out, catalog, use_fuzzy=False)
    return out.getvalue()


def write(language: str, catalog: Catalog) -> None:
    """The .po (sorted, without line numbers, so a moved text is no change) and the .mo it compiles to."""
    path = po_path(language)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as target:
        write_po(target, catalog, width=120, sort_output=True, include_lineno=False, ignore_obsolete=True)
    path.with_suffix(".mo").write_bytes(compiled(read(language)))


def update() -> None:
    """Merge newly marked texts into every language's .po (untranslated until someone translates them)."""
    template = extract()
    for language in translated_languages():
        catalog = read(language)
        catalog.update(template, no_fuzzy_matching=True)
        write(language, catalog)


def add(language: str) -> None:
    """A catalog for a new language, with every marked text untranslated: once it is translated and compiled, the
    language is offered everywhere (`i18n.LANGUAGES` lists the compiled catalogs)."""
    if not po_path(language).exists():
        write(language, Catalog(locale=language, project=PROJECT))
    update()


def compile_all() -> None:
    for language in translated_languages():
        po_path(language).with_suffix(".mo").write_bytes(compiled(read(language)))


def problems() -> list[str]:
    """What keeps the catalogs from being complete and current, one line each."""
    marked = {(message.id, message.context) for message in extract() if message.id}
    found = []
    for language in translated_languages():
        catalog = read(language)
        known = {(message.id, message.context) for message in catalog if message.id}
        found += [
            f"{language}: not in the catalog (run update): {text!r}" + (f" ({context})" if context else "")
            for text, context in sorted(marked - known, key=str)
        ]
        found += [
            f"{language}: no translation: {message.id!r}"
            for message in catalog
            if message.id and (message.fuzzy or not message.string)
        ]
        found += [
            f"{language}: the translation names other {{placeholders}}: {message.id!r} -> {message.string!r}"
            for message in catalog
            if message.id and message.string and placeholders(message.string) != placeholders(str(message.id))
        ]
        mo = po_path(language).with_suffix(".mo")
        if not mo.exists() or mo.read_bytes() != compiled(catalog):
            found.append(f"{language}: {mo.name} is not compiled from {po_path(language).name} (run compile)")
    return found


def placeholders(text: str) -> list[str] | None:
    """The `{names}` a `str.format` text fills in, sorted (None when it is no such text): a translation that drops
    or misspells one would fail, or lose a value, only when it is shown."""
    try:
        return sorted(name for _, name, _, _ in Formatter().parse(text) if name is not None)
    except ValueError:
        return None


def lacking(label: Label, where: str, languages: Sequence[str]) -> list[str]:
    """`where: 'English'` when `label` has no text in one of `languages` (naming them when there are several)."""
    missing = [language for language in languages if not label.translations.get(language)]
    if not missing:
        return []
    return [f"{where}: {str(label)!r}" + (f" (no {', '.join(missing)})" if len(languages) > 1 else "")]


def missing_pack_texts(definitions: Definitions, languages: Sequence[str] = ()) -> list[str]:
    """`where: 'English text'` for every label in the packs' definitions that has no text in one of `languages`
    (default: every translated language).

    Walks everything the catalog holds (entities, fields, choices, forms, list views, roles, chains,
    dashboards, notifications, seeds), so a kind added later is covered without a change here.
    """
    found: list[str] = []
    seen: set[int] = set()
    languages = languages or translated_languages()

    def visit(value: Any, where: str) -> None:
        if isinstance(value, Label):
            found.extend(lacking(value, where, languages))
        elif isinstance(value, dict) and "en" in value and set(value) <= set(LANGUAGES):  # a label not built yet
            visit(Label(value), where)
        elif isinstance(value, Document) or id(value) in seen:
            return
        elif isinstance(value, FieldDef):
            seen.add(id(value))
            visit_field(value, where)
        elif is_dataclass(value) and not isinstance(value, type):
            seen.add(id(value))
            for attribute in fields(value):
                if attribute.name != "documents":
                    visit(getattr(value, attribute.name), f"{where}.{attribute.name}")
        elif isinstance(value, dict):
            for key, item in value.items():
                visit(item, f"{where}[{key!r}]")
        elif isinstance(value, (list, tuple)):
            for position, item in enumerate(value):
                visit(item, f"{where}[{position}]")

    def visit_field(field: FieldDef, where: str) -> None:
        """A field's labelled options may be plain strings: a choice's label is text to translate when given,
        its value (shown in every language) when not."""
        for attribute in fields(field):
            if attribute.name != "options":
                visit(getattr(field, attribute.name), f"{where}.{attribute.name}")
        visit({k: v for k, v in field.options.items() if k not in ("choices", "placeholder")}, f"{where}.options")
        if field.placeholder is not None:
            visit(field.placeholder, f"{where}.placeholder")
        for position, choice in enumerate(field.options.get("choices", [])):
            if choice.get("label") is not None:
                visit(Label(choice["label"]), f"{where}.choices[{position}].label")

    visit(definitions, "catalog")
    return found


def missing_platform_texts(languages: Sequence[str] = ()) -> list[str]:
    """`module.NAME[key]: 'English'` for each `Label` the platform's modules hold as a constant (or in a word list)
    without a text in one of `languages` (default: every translated language). A `CatalogText` is the catalog's
    (`problems` checks it); what is left are texts still written in Python."""
    import importlib
    import pkgutil

    found = []
    for module_info in pkgutil.walk_packages([str(PACKAGE)], "formwork."):
        if module_info.name.endswith("__main__"):
            continue
        module = importlib.import_module(module_info.name)
        for name, value in vars(module).items():
            for key, label in value.items() if isinstance(value, dict) else [(None, value)]:
                if isinstance(label, Label) and not isinstance(label, CatalogText):
                    where = f"{module_info.name}.{name}{'' if key is None else f'[{key!r}]'}"
                    found += lacking(label, where, languages or translated_languages())
    return found


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "check"
    if command == "update":
        update()
    elif command == "add" and len(argv) == 2:
        add(argv[1])
    elif command == "compile":
        compile_all()
    elif command != "check":
        print(__doc__)
        return 2
    found = problems() + missing_platform_texts()
    print("\n".join(found) or "The catalogs are complete and compiled.")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

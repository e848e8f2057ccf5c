"""Field types answer what they are (a relation, a file, searchable…), so code outside fields/ never compares names."""

from __future__ import annotations

import re
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from formwork.definitions import jsonschemas
from formwork.definitions.loader import builtin_definitions, load_catalog
from formwork.features import load_features
from formwork.fields import FIELD_TYPES, FieldType, kind_of
from formwork.imports.mapping import importable
from formwork.meta.model import FieldDef

#: every yes/no question a field type answers (fields/base.py), in the order the docs list them
QUESTIONS = (
    "refers_to_one",
    "refers_to_record",
    "refers_to_user",
    "refers_to_many",
    "holds_rows",
    "targets_entity",
    "is_relation",
    "stores_column",
    "holds_file",
    "has_choices",
    "holds_list",
    "generated",
    "computed_by_expression",
    "aggregates_records",
    "numbered",
    "recomputed",
    "searchable",
    "searched_by_default",
    "filtered_by_default",
    "names_records",
    "indexable",
    "describes_records",
    "importable",
    "seedable",
    "keys_seeds",
    "holds_number",
    "holds_date",
    "holds_moment",
    "holds_money",
    "holds_yes_no",
    "groupable",
    "titles_as_stored",
    "native_in_spreadsheets",
    "listed_as_is",
)

#: what each type answers yes to (a type says so only where it is not PLAIN: a column that is indexed, imported, seeded)
PLAIN = {"stores_column", "indexable", "importable", "seedable"}
#: a short value shown after a record's title where it is picked (an entity's `describe:`)
DESCRIBES = {"describes_records"}
#: a number: summed, averaged, a seed's key
NUMBER = PLAIN | DESCRIBES | {"holds_number", "keys_seeds"}
EXPECTED: dict[str, set[str]] = {
    "string": PLAIN
    | DESCRIBES
    | {"searchable", "searched_by_default", "filtered_by_default", "names_records", "listed_as_is"}
    | {"keys_seeds", "groupable", "titles_as_stored"},
    "text": PLAIN - {"indexable"} | {"searchable", "filtered_by_default", "listed_as_is", "keys_seeds"},
    "rich_text": PLAIN - {"indexable"} | {"searchable", "keys_seeds"},
    "email": PLAIN
    | DESCRIBES
    | {"searchable", "searched_by_default", "filtered_by_default", "names_records", "keys_seeds", "titles_as_stored"},
    "phone": PLAIN | DESCRIBES | {"searchable", "names_records", "keys_seeds", "titles_as_stored"},
    "url": PLAIN | DESCRIBES | {"searchable", "keys_seeds", "titles_as_stored"},
    "integer": NUMBER | {"titles_as_stored", "native_in_spreadsheets"},
    "decimal": NUMBER | {"native_in_spreadsheets"},
    "money": NUMBER | {"holds_money", "native_in_spreadsheets"},
    "percent": NUMBER | {"native_in_spreadsheets"},
    "rating": NUMBER,
    "boolean": PLAIN | {"holds_yes_no", "groupable"},
    "date": PLAIN | DESCRIBES | {"holds_date", "native_in_spreadsheets"},
    "datetime": PLAIN | DESCRIBES | {"holds_date", "holds_moment", "native_in_spreadsheets"},
    "time": PLAIN | DESCRIBES,
    "json": PLAIN - {"indexable"},
    "choice": PLAIN | DESCRIBES | {"has_choices", "searchable", "keys_seeds", "groupable", "titles_as_stored"},
    "multi_choice": PLAIN - {"indexable"} | {"has_choices", "holds_list"},
    "reference": PLAIN
    | DESCRIBES
    | {"refers_to_one", "refers_to_record", "targets_entity", "is_relation", "listed_as_is", "groupable"},
    "user": PLAIN - {"seedable"} | {"refers_to_one", "refers_to_user", "is_relation"},
    "many_to_many": {"refers_to_many", "targets_entity", "is_relation", "holds_list", "importable"},
    "child_table": {"holds_rows", "targets_entity", "is_relation"},
    "file": {"stores_column", "holds_file"},
    "image": {"stores_column", "holds_file"},
    "auto_number": PLAIN | DESCRIBES | {"generated", "numbered", "searchable", "keys_seeds", "titles_as_stored"},
    "formula": PLAIN | DESCRIBES | {"generated", "computed_by_expression", "recomputed"},
    "rollup": PLAIN | DESCRIBES | {"generated", "aggregates_records", "recomputed"},
}
#: the HTML input a row added in the browser uses instead of a JavaScript widget
PLAIN_INPUTS = {"choice": "select", "user": "select", "date": "date"}


@pytest.fixture(autouse=True, scope="module")
def features_loaded() -> None:
    """file and image are the files feature's: in FIELD_TYPES once the features are loaded."""
    load_features()


def test_every_built_in_type_is_pinned():
    """Built in: the core's and its features' (formwork.files.fields). (An installed extension may add types of its
    own, which answer the defaults unless they say otherwise.)"""
    assert set(EXPECTED) == {
        name for name, kind in FIELD_TYPES.items() if type(kind).__module__.startswith("formwork.")
    }


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_type_answers_as_pinned(name):
    kind = FIELD_TYPES[name]
    assert {q for q in QUESTIONS if getattr(kind, q)} == EXPECTED[name]
    assert kind.plain_input == PLAIN_INPUTS.get(name)


def test_kind_of_is_the_fields_type():
    field = FieldDef(name="owner", type="user", label="Owner")
    assert kind_of(field) is FIELD_TYPES["user"] and kind_of(field).refers_to_user


def test_generated_types_say_how():
    """Every generated type is computed one way, and only generated types are."""
    for kind in FIELD_TYPES.values():
        ways = [kind.computed_by_expression, kind.aggregates_records, kind.numbered].count(True)
        assert ways == (1 if kind.generated else 0), kind.name


# -- no code outside fields/ compares type names -------------------------------------------------------------------
PACKAGE = Path(__file__).resolve().parent.parent / "platform" / "formwork"
#: the comparisons `grep 'type == "\|type in (\|type != "\|type not in ('` finds
COMPARISON = re.compile(r'type (?:== "|!= "|in \(|not in \()')

#: comparisons that stay, per module, and why (each field-type one carries a comment on its line)
ALLOWED: dict[str, int] = {
    # not field types: response and request MIME types, dashboard widget kinds
    "tenancy/headers.py": 1,
    "tenancy/bad_input.py": 1,
    "dashboards/checks.py": 4,
    # dashboard widget kinds (3), a measured value type (money averages as money)
    "dashboards/compute.py": 4,
    # `Variable.type`: the one place where field type names meet CEL's types (expr/types.py's docstring)
    "expr/types.py": 5,
    "expr/values.py": 7,
    # meta sits below fields/ (fields imports it): a formula's or a rollup's value type
    "meta/model.py": 2,
    # a currency code is picked (choice) or typed (string)
    "definitions/checks.py": 1,
}


def comparisons() -> dict[str, int]:
    found: dict[str, int] = {}
    for path in PACKAGE.rglob("*.py"):
        module = path.relative_to(PACKAGE).as_posix()
        if module.startswith("fields/"):
            continue
        count = len(COMPARISON.findall(path.read_text(encoding="utf-8")))
        if count:
            found[module] = count
    return found


def test_no_new_type_name_comparisons_outside_fields():
    """A new check asks the field type (`kind_of(field).holds_file`), or is commented and allowed here."""
    assert comparisons() == ALLOWED, "compare a field's capabilities, not its type name (or update ALLOWED, saying why)"


# -- a type an installed extension adds ----------------------------------------------------------------------------
class SwatchField(FieldType):
    """A colour, as examples/formwork-brand's `color` adds one: it says only what it must, the rest is the defaults."""

    name = "swatch"

    def sql_type(self, field: FieldDef) -> sa.types.TypeEngine:
        return sa.String(7)


class SketchField(SwatchField):
    """A drawing kept as JSON: it says the database cannot index it and an import file cannot hold it."""

    name = "sketch"
    indexable = importable = False

    def sql_type(self, field: FieldDef) -> sa.types.TypeEngine:
        return sa.JSON()


PALETTE_PACK = """\
kind: Pack
name: studio
version: 1.0.0
label: Studio
---
kind: Entity
name: palette
label: Palette
fields:
  - {name: title, type: string}
  - {name: shade, type: swatch}
  - {name: doodle, type: sketch}
indexes:
  - fields: [shade]
  - fields: [doodle]
"""


@pytest.fixture
def extension_types(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The two types registered as `fields/__init__.py` takes a loaded feature's, with the definition schemas built
    again to know them (and once more without them afterwards)."""
    monkeypatch.setitem(FIELD_TYPES, "swatch", SwatchField())
    monkeypatch.setitem(FIELD_TYPES, "sketch", SketchField())
    _rebuild_schemas()
    yield
    monkeypatch.undo()
    _rebuild_schemas()


def _rebuild_schemas() -> None:
    for cached in (jsonschemas.kind_schema, jsonschemas.extension_schema, jsonschemas.validator):
        cached.cache_clear()


def test_an_extension_type_answers_the_defaults():
    kind = SwatchField()
    assert {q for q in QUESTIONS if getattr(kind, q)} == PLAIN | DESCRIBES  # an indexed column is a short value
    assert kind.plain_input is None


def test_an_extension_type_is_indexed_and_imported_as_it_answers(tmp_path: Path, extension_types: None):
    (tmp_path / "studio").mkdir()
    (tmp_path / "studio" / "pack.yaml").write_text(textwrap.dedent(PALETTE_PACK), encoding="utf-8")
    catalog, errors = load_catalog([builtin_definitions(), tmp_path / "studio"])
    assert [e.message for e in errors] == ["a sketch field cannot be indexed"]
    assert [f.name for f in importable(catalog.entities["studio.palette"])] == ["title", "shade"]

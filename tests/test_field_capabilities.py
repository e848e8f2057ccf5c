"""Field types answer what they are (a relation, a file, searchable…), so code outside fields/ never compares names."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from formwork.features import load_features
from formwork.fields import FIELD_TYPES, kind_of
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
    "listed_as_is",
)

#: what each type answers yes to (stores_column and indexable are yes unless a type says otherwise)
PLAIN = {"stores_column", "indexable"}
EXPECTED: dict[str, set[str]] = {
    "string": PLAIN | {"searchable", "searched_by_default", "filtered_by_default", "names_records", "listed_as_is"},
    "text": {"stores_column", "searchable", "filtered_by_default", "listed_as_is"},
    "rich_text": {"stores_column", "searchable"},
    "email": PLAIN | {"searchable", "searched_by_default", "filtered_by_default", "names_records"},
    "phone": PLAIN | {"searchable", "names_records"},
    "url": PLAIN | {"searchable"},
    "integer": PLAIN,
    "decimal": PLAIN,
    "money": PLAIN,
    "percent": PLAIN,
    "rating": PLAIN,
    "boolean": PLAIN,
    "date": PLAIN,
    "datetime": PLAIN,
    "time": PLAIN,
    "json": {"stores_column"},
    "choice": PLAIN | {"has_choices", "searchable"},
    "multi_choice": {"stores_column", "has_choices", "holds_list"},
    "reference": PLAIN | {"refers_to_one", "refers_to_record", "targets_entity", "is_relation", "listed_as_is"},
    "user": PLAIN | {"refers_to_one", "refers_to_user", "is_relation"},
    "many_to_many": {"refers_to_many", "targets_entity", "is_relation", "holds_list"},
    "child_table": {"holds_rows", "targets_entity", "is_relation", "indexable"},
    "file": PLAIN | {"holds_file"},
    "image": PLAIN | {"holds_file"},
    "auto_number": PLAIN | {"generated", "numbered", "searchable"},
    "formula": PLAIN | {"generated", "computed_by_expression", "recomputed"},
    "rollup": PLAIN | {"generated", "aggregates_records", "recomputed"},
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
    # dashboard widget kinds (3), a measured value type (money averages as money), a boolean group named in words
    "dashboards/compute.py": 5,
    # `Variable.type`: the one place where field type names meet CEL's types (expr/types.py's docstring)
    "expr/types.py": 5,
    "expr/values.py": 7,
    # meta sits below fields/ (fields imports it): a formula's or a rollup's value type
    "meta/model.py": 2,
    # a currency code is picked (choice) or typed (string)
    "meta/checks.py": 1,
    # a path's end may be created_by, a standard column with no field to ask
    "workflow/paths.py": 2,
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

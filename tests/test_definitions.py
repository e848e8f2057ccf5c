"""Loading and checking definitions: every error with file, line, path and what was expected."""

from __future__ import annotations

import textwrap
from pathlib import Path

from formwork.definitions.loader import builtin_definitions, load_catalog
from formwork.meta.yamlload import parse_documents

PACK = (
    "kind: Pack\nname: shop\nversion: 1.0.0\nlabel: {en: Shop, zh: 商店}\nrequires: {core: '>=0.1.0', crm: '>=0.1.0'}\n"
)
ENTITY = """\
kind: Entity
name: product
label: {en: Product, zh: 产品}
title_field: name
fields:
  - name: name
    type: string
    required: true
  - name: price
    type: money
  - name: maker
    type: reference
    target: crm.account
---
kind: Form
entity: product
sections:
  - label: Main
    fields: [name, price, maker]
---
kind: ListView
entity: product
columns: [name, price]
sort: -price
search: [name]
"""


def write_pack(root: Path, files: dict[str, str]) -> Path:
    folder = root / "shop"
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in {"pack.yaml": PACK, **files}.items():
        (folder / name).write_text(textwrap.dedent(text), encoding="utf-8")
    return folder


def load_with_builtins(folder: Path):
    return load_catalog([builtin_definitions(), folder])


def messages(errors) -> list[str]:
    return [str(e) for e in errors]


def test_builtin_packs_are_valid() -> None:
    catalog, errors = load_catalog([builtin_definitions()])
    assert errors == []
    assert {"core", "crm", "oa"} <= set(catalog.packs)
    assert catalog.entities["crm.opportunity"].field("account").target == "crm.account"
    assert catalog.entities["crm.account"].label.get("zh") == "客户"


def test_a_valid_pack_that_references_another_pack(tmp_path: Path) -> None:
    catalog, errors = load_with_builtins(write_pack(tmp_path, {"product.yaml": ENTITY}))
    assert errors == []
    product = catalog.entities["shop.product"]
    assert product.table == "shop_product"
    assert catalog.list_views["shop.product"][0].sort_descending


def test_malformed_yaml_names_file_and_line(tmp_path: Path) -> None:
    folder = write_pack(tmp_path, {"broken.yaml": "kind: Entity\nname: x\nfields: [\n  - name: a\n"})
    _, errors = load_with_builtins(folder)
    assert len(errors) == 1
    assert errors[0].file.endswith("broken.yaml")
    assert errors[0].line >= 3
    assert "invalid YAML" in errors[0].message


def test_unknown_field_type_points_at_the_line_and_lists_the_types(tmp_path: Path) -> None:
    text = ENTITY.replace("type: money", "type: monee")
    _, errors = load_with_builtins(write_pack(tmp_path, {"product.yaml": text}))
    assert len(errors) == 1
    error = errors[0]
    assert (error.line, error.path) == (10, "fields[1].type")
    assert "unknown field type 'monee'" in error.message and "money" in error.message


def test_property_that_a_type_does_not_take(tmp_path: Path) -> None:
    text = ENTITY.replace("    type: money\n", "    type: money\n    max_length: 5\n")
    _, errors = load_with_builtins(write_pack(tmp_path, {"product.yaml": text}))
    assert messages(errors) == [
        f"{tmp_path / 'shop' / 'product.yaml'}:11 at fields[1].max_length: unexpected property 'max_length'"
    ]


def test_every_semantic_error_is_reported_in_one_run(tmp_path: Path) -> None:
    text = (
        ENTITY.replace("target: crm.account", "target: crm.acount")
        .replace("  - name: price\n", "  - name: name\n")
        .replace("fields: [name, price, maker]", "fields: [name, price, colour]")
        .replace("columns: [name, price]", "columns: [name, weight]")
        .replace("sort: -price", "sort: -price")
    )
    _, errors = load_with_builtins(write_pack(tmp_path, {"product.yaml": text}))
    found = {(e.line, e.message) for e in errors}
    assert (13, "reference to unknown entity 'crm.acount'") in found
    assert (9, "field 'name' is defined twice (first at fields[0])") in found
    assert (19, "'colour' is not a field of shop.product") in found
    assert (23, "column 'weight' is not a field of shop.product") in found
    assert any("'price' is not a field of shop.product" in m for m in messages(errors))  # form uses the renamed field


def test_duplicate_keys_wrong_labels_and_unknown_kinds(tmp_path: Path) -> None:
    text = "kind: Entity\nname: a\nname: b\nlabel: [x]\nfields:\n  - {name: x, type: string}\n---\nkind: Workflow\n"
    _, errors = load_with_builtins(write_pack(tmp_path, {"odd.yaml": text}))
    got = messages(errors)
    assert any(":3 at name: key 'name' appears twice" in m for m in got)
    assert any(":4 at label: expected a label" in m for m in got)
    assert any(
        ":8 at kind: unknown kind 'Workflow'; expected one of: Action, ApprovalChain, Automation, CalendarView, Dashboard, Entity, Form, KanbanView, ListView, NoOverlap, Notification, Pack, PivotView, PrintFormat"
        in m
        for m in got
    )


def test_missing_required_pack_and_reserved_names(tmp_path: Path) -> None:
    text = "kind: Entity\nname: thing\nfields:\n  - {name: version, type: integer}\n"
    folder = write_pack(tmp_path, {"thing.yaml": text})
    (folder / "pack.yaml").write_text(PACK.replace("core", "hr"), encoding="utf-8")
    _, errors = load_catalog([folder])
    got = messages(errors)
    assert any("requires pack 'hr', which is not available" in m for m in got)
    assert any("'version' is a standard column every entity has" in m for m in got)


def test_lines_are_kept_for_nested_nodes() -> None:
    documents, errors = parse_documents("kind: Entity\nfields:\n  - name: a\n    type: b\n", "f.yaml")
    assert errors == []
    assert documents[0].line_of(("fields", 0, "type")) == 4
    assert documents[0].line_of(("fields", 0, "missing")) == 3


def test_yaml_is_read_with_the_safe_loader() -> None:
    _, errors = parse_documents("kind: !!python/object/apply:os.system ['echo hi']\n", "evil.yaml")
    assert errors and "invalid YAML" in errors[0].message


def test_content_hash_changes_with_the_definitions(tmp_path: Path) -> None:
    first, _ = load_with_builtins(write_pack(tmp_path, {"product.yaml": ENTITY}))
    second, _ = load_with_builtins(
        write_pack(tmp_path, {"product.yaml": ENTITY.replace("required: true", "required: false")})
    )
    assert first.select(["crm"]).content_hash() == second.select(["crm"]).content_hash()
    assert first.select(["shop"]).content_hash() != second.select(["shop"]).content_hash()
    assert set(first.select(["shop"]).packs) == {"shop", "crm", "core"}

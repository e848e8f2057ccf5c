"""How big definitions may be: refused by `formwork validate`, at their line, in seconds, before any tenant meets them."""

from __future__ import annotations

import time
from pathlib import Path

from click.testing import CliRunner

from formwork.cli import main
from formwork.definitions.checks import entity_width_problem
from formwork.definitions.loader import builtin_definitions, load_catalog, require_catalog
from formwork.meta.limits import (
    MAX_COLUMNS,
    MAX_DOCUMENT_CHARS,
    MAX_FIELDS,
    MAX_FILE_BYTES,
)
from formwork.tenancy.customizations import merge_overlays, read_overlays

PACK = "kind: Pack\nname: big\nversion: 1.0.0\nrequires: {core: '>=0.1.0'}\n"


def write_pack(root: Path, files: dict[str, str]) -> Path:
    folder = root / "big"
    folder.mkdir()
    for name, text in {"pack.yaml": PACK, **files}.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def entity(fields: int, name: str = "wide") -> str:
    return f"kind: Entity\nname: {name}\nfields:\n" + "".join(
        f"  - {{name: f{i}, type: string}}\n" for i in range(fields)
    )


def test_a_2002_field_entity_is_refused_by_validate_at_its_line_in_seconds(tmp_path: Path) -> None:
    folder = write_pack(tmp_path, {"wide.yaml": entity(2002)})
    started = time.monotonic()
    result = CliRunner().invoke(main, ["validate", str(folder)], catch_exceptions=False)
    elapsed = time.monotonic() - started
    assert result.exit_code == 1
    assert (
        f"{folder / 'wide.yaml'}:4 at fields: 2,002 fields make 2,008 columns with the 6 standard ones "
        "(id, created_at, created_by, updated_at, updated_by, version); a table may have at most 1,000 "
        "(PostgreSQL allows 1,600, SQLite 2,000)"
    ) in result.output
    assert elapsed < 5, f"validate took {elapsed:.1f}s"


def test_the_column_limit_counts_standard_columns_and_columns_fields_make() -> None:
    standard = 6
    assert entity_width_problem(["string"] * (MAX_COLUMNS - standard)) is None
    assert "1,001 columns" in entity_width_problem(["reference"] + ["string"] * (MAX_COLUMNS - standard))
    # a link table or a child table is no column of the entity's own, but the entity's fields are counted too
    assert entity_width_problem(["many_to_many"] * standard + ["string"] * (MAX_COLUMNS - standard)) is None
    assert "1,001 columns" in entity_width_problem(
        ["many_to_many"] * standard + ["string"] * (MAX_COLUMNS - standard + 1)
    )
    assert "an entity may have at most 1,000" in entity_width_problem(["child_table"] * (MAX_FIELDS + 1))


def test_fields_a_tenant_adds_past_the_limit_are_refused_in_their_extension(tmp_path: Path) -> None:
    folder = write_pack(tmp_path, {"wide.yaml": entity(MAX_COLUMNS - 6 - 5)})
    base = require_catalog([builtin_definitions(), folder]).select(["big"])
    fits = read_overlays(
        "kind: EntityExtension\nentity: big.wide\nfields:\n"
        + "".join(f"  - {{name: x_{i}, type: string}}\n" for i in range(5)),
        "fits.yaml",
    )
    assert merge_overlays(base, fits)[1] == []
    extension = read_overlays(
        "kind: EntityExtension\nentity: big.wide\nfields:\n"
        + "".join(f"  - {{name: x_{i}, type: string}}\n" for i in range(6)),
        "ext.yaml",
    )
    merged, errors = merge_overlays(base, extension)
    assert [str(e) for e in errors] == [
        (
            "ext.yaml:2 at entity: 995 fields make 1,001 columns with the 6 standard ones (id, created_at, created_by, "
            "updated_at, updated_by, version); a table may have at most 1,000 (PostgreSQL allows 1,600, SQLite 2,000): "
            "move fields to another entity that refers to this one"
        )
    ]
    assert merged.entities["big.wide"].field("x_0") is None


def test_a_file_past_the_limit_is_not_read(tmp_path: Path) -> None:
    huge = "# padding\n" * (MAX_FILE_BYTES // 10 + 1)
    folder = write_pack(tmp_path, {"huge.yaml": huge})
    started = time.monotonic()
    _, errors = load_catalog([builtin_definitions(), folder])
    assert time.monotonic() - started < 5
    assert [str(e) for e in errors] == [
        (
            f"{folder / 'huge.yaml'}:1: the file has {len(huge):,} bytes; "
            f"a definition file may have at most {MAX_FILE_BYTES:,}: split it into several files"
        )
    ]


def test_a_document_past_the_limit_is_not_built_and_the_others_are(tmp_path: Path) -> None:
    records = "".join(f"  - {{name: Department number {i:06d}}}\n" for i in range(MAX_DOCUMENT_CHARS // 36 + 1))
    seeds = (
        f"kind: Seed\nname: small\nentity: core.department\nrecords:\n  - {{name: Sales, colour: red}}\n---\n"
        f"kind: Seed\nname: many\nentity: core.department\nrecords:\n{records}"
    )
    assert MAX_DOCUMENT_CHARS < len(seeds) < MAX_FILE_BYTES
    folder = write_pack(tmp_path, {"seeds.yaml": seeds})
    _, errors = load_catalog([builtin_definitions(), folder])
    printed = [str(e).replace(f"{folder}/", "") for e in errors]
    assert printed[0] == "seeds.yaml:5 at records[0].colour: 'colour' is not a field of core.department"
    assert printed[1].startswith("seeds.yaml:7: the document has ")
    assert printed[1].endswith(
        f" characters; a document may have at most {MAX_DOCUMENT_CHARS:,}: split it (a seed "
        "into several seeds, an entity into entities that refer to each other)"
    )
    assert len(printed) == 2

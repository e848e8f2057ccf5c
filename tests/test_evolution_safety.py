"""Schema evolution never loses or touches what it should not: a rename onto a retired column's name, objects an
operator made by hand, and plans that say exactly what a type change keeps and loses. Every case compares all rows
and columns of the tables involved before and after."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.schema import CreateIndex

from conftest import PASSWORD, Platform, catalog_with_pack, migrate_to, plan_to
from formwork.compile.naming import is_formworks_index, retired_column_name
from formwork.meta.catalog import Catalog
from formwork.tenancy.provision import create_tenant
from formwork.tenancy.registry import find_tenant
from formwork.tenancy.storage import tenant_engine

PACK = "kind: Pack\nname: safe\nversion: {version}\nrequires: {{core: '>=0.1.0'}}\n"
TAG = """\
---
kind: Entity
name: tag
fields:
  - {name: label, type: string}
"""
Rows = list[dict[str, Any]]


def release(tmp_path: Path, version: str, entities: str) -> Catalog:
    """The built-in packs plus release `version` of pack `safe` with `entities`."""
    return catalog_with_pack(tmp_path / version / "safe", PACK.format(version=version) + entities)


def tenant_with(platform: Platform, slug: str, catalog: Catalog, rows: dict[str, Rows]) -> None:
    """A tenant on `catalog`'s pack `safe`, with `rows` written into its tables (audit columns filled)."""
    create_tenant(platform.settings, catalog, slug, slug, ["safe"], "admin", PASSWORD)
    for table, values in rows.items():
        columns = [*values[0], "created_at", "updated_at", "version"]
        stamped = [
            {**row, "created_at": "2024-01-02 03:04:05", "updated_at": "2024-01-02 03:04:05", "version": 1}
            for row in values
        ]
        execute(platform, slug, sa.insert(sa.table(table, *(sa.column(c) for c in columns))).values(stamped))


def execute(platform: Platform, slug: str, statement: Any) -> None:
    engine = tenant_engine(platform.settings, find_tenant(platform.settings.database_url, slug))
    with engine.begin() as conn:
        conn.execute(sa.text(statement) if isinstance(statement, str) else statement)


def everything(platform: Platform, slug: str, table: str) -> Rows:
    """Every row of `table` with every column, in id order."""
    engine = tenant_engine(platform.settings, find_tenant(platform.settings.database_url, slug))
    with engine.connect() as conn:
        return [dict(row._mapping) for row in conn.execute(sa.text(f"SELECT * FROM {table} ORDER BY id"))]


def inspect(platform: Platform, slug: str) -> sa.Inspector:
    engine = tenant_engine(platform.settings, find_tenant(platform.settings.database_url, slug))
    return sa.inspect(engine)


def moved(rows: Rows, names: dict[str, str], dropped: tuple[str, ...] = ()) -> Rows:
    """`rows` after their columns were renamed by `names` (old -> new) and `dropped` ones removed."""
    return [{names.get(k, k): v for k, v in row.items() if k not in dropped} for row in rows]


def without(rows: Rows, *columns: str) -> Rows:
    return [{k: v for k, v in row.items() if k not in columns} for row in rows]


# -- a rename onto the name of a retired column ---------------------------------------------------------

STALE = (
    TAG
    + """\
---
kind: Entity
name: item
fields:
  - {name: code, type: string, max_length: 20}
  - {name: f, type: string, max_length: 20, indexed: true}
  - {name: f_plain, type: string, max_length: 40}
  - {name: link, type: reference, target: tag}
  - {name: link_plain, type: reference, target: tag}
"""
)
RETIRED = STALE.replace("  - {name: f, type: string, max_length: 20, indexed: true}\n", "").replace(
    "  - {name: link, type: reference, target: tag}\n", ""
)
RENAMED = (
    TAG
    + """\
---
kind: Entity
name: item
fields:
  - {name: code, type: string, max_length: 20}
  - {name: f, type: string, max_length: 30, indexed: true, renamed_from: f_plain}
  - {name: link, type: reference, target: tag, renamed_from: link_plain}
"""
)
STALE_ROWS = {
    "safe_tag": [{"id": 1, "label": "red"}, {"id": 2, "label": "blue"}],
    "safe_item": [
        {"id": 1, "code": "A", "f": "old-a", "f_plain": "new-a", "link_id": 1, "link_plain_id": 2},
        {"id": 2, "code": "B", "f": "old-b", "f_plain": "new-b", "link_id": 2, "link_plain_id": 1},
        {"id": 3, "code": "C", "f": "old-c", "f_plain": None, "link_id": 1, "link_plain_id": None},
    ],
}


@pytest.mark.parametrize("retired_first", [True, False], ids=["retired-earlier", "in-one-step"])
def test_a_rename_onto_a_retired_columns_name_moves_the_retired_column_aside_and_keeps_both(
    platform: Platform, tmp_path: Path, retired_first: bool
) -> None:
    slug = f"stale-{'early' if retired_first else 'once'}"
    tenant_with(platform, slug, release(tmp_path, "1.0.0", STALE), STALE_ROWS)
    if retired_first:  # f and link are retired: columns, values and index kept, the link's foreign key dropped
        migrate_to(platform, slug, release(tmp_path, "1.1.0", RETIRED))
    before, tags = everything(platform, slug, "safe_item"), everything(platform, slug, "safe_tag")
    v2 = release(tmp_path, "2.0.0", RENAMED)

    planned = plan_to(platform, slug, v2)
    assert everything(platform, slug, "safe_item") == before  # planning changed nothing
    plan = migrate_to(platform, slug, v2)
    assert plan.describe() == planned.describe()
    assert sorted(plan.describe()) == sorted(
        [
            "move retired column safe item.f aside as f__retired (its 3 stored value(s) kept)",
            "rename field safe item.f_plain to f (data kept)",
            "shorten safe item.f from text of 40 characters to text of 30 characters; every stored value fits",
            "add index ix_safe_item_f on safe_item",
            "move retired column safe item.link_id aside as link_id__retired (its 3 stored value(s) kept)",
            "rename field safe item.link_plain to link (data kept)",
            "add index ix_safe_item_link_id on safe_item",
            "remove index ix_safe_item_link_plain_id from safe_item",
            *(
                []
                if retired_first
                else ["no longer enforce the link of retired safe item.link_id__retired to safe tag"]
            ),
        ]
    )
    unlinked = "" if retired_first else " (its link to safe tag is no longer enforced)"
    assert sorted(plan.retired) == [
        (
            "retired: safe item.f__retired is no longer defined; its column and 3 stored value(s) are kept "
            "(`formwork migrate --drop-retired` drops them)"
        ),
        (
            "retired: safe item.link_id__retired is no longer defined; its column and 3 stored value(s) are kept "
            f"(`formwork migrate --drop-retired` drops them){unlinked}"
        ),
    ]
    assert not plan.refused and not plan.kept

    renames = {"f": "f__retired", "f_plain": "f", "link_id": "link_id__retired", "link_plain_id": "link_id"}
    assert everything(platform, slug, "safe_item") == moved(before, renames)
    assert everything(platform, slug, "safe_tag") == tags
    inspector = inspect(platform, slug)
    assert sorted((i["name"], i["column_names"]) for i in inspector.get_indexes("safe_item")) == [
        ("ix_safe_item_created_at", ["created_at"]),
        ("ix_safe_item_f", ["f"]),
        ("ix_safe_item_f__retired", ["f__retired"]),
        ("ix_safe_item_link_id", ["link_id"]),
        ("ix_safe_item_link_id__retired", ["link_id__retired"]),
    ]
    assert [(fk["constrained_columns"], fk["referred_table"]) for fk in inspector.get_foreign_keys("safe_item")] == [
        (["link_id"], "safe_tag")
    ]
    with pytest.raises(sa.exc.IntegrityError):  # the renamed reference is still enforced
        execute(
            platform,
            slug,
            "INSERT INTO safe_item (code, link_id, created_at, updated_at, version) "
            "VALUES ('X', 999, '2024-01-01', '2024-01-01', 1)",
        )

    after = everything(platform, slug, "safe_item")
    dropped = migrate_to(platform, slug, v2, drop_retired=True)
    assert sorted(dropped.describe()) == [
        "drop retired field safe item.f__retired and its 3 stored value(s)",
        "drop retired field safe item.link_id__retired and its 3 stored value(s)",
    ]
    assert everything(platform, slug, "safe_item") == without(after, "f__retired", "link_id__retired")
    assert everything(platform, slug, "safe_tag") == tags


def test_a_second_retired_column_of_the_same_name_is_moved_aside_under_the_next_free_name(
    platform: Platform, tmp_path: Path
) -> None:
    item = "---\nkind: Entity\nname: item\nfields:\n  - {name: code, type: string}\n"
    tenant_with(
        platform,
        "stale-twice",
        release(tmp_path, "1.0.0", item + "  - {name: f, type: string}\n  - {name: g, type: string}\n"),
        {"safe_item": [{"id": 1, "code": "A", "f": "f-1", "g": "g-1"}]},
    )
    migrate_to(
        platform,
        "stale-twice",
        release(
            tmp_path, "2.0.0", item + "  - {name: f, type: string, renamed_from: g}\n  - {name: h, type: string}\n"
        ),
    )
    before = everything(platform, "stale-twice", "safe_item")
    plan = migrate_to(
        platform, "stale-twice", release(tmp_path, "3.0.0", item + "  - {name: f, type: string, renamed_from: h}\n")
    )
    assert plan.describe()[:2] == [
        "move retired column safe item.f aside as f__retired_2 (its 1 stored value(s) kept)",
        "rename field safe item.h to f (data kept)",
    ]
    assert everything(platform, "stale-twice", "safe_item") == moved(before, {"f": "f__retired_2", "h": "f"})
    assert before[0]["f__retired"] == "f-1" and before[0]["f"] == "g-1"


# -- what an operator made by hand ----------------------------------------------------------------------

ITEM = """\
---
kind: Entity
name: item
fields:
  - {name: code, type: string, max_length: 20, indexed: true}
  - {name: note, type: string}
  - {name: qty, type: integer}
"""
ITEM_ROWS = {
    "safe_item": [
        {"id": 1, "code": "A-1", "note": "one", "qty": 3},
        {"id": 2, "code": "B-2", "note": "two", "qty": None},
        {"id": 3, "code": "C-3", "note": None, "qty": 7},
    ]
}
HAND_INDEX = "kept: index dba_perf on safe_item was not created by Formwork; it is left as it is"
HAND_UNIQUE = "kept: unique constraint dba_code_once on safe_item was not created by Formwork; it is left as it is"


def test_an_index_an_operator_made_survives_migrate_and_drop_retired_and_is_reported(
    platform: Platform, tmp_path: Path
) -> None:
    tenant_with(platform, "dba-co", release(tmp_path, "1.0.0", ITEM), ITEM_ROWS)
    execute(platform, "dba-co", "CREATE INDEX dba_perf ON safe_item (qty, code)")
    hand_made = [HAND_INDEX]
    if platform.backend == "postgres":  # SQLite adds constraints only with the table
        execute(platform, "dba-co", "ALTER TABLE safe_item ADD CONSTRAINT dba_code_once UNIQUE (code)")
        hand_made.append(HAND_UNIQUE)
    before = everything(platform, "dba-co", "safe_item")
    # a longer code makes SQLite copy the table; a field no longer defined is retired
    v2 = release(
        tmp_path,
        "2.0.0",
        ITEM.replace("max_length: 20", "max_length: 40").replace("  - {name: note, type: string}\n", ""),
    )

    plan = migrate_to(platform, "dba-co", v2)
    assert plan.describe() == ["widen safe item.code from text of 20 characters to text of 40 characters"]
    assert sorted(plan.kept) == sorted(hand_made) and not plan.refused
    assert everything(platform, "dba-co", "safe_item") == before
    indexes = {i["name"]: i["column_names"] for i in inspect(platform, "dba-co").get_indexes("safe_item")}
    assert indexes["dba_perf"] == ["qty", "code"] and indexes["ix_safe_item_code"] == ["code"]

    dropped = migrate_to(platform, "dba-co", v2, drop_retired=True)
    assert dropped.describe() == ["drop retired field safe item.note and its 2 stored value(s)"]
    assert sorted(dropped.kept) == sorted(hand_made)
    assert everything(platform, "dba-co", "safe_item") == without(before, "note")
    inspector = inspect(platform, "dba-co")
    assert {i["name"]: i["column_names"] for i in inspector.get_indexes("safe_item")}["dba_perf"] == ["qty", "code"]
    if platform.backend == "postgres":
        assert [c["name"] for c in inspector.get_unique_constraints("safe_item")] == ["dba_code_once"]


def test_drop_retired_is_refused_while_an_index_an_operator_made_uses_the_retired_column(
    platform: Platform, tmp_path: Path
) -> None:
    tenant_with(platform, "dba-note", release(tmp_path, "1.0.0", ITEM), ITEM_ROWS)
    execute(platform, "dba-note", "CREATE INDEX dba_note ON safe_item (note)")
    v2 = release(tmp_path, "2.0.0", ITEM.replace("  - {name: note, type: string}\n", ""))
    kept = ["kept: index dba_note on safe_item was not created by Formwork; it is left as it is"]
    assert migrate_to(platform, "dba-note", v2).kept == kept
    before = everything(platform, "dba-note", "safe_item")

    plan = plan_to(platform, "dba-note", v2, drop_retired=True)
    assert plan.refused == [
        (
            "refused: drop retired field safe item.note: Formwork did not create index dba_note on "
            "safe_item, which would go with it; remove that by hand first, or leave the field retired"
        )
    ]
    assert plan.kept == kept
    assert everything(platform, "dba-note", "safe_item") == before
    assert "dba_note" in {i["name"] for i in inspect(platform, "dba-note").get_indexes("safe_item")}


def test_a_table_an_operator_made_survives_drop_retired_while_a_retired_entitys_table_goes(
    platform: Platform, tmp_path: Path
) -> None:
    part = "---\nkind: Entity\nname: part\nfields:\n  - {name: label, type: string}\n"
    tenant_with(
        platform,
        "tables-co",
        release(tmp_path, "1.0.0", ITEM + part),
        {**ITEM_ROWS, "safe_part": [{"id": 1, "label": "bolt"}, {"id": 2, "label": "nut"}]},
    )
    for table in ("dba_notes", "crm_leftover"):  # crm is not one of the tenant's packs
        execute(platform, "tables-co", f"CREATE TABLE {table} (id INTEGER PRIMARY KEY, body VARCHAR(40))")
        execute(platform, "tables-co", f"INSERT INTO {table} (id, body) VALUES (1, 'keep me'), (2, 'me too')")
    notes, leftover = everything(platform, "tables-co", "dba_notes"), everything(platform, "tables-co", "crm_leftover")
    items = everything(platform, "tables-co", "safe_item")
    v2 = release(tmp_path, "2.0.0", ITEM)
    kept = [
        "kept: table crm_leftover was not created by Formwork; it is left as it is",
        "kept: table dba_notes was not created by Formwork; it is left as it is",
    ]

    plan = migrate_to(platform, "tables-co", v2)
    assert plan.retired == [
        (
            "retired: table safe_part belongs to no entity any more; it and its 2 record(s) are kept "
            "(`formwork migrate --drop-retired` drops it)"
        )
    ]
    assert sorted(plan.kept) == kept
    dropped = migrate_to(platform, "tables-co", v2, drop_retired=True)
    assert dropped.describe() == ["drop retired table safe_part and its 2 record(s)"]
    assert sorted(dropped.kept) == kept
    assert not inspect(platform, "tables-co").has_table("safe_part")
    assert everything(platform, "tables-co", "dba_notes") == notes
    assert everything(platform, "tables-co", "crm_leftover") == leftover
    assert everything(platform, "tables-co", "safe_item") == items


# -- what a type change keeps and loses, in words -------------------------------------------------------

NUMBERS = """\
---
kind: Entity
name: item
fields:
  - {name: code, type: string, max_length: 20}
  - {name: note, type: text}
  - {name: qty, type: integer}
  - {name: price, type: decimal, precision: 2}
  - {name: amount, type: decimal, precision: 4}
  - {name: size, type: decimal, precision: 1}
"""
LONG = "x" * 60
NUMBER_ROWS = {
    "safe_item": [
        {"id": 1, "code": "A-1", "note": LONG, "qty": 3, "price": 1.25, "amount": 1.2345, "size": 2.5},
        {"id": 2, "code": "B-2", "note": "short", "qty": None, "price": 10, "amount": 2.5, "size": 3000000000},
        {"id": 3, "code": "C-3", "note": LONG + "y", "qty": 7, "price": None, "amount": 3.125, "size": 7},
    ]
}
CHANGED = (
    NUMBERS.replace("max_length: 20", "max_length: 200")
    .replace("{name: note, type: text}", "{name: note, type: string, max_length: 50}")
    .replace("{name: qty, type: integer}", "{name: qty, type: decimal, precision: 2}")
    .replace("{name: price, type: decimal, precision: 2}", "{name: price, type: decimal, precision: 4}")
    .replace("{name: amount, type: decimal, precision: 4}", "{name: amount, type: decimal, precision: 2}")
    .replace("{name: size, type: decimal, precision: 1}", "{name: size, type: integer}")
)
FIX = "give `backfill:` in the definition or change those values first"


def test_plans_say_which_way_a_type_changes_and_what_values_it_would_lose(platform: Platform, tmp_path: Path) -> None:
    tenant_with(platform, "words-co", release(tmp_path, "1.0.0", NUMBERS), NUMBER_ROWS)
    before = everything(platform, "words-co", "safe_item")

    plan = plan_to(platform, "words-co", release(tmp_path, "2.0.0", CHANGED))
    assert sorted(plan.describe()) == [
        (
            "change safe item.price from decimal with 2 decimals (up to 16 digits before the point) to decimal with "
            "4 decimals (up to 14 digits before the point); every stored value fits"
        ),
        "widen safe item.code from text of 20 characters to text of 200 characters",
        "widen safe item.qty from whole number to decimal with 2 decimals",
    ]
    assert sorted(plan.refused) == [
        (
            "refused: change safe item.amount from decimal with 4 decimals (up to 14 digits before the point) to decimal "
            "with 2 decimals (up to 16 digits before the point): 2 stored value(s) have more than 2 decimals and would "
            f"be rounded; {FIX}"
        ),
        (
            "refused: reduce safe item.size from decimal with 1 decimal (up to 17 digits before the point) to whole "
            "number: 1 stored value(s) are too large for a whole number, 1 stored value(s) are not whole numbers and "
            f"would be rounded; {FIX}"
        ),
        (
            "refused: shorten safe item.note from text to text of 50 characters: 2 stored value(s) are longer than 50 "
            f"characters and would be cut; {FIX}"
        ),
    ]
    assert everything(platform, "words-co", "safe_item") == before

    fitting = (
        CHANGED.replace("{name: note, type: string, max_length: 50}", "{name: note, type: text}")
        .replace("{name: amount, type: decimal, precision: 2}", "{name: amount, type: decimal, precision: 4}")
        .replace("{name: size, type: integer}", "{name: size, type: decimal, precision: 1}")
    )
    applied = migrate_to(platform, "words-co", release(tmp_path, "3.0.0", fitting))
    assert sorted(applied.describe()) == sorted(plan.describe())
    assert everything(platform, "words-co", "safe_item") == before  # the same values, in wider or finer columns


def test_formworks_names_fit_postgresql_and_are_recognised_when_postgresql_shortened_them() -> None:
    long = "a_field_name_long_enough_to_push_names_past_the_limit_of_postgres"[:48]
    moved = retired_column_name(long + "_id", {long + "_id__retired"})
    assert moved.endswith("__retired_2") and len(moved.encode()) <= 63
    assert retired_column_name("f", set()) == "f__retired"

    table = sa.Table("safe_a_rather_long_entity_name", sa.MetaData(), sa.Column(long, sa.Integer, index=True))
    created = str(CreateIndex(next(iter(table.indexes))).compile(dialect=postgresql.dialect()))
    stored = created.split()[2]  # CREATE INDEX <name> ON …
    assert len(stored) <= 63 and is_formworks_index(table.name, stored, [long])
    assert not is_formworks_index(table.name, "dba_perf", [long])

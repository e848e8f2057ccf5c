"""Choice values in schema evolution, with real rows: a value removed from `choices` is refused with the records that
hold it, mapped with `map_choices:`, or kept as a `retired: true` choice that no save blanks and no record newly takes."""

from __future__ import annotations

import html
import io
import textwrap
from html.parser import HTMLParser
from pathlib import Path

import pytest
import sqlalchemy as sa
from werkzeug.datastructures import MultiDict
from werkzeug.test import Client

from conftest import PASSWORD, Platform, jwt, login, migrate_to, plan_to
from formwork import create_app
from formwork.compile.models import models_for
from formwork.definitions.loader import builtin_definitions, require_catalog
from formwork.meta.catalog import Catalog
from formwork.schema.plan import plan_schema_changes
from formwork.tenancy.apps import build_tenant_app
from formwork.tenancy.errors import TenantError
from formwork.tenancy.provision import create_tenant
from formwork.tenancy.registry import Tenant, find_tenant
from formwork.tenancy.storage import tenant_engine

PACK = "kind: Pack\nname: cho\nversion: {version}\nrequires: {{core: '>=0.1.0'}}\n"
V1 = """\
kind: Entity
name: deal
title_field: title
fields:
  - {name: title, type: string}
  - {name: note, type: string}
  - name: stage
    type: choice
    choices: [{value: open, label: Open}, {value: won, label: {en: Won, zh: 赢单}, color: green}, {value: lost, label: Lost}]
  - name: tags
    type: multi_choice
    choices: [{value: hot}, {value: cold}, {value: vip}, {value: 重要}]
"""
DEALS = [
    {"title": "A", "note": "a", "stage": "won", "tags": ["hot", "cold"]},
    {"title": "B", "note": "b", "stage": "won", "tags": ["cold"]},
    {"title": "C", "note": "c", "stage": "lost", "tags": ["vip", "重要"]},
    {"title": "D", "note": "d", "stage": "open", "tags": None},
]
REMOVED = V1.replace(
    ", {value: won, label: {en: Won, zh: 赢单}, color: green}, {value: lost, label: Lost}", ""
).replace("{value: cold}, {value: vip}, {value: 重要}", "{value: vip}")
MAPPED = V1.replace(
    """\
    choices: [{value: open, label: Open}, {value: won, label: {en: Won, zh: 赢单}, color: green}, {value: lost, label: Lost}]
""",
    """\
    choices: [{value: open, label: Open}, {value: closed_won}, {value: closed_lost}]
    map_choices: {won: closed_won, lost: closed_lost}
""",
).replace(
    """\
    choices: [{value: hot}, {value: cold}, {value: vip}, {value: 重要}]
""",
    """\
    choices: [{value: hot}, {value: vip}]
    map_choices: {cold: hot, 重要: vip}
""",
)
RETIRED = V1.replace("color: green}", "color: green, retired: true}").replace(
    "{value: cold}", "{value: cold, retired: true}"
)


def pack(tmp_path: Path, version: str, entities: str) -> Catalog:
    """The built-in packs and release `version` of pack cho, whose entities are `entities`."""
    folder = tmp_path / version / "cho"
    folder.mkdir(parents=True)
    (folder / "pack.yaml").write_text(PACK.format(version=version))
    (folder / "deal.yaml").write_text(textwrap.dedent(entities))
    return require_catalog([builtin_definitions(), folder])


def with_deals(platform: Platform, tmp_path: Path, slug: str) -> tuple[Tenant, Catalog]:
    """A tenant on V1 holding DEALS."""
    v1 = pack(tmp_path, "1.0.0", V1)
    tenant = create_tenant(platform.settings, v1, slug, slug, ["cho"], "admin", PASSWORD)
    runtime = build_tenant_app(platform.settings, tenant, v1).extensions["formwork"]
    session = runtime.session()
    session.add_all([runtime.compiled.model("cho.deal")(**values) for values in DEALS])
    session.commit()
    runtime.session.remove()
    return find_tenant(platform.settings.database_url, slug), v1


def table(platform: Platform, tenant: Tenant, leaving_out: tuple[str, ...] = ()) -> list[dict]:
    """Every row and column of the deals as stored (but the columns `leaving_out`)."""
    with tenant_engine(platform.settings, tenant).connect() as conn:
        rows = conn.execute(sa.text("SELECT * FROM cho_deal ORDER BY id")).mappings()
        return [{name: value for name, value in row.items() if name not in leaving_out} for row in rows]


def deals(platform: Platform, tenant: Tenant) -> list[tuple]:
    """(title, note, stage, tags) of each deal, tags read as JSON."""
    deal = sa.table(
        "cho_deal",
        sa.column("id"),
        sa.column("title"),
        sa.column("note"),
        sa.column("stage"),
        sa.column("tags", sa.JSON()),
    )
    with tenant_engine(platform.settings, tenant).connect() as conn:
        return [
            tuple(row)
            for row in conn.execute(sa.select(deal.c.title, deal.c.note, deal.c.stage, deal.c.tags).order_by(deal.c.id))
        ]


def ids(platform: Platform, tenant: Tenant) -> dict[str, int]:
    with tenant_engine(platform.settings, tenant).connect() as conn:
        return dict(conn.execute(sa.text("SELECT title, id FROM cho_deal")).all())


NOT_OFFERED = (
    "refused: cho deal.stage no longer offers 'won' (2 records) and 'lost' (1 record); map them with "
    "`map_choices:` or keep them as `retired: true` choices"
)
COLD_NOT_OFFERED = (
    "refused: cho deal.tags no longer offers 'cold' (2 records) and '重要' (1 record); map them with "
    "`map_choices:` or keep them as `retired: true` choices"
)


def test_removed_values_are_named_with_their_records_and_the_change_changes_nothing(
    platform: Platform, tmp_path: Path
) -> None:
    tenant, _ = with_deals(platform, tmp_path, "removed-co")
    removed = pack(tmp_path, "1.1.0", REMOVED + "  - {name: extra, type: integer}\n")
    before = table(platform, tenant)

    assert sorted(plan_to(platform, "removed-co", removed).refused) == [NOT_OFFERED, COLD_NOT_OFFERED]
    for _ in range(2):  # refused every time, until the definition says what to do
        with pytest.raises(TenantError, match="cho deal.stage no longer offers 'won' \\(2 records\\) and 'lost'"):
            migrate_to(platform, "removed-co", removed)
        assert table(platform, tenant) == before  # not even the new column


def test_map_choices_rewrites_the_stored_values_and_nothing_else(platform: Platform, tmp_path: Path) -> None:
    tenant, _ = with_deals(platform, tmp_path, "mapped-co")
    mapped = pack(tmp_path, "1.1.0", MAPPED)
    before = table(platform, tenant)

    plan = migrate_to(platform, "mapped-co", mapped)
    assert set(plan.describe()) == {
        "map stored values of cho deal.stage: won → closed_won (2 records), lost → closed_lost (1 record)",
        "map stored values of cho deal.tags: cold → hot (2 records), 重要 → vip (1 record)",
    }
    assert deals(platform, tenant) == [
        ("A", "a", "closed_won", ["hot"]),
        ("B", "b", "closed_won", ["hot"]),
        ("C", "c", "closed_lost", ["vip"]),
        ("D", "d", "open", None),
    ]
    assert table(platform, tenant, leaving_out=("stage", "tags")) == [
        {name: value for name, value in row.items() if name not in ("stage", "tags")} for row in before
    ]
    assert migrate_to(platform, "mapped-co", mapped) is None  # applied once: the definitions hash is recorded


def test_a_field_renamed_in_the_same_release_is_read_by_its_old_name_and_mapped_under_its_new_one(
    platform: Platform, tmp_path: Path
) -> None:
    tenant, _ = with_deals(platform, tmp_path, "renamed-co")
    renamed = pack(tmp_path, "1.1.0", MAPPED.replace("  - name: stage\n", "  - name: phase\n    renamed_from: stage\n"))

    plan = migrate_to(platform, "renamed-co", renamed)
    assert (
        "map stored values of cho deal.phase: won → closed_won (2 records), lost → closed_lost (1 record)"
        in plan.describe()
    )
    with tenant_engine(platform.settings, tenant).connect() as conn:
        assert conn.execute(sa.text("SELECT phase FROM cho_deal ORDER BY id")).scalars().all() == [
            "closed_won",
            "closed_won",
            "closed_lost",
            "open",
        ]


def test_with_the_former_definitions_only_fields_that_lost_values_are_read(platform: Platform, tmp_path: Path) -> None:
    tenant, v1 = with_deals(platform, tmp_path, "previous-co")
    with tenant_engine(platform.settings, tenant).begin() as conn:
        conn.execute(sa.text("UPDATE cho_deal SET stage = 'typo' WHERE title = 'D'"))  # a value no definition had
    removed = pack(tmp_path, "1.1.0", REMOVED).select(["cho"])
    former = {entity.table: entity for entity in v1.select(["cho"]).entities.values()}

    def refused(previous: dict | None, catalog: Catalog) -> list[str]:
        with tenant_engine(platform.settings, tenant).connect() as conn:
            return sorted(
                plan_schema_changes(
                    conn, models_for(catalog).metadata, catalog.entities.values(), previous=previous
                ).refused
            )

    same = v1.select(["cho"])
    assert refused(None, same) == [
        (
            "refused: cho deal.stage no longer offers 'typo' (1 record); map them with "
            "`map_choices:` or keep them as `retired: true` choices"
        )
    ]
    assert refused(former, same) == []  # nothing lost since: not read
    assert refused(former, removed) == [
        (
            "refused: cho deal.stage no longer offers 'won' (2 records), 'lost' (1 record) and 'typo' (1 record); map "
            "them with `map_choices:` or keep them as `retired: true` choices"
        ),
        COLD_NOT_OFFERED,
    ]


def edit_form(page: str) -> dict[str, list[str]]:
    """What a browser posts for the page's form left as it is: a select with no option selected sends its first."""
    parser = FormReader()
    parser.feed(page)
    return parser.posted


class FormReader(HTMLParser):
    """The values of a page's inputs and selects, as a browser would submit them."""

    def __init__(self) -> None:
        super().__init__()
        self.posted: dict[str, list[str]] = {}
        self.select: tuple[str, bool, list[str], list[str]] | None = None  # name, multiple, options, selected

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "input" and found.get("name") and found.get("type") not in ("checkbox", "radio", "submit", "file"):
            self.posted.setdefault(found["name"], []).append(found.get("value") or "")
        elif tag == "select" and found.get("name"):
            self.select = (found["name"], "multiple" in found, [], [])
        elif tag == "option" and self.select is not None:
            self.select[2].append(found.get("value") or "")
            if "selected" in found:
                self.select[3].append(found.get("value") or "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "select" and self.select is not None:
            name, multiple, options, selected = self.select
            self.posted[name] = selected if multiple or selected else options[:1]
            self.select = None


def save(client: Client, slug: str, pk: int, **changes: str | list[str]):
    """Open the edit page, change what is given, post the rest as the browser shows it."""
    data = edit_form(client.get(f"/t/{slug}/cho_deal/edit/{pk}").text) | {
        name: value if isinstance(value, list) else [value] for name, value in changes.items()
    }
    return client.post(
        f"/t/{slug}/cho_deal/edit/{pk}",
        data=MultiDict([(k, v) for k, vs in data.items() for v in vs]),
        follow_redirects=True,
    )


def test_a_retired_choice_is_shown_kept_by_every_save_and_never_newly_taken(platform: Platform, tmp_path: Path) -> None:
    tenant, _ = with_deals(platform, tmp_path, "retired-co")
    retired = pack(tmp_path, "1.1.0", RETIRED)
    plan = migrate_to(platform, "retired-co", retired)
    assert not any("cho deal" in text for text in plan.describe())  # nothing to rewrite, nothing refused
    pk = ids(platform, tenant)
    client = Client(create_app(platform.settings, retired))
    login(client, "retired-co")

    listed = client.get("/t/retired-co/cho_deal/list/").text
    assert listed.count('<span class="label fw-badge fw-green">Won</span>') == 2
    shown = client.get(f"/t/retired-co/cho_deal/show/{pk['A']}").text
    assert '<span class="label fw-badge fw-green">Won</span>' in shown
    form = client.get(f"/t/retired-co/cho_deal/edit/{pk['A']}").text
    assert edit_form(form)["stage"] == ["won"] and edit_form(form)["tags"] == ["hot", "cold"]
    assert ">Won (retired)</option>" in form and ">cold (retired)</option>" in form
    assert "赢单（已停用）" in client.get(f"/t/retired-co/cho_deal/edit/{pk['A']}", query_string={"_l_": "zh"}).text
    new = client.get("/t/retired-co/cho_deal/add").text
    assert 'value="won"' not in new and 'value="cold"' not in new and 'value="lost"' in new

    save(client, "retired-co", pk["A"], note="a, edited")
    assert deals(platform, tenant)[0] == ("A", "a, edited", "won", ["hot", "cold"])
    refused = html.unescape(save(client, "retired-co", pk["D"], stage="won", tags=["cold"]).text)
    assert (
        '"Won" is retired; choose another value.' in refused and '"cold" is retired; choose another value.' in refused
    )
    assert deals(platform, tenant)[3] == ("D", "d", "open", None)


def test_the_api_keeps_a_retired_choice_and_refuses_it_as_a_new_value(platform: Platform, tmp_path: Path) -> None:
    tenant, _ = with_deals(platform, tmp_path, "retired-api")
    retired = pack(tmp_path, "1.1.0", RETIRED)
    migrate_to(platform, "retired-api", retired)
    pk = ids(platform, tenant)
    client = Client(create_app(platform.settings, retired))
    auth = jwt(client, "retired-api")
    api = "/t/retired-api/api/v1/cho_deal"

    assert client.put(f"{api}/{pk['A']}", json={"note": "a2"}, headers=auth).status_code == 200
    sent_back = client.put(
        f"{api}/{pk['B']}", json={"note": "b2", "stage": "won", "tags": ["cold", "hot"]}, headers=auth
    )
    assert sent_back.status_code == 200, sent_back.text
    changed = client.put(f"{api}/{pk['D']}", json={"note": "d2", "stage": "won", "tags": ["cold"]}, headers=auth)
    assert changed.status_code == 400
    assert changed.json["message"] == {
        "stage": ['"Won" is retired; choose another value.'],
        "tags": ['"cold" is retired; choose another value.'],
    }
    in_chinese = client.put(f"{api}/{pk['D']}", json={"stage": "won"}, headers={**auth, "Accept-Language": "zh"})
    assert in_chinese.json["message"] == {"stage": ["“赢单”已停用，请选择其他值。"]}
    created = client.post(f"{api}/", json={"title": "E", "stage": "won"}, headers=auth)
    assert created.status_code == 400 and created.json["message"] == {
        "stage": ['"Won" is retired; choose another value.']
    }
    unknown = client.put(f"{api}/{pk['D']}", json={"stage": "pending"}, headers=auth)
    assert unknown.json["message"] == {"stage": ["Must be one of: open, lost."]}  # retired values are not offered
    assert deals(platform, tenant) == [
        ("A", "a2", "won", ["hot", "cold"]),
        ("B", "b2", "won", ["cold", "hot"]),
        ("C", "c", "lost", ["vip", "重要"]),
        ("D", "d", "open", None),
    ]


def test_an_import_keeps_a_retired_choice_and_refuses_it_as_a_new_value(platform: Platform, tmp_path: Path) -> None:
    tenant, _ = with_deals(platform, tmp_path, "retired-import")
    retired = pack(tmp_path, "1.1.0", RETIRED)
    migrate_to(platform, "retired-import", retired)
    pk = ids(platform, tenant)
    client = Client(create_app(platform.settings, retired))
    auth = jwt(client, "retired-import")

    def upload(text: str):
        return client.post(
            "/t/retired-import/api/v1/cho_deal/import?match_on=id",
            data={"file": (io.BytesIO(text.encode()), "deals.csv")},
            headers=auth,
        )

    refused = upload(f"id,note,stage\n{pk['A']},kept,Won\n{pk['D']},taken,Won\n,new,won\n")
    assert refused.status_code == 400
    assert [(e["row"], e["column"], e["message"]) for e in refused.json["errors"]] == [
        (3, "stage", '"Won" is retired; choose another value.'),
        (4, "stage", '"Won" is retired; choose another value.'),
    ]
    assert upload(f'id,note,stage,tags\n{pk["A"]},kept,Won,"hot, cold"\n').status_code == 200
    assert deals(platform, tenant)[0] == ("A", "kept", "won", ["hot", "cold"])
    assert deals(platform, tenant)[3] == ("D", "d", "open", None)


ORDERS = """\
kind: Entity
name: order
title_field: title
fields:
  - {name: title, type: string}
  - {name: lines, type: child_table, target: line}
---
kind: Entity
name: line
fields:
  - {name: order, type: reference, target: order}
  - {name: what, type: string}
  - name: kind
    type: choice
    required: true
    choices: [{value: a, label: Alpha}, {value: b, label: Beta, retired: true}]
"""


def test_child_table_rows_keep_a_retired_choice_and_refuse_it_in_a_new_row(platform: Platform, tmp_path: Path) -> None:
    orders = pack(tmp_path, "1.0.0", ORDERS)
    tenant = create_tenant(platform.settings, orders, "rows-co", "rows-co", ["cho"], "admin", PASSWORD)
    runtime = build_tenant_app(platform.settings, tenant, orders).extensions["formwork"]
    session = runtime.session()
    order = runtime.compiled.model("cho.order")(title="O")
    session.add(runtime.compiled.model("cho.line")(order=order, what="x", kind="b"))  # held from before it was retired
    session.commit()
    pk = order.id
    runtime.session.remove()
    client = Client(create_app(platform.settings, orders))
    login(client, "rows-co")

    def lines() -> list[tuple]:
        with tenant_engine(platform.settings, tenant).connect() as conn:
            return [
                tuple(row)
                for row in conn.execute(
                    sa.text(
                        "SELECT o.title, l.what, l.kind FROM cho_line l JOIN cho_order o ON o.id = l.order_id ORDER BY l.id"
                    )
                )
            ]

    posted = edit_form(client.get(f"/t/rows-co/cho_order/edit/{pk}").text) | {"title": ["O2"]}
    client.post(f"/t/rows-co/cho_order/edit/{pk}", data=MultiDict([(k, v) for k, vs in posted.items() for v in vs]))
    assert lines() == [("O2", "x", "b")]  # saved, and the row kept its retired value
    auth = jwt(client, "rows-co")
    row = client.get(f"/t/rows-co/api/v1/cho_order/{pk}", headers=auth).json["result"]["lines"][0]
    refused = client.put(
        f"/t/rows-co/api/v1/cho_order/{pk}",
        headers=auth,
        json={"lines": [{"id": row["id"], "kind": "b"}, {"what": "y", "kind": "b"}]},
    )
    assert refused.status_code == 400
    assert refused.json["message"] == {"lines": ['Row 2, Kind: "Beta" is retired; choose another value.']}
    assert lines() == [("O2", "x", "b")]

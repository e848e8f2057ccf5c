"""Structured filters: real queries on SQLite (and PostgreSQL when FORMWORK_TEST_POSTGRES_URL is set), and check messages."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa
import yaml
from flask_appbuilder.security.sqla.models import User
from jsonschema import Draft202012Validator

from conftest import BACKENDS, _postgres_database, _psycopg_url
from formwork.compile.models import CompiledModels, compile_models
from formwork.filters import (
    FILTER_DOCUMENT,
    FILTER_SCHEMA,
    OPERATORS,
    FilterContext,
    FilterError,
    check_filter,
    compile_filter,
    operators_for,
)
from formwork.filters.dates import day_count, period
from formwork.i18n import Label
from formwork.meta.catalog import Catalog
from formwork.meta.model import EntityDef, FieldDef
from formwork.meta.yamlload import Document

TODAY = date(2024, 5, 15)  # a Wednesday
ALICE, BOB, CAROL = 1, 2, 3
SALES, SUPPORT = 1, 2
CTX = FilterContext(today=TODAY, user_id=10, employee_id=ALICE, department_id=SALES)

OPPORTUNITIES = [
    # id, name, stage, amount, probability, close_date, owner, notes, created_at (naive UTC), created_by, tags
    (
        1,
        "Big deal",
        "proposal",
        "50000",
        60,
        date(2024, 5, 20),
        ALICE,
        "call back",
        datetime(2024, 5, 15, 1, 0),
        10,
        ["strategic", "urgent"],
    ),
    (2, "Small deal", "prospecting", "500", 10, date(2024, 5, 2), BOB, None, datetime(2024, 5, 14, 17, 0), 11, []),
    (3, "Won deal", "won", "20000", 100, date(2024, 4, 20), ALICE, "", datetime(2024, 5, 14, 15, 59), 10, ["renewal"]),
    (4, "Lost test deal", "lost", None, 0, None, None, None, datetime(2024, 1, 1, 12, 0), 11, None),
    (
        5,
        "100% sure",
        "negotiation",
        "10000",
        90,
        date(2024, 6, 10),
        CAROL,
        "ABC corp",
        datetime(2024, 5, 10, 9, 0),
        11,
        ["partner", "strategic"],
    ),
    (6, "100 units", "qualification", "9999.99", 50, TODAY, ALICE, "abc", datetime(2024, 5, 13, 0, 0), 10, None),
    (
        7,
        "Test_run",
        "prospecting",
        "0",
        None,
        date(2023, 12, 31),
        None,
        None,
        datetime(2023, 12, 31, 23, 0),
        None,
        ["urgent"],
    ),
]
MEETINGS = [
    # id, subject, starts_at (naive UTC), room, organizer (a user id), attendees
    (1, "Kickoff", datetime(2024, 5, 15, 2, 0), "lotus", 10, [ALICE, BOB]),
    (2, "Review", datetime(2024, 5, 16, 8, 0), "online", None, [CAROL]),
    (3, "Solo", datetime(2024, 5, 20, 9, 0), None, None, []),
]


@pytest.fixture(scope="module")
def compiled(catalog: Catalog) -> CompiledModels:
    return compile_models(catalog)


@pytest.fixture(scope="module", params=BACKENDS)
def engine(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, compiled: CompiledModels
) -> Iterator[sa.Engine]:
    database = _postgres_database() if request.param == "postgres" else None
    url = (
        _psycopg_url(next(database))
        if database
        else f"sqlite:///{tmp_path_factory.mktemp('filters') / 'filters.sqlite'}"
    )
    engine = sa.create_engine(url)
    User.metadata.create_all(engine)  # `user` fields refer to FAB's ab_user
    compiled.metadata.create_all(engine)
    tables = compiled.metadata.tables
    with engine.begin() as conn:
        conn.execute(
            User.__table__.insert(),
            [
                {
                    "id": 10,
                    "first_name": "A",
                    "last_name": "L",
                    "username": "alice",
                    "email": "a@example.com",
                    "created_by_fk": None,
                    "changed_by_fk": None,
                    "created_on": None,
                    "changed_on": None,
                }
            ],
        )
        conn.execute(
            tables["core_department"].insert(), [{"id": SALES, "name": "Sales"}, {"id": SUPPORT, "name": "Support"}]
        )
        conn.execute(
            tables["core_employee"].insert(),
            [
                {"id": ALICE, "name": "Alice", "department_id": SALES, "manager_id": None},
                {"id": BOB, "name": "Bob", "department_id": SUPPORT, "manager_id": None},
                {"id": CAROL, "name": "Carol", "department_id": SALES, "manager_id": ALICE},
            ],
        )
        conn.execute(tables["crm_account"].insert(), [{"id": 1, "name": "Acme"}])
        keys = (
            "id",
            "name",
            "stage",
            "amount",
            "probability",
            "close_date",
            "owner_id",
            "notes",
            "created_at",
            "created_by",
            "tags",
        )
        conn.execute(
            tables["crm_opportunity"].insert(),
            [
                {
                    **dict(zip(keys, row, strict=False)),
                    "account_id": 1,
                    "amount": None if row[3] is None else Decimal(row[3]),
                }
                for row in OPPORTUNITIES
            ],
        )
        conn.execute(
            tables["crm_contact"].insert(),
            [
                {"id": 1, "name": "Pat", "primary": True},
                {"id": 2, "name": "Sam", "primary": False},
                {"id": 3, "name": "Kim", "primary": None},
            ],
        )
        conn.execute(
            tables["oa_meeting"].insert(),
            [
                {"id": i, "subject": subject, "starts_at": at, "room": room, "organizer_id": organizer}
                for i, subject, at, room, organizer, _ in MEETINGS
            ],
        )
        conn.execute(
            tables["oa_meeting__attendees"].insert(),
            [{"owner_id": i, "target_id": employee} for i, *_, attendees in MEETINGS for employee in attendees],
        )
    yield engine
    engine.dispose()
    if database is not None:
        next(database, None)


@pytest.fixture()
def names(engine: sa.Engine, compiled: CompiledModels):
    """names(filter) -> the names of the opportunities (or other entity) the filter selects."""

    def run(data: Any, ctx: FilterContext = CTX, entity: str = "crm.opportunity") -> set[str]:
        model = compiled.model(entity)
        where = compile_filter(data, model, model.__entity__, ctx)
        with engine.connect() as conn:
            return set(conn.scalars(sa.select(getattr(model, model.__entity__.title_field)).where(where)))

    return run


def cond(field: str, op: str, *value: Any) -> dict[str, Any]:
    return {"field": field, "op": op, **({"value": value[0]} if value else {})}


# -- queries -----------------------------------------------------------------


def test_equality_and_lists_on_choices(names) -> None:
    assert names(cond("stage", "=", "won")) == {"Won deal"}
    assert names(cond("stage", "in", ["won", "lost"])) == {"Won deal", "Lost test deal"}
    assert names(cond("stage", "not_in", ["won", "lost", "prospecting"])) == {"Big deal", "100% sure", "100 units"}
    assert names(cond("stage", "in", [])) == set()


def test_not_equal_and_not_in_keep_records_without_a_value(names) -> None:
    assert names(cond("owner", "!=", ALICE)) == {"Small deal", "Lost test deal", "100% sure", "Test_run"}
    assert names(cond("probability", "not_in", [0, 10, 50, 60, 90])) == {"Won deal", "Test_run"}


def test_numbers_compare_and_between_includes_both_ends(names) -> None:
    assert names(cond("amount", ">=", 10000)) == {"Big deal", "Won deal", "100% sure"}
    assert names(cond("amount", "<", "10000")) == {"Small deal", "100 units", "Test_run"}
    assert names(cond("amount", ">", 9999.98)) == {"Big deal", "Won deal", "100% sure", "100 units"}
    assert names(cond("amount", "between", [9999.99, 20000])) == {"Won deal", "100% sure", "100 units"}
    assert names(cond("probability", "<=", 10)) == {"Small deal", "Lost test deal"}


def test_contains_and_starts_with_ignore_case_and_escape_wildcards(names) -> None:
    assert names(cond("name", "contains", "DEAL")) == {"Big deal", "Small deal", "Won deal", "Lost test deal"}
    assert names(cond("name", "contains", "100%")) == {"100% sure"}
    assert names(cond("name", "contains", "test_")) == {"Test_run"}
    assert names(cond("name", "starts_with", "t")) == {"Test_run"}
    assert names(cond("name", "starts_with", "_")) == set()


def test_is_empty_on_text_means_null_or_blank(names) -> None:
    assert names(cond("notes", "is_empty")) == {"Small deal", "Won deal", "Lost test deal", "Test_run"}
    assert names(cond("notes", "is_not_empty")) == {"Big deal", "100% sure", "100 units"}
    assert names(cond("owner", "is_empty")) == {"Lost test deal", "Test_run"}
    assert names(cond("close_date", "is_empty")) == {"Lost test deal"}


def test_not_keeps_records_whose_field_is_empty(names) -> None:
    assert names({"not": cond("notes", "contains", "abc")}) == {
        "Big deal",
        "Small deal",
        "Won deal",
        "Lost test deal",
        "Test_run",
    }
    assert names({"not": cond("amount", ">", 100)}) == {"Lost test deal", "Test_run"}


def test_relative_dates(names) -> None:
    assert names(cond("close_date", "today")) == {"100 units"}
    assert names(cond("close_date", "this_week")) == {"100 units"}
    assert names(cond("close_date", "next_week")) == {"Big deal"}
    assert names(cond("close_date", "this_month")) == {"Big deal", "Small deal", "100 units"}
    assert names(cond("close_date", "last_month")) == {"Won deal"}
    assert names(cond("close_date", "this_quarter")) == {"Big deal", "Small deal", "Won deal", "100% sure", "100 units"}
    assert names(cond("close_date", "last_year")) == {"Test_run"}
    assert names(cond("close_date", "last_days", 30)) == {"Small deal", "Won deal", "100 units"}
    assert names(cond("close_date", "last_days", 1)) == {"100 units"}
    assert names(cond("close_date", "next_days", 6)) == {"100 units", "Big deal"}
    assert names(cond("close_date", "next_days", 5)) == {"100 units"}


def test_week_may_start_on_sunday(names) -> None:
    sunday_first = FilterContext(today=date(2024, 5, 19), first_weekday=6)  # a Sunday: its week is 19..25 May
    assert names(cond("close_date", "this_week"), sunday_first) == {"Big deal"}
    assert names(cond("close_date", "last_week"), sunday_first) == {"100 units"}


def test_dates_compare_with_literals_and_today(names) -> None:
    assert names(cond("close_date", "<", "$today")) == {"Small deal", "Won deal", "Test_run"}
    assert names(cond("close_date", "between", ["2024-05-01", "$today"])) == {"Small deal", "100 units"}
    assert names(cond("close_date", "=", date(2024, 6, 10))) == {"100% sure"}
    assert names(cond("close_date", "in", ["2024-06-10", "2023-12-31"])) == {"100% sure", "Test_run"}


def test_datetime_days_are_local_days_in_the_context_time_zone(names) -> None:
    utc = CTX
    shanghai = FilterContext(today=TODAY, timezone="Asia/Shanghai")  # UTC+8
    assert names(cond("created_at", "today"), utc) == {"Big deal"}
    assert names(cond("created_at", "today"), shanghai) == {"Big deal", "Small deal"}
    assert names(cond("created_at", "=", "$today"), shanghai) == {"Big deal", "Small deal"}
    assert names(cond("created_at", "=", "2024-05-14"), utc) == {"Small deal", "Won deal"}
    assert names(cond("created_at", "<=", "2024-05-13"), utc) == {
        "100% sure",
        "100 units",
        "Lost test deal",
        "Test_run",
    }
    assert names(cond("created_at", ">", "2024-05-14"), utc) == {"Big deal"}
    assert names(cond("created_at", ">=", "2024-05-14T17:00:00+00:00"), utc) == {"Big deal", "Small deal"}
    assert names(cond("created_at", "<", "2024-05-15T01:00"), shanghai) == {
        "Won deal",
        "100% sure",
        "100 units",
        "Lost test deal",
        "Test_run",
    }
    assert names(cond("created_at", "between", ["2024-05-14", "2024-05-14"]), utc) == {"Small deal", "Won deal"}
    assert names(cond("created_at", "last_days", 2), shanghai) == {"Big deal", "Small deal", "Won deal"}


def test_variables(names) -> None:
    assert names(cond("owner", "=", "$employee")) == {"Big deal", "Won deal", "100 units"}
    assert names(cond("created_by", "=", "$user")) == {"Big deal", "Won deal", "100 units"}
    assert names(cond("owner", "in", ["$employee", BOB])) == {"Big deal", "Won deal", "100 units", "Small deal"}


def test_a_variable_without_a_value_matches_nothing_and_its_negation_everything(names) -> None:
    nobody = FilterContext(today=TODAY)
    assert names(cond("owner", "=", "$employee"), nobody) == set()
    assert names(cond("owner", "in", ["$employee"]), nobody) == set()
    assert names({"not": cond("owner", "=", "$employee")}, nobody) == {row[1] for row in OPPORTUNITIES}


def test_paths_follow_references(names) -> None:
    assert names(cond("owner.department", "=", "$department")) == {"Big deal", "Won deal", "100% sure", "100 units"}
    assert names(cond("owner.manager", "=", "$employee")) == {"100% sure"}
    assert names(cond("owner.department.name", "=", "Support")) == {"Small deal"}
    assert names({"not": cond("owner.department", "=", SALES)}) == {"Small deal", "Lost test deal", "Test_run"}
    assert names(cond("department", "=", "$department"), entity="core.employee") == {"Alice", "Carol"}
    assert names(cond("id", "=", "$employee"), entity="core.employee") == {"Alice"}


def test_standard_columns(names) -> None:
    assert names(cond("id", "in", [1, 2])) == {"Big deal", "Small deal"}
    assert names(cond("id", ">", 5)) == {"100 units", "Test_run"}
    assert names(cond("version", "=", 1)) == {row[1] for row in OPPORTUNITIES}
    assert names(cond("created_by", "is_empty")) == {"Test_run"}


def test_booleans(names) -> None:
    assert names(cond("primary", "=", True), entity="crm.contact") == {"Pat"}
    assert names(cond("primary", "!=", True), entity="crm.contact") == {"Sam", "Kim"}
    assert names(cond("primary", "is_empty"), entity="crm.contact") == {"Kim"}


def test_nested_combinators_from_yaml(names) -> None:
    data = yaml.safe_load("""
    all:
      - {field: stage, op: not_in, value: [won, lost]}
      - {field: owner, op: "=", value: $employee}
      - any:
          - {field: amount, op: ">=", value: 10000}
          - {field: close_date, op: this_month}
      - {field: close_date, op: last_days, value: 30}
      - {not: {field: name, op: contains, value: big}}
    """)
    assert names(data) == {"100 units"}
    assert names(
        {"any": [cond("stage", "=", "won"), {"all": [cond("owner", "=", BOB), cond("amount", "<", 1000)]}]}
    ) == {"Won deal", "Small deal"}


def test_shorthand_list_empty_combinators_and_no_filter(names) -> None:
    everything = {row[1] for row in OPPORTUNITIES}
    assert names([cond("owner", "=", ALICE), cond("amount", ">", 10000)]) == {"Big deal", "Won deal"}
    assert names(None) == everything
    assert names([]) == everything
    assert names({"any": []}) == set()


def test_multi_choice_members(names) -> None:
    assert names(cond("tags", "contains", "urgent")) == {"Big deal", "Test_run"}
    assert names(cond("tags", "in", ["renewal", "partner"])) == {"Won deal", "100% sure"}
    assert names(cond("tags", "not_in", ["strategic"])) == {
        "Small deal",
        "Won deal",
        "Lost test deal",
        "100 units",
        "Test_run",
    }
    assert names(cond("tags", "is_empty")) == {"Small deal", "Lost test deal", "100 units"}
    assert names(cond("tags", "is_not_empty")) == {"Big deal", "Won deal", "100% sure", "Test_run"}


def test_many_to_many_members_and_users(names) -> None:
    meetings = lambda data, ctx=CTX: names(data, ctx, "oa.meeting")  # noqa: E731
    assert meetings(cond("attendees", "contains", "$employee")) == {"Kickoff"}
    assert meetings(cond("attendees", "in", [BOB, CAROL])) == {"Kickoff", "Review"}
    assert meetings(cond("attendees", "not_in", [ALICE])) == {"Review", "Solo"}
    assert meetings(cond("attendees", "is_empty")) == {"Solo"}
    assert meetings(cond("attendees", "contains", "$employee"), FilterContext(today=TODAY)) == set()
    assert meetings(cond("organizer", "=", "$user")) == {"Kickoff"}
    assert meetings(cond("organizer", "is_empty")) == {"Review", "Solo"}
    assert meetings(cond("starts_at", "tomorrow")) == {"Review"}


def test_literal_dollar_is_written_twice(names) -> None:
    assert names(cond("name", "=", "$$5")) == set()


def test_compile_refuses_a_bad_filter(compiled: CompiledModels) -> None:
    model = compiled.model("crm.opportunity")
    with pytest.raises(FilterError) as caught:
        compile_filter(
            {"all": [cond("stge", "=", "won"), cond("amount", "contains", "1")]}, model, model.__entity__, CTX
        )
    assert [path for path, _ in caught.value.problems] == [("all", 0, "field"), ("all", 1, "op")]
    assert "all[0].field" in str(caught.value)


def test_the_same_sql_runs_without_string_sql(compiled: CompiledModels) -> None:
    model = compiled.model("crm.opportunity")
    where = compile_filter(cond("name", "contains", "x'; drop table x; --"), model, model.__entity__, CTX)
    assert "drop table" not in str(where)  # the value is a bound parameter


# -- check_filter ------------------------------------------------------------


def problems(data: Any, catalog: Catalog, entity: str = "crm.opportunity") -> list[tuple[tuple, str]]:
    return check_filter(data, catalog.entities[entity], catalog)


def only(data: Any, catalog: Catalog, entity: str = "crm.opportunity") -> tuple[tuple, str]:
    found = problems(data, catalog, entity)
    assert len(found) == 1, found
    return found[0]


def test_a_good_filter_has_no_problems(catalog: Catalog) -> None:
    data = {
        "all": [
            cond("stage", "not_in", ["won", "lost"]),
            cond("owner", "=", "$employee"),
            {"any": [cond("amount", ">=", 10000), cond("close_date", "this_month")]},
            cond("owner.department", "=", "$department"),
            cond("created_by", "=", "$user"),
            {"not": cond("name", "contains", "test")},
            cond("close_date", "between", ["2024-01-01", "$today"]),
        ]
    }
    assert problems(data, catalog) == []
    assert problems(None, catalog) == []


def test_unknown_fields_suggest_the_closest_name(catalog: Catalog) -> None:
    assert only({"all": [cond("stge", "=", "won")]}, catalog) == (
        ("all", 0, "field"),
        "'stge' is not a field of crm.opportunity; did you mean 'stage'?",
    )
    assert only(cond("owner_id", "=", 1), catalog)[1].endswith("did you mean 'owner'?")
    assert only(cond("owner.departmnt", "=", 1), catalog)[1] == (
        "'owner.departmnt' is not a field of core.employee; did you mean 'owner.department'?"
    )
    assert (
        only(cond("stage.name", "=", 1), catalog)[1] == "'stage' is not a reference, so it cannot be followed with '.'"
    )
    assert "more than 3 references" in only(cond("a.b.c.d.e", "=", 1), catalog)[1]


def test_operators_must_fit_the_field_type(catalog: Catalog) -> None:
    assert only(cond("close_date", "contains", "5"), catalog) == (
        ("op",),
        "'contains' does not apply to close_date (a date field); use one of: " + ", ".join(operators_for("date")),
    )
    assert only(cond("name", "this_month"), catalog)[1].startswith(
        "'this_month' does not apply to name (a string field)"
    )
    assert only(cond("primary", "<", True), catalog, "crm.contact")[1].startswith(
        "'<' does not apply to primary (a boolean field)"
    )
    assert only(cond("stage", ">", "won"), catalog)[1].startswith("'>' does not apply to stage (a choice field)")
    assert only(cond("amount", "eq", 5), catalog)[1].startswith("unknown operator 'eq'; did you mean '='?")


def test_value_shapes(catalog: Catalog) -> None:
    assert only(cond("amount", "between", [1]), catalog) == (
        ("value",),
        "'between' needs two values: [from, to] (both included)",
    )
    assert only(cond("amount", "between", [10, 1]), catalog)[1] == "'between' needs the lower bound first: [from, to]"
    assert only(cond("stage", "in", "won"), catalog) == (("value",), "'in' needs a list of values, like [a, b]")
    assert (
        only(cond("stage", "=", ["won"]), catalog)[1] == "'=' compares with one value, not a list; use 'in' for a list"
    )
    assert only(cond("stage", "="), catalog)[1] == "'=' needs a value"
    assert only(cond("stage", "=", None), catalog)[1].endswith("use 'is_empty' to find records without a value")
    assert only(cond("close_date", "this_month", 1), catalog)[1] == "'this_month' takes no value"
    assert only(cond("close_date", "last_days", "30"), catalog)[1].startswith("'last_days' needs a number of days")
    assert only(cond("name", "contains", ""), catalog)[1] == "'contains' needs a text to look for"


def test_values_must_fit_the_field(catalog: Catalog) -> None:
    assert only(cond("stage", "in", ["won", "open"]), catalog) == (
        ("value", 1),
        "'open' is not a choice of stage; choices: prospecting, qualification, proposal, negotiation, won, lost",
    )
    assert only(cond("amount", ">=", "lots"), catalog)[1] == "expected a number, got 'lots'"
    assert only(cond("probability", "=", 1.5), catalog)[1] == "expected a whole number, got 1.5"
    assert (
        only(cond("close_date", "=", "31/05/2024"), catalog)[1] == "expected a date like 2024-05-31, got '31/05/2024'"
    )
    assert only(cond("owner", "=", "alice"), catalog)[1].startswith("expected the id of a record")
    assert only(cond("primary", "=", "yes"), catalog, "crm.contact")[1] == "expected true or false, got 'yes'"


def test_variables_must_exist_and_fit(catalog: Catalog) -> None:
    assert only(cond("created_by", "=", "$usr"), catalog)[1].startswith(
        "unknown variable '$usr'; did you mean '$user'?"
    )
    assert only(cond("stage", "=", "$employee"), catalog)[1] == (
        "$employee is the current user's employee record; it cannot be compared with stage (a choice field)"
    )
    assert only(cond("owner", "=", "$department"), catalog)[1].startswith(
        "$department is the current user's department"
    )
    assert only(cond("owner", "=", "$user"), catalog)[1].startswith("$user is the current user")
    assert only(cond("name", "=", "$today"), catalog)[1].startswith("$today is today's date")
    assert problems(cond("id", "=", "$department"), catalog, "core.department") == []


def test_structure_problems_are_reported_with_their_path(catalog: Catalog) -> None:
    found = problems(
        {"all": [{"any": "x"}, {"field": "stage"}, {"all": [], "field": "x"}, 5, cond("stge", "=", 1)]}, catalog
    )
    assert found == [
        (("all", 0, "any"), "'any' needs a list of conditions"),
        (("all", 1, "op"), "a condition needs 'op': an operator such as '=', 'in' or 'contains'"),
        (("all", 2), "'all' must stand alone in its mapping; found also: field"),
        (
            ("all", 3),
            "expected a condition like {field: stage, op: '=', value: won}, or all: [...], any: [...], not: ...",
        ),
        (("all", 4, "field"), "'stge' is not a field of crm.opportunity; did you mean 'stage'?"),
    ]
    assert problems({"field": "stage", "op": "=", "value": "won", "values": 1}, catalog) == [
        (("values",), "unexpected key 'values': a condition has field, op and value")
    ]


def test_deep_nesting_is_refused_not_a_crash(catalog: Catalog) -> None:
    data: Any = cond("stage", "=", "won")
    for _ in range(5000):
        data = {"not": data}
    assert [message for _, message in problems(data, catalog)] == ["the filter nests too deeply"]


def test_types_without_a_group_get_equality_and_emptiness() -> None:
    doc = Document("x.yaml", {})
    entity = EntityDef(
        "x", "thing", Label("Thing"), Label("Things"), [FieldDef("score", "formula", Label("Score"))], None, doc
    )
    assert operators_for("formula") == ("=", "!=", "is_empty", "is_not_empty")
    assert check_filter(cond("score", "is_empty"), entity) == []
    assert check_filter(cond("score", "contains", "a"), entity)[0][1].startswith(
        "'contains' does not apply to score (a formula field)"
    )


def test_every_known_field_type_can_at_least_be_empty() -> None:
    from formwork.fields import FIELD_TYPES

    for name in FIELD_TYPES:
        assert set(operators_for(name)) <= set(OPERATORS)
        assert "is_empty" in operators_for(name)


def test_collection_fields_take_members(catalog: Catalog) -> None:
    assert only(cond("tags", "=", "urgent"), catalog)[1].startswith("'=' does not apply to tags (a multi_choice field)")
    assert only(cond("tags", "contains", "vip"), catalog)[1].startswith("'vip' is not a choice of tags")
    assert only(cond("attendees", "contains", "$department"), catalog, "oa.meeting")[1].startswith("$department is")
    assert problems(cond("attendees", "in", ["$employee", 2]), catalog, "oa.meeting") == []


# -- dates and schema --------------------------------------------------------


def test_periods_cross_year_boundaries() -> None:
    assert period("this_quarter", date(2024, 12, 31)) == (date(2024, 10, 1), date(2025, 1, 1))
    assert period("last_quarter", date(2024, 2, 29)) == (date(2023, 10, 1), date(2024, 1, 1))
    assert period("next_month", date(2024, 12, 5)) == (date(2025, 1, 1), date(2025, 2, 1))
    assert period("this_year", date(2024, 7, 1)) == (date(2024, 1, 1), date(2025, 1, 1))
    assert period("this_week", date(2024, 5, 19)) == (date(2024, 5, 13), date(2024, 5, 20))
    assert day_count("last_days", 7, TODAY) == (date(2024, 5, 9), date(2024, 5, 16))
    assert day_count("next_days", 7, TODAY) == (date(2024, 5, 15), date(2024, 5, 22))


def test_schema_accepts_filters_standalone_and_embedded() -> None:
    Draft202012Validator.check_schema(FILTER_DOCUMENT)
    host = Draft202012Validator(
        {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "type": "object",
            "properties": {"filter": {"$ref": "#/$defs/filter"}},
            "$defs": {"filter": FILTER_SCHEMA},
        }
    )
    alone = Draft202012Validator(FILTER_DOCUMENT)
    good = [
        cond("stage", "=", "won"),
        {"any": [{"not": cond("amount", "between", [1, 2])}, [cond("close_date", "today")]]},
    ]
    for data in (good, good[1], cond("owner.department", "=", "$department")):
        assert not list(alone.iter_errors(data))
        assert not list(host.iter_errors({"filter": data}))
    for bad in (
        {"all": [{"field": "stage"}]},
        {"all": [], "any": []},
        {"field": "x", "op": "eq"},
        {},
        5,
        {"field": "x", "op": "=", "value": {"a": 1}},
        {"field": "Bad Name", "op": "="},
    ):
        assert list(alone.iter_errors(bad)), bad
        assert list(host.iter_errors({"filter": bad})), bad

"""The condition builder's CEL (studio/conditions.py): rows are written as the CEL a YAML author writes, what the
builder wrote is read back into the same rows, anything else is left to text mode, operators and values follow the
field's type, and what it writes passes the static checks `formwork validate` runs."""

from __future__ import annotations

import pytest
from werkzeug.datastructures import MultiDict

from formwork.expr import compile_expression, entity_variables
from formwork.meta.catalog import Catalog
from formwork.studio.condition_builder import posted_builder, stored_builder
from formwork.studio.conditions import Condition, Row, RowInvalid, Subject, read_condition, subjects, write_condition


@pytest.fixture(scope="module")
def account(catalog: Catalog) -> dict[str, Subject]:
    return subjects(catalog.entities["crm.account"], catalog)


@pytest.fixture(scope="module")
def opportunity(catalog: Catalog) -> dict[str, Subject]:
    return subjects(catalog.entities["crm.opportunity"], catalog)


ROUND_TRIPS = [
    (Condition("all", (Row("level", "eq", "vip"),)), "level == 'vip'"),
    (
        Condition("any", (Row("level", "in", ("key", "vip")), Row("employees", "gt", "100"))),
        "level in ['key', 'vip'] || employees > 100",
    ),
    (
        Condition("all", (Row("annual_revenue", "ge", "5000"), Row("owner", "not_empty"), Row("city", "empty"))),
        "annual_revenue >= 5000.0 && owner != null && city == null",
    ),
    (Condition("all", (Row("name", "ne", "O'Brien \\ Co"),)), "name != 'O\\'Brien \\\\ Co'"),
]


@pytest.mark.parametrize(("condition", "cel"), ROUND_TRIPS)
def test_rows_are_written_as_cel_and_read_back(
    account: dict[str, Subject], condition: Condition, cel: str, catalog: Catalog
) -> None:
    assert write_condition(condition, account) == cel
    read = read_condition(cel, account)
    assert read is not None and write_condition(read, account) == cel
    variables = entity_variables(catalog.entities["crm.account"], catalog)
    compile_expression(cel, variables, expect="boolean")  # what the builder writes passes validate's checker


def test_dates_numbers_and_booleans_are_written_as_their_literals(opportunity: dict[str, Subject]) -> None:
    kinds = {name: subject.kind for name, subject in opportunity.items()}
    date_field = next(name for name, kind in kinds.items() if kind == "date")
    number = next(name for name, kind in kinds.items() if kind == "double")
    cel = write_condition(
        Condition("all", (Row(date_field, "lt", "2030-01-31"), Row(number, "gt", "1.5"))), opportunity
    )
    assert cel == f"{date_field} < date('2030-01-31') && {number} > 1.5"
    assert read_condition(cel, opportunity) == Condition(
        "all", (Row(date_field, "lt", "2030-01-31"), Row(number, "gt", "1.5"))
    )


@pytest.mark.parametrize(
    "text",
    [
        "level == 'vip' && employees > 3 || city == null",  # mixed joiners
        "level=='vip'",  # not as the builder spaces it
        "size(name) > 3",
        "(level == 'vip')",
        "lower(name) == 'x'",
        "level == 'gold'",  # not one of the choices
        "nosuchfield == 1",
    ],
)
def test_anything_the_builder_does_not_write_opens_in_text_mode(account: dict[str, Subject], text: str) -> None:
    assert read_condition(text, account) is None
    assert stored_builder("p", text, account).mode == "text"


def test_operators_and_values_follow_the_field_type(account: dict[str, Subject]) -> None:
    assert account["level"].kind == "choice" and "in" in account["level"].operators
    assert "lt" not in account["level"].operators and "lt" in account["employees"].operators
    assert account["owner"].operators == ("empty", "not_empty")
    assert [value for value, _ in account["level"].choices] == ["standard", "key", "vip"]
    with pytest.raises(RowInvalid) as bad:
        write_condition(Condition("all", (Row("level", "eq", "vip"), Row("employees", "gt", "many"))), account)
    assert bad.value.index == 1 and bad.value.message == "Enter a whole number."
    for row in (Row("level", "lt", "vip"), Row("level", "eq", "gold"), Row("nosuch", "eq", "1")):
        with pytest.raises(RowInvalid):
            write_condition(Condition("all", (row,)), account)


def test_a_posted_builder_skips_its_empty_row_and_keeps_its_text_mode(account: dict[str, Subject]) -> None:
    form = MultiDict(
        [
            ("p.mode", "rows"),
            ("p.match", "any"),
            ("p.row", "0"),
            ("p.0.field", "level"),
            ("p.0.op", "in"),
            ("p.0.value", "key"),
            ("p.0.value", "vip"),
            ("p.row", "1"),
            ("p.1.field", ""),
            ("p.1.op", "eq"),
            ("p.1.value", ""),
        ]
    )
    assert posted_builder(form, "p", account).text == "level in ['key', 'vip']"
    typed = MultiDict([("p.mode", "text"), ("p.text", "  size(name) > 3 ")])
    assert posted_builder(typed, "p", account).text == "size(name) > 3"
    assert posted_builder(MultiDict([("p.mode", "rows")]), "p", account).text == ""

"""Expressions (formwork.expr): what an author sees when defining one, and what a user sees when it runs."""

from __future__ import annotations

import logging
from datetime import date, datetime, time
from decimal import Decimal
from types import SimpleNamespace

import pytest

from formwork.expr import (
    USER,
    ExpressionError,
    ExpressionFailed,
    Variable,
    compile_expression,
    entity_variables,
    field_variable,
)

ACCOUNT = Variable(
    "reference",
    fields={
        "id": Variable("integer"),
        "name": Variable("string"),
        "industry": Variable("string"),
        "owner": Variable("integer"),
    },
)
STAGE = Variable("choice", choices=("prospecting", "proposal", "won", "lost"))
OPPORTUNITY = {
    "name": "string",
    "amount": "money",
    "probability": "integer",
    "stage": STAGE,
    "account": ACCOUNT,
    "open_date": "date",
    "close_date": "date",
    "created_at": "datetime",
    "notes": "text",
    "vip": "boolean",
    "starts": "time",
    "user": USER,
}
WINTER = datetime(2024, 1, 31, 20, 0)  # UTC: already 1 February in Shanghai


def compile_(source: str, expect=None, variables=None):
    return compile_expression(source, OPPORTUNITY if variables is None else variables, expect=expect)


def definition_error(source: str, expect=None) -> str:
    with pytest.raises(ExpressionError) as caught:
        compile_(source, expect)
    return caught.value.message


def run(source: str, record=None, expect=None, **kwargs):
    return compile_(source, expect).evaluate(record or {}, **kwargs)


def failure(source: str, record=None, expect=None, **kwargs) -> ExpressionFailed:
    with pytest.raises(ExpressionFailed) as caught:
        run(source, record, expect, **kwargs)
    return caught.value


# -- what business admins write -------------------------------------------------------


def test_fields_are_names_at_top_level() -> None:
    rule = compile_("amount > 5000 && stage == 'won'", "boolean")
    assert rule.evaluate({"amount": Decimal("6000.00"), "stage": "won"}) is True
    assert rule.evaluate({"amount": Decimal("10"), "stage": "won"}) is False
    assert rule.names == {"amount", "stage"}


def test_names_and_paths_tell_a_formula_its_inputs() -> None:
    expression = compile_("account.name.startsWith('A') && 'sales' in user.roles && [1].exists(x, x > probability)")
    assert expression.names == {"account", "probability"}
    assert expression.paths == {"account.name"}


def test_dates_compare_and_move() -> None:
    record = {"open_date": date(2024, 1, 10), "close_date": date(2024, 2, 9)}
    assert run("close_date >= open_date", record) is True
    assert run("days_between(open_date, close_date)", record) == 30
    assert run("add_days(open_date, 30) == close_date", record) is True
    assert run("close_date > date('2024-02-01')", record) is True
    assert run("close_date - open_date > duration('720h')", record) is False


@pytest.mark.parametrize(
    "start, months, expected",
    [
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2023, 1, 31), 1, date(2023, 2, 28)),
        (date(2024, 3, 31), -1, date(2024, 2, 29)),
        (date(2024, 11, 30), 3, date(2025, 2, 28)),
        (date(2024, 5, 15), 12, date(2025, 5, 15)),
    ],
)
def test_add_months_clamps_to_the_end_of_the_month(start: date, months: int, expected: date) -> None:
    assert run(f"add_months(open_date, {months})", {"open_date": start}, "date") == expected


def test_today_is_the_tenants_date() -> None:
    assert run("today()", expect="date", now=WINTER) == date(2024, 1, 31)
    assert run("today()", expect="date", now=WINTER, tz="Asia/Shanghai") == date(2024, 2, 1)
    assert run("add_days(today(), 30)", expect="date", now=WINTER, tz="Asia/Shanghai") == date(2024, 3, 2)
    assert run("now()", expect="datetime", now=WINTER) == WINTER
    assert run("close_date < today()", {"close_date": date(2024, 1, 31)}, now=WINTER, tz="Asia/Shanghai") is True


def test_an_instant_becomes_the_tenants_date_and_a_date_its_midnight() -> None:
    assert run("now()", expect="date", now=WINTER, tz="Asia/Shanghai") == date(2024, 2, 1)
    assert run("today()", expect="datetime", now=WINTER, tz="Asia/Shanghai") == datetime(2024, 1, 31, 16, 0)


def test_text_functions() -> None:
    record = {"name": "  Acme Corp  "}
    assert run("trim(name)", record) == "Acme Corp"
    assert run("name.trim().lower()", record) == "acme corp"
    assert run("upper(trim(name)).startsWith('ACME')", record) is True
    assert run("name.contains('Corp') && name.endsWith('  ') && size(name) == 13", record) is True
    assert run("trim(name).matches('^Acme')", record) is True


def test_round_is_half_up() -> None:
    assert run("round(amount, 2)", {"amount": Decimal("2.675")}) == 2.68
    assert run("round(amount)", {"amount": Decimal("2.5")}) == 3.0


def test_user_is_a_map() -> None:
    user = {"id": 7, "name": "Ann", "roles": ["sales", "admin"], "department": "Sales"}
    assert run("'admin' in user.roles && user.department == 'Sales' && user.id == 7", user=user) is True
    assert run("'admin' in user.roles", user=None) is False


def test_time_fields_are_text_that_orders() -> None:
    assert run("starts >= '09:00' && starts < '12:00'", {"starts": time(9, 30)}) is True
    assert run("starts", {"starts": time(9, 30)}, Variable("time")) == time(9, 30)


# -- values crossing the boundary -------------------------------------------------------


def test_money_comes_back_as_decimal_with_two_places() -> None:
    assert run("amount * 1.1", {"amount": Decimal("10.05")}, "money") == Decimal("11.06")
    assert run("amount / 3.0", {"amount": Decimal("100")}, "money") == Decimal("33.33")
    assert run("0.1 + 0.2", expect="money") == Decimal("0.30")
    assert run("amount * 1.5", {"amount": 10}, "money") == Decimal("15.00")  # an int for a money field is still money


def test_decimal_scale_follows_the_variable() -> None:
    assert run("1.0 / 3.0", expect=Variable("decimal", scale=1)) == Decimal("0.3")
    assert run("1.0 / 3.0", expect="decimal") == Decimal("0.3333")


def test_result_types() -> None:
    record = {"open_date": date(2024, 1, 10), "created_at": datetime(2024, 1, 10, 8, 30), "probability": 40}
    assert run("open_date", record, "date") == date(2024, 1, 10)
    assert run("created_at", record, "datetime") == datetime(2024, 1, 10, 8, 30)
    assert run("probability + 1", record, "integer") == 41
    assert run("string(probability) + '%'", record, "string") == "40%"
    assert run("created_at > open_date", record, "boolean") is True
    assert run("'won'", expect=STAGE) == "won"


def test_a_model_instance_is_a_record() -> None:
    account = SimpleNamespace(id=3, name="Acme", industry=None, owner=SimpleNamespace(id=9), owner_id=9)
    item = SimpleNamespace(amount=Decimal("1"), account=account)
    assert run("account.name == 'Acme' && account.owner == 9 && amount > 0.5", item) is True


def test_a_value_of_the_wrong_type_fails_clearly() -> None:
    assert failure("amount > 1.0", {"amount": "lots"}).reason == "amount is not a number"


# -- null ------------------------------------------------------------------------------


def test_null_fields_compare_with_null() -> None:
    assert run("close_date == null") is True
    assert run("coalesce(amount, 0.0) > 100.0") is False
    assert run("coalesce(notes, name, 'none')", {"name": "Acme"}) == "Acme"


def test_an_empty_reference_can_be_guarded() -> None:
    assert run("account != null && account.name == 'Acme'", {"account": None}) is False
    assert run("account.name == 'Acme' && account != null", {"account": None}) is False
    assert run("account == null || account.industry == 'retail'", {"account": None}) is True
    assert run("account.industry == null", {"account": {"name": "Acme"}}) is True
    assert failure("account.name == 'Acme'", {"account": None}).reason == "account is empty"


def test_using_an_empty_field_says_which() -> None:
    assert failure("close_date >= open_date", {"open_date": date(2024, 1, 1)}).reason == "close_date is empty"
    assert failure("add_days(close_date, 3)", expect="date").reason == "close_date is empty"
    assert (
        failure("account.industry.startsWith('r')", {"account": {"name": "Acme"}}).reason == "account.industry is empty"
    )
    assert failure("vip", expect="boolean").reason == "vip is empty"


# -- mistakes found when a definition is validated ----------------------------------------


def test_unknown_name_suggests_the_closest() -> None:
    assert definition_error("amout > 5000") == "unknown name 'amout' (did you mean 'amount'?)"
    assert definition_error("account.nmae == 'x'") == "account has no field 'nmae' (did you mean 'name'?)"
    assert definition_error("lowr(name) == 'x'") == "unknown function 'lowr' (did you mean 'lower'?)"
    assert "known names are account, amount" in definition_error("zzz > 1")


def test_wrong_argument_count() -> None:
    assert definition_error("add_days(today())") == "add_days() takes 2 arguments (add_days(date, days)), not 1"
    assert definition_error("round(amount, 2, 3)").startswith("round() takes 1 to 2 arguments")
    assert definition_error("today(1)").startswith("today() takes 0 arguments")


def test_wrong_argument_type() -> None:
    assert definition_error("add_days(name, 3)").startswith(
        "add_days() needs a date as argument 1, but name (text) is not"
    )
    assert "write a whole number such as 30" in definition_error("add_days(close_date, 1.5)")


def test_a_date_compared_with_text() -> None:
    message = definition_error("close_date > '2024-01-01'")
    assert message.startswith("close_date (a date) and '2024-01-01' (text) cannot be compared")
    assert "write date('2024-01-01')" in message
    assert "never equal" in definition_error("close_date == '2024-01-01'")


def test_arithmetic_on_text_and_mixed_numbers() -> None:
    assert definition_error("name * 2").startswith("cannot use * on name (text) and 2 (a whole number)")
    assert definition_error("amount * 2").endswith("whole and decimal numbers do not mix; write 2.0 instead of 2")
    assert "add_days()" in definition_error("close_date + 1")


def test_a_choice_compared_with_a_value_it_never_has() -> None:
    assert definition_error("stage == 'wonn'").endswith("(did you mean 'won'?)")
    assert "never 'lots'" in definition_error("stage in ['won', 'lots']")
    assert "not one of the choices" in definition_error("'wonn'", STAGE)


def test_a_condition_must_be_boolean() -> None:
    assert (
        definition_error("amount + 1.0", "boolean")
        == "a condition must give true or false, but this one gives a decimal number"
    )
    assert "whole number" in definition_error("amount", "integer")
    untyped = compile_expression("settings.flag", {"settings": "any"}, expect="boolean")
    with pytest.raises(ExpressionFailed) as caught:
        untyped.evaluate({"settings": {"flag": "yes"}})
    assert caught.value.reason == "its result is not true or false (it gave 'yes')"


def test_syntax_errors_point_at_the_column() -> None:
    with pytest.raises(ExpressionError) as caught:
        compile_("amount >\n  @ 2")
    assert caught.value.message == "syntax error: unexpected '@'"
    assert (caught.value.line, caught.value.column) == (2, 3)
    assert definition_error("amount >") == "syntax error: the expression ends too early"
    assert definition_error("   ") == "the expression is empty"


def test_bad_literals_are_caught_early() -> None:
    assert definition_error("name.matches('[')") == "'[' is not a valid pattern"
    assert definition_error("date('31/01/2024') < close_date") == "'31/01/2024' is not a date written as YYYY-MM-DD"
    assert "not a valid timestamp" in definition_error("created_at > timestamp('2024-01-01')")


def test_the_sample_run_catches_what_dyn_hides() -> None:
    assert definition_error("dyn(amount) + 1 > 2.0").startswith("type error: Unsupported operation: float + int")


def test_every_branch_is_checked() -> None:
    assert "cannot use +" in definition_error("stage == 'lost' ? name + 1 : name")


# -- failures at run time ----------------------------------------------------------------


def test_a_failure_is_logged_once_with_source_and_where(caplog: pytest.LogCaptureFixture) -> None:
    rule = compile_("probability / (probability - 1) > 1", "boolean")
    with caplog.at_level(logging.WARNING), pytest.raises(ExpressionFailed) as caught:
        rule.evaluate({"probability": 1}, where="crm.opportunity rule 'odds'")
    assert caught.value.reason == "it divides by zero"
    assert str(caught.value) == "Cannot evaluate `probability / (probability - 1) > 1`: it divides by zero."
    lines = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(lines) == 1
    assert "crm.opportunity rule 'odds'" in lines[0].getMessage()
    assert "probability / (probability - 1) > 1" in lines[0].getMessage()


def test_a_function_failure_is_explained() -> None:
    assert (
        failure("date(name) < today()", {"name": "soon"}).reason == "date('soon') is not a date written as YYYY-MM-DD"
    )
    assert (
        failure("add_months(open_date, 100000)", {"open_date": date(2024, 1, 1)}).reason
        == "add_months() went past the year 9999"
    )


def test_an_unknown_time_zone_is_a_failure_not_a_crash() -> None:
    assert failure("today()", tz="Mars/Olympus").reason == "the time zone 'Mars/Olympus' is unknown"


# -- entities ---------------------------------------------------------------------------


def test_entity_variables(catalog) -> None:
    entity = catalog.entities["crm.opportunity"]
    found = entity_variables(entity, catalog)
    assert found["user"] is USER
    assert {"id", "created_at", "updated_by", "version", "amount", "stage", "account"} <= set(found)
    assert "name" in found["account"].fields
    stage = field_variable(entity.field("stage"), catalog)
    assert "won" in stage.choices
    rule = compile_expression("account.name != '' && stage == 'won' && amount > 0.0", found, expect="boolean")
    assert rule.names == {"account", "stage", "amount"}
    assert (
        "did you mean 'name'"
        in pytest.raises(ExpressionError, compile_expression, "account.nam == ''", found).value.message
    )


def test_a_formula_field_has_its_result_type() -> None:
    from formwork.meta.kinds import build_field

    formula = build_field(
        {"name": "weighted", "type": "formula", "expression": "amount * 0.5", "result": "money"}, 0, "crm"
    )
    variable = field_variable(formula)
    assert (variable.type, variable.scale) == ("money", 2)
    assert compile_expression("amount * 0.5", {"amount": "money"}, expect=variable).evaluate({"amount": 3}) == Decimal(
        "1.50"
    )

"""The definition checks' messages read in the reader's language where the Studio shows them, and stay the same
English everywhere else: `str()` of a message (what `formwork validate` prints, what comparisons, sorting and sets
see) is the English text, and `localized()` fills the same values into its translation."""

from __future__ import annotations

import pickle
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from werkzeug.test import Client

from conftest import Platform, control_errors, csrf_token, login, page_text
from formwork.definitions.check_texts import NOT_A_FIELD, NOT_INDEXABLE
from formwork.definitions.loader import describe_schema_error
from formwork.definitions.schema_messages import WHAT_IS_EXPECTED
from formwork.i18n import Label, Said, localized, say
from formwork.meta.errors import DefinitionError
from formwork.tenancy.apps import build_tenant_app

SLUG = "check-words"
ACCOUNT = f"/t/{SLUG}/studio/crm.account"
CUSTOMER = Label({"en": "Customer", "zh": "客户"})


def test_a_said_message_is_its_english_text_with_the_values() -> None:
    said = say(NOT_A_FIELD, name="colour", entity="crm.account")
    assert isinstance(said, str) and isinstance(said, Said)
    assert str(said) == "'colour' is not a field of crm.account"
    assert f"at fields[0]: {said}" == "at fields[0]: 'colour' is not a field of crm.account"
    assert said.get("en") == str(said)


def test_a_said_message_reads_in_chinese_with_the_same_values() -> None:
    assert say(NOT_A_FIELD, name="colour", entity="crm.account").get("zh") == "'colour' 不是 crm.account 的字段"
    assert say(NOT_INDEXABLE, type="json").translations["zh"] == "json 类型的字段不能建索引"


def test_a_label_among_the_values_is_given_in_the_readers_language_too() -> None:
    said = say(NOT_A_FIELD, name="colour", entity=CUSTOMER)
    assert str(said) == "'colour' is not a field of Customer"
    assert said.get("zh") == "'colour' 不是 客户 的字段"
    nested = say(WHAT_IS_EXPECTED, message=said, expected="a text")
    assert str(nested) == "'colour' is not a field of Customer; expected a text"
    assert nested.get("zh") == "'colour' 不是 客户 的字段；应为：a text"


def test_a_said_message_compares_hashes_and_sorts_as_its_english_text() -> None:
    said = say(NOT_A_FIELD, name="colour", entity="crm.account")
    english = "'colour' is not a field of crm.account"
    assert said == english and hash(said) == hash(english) and len({said, english}) == 1
    first = DefinitionError("a.yaml", 3, "fields[0].name", said)
    again = DefinitionError("a.yaml", 3, "fields[0].name", english)
    other = DefinitionError("a.yaml", 3, "fields[0].name", "'a' is not a field of crm.account")
    assert first == again and len({first, again, other}) == 2
    assert sorted([first, other]) == [other, first]
    assert str(first) == f"a.yaml:3 at fields[0].name: {english}"


def test_a_said_message_survives_pickling_with_its_translation() -> None:
    said = say(NOT_A_FIELD, name="colour", entity=CUSTOMER)
    copied = pickle.loads(pickle.dumps(said))
    assert type(copied) is Said and copied == said and copied.get("zh") == said.get("zh")


def test_localized_leaves_a_plain_text_alone() -> None:
    assert localized("no translations here") == "no translations here"
    assert localized(say(NOT_INDEXABLE, type="json")) == "a json field cannot be indexed"  # outside a request: English


SCHEMA = {
    "type": "object",
    "required": ["name"],
    "properties": {
        "count": {"type": "integer", "maximum": 9, "multipleOf": 2},
        "low": {"minimum": 1},
        "above": {"exclusiveMinimum": 0, "exclusiveMaximum": 5},
        "code": {"type": "string", "pattern": "^[a-z]+$", "minLength": 1, "maxLength": 3},
        "longer": {"minLength": 4},
        "color": {"enum": ["red", "blue"]},
        "fixed": {"const": "yes"},
        "tags": {"type": "array", "minItems": 1, "maxItems": 1, "uniqueItems": True},
        "more": {"minItems": 3},
        "either": {"oneOf": [{"type": "integer"}, {"type": "boolean"}]},
        "any": {"anyOf": [{"type": "string"}, {"type": "integer"}]},
    },
}
WRONG = {
    "count": 10.5,
    "low": 0,
    "above": 5,
    "code": "ABCD",
    "longer": "abc",
    "color": "green",
    "fixed": "no",
    "tags": [1, 1],
    "more": [],
    "either": [],
    "any": None,
}


def test_json_schema_messages_keep_their_english_and_gain_a_chinese_one() -> None:
    errors = list(Draft202012Validator(SCHEMA).iter_errors(WRONG))
    assert {e.validator for e in errors} >= {"required", "type", "minimum", "maximum", "pattern", "enum", "oneOf"}
    for error in errors:
        described = describe_schema_error(error)
        assert described == error.message
        assert isinstance(described, Said), error.message
        assert described.get("zh") != error.message, error.message
    required = next(describe_schema_error(e) for e in errors if e.validator == "required")
    assert isinstance(required, Said) and required.get("zh") == "缺少必填属性 'name'"


@pytest.fixture(scope="module")
def company(platform: Platform) -> Platform:
    build_tenant_app(platform.settings, platform.tenant(SLUG), platform.catalog)
    return platform


def add_field(client: Client, form: dict[str, Any], language: str) -> Any:
    token = csrf_token(client.get(f"{ACCOUNT}/").text)
    return client.post(f"{ACCOUNT}/fields?_l_={language}", data={**form, "csrf_token": token})


@pytest.mark.parametrize(
    ("form", "control", "english", "chinese"),
    [
        (
            {"name": "tier", "type": "telepathy", "label_en": "Tier"},
            "type",
            "unknown field type 'telepathy'; expected one of: ",
            "未知的字段类型 'telepathy'；应为以下之一：",
        ),
        (
            {"name": "tier", "type": "choice", "label_en": "Tier", "choice_value": "gold", "default_choice": "lead"},
            "default",
            "default 'lead' is not one of the choices",
            "默认值 'lead' 不在选项之中",
        ),
        (
            {"name": "tier", "type": "choice", "label_en": "Tier"},
            "choices",
            "'choices' is a required",
            "缺少必填属性 'choices'",
        ),
    ],
)
def test_the_studio_shows_a_checks_message_at_its_control_in_the_admins_language(
    company: Platform, form: dict[str, str], control: str, english: str, chinese: str
) -> None:
    admin = company.client()
    assert login(admin, SLUG, "admin").status_code == 302
    in_english = add_field(admin, form, "en")
    assert in_english.status_code == 400
    assert [m for m in control_errors(in_english, control) if m.startswith(english)], page_text(in_english)
    in_chinese = add_field(admin, form, "zh")
    assert in_chinese.status_code == 400
    shown = control_errors(in_chinese, control)
    assert shown and not [m for m in shown if m.startswith(english)], shown
    assert [m for m in shown if m.startswith(chinese)], shown


def test_a_schemas_description_follows_the_message_in_both_languages() -> None:
    schema = {"properties": {"low": {"minimum": 1, "description": "a count from 1"}}}
    (error,) = Draft202012Validator(schema).iter_errors({"low": 0})
    described = describe_schema_error(error)
    assert described == "0 is less than the minimum of 1; expected a count from 1"
    assert isinstance(described, Said) and described.get("zh") == "0 小于最小值 1；应为：a count from 1"

"""What the checks and the schema plan say reads in Chinese for an admin whose language is Chinese, and in the same
English as ever for one whose language is English and for the CLI: the formula editor's type errors (and the type
it names), a filter row's operator, an approval chain's and an automation's definition errors (at their controls and
in a condition builder), and the publish plan (its changes, its refusals, and the refused publish)."""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from werkzeug.datastructures import MultiDict
from werkzeug.test import Client

from conftest import Platform, control_errors, csrf_token, jwt, login, page_text, post_record
from formwork.cli import main
from formwork.tenancy.apps import build_tenant_app
from formwork.tenancy.storage import dispose_engines

SLUG = "check-words-zh"
STUDIO = f"/t/{SLUG}/studio"
ACCOUNT = f"{STUDIO}/crm.account"
PIPELINE = f"{STUDIO}/crm.opportunity/views/ListView/edit/pipeline"
CHAIN = f"{STUDIO}/oa.expense_claim/chains/expense_approval/"
MARK_WON = f"{STUDIO}/crm.opportunity/actions/mark_won/"
FORMULA = {"name": "twice", "type": "formula", "label_en": "Twice", "result": "money"}
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def company(platform: Platform) -> Platform:
    """A tenant of core + crm + oa with one account (so a new required field has a record without a value)."""
    build_tenant_app(platform.settings, platform.tenant(SLUG), platform.catalog)
    client = platform.client()
    post_record(client, jwt(client, SLUG), SLUG, "crm_account", name="Words Trading")
    return platform


def text_of(fragment: str) -> str:
    """A part of a page as a reader sees it (conftest's page_text, for a fragment)."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def admin_in(platform: Platform, language: str) -> Client:
    """The tenant's admin, signed in, having chosen `language` in the language menu."""
    client = platform.client()
    assert login(client, SLUG).status_code == 302
    assert client.get(f"/t/{SLUG}/lang/{language}").status_code == 302
    return client


def post_form(client: Client, url: str, data: Mapping[str, Any], page_url: str) -> Any:
    return client.post(url, data={**data, "csrf_token": csrf_token(client.get(page_url).text)})


class _EditorForm(HTMLParser):
    """What a browser posts for the editor form of class `editor`: every named control's value (checked boxes and
    radios, selected options, text areas), buttons left out."""

    def __init__(self, editor: str) -> None:
        super().__init__()
        self.editor, self.fields, self._inside = editor, [], False
        self._select: str | None = None
        self._textarea: str | None = None
        self._text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {k: v or "" for k, v in attrs}
        name = found.get("name")
        if tag == "form":
            self._inside = self.editor in found.get("class", "")
        if not self._inside or not name and tag != "option":
            return
        if tag == "input" and found.get("type") in ("radio", "checkbox"):
            if "checked" in found:
                self.fields.append((name, found.get("value", "on")))
        elif tag == "input" and found.get("type") != "submit":
            self.fields.append((name, found.get("value", "")))
        elif tag == "select":
            self._select = name
        elif tag == "option" and self._select and "selected" in found:
            self.fields.append((self._select, found.get("value", "")))
        elif tag == "textarea":
            self._textarea, self._text = name, ""

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self._text += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._inside = False
        elif tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea:
            self.fields.append((self._textarea, self._text))
            self._textarea = None


def post_editor(client: Client, url: str, editor: str, changes: Mapping[str, str]) -> Any:
    """Save the editor at `url` as its page shows it, with `changes`."""
    reader = _EditorForm(editor)
    reader.feed(client.get(url).text)
    fields = [(name, value) for name, value in reader.fields if name not in changes]
    return client.post(url, data=MultiDict([*fields, *changes.items(), ("action", "save")]))


def check_formula(client: Client, expression: str) -> Any:
    token = csrf_token(client.get(f"{ACCOUNT}/").text)
    data = {**FORMULA, "expression": expression, "control": "expression", "csrf_token": token}
    answer = client.post(f"{ACCOUNT}/check-expression", data=data)
    assert answer.status_code == 200
    return answer.json


@pytest.mark.parametrize(
    ("language", "gives", "type_error", "unknown"),
    [
        (
            "zh",
            "小数",
            "不能对 name（文本） 和 2（整数） 使用 *",
            "未知的名称 'anual_revenue'（您是否想写 'annual_revenue'？）",
        ),
        (
            "en",
            "a decimal number",
            "cannot use * on name (text) and 2 (a whole number)",
            "unknown name 'anual_revenue' (did you mean 'annual_revenue'?)",
        ),
    ],
)
def test_the_formula_editor_answers_in_the_admins_language(
    company: Platform, language: str, gives: str, type_error: str, unknown: str
) -> None:
    admin = admin_in(company, language)
    assert check_formula(admin, "annual_revenue * 2.0") == {"ok": True, "type": gives, "errors": []}
    bad = check_formula(admin, "name * 2")
    assert bad["ok"] is False and bad["errors"] == [type_error], bad
    assert check_formula(admin, "anual_revenue * 2.0")["errors"] == [unknown]


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("zh", "'<' 不适用于 stage（choice 类型的字段）；请使用以下之一：=, !=, in, not_in, is_empty, is_not_empty"),
        ("en", "'<' does not apply to stage (a choice field); use one of: =, !=, in, not_in, is_empty, is_not_empty"),
    ],
)
def test_a_filter_rows_operator_the_field_does_not_take_is_refused_in_the_admins_language(
    company: Platform, language: str, expected: str
) -> None:
    admin = admin_in(company, language)
    rows = {
        "label_en": "Pipeline",
        "p.columns": ["name", "stage", "amount"],
        "p.sort": "close_date",
        "p.filter.mode": "rows",
        "p.filter.match": "all",
        "p.filter.0.field": "stage",
        "p.filter.0.op": "<",
        "p.filter.0.value": "won",
    }
    refused = post_form(admin, PIPELINE, rows, PIPELINE)
    assert refused.status_code == 400
    assert control_errors(refused, "p.filter.0.op") == [expected], page_text(refused)


@pytest.mark.parametrize(
    ("language", "role", "condition"),
    [
        ("zh", "未知的角色 'treasurer'；请在本包或其依赖的包中用 kind Role 声明它（已有：", "未知的名称 'totl'"),
        ("en", "unknown role 'treasurer'; declare it with kind Role in this pack or one it requires (known: ", "unknown name 'totl'"),
    ],
)  # fmt: skip
def test_a_chains_definition_errors_are_shown_in_the_admins_language(
    company: Platform, language: str, role: str, condition: str
) -> None:
    admin = admin_in(company, language)
    refused = post_editor(admin, CHAIN, "fw-chain-editor", {"steps.1.approvers.0.role": "treasurer"})
    assert refused.status_code == 400
    messages = control_errors(refused, "steps.1.approvers.0.role")
    assert messages and messages[0].startswith(role), messages
    typo = post_editor(
        admin, CHAIN, "fw-chain-editor", {"cond.steps.2.when.mode": "text", "cond.steps.2.when.text": "totl > 1"}
    )
    assert typo.status_code == 400
    builder = re.search(r'data-condition="cond\.steps\.2\.when">(.*?)</span>', typo.text, re.S)
    assert builder, page_text(typo)
    shown = text_of(builder.group(1))
    assert condition in shown and bool(CJK.search(shown)) == (language == "zh"), shown


@pytest.mark.parametrize(
    ("language", "expected"),
    [("zh", "crm.opportunity 没有字段 'chance'"), ("en", "crm.opportunity has no field 'chance'")],
)
def test_an_automations_definition_error_is_shown_in_the_admins_language(
    company: Platform, language: str, expected: str
) -> None:
    admin = admin_in(company, language)
    refused = post_editor(admin, MARK_WON, "fw-automation-editor", {"steps.0.set.1.field": "chance"})
    assert refused.status_code == 400
    assert control_errors(refused, "steps.0.set.chance") == [expected], page_text(refused)


@pytest.mark.parametrize(
    ("language", "added", "refused", "not_published"),
    [
        (
            "zh",
            "新增列 crm_account.x_note",
            "已拒绝：crm account.x_code 是新增的必填字段，但有 1 条记录将没有值；请在定义中给出 `backfill:`",
            "租户“check-words-zh”：有 1 项变更被拒绝，因此没有做任何修改：crm account.x_code 是新增的必填字段",
        ),
        (
            "en",
            "add column crm_account.x_note",
            "refused: crm account.x_code is a new required field but 1 record(s) would have no value; give "
            "`backfill:` in the definition",
            "tenant 'check-words-zh': 1 change(s) refused, so nothing was changed: crm account.x_code is a new "
            "required field",
        ),
    ],
)
def test_the_publish_plan_and_its_refusal_read_in_the_admins_language(
    company: Platform, language: str, added: str, refused: str, not_published: str
) -> None:
    admin = admin_in(company, language)
    for field in (
        {"name": "note", "type": "string", "label_en": "Note"},
        {"name": "code", "type": "string", "label_en": "Code", "required": "on"},
    ):
        drafted = post_form(admin, f"{ACCOUNT}/fields", field, f"{ACCOUNT}/")
        assert drafted.status_code == 302, page_text(drafted)
    page = admin.get(f"{ACCOUNT}/")
    changes = re.search(r'<ul class="fw-plan-changes">(.*?)</ul>', page.text, re.S)
    refusals = re.search(r'<ul class="fw-plan-refusals text-danger">(.*?)</ul>', page.text, re.S)
    assert changes and added in text_of(changes.group(1)), page_text(page)
    assert refusals and refused in text_of(refusals.group(1)), page_text(page)

    published = admin.post(f"{ACCOUNT}/publish", data={"csrf_token": csrf_token(page.text)}, follow_redirects=True)
    assert not_published in page_text(published)
    assert admin.post(f"{ACCOUNT}/discard", data={"csrf_token": csrf_token(page.text)}).status_code == 302


BAD_PACK = """\
kind: Entity
name: thing
label: {en: Thing, zh: 东西}
fields:
  - {name: name, type: string, label: {en: Name, zh: 名称}}
  - {name: stage, type: choice, label: {en: Stage, zh: 阶段}, choices: [{value: a, label: {en: A, zh: 甲}}]}
  - {name: twice, type: formula, label: {en: Twice, zh: 两倍}, result: decimal, expression: "name * 2"}
---
kind: ListView
entity: thing
name: all
label: {en: All, zh: 全部}
columns: [name]
filter: [{field: stage, op: "<", value: a}]
---
kind: ApprovalChain
name: check
entity: thing
label: {en: Check, zh: 检查}
steps:
  - {name: one, approvers: [{role: treasurer}]}
"""


def test_formwork_validate_prints_the_same_messages_in_english(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pack = tmp_path / "words"
    pack.mkdir()
    (pack / "pack.yaml").write_text("kind: Pack\nname: words\nversion: 1.0.0\nlabel: {en: Words, zh: 词}\n")
    (pack / "thing.yaml").write_text(BAD_PACK)
    for name, value in {"LANG": "zh_CN.UTF-8", "LC_ALL": "zh_CN.UTF-8", "LANGUAGE": "zh"}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("FORMWORK_INSTANCE", str(tmp_path / "instance"))
    monkeypatch.delenv("FORMWORK_DATABASE_URL", raising=False)
    monkeypatch.setenv("FORMWORK_SECRET_KEY", "cli-test-secret")
    result = CliRunner().invoke(main, ["validate", str(pack)], catch_exceptions=False)
    dispose_engines()
    assert result.exit_code == 1
    where = pack / "thing.yaml"
    assert f"{where}:7 at fields[2].expression: cannot use * on name (text) and 2 (a whole number)" in result.output
    assert (
        f"{where}:14 at filter[0].op: '<' does not apply to stage (a choice field); use one of: =, !=, in, not_in, "
        "is_empty, is_not_empty" in result.output
    )
    assert "at steps[0].approvers[0].role: unknown role 'treasurer'; declare it with kind Role" in result.output
    assert not CJK.search(result.output), result.output

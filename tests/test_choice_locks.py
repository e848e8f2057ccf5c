"""Locked choices: a definition that names particular values of a choice field locks only those. An approval chain
whose condition is `level == 'vip'` keeps `vip` from being renamed or retired (refused at its row, with the reason),
while `key` is renamed and its stored records follow; the field's page marks the locked choice and says why. A use
that cannot tell which values it relies on (the field passed to a function) locks every choice; an outcome, a
trigger's filter and a dashboard's lock the values they set or filter by and no other. Which values an expression
names is read from its checked syntax tree."""

from __future__ import annotations

import html
from html.parser import HTMLParser
from typing import Any

import pytest
import sqlalchemy as sa
from werkzeug.datastructures import MultiDict
from werkzeug.test import Client

from conftest import Platform, control_errors, csrf_token, jwt, login, page_text, post_record
from formwork.expr import Variable, compile_expression
from formwork.tenancy.customizations import read_overlays
from formwork.tenancy.customize import store_overlays
from formwork.tenancy.registry import find_tenant
from formwork.tenancy.storage import tenant_engine

SLUG = "choice-locks"
STUDIO = f"/t/{SLUG}/studio"
USES = """\
kind: ApprovalChain
entity: crm.account
name: vip_review
label: {en: VIP review, zh: VIP 审核}
when: level == 'vip'
steps:
  - name: manager
    approvers: [{manager: 1}]
---
kind: Automation
entity: crm.account
name: tech_accounts
label: {en: Tech accounts, zh: 科技客户}
trigger: {type: updated}
condition: industry.startsWith('tech')
steps:
  - set: {city: Tech park}
"""
CHAIN_REASON = "The approval chain VIP review uses it in a condition"
AUTOMATION_REASON = "The automation Tech accounts uses it in its condition"


@pytest.fixture(scope="module")
def company(platform: Platform) -> Platform:
    """A tenant of core + crm + oa whose own chain and automation use the account's level and industry."""
    tenant = platform.tenant(SLUG)
    store_overlays(platform.settings, platform.catalog, tenant, read_overlays(USES, "uses.yaml"))
    return platform


def signed_in(platform: Platform) -> Client:
    client = platform.client()
    assert login(client, SLUG).status_code == 302
    return client


class FieldForm(HTMLParser):
    """What a browser posts for the field page's form left as it is, and each choice row's lock note."""

    def __init__(self) -> None:
        super().__init__()
        self.posted: list[tuple[str, str]] = []
        self.select: tuple[str, list[str]] | None = None
        self.row = ""
        self.locks: dict[str, str] = {}
        self.lock: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {name: value or "" for name, value in attrs}
        if tag == "tr" and "data-choice" in found:
            self.row = found["data-choice"]
        if tag == "span" and "fw-choice-lock" in found.get("class", ""):
            self.lock = []
        if tag == "input" and found.get("type") == "checkbox":
            if "checked" in found:
                self.posted.append((found["name"], "on"))
        elif tag == "input" and found.get("name"):
            self.posted.append((found["name"], found.get("value", "")))
        elif tag == "select":
            self.select = (found["name"], [])
        elif tag == "option" and self.select is not None and ("selected" in found or not self.select[1]):
            self.select[1][:] = [found.get("value", "")]

    def handle_data(self, data: str) -> None:
        if self.lock is not None:
            self.lock.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "select" and self.select is not None:
            self.posted.append((self.select[0], self.select[1][0]))
            self.select = None
        if tag == "span" and self.lock is not None:
            self.locks[self.row] = " ".join("".join(self.lock).split())
            self.lock = None


def read_form(page: str) -> FieldForm:
    reader = FieldForm()
    reader.feed(page)
    return reader


def field_url(entity: str, field: str) -> str:
    return f"{STUDIO}/{entity}/fields/{field}/"


def column(form: FieldForm, name: str) -> list[str]:
    return [value for key, value in form.posted if key == f"choice_{name}"]


def change(client: Client, entity: str, field: str, **columns: list[str]) -> Any:
    """Post the field's form as shown, with the choice table's `columns` replaced (one item per row)."""
    url = field_url(entity, field)
    shown = client.get(url)
    assert shown.status_code == 200, shown.text
    data = [(k, v) for k, v in read_form(shown.text).posted if k.removeprefix("choice_") not in columns]
    data += [(f"choice_{name}", value) for name, values in columns.items() for value in values]
    return client.post(url, data=MultiDict(data))


def stored_levels(platform: Platform) -> dict[str, str]:
    tenant = find_tenant(platform.settings.database_url, SLUG)
    with tenant_engine(platform.settings, tenant).connect() as conn:
        return dict(conn.execute(sa.text("SELECT name, level FROM crm_account")).all())


def test_the_page_marks_the_choice_the_condition_names_and_says_why(company: Platform) -> None:
    admin = signed_in(company)
    page = admin.get(field_url("crm.account", "level"))
    assert page.status_code == 200
    assert CHAIN_REASON in page_text(page)  # the field is locked: it must stay required and is not retired
    form = read_form(page.text)
    assert form.locks == {"vip": f"Locked: {CHAIN_REASON}."}
    assert 'value="vip" aria-label="Value" readonly' in page.text
    assert 'value="key" aria-label="Value">' in page.text
    chinese = admin.get(field_url("crm.account", "level"), query_string={"_l_": "zh"})
    assert read_form(chinese.text).locks == {"vip": "已锁定： 审批流程「VIP 审核」在条件中用到它."}


def test_an_unlocked_choice_is_renamed_and_its_records_follow(company: Platform) -> None:
    api = company.client()
    headers = jwt(api, SLUG)
    for name, level in (("Key One", "key"), ("Key Two", "key"), ("Vip One", "vip")):
        post_record(api, headers, SLUG, "crm_account", name=name, city="Ningbo", level=level)
    admin = signed_in(company)
    values = column(read_form(admin.get(field_url("crm.account", "level")).text), "value")
    assert values == ["standard", "key", "vip", ""]
    drafted = change(admin, "crm.account", "level", value=["standard", "gold", "vip", ""])
    assert drafted.status_code == 302, page_text(drafted)

    entity_page = admin.get(f"{STUDIO}/crm.account/")
    assert "key → gold (2 records)" in html.unescape(entity_page.text)
    published = admin.post(f"{STUDIO}/crm.account/publish", data={"csrf_token": csrf_token(entity_page.text)})
    assert published.status_code == 302
    stored = stored_levels(company)
    assert stored["Key One"] == stored["Key Two"] == "gold" and stored["Vip One"] == "vip"


def test_renaming_or_retiring_the_locked_choice_is_refused_at_its_row(company: Platform) -> None:
    admin = signed_in(company)
    form = read_form(admin.get(field_url("crm.account", "level")).text)
    values, states = column(form, "value"), column(form, "state")
    renamed = change(admin, "crm.account", "level", value=[v if v != "vip" else "platinum" for v in values])
    assert renamed.status_code == 400
    assert control_errors(renamed, "choices.vip") == [
        f"The choice \u201cvip\u201d is locked, so it cannot be renamed or retired. {CHAIN_REASON}."
    ]
    assert control_errors(renamed, "choices") == []
    retired = change(admin, "crm.account", "level", state=[*states[:2], "retired", *states[3:]])
    assert retired.status_code == 400
    assert any(CHAIN_REASON in message for message in control_errors(retired, "choices.vip"))
    assert "fw-studio-plan" not in admin.get(f"{STUDIO}/crm.account/").text  # nothing was drafted
    assert column(read_form(admin.get(field_url("crm.account", "level")).text), "value")[2] == "vip"


def test_a_use_that_cannot_tell_which_values_it_relies_on_locks_every_choice(company: Platform) -> None:
    admin = signed_in(company)
    form = read_form(admin.get(field_url("crm.account", "industry")).text)
    values = column(form, "value")[:-1]
    assert set(form.locks) == set(values) and len(values) == 6
    assert all(AUTOMATION_REASON in note for note in form.locks.values())
    renamed = change(
        admin, "crm.account", "industry", value=["consumer" if v == "retail" else v for v in [*values, ""]]
    )
    assert renamed.status_code == 400
    assert any(AUTOMATION_REASON in message for message in control_errors(renamed, "choices.retail"))


def test_each_definition_locks_the_values_it_sets_or_filters_by_and_no_other(company: Platform) -> None:
    admin = signed_in(company)
    form = read_form(admin.get(field_url("crm.contract", "status")).text)
    sets = "The approval chain Contract approval sets it when a request is decided."
    reminds = "The automation Contract ending reminder is triggered by it."
    assert form.locks == {
        "approved": f"Locked: {sets} {reminds}",
        "rejected": f"Locked: {sets}",
        "signed": f"Locked: {reminds}",
    }
    purchases = read_form(admin.get(field_url("oa.purchase_request", "status")).text)
    assert purchases.locks["draft"] == "Locked: The dashboard Office filters by it."

    values = column(form, "value")
    drafted = change(admin, "crm.contract", "status", value=["waiting" if v == "in_approval" else v for v in values])
    assert drafted.status_code == 302, page_text(drafted)
    drafted_values = column(read_form(admin.get(field_url("crm.contract", "status")).text), "value")
    assert drafted_values == ["draft", "waiting", "approved", "rejected", "signed", ""]


LEVEL = Variable("choice", choices=("standard", "key", "vip"))
RECORD = {"level": LEVEL, "tags": Variable("multi_choice", choices=("a", "b")), "name": "string"}


@pytest.mark.parametrize(
    ("source", "named"),
    [
        ("level == 'vip' || 'key' == level", {"level": frozenset({"vip", "key"})}),
        ("level != 'standard' && level != null", {"level": frozenset({"standard"})}),
        ("level in ['key', 'vip'] && 'a' in tags", {"level": frozenset({"key", "vip"}), "tags": frozenset({"a"})}),
        ("old.level == 'vip' && has(old.name)", {"old.level": frozenset({"vip"}), "old.name": frozenset()}),
        ("level == 'vip' || level.startsWith('k')", {"level": None}),
        ("level == name", {"level": None, "name": None}),
        ("tags.exists(t, t == 'a')", {"tags": None}),
        ("['vip'].exists(level, level == 'x') && name == 'x'", {"name": frozenset({"x"})}),
    ],
)
def test_the_values_an_expression_names_for_each_field(source: str, named: dict[str, frozenset[str] | None]) -> None:
    old = Variable("map", fields={"level": LEVEL, "name": Variable("string")})
    assert compile_expression(source, {**RECORD, "old": old}).named == named

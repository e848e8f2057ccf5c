"""Editing a dashboard card in the Studio: the card's Edit opens the card form filled with what it is now, saving
replaces it in its place in the draft and, once published, the dashboard shows the new card; an edit the checks refuse
is shown at its control with a 400 and stores nothing; an edit posted from a page older than the draft is refused with
a 409, one of a card no longer there with a 404; what the form does not edit (a chart's time axis, a list's columns, a
nested filter) is kept; only admins edit, with the CSRF token."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
import yaml
from sqlalchemy.orm import Session
from werkzeug.test import Client

from conftest import PASSWORD, Platform, control_errors, csrf_token, jwt, login, page_text, post_record
from formwork.studio.drafts import draft_of, save_draft
from formwork.tenancy.apps import build_tenant_app
from formwork.tenancy.registry import find_tenant
from formwork.tenancy.storage import tenant_engine
from test_studio_dashboards import WON_AMOUNT, number_of

SLUG = "studio-dashboard-cards"
DASHBOARDS = f"/t/{SLUG}/studio/dashboards"
CHANGED = "Someone changed this draft since the page was shown; nothing was saved."
ACCOUNTS = {"card.entity": "crm.account", "card.type": "number", "card.label_en": "Accounts", "card.row": "0"}


@pytest.fixture(scope="module")
def company(platform: Platform) -> Platform:
    """A tenant of core + crm + oa with deals won for 900 and 340 and lost for 5000; rita (a sales rep) is no admin."""
    app = build_tenant_app(platform.settings, platform.tenant(SLUG), platform.catalog)
    with app.app_context():
        sm = app.appbuilder.sm
        sm.add_user("rita", "Rita", "Test", "rita@example.com", [sm.find_role("sales_rep")], password=PASSWORD)
    client = platform.client()
    headers = jwt(client, SLUG)
    account = post_record(client, headers, SLUG, "crm_account", name="Lee Trading")
    for name, stage, amount in (("A", "won", "900"), ("B", "won", "340"), ("C", "lost", "5000")):
        post_record(
            client, headers, SLUG, "crm_opportunity", name=name, account=account, stage=stage, amount=amount,
            close_date="2026-06-30",
        )  # fmt: skip
    return platform


def signed_in(platform: Platform, user: str = "admin") -> Client:
    client = platform.client()
    assert login(client, SLUG, user).status_code == 302
    return client


def edit_url(target: str, place: str) -> str:
    return f"{DASHBOARDS}/{target}/cards/{place}/"


def post_page(client: Client, url: str, page: Any, data: dict[str, Any]) -> Any:
    """Post `data` as the form of `page` would: with its CSRF token and the draft's edits it showed."""
    edits = re.search(r'name="edits" value="(\d+)"', page.text)
    assert edits, "the page shows no edits"
    return client.post(url, data={**data, "csrf_token": csrf_token(page.text), "edits": edits.group(1)})


def post_form(client: Client, url: str, page_url: str, data: dict[str, Any]) -> Any:
    return post_page(client, url, client.get(page_url), data)


def draft(platform: Platform, target: str) -> dict[str, Any] | None:
    tenant = find_tenant(platform.settings.database_url, SLUG)
    with Session(tenant_engine(platform.settings, tenant)) as session:
        source = draft_of(session, f"Dashboard {target}")
    return yaml.safe_load(source) if source else None


def write_draft(platform: Platform, target: str, document: dict[str, Any]) -> None:
    """A draft as one written in YAML (`formwork tenant customize`) would be: cards the form cannot make."""
    tenant = find_tenant(platform.settings.database_url, SLUG)
    with Session(tenant_engine(platform.settings, tenant)) as session:
        save_draft(session, f"Dashboard {target}", yaml.safe_dump(document, sort_keys=False), "admin")
        session.commit()


def form_values(page: Any) -> dict[str, str]:
    """The card form's values as a browser posts them: each text input's value, each select's selected option (none
    selected: its first)."""
    form = page.text.split('class="fw-card-form"', 1)[1].split("</form>", 1)[0]
    values = dict(re.findall(r'<input type="(?:text|number)"[^>]* name="([^"]+)"[^>]* value="([^"]*)"', form))
    for name, options in re.findall(r'<select[^>]* name="([^"]+)"[^>]*>(.*?)</select>', form, re.S):
        chosen = re.search(r'<option value="([^"]*)" selected>', options) or re.search(
            r'<option value="([^"]*)"', options
        )
        assert chosen, name
        values[name] = html.unescape(chosen.group(1))
    return {name: html.unescape(value) for name, value in values.items()}


def team_with_two_cards(client: Client, name: str) -> str:
    """A new dashboard of the company's own with the won amount and, beside it, the count of accounts."""
    target = f"x.{name}"
    editor = f"{DASHBOARDS}/{target}/"
    for card in (WON_AMOUNT, ACCOUNTS):
        added = post_form(client, f"{DASHBOARDS}/{target}/cards", editor, card)
        assert added.status_code == 302, page_text(added)
    return target


def test_a_card_is_edited_in_its_place_and_shown_once_published(company: Platform) -> None:
    admin = signed_in(company)
    target = team_with_two_cards(admin, "deals")
    editor = admin.get(f"{DASHBOARDS}/{target}/")
    assert f'href="{edit_url(target, "r0w0")}#fw-card-form"' in editor.text
    assert f'href="{edit_url(target, "r0w1")}#fw-card-form"' in editor.text

    page = admin.get(edit_url(target, "r0w0"))
    assert page.status_code == 200
    assert "Edit card Won amount" in page_text(page)
    assert f'action="{edit_url(target, "r0w0")}" class="fw-card-form"' in page.text
    assert 'name="card.row"' not in page.text  # the card stays where it is
    assert form_values(page) == {
        "card.type": "number",
        "card.measure": "sum",
        "card.field": "amount",
        "card.width": "",
        "card.chart": "",
        "card.group_by": "",
        "card.label_en": "Won amount",
        "card.label_zh": "赢单金额",
        "card.filter.match": "all",
        "card.filter.0.field": "stage",
        "card.filter.0.op": "=",
        "card.filter.0.value": "won",
        **{f"card.filter.{i}.{part}": "" for i in (1, 2, 3) for part in ("field", "value")},
        **{f"card.filter.{i}.op": "=" for i in (1, 2, 3)},  # blank rows: their field empty, the first operator
    }

    edited = post_page(
        admin,
        edit_url(target, "r0w0"),
        page,
        {
            **form_values(page),
            "card.entity": "crm.opportunity",
            "card.measure": "avg",
            "card.filter.0.op": "in",
            "card.filter.0.value": "won, lost",
            "card.label_en": "Average deal",
            "card.label_zh": "平均商机金额",
        },
    )
    assert edited.status_code == 302, page_text(edited)
    drafted = draft(company, target)
    assert drafted is not None
    assert drafted["rows"] == [
        {
            "widgets": [
                {
                    "type": "number",
                    "entity": "crm.opportunity",
                    "label": {"en": "Average deal", "zh": "平均商机金额"},
                    "measure": "avg",
                    "field": "amount",
                    "filter": [{"field": "stage", "op": "in", "value": ["won", "lost"]}],
                },
                {"type": "number", "entity": "crm.account", "label": {"en": "Accounts"}},
            ]
        }
    ]

    published = post_form(admin, f"{DASHBOARDS}/{target}/publish", f"{DASHBOARDS}/{target}/", {"comment": "avg"})
    assert published.status_code == 302, page_text(published)
    shown = admin.get(f"/t/{SLUG}/dashboards/{target}/")
    assert shown.status_code == 200
    assert re.findall(r'<h3 class="panel-title">([^<]+)</h3>', shown.text) == ["Average deal", "Accounts"]
    assert number_of(shown, "Average deal") == "CN¥2,080.00"  # (900 + 340 + 5000) / 3


def test_an_edit_the_checks_refuse_is_shown_at_its_control_and_stores_nothing(company: Platform) -> None:
    admin = signed_in(company)
    target = team_with_two_cards(admin, "refused")
    before = draft(company, target)
    url = edit_url(target, "r0w0")
    page = admin.get(url)

    refused = post_page(admin, url, page, {**form_values(page), "card.entity": "crm.opportunity", "card.field": "name"})
    assert refused.status_code == 400
    assert control_errors(refused, "card.field") == [
        "'name' is not a number field of crm.opportunity, so it has no sum"
    ]
    assert f'action="{url}" class="fw-card-form"' in refused.text  # still editing that card, as posted
    assert form_values(refused)["card.label_en"] == "Won amount"
    assert "Nothing was saved; correct what is marked." in page_text(refused)

    wrong_value = post_page(
        admin, url, page, {**form_values(page), "card.entity": "crm.opportunity", "card.filter.0.value": "nearly"}
    )
    assert wrong_value.status_code == 400
    assert any("nearly" in message for message in control_errors(wrong_value, "card.filter.0.value"))
    too_wide = post_page(admin, url, page, {**form_values(page), "card.entity": "crm.opportunity", "card.width": "13"})
    assert too_wide.status_code == 400 and control_errors(too_wide, "card.width")
    no_records = post_page(admin, url, page, {**form_values(page), "card.entity": "crm.nothing"})
    assert no_records.status_code == 400
    assert control_errors(no_records, "card.entity") == ["Choose one."]
    assert draft(company, target) == before


def test_an_edit_from_a_page_older_than_the_draft_is_refused(company: Platform) -> None:
    admin, other = signed_in(company), signed_in(company)
    target = team_with_two_cards(admin, "stale")
    url = edit_url(target, "r0w1")
    page = admin.get(url)
    assert form_values(page)["card.label_en"] == "Accounts"

    moved = post_form(
        other, f"{DASHBOARDS}/{target}/arrange", f"{DASHBOARDS}/{target}/", {"row.0": ["r0w1", "r0w0"]}
    )  # another admin swaps the cards: r0w1 is the won amount now
    assert moved.status_code == 302, page_text(moved)
    before = draft(company, target)
    assert before is not None and before["rows"][0]["widgets"][1]["label"] == {"en": "Won amount", "zh": "赢单金额"}

    stale = post_page(admin, url, page, {**form_values(page), "card.entity": "crm.account", "card.label_en": "Firms"})
    assert stale.status_code == 409
    assert control_errors(stale, "") == [CHANGED]
    assert draft(company, target) == before

    fresh = admin.get(url)
    assert form_values(fresh)["card.label_en"] == "Won amount"
    gone = post_page(admin, edit_url(target, "r0w7"), fresh, {**form_values(fresh), "card.entity": "crm.opportunity"})
    assert gone.status_code == 404
    no_card = "This dashboard has no such card any more: it was moved or removed since the page was shown."
    assert control_errors(gone, "") == [no_card]
    for missing in ("r3w0", "r0w2", "nothing"):
        shown = admin.get(edit_url(target, missing))
        assert shown.status_code == 404 and control_errors(shown, "") == [no_card]
    assert admin.get(edit_url("crm.nowhere", "r0w0")).status_code == 404
    assert draft(company, target) == before


def test_only_admins_edit_a_card_and_only_with_the_csrf_token(company: Platform) -> None:
    admin = signed_in(company)
    target = team_with_two_cards(admin, "rights")
    before = draft(company, target)
    url = edit_url(target, "r0w0")
    rita = signed_in(company, "rita")
    assert rita.get(url).status_code == 403
    token = csrf_token(rita.get(f"/t/{SLUG}/crm_account/add").text)
    refused = rita.post(url, data={**WON_AMOUNT, "card.label_en": "Mine", "csrf_token": token, "edits": "2"})
    assert refused.status_code == 403
    assert admin.post(url, data={**WON_AMOUNT, "card.label_en": "Mine", "edits": "2"}).status_code == 400
    assert draft(company, target) == before


def test_what_the_form_does_not_edit_is_kept_while_it_applies(company: Platform) -> None:
    admin = signed_in(company)
    sales = "crm.sales"
    by_month = admin.get(edit_url(sales, "r1w1"))  # the pack's "Won by month": a line chart over time
    assert by_month.status_code == 200
    assert "Kept as the dashboard has them while the records and the type stay the same: over_time." in page_text(
        by_month
    )
    values = {**form_values(by_month), "card.entity": "crm.opportunity"}
    assert values["card.chart"] == "line" and values["card.filter.1.op"] == "last_days"
    saved = post_page(admin, edit_url(sales, "r1w1"), by_month, {**values, "card.chart": "bar"})
    assert saved.status_code == 302, page_text(saved)
    drafted = draft(company, sales)
    assert drafted is not None and drafted["pack"] == "crm"
    assert drafted["rows"][1]["widgets"][1] == {
        "type": "chart",
        "entity": "crm.opportunity",
        "label": {"en": "Won by month", "zh": "每月赢单金额"},
        "measure": "sum",
        "field": "amount",
        "chart": "bar",
        "filter": [
            {"field": "stage", "op": "=", "value": "won"},
            {"field": "close_date", "op": "last_days", "value": 365},
        ],
        "over_time": {"field": "close_date", "by": "month"},
    }

    latest = admin.get(edit_url(sales, "r2w1"))  # a list card: the form adds none, but edits its label and width
    assert form_values(latest)["card.type"] == "list" and ">List</option>" in latest.text
    assert "stay the same: columns, sort, limit." in page_text(latest)
    widened = post_page(
        admin,
        edit_url(sales, "r2w1"),
        latest,
        {**form_values(latest), "card.entity": "crm.opportunity", "card.measure": "count", "card.width": "6"},
    )
    assert widened.status_code == 302, page_text(widened)
    drafted = draft(company, sales)
    assert drafted is not None
    assert drafted["rows"][2]["widgets"][1] == {
        "type": "list",
        "entity": "crm.opportunity",
        "label": {"en": "Latest opportunities", "zh": "最新商机"},
        "width": 6,
        "columns": ["name", "account", "stage", "amount", "close_date"],
        "sort": "-created_at",
        "limit": 5,
    }

    as_number = admin.get(edit_url(sales, "r1w1"))  # now a number card: a time axis would not apply to it
    numbered = post_page(
        admin,
        edit_url(sales, "r1w1"),
        as_number,
        {**form_values(as_number), "card.entity": "crm.opportunity", "card.type": "number", "card.chart": ""},
    )
    assert numbered.status_code == 302, page_text(numbered)
    drafted = draft(company, sales)
    assert drafted is not None and "over_time" not in drafted["rows"][1]["widgets"][1]
    assert drafted["rows"][1]["widgets"][1]["type"] == "number"


def test_a_nested_filter_is_kept_while_the_records_stay_the_same(company: Platform) -> None:
    nested = {
        "any": [{"field": "stage", "op": "=", "value": "won"}, {"not": {"field": "amount", "op": "<", "value": 1000}}]
    }
    card = {"type": "number", "entity": "crm.opportunity", "label": {"en": "Big or won"}, "filter": nested}
    write_draft(company, "x.nested", {"kind": "Dashboard", "name": "nested", "rows": [{"widgets": [card]}]})
    admin = signed_in(company)
    url = edit_url("x.nested", "r0w0")
    page = admin.get(url)
    assert "This card's filter nests conditions, which the rows cannot show" in page_text(page)
    assert 'name="card.filter.0.field"' not in page.text
    titled = post_page(
        admin, url, page, {**form_values(page), "card.entity": "crm.opportunity", "card.label_en": "Won or big"}
    )
    assert titled.status_code == 302, page_text(titled)
    assert draft(company, "x.nested") == {
        "kind": "Dashboard",
        "name": "nested",
        "rows": [{"widgets": [{**card, "label": {"en": "Won or big"}}]}],
    }

    accounts = admin.get(f"{url}?entity=crm.account")  # other records: the deals' filter would not apply
    assert form_values(accounts)["card.label_en"] == "Won or big"
    assert "nests conditions" not in page_text(accounts)
    moved = post_page(admin, url, accounts, {**form_values(accounts), "card.entity": "crm.account"})
    assert moved.status_code == 302, page_text(moved)
    drafted = draft(company, "x.nested")
    assert drafted is not None
    assert drafted["rows"][0]["widgets"][0] == {
        "type": "number",
        "entity": "crm.account",
        "label": {"en": "Won or big"},
    }

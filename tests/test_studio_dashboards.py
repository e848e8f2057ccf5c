"""Dashboards in the Studio: a tenant's admin makes a dashboard of the company's own by adding cards (records, measure,
field, filter rows), a card the checks refuse is shown at its control with a 400 and stores nothing, publishing puts
the dashboard in the menu with the right numbers; a pack's dashboard is rearranged (cards moved, removed) into an
overlay naming its pack; each publish is a version; only admins reach the editor."""

from __future__ import annotations

import re
from typing import Any

import pytest
import yaml
from sqlalchemy.orm import Session
from werkzeug.test import Client

from conftest import PASSWORD, Platform, control_errors, csrf_token, jwt, login, page_text, post_record
from formwork.studio.drafts import draft_of
from formwork.tenancy.apps import build_tenant_app
from formwork.tenancy.customizations import stored_sources
from formwork.tenancy.registry import find_tenant
from formwork.tenancy.storage import tenant_engine

SLUG = "studio-dashboards"
DASHBOARDS = f"/t/{SLUG}/studio/dashboards"
TEAM = f"{DASHBOARDS}/x.team"
SALES = f"{DASHBOARDS}/crm.sales"
WON_AMOUNT = {
    "card.entity": "crm.opportunity",
    "card.type": "number",
    "card.measure": "sum",
    "card.field": "amount",
    "card.filter.0.field": "stage",
    "card.filter.0.op": "=",
    "card.filter.0.value": "won",
    "card.filter.1.field": "",
    "card.label_en": "Won amount",
    "card.label_zh": "赢单金额",
    "card.row": "new",
}


@pytest.fixture(scope="module")
def company(platform: Platform) -> Platform:
    """A tenant of core + crm + oa with won and lost deals; rita (a sales rep) is no admin."""
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


def post_form(client: Client, url: str, page_url: str, data: dict[str, Any]) -> Any:
    return client.post(url, data={**data, "csrf_token": csrf_token(client.get(page_url).text)})


def draft(platform: Platform, target: str) -> dict[str, Any] | None:
    tenant = find_tenant(platform.settings.database_url, SLUG)
    with Session(tenant_engine(platform.settings, tenant)) as session:
        source = draft_of(session, f"Dashboard {target}")
    return yaml.safe_load(source) if source else None


def layout(page: Any) -> dict[str, list[str]]:
    """The arrangement the editor shows, as its form posts it: `row.<i>` -> the cards' places."""
    found: dict[str, list[str]] = {}
    for row, place in re.findall(r'<input type="hidden" name="(row\.\d+)" value="(r\d+w\d+)">', page.text):
        found.setdefault(row, []).append(place)
    return found


def publish(client: Client, url: str) -> Any:
    published = post_form(client, f"{url}/publish", f"{url}/", {"comment": "for the team"})
    assert published.status_code == 302, page_text(published)
    return client.get(f"{url}/")


def number_of(page: Any, title: str) -> str:
    card = page.text.split(f'<h3 class="panel-title">{title}</h3>', 1)[1]
    found = re.search(r'<div class="fw-number">(?:<a [^>]*>)?([^<]*)', card)
    assert found, title
    return found.group(1).strip()


def test_only_admins_reach_the_dashboard_editor(company: Platform) -> None:
    rita = signed_in(company, "rita")
    for url in (f"{DASHBOARDS}/", f"{SALES}/", f"{TEAM}/"):
        assert rita.get(url).status_code == 403
    token = csrf_token(rita.get(f"/t/{SLUG}/crm_account/add").text)
    assert rita.post(f"{TEAM}/cards", data={**WON_AMOUNT, "csrf_token": token}).status_code == 403
    assert draft(company, "x.team") is None
    admin = signed_in(company)
    assert admin.post(f"{TEAM}/cards", data=WON_AMOUNT).status_code == 400  # no CSRF token
    assert draft(company, "x.team") is None


def test_the_studio_lists_the_pack_dashboards_with_edit_and_new(company: Platform) -> None:
    admin = signed_in(company)
    assert f'href="{DASHBOARDS}/"' in admin.get(f"/t/{SLUG}/studio/").text
    page = admin.get(f"{DASHBOARDS}/")
    assert page.status_code == 200
    assert 'data-dashboard="crm.sales"' in page.text and f'href="{SALES}/"' in page.text
    taken = post_form(admin, f"{DASHBOARDS}/new", f"{DASHBOARDS}/", {"name": "Bad Name"})
    assert taken.status_code == 400
    assert control_errors(taken, "name") == ["Use lower-case letters, digits and _, starting with a letter."]


def test_a_card_with_a_field_that_is_no_number_is_refused_at_its_control(company: Platform) -> None:
    admin = signed_in(company)
    refused = post_form(admin, f"{TEAM}/cards", f"{TEAM}/", {**WON_AMOUNT, "card.field": "name"})
    assert refused.status_code == 400
    assert control_errors(refused, "card.field") == [
        "'name' is not a number field of crm.opportunity, so it has no sum"
    ]
    assert 'value="Won amount"' in refused.text  # the form as posted, to correct
    assert draft(company, "x.team") is None
    wrong_value = post_form(admin, f"{TEAM}/cards", f"{TEAM}/", {**WON_AMOUNT, "card.filter.0.value": "nearly"})
    assert wrong_value.status_code == 400
    assert any("nearly" in message for message in control_errors(wrong_value, "card.filter.0.value"))
    assert draft(company, "x.team") is None


def test_a_new_dashboard_with_a_number_card_shows_its_number_once_published(company: Platform) -> None:
    admin = signed_in(company)
    created = post_form(admin, f"{DASHBOARDS}/new", f"{DASHBOARDS}/", {"name": "team"})
    assert created.status_code == 302 and created.location.endswith(f"{TEAM}/")
    editor = admin.get(f"{TEAM}/?entity=crm.opportunity")
    assert 'name="card.field"' in editor.text and '<option value="amount">' in editor.text
    added = post_form(admin, f"{TEAM}/cards", f"{TEAM}/", WON_AMOUNT)
    assert added.status_code == 302, page_text(added)
    assert draft(company, "x.team") == {
        "kind": "Dashboard",
        "name": "team",
        "rows": [
            {
                "widgets": [
                    {
                        "type": "number",
                        "entity": "crm.opportunity",
                        "label": {"en": "Won amount", "zh": "赢单金额"},
                        "measure": "sum",
                        "field": "amount",
                        "filter": [{"field": "stage", "op": "=", "value": "won"}],
                    }
                ]
            }
        ],
    }
    titled = post_form(admin, f"{TEAM}/settings", f"{TEAM}/", {"label_en": "Team", "roles": ["sales_rep"]})
    assert titled.status_code == 302, page_text(titled)
    assert admin.get(f"/t/{SLUG}/dashboards/x.team/").status_code == 404  # a draft shows nobody anything

    editor = publish(admin, TEAM)
    assert "fw-studio-plan" not in editor.text
    assert ("Dashboard", "x.team") in stored_sources(company.settings, SLUG)
    shown = admin.get(f"/t/{SLUG}/dashboards/x.team/")
    assert shown.status_code == 200
    assert number_of(shown, "Won amount") == "CN¥1,240.00"  # 900 + 340 won; the lost 5000 is filtered out
    rita = signed_in(company, "rita")
    mine = rita.get(f"/t/{SLUG}/dashboards/x.team/")  # meant for sales reps: she sees it, over her own deals
    assert mine.status_code == 200 and number_of(mine, "Won amount") == "CN¥0.00"
    versions = page_text(admin.get(f"/t/{SLUG}/studio/versions/"))
    assert "Dashboard x.team" in versions and "for the team" in versions


def test_a_pack_dashboard_is_rearranged_into_an_overlay_of_its_pack(company: Platform) -> None:
    admin = signed_in(company)
    editor = admin.get(f"{SALES}/")
    shown = layout(editor)
    assert shown == {"row.0": ["r0w0", "r0w1", "r0w2"], "row.1": ["r1w0", "r1w1"], "row.2": ["r2w0", "r2w1"]}
    stale = post_form(admin, f"{SALES}/arrange", f"{SALES}/", {**shown, "row.2": ["r2w0"], "move": "r0w0:down"})
    assert stale.status_code == 409  # the page showed a card the dashboard no longer has, or lacked one it has
    assert control_errors(stale, "") == ["Someone changed this draft since the page was shown; nothing was saved."]
    too_wide = post_form(admin, f"{SALES}/arrange", f"{SALES}/", {**shown, "move": "r2w1:up"})
    assert too_wide.status_code == 400
    assert control_errors(too_wide, "row.1") == ["the widths of the row add up to 16; a row has 12 columns"]
    assert draft(company, "crm.sales") is None

    moved = post_form(admin, f"{SALES}/arrange", f"{SALES}/", {**shown, "move": "r0w2:down"})
    assert moved.status_code == 302, page_text(moved)
    removed = post_form(admin, f"{SALES}/arrange", f"{SALES}/", {**layout(admin.get(f"{SALES}/")), "remove": "r2w0"})
    assert removed.status_code == 302, page_text(removed)
    dragged = layout(admin.get(f"{SALES}/"))
    dragged["row.0"], dragged["row.1"] = dragged["row.1"][:1], dragged["row.0"] + dragged["row.1"][1:]
    saved = post_form(admin, f"{SALES}/arrange", f"{SALES}/", dragged)
    assert saved.status_code == 302, page_text(saved)
    drafted = draft(company, "crm.sales")
    assert drafted is not None and drafted["pack"] == "crm" and drafted["name"] == "sales"
    titles = [[w["label"]["en"] for w in row["widgets"]] for row in drafted["rows"]]
    assert titles == [
        ["Pipeline by stage"],
        ["Open opportunities", "Open pipeline amount", "Won by month", "Won this year"],
        ["Latest opportunities"],
    ]

    publish(admin, SALES)
    assert ("Dashboard", "crm.sales") in stored_sources(company.settings, SLUG)
    page = admin.get(f"/t/{SLUG}/dashboards/crm.sales/")
    assert page.status_code == 200
    order = re.findall(r'<h3 class="panel-title">([^<]+)</h3>', page.text)
    assert order == [*titles[0], *titles[1], *titles[2]]  # the removed "Accounts by industry" card is gone

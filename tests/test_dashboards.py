"""Dashboards: the home page's cards, the charts' data, record rules, tenants apart, the shipped chart library."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from werkzeug.test import Client

from conftest import PASSWORD, Platform, jwt, login
from formwork.dashboards import compute
from formwork.dashboards.definition import build_dashboard
from formwork.meta.yamlload import Document
from formwork.tenancy.registry import find_tenant

TODAY = date.today()
THIS_MONTH = TODAY.replace(day=1)
LAST_MONTH = (THIS_MONTH - timedelta(days=1)).replace(day=1)


def _post(client: Client, auth: dict, table: str, **values) -> int:
    response = client.post(
        f"/t/{{slug}}/api/v1/{table}/".format(slug=auth["slug"]), json=values, headers=auth["headers"]
    )
    assert response.status_code == 201, response.text
    return response.json["id"]


def _app(platform: Platform, slug: str):
    return platform.app.tenant_apps.get(find_tenant(platform.settings.database_url, slug))


@pytest.fixture(scope="module")
def tenants(platform: Platform) -> Platform:
    """dash-a: three accounts, four opportunities (one owned by the sales rep Rita), a won one per month;
    dash-b: one opportunity of 7."""
    platform.tenant("dash-a")
    platform.tenant("dash-b")
    client = platform.client()
    a = {"slug": "dash-a", "headers": jwt(client, "dash-a")}
    tech = _post(client, a, "crm_account", name="Tech One", industry="technology")
    shop = _post(client, a, "crm_account", name="Shop Two", industry="retail")
    _post(client, a, "crm_account", name="Shop Three", industry="retail")
    rita = _post(client, a, "core_employee", name="Rita Rep", login="rita")
    _post(
        client, a, "crm_opportunity", name="Rita's deal", account=tech, stage="prospecting", amount="1000", owner=rita
    )
    _post(
        client,
        a,
        "crm_opportunity",
        name="Big <b>proposal</b>",
        account=shop,
        stage="proposal",
        amount="2500.50",
        close_date=TODAY.isoformat(),
    )
    _post(
        client,
        a,
        "crm_opportunity",
        name="Won before",
        account=shop,
        stage="won",
        amount="4000",
        close_date=LAST_MONTH.isoformat(),
    )
    _post(
        client,
        a,
        "crm_opportunity",
        name="Won now",
        account=tech,
        stage="won",
        amount="600",
        close_date=THIS_MONTH.isoformat(),
    )
    b = {"slug": "dash-b", "headers": jwt(client, "dash-b")}
    other = _post(client, b, "crm_account", name="Elsewhere", industry="finance")
    _post(client, b, "crm_opportunity", name="Small", account=other, stage="qualification", amount="7")
    app = _app(platform, "dash-a")
    with app.app_context():
        sm = app.appbuilder.sm
        assert sm.add_user("rita", "Rita", "Rep", "rita@example.com", sm.find_role("sales_rep"), password=PASSWORD)
    return platform


def _signed_in(platform: Platform, slug: str, user: str = "admin") -> Client:
    client = platform.client()
    assert login(client, slug, user).status_code == 302
    return client


def _card(html: str, title: str) -> str:
    """The body of the card titled `title`."""
    match = re.search(
        rf'<h3 class="panel-title">{re.escape(title)}</h3></div>\s*<div class="panel-body">(.*?)</div>\s*</div>',
        html,
        re.S,
    )
    assert match, f"no card {title!r}"
    return match.group(1)


def _number(html: str, title: str) -> str:
    found = re.search(r'<div class="fw-number">(?:<a [^>]*>)?([^<]*)', _card(html, title))
    assert found, f"card {title!r} shows no number"
    return found.group(1)


def _charts(client: Client, slug: str, name: str = "crm.sales") -> dict[str, dict]:
    response = client.get(f"/t/{slug}/dashboards/{name}/data")
    assert response.status_code == 200 and response.mimetype == "application/json"
    return {chart["key"]: chart for chart in response.json["charts"]}


def test_the_home_page_is_the_first_dashboard_with_the_right_numbers(tenants: Platform) -> None:
    page = _signed_in(tenants, "dash-a").get("/t/dash-a/")
    assert page.status_code == 200
    html = page.text
    assert "<h2>Sales</h2>" in html
    assert _number(html, "Open opportunities") == "2"
    assert "3,500.50" in _number(html, "Open pipeline amount") and "CN¥" in _number(html, "Open pipeline amount")
    assert 'href="/t/dash-a/crm_opportunity/view/pipeline/"' in _card(html, "Open opportunities")
    latest = _card(html, "Latest opportunities")
    assert "Won now" in latest and "Tech One" in latest and "/t/dash-a/crm_opportunity/show/" in latest
    assert "Big &lt;b&gt;proposal&lt;/b&gt;" in latest and "<b>proposal" not in latest  # names are escaped
    assert 'canvas class="fw-chart" data-widget="r1w0"' in html
    assert 'data-url="/t/dash-a/dashboards/crm.sales/data"' in html


def test_the_data_endpoint_groups_in_choice_order_and_over_time_by_month(tenants: Platform) -> None:
    charts = _charts(_signed_in(tenants, "dash-a"), "dash-a")
    stage = charts["r1w0"]
    assert (stage["chart"], stage["labels"], stage["values"]) == ("bar", ["Prospecting", "Proposal"], [1000.0, 2500.5])
    assert "2,500.50" in stage["shown"][1]
    won = charts["r1w1"]
    assert won["chart"] == "line"
    assert won["labels"] == [LAST_MONTH.strftime("%Y-%m"), THIS_MONTH.strftime("%Y-%m")]
    assert won["values"] == [4000.0, 600.0]
    industry = charts["r2w0"]
    assert (industry["chart"], industry["labels"], industry["values"]) == ("pie", ["Technology", "Retail"], [1.0, 2.0])


def test_record_rules_limit_what_a_sales_rep_counts(tenants: Platform) -> None:
    client = _signed_in(tenants, "dash-a", "rita")
    html = client.get("/t/dash-a/").text
    assert _number(html, "Open opportunities") == "1"
    assert "1,000.00" in _number(html, "Open pipeline amount")
    assert "Rita&#39;s deal" in _card(html, "Latest opportunities") and "Won now" not in html
    assert _charts(client, "dash-a")["r1w0"]["labels"] == ["Prospecting"]
    office = client.get("/t/dash-a/dashboards/oa.office/").text  # no rights on leave requests
    assert "You may not see these records." in _card(office, "Upcoming leave")


def test_a_dashboard_for_other_roles_is_missing_and_hidden_fields_stay_hidden(tenants: Platform, monkeypatch) -> None:
    catalog = _app(tenants, "dash-a").extensions["formwork"].catalog
    document = Document(
        data={
            "kind": "Dashboard",
            "name": "people",
            "rows": [
                {
                    "widgets": [
                        {
                            "type": "list",
                            "label": "People",
                            "entity": "core.employee",
                            "columns": ["name", "phone"],
                            "sort": "name",
                        }
                    ]
                }
            ],
        },
        file="people.yaml",
        lines={},
        pack="oa",
    )
    monkeypatch.setitem(catalog.dashboards, "oa.people", build_dashboard(document))
    admin = _signed_in(tenants, "dash-a")
    a = {"slug": "dash-a", "headers": jwt(admin, "dash-a")}
    _post(admin, a, "core_employee", name="Eve Staff", login="eve", phone="+86 21 5555 0101")
    app = _app(tenants, "dash-a")
    with app.app_context():
        sm = app.appbuilder.sm
        assert sm.add_user("eve", "Eve", "Staff", "eve@example.com", sm.find_role("employee"), password=PASSWORD)
    assert "5555 0101" in _card(admin.get("/t/dash-a/dashboards/oa.people/").text, "People")
    eve = _signed_in(tenants, "dash-a", "eve")
    people = _card(eve.get("/t/dash-a/dashboards/oa.people/").text, "People")
    assert "Eve Staff" in people and "5555 0101" not in people and "Phone" not in people
    home = eve.get("/t/dash-a/").text
    assert "<h2>Office</h2>" in home and "/dashboards/crm.sales/" not in home  # the sales dashboard is for sales roles
    assert eve.get("/t/dash-a/dashboards/crm.sales/").status_code == 404
    assert eve.get("/t/dash-a/dashboards/crm.sales/data").status_code == 404
    assert "/dashboards/crm.sales/" not in eve.get("/t/dash-a/dashboards/").text


def test_another_tenant_counts_its_own_records(tenants: Platform) -> None:
    client = _signed_in(tenants, "dash-b")
    html = client.get("/t/dash-b/").text
    assert _number(html, "Open opportunities") == "1" and "7.00" in _number(html, "Open pipeline amount")
    assert _charts(client, "dash-b")["r2w0"]["labels"] == ["Finance"]


def test_the_list_and_menu_and_rights(tenants: Platform) -> None:
    client = _signed_in(tenants, "dash-a")
    listing = client.get("/t/dash-a/dashboards/")
    assert listing.status_code == 200 and "/t/dash-a/dashboards/oa.office/" in listing.text
    assert client.get("/t/dash-a/dashboards/crm.nothing/").status_code == 404
    assert "/t/dash-a/dashboards/crm.sales/" in client.get("/t/dash-a/").text  # the menu entry
    anonymous = tenants.client()
    assert "fw-dashboard" not in anonymous.get("/t/dash-a/").text
    assert anonymous.get("/t/dash-a/dashboards/crm.sales/data").status_code == 401
    assert anonymous.get("/t/dash-a/dashboards/crm.sales/").status_code == 302  # to the login page


def test_the_chart_library_is_served_from_the_package_and_pages_name_no_other_site(tenants: Platform) -> None:
    client = _signed_in(tenants, "dash-a")
    script = client.get("/t/dash-a/formwork-static/vendor/chartjs/chart.umd.min.js")
    assert script.status_code == 200 and "javascript" in script.mimetype and b"Chart.js v4" in script.data
    for url in ("/t/dash-a/", "/t/dash-a/dashboards/oa.office/", "/t/dash-a/dashboards/"):
        html = client.get(url).text
        assert not re.search(r'(src|href)="(https?:)?//', html), url
    assert re.search(
        r'<script src="/t/dash-a/formwork-static/vendor/chartjs/chart.umd.min.js" nonce="[^"]*"></script>',
        client.get("/t/dash-a/").text,
    )


def test_a_broken_widget_shows_its_error_in_its_card(tenants: Platform, monkeypatch) -> None:
    """A field gone from the effective definitions (a customization) and a query the database refuses."""
    catalog = _app(tenants, "dash-a").extensions["formwork"].catalog
    document = Document(
        data={
            "kind": "Dashboard",
            "name": "broken",
            "rows": [
                {
                    "widgets": [
                        {
                            "type": "chart",
                            "chart": "bar",
                            "label": "Gone",
                            "entity": "opportunity",
                            "group_by": "x_region",
                        },
                        {
                            "type": "chart",
                            "chart": "line",
                            "label": "Refused",
                            "entity": "opportunity",
                            "over_time": {"field": "close_date"},
                        },
                        {"type": "number", "label": "Still fine", "entity": "opportunity"},
                    ]
                }
            ],
        },
        file="broken.yaml",
        lines={},
        pack="crm",
    )
    monkeypatch.setitem(catalog.dashboards, "crm.broken", build_dashboard(document))
    monkeypatch.setattr(compute, "period_start", lambda column, by, dialect: compute.sa.func.no_such_function(column))
    client = _signed_in(tenants, "dash-a")
    page = client.get("/t/dash-a/dashboards/crm.broken/")
    assert page.status_code == 200
    assert "&#39;x_region&#39; is not a field of crm.opportunity" in _card(page.text, "Gone")
    assert _number(page.text, "Still fine") == "4"
    charts = _charts(client, "dash-a", "crm.broken")
    assert "not a field" in charts["r0w0"]["error"] and charts["r0w1"]["error"].startswith("This card cannot be shown")


def test_over_time_by_day_and_by_week_start_on_the_right_day(tenants: Platform, monkeypatch) -> None:
    catalog = _app(tenants, "dash-a").extensions["formwork"].catalog
    document = Document(
        data={
            "kind": "Dashboard",
            "name": "periods",
            "rows": [
                {
                    "widgets": [
                        {
                            "type": "chart",
                            "chart": "line",
                            "entity": "opportunity",
                            "over_time": {"field": "close_date", "by": by},
                        }
                        for by in ("day", "week")
                    ]
                }
            ],
        },
        file="periods.yaml",
        lines={},
        pack="crm",
    )
    monkeypatch.setitem(catalog.dashboards, "crm.periods", build_dashboard(document))
    charts = _charts(_signed_in(tenants, "dash-a"), "dash-a", "crm.periods")
    closing = sorted([TODAY, LAST_MONTH, THIS_MONTH])
    days = charts["r0w0"]
    assert days["labels"][0] == closing[0].isoformat() and days["labels"][-1] == closing[-1].isoformat()
    assert len(days["labels"]) == (closing[-1] - closing[0]).days + 1 and sum(days["values"]) == 3
    weeks = charts["r0w1"]
    mondays = [date.fromisoformat(label) for label in weeks["labels"]]
    assert {monday.weekday() for monday in mondays} == {0} and sum(weeks["values"]) == 3
    assert mondays[0] == closing[0] - timedelta(days=closing[0].weekday())
    assert all(later - earlier == timedelta(days=7) for earlier, later in zip(mondays, mondays[1:], strict=False))


def test_titles_of_records_outside_the_viewers_rules_are_ids(tenants: Platform, monkeypatch) -> None:
    """Rita may see her deal but not its account (Tech One): a chart or a list's group counts by account say `#<id>`."""
    from dataclasses import replace

    from formwork.compile.listing import Listing

    app = _app(tenants, "dash-a")
    catalog = app.extensions["formwork"].catalog
    document = Document(
        data={
            "kind": "Dashboard",
            "name": "accounts",
            "rows": [{"widgets": [{"type": "chart", "chart": "bar", "entity": "opportunity", "group_by": "account"}]}],
        },
        file="accounts.yaml",
        lines={},
        pack="crm",
    )
    monkeypatch.setitem(catalog.dashboards, "crm.accounts", build_dashboard(document))
    view = next(v for v in app.appbuilder.baseviews if type(v).__name__ == "CrmOpportunityView")
    name, listing = next(iter(view.listings.items()))
    monkeypatch.setitem(view.listings, name, Listing(replace(listing.definition, group_by="account"), listing.entity))
    admin = _signed_in(tenants, "dash-a")
    tech = next(
        row["id"]
        for row in admin.get("/t/dash-a/api/v1/crm_account/", headers=jwt(admin, "dash-a")).json["result"]
        if row["name"] == "Tech One"
    )
    assert "Tech One" in _charts(admin, "dash-a", "crm.accounts")["r0w0"]["labels"]
    rita = _signed_in(tenants, "dash-a", "rita")
    assert _charts(rita, "dash-a", "crm.accounts")["r0w0"]["labels"] == [f"#{tech}"]
    groups = re.search(
        r'<div class="fw-groups".*?</div>', rita.get(f"/t/dash-a/crm_opportunity/view/{name}/").text, re.S
    )
    assert groups and f"#{tech}" in groups.group(0) and "Tech One" not in groups.group(0)


def test_a_list_card_sorted_by_a_hidden_field_is_not_shown(tenants: Platform, monkeypatch) -> None:
    catalog = _app(tenants, "dash-a").extensions["formwork"].catalog
    document = Document(
        data={
            "kind": "Dashboard",
            "name": "phones",
            "rows": [
                {
                    "widgets": [
                        {
                            "type": "list",
                            "label": "By phone",
                            "entity": "core.employee",
                            "columns": ["name"],
                            "sort": "-phone",
                        }
                    ]
                }
            ],
        },
        file="phones.yaml",
        lines={},
        pack="oa",
    )
    monkeypatch.setitem(catalog.dashboards, "oa.phones", build_dashboard(document))
    app = _app(tenants, "dash-a")
    with app.app_context():
        sm = app.appbuilder.sm
        if sm.find_user(username="eve") is None:
            assert sm.add_user("eve", "Eve", "Staff", "eve@example.com", sm.find_role("employee"), password=PASSWORD)
    assert "Rita Rep" in _card(_signed_in(tenants, "dash-a").get("/t/dash-a/dashboards/oa.phones/").text, "By phone")
    card = _card(_signed_in(tenants, "dash-a", "eve").get("/t/dash-a/dashboards/oa.phones/").text, "By phone")
    assert "You may not see these records." in card and "Rita Rep" not in card

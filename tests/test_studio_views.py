"""Views in the Studio: a tenant's admin edits an entity's list views, boards, calendars, timelines and pivots (the
editor is generated from what each kind declares), saves them to the entity's draft, and after publishing the list,
the board and the menu show them; a view naming an unknown field is refused at its control and stores nothing; only
admins reach the editor, and only with CSRF. Personal list views: any user who may read an entity saves the list's
columns, sort and filters under a name, sees and applies their own, never another's, and deletes them."""

from __future__ import annotations

import html
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

SLUG = "studio-views"
STUDIO = f"/t/{SLUG}/studio"
OPPORTUNITY = f"{STUDIO}/crm.opportunity"
MEETING = f"{STUDIO}/oa.meeting"
WECHAT = {"name": "wechat_id", "type": "string", "label_en": "WeChat ID", "label_zh": "微信号"}


@pytest.fixture(scope="module")
def company(platform: Platform) -> Platform:
    """A tenant of core + crm + oa; rita (a sales rep) is no admin."""
    app = build_tenant_app(platform.settings, platform.tenant(SLUG), platform.catalog)
    with app.app_context():
        sm = app.appbuilder.sm
        sm.add_user("rita", "Rita", "Test", "rita@example.com", [sm.find_role("sales_rep")], password=PASSWORD)
        sm.add_user("sam", "Sam", "Test", "sam@example.com", [sm.find_role("sales_rep")], password=PASSWORD)
        sm.add_user("erin", "Erin", "Test", "erin@example.com", [sm.find_role("employee")], password=PASSWORD)
    client = platform.client()
    headers = jwt(client, SLUG)
    account = post_record(client, headers, SLUG, "crm_account", name="Lee Trading")
    for name in ("Lee Wei", "Ann Zhou"):
        post_record(client, headers, SLUG, "crm_contact", name=name, account=account, email=f"{name[:3].lower()}@x.cn")
    return platform


def signed_in(platform: Platform, user: str = "admin") -> Client:
    client = platform.client()
    assert login(client, SLUG, user).status_code == 302
    return client


def text_of(fragment: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def post_form(client: Client, url: str, data: dict[str, Any]) -> Any:
    return client.post(url, data={**data, "csrf_token": csrf_token(client.get(url).text)})


def draft_documents(platform: Platform, entity: str) -> list[dict[str, Any]]:
    tenant = find_tenant(platform.settings.database_url, SLUG)
    with Session(tenant_engine(platform.settings, tenant)) as session:
        source = draft_of(session, entity)
    return list(yaml.safe_load_all(source)) if source else []


def publish(client: Client, entity_url: str) -> None:
    page = client.get(f"{entity_url}/")
    published = client.post(f"{entity_url}/publish", data={"csrf_token": csrf_token(page.text)})
    assert published.status_code == 302, page_text(published)
    assert "fw-studio-plan" not in client.get(f"{entity_url}/").text


def test_the_views_page_lists_every_kind_with_the_entity_views(company: Platform) -> None:
    admin = signed_in(company)
    assert f'href="{OPPORTUNITY}/views/"' in admin.get(f"{OPPORTUNITY}/").text
    page = admin.get(f"{OPPORTUNITY}/views/")
    assert page.status_code == 200
    for kind in ("ListView", "KanbanView", "CalendarView", "TimelineView", "PivotView"):
        assert f'data-kind="{kind}"' in page.text
        assert f"{OPPORTUNITY}/views/{kind}/new" in page.text
    assert f"{OPPORTUNITY}/views/KanbanView/edit/pipeline" in page.text
    assert f"{OPPORTUNITY}/views/ListView/edit/my_open" in page.text
    assert f"{OPPORTUNITY}/views/PivotView/edit/sales_by_month" in page.text
    editor = admin.get(f"{OPPORTUNITY}/views/KanbanView/edit/pipeline")
    assert editor.status_code == 200
    assert 'name="p.group_by"' in editor.text and 'name="p.card"' in editor.text and 'name="p.sum"' in editor.text
    cards = re.findall(r'<li class="fw-ordered-item" data-token="([a-z_]+)"', editor.text)
    assert cards == ["name", "account", "amount", "close_date", "owner"]


def test_a_custom_field_as_list_column_and_card_field_shows_after_publish(company: Platform) -> None:
    admin = signed_in(company)
    token = csrf_token(admin.get(f"{OPPORTUNITY}/").text)
    assert admin.post(f"{OPPORTUNITY}/fields", data={**WECHAT, "csrf_token": token}).status_code == 302

    columns = ["name", "x_wechat_id", "account", "stage", "amount", "close_date", "owner"]
    listed = post_form(
        admin,
        f"{OPPORTUNITY}/views/ListView/edit/default",
        {
            "label_en": "Opportunities",
            "label_zh": "商机",
            "p.columns": columns,
            "p.sort": "close_date",
            "p.sort.descending": "1",
        },
    )
    assert listed.status_code == 302, page_text(listed)
    board = post_form(
        admin,
        f"{OPPORTUNITY}/views/KanbanView/edit/pipeline",
        {
            "label_en": "Pipeline board",
            "label_zh": "销售看板",
            "p.group_by": "stage",
            "p.card": ["name", "x_wechat_id", "amount"],
            "p.sum": "amount",
            "p.order": "amount",
            "p.order.descending": "1",
        },
    )
    assert board.status_code == 302, page_text(board)

    drafted = {(d["kind"], d.get("name")): d for d in draft_documents(company, "crm.opportunity")}
    assert drafted[("ListView", "default")]["columns"] == columns
    assert drafted[("ListView", "default")]["sort"] == "-close_date"
    assert drafted[("ListView", "default")]["page_size"] == 25  # what the editor does not edit is kept
    assert drafted[("KanbanView", "pipeline")]["card"] == ["name", "x_wechat_id", "amount"]
    assert drafted[("KanbanView", "pipeline")]["entity"] == "crm.opportunity"
    views = admin.get(f"{OPPORTUNITY}/views/")
    assert re.search(r'<tr data-view="pipeline" class="warning">', views.text)
    assert ("KanbanView", "crm.opportunity/pipeline") not in stored_sources(company.settings, SLUG)

    publish(admin, OPPORTUNITY)
    sources = stored_sources(company.settings, SLUG)
    assert ("KanbanView", "crm.opportunity/pipeline") in sources and ("ListView", "crm.opportunity/default") in sources
    client = company.client()
    headers = jwt(client, SLUG)
    account = post_record(client, headers, SLUG, "crm_account", name="WeChat Deals")
    post_record(
        client,
        headers,
        SLUG,
        "crm_opportunity",
        name="Lee deal",
        account=account,
        stage="proposal",
        amount="900",
        close_date="2026-12-31",
        x_wechat_id="wx-lee-88",
    )
    listed_page = admin.get(f"/t/{SLUG}/crm_opportunity/list/")
    headers_shown = [text_of(h) for h in re.findall(r"<th[^>]*>(.*?)</th>", listed_page.text, re.S)]
    assert headers_shown[: len(columns) + 1][1:3] == ["Opportunity", "WeChat ID"], headers_shown
    assert "wx-lee-88" in listed_page.text
    board_page = admin.get(f"/t/{SLUG}/crm_opportunity/kanban/crm.pipeline/")
    assert board_page.status_code == 200
    assert "wx-lee-88" in board_page.text


def test_a_column_of_a_pack_view_keeps_its_format(company: Platform) -> None:
    admin = signed_in(company)
    url = f"{OPPORTUNITY}/views/ListView/edit/my_open"
    saved = post_form(
        admin,
        url,
        {
            "label_en": "Mine",
            "p.columns": ["name", "close_date"],
            "p.sort": "close_date",
            "p.filter": '[{"field": "stage", "op": "not_in", "value": ["won", "lost"]}]',
        },
    )
    assert saved.status_code == 302, page_text(saved)
    mine = next(d for d in draft_documents(company, "crm.opportunity") if d.get("name") == "my_open")
    assert mine["columns"] == ["name", {"field": "close_date", "format": "relative"}]
    assert mine["filter"] == [{"field": "stage", "op": "not_in", "value": ["won", "lost"]}]
    assert mine["label"] == {"en": "Mine"}
    assert "totals" not in mine  # no total chosen: none kept


def test_a_pivot_keeps_its_dimensions_by_period_and_its_measures(company: Platform) -> None:
    admin = signed_in(company)
    url = f"{OPPORTUNITY}/views/PivotView/edit/sales_by_month"
    editor = admin.get(url)
    assert re.findall(r'data-token="([a-z_:]+)"', editor.text)[:4] == [
        "owner",
        "close_date:month",
        "count",
        "sum:amount",
    ]
    saved = post_form(
        admin,
        url,
        {
            "label_en": "Sales by quarter",
            "p.rows": ["owner"],
            "p.columns": ["close_date:quarter"],
            "p.measures": ["count", "avg:amount"],
            "p.page_filters": ["stage"],
        },
    )
    assert saved.status_code == 302, page_text(saved)
    pivot = next(d for d in draft_documents(company, "crm.opportunity") if d.get("name") == "sales_by_month")
    assert pivot["columns"] == [{"field": "close_date", "by": "quarter"}]
    assert pivot["measures"] == ["count", {"avg": "amount"}]
    wrong = post_form(admin, url, {"p.rows": ["owner", "close_date"], "p.measures": ["count"]})
    assert wrong.status_code == 400
    assert any("by year, quarter or month" in m for m in control_errors(wrong, "p.rows")), page_text(wrong)


def test_a_view_naming_an_unknown_field_is_refused_at_its_control(company: Platform) -> None:
    admin = signed_in(company)
    before = draft_documents(company, "crm.opportunity")
    refused = post_form(
        admin,
        f"{OPPORTUNITY}/views/KanbanView/edit/pipeline",
        {"p.group_by": "stage", "p.card": ["name", "x_nothing"]},
    )
    assert refused.status_code == 400
    assert any("x_nothing" in m for m in control_errors(refused, "p.card")), page_text(refused)
    assert re.search(r'<li class="fw-ordered-item" data-token="x_nothing"', refused.text)  # the post shown again
    column = post_form(admin, f"{OPPORTUNITY}/views/ListView/new", {"name": "bad", "p.columns": ["name", "x_no"]})
    assert column.status_code == 400
    assert any("x_no" in m for m in control_errors(column, "p.columns"))
    empty = post_form(admin, f"{OPPORTUNITY}/views/KanbanView/new", {"name": "empty", "p.group_by": "stage"})
    assert empty.status_code == 400 and control_errors(empty, "p.card") == ["Choose at least one."]
    bad_json = post_form(
        admin, f"{OPPORTUNITY}/views/ListView/new", {"name": "json", "p.columns": ["name"], "p.filter": "{nope"}
    )
    assert bad_json.status_code == 400 and control_errors(bad_json, "p.filter")[0].startswith(
        "Write the filter as JSON"
    )
    taken = post_form(
        admin, f"{OPPORTUNITY}/views/KanbanView/new", {"name": "pipeline", "p.group_by": "stage", "p.card": ["name"]}
    )
    assert taken.status_code == 400 and control_errors(taken, "name")
    assert draft_documents(company, "crm.opportunity") == before


def test_a_new_calendar_view_appears_in_the_menu_after_publish(company: Platform) -> None:
    admin = signed_in(company)
    editor = admin.get(f"{STUDIO}/oa.leave_request/views/CalendarView/new")
    assert editor.status_code == 200
    starts = re.search(r'<select class="form-control" id="fw-start" name="p.start">(.*?)</select>', editor.text, re.S)
    assert starts and 'value="start_date"' in starts.group(1) and 'value="reason"' not in starts.group(1)
    saved = post_form(
        admin,
        f"{STUDIO}/oa.leave_request/views/CalendarView/new",
        {
            "name": "absences",
            "label_en": "Absences",
            "label_zh": "缺勤日历",
            "p.start": "start_date",
            "p.end": "end_date",
            "p.title": "employee",
            "p.view": "week",
        },
    )
    assert saved.status_code == 302, page_text(saved)
    publish(admin, f"{STUDIO}/oa.leave_request")
    home = admin.get(f"/t/{SLUG}/")
    assert "Absences" in home.text
    calendar = admin.get(f"/t/{SLUG}/oa_leave_request/calendar/oa.absences/")
    assert calendar.status_code == 200 and "Absences" in calendar.text


def test_only_admins_reach_the_view_editor(company: Platform) -> None:
    rita = signed_in(company, "rita")
    for url in (
        f"{OPPORTUNITY}/views/",
        f"{OPPORTUNITY}/views/KanbanView/edit/pipeline",
        f"{OPPORTUNITY}/views/ListView/new",
    ):
        assert rita.get(url).status_code == 403
    token = csrf_token(rita.get(f"/t/{SLUG}/crm_account/add").text)
    posted = rita.post(
        f"{OPPORTUNITY}/views/ListView/new", data={"name": "x", "p.columns": "name", "csrf_token": token}
    )
    assert posted.status_code == 403


def test_a_post_without_the_csrf_token_is_refused(company: Platform) -> None:
    admin = signed_in(company)
    before = draft_documents(company, "crm.opportunity")
    refused = admin.post(f"{OPPORTUNITY}/views/ListView/new", data={"name": "nocsrf", "p.columns": "name"})
    assert refused.status_code == 400
    assert draft_documents(company, "crm.opportunity") == before


def test_an_unknown_kind_or_view_is_not_found(company: Platform) -> None:
    admin = signed_in(company)
    assert admin.get(f"{OPPORTUNITY}/views/ApprovalChain/new").status_code == 404
    assert admin.get(f"{OPPORTUNITY}/views/KanbanView/edit/nothing").status_code == 404
    assert admin.get(f"{STUDIO}/crm.nothing/views/").status_code == 404


CONTACTS = f"/t/{SLUG}/crm_contact"


def list_headers(page: Any) -> list[str]:
    return [text_of(h) for h in re.findall(r"<th[^>]*>(.*?)</th>", page.text, re.S)][1:]  # after the actions column


def menu_views(page: Any) -> list[str]:
    return re.findall(r'data-personal-view="([^"]+)"', page.text)


def save_mine(client: Client, data: dict[str, Any], with_token: bool = True) -> Any:
    token = {"csrf_token": csrf_token(client.get(f"{CONTACTS}/list/").text)} if with_token else {}
    return client.post(f"{CONTACTS}/mine/", data={"listing": "default", **data, **token})


def test_a_personal_list_view_is_saved_applied_and_deleted_by_its_owner_only(company: Platform) -> None:
    rita, sam = signed_in(company, "rita"), signed_in(company, "sam")
    listed = rita.get(f"{CONTACTS}/list/")
    assert "My views" in listed.text and 'action="/t/studio-views/crm_contact/mine/"' in listed.text
    assert menu_views(listed) == []
    saved = save_mine(rita, {"name": "Emails", "columns": ["email", "name"], "sort": "-name", "query": "q=Lee&page=2"})
    assert saved.status_code == 302
    applied = saved.headers["Location"]
    assert re.search(r"/crm_contact/mine/\d+/\?q=Lee$", applied), applied

    page = rita.get(applied)
    assert page.status_code == 200
    assert list_headers(page)[:2] == ["E-mail", "Name"] and "Account" not in list_headers(page)
    assert "Lee Wei" in page.text and "Ann Zhou" not in page.text  # the saved filter applies
    assert menu_views(rita.get(f"{CONTACTS}/list/")) == ["Emails"]

    assert menu_views(sam.get(f"{CONTACTS}/list/")) == []  # another user sees none of rita's
    assert sam.get(applied).status_code == 404
    view_id = re.search(r"/mine/(\d+)/", applied).group(1)  # type: ignore[union-attr]
    token = csrf_token(sam.get(f"{CONTACTS}/list/").text)
    assert sam.post(f"{CONTACTS}/mine/{view_id}/delete", data={"csrf_token": token}).status_code == 404

    assert rita.post(f"{CONTACTS}/mine/{view_id}/delete").status_code == 400  # no CSRF token: nothing deleted
    assert menu_views(rita.get(f"{CONTACTS}/list/")) == ["Emails"]
    deleted = rita.post(f"{CONTACTS}/mine/{view_id}/delete", data={"csrf_token": csrf_token(page.text)})
    assert deleted.status_code == 302
    assert menu_views(rita.get(f"{CONTACTS}/list/")) == []
    assert rita.get(applied).status_code == 404


def test_a_personal_view_with_errors_is_refused_at_its_controls(company: Platform) -> None:
    rita = signed_in(company, "rita")
    unnamed = save_mine(rita, {"name": " ", "columns": ["name"]})
    assert unnamed.status_code == 400 and control_errors(unnamed, "name") == ["Give the view a name."]
    wrong = save_mine(rita, {"name": "Odd", "columns": ["name", "x_secret"], "sort": "nothing"})
    assert wrong.status_code == 400
    assert control_errors(wrong, "columns") == ["'x_secret' is not a column you may show."]
    assert control_errors(wrong, "sort") == ["This list cannot be sorted by 'nothing'."]
    none = save_mine(rita, {"name": "Empty"})
    assert none.status_code == 400 and control_errors(none, "columns") == ["Choose at least one column."]
    assert save_mine(rita, {"name": "No token", "columns": ["name"]}, with_token=False).status_code == 400
    assert menu_views(rita.get(f"{CONTACTS}/list/")) == []


def test_a_personal_view_offers_and_takes_only_the_columns_the_user_may_see(company: Platform) -> None:
    erin = signed_in(company, "erin")  # an employee: colleagues' phone numbers are hidden from them
    employees = erin.get(f"/t/{SLUG}/core_employee/list/")
    offered = re.findall(r'name="columns" value="([a-z_]+)"', employees.text)
    assert "email" in offered and "phone" not in offered
    token = csrf_token(employees.text)
    refused = erin.post(
        f"/t/{SLUG}/core_employee/mine/",
        data={"listing": "default", "name": "Phones", "columns": ["name", "phone"], "csrf_token": token},
    )
    assert refused.status_code == 400
    assert control_errors(refused, "columns") == ["'phone' is not a column you may show."]

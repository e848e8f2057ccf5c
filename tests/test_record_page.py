"""A record's page as people read it: a header with the title, the status badge, Edit for who may edit and the
approval's buttons; the fields in the form's tabs; child tables with their totals; and a tab per related list whose
count and rows follow the viewer's record rules, with an Add that opens the related add form with the reference
chosen, which the save still checks. Another tenant's records never show."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest
from werkzeug.test import Client

from conftest import PASSWORD, Platform, counting, csrf_token, login
from formwork.features import RecordPanel
from formwork.tenancy.apps import build_tenant_app
from formwork.tenancy.customizations import read_overlays
from formwork.tenancy.customize import store_overlays
from formwork.tenancy.provision import create_tenant
from workflow_org import new_record

SLUG = "recpage"
OTHER = "recpage-other"
#: user -> pack roles
PEOPLE = {"rita": ["sales_rep"], "rob": ["sales_rep"], "lee": ["legal"], "erin": ["employee"], "mike": []}
#: the account form the sales reps get: two tabs
REPS_FORM = """\
kind: Form
entity: crm.account
name: reps
roles: [sales_rep]
sections:
  - label: {en: Essentials, zh: 基本信息}
    tab: {en: Basics, zh: 基本}
    fields: [name, city]
  - label: {en: Revenue, zh: 收入}
    tab: {en: Money, zh: 金额}
    fields: [annual_revenue]
"""


@pytest.fixture(scope="module")
def ids(platform: Platform) -> dict[str, Any]:
    """The tenant, its people and records: Harbor Co (rita's account) has a deal of rita's, one of rob's and two
    contacts; Quay Ltd is rob's. The sales reps get an account form of their own."""
    tenant = create_tenant(
        platform.settings,
        platform.catalog,
        SLUG,
        "Record Page",
        ["core", "crm", "oa"],
        "admin",
        PASSWORD,
        templates=platform.templates,
    )
    app = build_tenant_app(platform.settings, tenant, platform.catalog)
    runtime = app.extensions["formwork"]
    with app.app_context():
        sm = app.appbuilder.sm
        for name, roles in PEOPLE.items():
            found = [sm.find_role(r) for r in roles] or [sm.find_role("Public")]
            sm.add_user(name, name.title(), "Test", f"{name}@example.com", found, password=PASSWORD)
    model = runtime.compiled.model
    session = runtime.session()
    sales = model("core.department")(name="Sales", code="S")
    staff = {name: model("core.employee")(name=name.title(), login=name, department=sales) for name in PEOPLE}
    staff["erin"].manager = staff["mike"]
    session.add_all([sales, *staff.values()])
    account, deal, contact = model("crm.account"), model("crm.opportunity"), model("crm.contact")
    harbor, quay = account(name="Harbor Co", owner=staff["rita"]), account(name="Quay Ltd", owner=staff["rob"])
    deals = [
        deal(name="Rita's deal", account=harbor, owner=staff["rita"], stage="proposal", amount=100),
        deal(name="Rob's deal", account=harbor, owner=staff["rob"], stage="won", amount=200, probability=100),
    ]
    contacts = [contact(name="Ann Harbor", account=harbor), contact(name="Ben Harbor", account=harbor)]
    session.add_all([harbor, quay, *deals, *contacts])
    session.commit()
    found = {
        "harbor": harbor.id,
        "quay": quay.id,
        "rita_deal": deals[0].id,
        "rob_deal": deals[1].id,
        "erin": staff["erin"].id,
        "runtime": runtime,
    }
    runtime.session.remove()
    store_overlays(platform.settings, platform.catalog, tenant, read_overlays(REPS_FORM, "reps.yaml"))
    return found


def signed_in(platform: Platform, user: str = "admin", slug: str = SLUG) -> Client:
    client = platform.client()
    assert login(client, slug, user).status_code == 302
    return client


def show(client: Client, table: str, pk: int, slug: str = SLUG) -> str:
    page = client.get(f"/t/{slug}/{table}/show/{pk}")
    assert page.status_code == 200
    return page.text


def header(html: str) -> str:
    found = re.search(r'(?s)<header class="fw-record-header">.*?</header>', html)
    assert found, "the page has no header"
    return found.group(0)


def tab_count(html: str, table: str, field: str) -> int | None:
    """The count on the related list's tab, None when the page has no such tab."""
    found = re.search(rf'data-related="{table}-{field}">[^<]*<span class="badge fw-related-count">(\d+)</span>', html)
    return int(found.group(1)) if found else None


def related_pane(html: str, table: str, field: str) -> str:
    found = re.search(rf'(?s)<div class="fw-related" data-related="{table}-{field}">.*?</div>\s*</div>', html)
    assert found, f"no related list {table}-{field}"
    return found.group(0)


# -- the header ----------------------------------------------------------------------------------------
def test_the_header_shows_the_title_the_status_badge_and_edit(platform: Platform, ids) -> None:
    top = header(show(signed_in(platform), "crm_opportunity", ids["rita_deal"]))
    assert re.search(r'class="fw-record-title">Rita&#39;s deal<', top)
    assert re.search(r'class="fw-record-status"><span class="label fw-badge fw-purple">Proposal</span>', top)
    assert f'href="/t/{SLUG}/crm_opportunity/edit/{ids["rita_deal"]}"' in top and "fw-record-edit" in top


def test_only_who_may_edit_gets_the_edit_button(platform: Platform, ids) -> None:
    top = header(show(signed_in(platform, "lee"), "crm_account", ids["harbor"]))  # legal reads accounts
    assert "Harbor Co" in top and "fw-record-edit" not in top
    assert "fw-record-edit" in header(show(signed_in(platform, "rita"), "crm_account", ids["harbor"]))


def test_the_header_holds_the_approval_state_and_submit(platform: Platform, ids) -> None:
    runtime = ids["runtime"]
    leave = new_record(
        runtime,
        "oa.leave_request",
        "erin",
        employee_id=ids["erin"],
        leave_type="annual",
        start_date=date(2030, 5, 1),
        end_date=date(2030, 5, 2),
        days=2,
        reason="Trip",
    )
    client = signed_in(platform, "erin")  # hers, and she may edit it
    top = header(show(client, "oa_leave_request", leave))
    assert re.search(r'fw-record-approval" data-status="draft"[^>]*>Draft<', top)
    assert 'data-header-action="submit"' in top
    submitted = client.post(
        f"/t/{SLUG}/oa_leave_request/approval/{leave}/submit",
        data={"csrf_token": csrf_token(top), "back": "show"},
        follow_redirects=True,
    )
    assert 'data-status="pending"' in header(submitted.text)


# -- tabs and child tables -----------------------------------------------------------------------------
def test_the_tabs_follow_the_form(platform: Platform, ids) -> None:
    page = show(signed_in(platform), "crm_opportunity", ids["rita_deal"])
    tabs = re.findall(r'<a href="#fw-(tab-\d+)" data-toggle="tab"[^>]*>\s*([^<]*?)\s*<', page)
    assert tabs == [("tab-1", "Details"), ("tab-2", "Notes")]  # the opportunity form's tabs, in its order
    notes = page[page.index('id="fw-tab-2"') :]
    assert '<div class="fw-record-field" data-field="notes">' in notes
    details = page[page.index('id="fw-tab-1"') : page.index('id="fw-tab-2"')]
    assert 'data-field="stage"' in details and 'data-field="notes"' not in details


def test_the_tabs_follow_the_form_of_the_viewers_role(platform: Platform, ids) -> None:
    page = show(signed_in(platform, "rita"), "crm_account", ids["harbor"])
    tabs = re.findall(r'<a href="#fw-(tab-\d+)" data-toggle="tab"[^>]*>\s*([^<]*?)\s*<', page)
    assert tabs == [("tab-1", "Basics"), ("tab-2", "Money")]  # the reps' form, then the related lists
    assert re.findall(r'class="fw-record-section-title">([^<]*)<', page) == ["Essentials", "Revenue"]
    assert 'data-field="industry"' not in page  # not on the reps' form
    assert tab_count(page, "crm_contact", "account") == 2


def test_sections_outside_tabs_stay_above_the_related_lists(platform: Platform, ids) -> None:
    page = show(signed_in(platform), "crm_account", ids["harbor"])
    sections = re.findall(r'class="fw-record-section-title">([^<]*)<', page)
    assert sections == ["Account", "Contact details"]  # the account form's two sections, no tab of their own
    assert page.index("Contact details") < page.index("fw-record-tabs")


def test_a_child_table_shows_its_rows_and_total(platform: Platform, ids) -> None:
    runtime = ids["runtime"]
    claim = new_record(runtime, "oa.expense_claim", "erin", employee_id=ids["erin"], title="Fair")
    for day, amount in ((1, "30.00"), (2, "12.50")):
        new_record(
            runtime,
            "oa.expense_line",
            claim_id=claim,
            spent_on=date(2030, 1, day),
            category="meals",
            amount=amount,
            description=f"Lunch {day}",
        )
    page = show(signed_in(platform), "oa_expense_claim", claim)
    field = re.search(r'(?s)<div class="fw-record-field fw-wide" data-field="lines">.*?</table>', page)
    assert field, "the lines are not a table across the section"
    assert "Lunch 2" in field.group(0) and re.search(r'data-total="amount">[^<]*42\.50<', field.group(0))
    assert "Lines: 2" not in page


# -- related lists -------------------------------------------------------------------------------------
def test_a_related_tab_counts_only_what_the_viewer_may_see(platform: Platform, ids) -> None:
    admin = show(signed_in(platform), "crm_account", ids["harbor"])
    assert tab_count(admin, "crm_opportunity", "account") == 2 and tab_count(admin, "crm_contact", "account") == 2
    rita = show(signed_in(platform, "rita"), "crm_account", ids["harbor"])
    assert tab_count(rita, "crm_opportunity", "account") == 1  # her record rule: her own deals
    deals = related_pane(rita, "crm_opportunity", "account")
    assert "Rita&#39;s deal" in deals and "Rob&#39;s deal" not in deals and "Rob&#39;s deal" not in rita
    assert tab_count(rita, "crm_contact", "account") == 2  # contacts are shared


def test_related_lists_show_only_entities_the_viewer_may_read(platform: Platform, ids) -> None:
    lee = show(signed_in(platform, "lee"), "crm_account", ids["harbor"])  # legal: accounts and contracts
    assert tab_count(lee, "crm_opportunity", "account") is None and tab_count(lee, "crm_contact", "account") is None
    assert tab_count(lee, "crm_contract", "account") == 0
    assert "fw-related-add" not in lee  # nor may legal add any


def test_the_related_rows_link_to_their_records(platform: Platform, ids) -> None:
    deals = related_pane(show(signed_in(platform), "crm_account", ids["harbor"]), "crm_opportunity", "account")
    assert f'href="/t/{SLUG}/crm_opportunity/show/{ids["rob_deal"]}"' in deals
    assert "Closed won" in deals and "Account" not in deals  # values as lists show them; not the link back


def test_add_opens_the_related_form_with_the_reference_chosen(platform: Platform, ids) -> None:
    client = signed_in(platform, "rita")
    contacts = related_pane(show(client, "crm_account", ids["harbor"]), "crm_contact", "account")
    link = re.search(r'class="btn btn-sm btn-default fw-related-add" href="([^"]+)"', contacts)
    assert link and link.group(1) == f"/t/{SLUG}/crm_contact/add?fill.account={ids['harbor']}"
    form = client.get(link.group(1).replace("&amp;", "&"))
    assert re.search(rf'<option value="{ids["harbor"]}" selected>Harbor Co</option>', form.text)
    saved = client.post(
        link.group(1),
        data={"csrf_token": csrf_token(form.text), "name": "Cy Harbor", "account": str(ids["harbor"])},
    )
    assert saved.status_code == 302 and "/crm_contact/show/" in saved.headers["Location"]
    assert tab_count(show(client, "crm_account", ids["harbor"]), "crm_contact", "account") == 3


def test_a_prefilled_reference_the_user_may_not_choose_is_left_empty_and_refused(platform: Platform, ids) -> None:
    client = signed_in(platform, "rita")  # Quay Ltd is rob's: rita's record rule hides it
    form = client.get(f"/t/{SLUG}/crm_opportunity/add?fill.account={ids['quay']}")
    assert form.status_code == 200 and "Quay Ltd" not in form.text
    assert not re.search(
        r'<option value="\d+" selected>', form.text.split('name="account"', 1)[1].split("</select>")[0]
    )
    refused = client.post(
        f"/t/{SLUG}/crm_opportunity/add",
        data={"csrf_token": csrf_token(form.text), "name": "Sneaky", "account": str(ids["quay"]), "stage": "proposal"},
    )
    assert refused.status_code == 200 and "Not a valid choice." in refused.text


def test_a_prefill_of_a_field_the_user_may_not_set_is_ignored(platform: Platform, ids) -> None:
    form = signed_in(platform, "rita").get(f"/t/{SLUG}/crm_opportunity/add?fill.discount_percent=50&fill.name=Hi")
    assert 'value="Hi"' in form.text and 'value="50"' not in form.text  # the discount is read-only for a rep


def test_a_prefill_of_a_child_table_is_ignored(platform: Platform, ids) -> None:
    form = signed_in(platform).get(f"/t/{SLUG}/oa_expense_claim/add?fill.lines=x&fill.title=Trip")
    assert form.status_code == 200 and 'value="Trip"' in form.text  # rows are posted field by field, not as one


def test_a_list_link_filtering_on_a_child_table_is_refused_with_a_message(platform: Platform, ids) -> None:
    where = '{"field": "lines", "op": "is_empty"}'  # a child table is no column: the filter cannot say it
    answer = signed_in(platform).get(f"/t/{SLUG}/oa_expense_claim/list/", query_string={"where": where})
    assert answer.status_code == 400 and "is not stored in the database" in answer.text


def test_the_related_lists_cost_the_same_queries_however_many_rows(platform: Platform, ids) -> None:
    client, engine = signed_in(platform), ids["runtime"].session.get_bind()
    quay = ids["quay"]
    show(client, "crm_account", quay)  # warm: rights, menu
    with counting(engine) as statements:
        show(client, "crm_account", quay)
    few = len(statements)
    runtime = ids["runtime"]
    for number in range(5):
        new_record(runtime, "crm.contact", name=f"Quay contact {number}", account_id=quay)
    with counting(engine) as statements:
        page = show(client, "crm_account", quay)
    assert "Quay contact 4" in page and len(statements) == few
    assert sum("FROM crm_contact" in s for s in statements) == 1  # the rows; fewer than a page: no count query


def test_another_tenants_records_never_appear(platform: Platform, ids) -> None:
    other = platform.tenant(OTHER, packs=["core", "crm"])
    assert other is not None
    client = signed_in(platform, slug=OTHER)
    form = client.get(f"/t/{OTHER}/crm_account/add")
    client.post(f"/t/{OTHER}/crm_account/add", data={"csrf_token": csrf_token(form.text), "name": "Elsewhere"})
    form = client.get(f"/t/{OTHER}/crm_contact/add?fill.account={ids['harbor']}")  # an id of the first tenant
    assert "Harbor Co" not in form.text
    client.post(
        f"/t/{OTHER}/crm_contact/add",
        data={"csrf_token": csrf_token(form.text), "name": "Stranger", "account": str(ids["harbor"])},
    )
    page = show(signed_in(platform), "crm_account", ids["harbor"])
    assert "Stranger" not in page and "Elsewhere" not in page


def test_a_record_panel_must_say_a_place_the_page_has() -> None:
    with pytest.raises(ValueError, match="place 'top'"):
        RecordPanel("banner", "banner.html", lambda _view, _pk, _item: {}, place="top")

"""The roles screen: a tenant's admins give rights per entity in business terms, and read a role's record rules
and hidden fields in words; FAB's raw permission screens are closed to tenants, admins included."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from werkzeug.test import Client

from conftest import PASSWORD, Platform, csrf_token, jwt, login, publish_draft
from formwork.tenancy.apps import build_tenant_app
from formwork.tenancy.registry import find_tenant

SLUG = "roles-grid"
GRID = f"/t/{SLUG}/access/roles/"
DEPARTMENTS = f"/t/{SLUG}/api/v1/core_department/"
#: FAB's raw permission screens, as a tenant would reach them
RAW_SCREENS = ["/roles/list/", "/roles/add", "/permissions/list/", "/viewmenus/list/", "/permissionviews/list/"]


@pytest.fixture(scope="module")
def company(platform: Platform) -> dict[str, Any]:
    """core + crm + oa; hank holds hr (all rights on departments), eve employee, nina a role of the tenant's own."""
    app = build_tenant_app(platform.settings, platform.tenant(SLUG), platform.catalog)
    with app.app_context():
        sm = app.appbuilder.sm
        for name, role in (("hank", "hr"), ("eve", "employee"), ("rita", "sales_rep")):
            sm.add_user(name, name.title(), "Test", f"{name}@example.com", [sm.find_role(role)], password=PASSWORD)
        roles = {role.name: role.name for role in sm.get_all_roles()}
    client = platform.client()
    admin = jwt(client, SLUG)
    made = [client.post(DEPARTMENTS, json={"name": f"Dept {n}", "code": f"D{n}"}, headers=admin) for n in (1, 2)]
    assert all(answer.status_code == 201 for answer in made), made[0].text
    return {"platform": platform, "roles": roles, "departments": [answer.json["id"] for answer in made]}


def browser(company: dict, user: str, language: str = "en") -> Client:
    client = company["platform"].client()
    assert login(client, SLUG, user).status_code == 302
    client.get(f"/t/{SLUG}/lang/{language}")
    return client


def grid(company: dict, client: Client, role: str) -> str:
    page = client.get(f"{GRID}{company['roles'][role]}")
    assert page.status_code == 200, page.text
    return page.text


def publish(client: Client, role: str) -> str:
    """Publish the role's draft as its page shows it; the page after."""
    answer = publish_draft(client, f"{GRID}{role}", f"{GRID}{role}/publish")
    assert answer.status_code == 302, answer.text
    return client.get(answer.headers["Location"]).text


def ticked(page: str, entity: str) -> set[str]:
    """The rights ticked on `entity`'s row."""
    row = re.search(rf'<tr data-entity="{re.escape(entity)}">(.*?)</tr>', page, re.S)
    assert row, f"no row for {entity}"
    return set(re.findall(rf'name="right:{re.escape(entity)}:(\w+)" value="1"[^>]*checked', row.group(1)))


def row_words(page: str, entity: str) -> str:
    row = re.search(rf'<tr data-entity="{re.escape(entity)}">(.*?)</tr>', page, re.S)
    assert row
    cell = re.search(r'<td class="fw-role-rules">(.*?)</td>', row.group(1), re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", cell.group(1))) if cell else ""


def boxes(page: str, without: tuple[str, ...] = ()) -> dict[str, str]:
    """The form a browser posts: every ticked box but those in `without`, and the CSRF token."""
    names = re.findall(r'name="(right:[\w.]+:\w+)" value="1"[^>]*checked', page)
    return {**{name: "1" for name in names if name not in without}, "csrf_token": csrf_token(page)}


def test_the_grid_shows_every_entity_by_pack_with_the_pack_roles_rights(company) -> None:
    page = grid(company, browser(company, "admin"), "hr")
    assert ticked(page, "core.department") == {"read", "create", "edit", "delete", "export", "import"}
    assert ticked(page, "core.employee") == {"read", "create", "edit", "delete", "export", "import"}
    assert ticked(page, "crm.account") == set()
    for label in ("Departments", "Accounts", "Leave requests"):  # every pack's entities, by their labels
        assert f'<th scope="row">{label}</th>' in page
    assert page.index('data-entity="core.department"') < page.index('data-entity="crm.account"')
    finance = grid(company, browser(company, "admin"), "finance")
    assert ticked(finance, "oa.expense_claim") == {"read", "approve", "export"}


def test_unticking_delete_refuses_deletes_on_screen_and_api_while_reads_work(company) -> None:
    admin = browser(company, "admin")
    page = grid(company, admin, "hr")
    saved = admin.post(f"{GRID}{company['roles']['hr']}", data=boxes(page, without=("right:core.department:delete",)))
    assert saved.status_code == 302
    again = grid(company, admin, "hr")
    assert ticked(again, "core.department") == {"read", "create", "edit", "export", "import"}
    assert "The rights of Human resources are in the draft; publish it to apply them." in again
    assert "Departments: may no longer Delete" in again  # what publishing changes, in words
    assert "Published." in publish(admin, "hr")

    hank = browser(company, "hank")
    first, second = company["departments"]
    assert hank.get(f"/t/{SLUG}/core_department/show/{first}").status_code == 200
    screen = hank.get(f"/t/{SLUG}/core_department/list/")
    token = csrf_token(screen.text)
    assert hank.post(f"/t/{SLUG}/core_department/delete/{first}", data={"csrf_token": token}).status_code == 403
    api = company["platform"].client()
    token_of_hank = jwt(api, SLUG, "hank")
    assert api.delete(f"{DEPARTMENTS}{second}", headers=token_of_hank).status_code == 403
    assert api.get(f"{DEPARTMENTS}{second}", headers=token_of_hank).status_code == 200
    assert api.get(f"{DEPARTMENTS}{first}", headers=token_of_hank).status_code == 200  # nothing was deleted

    # the permission sync every app build runs keeps the admin's decision
    assert ticked(grid(company, browser(company, "admin"), "hr"), "core.department") == {
        "read",
        "create",
        "edit",
        "export",
        "import",
    }


def test_a_right_given_to_a_pack_role_opens_the_entity_and_its_menu(company) -> None:
    admin = browser(company, "admin")
    page = grid(company, admin, "hr")
    data = {**boxes(page), "right:crm.account:read": "1"}
    assert admin.post(f"{GRID}{company['roles']['hr']}", data=data).status_code == 302
    hank = browser(company, "hank")
    assert hank.get(f"/t/{SLUG}/crm_account/list/").status_code == 403  # a draft changes nothing yet
    publish(admin, "hr")
    assert hank.get(f"/t/{SLUG}/crm_account/list/").status_code == 200
    assert f'href="/t/{SLUG}/crm_account/list/"' in hank.get(f"/t/{SLUG}/").text


def test_only_admins_open_and_save_the_grid(company) -> None:
    hank = browser(company, "hank")
    hr = company["roles"]["hr"]
    assert hank.get(GRID).status_code == 403
    assert hank.get(f"{GRID}{hr}").status_code == 403
    token = csrf_token(hank.get(f"/t/{SLUG}/notifications/preferences").text)
    before = ticked(grid(company, browser(company, "admin"), "hr"), "core.employee")
    assert hank.post(f"{GRID}{hr}", data={"csrf_token": token, "right:core.employee:read": "1"}).status_code == 403
    assert hank.post(f"{GRID}new", data={"csrf_token": token, "name": "Mine"}).status_code == 403
    assert ticked(grid(company, browser(company, "admin"), "hr"), "core.employee") == before
    assert "/access/roles/" not in hank.get(f"/t/{SLUG}/").text


def test_a_post_without_csrf_token_or_with_an_unknown_right_changes_nothing(company) -> None:
    admin = browser(company, "admin")
    employee = company["roles"]["employee"]
    page = grid(company, admin, "employee")
    before = ticked(page, "oa.leave_request")
    without_token = {
        k: v for k, v in boxes(page, without=("right:oa.leave_request:read",)).items() if k != "csrf_token"
    }
    assert admin.post(f"{GRID}{employee}", data=without_token).status_code == 400
    unknown = {**boxes(page, without=("right:oa.leave_request:read",)), "right:oa.nothing:read": "1"}
    assert admin.post(f"{GRID}{employee}", data=unknown).status_code == 400
    assert admin.post(f"{GRID}{employee}", data={**boxes(page), "right:oa.leave_request:fly": "1"}).status_code == 400
    assert ticked(grid(company, admin, "employee"), "oa.leave_request") == before


def test_fab_raw_permission_screens_are_refused_and_out_of_the_menu(company) -> None:
    admin = browser(company, "admin")
    for screen in RAW_SCREENS:
        assert admin.get(f"/t/{SLUG}{screen}").status_code == 403, screen
    home = admin.get(f"/t/{SLUG}/").text
    for raw in ("/roles/list/", "/permissions/list/", "/viewmenus/list/", "/permissionviews/list/"):
        assert raw not in home
    assert f'href="/t/{SLUG}/access/roles/"' in home and f'href="/t/{SLUG}/users/list/"' in home
    assert admin.get(f"/t/{SLUG}/users/list/").status_code == 200  # people stay manageable
    hank = browser(company, "hank")
    assert all(hank.get(f"/t/{SLUG}{screen}").status_code == 403 for screen in RAW_SCREENS)


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", ("Sees only: records they created, or records naming them in Employee", "Hidden: Phone")),
        ("zh", ("仅可见：自己创建的记录，或在“申请人”中是本人的记录", "隐藏：电话")),
    ],
)
def test_record_rules_and_hidden_fields_are_said_in_words(company, language: str, expected: tuple[str, str]) -> None:
    page = grid(company, browser(company, "admin", language), "employee")
    sees, hidden = expected
    assert sees in row_words(page, "oa.leave_request")
    assert hidden in row_words(page, "core.employee")


def test_a_filter_rule_is_said_in_words(company) -> None:
    page = grid(company, browser(company, "admin"), "sales_rep")
    assert "Sees only: records where Active is yes" in row_words(page, "core.employee")
    assert "Read-only: Discount" in row_words(page, "crm.opportunity")


def test_a_new_role_gets_rights_and_is_given_to_a_user(company) -> None:
    admin = browser(company, "admin")
    index = admin.get(GRID)
    made = admin.post(f"{GRID}new", data={"name": "Auditor", "csrf_token": csrf_token(index.text)})
    assert made.status_code == 302
    role_url = made.headers["Location"]
    page = admin.get(role_url)
    assert page.status_code == 200 and ticked(page.text, "crm.account") == set()
    taken = admin.post(f"{GRID}new", data={"name": "auditor", "csrf_token": csrf_token(index.text)})
    assert "A role named auditor exists already." in admin.get(taken.headers["Location"]).text
    assert "Not published yet" in page.text and 'data-role="auditor"' in admin.get(GRID).text
    saved = admin.post(role_url, data={"right:crm.account:read": "1", "csrf_token": csrf_token(page.text)})
    assert saved.status_code == 302
    assert "Accounts: may now Read" in admin.get(role_url).text
    assert "Published." in publish(admin, "auditor")
    assert ticked(admin.get(role_url).text, "crm.account") == {"read"}

    people = admin.get(f"/t/{SLUG}/access/people/")
    assert people.status_code == 200 and 'data-user="rita"' in people.text
    rita = re.search(r'data-user="rita".*?/access/people/(\d+)', people.text, re.S).group(1)
    auditor = re.search(r'value="(\d+)"\s*>\s*Auditor', people.text).group(1)
    token = csrf_token(people.text)
    assert (
        admin.post(f"/t/{SLUG}/access/people/{rita}", data={"role": ["9999"], "csrf_token": token}).status_code == 400
    )
    answer = admin.post(f"/t/{SLUG}/access/people/{rita}", data={"role": [auditor], "csrf_token": token})
    assert answer.status_code == 302
    api = company["platform"].client()
    assert api.get(f"/t/{SLUG}/api/v1/crm_account/", headers=jwt(api, SLUG, "rita")).status_code == 200
    assert (
        api.post(f"/t/{SLUG}/api/v1/crm_account/", json={"name": "X"}, headers=jwt(api, SLUG, "rita")).status_code
        == 403
    )


def test_a_role_of_the_tenants_own_lifts_no_limit_on_entities_it_has_no_right_on(company) -> None:
    """A sales rep also given a role the tenant made for announcements still sees only their own accounts: the
    tenant's role sees everything its rights reach, and it reaches no account."""
    admin = browser(company, "admin")
    index = admin.get(GRID)
    made = admin.post(f"{GRID}new", data={"name": "Notice readers", "csrf_token": csrf_token(index.text)})
    role_url = made.headers["Location"]
    page = admin.get(role_url)
    saved = admin.post(role_url, data={"right:oa.announcement:read": "1", "csrf_token": csrf_token(page.text)})
    assert saved.status_code == 302
    publish(admin, "notice_readers")
    platform = company["platform"]
    app = build_tenant_app(platform.settings, find_tenant(platform.settings.database_url, SLUG), platform.catalog)
    with app.app_context():
        sm = app.appbuilder.sm
        held = [sm.find_role("sales_rep"), sm.find_role("notice_readers")]
        sm.add_user("sam", "Sam", "Test", "sam@example.com", held, password=PASSWORD)
    client = platform.client()
    made_account = client.post(f"/t/{SLUG}/api/v1/crm_account/", json={"name": "Not Sam's"}, headers=jwt(client, SLUG))
    assert made_account.status_code == 201, made_account.text
    sam = jwt(client, SLUG, "sam")
    listed = client.get(f"/t/{SLUG}/api/v1/crm_account/", headers=sam)
    assert listed.status_code == 200 and "Not Sam's" not in listed.text
    assert client.get(f"/t/{SLUG}/api/v1/crm_account/{made_account.json['id']}", headers=sam).status_code == 404
    assert client.get(f"/t/{SLUG}/api/v1/oa_announcement/", headers=sam).status_code == 200

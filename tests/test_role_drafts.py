"""Roles change as every Studio definition does: the roles screen drafts a Role overlay, says what publishing
changes, publishes it as a version (compared, restored, exported as YAML with the other customizations), refuses a
save over a draft someone changed since, and keeps what admins changed before roles were drafted."""

from __future__ import annotations

import re
from typing import Any

import pytest
import sqlalchemy as sa
import yaml
from werkzeug.test import Client

from conftest import PASSWORD, Platform, csrf_token, jwt, login, page_text, publish_draft
from formwork.access.tables import ROLE_RIGHT_CHANGES
from formwork.tenancy.apps import build_tenant_app
from formwork.tenancy.customizations import read_overlays
from formwork.tenancy.registry import Tenant, find_tenant, platform_engine
from formwork.tenancy.storage import tenant_engine

SLUG = "role-drafts"
ROLES = f"/t/{SLUG}/access/roles/"
VERSIONS = f"/t/{SLUG}/studio/versions/"
ACCOUNTS = f"/t/{SLUG}/api/v1/crm_account/"


@pytest.fixture(scope="module")
def company(platform: Platform) -> Platform:
    """core + crm; hank holds hr, rita sales_rep, olga a role the tenant made before roles were definitions."""
    app = build_tenant_app(platform.settings, platform.tenant(SLUG, ["core", "crm"]), platform.catalog)
    with app.app_context():
        sm = app.appbuilder.sm
        old = sm.add_role("Old auditors")
        old.permissions = [sm.find_permission_view_menu("can_list", "CrmAccountView")]
        sm.session.merge(old)
        sm.session.commit()
        for name, role in (("hank", "hr"), ("rita", "sales_rep"), ("olga", "Old auditors")):
            sm.add_user(name, name.title(), "Test", f"{name}@example.com", [sm.find_role(role)], password=PASSWORD)
    return platform


def signed_in(platform: Platform, user: str = "admin", language: str = "en") -> Client:
    client = platform.client()
    assert login(client, SLUG, user).status_code == 302
    client.get(f"/t/{SLUG}/lang/{language}")
    return client


def shown_edits(page: str) -> str:
    """The draft's edits the page shows, which its forms post back."""
    found = re.search(r'name="edits" value="(\d+)"', page)
    assert found, "the page's form carries the draft's edits"
    return found.group(1)


def ticked_boxes(page: str) -> dict[str, str]:
    return dict.fromkeys(re.findall(r'name="(right:[\w.]+:\w+)" value="1"[^>]*checked', page), "1")


def draft_rights(client: Client, role: str, add: tuple[str, ...] = (), remove: tuple[str, ...] = ()) -> Any:
    """Post the role's grid with boxes ticked or unticked, as a browser would."""
    page = client.get(f"{ROLES}{role}").text
    boxes = {k: v for k, v in ticked_boxes(page).items() if k not in remove} | dict.fromkeys(add, "1")
    return client.post(f"{ROLES}{role}", data={**boxes, "csrf_token": csrf_token(page), "edits": shown_edits(page)})


def publish(client: Client, role: str) -> Any:
    return publish_draft(client, f"{ROLES}{role}", f"{ROLES}{role}/publish")


def hank_reads_accounts(platform: Platform) -> int:
    api = platform.client()
    return api.get(ACCOUNTS, headers=jwt(api, SLUG, "hank")).status_code


def revisions(client: Client) -> list[int]:
    return [int(n) for n in re.findall(r'<tr data-revision="(\d+)"', client.get(VERSIONS).text)]


def test_a_drafted_right_applies_once_published_as_a_version_and_a_restore_takes_it_back(company: Platform) -> None:
    admin = signed_in(company)
    assert draft_rights(admin, "hr", add=("right:crm.account:read",)).status_code == 302
    page = page_text(admin.get(f"{ROLES}hr"))
    assert "Accounts: may now Read" in page and "What publishing changes" in page
    assert hank_reads_accounts(company) == 403  # a draft changes nothing for anyone

    published = publish(admin, "hr")
    assert published.status_code == 302
    assert hank_reads_accounts(company) == 200
    after = revisions(admin)[0]
    listed = page_text(admin.get(VERSIONS))
    assert "Role core.hr" in listed

    exported = list(yaml.safe_load_all(admin.get(f"{VERSIONS}export.yaml").text))
    role = next(doc for doc in exported if doc["kind"] == "Role")
    assert role["pack"] == "core" and role["rights"]["crm.account"] == ["read"]
    assert read_overlays(yaml.safe_dump_all(exported), "export.yaml")  # the export reads back

    plan = admin.get(f"{VERSIONS}{after - 1}/restore")
    restored = admin.post(f"{VERSIONS}{after - 1}/restore", data={"csrf_token": csrf_token(plan.text), "comment": ""})
    assert restored.status_code == 302
    assert hank_reads_accounts(company) == 403


def test_a_save_over_a_draft_changed_since_is_refused_and_discard_drops_the_draft(company: Platform) -> None:
    first, second = signed_in(company), signed_in(company)
    page = second.get(f"{ROLES}hr").text  # the second admin reads the role
    assert draft_rights(first, "hr", add=("right:crm.contact:read",)).status_code == 302
    boxes = {**ticked_boxes(page), "right:crm.contact:delete": "1", "csrf_token": csrf_token(page)}
    stale = second.post(f"{ROLES}hr", data={**boxes, "edits": shown_edits(page)})
    assert stale.status_code == 409
    assert "changed this draft since you read it" in page_text(stale)
    drafted = first.get(f"{ROLES}hr").text
    assert "Contacts: may now Read" in page_text(first.get(f"{ROLES}hr"))
    assert "right:crm.contact:read" in ticked_boxes(drafted)
    assert "right:crm.contact:delete" not in ticked_boxes(drafted)  # the stale save changed nothing

    discarded = first.post(f"{ROLES}hr/discard", data={"csrf_token": csrf_token(drafted)})
    assert discarded.status_code == 302
    assert "What publishing changes" not in first.get(f"{ROLES}hr").text


def test_a_new_role_is_a_draft_until_published_then_a_role_people_can_hold(company: Platform) -> None:
    admin = signed_in(company)
    made = admin.post(f"{ROLES}new", data={"name": "Field auditors", "csrf_token": csrf_token(admin.get(ROLES).text)})
    assert made.status_code == 302 and made.headers["Location"].endswith("/access/roles/field_auditors")
    assert 'data-role="field_auditors"' in admin.get(ROLES).text
    assert 'value="field_auditors"' not in admin.get(f"/t/{SLUG}/access/people/").text
    assert draft_rights(admin, "field_auditors", add=("right:crm.account:read",)).status_code == 302
    assert publish(admin, "field_auditors").status_code == 302
    people = admin.get(f"/t/{SLUG}/access/people/").text
    assert re.search(r'value="\d+"\s*>\s*Field auditors', people)
    exported = list(yaml.safe_load_all(admin.get(f"{VERSIONS}export.yaml").text))
    own = next(doc for doc in exported if doc["kind"] == "Role" and doc["name"] == "field_auditors")
    assert "pack" not in own and own["label"] == "Field auditors"


def test_a_role_made_before_roles_were_definitions_becomes_one_and_keeps_its_holders(company: Platform) -> None:
    admin = signed_in(company)
    index = admin.get(ROLES).text
    assert f'href="{ROLES}old_auditors"' in index
    page = admin.get(f"{ROLES}old_auditors")
    assert "Rights of Old auditors" in page_text(page) and "Not published yet" not in page.text
    saved = draft_rights(admin, "old_auditors", add=("right:crm.contact:read",))
    assert saved.status_code == 302 and saved.headers["Location"].endswith("/access/roles/old_auditors")
    drafted = page_text(admin.get(f"{ROLES}old_auditors"))
    assert "Contacts: may now Read" in drafted
    assert "Permissions it holds that make no whole right are taken, on: Accounts" in drafted  # can_list alone
    assert 'data-role="old_auditors"' not in admin.get(ROLES).text  # one row: the role and its draft are one
    assert publish(admin, "old_auditors").status_code == 302
    api = company.client()
    olga = jwt(api, SLUG, "olga")
    assert api.get(f"/t/{SLUG}/api/v1/crm_contact/", headers=olga).status_code == 200
    tenant = find_tenant(company.settings.database_url, SLUG)
    with tenant_engine(company.settings, tenant).connect() as connection:
        names = set(connection.scalars(sa.text("SELECT name FROM ab_role")))
    assert "old_auditors" in names and "Old auditors" not in names


def test_restoring_a_version_from_before_an_own_role_takes_its_rights_and_keeps_its_holders(company: Platform) -> None:
    admin = signed_in(company)
    before = revisions(admin)[0]
    made = admin.post(f"{ROLES}new", data={"name": "Night shift", "csrf_token": csrf_token(admin.get(ROLES).text)})
    assert made.status_code == 302
    assert draft_rights(admin, "night_shift", add=("right:crm.account:read",)).status_code == 302
    assert publish(admin, "night_shift").status_code == 302
    assert "Night shift" in admin.get(f"{ROLES}night_shift").text  # served: the role is made as the app is built
    tenant = find_tenant(company.settings.database_url, SLUG)
    app = build_tenant_app(company.settings, tenant, company.catalog)
    with app.app_context():
        sm = app.appbuilder.sm
        sm.add_user("nick", "Nick", "Test", "nick@example.com", [sm.find_role("night_shift")], password=PASSWORD)
    api = company.client()
    assert api.get(ACCOUNTS, headers=jwt(api, SLUG, "nick")).status_code == 200

    plan = admin.get(f"{VERSIONS}{before}/restore")
    restored = admin.post(f"{VERSIONS}{before}/restore", data={"csrf_token": csrf_token(plan.text), "comment": ""})
    assert restored.status_code == 302
    assert api.get(ACCOUNTS, headers=jwt(api, SLUG, "nick")).status_code == 403


def test_a_role_may_not_be_called_as_a_route_of_the_screen(company: Platform) -> None:
    admin = signed_in(company)
    made = admin.post(f"{ROLES}new", data={"name": "New", "csrf_token": csrf_token(admin.get(ROLES).text)})
    assert made.status_code == 302
    assert made.headers["Location"].endswith("/access/roles/role_1")
    assert (
        admin.post(f"{ROLES}role_1/discard", data={"csrf_token": csrf_token(admin.get(ROLES).text)}).status_code == 302
    )


def test_changes_stored_before_roles_were_drafted_apply_until_the_role_is_drafted(company: Platform) -> None:
    tenant = find_tenant(company.settings.database_url, SLUG)
    with tenant_engine(company.settings, tenant).begin() as connection:
        connection.execute(
            sa.insert(ROLE_RIGHT_CHANGES),
            [{"role": "sales_rep", "entity": "crm.account", "right": "delete", "granted": False}],
        )
    with platform_engine(company.settings.database_url).begin() as connection:  # every process builds again
        connection.execute(sa.update(Tenant).where(Tenant.slug == SLUG).values(generation=Tenant.generation + 1))
    admin = signed_in(company)
    boxes = ticked_boxes(admin.get(f"{ROLES}sales_rep").text)
    assert "right:crm.account:delete" not in boxes and "right:crm.account:read" in boxes
    assert draft_rights(admin, "sales_rep", add=("right:core.department:read",)).status_code == 302
    assert publish(admin, "sales_rep").status_code == 302
    exported = list(yaml.safe_load_all(admin.get(f"{VERSIONS}export.yaml").text))
    role = next(doc for doc in exported if doc["kind"] == "Role" and doc["name"] == "sales_rep")
    assert "delete" not in role["rights"]["crm.account"]  # the earlier change is kept in the overlay


def test_the_changes_are_said_in_chinese_to_a_chinese_admin(company: Platform) -> None:
    admin = signed_in(company, language="zh")
    assert draft_rights(admin, "hr", add=("right:crm.account:export",)).status_code == 302
    page = page_text(admin.get(f"{ROLES}hr"))
    assert "客户: 新增权限：导出" in page
    admin.post(f"{ROLES}hr/discard", data={"csrf_token": csrf_token(admin.get(f"{ROLES}hr").text)})


def test_only_admins_publish_or_discard_and_every_post_carries_the_token(company: Platform) -> None:
    admin, hank = signed_in(company), signed_in(company, "hank")
    assert draft_rights(admin, "hr", add=("right:crm.account:export",)).status_code == 302
    token = csrf_token(hank.get(f"/t/{SLUG}/notifications/preferences").text)
    assert hank.post(f"{ROLES}hr/publish", data={"csrf_token": token}).status_code == 403
    assert hank.post(f"{ROLES}hr/discard", data={"csrf_token": token}).status_code == 403
    assert admin.post(f"{ROLES}hr/publish", data={}).status_code == 400
    assert (
        admin.post(f"{ROLES}nobody/publish", data={"csrf_token": csrf_token(admin.get(ROLES).text)}).status_code == 404
    )
    assert "What publishing changes" in admin.get(f"{ROLES}hr").text  # still drafted, nothing published

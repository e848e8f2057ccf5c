"""FAB's roles and permissions: copied into later tenants, synced when the definitions add views."""

from __future__ import annotations

from pathlib import Path

from conftest import PASSWORD, Platform, login, migrate_to
from formwork.definitions.loader import builtin_definitions, require_catalog
from formwork.tenancy.cache import TenantApps
from formwork.tenancy.provision import create_tenant
from formwork.tenancy.registry import find_tenant
from test_schema import V1, V2, write


def _rights(platform: Platform, slug: str) -> set[tuple[str, str]]:
    app = TenantApps(platform.settings, platform.catalog).get(find_tenant(platform.settings.database_url, slug))
    with app.app_context():
        sm = app.appbuilder.sm
        return {(str(pv.permission), str(pv.view_menu)) for pv in sm.find_role(sm.auth_role_admin).permissions}


def test_every_new_tenant_gets_the_same_rights_and_can_add_roles(platform: Platform) -> None:
    platform.tenant("rights-one", packs=["crm"])
    platform.tenant("rights-two", packs=["crm"])
    first, second = _rights(platform, "rights-one"), _rights(platform, "rights-two")
    assert first == second and ("can_list", "CrmAccountView") in second and ("can_get", "CrmAccountApi") in second
    app = TenantApps(platform.settings, platform.catalog).get(find_tenant(platform.settings.database_url, "rights-two"))
    with app.app_context():
        # the copied rows did not leave the id sequences behind (PostgreSQL)
        assert app.appbuilder.sm.add_role("Sales") is not None
        assert app.appbuilder.sm.find_role("Sales").id > max(
            r.id for r in app.appbuilder.sm.get_all_roles() if r.name != "Sales"
        )


def test_an_entity_added_later_is_on_the_admins_menu(platform: Platform, tmp_path: Path, monkeypatch) -> None:
    v1 = require_catalog([builtin_definitions(), write(tmp_path / "v1" / "notes", V1)])
    create_tenant(platform.settings, v1, "later-co", "Later Co", ["notes"], "admin", PASSWORD)
    v2 = require_catalog([builtin_definitions(), write(tmp_path / "v2" / "notes", V2)])
    migrate_to(platform, "later-co", v2)
    client = platform.client()
    login(client, "later-co")
    page = client.get("/t/later-co/notes_tag/list/")
    assert page.status_code == 200 and '<h4 class="panel-title">Tag</h4>' in page.text


def test_a_role_a_pack_brings_later_can_use_approvals(platform: Platform) -> None:
    from formwork.tenancy.packs import install_pack, plan_install

    tenant = platform.tenant("roles-later", packs=["core"])
    install_pack(
        platform.settings, platform.catalog, tenant, plan_install(platform.settings, platform.catalog, tenant, "oa")
    )
    app = TenantApps(platform.settings, platform.catalog).get(
        find_tenant(platform.settings.database_url, "roles-later")
    )
    with app.app_context():
        finance = app.appbuilder.sm.find_role("finance")
        assert finance is not None
        rights = {(str(pv.permission), str(pv.view_menu)) for pv in finance.permissions}
        assert {("can_use", "Approvals"), ("can_inbox", "ApprovalInbox"), ("menu_access", "Approval inbox")} <= rights
        assert ("can_list", "OaExpenseClaimView") in rights  # and the rights its definition gives (docs/access.md)

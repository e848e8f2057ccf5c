"""A pack role an admin edited on the roles screen keeps the pack's `*`: its overlay names only the entities whose
rights the admin changed, so an entity a later pack version adds under `*` reaches the role's holders, while the
admin's change stays in force."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml
from werkzeug.test import Client

from conftest import PASSWORD, Platform, csrf_token, jwt, login, migrate_to, post_record, publish_draft
from formwork.definitions.loader import builtin_definitions, require_catalog
from formwork.meta.catalog import Catalog
from formwork.tenancy.apps import build_tenant_app
from formwork.tenancy.registry import find_tenant

SLUG = "role-follows"
ROLES = f"/t/{SLUG}/access/roles/"
API = f"/t/{SLUG}/api/v1"
#: sales_rep as a pack version writes it with `*`: every right but approve, export and import on every entity
STAR_RIGHTS = {"*": ["read", "create", "edit", "delete"]}
LEAD = """\
kind: Entity
name: lead
label: {en: Lead, zh: 线索}
plural: {en: Leads, zh: 线索}
title_field: name
fields:
  - {name: name, type: string, label: {en: Name, zh: 名称}, required: true}
"""


def crm_release(root: Path, version: str, *entities: tuple[str, str]) -> Catalog:
    """The builtin packs with crm at `version`: its sales_rep given STAR_RIGHTS, and `entities` (file, text) added."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "core").symlink_to(builtin_definitions() / "core")
    crm = root / "crm"
    shutil.copytree(builtin_definitions() / "crm", crm)
    pack = crm / "pack.yaml"
    pack.write_text(re.sub(r"(?m)^version: .*$", f"version: {version}", pack.read_text()))
    roles = list(yaml.safe_load_all((crm / "roles.yaml").read_text()))
    next(role for role in roles if role["name"] == "sales_rep")["rights"] = STAR_RIGHTS
    (crm / "roles.yaml").write_text(yaml.safe_dump_all(roles, sort_keys=False, allow_unicode=True))
    for file, text in entities:
        (crm / file).write_text(text)
    return require_catalog([root])


def signed_in(platform: Platform, user: str = "admin") -> Client:
    client = platform.client()
    assert login(client, SLUG, user).status_code == 302
    return client


def ticked_boxes(page: str) -> set[str]:
    return set(re.findall(r'name="(right:[\w.]+:\w+)" value="1"[^>]*checked', page))


def take_right(admin: Client, role: str, box: str) -> None:
    """Untick one box of the role's grid and save, as a browser would."""
    page = admin.get(f"{ROLES}{role}").text
    edits = re.search(r'name="edits" value="(\d+)"', page)
    assert edits and box in ticked_boxes(page)
    data = dict.fromkeys(ticked_boxes(page) - {box}, "1") | {"csrf_token": csrf_token(page), "edits": edits.group(1)}
    assert admin.post(f"{ROLES}{role}", data=data).status_code == 302


@pytest.fixture(scope="module")
def tenant(platform: Platform, tmp_path_factory: pytest.TempPathFactory) -> Platform:
    """core + crm 0.2.0 (sales_rep given rights with `*`); rita holds sales_rep."""
    platform.tenant(SLUG, ["core", "crm"])
    migrate_to(platform, SLUG, crm_release(tmp_path_factory.mktemp("v2"), "0.2.0"))
    app = build_tenant_app(platform.settings, find_tenant(platform.settings.database_url, SLUG), platform.catalog)
    with app.app_context():
        sm = app.appbuilder.sm
        sm.add_user("rita", "Rita", "Test", "rita@example.com", [sm.find_role("sales_rep")], password=PASSWORD)
    return platform


def test_an_edited_pack_role_gets_an_entity_a_later_version_adds_under_star_and_keeps_the_change(
    tenant: Platform, tmp_path: Path
) -> None:
    admin = signed_in(tenant)
    take_right(admin, "sales_rep", "right:crm.contact:delete")
    assert publish_draft(admin, f"{ROLES}sales_rep", f"{ROLES}sales_rep/publish").status_code == 302
    exported = yaml.safe_load_all(admin.get(f"/t/{SLUG}/studio/versions/export.yaml").text)
    role = next(doc for doc in exported if doc["kind"] == "Role" and doc["name"] == "sales_rep")
    assert role["rights"] == {**STAR_RIGHTS, "crm.contact": ["read", "create", "edit"]}  # only what changed

    api = tenant.client()
    rita = jwt(api, SLUG, "rita")
    contact = post_record(api, rita, SLUG, "crm_contact", name="Chen")
    account = post_record(api, rita, SLUG, "crm_account", name="Rita's Co")
    assert api.delete(f"{API}/crm_contact/{contact}", headers=rita).status_code == 403
    assert api.delete(f"{API}/crm_account/{account}", headers=rita).status_code == 200
    assert api.get(f"{API}/crm_lead/", headers=rita).status_code == 404  # no such entity yet

    migrate_to(tenant, SLUG, crm_release(tmp_path / "v3", "0.3.0", ("lead.yaml", LEAD)))
    rita = jwt(api, SLUG, "rita")
    lead = post_record(api, rita, SLUG, "crm_lead", name="Trade fair visitor")
    assert api.get(f"{API}/crm_lead/{lead}", headers=rita).status_code == 200
    assert api.delete(f"{API}/crm_lead/{lead}", headers=rita).status_code == 200
    assert api.delete(f"{API}/crm_contact/{contact}", headers=rita).status_code == 403  # the admin's change holds

    grid = ticked_boxes(signed_in(tenant).get(f"{ROLES}sales_rep").text)
    assert {"right:crm.lead:read", "right:crm.lead:delete", "right:crm.contact:edit"} <= grid
    assert "right:crm.contact:delete" not in grid

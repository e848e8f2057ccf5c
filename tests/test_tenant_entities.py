"""A tenant's own entities: `Entity` overlays of the pack `x`, with their own table, screens, API and menu group."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from werkzeug.test import Client

from conftest import PASSWORD, Platform, csrf_token, jwt, login, publish_draft
from formwork.definitions.loader import builtin_definitions, load_catalog
from formwork.meta.errors import DefinitionsInvalid
from formwork.tenancy.apps import build_tenant_app
from formwork.tenancy.customizations import list_customizations, read_overlays
from formwork.tenancy.customize import restore_revision, store_overlays
from formwork.tenancy.pack_from_tenant import pack_from_tenant
from formwork.tenancy.registry import find_tenant
from formwork.tenancy.revisions import current_revision
from formwork.tenancy.storage import tenant_engine

PROJECT = """\
kind: Entity
name: project
label: {en: Project, zh: 项目}
title_field: title
fields:
  - {name: title, type: string, required: true, label: {en: Title, zh: 标题}}
  - {name: account, type: reference, target: crm.account}
  - {name: budget, type: decimal}
  - name: stage
    type: choice
    choices: [{value: planned}, {value: running}, {value: done}]
---
kind: ListView
entity: x.project
columns: [title, account, budget, stage]
"""


@pytest.fixture(scope="module")
def tenant_client(platform: Platform) -> Client:
    tenant = platform.tenant("ownentities", ["crm"])
    changes = store_overlays(platform.settings, platform.catalog, tenant, read_overlays(PROJECT, "project.yaml"))
    assert changes[:2] == ["customization added: Entity x.project", "customization added: ListView x.project/default"]
    assert any(change == "add table x_project" for change in changes), changes
    client = platform.client()
    assert login(client, "ownentities").status_code == 302
    return client


def test_an_entity_of_the_tenant_gets_a_table_a_menu_group_and_screens(
    platform: Platform, tenant_client: Client
) -> None:
    tenant = find_tenant(platform.settings.database_url, "ownentities")
    columns = {c["name"] for c in sa.inspect(tenant_engine(platform.settings, tenant)).get_columns("x_project")}
    assert {"title", "account_id", "budget", "stage"} <= columns
    home = tenant_client.get("/t/ownentities/x_project/list/")
    assert home.status_code == 200
    assert "Our own" in home.text and "Project" in home.text
    form = tenant_client.get("/t/ownentities/x_project/add")
    saved = tenant_client.post(
        "/t/ownentities/x_project/add",
        data={"title": "Rollout", "stage": "planned", "budget": "1200", "csrf_token": csrf_token(form.text)},
    )
    assert saved.status_code == 302
    assert "Rollout" in tenant_client.get("/t/ownentities/x_project/list/").text


def test_the_api_of_a_tenant_entity_validates_like_any_other(tenant_client: Client) -> None:
    headers = jwt(tenant_client, "ownentities")
    refused = tenant_client.post("/t/ownentities/api/v1/x_project/", json={"stage": "nowhere"}, headers=headers)
    assert refused.status_code == 400, refused.text
    assert "title" in refused.get_json()["message"] and "stage" in refused.get_json()["message"]
    created = tenant_client.post(
        "/t/ownentities/api/v1/x_project/", json={"title": "Pilot", "stage": "running"}, headers=headers
    )
    assert created.status_code == 201, created.text


def test_a_tenant_entity_with_an_error_is_refused_with_its_line(platform: Platform) -> None:
    tenant = find_tenant(platform.settings.database_url, "ownentities")
    bad = "kind: Entity\nname: broken\nfields:\n  - {name: owner, type: reference, target: crm.nothing}\n"
    with pytest.raises(DefinitionsInvalid) as raised:
        store_overlays(platform.settings, platform.catalog, tenant, read_overlays(bad, "broken.yaml"))
    assert "broken.yaml:4" in str(raised.value) and "crm.nothing" in str(raised.value)
    assert ("Entity", "x.broken") not in {
        (c.kind, c.target) for c in list_customizations(platform.settings, "ownentities")
    }


def test_restoring_a_revision_before_the_entity_keeps_its_records(platform: Platform, tenant_client: Client) -> None:
    tenant = find_tenant(platform.settings.database_url, "ownentities")
    engine = tenant_engine(platform.settings, tenant)
    with engine.connect() as connection:
        before = connection.scalar(sa.text("select count(*) from x_project"))
    assert before >= 1
    with_entity = current_revision(platform.settings, "ownentities")
    restore_revision(platform.settings, platform.catalog, tenant, with_entity - 2, "admin")
    assert tenant_client.get("/t/ownentities/x_project/list/").status_code == 404
    with engine.connect() as connection:
        assert connection.scalar(sa.text("select count(*) from x_project")) == before
    restore_revision(
        platform.settings,
        platform.catalog,
        find_tenant(platform.settings.database_url, "ownentities"),
        with_entity,
        "admin",
    )
    assert "Rollout" in tenant_client.get("/t/ownentities/x_project/list/").text


def test_no_pack_may_take_the_name_of_the_tenants_own(tmp_path) -> None:
    pack = tmp_path / "x"
    pack.mkdir()
    (pack / "pack.yaml").write_text("kind: Pack\nname: x\nversion: 1.0.0\n")
    _, errors = load_catalog([builtin_definitions(), tmp_path])
    assert any("pack.yaml:2" in str(e) and "'x' is the name of a tenant's own definitions" in str(e) for e in errors)


def test_a_pack_made_from_the_tenant_takes_its_own_entities_in(platform: Platform, tenant_client: Client) -> None:
    tenant = find_tenant(platform.settings.database_url, "ownentities")
    made = pack_from_tenant(platform.settings, tenant, "crm")
    assert "Entity x.project (as crm.project)" in made.folded and "ListView crm.project/default" in made.folded
    text = dict(made.files)["from_tenant.yaml"]
    assert "name: project" in text and "renamed_from: x.project" in text
    assert "x.project" not in text.replace("renamed_from: x.project", "")


def test_the_export_holds_the_entity_and_reads_back_as_overlays(platform: Platform, tenant_client: Client) -> None:
    exported = tenant_client.get("/t/ownentities/studio/versions/export.yaml")
    assert exported.status_code == 200
    overlays = read_overlays(exported.get_data(as_text=True), "export.yaml")
    assert [(o.kind, o.target) for o in overlays][:2] == [("Entity", "x.project"), ("ListView", "x.project/default")]


def test_the_roles_grid_gives_a_pack_role_rights_on_an_own_entity(platform: Platform, tenant_client: Client) -> None:
    tenant = find_tenant(platform.settings.database_url, "ownentities")
    app = build_tenant_app(platform.settings, tenant, platform.catalog)
    with app.app_context():
        sm = app.appbuilder.sm
        sm.add_user("rita", "Rita", "Test", "rita@example.com", [sm.find_role("sales_rep")], password=PASSWORD)
    rita = platform.client()
    assert login(rita, "ownentities", "rita").status_code == 302
    assert rita.get("/t/ownentities/x_project/list/").status_code == 403
    grid = tenant_client.get("/t/ownentities/access/roles/sales_rep")
    assert 'data-entity="x.project"' in grid.text
    ticked = re.findall(r'name="(right:[\w.]+:\w+)" value="1"[^>]*checked', grid.text)
    data = {**dict.fromkeys(ticked, "1"), "right:x.project:read": "1", "csrf_token": csrf_token(grid.text)}
    assert tenant_client.post("/t/ownentities/access/roles/sales_rep", data=data).status_code == 302
    assert rita.get("/t/ownentities/x_project/list/").status_code == 403  # a draft changes nothing yet
    published = publish_draft(
        tenant_client, "/t/ownentities/access/roles/sales_rep", "/t/ownentities/access/roles/sales_rep/publish"
    )
    assert published.status_code == 302
    assert rita.get("/t/ownentities/x_project/list/").status_code == 200
    assert 'href="/t/ownentities/x_project/list/"' in rita.get("/t/ownentities/").text

"""`formwork pack from-tenant` folds a tenant's own entities into the pack: `project` declared `renamed_from:
x.project`. Upgrading the tenant onto that version moves the table, its records and everything recorded of them
(history, approvals, run logs) to the pack's names, and drops the overlays the pack now defines: the own role keeps
its name, so its holders keep their rights."""

from __future__ import annotations

import textwrap
from pathlib import Path

import sqlalchemy as sa

from conftest import PASSWORD, Platform, jwt, login, migrate_to, post_record
from formwork.automation.record_runs import RECORD_RUNS
from formwork.definitions.loader import builtin_definitions, require_catalog
from formwork.history.tables import CHANGES
from formwork.tenancy.apps import build_tenant_app
from formwork.tenancy.customizations import list_customizations, read_overlays
from formwork.tenancy.customize import store_overlays
from formwork.tenancy.pack_from_tenant import pack_from_tenant
from formwork.tenancy.registry import find_tenant
from formwork.tenancy.storage import tenant_engine

SLUG = "takeover"
OVERLAYS = textwrap.dedent("""\
    kind: Entity
    name: project
    label: {en: Project, zh: 项目}
    title_field: title
    fields:
      - {name: title, type: string, required: true}
      - {name: account, type: reference, target: crm.account}
      - {name: stage, type: choice, choices: [{value: new}, {value: planned}]}
    ---
    kind: ListView
    entity: x.project
    columns: [title, account, stage]
    ---
    kind: Automation
    name: plan_new
    entity: x.project
    trigger: {type: created}
    steps:
      - set: {stage: planned}
    ---
    kind: Role
    name: field_auditors
    label: {en: Field auditors, zh: 现场审计}
    rights:
      x.project: [read]
      crm.account: [read]
    ---
    kind: Dashboard
    name: projects
    label: {en: Projects, zh: 项目}
    rows:
      - widgets:
          - {type: number, label: {en: Projects, zh: 项目}, entity: x.project}
    ---
    kind: EntityExtension
    entity: crm.account
    fields:
      - {name: x_wechat_id, type: string, label: {en: WeChat ID, zh: 微信号}}
    """)


def _rows(platform: Platform, query: sa.Select) -> list[sa.Row]:
    tenant = find_tenant(platform.settings.database_url, SLUG)
    with tenant_engine(platform.settings, tenant).connect() as connection:
        return list(connection.execute(query))


def test_the_tenant_moves_onto_a_pack_that_took_over_its_own_entity(platform: Platform, tmp_path: Path) -> None:
    tenant = platform.tenant(SLUG, ["core", "crm"])
    store_overlays(platform.settings, platform.catalog, tenant, read_overlays(OVERLAYS, "studio.yaml"))
    client = platform.client()
    headers = jwt(client, SLUG)
    account = post_record(client, headers, SLUG, "crm_account", name="WeChat Co", x_wechat_id="wx-1")
    project = post_record(client, headers, SLUG, "x_project", title="Rollout", account=account)
    app = build_tenant_app(platform.settings, find_tenant(platform.settings.database_url, SLUG), platform.catalog)
    with app.app_context():  # the serving app made the own role when it was built for the requests above
        sm = app.appbuilder.sm
        assert sm.add_user(
            "fay", "Fay", "Audit", "fay@example.com", [sm.find_role("field_auditors")], password=PASSWORD
        )
    assert client.get(f"/t/{SLUG}/api/v1/x_project/{project}", headers=jwt(client, SLUG, "fay")).status_code == 200

    noted = client.post(
        f"/t/{SLUG}/api/v1/records/x_project/{project}/comments", headers=headers, json={"body": "kick-off on Monday"}
    )
    assert noted.status_code == 201, noted.text

    made = pack_from_tenant(platform.settings, find_tenant(platform.settings.database_url, SLUG), "crm")
    assert "Entity x.project (as crm.project)" in made.folded
    assert "Automation crm.project/plan_new" in made.folded
    assert {"Role crm.field_auditors", "Dashboard crm.projects"} <= set(made.folded)
    (tmp_path / "core").symlink_to(builtin_definitions() / "core")
    for path, text in made.files:
        (tmp_path / "crm" / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "crm" / path).write_text(text, encoding="utf-8")
    catalog = require_catalog([tmp_path])
    assert catalog.entities["crm.project"].renamed_from == "x.project"
    assert catalog.entities["crm.project"].field("account").options["target"] == "crm.account"

    plan = migrate_to(platform, SLUG, catalog)
    assert plan is not None
    assert any("entity crm.project takes over x.project" in line for line in plan.describe()), plan.describe()

    got = client.get(f"/t/{SLUG}/api/v1/crm_project/{project}", headers=headers)
    assert got.status_code == 200, got.text
    assert got.get_json()["result"]["title"] == "Rollout" and got.get_json()["result"]["stage"] == "planned"
    assert client.get(f"/t/{SLUG}/api/v1/x_project/{project}", headers=headers).status_code == 404
    shown = client.get(f"/t/{SLUG}/api/v1/crm_account/{account}", headers=headers).get_json()["result"]
    assert shown["wechat_id"] == "wx-1"

    stored = _rows(platform, sa.select(CHANGES.c.entity).where(CHANGES.c.record_id == project))
    assert ("x.project",) in stored  # the history is append-only: it keeps the name it was written with
    history = client.get(f"/t/{SLUG}/api/v1/records/crm_project/{project}/history", headers=headers)
    assert history.status_code == 200, history.text
    assert [c["action"] for c in history.get_json()["result"]][-1] == "create"
    comments = client.get(f"/t/{SLUG}/api/v1/records/crm_project/{project}/comments", headers=headers).json
    assert [c["body"] for c in comments["result"]] == ["kick-off on Monday"]
    assert login(client, SLUG).status_code == 302
    page = client.get(f"/t/{SLUG}/crm_project/show/{project}")
    assert page.status_code == 200 and "Rollout" in page.text
    runs = [row.automation for row in _rows(platform, sa.select(RECORD_RUNS.c.automation))]
    assert runs == ["crm.plan_new"]
    left = {(c.kind, c.target) for c in list_customizations(platform.settings, SLUG)}
    assert ("Entity", "x.project") not in left and ("EntityExtension", "crm.account") not in left
    assert ("Role", "x.field_auditors") not in left and ("Dashboard", "x.projects") not in left
    fay = jwt(client, SLUG, "fay")
    assert client.get(f"/t/{SLUG}/api/v1/crm_project/{project}", headers=fay).status_code == 200
    assert client.delete(f"/t/{SLUG}/api/v1/crm_project/{project}", headers=fay).status_code == 403

    second = post_record(client, headers, SLUG, "crm_project", title="Pilot")
    assert client.get(f"/t/{SLUG}/api/v1/crm_project/{second}", headers=headers).get_json()["result"]["stage"] == (
        "planned"
    )
    runs = [row.automation for row in _rows(platform, sa.select(RECORD_RUNS.c.automation))]
    assert runs == ["crm.plan_new", "crm.plan_new"]

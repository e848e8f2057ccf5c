"""`formwork pack from-tenant`: a tenant's customizations of a pack become a new version of that pack, its added
fields the pack's own (renamed from their x_ names, so the tenant's data follows), checked before it is written;
a tenant moved onto it keeps its data."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from conftest import Platform, jwt, migrate_to, post_record
from formwork.cli import main
from formwork.definitions.loader import builtin_definitions, require_catalog
from formwork.tenancy.customizations import exported_overlays, read_overlays
from formwork.tenancy.customize import store_overlays
from formwork.tenancy.registry import find_tenant
from formwork.tenancy.storage import tenant_engine

SLUG = "from-tenant"
OVERLAYS = textwrap.dedent("""\
    kind: EntityExtension
    entity: crm.account
    changes:
      website: {required_when: "level == 'vip'"}
    fields:
      - {name: x_wechat_id, type: string, label: {en: WeChat ID, zh: 微信号}}
    ---
    kind: Form
    entity: crm.account
    sections:
      - fields: [name, level, x_wechat_id, website]
    ---
    kind: KanbanView
    entity: crm.opportunity
    name: pipeline
    label: {en: Deals, zh: 商机}
    group_by: stage
    card: [name, amount]
    ---
    kind: EntityExtension
    entity: oa.announcement
    fields:
      - {name: x_pinned, type: boolean}
    """)


@pytest.fixture
def formwork(platform: Platform, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("FORMWORK_INSTANCE", str(platform.settings.instance))
    monkeypatch.setenv("FORMWORK_DATABASE_URL", platform.settings.database_url)
    monkeypatch.setenv("FORMWORK_SECRET_KEY", platform.settings.secret_key)
    runner = CliRunner()
    return lambda *args: runner.invoke(main, list(args))


def test_customizations_become_a_pack_version_the_tenant_moves_onto_keeping_its_data(
    platform: Platform, formwork, tmp_path: Path
) -> None:
    tenant = platform.tenant(SLUG)
    store_overlays(platform.settings, platform.catalog, tenant, read_overlays(OVERLAYS, "studio.yaml"))
    client = platform.client()
    made = post_record(client, jwt(client, SLUG), SLUG, "crm_account", name="WeChat Co", x_wechat_id="wx-1")

    for other in ("core", "oa"):
        (tmp_path / other).symlink_to(builtin_definitions() / other)
    written = formwork("pack", "from-tenant", SLUG, "crm", "--out", str(tmp_path))
    assert written.exit_code == 0, written.output
    assert f"wrote {tmp_path / 'crm'}: crm 0.2.0" in written.output
    assert "folded in: EntityExtension crm.account" in written.output
    assert "folded in: KanbanView crm.opportunity/pipeline" in written.output
    assert "left out: EntityExtension oa.announcement (another pack's: oa)" in written.output

    catalog = require_catalog([tmp_path])
    account = catalog.entities["crm.account"]
    wechat = account.field("wechat_id")
    assert wechat is not None and wechat.renamed_from == "x_wechat_id"
    assert account.field("website").condition("required_when") == "level == 'vip'"
    assert "wechat_id" in catalog.forms["crm.account"][0].field_names
    assert list(catalog.kanban_views["crm.pipeline"].card) == ["name", "amount"]
    assert catalog.packs["crm"].version == "0.2.0"

    migrate_to(platform, SLUG, catalog)
    extension = next(o for o in exported_overlays(platform.settings, SLUG) if o["kind"] == "EntityExtension")
    assert "fields" not in extension and extension["changes"]["website"]  # the pack took the field over
    with tenant_engine(platform.settings, find_tenant(platform.settings.database_url, SLUG)).connect() as conn:
        stored = conn.execute(sa.text("SELECT wechat_id FROM crm_account WHERE id = :id"), {"id": made}).scalar()
    assert stored == "wx-1"


def test_a_tenant_without_the_pack_or_an_existing_folder_is_refused_in_one_line(
    platform: Platform, formwork, tmp_path: Path
) -> None:
    platform.tenant("from-tenant-crm", ["core", "crm"])
    refused = formwork("pack", "from-tenant", "from-tenant-crm", "oa", "--out", str(tmp_path))
    assert refused.exit_code == 1 and "tenant 'from-tenant-crm' has no pack 'oa'" in refused.output
    assert "Traceback" not in refused.output
    (tmp_path / "crm").mkdir()
    exists = formwork("pack", "from-tenant", "from-tenant-crm", "crm", "--out", str(tmp_path))
    assert exists.exit_code == 1 and "exists; choose another --out" in exists.output


def test_a_field_whose_pack_name_is_taken_is_refused(platform: Platform, formwork, tmp_path: Path) -> None:
    tenant = platform.tenant("from-tenant-twin", ["core", "crm"])
    twin = "kind: EntityExtension\nentity: crm.account\nfields:\n  - {name: x_city, type: string}\n"
    store_overlays(platform.settings, platform.catalog, tenant, read_overlays(twin, "twin.yaml"))
    refused = formwork("pack", "from-tenant", "from-tenant-twin", "crm", "--out", str(tmp_path))
    assert refused.exit_code == 1
    assert "x_city of crm.account would become city, which the pack already has" in refused.output
    assert not (tmp_path / "crm").exists()

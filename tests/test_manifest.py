"""Tenants as code: time zone, storage, pack versions and customizations; export → apply gives the same tenant."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import PASSWORD, Platform, _postgres_database, catalog_with_pack, login
from formwork import create_app
from formwork.config import Settings
from formwork.meta.catalog import Catalog
from formwork.meta.errors import DefinitionsInvalid
from formwork.tenancy.customizations import list_customizations, read_overlays
from formwork.tenancy.customize import store_overlays
from formwork.tenancy.errors import TenantError
from formwork.tenancy.manifest import (
    apply_manifest,
    export_manifest,
    read_manifest,
    version_range,
)
from formwork.tenancy.registry import find_tenant, list_tenants, platform_engine
from formwork.tenancy.storage import dispose_engines

ACME = Path(__file__).parents[1] / "tenants" / "acme.yaml"


@pytest.fixture(scope="module")
def other_platform(platform: Platform, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Platform]:
    """A second, empty platform on the same backend: where an exported tenant is re-created."""
    instance = tmp_path_factory.mktemp("other-instance")
    database = _postgres_database() if platform.backend == "postgres" else None
    url = next(database) if database else f"sqlite:///{instance / 'platform.sqlite'}"
    settings = Settings(instance=instance, database_url=url, secret_key="another-platform-secret", max_tenant_apps=4)
    yield Platform(settings, platform.catalog, create_app(settings, platform.catalog), platform.backend)
    platform_engine(url).dispose()
    dispose_engines()
    if database is not None:
        next(database, None)


@pytest.fixture(autouse=True)
def admin_password(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FORMWORK_ADMIN_PASSWORD", PASSWORD)


def apply(platform: Platform, path: Path) -> list[str]:
    return apply_manifest(platform.settings, platform.catalog, read_manifest(path), report=lambda _: None)


def test_acme_round_trips_to_a_fresh_platform(platform: Platform, other_platform: Platform, tmp_path: Path) -> None:
    assert apply(platform, ACME)[:3] == [
        "created tenant 'acme'",
        "customization added: EntityExtension crm.account",
        "customization added: Form crm.account/default",
    ]
    assert apply(platform, ACME) == []
    acme = find_tenant(platform.settings.database_url, "acme")
    assert acme.timezone == "Asia/Shanghai"
    assert platform.app.tenant_apps.get(acme).config["FORMWORK_TIMEZONE"] == "Asia/Shanghai"

    later = "kind: ListView\nentity: crm.account\nname: on_wechat\ncolumns: [name, x_wechat]\n"
    store_overlays(platform.settings, platform.catalog, acme, read_overlays(later, "later.yaml"))
    exported = export_manifest(platform.settings, find_tenant(platform.settings.database_url, "acme"))
    assert "timezone: Asia/Shanghai" in exported and "crm: ^0.1.0" in exported and "name: on_wechat" in exported
    (tmp_path / "acme.yaml").write_text(exported, encoding="utf-8")
    assert apply(platform, tmp_path / "acme.yaml") == []  # the export is what the tenant already is

    assert apply(other_platform, tmp_path / "acme.yaml")[0] == "created tenant 'acme'"
    again = export_manifest(other_platform.settings, find_tenant(other_platform.settings.database_url, "acme"))
    assert again == exported
    client = other_platform.client()
    assert login(client, "acme", username="zhang.wei").status_code == 302
    client.get("/t/acme/lang/en")
    page = client.get("/t/acme/crm_account/add")
    assert "WeChat ID" in page.text and 'name="x_wechat"' in page.text and "City / district" in page.text
    assert client.get("/t/acme/crm_account/view/on_wechat/").status_code == 200


def test_customizations_in_a_manifest_are_added_changed_and_removed(platform: Platform, tmp_path: Path) -> None:
    text = ACME.read_text(encoding="utf-8").replace("slug: acme", "slug: acme-two")
    (tmp_path / "two.yaml").write_text(text, encoding="utf-8")
    apply(platform, tmp_path / "two.yaml")
    changed = text.replace("label: {en: WeChat ID, zh: 微信号}", "label: {en: WeChat, zh: 微信}")
    form_start = changed.index("  - kind: Form")
    (tmp_path / "two.yaml").write_text(changed[:form_start], encoding="utf-8")
    assert apply(platform, tmp_path / "two.yaml") == [
        "customization changed: EntityExtension crm.account",
        "customization removed: Form crm.account/default",
    ]
    (tmp_path / "two.yaml").write_text(changed[: changed.index("customizations:")], encoding="utf-8")
    assert apply(platform, tmp_path / "two.yaml") == []  # no `customizations:`: the stored ones are left alone
    assert [c.target for c in list_customizations(platform.settings, "acme-two")] == ["crm.account"]


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "manifest.yaml"
    path.write_text(text, encoding="utf-8")
    return path


BASE = "kind: Tenant\nslug: wrong-co\nname: Wrong Co\npacks: [crm]\nadmin: {username: admin, password_env: FORMWORK_ADMIN_PASSWORD}\n"


def test_a_wrong_time_zone_is_named_with_its_line(platform: Platform, tmp_path: Path) -> None:
    with pytest.raises(DefinitionsInvalid) as raised:
        read_manifest(write(tmp_path, BASE + "timezone: Asia/Beijing\n"))
    assert str(raised.value) == (
        f"{tmp_path / 'manifest.yaml'}:6 at timezone: 'Asia/Beijing' is not a time zone; "
        "write an IANA name such as Asia/Shanghai or UTC"
    )


def test_a_pack_range_this_server_cannot_satisfy_changes_nothing(platform: Platform, tmp_path: Path) -> None:
    before = [t.slug for t in list_tenants(platform.settings.database_url)]
    manifest = read_manifest(write(tmp_path, BASE.replace("packs: [crm]", "packs: {crm: '^2.0', core: '>=0.1,<1'}")))
    with pytest.raises(DefinitionsInvalid) as raised:
        apply_manifest(platform.settings, platform.catalog, manifest, report=lambda _: None)
    assert (
        str(raised.value)
        == f"{tmp_path / 'manifest.yaml'}:4 at packs.crm: crm ^2.0 is wanted, but this server has crm 0.1.0"
    )
    assert [t.slug for t in list_tenants(platform.settings.database_url)] == before
    with pytest.raises(DefinitionsInvalid, match="'latest' is not a version range"):
        read_manifest(write(tmp_path, BASE.replace("packs: [crm]", "packs: {crm: latest}")))


def test_an_invalid_inline_customization_creates_nothing(platform: Platform, tmp_path: Path) -> None:
    text = (
        BASE
        + "customizations:\n  - kind: EntityExtension\n    entity: crm.account\n    fields:\n      - {name: wechat, type: string}\n"
    )
    with pytest.raises(DefinitionsInvalid) as raised:
        apply(platform, write(tmp_path, text))
    assert f"{tmp_path / 'manifest.yaml'}:10 at fields[0].name: 'wechat': fields a tenant adds are named x_…" in str(
        raised.value
    )
    assert find_tenant(platform.settings.database_url, "wrong-co") is None


def test_changing_the_storage_of_a_tenant_is_refused(platform: Platform, tmp_path: Path) -> None:
    apply(platform, write(tmp_path, BASE))
    tenant = find_tenant(platform.settings.database_url, "wrong-co")
    other = "postgres_database" if tenant.storage_kind != "postgres_database" else "postgres_schema"
    with pytest.raises(TenantError) as raised:
        apply(platform, write(tmp_path, BASE.replace("name: Wrong Co", "name: Renamed Co") + f"storage: {other}\n"))
    assert str(raised.value) == (
        f"tenant 'wrong-co' keeps its data in {tenant.storage_kind} storage; the storage is chosen "
        f"when a tenant is created and a manifest cannot change it (it asks for {other})"
    )
    assert find_tenant(platform.settings.database_url, "wrong-co").name == "Wrong Co"


def test_version_ranges() -> None:
    assert str(version_range("^1.2")) == "<2,>=1.2" and str(version_range("^0.1.0")) == "<0.2,>=0.1.0"
    assert str(version_range("1.0.0")) == "==1.0.0" and str(version_range(">=1.0,<2")) == "<2,>=1.0"
    assert version_range("newest") is None


def test_a_manifest_asking_for_a_newer_version_upgrades_the_pack_once(platform: Platform, tmp_path: Path) -> None:
    def release(version: str, fields: str) -> Catalog:
        return catalog_with_pack(
            tmp_path / version / "memo",
            f"kind: Pack\nname: memo\nversion: {version}\n---\nkind: Entity\nname: note\nfields:\n{fields}",
        )

    v1 = release("1.0.0", "  - {name: title, type: string}\n")
    v2 = release("1.1.0", "  - {name: title, type: string}\n  - {name: body, type: text}\n")
    manifest = tmp_path / "memo.yaml"
    manifest.write_text(
        "kind: Tenant\nslug: memo-co\nname: Memo Co\npacks: {memo: ^1.0}\n"
        "admin: {username: admin, password_env: FORMWORK_ADMIN_PASSWORD}\n",
        encoding="utf-8",
    )
    assert (
        apply_manifest(platform.settings, v1, read_manifest(manifest), report=lambda _: None)[0]
        == "created tenant 'memo-co'"
    )
    manifest.write_text(manifest.read_text(encoding="utf-8").replace("^1.0", "^1.1"), encoding="utf-8")
    moved = apply_manifest(platform.settings, v2, read_manifest(manifest), report=lambda _: None)
    assert "add column memo_note.body" in moved and "upgraded memo 1.0.0 → 1.1.0" in moved
    assert find_tenant(platform.settings.database_url, "memo-co").pack_versions["memo"] == "1.1.0"
    assert apply_manifest(platform.settings, v2, read_manifest(manifest), report=lambda _: None) == []


#: a 1×1 PNG, as a logo file holds one
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)


def test_a_logo_beside_the_manifest_is_kept_served_and_exported(platform: Platform, tmp_path: Path) -> None:
    (tmp_path / "logo.png").write_bytes(PNG)
    path = write(tmp_path, BASE.replace("wrong-co", "logo-co") + "logo: logo.png\n")
    assert apply(platform, path)[0] == "created tenant 'logo-co'"
    tenant = find_tenant(platform.settings.database_url, "logo-co")
    assert tenant.logo == "data:image/png;base64," + base64.b64encode(PNG).decode()
    assert platform.app.tenant_apps.get(tenant).config["FORMWORK_LOGO"] == tenant.logo
    assert apply(platform, path) == []
    exported = export_manifest(platform.settings, tenant)
    assert f"logo: {tenant.logo}" in exported
    (tmp_path / "exported.yaml").write_text(exported, encoding="utf-8")
    assert apply(platform, tmp_path / "exported.yaml") == []  # the data: URI the export wrote is the same logo
    (tmp_path / "logo.png").write_bytes(PNG[:-4] + b"\x00\x00\x00\x01")
    assert apply(platform, path) == ["logo: a new logo"]


def test_a_logo_that_is_no_image_is_refused_with_its_line(platform: Platform, tmp_path: Path) -> None:
    (tmp_path / "logo.png").write_text("<svg onload='alert(1)'/>", encoding="utf-8")
    with pytest.raises(DefinitionsInvalid) as raised:
        read_manifest(write(tmp_path, BASE + "logo: logo.png\n"))
    assert str(raised.value) == f"{tmp_path / 'manifest.yaml'}:6 at logo: the logo is not a PNG or JPEG image"
    with pytest.raises(DefinitionsInvalid, match="cannot read the logo missing.png"):
        read_manifest(write(tmp_path, BASE + "logo: missing.png\n"))

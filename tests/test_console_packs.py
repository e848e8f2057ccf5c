"""Installing and upgrading a tenant's packs from the console: the plan is shown first and changes nothing, the
confirmation applies exactly the plan read (logged with the operator), and a refused plan says why and changes
nothing."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from werkzeug.test import Client

from conftest import PASSWORD, Platform, csrf_token
from formwork.console import add_operator, build_console_app
from formwork.definitions.loader import builtin_definitions, require_catalog
from formwork.meta.catalog import Catalog
from formwork.tenancy.packs import install_pack, plan_install, plan_upgrade, upgrade_pack
from formwork.tenancy.provision import create_tenant
from formwork.tenancy.registry import Tenant, find_tenant

OPERATOR, OPERATOR_PASSWORD = "packs-op", "op-password-1"
SLUG = "packs-co"
TAGS = """\
kind: Pack
name: tags
version: @VERSION@
requires: {core: ">=0.1.0"}
---
kind: Entity
name: tag
fields:
  - {name: name, type: string, required: true, unique: true}
@MORE@---
kind: Seed
name: basic
entity: tag
key: name
records:
  - {name: general}
"""
#: what each release of `tags` adds to its entity: 1.1.0 a field, 1.2.0 a required one the stored tag lacks
RELEASES = {
    "1.0.0": "",
    "1.1.0": "  - {name: color, type: string}\n",
    "1.2.0": "  - {name: color, type: string}\n  - {name: code, type: string, required: true}\n",
}


def tags_catalog(root: Path, version: str) -> Catalog:
    folder = root / version / "tags"
    folder.mkdir(parents=True)
    text = TAGS.replace("@VERSION@", version).replace("@MORE@", RELEASES[version])
    if "code" in RELEASES[version]:  # the seed has it; the tag stored from an earlier release does not
        text = text.replace("- {name: general}", "- {name: general, code: G}")
    (folder / "pack.yaml").write_text(text)
    return require_catalog([builtin_definitions(), folder])


@pytest.fixture(scope="module")
def catalogs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Catalog]:
    root = tmp_path_factory.mktemp("tags")
    return {version: tags_catalog(root, version) for version in RELEASES}


def console(platform: Platform, catalog: Catalog) -> Client:
    """An operator signed in to a console whose server has the packs of `catalog`."""
    app = build_console_app(platform.settings, catalog)
    add_operator(app, OPERATOR, OPERATOR_PASSWORD)
    client = Client(app)
    page = client.get("/login/")
    client.post(
        "/login/", data={"username": OPERATOR, "password": OPERATOR_PASSWORD, "csrf_token": csrf_token(page.text)}
    )
    return client


@pytest.fixture(scope="module")
def tenant(platform: Platform, catalogs: dict[str, Catalog]) -> Tenant:
    return create_tenant(platform.settings, catalogs["1.0.0"], SLUG, "Packs Co", ["core"], "admin", PASSWORD)


def current(platform: Platform) -> Tenant:
    return find_tenant(platform.settings.database_url, SLUG)


def with_tags(platform: Platform, catalogs: dict[str, Catalog], version: str) -> None:
    """The tenant at tags `version`, as `formwork tenant install-pack`/`upgrade-pack` would leave it, when the test
    that does it in the console did not run before."""
    tenant = current(platform)
    if "tags" not in tenant.packs:
        catalog = catalogs["1.0.0"]
        install_pack(platform.settings, catalog, tenant, plan_install(platform.settings, catalog, tenant, "tags"))
    if current(platform).pack_versions["tags"] != version:
        catalog = catalogs[version]
        upgrade_pack(
            platform.settings,
            catalog,
            current(platform),
            plan_upgrade(platform.settings, catalog, current(platform), "tags"),
        )


def plan_lines(html: str) -> list[str]:
    found = re.search(r'<ul class="console-plan">(.*?)</ul>', html, re.S)
    return [" ".join(item.split()) for item in re.findall(r"<li>(.*?)</li>", found.group(1), re.S)] if found else []


def refusals(html: str) -> str:
    found = re.search(r'<div class="alert alert-danger console-plan-refused">(.*?)</div>', html, re.S)
    return " ".join(found.group(1).split()) if found else ""


def digest(html: str) -> str:
    return re.search(r'name="digest" value="([^"]*)"', html).group(1)


def test_installing_shows_the_plan_first_then_applies_it(
    platform: Platform, catalogs: dict[str, Catalog], tenant: Tenant
) -> None:
    operator = console(platform, catalogs["1.0.0"])
    page = operator.get(f"/tenants/show/{tenant.id}").text
    assert '<option value="tags">tags 1.0.0</option>' in page and "Install…" in page

    plan = operator.get(f"/tenant-packs/{tenant.id}/install?pack=tags")
    assert plan.status_code == 200
    lines = plan_lines(plan.text)
    assert lines[0] == "install tags 1.0.0"
    assert any("tags_tag" in line for line in lines)
    assert "load seed tags.basic (Basic): 1 record(s)" in lines
    assert "Apply this plan" in plan.text and not refusals(plan.text)
    assert current(platform).packs == ["core"]  # reading the plan changes nothing

    stale = operator.post(
        f"/tenant-packs/{tenant.id}/install?pack=tags", data={"csrf_token": csrf_token(plan.text), "digest": "old"}
    )
    assert stale.status_code == 409 and "The plan changed since it was shown" in stale.text
    assert current(platform).packs == ["core"]

    applied = operator.post(
        f"/tenant-packs/{tenant.id}/install?pack=tags",
        data={"csrf_token": csrf_token(plan.text), "digest": digest(plan.text)},
    )
    assert applied.status_code == 302 and applied.headers["Location"].endswith(f"/tenants/show/{tenant.id}")
    assert current(platform).pack_versions == {"core": "0.1.0", "tags": "1.0.0"}
    shown = operator.get(f"/tenants/show/{tenant.id}").text
    assert "Done:" in shown and "installed tags 1.0.0" in shown
    assert re.search(r'data-entity="tags.tag">.*?<td class="console-count">1</td>', shown, re.S)  # the seed's tag

    log = operator.get("/console-log/list/").text
    rows = [" ".join(re.sub(r"<[^>]+>", " ", row).split()) for row in re.findall(r"<tr[^>]*>(.*?)</tr>", log, re.S)]
    assert any(OPERATOR in row and "installed" in row and SLUG in row and "tags 1.0.0" in row for row in rows)


def test_a_pack_already_installed_is_refused_and_nothing_changes(
    platform: Platform, catalogs: dict[str, Catalog], tenant: Tenant
) -> None:
    with_tags(platform, catalogs, "1.0.0")
    operator = console(platform, catalogs["1.0.0"])
    plan = operator.get(f"/tenant-packs/{tenant.id}/install?pack=tags")
    assert plan.status_code == 200
    assert "already has pack tags 1.0.0" in refusals(plan.text) and "Apply this plan" not in plan.text
    posted = operator.post(f"/tenant-packs/{tenant.id}/install?pack=tags", data={"csrf_token": csrf_token(plan.text)})
    assert posted.status_code == 400
    assert current(platform).pack_versions == {"core": "0.1.0", "tags": "1.0.0"}


def test_upgrading_shows_the_plan_then_moves_the_version(
    platform: Platform, catalogs: dict[str, Catalog], tenant: Tenant
) -> None:
    with_tags(platform, catalogs, "1.0.0")
    operator = console(platform, catalogs["1.1.0"])
    page = operator.get(f"/tenants/show/{tenant.id}").text
    assert "Upgrade to 1.1.0…" in page
    plan = operator.get(f"/tenant-packs/{tenant.id}/upgrade/tags")
    lines = plan_lines(plan.text)
    assert lines[0] == "upgrade tags 1.0.0 → 1.1.0" and any("color" in line for line in lines)
    assert current(platform).pack_versions["tags"] == "1.0.0"
    applied = operator.post(
        f"/tenant-packs/{tenant.id}/upgrade/tags",
        data={"csrf_token": csrf_token(plan.text), "digest": digest(plan.text)},
    )
    assert applied.status_code == 302
    assert current(platform).pack_versions["tags"] == "1.1.0"
    assert "Upgrade to" not in operator.get(f"/tenants/show/{tenant.id}").text


def test_a_refused_upgrade_says_why_and_changes_nothing(
    platform: Platform, catalogs: dict[str, Catalog], tenant: Tenant
) -> None:
    with_tags(platform, catalogs, "1.1.0")
    operator = console(platform, catalogs["1.2.0"])
    plan = operator.get(f"/tenant-packs/{tenant.id}/upgrade/tags")
    assert plan.status_code == 200
    assert "code" in refusals(plan.text) and "Apply this plan" not in plan.text
    posted = operator.post(
        f"/tenant-packs/{tenant.id}/upgrade/tags",
        data={"csrf_token": csrf_token(plan.text), "digest": digest(plan.text)},
    )
    assert posted.status_code == 400 and "code" in refusals(posted.text)
    assert current(platform).pack_versions["tags"] == "1.1.0"


def test_only_operators_change_packs(platform: Platform, catalogs: dict[str, Catalog], tenant: Tenant) -> None:
    visitor = Client(build_console_app(platform.settings, catalogs["1.0.0"]))
    assert visitor.get(f"/tenant-packs/{tenant.id}/install?pack=tags").status_code == 302
    token = csrf_token(visitor.get("/login/").text)
    posted = visitor.post(f"/tenant-packs/{tenant.id}/upgrade/tags", data={"csrf_token": token, "digest": "x"})
    assert posted.status_code == 302 and "/login/" in posted.headers["Location"]

"""The Studio's versions: every publish is a revision with who, when and a comment; any two compare overlay by
overlay; restoring an earlier one retires the fields added since and keeps their data; a draft whose overlays
someone published since it started, or that changed since its plan was read, is not published (409); the
customizations download as YAML that `formwork tenant customize` takes back."""

from __future__ import annotations

import re
from typing import Any

import pytest
import sqlalchemy as sa
import yaml
from click.testing import CliRunner
from werkzeug.test import Client

from conftest import PASSWORD, Platform, csrf_token, jwt, login, page_text, post_record
from formwork.cli import main
from formwork.tenancy.apps import build_tenant_app
from formwork.tenancy.customizations import read_overlays, stored_sources
from formwork.tenancy.customize import store_overlays
from formwork.tenancy.registry import find_tenant
from formwork.tenancy.storage import tenant_engine

SLUG = "studio-versions"
STUDIO = f"/t/{SLUG}/studio"
ACCOUNT = f"{STUDIO}/crm.account/"
VERSIONS = f"{STUDIO}/versions/"


@pytest.fixture(scope="module")
def company(platform: Platform) -> Platform:
    app = build_tenant_app(platform.settings, platform.tenant(SLUG, ["core", "crm"]), platform.catalog)
    with app.app_context():
        sm = app.appbuilder.sm
        sm.add_user("rita", "Rita", "Test", "rita@example.com", [sm.find_role("sales_rep")], password=PASSWORD)
    return platform


def signed_in(platform: Platform, user: str = "admin") -> Client:
    client = platform.client()
    assert login(client, SLUG, user).status_code == 302
    return client


def add_and_publish(client: Client, name: str, comment: str) -> Any:
    token = csrf_token(client.get(ACCOUNT).text)
    added = client.post(
        f"{ACCOUNT[:-1]}/fields", data={"name": name, "type": "string", "label_en": name.title(), "csrf_token": token}
    )
    assert added.status_code == 302, page_text(added)
    page = client.get(ACCOUNT)
    edits = re.search(r'name="edits" value="(\d+)"', page.text)
    assert edits, "the publish form carries the draft's edits"
    return client.post(
        f"{ACCOUNT[:-1]}/publish",
        data={"csrf_token": csrf_token(page.text), "comment": comment, "edits": edits.group(1)},
    )


def revision_numbers(client: Client) -> list[int]:
    return [int(n) for n in re.findall(r'<tr data-revision="(\d+)"', client.get(VERSIONS).text)]


def test_publishes_are_versions_that_compare_and_restore_keeping_data(company: Platform) -> None:
    admin = signed_in(company)
    assert add_and_publish(admin, "town", "Sales asked for the town").status_code == 302
    first = revision_numbers(admin)[0]
    assert add_and_publish(admin, "mood", "").status_code == 302
    second = revision_numbers(admin)[0]
    assert second == first + 1

    page = page_text(admin.get(VERSIONS))
    assert "Sales asked for the town" in page and "admin" in page
    compared = admin.get(f"{VERSIONS}compare?older={first}&newer={second}")
    assert compared.status_code == 200
    assert '<span class="fw-diff-added">+- name: x_mood</span>' in compared.text

    api = company.client()
    made = post_record(api, jwt(api, SLUG), SLUG, "crm_account", name="Moody Ltd", x_town="Xi'an", x_mood="sunny")

    plan = admin.get(f"{VERSIONS}{first}/restore")
    assert plan.status_code == 200 and "x_mood" in page_text(plan)
    restored = admin.post(
        f"{VERSIONS}{first}/restore", data={"csrf_token": csrf_token(plan.text), "comment": "mood was a mistake"}
    )
    assert restored.status_code == 302
    assert revision_numbers(admin)[0] == second + 1
    assert "mood was a mistake" in page_text(admin.get(VERSIONS))

    form = admin.get(f"/t/{SLUG}/crm_account/add")
    assert 'name="x_town"' in form.text and 'name="x_mood"' not in form.text
    tenant = find_tenant(company.settings.database_url, SLUG)
    with tenant_engine(company.settings, tenant).connect() as conn:
        kept = conn.execute(sa.text("SELECT x_mood, x_town FROM crm_account WHERE id = :id"), {"id": made}).one()
    assert tuple(kept) == ("sunny", "Xi'an")


def test_a_draft_someone_published_over_is_not_published(company: Platform) -> None:
    admin = signed_in(company)
    token = csrf_token(admin.get(ACCOUNT).text)
    added = admin.post(
        f"{ACCOUNT[:-1]}/fields", data={"name": "late", "type": "string", "label_en": "Late", "csrf_token": token}
    )
    assert added.status_code == 302
    page = admin.get(ACCOUNT)

    tenant = find_tenant(company.settings.database_url, SLUG)
    current = yaml.safe_load(stored_sources(company.settings, SLUG)[("EntityExtension", "crm.account")])
    current["fields"].append({"name": "x_early", "type": "string"})
    overlays = read_overlays(yaml.safe_dump(current), "colleague.yaml")
    store_overlays(company.settings, company.catalog, tenant, overlays, actor="bob")

    refused = admin.post(f"{ACCOUNT[:-1]}/publish", data={"csrf_token": csrf_token(page.text), "edits": "1"})
    assert refused.status_code == 409
    assert "bob published EntityExtension crm.account" in page_text(refused)
    stored = stored_sources(company.settings, SLUG)[("EntityExtension", "crm.account")]
    assert "x_early" in stored and "x_late" not in stored
    discard = admin.post(f"{ACCOUNT[:-1]}/discard", data={"csrf_token": csrf_token(page.text)})
    assert discard.status_code == 302


def test_a_draft_changed_since_its_plan_was_read_is_not_published(company: Platform) -> None:
    admin, colleague = signed_in(company), signed_in(company)
    token = csrf_token(admin.get(ACCOUNT).text)
    for client, name in ((admin, "one"), (colleague, "two")):
        answer = client.post(
            f"{ACCOUNT[:-1]}/fields",
            data={"name": name, "type": "string", "label_en": name, "csrf_token": csrf_token(client.get(ACCOUNT).text)},
        )
        assert answer.status_code == 302
    refused = admin.post(f"{ACCOUNT[:-1]}/publish", data={"csrf_token": token, "edits": "1"})
    assert refused.status_code == 409
    assert "changed this draft since you read its plan" in page_text(refused)
    assert "x_one" not in stored_sources(company.settings, SLUG)[("EntityExtension", "crm.account")]
    assert admin.post(f"{ACCOUNT[:-1]}/discard", data={"csrf_token": token}).status_code == 302


def test_the_export_is_yaml_that_customize_takes_back(company: Platform, platform: Platform) -> None:
    admin = signed_in(company)
    exported = admin.get(f"{VERSIONS}export.yaml")
    assert exported.status_code == 200
    assert exported.headers["Content-Disposition"].startswith("attachment")
    overlays = read_overlays(exported.text, "customizations.yaml")
    assert {(o.kind, o.target) for o in overlays} == set(stored_sources(company.settings, SLUG))
    twin = platform.tenant("studio-versions-twin", ["core", "crm"])
    store_overlays(platform.settings, platform.catalog, twin, overlays)
    assert stored_sources(platform.settings, "studio-versions-twin") == stored_sources(platform.settings, SLUG)


def test_only_admins_see_versions_and_restoring_needs_csrf(company: Platform) -> None:
    rita = signed_in(company, "rita")
    for url in (VERSIONS, f"{VERSIONS}export.yaml", f"{VERSIONS}1/restore", f"{VERSIONS}compare?older=0&newer=1"):
        assert rita.get(url).status_code == 403, url
    token = csrf_token(rita.get(f"/t/{SLUG}/notifications/preferences").text)
    assert rita.post(f"{VERSIONS}1/restore", data={"csrf_token": token}).status_code == 403
    admin = signed_in(company)
    before = revision_numbers(admin)
    assert admin.post(f"{VERSIONS}1/restore", data={}).status_code == 400  # no CSRF token
    assert revision_numbers(admin) == before
    assert admin.get(f"{VERSIONS}999/restore").status_code == 404


def test_the_cli_lists_revisions_and_restores_one(company: Platform, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FORMWORK_INSTANCE", str(company.settings.instance))
    monkeypatch.setenv("FORMWORK_DATABASE_URL", company.settings.database_url)
    monkeypatch.setenv("FORMWORK_SECRET_KEY", company.settings.secret_key)
    runner = CliRunner()
    listed = runner.invoke(main, ["tenant", "revisions", SLUG], catch_exceptions=False)
    assert listed.exit_code == 0 and "by admin" in listed.output and "“Sales asked for the town”" in listed.output
    restored = runner.invoke(main, ["tenant", "customization-restore", SLUG, "0", "--comment", "start over"])
    assert restored.exit_code == 0, restored.output
    assert "customization removed: EntityExtension crm.account" in restored.output
    assert stored_sources(company.settings, SLUG) == {}
    missing = runner.invoke(main, ["tenant", "customization-restore", SLUG, "999"])
    assert missing.exit_code == 1 and "has no revision 999" in missing.output


def test_restoring_from_before_a_choice_rename_maps_the_stored_values_back(platform: Platform) -> None:
    from formwork.tenancy.customize import restore_revision
    from formwork.tenancy.revisions import current_revision

    tenant = platform.tenant("studio-versions-rename", ["core", "crm"])
    api = platform.client()
    made = post_record(api, jwt(api, tenant.slug), tenant.slug, "crm_account", name="Shop", industry="retail")
    before = current_revision(platform.settings, tenant.slug)
    renamed = (
        "kind: EntityExtension\nentity: crm.account\nchanges:\n  industry:\n"
        "    choices: [{value: consumer}, {value: technology}]\n    map_choices: {retail: consumer}\n"
    )
    store_overlays(platform.settings, platform.catalog, tenant, read_overlays(renamed, "rename.yaml"))
    tenant = find_tenant(platform.settings.database_url, tenant.slug)
    with tenant_engine(platform.settings, tenant).connect() as conn:
        query = sa.text("SELECT industry FROM crm_account WHERE id = :id")
        assert conn.execute(query, {"id": made}).scalar() == "consumer"
    changed = restore_revision(platform.settings, platform.catalog, tenant, before, "admin")
    assert "map stored values of crm account.industry: consumer → retail (1 record)" in changed
    with tenant_engine(platform.settings, tenant).connect() as conn:
        assert conn.execute(query, {"id": made}).scalar() == "retail"

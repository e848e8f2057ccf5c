"""A tenant's console page shows its usage (records per entity, files, users) as counted in its storage, and its
health: whether its storage has what it should serve, customizations that no longer fit, the last refused or
failed migration and the mails given up."""

from __future__ import annotations

import re
from io import BytesIO

import pytest
from werkzeug.test import Client

from conftest import Platform, csrf_token, jwt, post_record
from formwork.console import add_operator
from formwork.tenancy.registry import Customization, SchemaChange, Tenant, platform_session

OPERATOR, OPERATOR_PASSWORD = "usage-op", "op-password-1"
SLUG = "usage-co"


@pytest.fixture(scope="module")
def operator(platform: Platform) -> Client:
    add_operator(platform.app.console, OPERATOR, OPERATOR_PASSWORD)
    client = platform.client()
    page = client.get("/login/")
    client.post(
        "/login/", data={"username": OPERATOR, "password": OPERATOR_PASSWORD, "csrf_token": csrf_token(page.text)}
    )
    return client


@pytest.fixture(scope="module")
def tenant(platform: Platform) -> Tenant:
    return platform.tenant(SLUG, packs=["core", "crm"])


def cell(html: str, name: str) -> str:
    found = re.search(rf'<td class="{name}">(.*?)</td>', html, re.S)
    assert found, f"no {name} on the page"
    return " ".join(re.sub(r"<[^>]+>", " ", found.group(1)).split())


def records(html: str, entity: str) -> int:
    found = re.search(rf'data-entity="{re.escape(entity)}">.*?<td class="console-count">(\d+)</td>', html, re.S)
    assert found, f"no count of {entity}"
    return int(found.group(1))


def test_usage_counts_what_was_created(platform: Platform, operator: Client, tenant: Tenant) -> None:
    before = operator.get(f"/tenants/show/{tenant.id}").text
    assert cell(before, "console-users") == "1 (1 active)"  # the first admin
    assert cell(before, "console-files") == "0 files, 0 Bytes"
    accounts, total = records(before, "crm.account"), int(cell(before, "console-records-total"))

    client = platform.client()
    auth = jwt(client, SLUG)
    ids = [post_record(client, auth, SLUG, "crm_account", name=f"Account {n}") for n in range(3)]
    post_record(client, auth, SLUG, "core_employee", name="Lin Wu", login="lin")
    for content, name in ((b"first", "notes.txt"), (b"second file", "more.txt")):
        uploaded = client.post(
            f"/t/{SLUG}/api/v1/records/crm_account/{ids[0]}/attachments",
            data={"file": (BytesIO(content), name)},
            headers=auth,
            content_type="multipart/form-data",
        )
        assert uploaded.status_code == 201, uploaded.text

    after = operator.get(f"/tenants/show/{tenant.id}").text
    assert records(after, "crm.account") == accounts + 3
    assert int(cell(after, "console-records-total")) == total + 4  # three accounts and an employee
    assert cell(after, "console-files") == f"2 files, {len(b'first') + len(b'second file')} Bytes"
    assert cell(after, "console-users") == "1 (1 active)"  # an employee is not a user


def test_a_healthy_tenant_says_so(operator: Client, tenant: Tenant) -> None:
    page = operator.get(f"/tenants/show/{tenant.id}").text
    assert cell(page, "console-schema") == "up to date"
    assert cell(page, "console-conflicts") == "none"
    assert cell(page, "console-last-problem") == "none"
    assert cell(page, "console-failed-mails") == "0"


def test_health_shows_what_needs_an_operator(platform: Platform, operator: Client, tenant: Tenant) -> None:
    unfit = "kind: Form\nentity: crm.account\nsections:\n  - fields: [name, x_nothing]\n"
    with platform_session(platform.settings.database_url) as session:  # stored without its checks, as a draft is
        session.add(Customization(tenant_slug=SLUG, kind="Form", target="crm.account/default", source=unfit))
        session.add(SchemaChange.of(SLUG, "h", [], ["refused: 2 stored value(s) would be cut"], "refused"))
        session.commit()
    page = operator.get(f"/tenants/show/{tenant.id}").text
    assert cell(page, "console-schema").startswith("behind: packs or customizations stored are not applied yet")
    assert "x_nothing" in cell(page, "console-conflicts")
    assert "refused: refused: 2 stored value(s) would be cut" in cell(page, "console-last-problem")

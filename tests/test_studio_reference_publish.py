"""Publishing again after a Studio publish that added a reference field: on SQLite the second plan adds the
reference's constraint the first could not, under the name batch mode gives it, instead of failing with a 500."""

from __future__ import annotations

import re
from typing import Any

import sqlalchemy as sa
from werkzeug.test import Client

from conftest import Platform, csrf_token, login, page_text
from formwork.tenancy.apps import build_tenant_app
from formwork.tenancy.registry import find_tenant
from formwork.tenancy.storage import tenant_engine

SLUG = "studio-reference-publish"
ACCOUNT = f"/t/{SLUG}/studio/crm.account/"


def add_and_publish(client: Client, field: dict[str, str]) -> Any:
    token = csrf_token(client.get(ACCOUNT).text)
    added = client.post(f"{ACCOUNT[:-1]}/fields", data={**field, "csrf_token": token})
    assert added.status_code == 302, page_text(added)
    page = client.get(ACCOUNT)
    edits = re.search(r'name="edits" value="(\d+)"', page.text)
    assert edits
    data = {"csrf_token": csrf_token(page.text), "comment": "", "edits": edits.group(1)}
    return client.post(f"{ACCOUNT[:-1]}/publish", data=data)


def test_a_second_publish_after_a_reference_field_publishes(platform: Platform) -> None:
    build_tenant_app(platform.settings, platform.tenant(SLUG, ["core", "crm"]), platform.catalog)
    client = platform.client()
    assert login(client, SLUG).status_code == 302
    buddy = {"name": "buddy", "type": "reference", "target": "core.employee", "label_en": "Buddy"}
    assert add_and_publish(client, buddy).status_code == 302
    second = add_and_publish(client, {"name": "mood", "type": "string", "label_en": "Mood"})
    assert second.status_code == 302, page_text(second)
    assert 'name="x_mood"' in client.get(f"/t/{SLUG}/crm_account/add").text
    tenant = find_tenant(platform.settings.database_url, SLUG)
    foreign_keys = sa.inspect(tenant_engine(platform.settings, tenant)).get_foreign_keys("crm_account")
    assert any(fk["constrained_columns"] == ["x_buddy_id"] for fk in foreign_keys)  # the reference is enforced

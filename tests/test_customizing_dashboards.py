"""A tenant's Dashboard overlays: one naming `pack:` replaces that pack's dashboard of the same name, one without is
a dashboard of the tenant's own (`x.<name>`); a card naming an unknown field is refused at its line and stores
nothing."""

from __future__ import annotations

import re
import textwrap

import pytest
from werkzeug.test import Client

from conftest import Platform, login
from formwork.meta.errors import DefinitionsInvalid
from formwork.tenancy.customizations import list_customizations, read_overlays
from formwork.tenancy.customize import store_overlays
from formwork.tenancy.registry import find_tenant

SLUG = "custom-dashboards"
SALES = textwrap.dedent("""\
    kind: Dashboard
    pack: crm
    name: sales
    label: {en: Sales at a glance, zh: 销售一览}
    rows:
      - widgets:
          - {type: number, label: All deals, entity: crm.opportunity}
    """)
MINE = textwrap.dedent("""\
    kind: Dashboard
    name: mine
    label: {en: Our numbers, zh: 我们的数字}
    rows:
      - widgets:
          - {type: number, label: Accounts we have, entity: crm.account}
    """)


@pytest.fixture(scope="module")
def tenant(platform: Platform):
    return platform.tenant(SLUG)


def store(platform: Platform, text: str, file: str = "custom.yaml") -> list[str]:
    tenant = find_tenant(platform.settings.database_url, SLUG)
    return store_overlays(platform.settings, platform.catalog, tenant, read_overlays(text, file))


def signed_in(platform: Platform) -> Client:
    client = platform.client()
    assert login(client, SLUG).status_code == 302
    return client


def words(page) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", page.text).split())


def test_a_dashboard_naming_its_pack_replaces_the_pack_dashboard(platform: Platform, tenant) -> None:
    assert store(platform, SALES) == ["customization added: Dashboard crm.sales"]
    page = signed_in(platform).get(f"/t/{SLUG}/dashboards/crm.sales/")
    assert page.status_code == 200
    assert "Sales at a glance" in page.text and "All deals" in page.text
    assert "Open pipeline amount" not in page.text


def test_a_dashboard_without_a_pack_is_the_tenants_own(platform: Platform, tenant) -> None:
    assert store(platform, MINE) == ["customization added: Dashboard x.mine"]
    client = signed_in(platform)
    page = client.get(f"/t/{SLUG}/dashboards/x.mine/")
    assert page.status_code == 200
    assert "Accounts we have" in words(page)
    assert client.get(f"/t/{SLUG}/dashboards/crm.sales/").status_code == 200


def test_a_card_naming_an_unknown_field_is_refused_at_its_line(platform: Platform, tenant) -> None:
    before = [(c.kind, c.target, c.source) for c in list_customizations(platform.settings, SLUG)]
    bad = MINE.replace("entity: crm.account}", "entity: crm.account, measure: sum, field: x_nothing}")
    with pytest.raises(DefinitionsInvalid) as refused:
        store(platform, bad, "mine.yaml")
    assert "mine.yaml:6" in str(refused.value) and "x_nothing" in str(refused.value)
    assert [(c.kind, c.target, c.source) for c in list_customizations(platform.settings, SLUG)] == before

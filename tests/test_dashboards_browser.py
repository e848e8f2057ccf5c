"""In a real browser: the home page's charts are drawn by the shipped Chart.js, and nothing is fetched elsewhere.

Skipped like tests/test_browser.py where chromium or playwright is missing (unless FORMWORK_REQUIRE_BROWSER is set).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from conftest import Platform, jwt
from test_browser import launch, served, sign_in, sync_playwright

#: how many pixels of a chart's canvas are painted (not transparent)
PAINTED = """canvas => {
    const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    let painted = 0;
    for (let i = 3; i < data.length; i += 4) { if (data[i] > 0) { painted++; } }
    return painted;
}"""


@pytest.fixture(scope="module")
def server(platform: Platform) -> Iterator[str]:
    platform.tenant("dash-web")
    client = platform.client()
    auth = jwt(client, "dash-web")
    for name, industry in (("Tech", "technology"), ("Shop", "retail"), ("Bank", "finance")):
        account = client.post(
            "/t/dash-web/api/v1/crm_account/", json={"name": name, "industry": industry}, headers=auth
        ).json
        client.post(
            "/t/dash-web/api/v1/crm_opportunity/",
            json={"name": f"{name} deal", "account": account["id"], "amount": "100"},
            headers=auth,
        )
    yield from served(platform)


def test_the_home_page_draws_its_charts_from_the_shipped_library(server: str) -> None:
    with sync_playwright() as p:
        browser = launch(p)
        page = browser.new_page()
        requested: list[str] = []
        page.on("request", lambda request: requested.append(request.url))
        sign_in(page, f"{server}/t/dash-web", "admin")
        page.goto(f"{server}/t/dash-web/")
        pie = page.locator('canvas.fw-chart[data-widget="r2w0"]')
        pie.wait_for(state="visible")
        page.wait_for_selector('canvas.fw-chart[data-widget="r2w0"][data-drawn="true"]')
        assert page.evaluate("typeof window.Chart") == "function"
        assert pie.evaluate(PAINTED) > 500
        assert page.locator('canvas.fw-chart[data-widget="r1w0"][data-drawn="true"]').count() == 1
        assert [url for url in requested if not url.startswith(server)] == []
        browser.close()

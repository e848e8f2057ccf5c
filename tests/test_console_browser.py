"""In a real browser: an operator creates a tenant in the console, and its admin signs in through the invitation
the console mailed (read here from the tenant's outbox, as the worker would send it)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from conftest import Platform
from console_mail import invitation_link
from formwork.console import add_operator
from test_browser import csp_violations, expect, launch, served, sync_playwright

OPERATOR, OPERATOR_PASSWORD = "browser-op", "op-password-1"
SLUG, ADDRESS = "browser-co", "ada@browser.example"
#: creating a tenant builds its storage, tables and roles: longer than a page's usual wait
CREATION_MS = 120_000


@pytest.fixture(scope="module")
def server(platform: Platform) -> Iterator[str]:
    add_operator(platform.app.console, OPERATOR, OPERATOR_PASSWORD)
    yield from served(platform)


def test_an_operator_creates_a_tenant_and_its_admin_signs_in_through_the_invitation(
    platform: Platform, server: str
) -> None:
    with sync_playwright() as p:
        browser = launch(p)
        console = browser.new_page()
        violations = csp_violations(console)
        console.goto(f"{server}/login/")
        console.fill("input[name=username]", OPERATOR)
        console.fill("input[name=password]", OPERATOR_PASSWORD)
        console.click("[type=submit]")
        console.goto(f"{server}/tenants/new/form")
        console.fill("input[name=slug]", SLUG)
        console.fill("input[name=name]", "Browser Co")
        console.check("input[type=checkbox][value=core]")
        console.fill("input[name=timezone]", "Asia/Shanghai")
        console.fill("input[name=admin_user]", "ada")
        console.fill("input[name=admin_name]", "Ada Lin")
        console.fill("input[name=admin_email]", ADDRESS)
        console.get_by_role("button", name="Save").click(timeout=CREATION_MS)
        console.wait_for_url("**/tenants/show/**", timeout=CREATION_MS)
        expect(console.get_by_text(f"Invitation sent to {ADDRESS}")).to_be_visible(timeout=CREATION_MS)
        expect(console.locator(".console-invited")).to_have_text(f"ada <{ADDRESS}>")

        admin = browser.new_context().new_page()  # the admin's own browser: no cookie of the operator's
        admin_violations = csp_violations(admin)
        admin.goto(server + invitation_link(platform, SLUG, ADDRESS))
        expect(admin.get_by_text("You sign in to Browser Co as ada.")).to_be_visible()
        admin.fill("input[name=password]", "ada-chose-this-1")
        admin.fill("input[name=confirm]", "ada-chose-this-1")
        admin.click("[type=submit]")
        admin.wait_for_url(f"{server}/t/{SLUG}/")
        expect(admin.locator(".fw-user-name")).to_have_text("Ada Lin")
        expect(admin.locator(".fw-sign-out")).to_be_visible()

        console.reload()
        expect(console.locator(".console-invited")).to_have_count(0)  # accepted: no longer waiting
        assert violations == [] and admin_violations == []
        browser.close()

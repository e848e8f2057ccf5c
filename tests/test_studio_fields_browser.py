"""In a real browser: the Studio's add-field form shows the controls of the chosen type, and its formula editor
completes a field name and shows the checker's type error as the admin types, then the type once it is fixed.

Needs Debian's chromium and the `playwright` package; skipped where they are missing, except when
FORMWORK_REQUIRE_BROWSER is set (CI sets it), so CI can never pass by skipping.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from conftest import Platform
from test_browser import csp_violations, expect, served, signed_in_page

SLUG = "studio-fields-browser"
ACCOUNT = f"/t/{SLUG}/studio/crm.account/"


@pytest.fixture(scope="module")
def server(platform: Platform) -> Iterator[str]:
    platform.tenant(SLUG)
    yield from served(platform)


@pytest.fixture(scope="module")
def page(server: str) -> Iterator[Any]:
    yield from signed_in_page(f"{server}/t/{SLUG}", {"width": 1280, "height": 900})


def test_the_form_shows_the_controls_of_the_chosen_type(server: str, page: Any) -> None:
    violations = csp_violations(page)
    page.goto(f"{server}{ACCOUNT}")
    expression = page.locator('.fw-studio-control[data-control="expression"]')
    target = page.locator('.fw-studio-control[data-control="target"]')
    expect(expression).to_be_hidden()
    page.select_option("#fw-studio-type", "reference")
    expect(target).to_be_visible()
    expect(expression).to_be_hidden()
    page.select_option("#fw-studio-type", "choice")
    expect(page.locator('.fw-studio-control[data-control="choices"]')).to_be_visible()
    page.fill(".fw-studio-choice >> nth=0 >> input[name=choice_value]", "gold")
    expect(page.locator("select[name=default_choice] option[value=gold]")).to_have_count(1)
    rows = page.locator(".fw-studio-choice")
    count = rows.count()
    page.click(".fw-studio-add-choice")
    expect(rows).to_have_count(count + 1)
    assert violations == []


def test_the_formula_editor_completes_names_and_shows_type_errors_as_one_types(server: str, page: Any) -> None:
    page.goto(f"{server}{ACCOUNT}")
    page.select_option("#fw-studio-type", "formula")
    page.select_option("#fw-studio-result", "money")
    editor = page.locator("#fw-studio-expression")
    result = page.locator('.fw-formula[data-control="expression"] .fw-formula-result')
    completions = page.locator("#fw-completions-expression")

    editor.click()
    editor.press_sequentially("annual_re")
    expect(completions).to_be_visible()
    expect(completions.locator("li", has_text="annual_revenue")).to_have_count(1)
    editor.press("Enter")
    expect(editor).to_have_value("annual_revenue")
    expect(completions).to_be_hidden()

    editor.press_sequentially(" * 2")
    expect(result).to_contain_text("whole and decimal numbers do not mix")
    expect(result).to_have_class(re.compile(r"\btext-danger\b"))

    editor.press_sequentially(".0")
    expect(result).to_have_text("Gives a decimal number.")
    expect(result).to_have_class(re.compile(r"\btext-success\b"))

    editor.press_sequentially(" + emp")
    completions.locator("li", has_text="employees").click()
    expect(editor).to_have_value("annual_revenue * 2.0 + employees")
    expect(result).to_contain_text("do not mix")

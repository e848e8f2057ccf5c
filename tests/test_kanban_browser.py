"""In a real browser: a kanban card dragged to another column is saved; one a rule refuses snaps back to its column
with the rule's message shown; the "Move to…" menu does the same without a mouse; on a ranked board (tests/packs/
board) a card dragged up its column, or moved with its menu's Up, keeps its new place.

Needs Debian's chromium and the `playwright` package; skipped where they are missing, except when
FORMWORK_REQUIRE_BROWSER is set (CI sets it), so CI can never pass by skipping.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from conftest import Platform, jwt, post_record
from test_browser import expect, served, signed_in_page

SLUG = "kanban-browser"
BOARD = f"/t/{SLUG}/crm_opportunity/kanban/crm.pipeline/"
#: where a card is taken: its padding, not its title link or its menu (which are clicked, not dragged)
GRIP = {"x": 3, "y": 3}


def _post(platform: Platform, auth: dict[str, str], table: str, **values: Any) -> int:
    return post_record(platform.client(), auth, SLUG, table, **values)


@pytest.fixture(scope="module")
def server(platform: Platform) -> Iterator[str]:
    platform.tenant(SLUG, packs=["core", "crm", "board"])
    auth = jwt(platform.client(), SLUG)
    for title in ("Plan", "Build", "Ship"):
        _post(platform, auth, "board_step", title=title)
    account = _post(platform, auth, "crm_account", name="Browser Co")
    _post(platform, auth, "crm_opportunity", name="Easy deal", account=account, stage="prospecting", amount="10")
    _post(
        platform,
        auth,
        "crm_opportunity",
        name="Unsure deal",
        account=account,
        stage="negotiation",
        amount="20",
        probability=50,
        close_date="2030-01-31",
    )
    yield from served(platform)


@pytest.fixture(scope="module")
def page(server: str) -> Iterator[Any]:
    # all six columns in view: drag and drop
    yield from signed_in_page(f"{server}/t/{SLUG}", {"width": 1800, "height": 900})


def _card(page: Any, title: str) -> Any:
    return page.locator(".fw-kanban-card", has_text=title)


def _stage(platform: Platform, title: str) -> str:
    auth = jwt(platform.client(), SLUG)
    rows = platform.client().get(f"/t/{SLUG}/api/v1/crm_opportunity/", headers=auth).json["result"]
    return next(row["stage"] for row in rows if row["name"] == title)


def test_a_dragged_card_is_saved_in_its_new_column(server: str, page: Any, platform: Platform) -> None:
    page.goto(f"{server}{BOARD}")
    target = page.locator('.fw-kanban-cards[data-column="qualification"]')
    with page.expect_response(lambda r: r.url.endswith("/move")) as answer:
        _card(page, "Easy deal").drag_to(target, source_position=GRIP)
    assert answer.value.status == 200
    assert target.locator(".fw-kanban-card", has_text="Easy deal").count() == 1
    # the counts are redrawn once the page has read the answer, a moment after it arrives
    expect(page.locator('.fw-kanban-column[data-column="qualification"] .fw-kanban-count')).to_have_text("1")
    assert _stage(platform, "Easy deal") == "qualification"


def test_a_card_a_rule_refuses_snaps_back_with_the_rules_message(server: str, page: Any, platform: Platform) -> None:
    page.goto(f"{server}{BOARD}")
    with page.expect_response(lambda r: r.url.endswith("/move")) as answer:
        _card(page, "Unsure deal").drag_to(page.locator('.fw-kanban-cards[data-column="won"]'), source_position=GRIP)
    assert answer.value.status == 400
    expect(page.locator(".fw-kanban-message")).to_contain_text("A won opportunity has a probability of 100%.")
    back = page.locator('.fw-kanban-cards[data-column="negotiation"] .fw-kanban-card', has_text="Unsure deal")
    back.wait_for()
    assert page.locator('.fw-kanban-cards[data-column="won"] .fw-kanban-card').count() == 0
    assert _stage(platform, "Unsure deal") == "negotiation"


def test_the_move_menu_moves_a_card_without_dragging(server: str, page: Any, platform: Platform) -> None:
    page.goto(f"{server}{BOARD}")
    with page.expect_response(lambda r: r.url.endswith("/move")) as answer:
        _card(page, "Easy deal").locator("select.fw-kanban-move").select_option("proposal")
    assert answer.value.status == 400  # a proposal needs its expected close date: the card stays where it was
    page.locator('.fw-kanban-cards[data-column="qualification"] .fw-kanban-card', has_text="Easy deal").wait_for()
    expect(page.locator(".fw-kanban-message")).to_contain_text("Expected close date")
    with page.expect_response(lambda r: r.url.endswith("/move")) as answer:
        _card(page, "Easy deal").locator("select.fw-kanban-move").select_option("lost")
    assert answer.value.status == 200
    page.locator('.fw-kanban-cards[data-column="lost"] .fw-kanban-card', has_text="Easy deal").wait_for()
    assert _stage(platform, "Easy deal") == "lost"


STEPS = f"/t/{SLUG}/board_step/kanban/board.steps/"


def _todo(page: Any) -> list[str]:
    return [
        text.strip() for text in page.locator('.fw-kanban-cards[data-column="todo"] .fw-kanban-title').all_inner_texts()
    ]


def test_a_card_dragged_up_its_column_keeps_its_place(server: str, page: Any) -> None:
    page.goto(f"{server}{STEPS}")
    assert _todo(page) == ["Ship", "Build", "Plan"]  # without a rank: the newest first
    with page.expect_response(lambda r: r.url.endswith("/move")) as answer:
        _card(page, "Plan").drag_to(_card(page, "Ship"), source_position=GRIP, target_position={"x": 10, "y": 2})
    assert answer.value.status == 200
    page.reload()
    assert _todo(page) == ["Plan", "Ship", "Build"]
    with page.expect_response(lambda r: r.url.endswith("/move")) as answer:
        _card(page, "Build").locator("select.fw-kanban-move").select_option(label="↑ Up one place")
    assert answer.value.status == 200
    page.reload()
    assert _todo(page) == ["Plan", "Build", "Ship"]

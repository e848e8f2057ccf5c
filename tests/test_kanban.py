"""Kanban boards (the KanbanView kind): columns in choice order with counts and sums, record rules and hidden
fields, moves and quick-adds through the record lifecycle (rules refuse them with their message), a fixed number of
SQL statements whatever the number of cards, and `validate` pointing at a wrong grouping field's line."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from werkzeug.test import Client

from conftest import PASSWORD, TEST_PACKS, Platform, catalog_with_pack, counting, jwt, login, post_record
from formwork.definitions.loader import builtin_definitions, load_catalog
from formwork.meta.catalog import Catalog
from formwork.tenancy.registry import find_tenant
from formwork.tenancy.storage import tenant_engine

SLUG = "kanban"
BOARD = "/t/kanban/crm_opportunity/kanban/crm.pipeline/"
#: a pack of the tests: a role that sees only the opportunities it owns and not their amounts, and a small entity
#: whose board takes quick-adds (an opportunity also needs an account) and has a retired choice
BOARD_PACK = """\
kind: Pack
name: boards
version: 0.1.0
requires: {core: ">=0.1.0", crm: ">=0.1.0"}
---
kind: Role
name: board_rep
rights:
  crm.opportunity: [read, edit]
  crm.account: [read]
  core.employee: [read]
records:
  crm.opportunity: [{user_field: owner}]
fields:
  crm.opportunity: {hidden: [amount]}
---
kind: Entity
name: chore
title_field: title
fields:
  - {name: title, type: string, required: true}
  - name: status
    type: choice
    required: true
    choices:
      - {value: todo, label: {en: To do, zh: 待办}}
      - {value: old, label: Parked, retired: true}
      - {value: doing, label: {en: Doing, zh: 进行中}}
      - {value: done, label: {en: Done, zh: 完成}}
  - {name: hours, type: decimal, precision: 1}
  - {name: account, type: reference, target: crm.account}
  - {name: position, type: decimal, precision: 3}
---
kind: KanbanView
name: chores
entity: chore
label: Chores
group_by: status
card: [title, hours, account]
sum: hours
order: title
---
kind: KanbanView
name: by_account
entity: chore
label: Chores by account
group_by: account
card: [title]
---
kind: KanbanView
name: ranked
entity: chore
label: Chores in order
group_by: status
card: [title]
rank: position
filter: [{field: title, op: starts_with, value: "Step"}]
"""


@pytest.fixture(scope="module")
def catalog(tmp_path_factory: pytest.TempPathFactory) -> Catalog:
    return catalog_with_pack(tmp_path_factory.mktemp("packs") / "boards", BOARD_PACK, TEST_PACKS)


def _post(client: Client, headers: dict[str, str], table: str, slug: str = SLUG, **values: Any) -> int:
    return post_record(client, headers, slug, table, **values)


@pytest.fixture(scope="module")
def tenant(platform: Platform) -> dict[str, int]:
    """Two accounts; Rita (role board_rep) owns one of four opportunities; one stands at probability 50."""
    platform.tenant(SLUG, packs=["core", "crm", "boards"])
    client = platform.client()
    auth = jwt(client, SLUG)
    tech = _post(client, auth, "crm_account", name="Tech One")
    shop = _post(client, auth, "crm_account", name="Shop Two")
    rita = _post(client, auth, "core_employee", name="Rita Rep", login="rita")
    ids = {
        "tech": tech,
        "shop": shop,
        "rita_deal": _post(
            client,
            auth,
            "crm_opportunity",
            name="Rita's deal",
            account=tech,
            stage="prospecting",
            amount="1000",
            owner=rita,
        ),
        "half": _post(
            client,
            auth,
            "crm_opportunity",
            name="Half sure",
            account=shop,
            stage="negotiation",
            amount="2500.50",
            probability=50,
            close_date="2030-01-31",
        ),
        "small": _post(
            client, auth, "crm_opportunity", name="Small one", account=shop, stage="prospecting", amount="7"
        ),
        "won": _post(
            client,
            auth,
            "crm_opportunity",
            name="Won <b>big</b>",
            account=tech,
            stage="won",
            amount="4000",
            probability=100,
        ),
    }
    app = platform.app.tenant_apps.get(find_tenant(platform.settings.database_url, SLUG))
    with app.app_context():
        sm = app.appbuilder.sm
        assert sm.add_user("rita", "Rita", "Rep", "rita@example.com", sm.find_role("board_rep"), password=PASSWORD)
    return ids


def _signed_in(platform: Platform, user: str = "admin") -> Client:
    client = platform.client()
    assert login(client, SLUG, user).status_code == 302
    return client


def _columns(html: str) -> list[tuple[str, str, str]]:
    """(label, count, sum) of each column, left to right."""
    found = re.findall(
        r'<h3 id="fw-kanban-h-\d+">(?:<span[^>]*>)?([^<]*)(?:</span>)?</h3>\s*'
        r'<span class="fw-kanban-count"[^>]*>(\d+)</span>\s*(?:<span class="fw-kanban-sum"[^>]*>([^<]*)</span>)?',
        html,
    )
    return [(label, count, total) for label, count, total in found]


def _column_cards(html: str, key: str) -> list[str]:
    """The titles of the cards of column `key`."""
    body = re.search(rf'<ul class="fw-kanban-cards" data-column="{key}">(.*?)</ul>', html, re.S)
    assert body, f"no column {key!r}"
    return re.findall(r'class="fw-kanban-title" href="[^"]*">([^<]*)</a>', body.group(1))


def _csrf(html: str) -> str:
    found = re.search(r'data-csrf="([^"]+)"', html)
    assert found, "the board carries no CSRF token"
    return found.group(1)


def _send(client: Client, url: str, body: dict[str, Any]) -> Any:
    token = _csrf(client.get(BOARD).text)
    return client.post(url, json=body, headers={"X-CSRFToken": token})


def _opportunity(platform: Platform, pk: int) -> dict[str, Any]:
    client = platform.client()
    return client.get(f"/t/{SLUG}/api/v1/crm_opportunity/{pk}", headers=jwt(client, SLUG)).json["result"]


def test_the_board_shows_every_stage_in_order_with_counts_and_sums(platform: Platform, tenant: dict[str, int]) -> None:
    page = _signed_in(platform).get(BOARD)
    assert page.status_code == 200
    assert _columns(page.text) == [
        ("Prospecting", "2", "CN¥1,007.00"),
        ("Qualification", "0", "CN¥0.00"),
        ("Proposal", "0", "CN¥0.00"),
        ("Negotiation", "1", "CN¥2,500.50"),
        ("Closed won", "1", "CN¥4,000.00"),
        ("Closed lost", "0", "CN¥0.00"),
    ]
    assert _column_cards(page.text, "prospecting") == ["Rita&#39;s deal", "Small one"]  # order: -amount
    assert "Won &lt;b&gt;big&lt;/b&gt;" in page.text and "<b>big</b>" not in page.text
    assert "Tech One" in page.text and "Rita Rep" in page.text  # references by title: the account, the owner
    assert "None" not in page.text
    assert 'href="/t/kanban/crm_opportunity/kanban/crm.pipeline/"' in _signed_in(platform).get(f"/t/{SLUG}/").text


def test_the_board_speaks_chinese(platform: Platform, tenant: dict[str, int]) -> None:
    page = _signed_in(platform).get(f"{BOARD}?_l_=zh").text
    assert "销售看板" in page and "初步接洽" in page and "赢单" in page and "¥1,007.00" in page


def test_a_user_sees_only_their_records_and_not_hidden_fields(platform: Platform, tenant: dict[str, int]) -> None:
    page = _signed_in(platform, "rita").get(BOARD)
    assert page.status_code == 200
    assert _column_cards(page.text, "prospecting") == ["Rita&#39;s deal"]
    assert [count for _label, count, _sum in _columns(page.text)] == ["1", "0", "0", "0", "0", "0"]
    assert "fw-kanban-sum" not in page.text and "Amount" not in page.text and "1,000" not in page.text
    assert "Small one" not in page.text and "Half sure" not in page.text


def test_a_move_updates_the_stage_and_the_history_records_it(platform: Platform, tenant: dict[str, int]) -> None:
    client = _signed_in(platform)
    pk = tenant["small"]
    version = _opportunity(platform, pk)["version"]
    moved = _send(client, f"{BOARD}move", {"id": pk, "to": "qualification", "version": version})
    assert moved.status_code == 200, moved.text
    assert moved.json["column"] == "qualification" and moved.json["version"] == version + 1
    totals = {column["key"]: (column["count"], column["sum"]) for column in moved.json["columns"]}
    assert totals["qualification"] == (1, "CN¥7.00") and totals["prospecting"] == (1, "CN¥1,000.00")
    assert _opportunity(platform, pk)["stage"] == "qualification"
    auth = jwt(platform.client(), SLUG)
    history = platform.client().get(f"/t/{SLUG}/api/v1/records/crm_opportunity/{pk}/history", headers=auth).json
    assert history["result"][0]["changes"]["stage"] == {"old": "prospecting", "new": "qualification"}
    stale = _send(client, f"{BOARD}move", {"id": pk, "to": "proposal", "version": version})
    assert stale.status_code == 409 and "changed by someone else" in stale.json["message"]


def test_a_move_a_rule_refuses_answers_400_with_its_message_and_changes_nothing(
    platform: Platform, tenant: dict[str, int]
) -> None:
    client = _signed_in(platform)
    pk = tenant["half"]
    before = _opportunity(platform, pk)
    refused = _send(client, f"{BOARD}move", {"id": pk, "to": "won", "version": before["version"]})
    assert refused.status_code == 400
    assert refused.json["message"] == "Probability (%): A won opportunity has a probability of 100%."
    after = _opportunity(platform, pk)
    assert (after["stage"], after["version"]) == ("negotiation", before["version"])
    assert _send(client, f"{BOARD}move", {"id": pk, "to": "nowhere", "version": 1}).status_code == 400
    assert _send(client, f"{BOARD}move", {"id": 10**6, "to": "won", "version": 1}).status_code == 404


def test_a_user_cannot_move_a_card_outside_their_rules(platform: Platform, tenant: dict[str, int]) -> None:
    rita = _signed_in(platform, "rita")
    pk = tenant["won"]
    assert _send(rita, f"{BOARD}move", {"id": pk, "to": "lost", "version": 1}).status_code == 404
    assert _opportunity(platform, pk)["stage"] == "won"


def test_quick_add_creates_a_record_in_the_column(platform: Platform, tenant: dict[str, int]) -> None:
    client = _signed_in(platform)
    chores = f"/t/{SLUG}/boards_chore/kanban/boards.chores/"
    page = client.get(chores).text
    assert [label for label, _count, _sum in _columns(page)] == ["To do", "Doing", "Done"]  # retired: no cards
    token = _csrf(page)
    added = client.post(f"{chores}add", json={"to": "doing", "title": "Sweep"}, headers={"X-CSRFToken": token})
    assert added.status_code == 201, added.text
    assert added.json["column"] == "doing" and "Sweep" in added.json["card"]
    assert _column_cards(client.get(chores).text, "doing") == ["Sweep"]
    refused = _send(client, f"{BOARD}add", {"to": "prospecting", "title": "No account"})
    assert refused.status_code == 400 and refused.json["message"].startswith("Account: "), refused.text
    no_token = client.post(f"{chores}add", json={"to": "todo", "title": "Forged"})
    assert no_token.status_code == 400, no_token.get_data(as_text=True)[:600]
    assert "Forged" not in client.get(chores).text


def test_a_reference_board_has_a_column_per_record_by_title(platform: Platform, tenant: dict[str, int]) -> None:
    client = _signed_in(platform)
    _post(client, jwt(client, SLUG), "boards_chore", title="Call Shop", status="todo", account=tenant["shop"])
    page = client.get(f"/t/{SLUG}/boards_chore/kanban/boards.by_account/").text
    labels = [label for label, _count, _sum in _columns(page)]
    assert labels[:2] == ["Shop Two", "Tech One"]
    assert _column_cards(page, str(tenant["shop"])) == ["Call Shop"]


def test_a_ranked_board_keeps_the_order_cards_are_put_in(platform: Platform, tenant: dict[str, int]) -> None:
    """Cards without a rank come newest first; a card put on top numbers the column (every card saved, their new
    versions answered); one put between two ranked cards is the only one saved; quick-add goes on top."""
    client = _signed_in(platform)
    ranked = f"/t/{SLUG}/boards_chore/kanban/boards.ranked/"
    auth = jwt(client, SLUG)
    one, two, three = (_post(client, auth, "boards_chore", title=f"Step {n}", status="todo") for n in (1, 2, 3))
    assert _column_cards(client.get(ranked).text, "todo") == ["Step 3", "Step 2", "Step 1"]
    token = _csrf(client.get(ranked).text)

    def move(pk: int, before: int | None, version: int) -> Any:
        body = {"id": pk, "to": "todo", "version": version, "before": before}
        return client.post(f"{ranked}move", json=body, headers={"X-CSRFToken": token})

    first = move(one, three, 1)
    assert first.status_code == 200, first.text
    assert first.json["versions"] == {str(one): 2, str(three): 2, str(two): 2}
    assert _column_cards(client.get(ranked).text, "todo") == ["Step 1", "Step 3", "Step 2"]
    second = move(two, three, 2)
    assert second.json["versions"] == {str(two): 3}
    assert _column_cards(client.get(ranked).text, "todo") == ["Step 1", "Step 2", "Step 3"]
    assert move(three, one, 1).status_code == 409  # the version the viewer saw is gone: nothing moves
    added = client.post(f"{ranked}add", json={"to": "todo", "title": "Step 0"}, headers={"X-CSRFToken": token})
    assert added.status_code == 201, added.text
    assert _column_cards(client.get(ranked).text, "todo") == ["Step 0", "Step 1", "Step 2", "Step 3"]
    page = client.get(ranked).text
    assert 'data-ranked="true"' in page and 'data-place="up"' in page


def test_the_board_answers_in_the_same_statements_for_1_and_30_cards(platform: Platform) -> None:
    slug = "kanban-count"
    platform.tenant(slug, packs=["core", "crm", "boards"])
    client = platform.client()
    auth = jwt(client, slug)
    board = f"/t/{slug}/crm_opportunity/kanban/crm.pipeline/"

    def add(n: int) -> None:
        account = _post(client, auth, "crm_account", slug=slug, name=f"Account {n}")
        owner = _post(client, auth, "core_employee", slug=slug, name=f"Owner {n}")
        _post(client, auth, "crm_opportunity", slug=slug, name=f"Deal {n}", account=account, owner=owner)

    add(0)
    signed_in = platform.client()
    assert login(signed_in, slug).status_code == 302
    signed_in.get(board)
    engine = tenant_engine(platform.settings, find_tenant(platform.settings.database_url, slug))
    with counting(engine) as one:
        assert signed_in.get(board).status_code == 200
    for n in range(1, 30):
        add(n)
    with counting(engine) as thirty:
        page = signed_in.get(board)
    assert page.text.count('class="fw-kanban-card"') == 30
    assert len(thirty) == len(one), "\n".join(thirty)


def test_validate_refuses_a_group_by_that_is_not_a_choice_or_reference_field(tmp_path: Path) -> None:
    folder = tmp_path / "wrong"
    folder.mkdir()
    (folder / "pack.yaml").write_text(
        "kind: Pack\nname: wrong\nversion: 0.1.0\nrequires: {crm: '>=0.1.0'}\n---\n"
        "kind: KanbanView\nname: by_name\nentity: crm.opportunity\n"
        "group_by: name\ncard: [name, nothing]\nsum: name\nrank: notes\n"
    )
    _catalog, errors = load_catalog([builtin_definitions(), folder])
    found = {(e.line, e.path, e.message) for e in errors if e.file.endswith("wrong/pack.yaml")}
    assert found == {
        (9, "group_by", "cannot make columns of 'name', a string field; group by a choice field or a reference field"),
        (10, "card[1]", "'nothing' is not a field of crm.opportunity"),
        (11, "sum", "'name' is not a number or money field of crm.opportunity"),
        (12, "rank", "cannot rank cards by 'notes': not a number field of crm.opportunity"),
    }


def test_the_sortable_library_is_served_from_the_package(platform: Platform, tenant: dict[str, int]) -> None:
    client = _signed_in(platform)
    page = client.get(BOARD).text
    scripts = re.findall(r'<script src="([^"]+)"', page)
    sortable = next(s for s in scripts if "sortablejs" in s)
    assert client.get(sortable).status_code == 200
    assert all(s.startswith("/") for s in scripts)

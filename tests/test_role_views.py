"""Views named per role (issue 16): a list view or a board that names roles is in the menu and the list's switcher of
their holders and of the tenant's admins only, and opening it by URL is refused (403) to everyone else; the entity's
menu entry stays its first list view for everyone. `validate` points at an unknown role's line, and refuses an
entity whose list views all name roles. The Studio's view editor ticks the roles of any view kind, and publishing
makes the view role-only."""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy.orm import Session
from werkzeug.test import Client

from conftest import (
    PASSWORD,
    Platform,
    catalog_with_pack,
    control_errors,
    csrf_token,
    jwt,
    login,
    page_text,
    post_record,
    publish_draft,
)
from formwork.definitions.loader import builtin_definitions, load_catalog
from formwork.meta.catalog import Catalog
from formwork.studio.drafts import draft_of
from formwork.tenancy.apps import build_tenant_app
from formwork.tenancy.registry import find_tenant
from formwork.tenancy.storage import tenant_engine

SLUG = "role-views"
TICKETS = f"/t/{SLUG}/desk_ticket"
STUDIO = f"/t/{SLUG}/studio/desk.ticket"
#: a help desk: leads and agents both read tickets; the escalations list (declared first) and the triage board are
#: the leads' own
DESK_PACK = """\
kind: Pack
name: desk
version: 0.1.0
requires: {core: ">=0.1.0"}
---
kind: Role
name: desk_lead
label: {en: Desk lead, zh: 服务台主管}
rights:
  ticket: [read, edit, export]
---
kind: Role
name: desk_agent
label: {en: Desk agent, zh: 服务台坐席}
rights:
  ticket: [read, export]
---
kind: Entity
name: ticket
title_field: title
fields:
  - {name: title, type: string, required: true}
  - name: status
    type: choice
    choices:
      - {value: open, label: Open}
      - {value: closed, label: Closed}
  - {name: due, type: date}
---
kind: ListView
name: escalated
entity: ticket
label: Escalations
roles: [desk_lead]
columns: [title, status]
---
kind: ListView
name: everything
entity: ticket
label: Tickets
columns: [title, status, due]
---
kind: ListView
name: recent
entity: ticket
label: Recent tickets
columns: [title, due]
sort: -due
---
kind: KanbanView
name: triage
entity: ticket
label: Triage board
roles: [desk_lead]
group_by: status
card: [title]
"""


@pytest.fixture(scope="module")
def catalog(tmp_path_factory: pytest.TempPathFactory) -> Catalog:
    return catalog_with_pack(tmp_path_factory.mktemp("packs") / "desk", DESK_PACK)


@pytest.fixture(scope="module")
def desk(platform: Platform) -> Platform:
    """A tenant of core + desk: lena leads, andy is an agent, two tickets."""
    app = build_tenant_app(platform.settings, platform.tenant(SLUG, packs=["core", "desk"]), platform.catalog)
    with app.app_context():
        sm = app.appbuilder.sm
        sm.add_user("lena", "Lena", "Lead", "lena@example.com", [sm.find_role("desk_lead")], password=PASSWORD)
        sm.add_user("andy", "Andy", "Agent", "andy@example.com", [sm.find_role("desk_agent")], password=PASSWORD)
    client = platform.client()
    headers = jwt(client, SLUG)
    for title in ("Printer jams", "VPN drops"):
        post_record(client, headers, SLUG, "desk_ticket", title=title, status="open")
    return platform


def signed_in(platform: Platform, user: str) -> Client:
    client = platform.client()
    assert login(client, SLUG, user).status_code == 302
    return client


def switcher(page: Any) -> list[str]:
    """The list views offered above a list, in order."""
    tabs = re.search(r'<ul class="nav nav-tabs fw-list-views"[^>]*>(.*?)</ul>', page.text, re.S)
    assert tabs, "the list offers no other list view"
    return [html.unescape(t) for t in re.findall(r"<a [^>]*>([^<]+)</a>", tabs.group(1))]


def menu_links(client: Client) -> set[str]:
    """The hrefs of the user's menu (FAB shows an entry only to who holds its menu right)."""
    return set(re.findall(r'href="([^"]+)"', client.get(f"/t/{SLUG}/").text))


def post_form(client: Client, url: str, data: dict[str, Any]) -> Any:
    return client.post(url, data={**data, "csrf_token": csrf_token(client.get(url).text)})


def publish(client: Client) -> None:
    page = client.get(f"{STUDIO}/")
    published = client.post(f"{STUDIO}/publish", data={"csrf_token": csrf_token(page.text)})
    assert published.status_code == 302, page_text(published)


def draft_documents(platform: Platform) -> list[dict[str, Any]]:
    tenant = find_tenant(platform.settings.database_url, SLUG)
    with Session(tenant_engine(platform.settings, tenant)) as session:
        source = draft_of(session, "desk.ticket")
    return list(yaml.safe_load_all(source)) if source else []


def test_validate_points_at_an_unknown_role_of_any_view_kind(tmp_path: Path) -> None:
    folder = tmp_path / "wrong"
    folder.mkdir()
    (folder / "pack.yaml").write_text(
        "kind: Pack\nname: wrong\nversion: 0.1.0\nrequires: {crm: '>=0.1.0'}\n---\n"
        "kind: ListView\nname: mine\nentity: crm.opportunity\ncolumns: [name]\nroles:\n  - sales_rep\n  - ghost\n---\n"
        "kind: KanbanView\nname: board\nentity: crm.opportunity\ngroup_by: stage\ncard: [name]\nroles: [nobody]\n"
    )
    _catalog, errors = load_catalog([builtin_definitions(), folder])
    found = {(e.line, e.path, e.message.split(";")[0]) for e in errors if e.file.endswith("wrong/pack.yaml")}
    assert found == {(12, "roles[1]", "unknown role 'ghost'"), (19, "roles[0]", "unknown role 'nobody'")}


def test_validate_refuses_an_entity_whose_list_views_all_name_roles(tmp_path: Path) -> None:
    pack = DESK_PACK.replace("columns: [title, status, due]", "columns: [title, status, due]\nroles: [desk_agent]")
    pack = pack.replace("sort: -due", "sort: -due\nroles: [desk_agent]")
    folder = tmp_path / "desk"
    folder.mkdir()
    (folder / "pack.yaml").write_text(pack)
    _catalog, errors = load_catalog([builtin_definitions(), folder])
    message = "every list view of desk.ticket names roles; leave one for everyone (without roles), the entity's"
    found = [(e.line, e.path) for e in errors if e.file.endswith("desk/pack.yaml") and e.message.startswith(message)]
    assert found == [(34, "roles"), (42, "roles"), (50, "roles")]


def test_the_role_sees_its_views_first_and_opens_them(desk: Platform) -> None:
    lena = signed_in(desk, "lena")
    links = menu_links(lena)
    assert f"{TICKETS}/view/escalated/" in links and f"{TICKETS}/kanban/desk.triage/" in links
    default = lena.get(f"{TICKETS}/list/")
    assert default.status_code == 200
    assert switcher(default) == ["Escalations", "Tickets", "Recent tickets"]
    escalated = lena.get(f"{TICKETS}/view/escalated/")
    assert escalated.status_code == 200 and "Printer jams" in escalated.text
    board = lena.get(f"{TICKETS}/kanban/desk.triage/")
    assert board.status_code == 200 and "VPN drops" in board.text


def test_another_role_neither_sees_the_views_nor_opens_them_by_url(desk: Platform) -> None:
    andy = signed_in(desk, "andy")
    links = menu_links(andy)
    assert f"{TICKETS}/view/escalated/" not in links and f"{TICKETS}/kanban/desk.triage/" not in links
    assert f"{TICKETS}/view/recent/" in links
    default = andy.get(f"{TICKETS}/list/")
    assert default.status_code == 200 and "Printer jams" in default.text
    assert switcher(default) == ["Tickets", "Recent tickets"]
    for url in (
        f"{TICKETS}/view/escalated/",
        f"{TICKETS}/view/escalated/export/csv",
        f"{TICKETS}/kanban/desk.triage/",
    ):
        refused = andy.get(url)
        assert refused.status_code == 403, url
        assert "Printer jams" not in refused.text
    assert andy.get(f"{TICKETS}/view/recent/export/csv").status_code == 200


def test_the_entity_menu_entry_is_its_first_list_view_for_everyone(desk: Platform) -> None:
    andy = signed_in(desk, "andy")
    page = andy.get(f"/t/{SLUG}/")
    menu = re.search(rf'<a[^>]*href="{re.escape(TICKETS)}/list/"[^>]*>(.*?)</a>', page.text, re.S)
    assert menu and "Tickets" in text_of(menu.group(1))


def text_of(fragment: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def test_the_admin_sees_and_opens_every_view(desk: Platform) -> None:
    admin = signed_in(desk, "admin")
    links = menu_links(admin)
    assert f"{TICKETS}/view/escalated/" in links and f"{TICKETS}/kanban/desk.triage/" in links
    assert switcher(admin.get(f"{TICKETS}/list/")) == ["Tickets", "Escalations", "Recent tickets"]
    assert admin.get(f"{TICKETS}/view/escalated/").status_code == 200
    assert admin.get(f"{TICKETS}/kanban/desk.triage/").status_code == 200


def test_a_role_the_tenant_made_gets_no_view_meant_for_pack_roles(desk: Platform) -> None:
    admin = signed_in(desk, "admin")
    grid = f"/t/{SLUG}/access/roles/"
    made = admin.post(f"{grid}new", data={"name": "Night shift", "csrf_token": csrf_token(admin.get(grid).text)})
    assert made.status_code == 302
    role_url = made.headers["Location"]
    token = csrf_token(admin.get(role_url).text)
    assert admin.post(role_url, data={"right:desk.ticket:read": "1", "csrf_token": token}).status_code == 302
    assert publish_draft(admin, role_url, f"{role_url}/publish").status_code == 302
    assert "Night shift" in admin.get(role_url).text  # served: the role is made as the app is built again
    app = build_tenant_app(desk.settings, find_tenant(desk.settings.database_url, SLUG), desk.catalog)
    with app.app_context():
        sm = app.appbuilder.sm
        sm.add_user("nina", "Nina", "Night", "nina@example.com", [sm.find_role("night_shift")], password=PASSWORD)
    nina = signed_in(desk, "nina")
    links = menu_links(nina)
    assert f"{TICKETS}/list/" in links and f"{TICKETS}/view/recent/" in links
    assert f"{TICKETS}/view/escalated/" not in links and f"{TICKETS}/kanban/desk.triage/" not in links
    assert nina.get(f"{TICKETS}/view/escalated/").status_code == 403


def test_the_studio_offers_the_roles_of_every_view_kind(desk: Platform) -> None:
    admin = signed_in(desk, "admin")
    for kind in ("ListView", "KanbanView", "CalendarView", "TimelineView", "PivotView"):
        editor = admin.get(f"{STUDIO}/views/{kind}/new")
        assert editor.status_code == 200, kind
        boxes = re.findall(r'<input type="checkbox" name="p.roles" value="([a-z_]+)"', editor.text)
        assert boxes[:3] == ["hr", "desk_lead", "desk_agent"], kind  # core's role, then the pack's
        assert set(boxes[3:]) <= {"night_shift"}, kind  # then the tenant's own, once made
    board = admin.get(f"{STUDIO}/views/KanbanView/edit/triage")
    assert re.search(r'name="p.roles" value="desk_lead" checked', board.text)
    assert not re.search(r'name="p.roles" value="desk_agent" checked', board.text)
    listing = admin.get(f"{STUDIO}/views/")
    rows = {m[0]: text_of(m[1]) for m in re.findall(r'<tr data-view="(\w+)"[^>]*>(.*?)</tr>', listing.text, re.S)}
    assert "desk_lead" in rows["escalated"] and "Everyone" in rows["everything"]


def test_a_view_for_an_unknown_role_is_refused_at_its_control(desk: Platform) -> None:
    admin = signed_in(desk, "admin")
    before = draft_documents(desk)
    wrong = post_form(admin, f"{STUDIO}/views/ListView/edit/recent", {"p.columns": ["title"], "p.roles": ["ghost"]})
    assert wrong.status_code == 400
    assert [e.split(";")[0] for e in control_errors(wrong, "p.roles")] == ["unknown role 'ghost'"]
    assert re.search(r'name="p.roles" value="ghost" checked', wrong.text)
    assert draft_documents(desk) == before


def test_views_the_studio_gives_roles_are_role_only_once_published(desk: Platform) -> None:
    admin = signed_in(desk, "admin")
    recent = {"label_en": "Recent tickets", "p.columns": ["title", "due"], "p.sort": "due", "p.sort.descending": "1"}
    saved = post_form(admin, f"{STUDIO}/views/ListView/edit/recent", {**recent, "p.roles": ["desk_lead"]})
    assert saved.status_code == 302, page_text(saved)
    board = {"name": "agent_board", "label_en": "Agent board", "p.group_by": "status", "p.card": ["title"]}
    saved = post_form(admin, f"{STUDIO}/views/KanbanView/new", {**board, "p.roles": ["desk_agent"]})
    assert saved.status_code == 302, page_text(saved)
    drafted = {d.get("name"): d for d in draft_documents(desk)}
    assert drafted["recent"]["roles"] == ["desk_lead"] and drafted["agent_board"]["roles"] == ["desk_agent"]
    last = post_form(
        admin, f"{STUDIO}/views/ListView/edit/everything", {"p.columns": ["title"], "p.roles": ["desk_lead"]}
    )
    assert last.status_code == 400
    assert any("leave one for everyone" in e for e in control_errors(last, "p.roles"))
    publish(admin)

    andy, lena = signed_in(desk, "andy"), signed_in(desk, "lena")
    assert "fw-list-views" not in andy.get(f"{TICKETS}/list/").text
    assert andy.get(f"{TICKETS}/view/recent/").status_code == 403
    assert f"{TICKETS}/kanban/desk.agent_board/" in menu_links(andy)
    assert andy.get(f"{TICKETS}/kanban/desk.agent_board/").status_code == 200
    assert switcher(lena.get(f"{TICKETS}/list/")) == ["Escalations", "Recent tickets", "Tickets"]
    assert f"{TICKETS}/view/recent/" in menu_links(lena)
    assert f"{TICKETS}/kanban/desk.agent_board/" not in menu_links(lena)
    assert lena.get(f"{TICKETS}/kanban/desk.agent_board/").status_code == 403
    assert admin.get(f"{TICKETS}/kanban/desk.agent_board/").status_code == 200

"""Navigation: the sidebar lists what the user's rights open, grouped by pack; the global search finds records by
their search fields within the user's rights and tenant; error pages anywhere in the app are inside the layout, in
the reader's language, with a way back; the brand colour is a checked tenant setting served as a stylesheet; the
signed-out home page signs people in."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from werkzeug.test import Client

from conftest import PASSWORD, Platform, counting, csrf_token, jwt, login
from formwork.meta.errors import DefinitionsInvalid
from formwork.tenancy import branding
from formwork.tenancy.manifest import apply_manifest, export_manifest, read_manifest
from formwork.tenancy.registry import find_tenant
from formwork.tenancy.storage import tenant_engine

SLUG, OTHER = "nav-co", "nav-other"
#: who signs in here: a sales rep (own accounts only, no Office pack rights) and an employee (Office, no CRM)
PEOPLE = {"rita": ("Rita", "Rep", "sales_rep"), "emil": ("Emil", "Clerk", "employee")}


@pytest.fixture(scope="module")
def site(platform: Platform) -> dict[str, Any]:
    platform.tenant(SLUG)
    platform.tenant(OTHER, packs=["core", "crm"])
    apps = platform.app.tenant_apps
    app = apps.get(apps.tenant(SLUG))
    with app.app_context():
        sm = app.appbuilder.sm
        for username, (first, last, role) in PEOPLE.items():
            sm.add_user(username, first, last, f"{username}@example.com", [sm.find_role(role)], password=PASSWORD)
    admin = jwt(platform.client(), SLUG)
    ids = {
        "mills": post(platform, SLUG, admin, "crm_account", name="Zephyr Mills", city="Wuxi"),
        "works": post(platform, SLUG, jwt(platform.client(), SLUG, "rita"), "crm_account", name="Zephyr Works"),
    }
    post(platform, OTHER, jwt(platform.client(), OTHER), "crm_account", name="Zephyr Foreign")
    return ids


def post(platform: Platform, slug: str, auth: dict[str, str], table: str, **values: Any) -> int:
    answer = platform.client().post(f"/t/{slug}/api/v1/{table}/", json=values, headers=auth)
    assert answer.status_code == 201, answer.text
    return int(answer.json["id"])


def signed_in(platform: Platform, username: str = "admin") -> Client:
    client = platform.client()
    assert login(client, SLUG, username).status_code == 302
    return client


def sidebar(html: str) -> str:
    return html[html.index('id="fw-sidebar"') : html.index("</nav>", html.index('id="fw-sidebar"'))]


def groups(html: str) -> list[str]:
    return [g.strip() for g in re.findall(r'fw-nav-heading"[^>]*>.*?fw-nav-text">([^<]+)<', sidebar(html), re.S)]


def entries(html: str) -> list[str]:
    return [
        e.strip()
        for e in re.findall(
            r'<a class="fw-nav-link" href="[^"]+"[^>]*>\s*<i[^>]*></i><span class="fw-nav-text">([^<]+)<', sidebar(html)
        )
    ]


# -- the sidebar and the top bar --------------------------------------------------------------------------------
def test_the_sidebar_groups_entries_by_pack_as_the_rights_allow(platform: Platform, site: dict) -> None:
    admin = signed_in(platform).get(f"/t/{SLUG}/crm_account/list/").text
    assert {"Organization", "CRM", "Office"} <= set(groups(admin))
    assert {"Accounts", "Leave requests", "Employees"} <= set(entries(admin))
    assert 'aria-current="page"' in sidebar(admin)  # the list shown is marked in the menu

    rita = signed_in(platform, "rita").get(f"/t/{SLUG}/crm_account/list/").text
    assert "CRM" in groups(rita) and "Office" not in groups(rita)
    assert "Accounts" in entries(rita) and "Leave requests" not in entries(rita)

    emil = signed_in(platform, "emil").get(f"/t/{SLUG}/").text
    assert "Office" in groups(emil) and "CRM" not in groups(emil)


def test_the_top_bar_shows_the_tenant_the_user_s_name_language_and_sign_out(platform: Platform, site: dict) -> None:
    page = signed_in(platform, "rita").get(f"/t/{SLUG}/crm_account/list/").text
    bar = page[page.index('class="navbar fw-topbar"') : page.index("</header>")]
    assert "Nav-Co Inc" in bar
    assert 'class="fw-top-text fw-user-name">Rita Rep<' in bar and ">rita<" not in bar
    assert 'aria-label="Menu"' in bar and 'class="fw-top-search"' in bar
    assert f'href="/t/{SLUG}/lang/zh"' in bar and f'href="/t/{SLUG}/lang/en"' not in bar  # English is in use
    assert f'href="/t/{SLUG}/logout/"' in bar
    assert 'class="fw-top-link fw-top-notifications"' in bar


# -- the global search --------------------------------------------------------------------------------------------
def hits(client: Client, text: str) -> list[str]:
    answer = client.get(f"/t/{SLUG}/search/suggest", query_string={"q": text})
    assert answer.status_code == 200, answer.text
    return [hit["title"] for hit in answer.json["results"]]


def test_the_search_finds_a_record_by_its_search_fields_and_links_its_page(platform: Platform, site: dict) -> None:
    admin = signed_in(platform)
    assert hits(admin, "zephyr") == ["Zephyr Works", "Zephyr Mills"]
    assert hits(admin, "WUXI") == ["Zephyr Mills"]  # the city is one of the accounts' search fields
    page = admin.get(f"/t/{SLUG}/search/", query_string={"q": "wuxi"})
    assert page.status_code == 200
    assert f'href="/t/{SLUG}/crm_account/show/{site["mills"]}">Zephyr Mills</a>' in page.text
    assert "Accounts" in page.text
    assert "Zephyr Foreign" not in admin.get(f"/t/{SLUG}/search/", query_string={"q": "zephyr"}).text


def test_the_search_keeps_to_the_user_s_record_rules_and_rights(platform: Platform, site: dict) -> None:
    assert hits(signed_in(platform, "rita"), "zephyr") == ["Zephyr Works"]  # Mills is not hers
    assert hits(signed_in(platform, "emil"), "zephyr") == []  # no right on accounts at all
    other = platform.client()
    assert login(other, OTHER).status_code == 302
    found = other.get(f"/t/{OTHER}/search/suggest", query_string={"q": "zephyr"}).json["results"]
    assert [hit["title"] for hit in found] == ["Zephyr Foreign"]


def test_the_search_is_bounded_and_localized(platform: Platform, site: dict) -> None:
    admin = signed_in(platform)
    auth = jwt(platform.client(), SLUG)
    for number in range(7):
        post(platform, SLUG, auth, "crm_contact", name=f"Quill Contact {number}")
    page = admin.get(f"/t/{SLUG}/search/", query_string={"q": "quill"}).text
    assert page.count('class="fw-search-hit"') == 5
    assert f'href="/t/{SLUG}/crm_contact/list/?q=quill"' in page  # the rest is in the list
    engine = tenant_engine(platform.settings, find_tenant(platform.settings.database_url, SLUG))
    with counting(engine) as many:
        assert len(hits(admin, "quill")) == 3
    with counting(engine) as none:
        assert hits(admin, "no such text") == []
    assert len(many) == len(none)  # a query per entity, whatever it finds: never one per record
    admin.get(f"/t/{SLUG}/lang/zh")
    page = admin.get(f"/t/{SLUG}/search/", query_string={"q": "quill"}).text
    assert "联系人" in page and "搜索" in page


def test_searching_needs_a_signed_in_user(platform: Platform, site: dict) -> None:
    answer = platform.client().get(f"/t/{SLUG}/search/", query_string={"q": "zephyr"})
    assert answer.status_code == 302 and "/login/" in answer.headers["Location"]
    assert "Zephyr" not in platform.client().get(f"/t/{SLUG}/search/suggest", query_string={"q": "zephyr"}).text


# -- error pages ------------------------------------------------------------------------------------------------
def test_a_404_anywhere_is_a_page_inside_the_layout_with_ways_back(platform: Platform, site: dict) -> None:
    client = signed_in(platform)
    page = client.get(f"/t/{SLUG}/no/such/page", headers={"Referer": f"http://localhost/t/{SLUG}/crm_account/list/"})
    assert page.status_code == 404
    assert 'class="fw-error-page' in page.text and "Not found" in page.text and 'id="fw-sidebar"' in page.text
    assert re.search(rf'class="[^"]*fw-error-back" href="/t/{SLUG}/"', page.text)
    assert f'class="btn btn-default fw-error-previous" href="http://localhost/t/{SLUG}/crm_account/list/"' in page.text
    elsewhere = client.get(f"/t/{SLUG}/no/such/page", headers={"Referer": "http://evil.example/t/x/"})
    assert "fw-error-previous" not in elsewhere.text  # never a way "back" to another site


def test_the_404_page_speaks_chinese(platform: Platform, site: dict) -> None:
    client = signed_in(platform)
    client.get(f"/t/{SLUG}/lang/zh")
    page = client.get(f"/t/{SLUG}/dashboards/no-such-dashboard/")
    assert page.status_code == 404
    assert "未找到" in page.text and "返回首页" in page.text and "Not found" not in page.text


def test_a_signed_out_404_is_a_page_without_the_menu(platform: Platform, site: dict) -> None:
    page = platform.client().get(f"/t/{SLUG}/no/such/page")
    assert page.status_code == 404 and 'class="fw-error-page' in page.text
    assert 'id="fw-sidebar"' not in page.text and "fw-sign-in" in page.text
    assert "Traceback" not in page.text


def test_a_server_error_off_the_entity_screens_is_a_page_too(
    platform: Platform, site: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    from formwork.search import views

    def fails(*_args: Any) -> None:
        raise RuntimeError("a bug in the search")

    monkeypatch.setattr(views, "find", fails)
    page = signed_in(platform).get(f"/t/{SLUG}/search/", query_string={"q": "zephyr"})
    assert page.status_code == 500
    assert "Something went wrong" in page.text and "a bug" not in page.text and 'id="fw-sidebar"' in page.text


def test_when_the_layout_fails_the_error_page_is_plain_but_still_says_it(
    platform: Platform, site: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    from formwork.tenancy import layout

    def broken() -> None:
        raise RuntimeError("the menu cannot be read")

    client = signed_in(platform)
    monkeypatch.setattr(layout, "load_features", broken)
    page = client.get(f"/t/{SLUG}/no/such/page")
    assert page.status_code == 404 and "Not found" in page.text and f'href="/t/{SLUG}/"' in page.text
    assert 'id="fw-sidebar"' not in page.text and "menu cannot be read" not in page.text


def test_the_api_keeps_answering_errors_in_json(platform: Platform, site: dict) -> None:
    answer = platform.client().get(f"/t/{SLUG}/api/v1/no_such_thing/", headers=jwt(platform.client(), SLUG))
    assert answer.status_code == 404 and answer.is_json


# -- branding -------------------------------------------------------------------------------------------------------
MANIFEST = """kind: Tenant
slug: brand-co
name: Brand Co
packs: [core]
admin: {username: admin, password_env: FORMWORK_ADMIN_PASSWORD}
"""


def test_text_on_any_brand_colour_keeps_wcag_aa_contrast() -> None:
    for red in range(0, 256, 15):
        for green in range(0, 256, 15):
            for blue in range(0, 256, 51):
                colour = f"#{red:02x}{green:02x}{blue:02x}"
                assert branding.contrast(colour, branding.text_on(colour)) >= 4.5, colour
    assert branding.text_on("#1f6feb") == "#ffffff" and branding.text_on("#ffd33d") == "#000000"


def test_the_brand_colour_is_checked_kept_served_and_exported(
    platform: Platform, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FORMWORK_ADMIN_PASSWORD", PASSWORD)
    path = tmp_path / "brand.yaml"
    path.write_text(MANIFEST + "brand_color: blue\n", encoding="utf-8")
    with pytest.raises(DefinitionsInvalid) as refused:
        read_manifest(path)
    assert str(refused.value) == f"{path}:6 at brand_color: 'blue' is not a colour; write it as #rrggbb, e.g. #1f6feb"

    path.write_text(MANIFEST + 'brand_color: "#FFD33D"\n', encoding="utf-8")
    apply = lambda: apply_manifest(platform.settings, platform.catalog, read_manifest(path), report=lambda _: None)  # noqa: E731
    assert apply()[0] == "created tenant 'brand-co'"
    tenant = find_tenant(platform.settings.database_url, "brand-co")
    assert tenant.brand_color == "#ffd33d" and apply() == []
    assert "brand_color: '#ffd33d'" in export_manifest(platform.settings, tenant)

    client = platform.client()
    home = client.get("/t/brand-co/").text
    stylesheet = re.search(r'<link href="(/t/brand-co/brand\.css\?v=\w+)" rel="stylesheet">', home)
    assert stylesheet, "the layout links the tenant's stylesheet"
    css = client.get(stylesheet.group(1))
    assert css.status_code == 200 and css.mimetype == "text/css"
    assert "--fw-brand: #ffd33d;" in css.text and "--fw-brand-text: #000000;" in css.text  # dark text on yellow
    assert "style=" not in home[home.index("<header") : home.index("</header>")]


# -- the signed-out home page -----------------------------------------------------------------------------------------
def test_the_signed_out_home_shows_the_tenant_and_signs_in(platform: Platform, site: dict) -> None:
    client = platform.client()
    home = client.get(f"/t/{SLUG}/")
    assert home.status_code == 200
    form = home.text[home.text.index('<form class="fw-sign-in-form"') :]
    form = form[: form.index("</form>")]
    assert f'action="/t/{SLUG}/login/"' in form and 'name="username"' in form and 'name="password"' in form
    assert "Nav-Co Inc" in home.text and 'id="fw-sidebar"' not in home.text
    signed = client.post(
        f"/t/{SLUG}/login/", data={"username": "rita", "password": PASSWORD, "csrf_token": csrf_token(form)}
    )
    assert signed.status_code == 302
    assert 'class="fw-top-text fw-user-name">Rita Rep<' in client.get(f"/t/{SLUG}/").text

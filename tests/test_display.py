"""What people read on every screen: no "None" for an empty value, amounts and dates in the history as lists show
them, people by name rather than login, an Edit button on a record's page, the saved record shown after a save,
and 403/404 pages inside the layout with a way back, in the reader's language (the API keeps answering JSON)."""

from __future__ import annotations

import re
from typing import Any

import pytest
import sqlalchemy as sa
from werkzeug.test import Client

from conftest import Platform, csrf_token, jwt, login
from formwork.compile import views
from formwork.notify.sending import notify
from workflow_org import company

SLUG = "shown"
OPPORTUNITY = "crm.opportunity"
#: dora runs the company (an admin here); people read her as "Dora Test", never as "dora"
DORA = "Dora Test"


@pytest.fixture(scope="module")
def runtime(platform: Platform) -> Any:
    runtime = company(platform, platform.catalog, SLUG, ["core", "crm", "oa"])
    apps = platform.app.tenant_apps
    app = apps.get(apps.tenant(SLUG))
    with app.app_context():
        sm = app.appbuilder.sm
        dora = sm.find_user(username="dora")
        dora.roles = [sm.find_role(sm.auth_role_admin)]
        sm.update_user(dora)
    return runtime


@pytest.fixture(scope="module")
def dora(platform: Platform, runtime: Any) -> Client:
    client = platform.client()
    assert login(client, SLUG, "dora").status_code == 302
    return client


@pytest.fixture(scope="module")
def token(platform: Platform, runtime: Any) -> dict[str, str]:
    return jwt(platform.client(), SLUG, "dora")


def account(platform: Platform, token: dict[str, str], name: str) -> int:
    answer = platform.client().post(f"/t/{SLUG}/api/v1/crm_account/", json={"name": name}, headers=token)
    assert answer.status_code == 201, answer.text
    return int(answer.json["id"])


def opportunity(platform: Platform, token: dict[str, str], name: str, **values: Any) -> int:
    """An opportunity saved by dora through the API, with only what `values` give (no owner, no notes)."""
    body = {"name": name, "account": account(platform, token, f"{name} Ltd"), **values}
    answer = platform.client().post(f"/t/{SLUG}/api/v1/crm_opportunity/", json=body, headers=token)
    assert answer.status_code == 201, answer.text
    return int(answer.json["id"])


def shown_none(html: str) -> list[str]:
    """Python's words for nothing where a value is shown: a cell or a value that is only "None", "True", "[]"."""
    return re.findall(r">\s*(None|True|False|\[\])\s*<", html)


def timeline(html: str) -> str:
    return html[html.index('id="fw-timeline"') :]


# -- empty values ------------------------------------------------------------------------------------
def test_a_list_shows_empty_references_and_texts_as_nothing(platform: Platform, dora: Client, token) -> None:
    opportunity(platform, token, "Empty Owner Deal")
    page = dora.get(f"/t/{SLUG}/crm_opportunity/list/?q=Empty+Owner")
    assert page.status_code == 200 and "Empty Owner Deal" in page.text
    assert shown_none(page.text) == []


def test_a_record_page_shows_empty_values_as_nothing(platform: Platform, dora: Client, token) -> None:
    pk = opportunity(platform, token, "Bare Deal")
    page = dora.get(f"/t/{SLUG}/crm_opportunity/show/{pk}")
    assert page.status_code == 200 and "Bare Deal" in page.text
    assert shown_none(page.text) == []


# -- the history -------------------------------------------------------------------------------------
def test_the_history_shows_amounts_and_dates_as_lists_do(platform: Platform, dora: Client, token) -> None:
    pk = opportunity(platform, token, "Harbour Cranes", amount="431000", close_date="2030-01-02")
    changed = platform.client().put(
        f"/t/{SLUG}/api/v1/crm_opportunity/{pk}", json={"amount": "452500.5"}, headers=token
    )
    assert changed.status_code == 200, changed.text
    shown = timeline(dora.get(f"/t/{SLUG}/crm_opportunity/show/{pk}").text)
    assert "431,000.00" in shown and "452,500.50" in shown and "Jan 2, 2030" in shown
    assert "431000" not in shown and "2030-01-02" not in shown


def test_the_history_names_the_person_who_changed_the_record(platform: Platform, dora: Client, token) -> None:
    pk = opportunity(platform, token, "Named Deal")
    entry = re.search(r'class="fw-timeline-actor">([^<]*)<', dora.get(f"/t/{SLUG}/crm_opportunity/show/{pk}").text)
    assert entry and entry.group(1) == DORA


def test_the_history_speaks_chinese(platform: Platform, runtime, token) -> None:
    pk = opportunity(platform, token, "Chinese Deal", amount="1200")
    client = platform.client()
    assert login(client, SLUG, "dora").status_code == 302
    client.get(f"/t/{SLUG}/lang/zh")
    shown = timeline(client.get(f"/t/{SLUG}/crm_opportunity/show/{pk}").text)
    assert "1,200.00" in shown and "金额" in shown


# -- people by name ----------------------------------------------------------------------------------
def test_the_inbox_names_who_did_it(platform: Platform, runtime: Any, dora: Client) -> None:
    session = runtime.session()
    notify(
        session,
        event="mentioned",
        recipients=["dora"],
        entity=OPPORTUNITY,
        record_id=1,
        actor="mike",
        data={"comment": "Look"},
    )
    session.commit()
    runtime.session.remove()
    page = dora.get(f"/t/{SLUG}/notifications/").text
    assert "Mike Test mentioned you" in page and "mike mentioned" not in page
    listed = platform.client().get(f"/t/{SLUG}/api/v1/notifications/", headers=jwt(platform.client(), SLUG, "dora"))
    found = next(n for n in listed.json["result"] if n["actor"] == "mike" and n["event"] == "mentioned")
    assert found["subject"].startswith("Mike Test mentioned you")  # the API names people too; `actor` stays the login


def test_the_people_screens_show_yes_no_and_joined_roles(dora: Client) -> None:
    users = dora.get(f"/t/{SLUG}/users/list/")
    assert users.status_code == 200
    assert shown_none(users.text) == [] and "[Admin]" not in users.text
    dora_id = re.search(r'/users/show/(\d+)"[^>]*>\s*(?:<[^>]+>\s*)*', users.text)
    shown = dora.get(f"/t/{SLUG}/users/show/{dora_id.group(1)}" if dora_id else f"/t/{SLUG}/users/show/1")
    assert shown.status_code == 200 and shown_none(shown.text) == [] and "[Admin]" not in shown.text


def test_the_navbar_names_the_signed_in_user(dora: Client) -> None:
    page = dora.get(f"/t/{SLUG}/crm_opportunity/list/").text
    assert f'class="fw-top-text fw-user-name">{DORA}<' in page


# -- the record page ---------------------------------------------------------------------------------
def test_a_record_page_has_an_edit_button_for_who_may_edit(platform: Platform, dora: Client, token) -> None:
    pk = opportunity(platform, token, "Editable Deal")
    page = dora.get(f"/t/{SLUG}/crm_opportunity/show/{pk}").text
    button = re.search(r'<a class="[^"]*fw-record-edit" href="([^"]+)"', page)
    assert button and button.group(1) == f"/t/{SLUG}/crm_opportunity/edit/{pk}"
    assert re.search(r'class="fw-record-title"[^>]*>Editable Deal<', page)


def test_a_record_page_has_no_edit_button_without_the_edit_right(platform: Platform, runtime: Any, token) -> None:
    pk = account(platform, token, "Read Only Traders")
    apps = platform.app.tenant_apps
    app = apps.get(apps.tenant(SLUG))
    with app.app_context():  # sam may read accounts, not change them
        sm = app.appbuilder.sm
        role = sm.add_role("account_readers")
        for right in ("can_list", "can_show"):
            sm.add_permission_role(role, sm.find_permission_view_menu(right, "CrmAccountView"))
        sam = sm.find_user(username="sam")
        sam.roles = [role]
        sm.update_user(sam)
    client = platform.client()
    assert login(client, SLUG, "sam").status_code == 302
    page = client.get(f"/t/{SLUG}/crm_account/show/{pk}")
    assert page.status_code == 200 and "Read Only Traders" in page.text
    assert "fw-record-edit" not in page.text


def test_after_adding_a_record_the_user_sees_it(dora: Client, runtime: Any) -> None:
    form = dora.get(f"/t/{SLUG}/crm_account/add")
    saved = dora.post(
        f"/t/{SLUG}/crm_account/add", data={"csrf_token": csrf_token(form.text), "name": "Lighthouse Foods"}
    )
    assert saved.status_code == 302
    model = runtime.compiled.model("crm.account")
    session = runtime.session()
    pk = session.execute(sa.select(model.id).where(model.name == "Lighthouse Foods")).scalar_one()
    runtime.session.remove()
    assert saved.headers["Location"].endswith(f"/t/{SLUG}/crm_account/show/{pk}")


def test_after_editing_a_record_the_user_sees_it(platform: Platform, dora: Client, token) -> None:
    pk = account(platform, token, "Old Mill Bakery")
    form = dora.get(f"/t/{SLUG}/crm_account/edit/{pk}")
    saved = dora.post(
        f"/t/{SLUG}/crm_account/edit/{pk}",
        data={"csrf_token": csrf_token(form.text), "record_version": "1", "name": "Old Mill Bakery", "city": "Hefei"},
    )
    assert saved.status_code == 302
    assert saved.headers["Location"].endswith(f"/t/{SLUG}/crm_account/show/{pk}")
    assert "Hefei" in dora.get(saved.headers["Location"]).text


def test_a_refused_save_stays_on_its_form(dora: Client) -> None:
    form = dora.get(f"/t/{SLUG}/crm_account/add")
    refused = dora.post(f"/t/{SLUG}/crm_account/add", data={"csrf_token": csrf_token(form.text), "name": ""})
    assert refused.status_code == 200 and "/show/" not in refused.headers.get("Location", "")


# -- error pages -------------------------------------------------------------------------------------
def test_a_missing_record_is_a_404_page_inside_the_layout_with_the_way_back(dora: Client) -> None:
    page = dora.get(f"/t/{SLUG}/crm_account/show/999999")
    assert page.status_code == 404
    assert 'class="fw-error-page' in page.text and "Not found" in page.text
    assert 'class="navbar' in page.text  # the app's layout: its menu, the user
    back = re.search(r'<a class="[^"]*fw-error-back" href="([^"]+)"', page.text)
    assert back and back.group(1) == f"/t/{SLUG}/crm_account/list/"
    assert "Back to the list" in page.text


def test_the_404_page_speaks_chinese(platform: Platform, runtime: Any) -> None:
    client = platform.client()
    assert login(client, SLUG, "dora").status_code == 302
    client.get(f"/t/{SLUG}/lang/zh")
    page = client.get(f"/t/{SLUG}/crm_account/show/999999")
    assert page.status_code == 404 and "未找到" in page.text and "返回列表" in page.text


def test_the_api_still_answers_a_missing_record_in_json(platform: Platform, token) -> None:
    answer = platform.client().get(f"/t/{SLUG}/api/v1/crm_account/999999", headers=token)
    assert answer.status_code == 404 and answer.is_json


def test_a_server_error_on_a_screen_is_a_page_inside_the_layout(
    platform: Platform, dora: Client, token, monkeypatch: pytest.MonkeyPatch
) -> None:
    pk = account(platform, token, "Broken Page Traders")

    def fails(*_args: Any) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr(views, "child_tables", fails)
    page = dora.get(f"/t/{SLUG}/crm_account/show/{pk}")
    assert page.status_code == 500
    assert 'class="fw-error-page' in page.text and "Something went wrong" in page.text and "a bug" not in page.text
    assert 'class="navbar' in page.text
    back = re.search(r'<a class="[^"]*fw-error-back" href="([^"]+)"', page.text)
    assert back and back.group(1).rstrip("/").endswith(f"/t/{SLUG}")


# -- every field type, empty and filled ------------------------------------------------------------
LAB = "shown-lab"


@pytest.fixture(scope="module")
def lab(platform: Platform) -> Client:
    platform.tenant(LAB, ["core", "lab"])
    client = platform.client()
    assert login(client, LAB).status_code == 302
    return client


def specimen(platform: Platform, values: dict[str, Any]) -> int:
    answer = platform.client().post(f"/t/{LAB}/api/v1/lab_specimen/", json=values, headers=jwt(platform.client(), LAB))
    assert answer.status_code == 201, answer.text
    return int(answer.json["id"])


FILLED = {
    "code": "FI-001",
    "notes": "a note",
    "count": 3,
    "weight": "1.25",
    "price": "99.5",
    "share": "12.5",
    "active": False,
    "day": "2030-01-02",
    "moment": "2030-01-02T08:30:00+00:00",
    "at": "09:15:00",
    "colour": "red",
    "flags": ["a", "b"],
    "mail": "lab@example.com",
    "extra": {"k": 1},
    "stars": 4,
}


@pytest.mark.parametrize("values", [{"code": "EM-001", "active": None}, FILLED], ids=["empty", "filled"])
def test_no_field_type_shows_python_words_on_lists_and_record_pages(platform: Platform, lab: Client, values) -> None:
    pk = specimen(platform, values)
    for page in (f"/t/{LAB}/lab_specimen/list/?q={values['code']}", f"/t/{LAB}/lab_specimen/show/{pk}"):
        answer = lab.get(page)
        assert answer.status_code == 200 and values["code"] in answer.text
        assert shown_none(answer.text) == [], page


def test_the_history_shows_every_type_as_lists_do(platform: Platform, lab: Client) -> None:
    pk = specimen(platform, {"code": "HI-001"})
    changed = platform.client().put(
        f"/t/{LAB}/api/v1/lab_specimen/{pk}",
        json={k: v for k, v in FILLED.items() if k != "code"},
        headers=jwt(platform.client(), LAB),
    )
    assert changed.status_code == 200, changed.text
    shown = timeline(lab.get(f"/t/{LAB}/lab_specimen/show/{pk}").text)
    for text in ("1.250", "12.5%", "Jan 2, 2030", "09:15", "★★★★☆", "Red", "A, B", "no"):
        assert text in shown, text
    for raw in ("2030-01-02", "09:15:00", "1.25<", "False", "True"):
        assert raw not in shown, raw

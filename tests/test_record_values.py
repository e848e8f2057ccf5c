"""Values a save fills in, seen in the same transaction: formulas reading rollups, reference defaults from an
expression, unique indexes over defaulted values (the service test pack: tickets, their parts, units, buildings)."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from werkzeug.test import Client

from conftest import PASSWORD, Platform, csrf_token, jwt, login

SLUG = "svc"
API = f"/t/{SLUG}/api/v1"
TICKETS, PARTS = f"{API}/service_ticket/", f"{API}/service_part/"
DOUBLE_TITLE = "This building already has a ticket with this title."


@pytest.fixture(scope="module")
def site(platform: Platform) -> tuple[Client, dict[str, str]]:
    platform.tenant(SLUG, ["core", "service"])
    apps = platform.app.tenant_apps
    app = apps.get(apps.tenant(SLUG))
    with app.app_context():
        sm = app.appbuilder.sm
        for name in ("carol", "dave"):  # the chain's countersign and review
            sm.add_user(name, name.title(), "Test", f"{name}@example.com", [sm.find_role("Admin")], password=PASSWORD)
    client = platform.client()
    return client, jwt(client, SLUG)


@pytest.fixture(scope="module")
def browser(platform: Platform, site) -> Client:
    client = platform.client()
    assert login(client, SLUG).status_code == 302
    return client


def create(site, url: str, body: dict) -> dict:
    client, auth = site
    response = client.post(url, json=body, headers=auth)
    assert response.status_code == 201, response.text
    return response.json["result"] | {"id": response.json["id"]}


def read(site, url: str, pk: int) -> dict:
    client, auth = site
    return client.get(f"{url}{pk}", headers=auth).json["result"]


def money(*amounts: object) -> list[str]:
    """Amounts as the API gives them (JSON numbers), to the cent."""
    return [f"{Decimal(str(amount)):.2f}" for amount in amounts]


def unit(site, building: str, code: str = "1A") -> tuple[int, int]:
    """(unit id, building id) of a new unit in a new building."""
    building_id = create(site, f"{API}/service_building/", {"name": building})["id"]
    return create(site, f"{API}/service_unit/", {"code": code, "building": building_id})["id"], building_id


# -- formulas reading rollups --------------------------------------------------------------


def test_a_ticket_created_with_parts_costs_its_labour_plus_the_parts(site) -> None:
    unit_id, _ = unit(site, "Harbour View")
    ticket = create(
        site,
        TICKETS,
        {
            "title": "Boiler",
            "unit": unit_id,
            "labour": "150.00",
            "parts": [{"description": "Valve", "amount": "40.00"}, {"description": "Pump", "amount": "310.50"}],
        },
    )
    assert money(ticket["parts_total"], ticket["cost"]) == ["350.50", "500.50"]  # the answer to the create
    assert money(read(site, TICKETS, ticket["id"])["cost"]) == ["500.50"]  # and what was stored


def test_a_part_added_changed_or_deleted_through_its_own_api_changes_the_ticket_cost(site) -> None:
    client, auth = site
    unit_id, _ = unit(site, "Old Mill")
    ticket = create(site, TICKETS, {"title": "Leak", "unit": unit_id, "labour": "100.00"})
    assert money(ticket["cost"]) == ["100.00"]
    part = create(site, PARTS, {"ticket": ticket["id"], "description": "Seal", "amount": "25.00"})
    assert money(read(site, TICKETS, ticket["id"])["cost"]) == ["125.00"]
    assert client.put(f"{PARTS}{part['id']}", json={"amount": "75.00"}, headers=auth).status_code == 200
    assert money(read(site, TICKETS, ticket["id"])["cost"]) == ["175.00"]
    assert client.delete(f"{PARTS}{part['id']}", headers=auth).status_code == 200
    assert money(read(site, TICKETS, ticket["id"])["cost"]) == ["100.00"]


def test_a_ticket_submitted_right_after_its_parts_were_added_is_routed_on_its_fresh_cost(site) -> None:
    client, auth = site
    unit_id, _ = unit(site, "Riverside")
    ticket = create(site, TICKETS, {"title": "Roof", "unit": unit_id, "labour": "200.00"})
    create(site, PARTS, {"ticket": ticket["id"], "description": "Tiles", "amount": "900.00"})
    submitted = client.post(
        f"{API}/approvals/submit", json={"entity": "service.ticket", "id": ticket["id"]}, headers=auth
    )
    assert submitted.status_code == 201, submitted.text
    assert submitted.json["status"]["step"] == "countersign"  # cost 1,100 > 1,000: not skipped
    assert submitted.json["status"]["waiting_for"] == ["carol"]


def test_parts_added_on_screens_change_the_ticket_cost(site, browser: Client) -> None:
    unit_id, _ = unit(site, "Elm Court")
    page = browser.get(f"/t/{SLUG}/service_ticket/add")
    browser.post(
        f"/t/{SLUG}/service_ticket/add",
        follow_redirects=True,
        data={
            "csrf_token": csrf_token(page.text),
            "title": "Heating",
            "unit": str(unit_id),
            "labour": "80",
            "parts-0-description": "Radiator",
            "parts-0-amount": "120",
        },
    )
    tickets = site[0].get(TICKETS, headers=site[1]).json["result"]
    ticket = next(t for t in tickets if t["title"] == "Heating")
    assert money(ticket["cost"]) == ["200.00"]
    page = browser.get(f"/t/{SLUG}/service_part/add")
    browser.post(
        f"/t/{SLUG}/service_part/add",
        follow_redirects=True,
        data={
            "csrf_token": csrf_token(page.text),
            "ticket": str(ticket["id"]),
            "description": "Thermostat",
            "amount": "50",
        },
    )
    shown = browser.get(f"/t/{SLUG}/service_ticket/show/{ticket['id']}").text
    assert "250.00" in shown
    assert money(read(site, TICKETS, ticket["id"])["cost"]) == ["250.00"]
    radiator = next(p for p in read(site, TICKETS, ticket["id"])["parts"] if p["description"] == "Radiator")
    browser.post(
        f"/t/{SLUG}/service_part/delete/{radiator['id']}",
        data={"csrf_token": csrf_token(page.text)},
        follow_redirects=True,
    )
    assert money(read(site, TICKETS, ticket["id"])["cost"]) == ["130.00"]


# -- a reference default from an expression ------------------------------------------------


def test_a_ticket_takes_its_units_building_by_default(site) -> None:
    unit_id, building_id = unit(site, "Cedar House")
    ticket = create(site, TICKETS, {"title": "Door", "unit": unit_id})
    assert ticket["building"] == {"id": building_id, "name": "Cedar House"}


def test_a_sent_building_wins_over_the_default(site) -> None:
    unit_id, _ = unit(site, "Maple House")
    _, other = unit(site, "Birch House")
    ticket = create(site, TICKETS, {"title": "Window", "unit": unit_id, "building": other})
    assert ticket["building"]["name"] == "Birch House"


def test_a_required_reference_whose_default_gives_nothing_is_a_400_naming_it(site) -> None:
    client, auth = site
    response = client.post(TICKETS, json={"title": "Nowhere"}, headers=auth)
    assert response.status_code == 400, response.text
    assert list(response.json["message"]) == ["building"]


def test_the_add_screen_saves_the_units_building(site, browser: Client) -> None:
    unit_id, _ = unit(site, "Oak Hall")
    page = browser.get(f"/t/{SLUG}/service_ticket/add")
    browser.post(
        f"/t/{SLUG}/service_ticket/add",
        follow_redirects=True,
        data={"csrf_token": csrf_token(page.text), "title": "Stairs", "unit": str(unit_id)},
    )
    tickets = site[0].get(TICKETS, headers=site[1]).json["result"]
    assert next(t for t in tickets if t["title"] == "Stairs")["building"]["name"] == "Oak Hall"


# -- unique values that came from a default ------------------------------------------------


def test_a_duplicate_made_by_a_default_answers_the_indexs_message(site) -> None:
    client, auth = site
    unit_id, _ = unit(site, "Pine Tower")
    create(site, TICKETS, {"title": "Lift", "unit": unit_id})
    again = client.post(TICKETS, json={"title": "Lift", "unit": unit_id, "desk": "second desk"}, headers=auth)
    assert again.status_code == 400, again.text
    assert again.json["message"] == {"building": [DOUBLE_TITLE]}


def test_a_unique_field_taken_by_its_default_answers_the_fields_message(site) -> None:
    client, auth = site
    first, _ = unit(site, "North Block")
    second, _ = unit(site, "South Block")
    create(site, TICKETS, {"title": "Gutter", "unit": first})
    again = client.post(TICKETS, json={"title": "Gutter", "unit": second}, headers=auth)  # another building, same desk
    assert again.status_code == 400, again.text
    assert again.json["message"] == {"desk": ["Desk 'desk of Gutter' is already used by another record."]}


def test_the_add_screen_shows_the_indexs_message_for_a_defaulted_duplicate(site, browser: Client) -> None:
    unit_id, _ = unit(site, "West Wing")
    create(site, TICKETS, {"title": "Boiler room", "unit": unit_id, "desk": "west"})
    page = browser.get(f"/t/{SLUG}/service_ticket/add")
    answer = browser.post(
        f"/t/{SLUG}/service_ticket/add",
        follow_redirects=True,
        data={"csrf_token": csrf_token(page.text), "title": "Boiler room", "unit": str(unit_id), "desk": "west 2"},
    )
    assert DOUBLE_TITLE in answer.text
    assert len(re.findall("Boiler room", site[0].get(TICKETS, headers=site[1]).text)) == 1

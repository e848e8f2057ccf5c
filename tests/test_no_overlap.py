"""`NoOverlap`: bookings of the same room may not share time. A save whose span meets another's is refused with 400
and the message at the start field (in the reader's language), nothing is written, a cancelled booking is in nobody's
way, and of several people booking the same slot at once exactly one gets it. Wrong definitions are refused by
`formwork validate` with their line."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
from werkzeug.test import Client

from conftest import PASSWORD, Platform, catalog_with_pack, jwt, post_record
from formwork import create_app
from formwork.definitions.loader import builtin_definitions, load_catalog
from formwork.tenancy.provision import create_tenant

SLUG = "rooms"
API = f"/t/{SLUG}/api/v1/hall_booking/"
PACK = """kind: Pack
name: hall
version: 1.0.0
requires: {core: ">=0.1.0"}
---
kind: Entity
name: room
title_field: name
fields:
  - {name: name, type: string, required: true}
  - {name: capacity, type: integer}
---
kind: Entity
name: booking
title_field: title
fields:
  - {name: title, type: string, required: true}
  - {name: room, type: reference, target: room}
  - {name: starts_at, type: datetime, required: true}
  - {name: ends_at, type: datetime, required: true}
  - {name: status, type: choice, choices: [{value: booked}, {value: cancelled}], default: booked}
---
kind: NoOverlap
name: one_booking_per_room
entity: booking
from: starts_at
to: ends_at
per: [room]
filter: {field: status, op: "!=", value: cancelled}
message: {en: The room is booked then, zh: 该会议室此时段已被预订}
"""


@pytest.fixture(scope="module")
def hall(platform: Platform, tmp_path_factory: pytest.TempPathFactory) -> tuple[Client, dict[str, str], int, int]:
    """A client of the platform serving the hall pack, an admin's token, and two rooms."""
    catalog = catalog_with_pack(tmp_path_factory.mktemp("hall") / "hall", PACK)
    create_tenant(platform.settings, catalog, SLUG, "Rooms", ["core", "hall"], "admin", PASSWORD)
    client = Client(create_app(platform.settings, catalog))
    token = jwt(client, SLUG)
    lotus = post_record(client, token, SLUG, "hall_room", name="Lotus", capacity=8)
    bamboo = post_record(client, token, SLUG, "hall_room", name="Bamboo", capacity=4)
    return client, token, lotus, bamboo


def _book(hall: Any, title: str, room: int, start: str, end: str, **more: Any) -> Any:
    client, token, *_ = hall
    values = {"title": title, "room": room, "starts_at": f"2027-03-01T{start}:00Z", "ends_at": f"2027-03-01T{end}:00Z"}
    return client.post(API, json={**values, **more}, headers=token)


def _titles(hall: Any) -> list[str]:
    client, token, *_ = hall
    return sorted(r["title"] for r in client.get(f"{API}?page_size=100", headers=token).json["result"])


def test_an_overlapping_booking_of_the_same_room_is_refused_at_its_start_field(hall: Any) -> None:
    _, _, lotus, bamboo = hall
    assert _book(hall, "Weekly sync", lotus, "10:00", "11:00").status_code == 201
    before = _titles(hall)
    refused = _book(hall, "Design review", lotus, "10:30", "11:30")
    assert refused.status_code == 400, refused.text
    assert refused.json["message"] == {"starts_at": ["The room is booked then (Weekly sync)"]}
    assert _titles(hall) == before
    assert _book(hall, "Design review", bamboo, "10:30", "11:30").status_code == 201  # another room
    assert _book(hall, "Retro", lotus, "11:00", "12:00").status_code == 201  # starts as the other ends


def test_moving_a_booking_onto_another_is_refused_and_a_cancelled_one_is_in_nobodys_way(hall: Any) -> None:
    client, token, lotus, _ = hall
    early = int(_book(hall, "Standup", lotus, "08:00", "08:30").json["id"])
    moved = client.put(
        f"{API}{early}", json={"starts_at": "2027-03-01T11:30:00Z", "ends_at": "2027-03-01T12:30:00Z"}, headers=token
    )
    assert moved.status_code == 400 and moved.json["message"]["starts_at"] == ["The room is booked then (Retro)"]
    assert client.get(f"{API}{early}", headers=token).json["result"]["starts_at"].startswith("2027-03-01T08:00")
    retro = next(r for r in client.get(f"{API}?page_size=100", headers=token).json["result"] if r["title"] == "Retro")
    assert client.put(f"{API}{retro['id']}", json={"status": "cancelled"}, headers=token).status_code == 200
    assert _book(hall, "Planning", lotus, "11:15", "11:45").status_code == 201


def test_the_refusal_is_in_the_readers_language(hall: Any) -> None:
    client, token, lotus, _ = hall
    zh = {**token, "Accept-Language": "zh"}
    values = {"title": "周会", "room": lotus, "starts_at": "2027-03-01T10:15:00Z", "ends_at": "2027-03-01T10:45:00Z"}
    refused = client.post(API, json=values, headers=zh)
    assert refused.status_code == 400
    assert refused.json["message"]["starts_at"] == ["该会议室此时段已被预订 (Weekly sync)"]


def test_of_several_people_booking_one_slot_at_once_exactly_one_gets_it(hall: Any) -> None:
    client, token, lotus, _ = hall
    start, answers = threading.Barrier(4), []

    def book(n: int) -> None:
        start.wait()
        answers.append(_book(hall, f"Race {n}", lotus, "15:00", "16:00").status_code)

    threads = [threading.Thread(target=book, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(answers).count(201) == 1, answers
    assert all(code in (400, 409) for code in answers if code != 201), answers
    assert len([t for t in _titles(hall) if t.startswith("Race")]) == 1


def test_wrong_definitions_are_refused_with_their_line(tmp_path: Path) -> None:
    bad = PACK.split("---\nkind: NoOverlap")[0] + (
        "---\nkind: NoOverlap\nname: wrong\nentity: booking\nfrom: title\nto: ends_at\nper: [floor]\n"
        "---\nkind: NoOverlap\nname: nowhere\nentity: hall.nothing\nfrom: starts_at\nto: ends_at\nper: [room]\n"
    )
    (tmp_path / "hall").mkdir()
    (tmp_path / "hall" / "pack.yaml").write_text(bad)
    _, errors = load_catalog([builtin_definitions(), tmp_path])
    found = sorted(str(e).split("pack.yaml:")[1] for e in errors)
    assert found == [
        "26 at from: 'title' is not a date or datetime field of hall.booking",
        "28 at per[0]: 'floor' is not a field of hall.booking",
        "32 at entity: unknown entity 'hall.nothing'",
    ], found

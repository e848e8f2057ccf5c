"""The record run log: every run of a record-triggered automation whose condition held leaves a row (its record,
steps, outcome, duration, who); a succeeded run's row goes with its save, so a save refused by a later failing run
keeps none, while the failed run's row stays after the rollback; the Studio shows an automation's runs beside its
editor to the tenant's admins only, and another tenant sees none of them."""

from __future__ import annotations

import re
from typing import Any

import pytest
import sqlalchemy as sa
from werkzeug.test import Client

from conftest import PASSWORD, Platform, catalog_with_pack, jwt, login, post_record
from formwork import create_app
from formwork.automation.record_runs import RECORD_RUNS
from formwork.tenancy.apps import build_tenant_app
from formwork.tenancy.provision import create_tenant
from formwork.tenancy.registry import find_tenant

SLUG, OTHER = "runs-shop", "runs-other"
ITEM = "shop.item"
PACK = """kind: Pack
name: shop
version: 1.0.0
requires: {core: ">=0.1.0"}
---
kind: Entity
name: item
title_field: name
fields:
  - {name: name, type: string, required: true}
  - {name: price, type: integer}
  - {name: note, type: string}
  - {name: touched, type: integer}
  - {name: code, type: string, unique: true}
rules:
  - {name: price_not_negative, check: "price == null || price >= 0", message: "Price cannot be negative.", field: price}
---
kind: Entity
name: entry
fields:
  - {name: label, type: string}
---
kind: Role
name: clerk
label: {en: Clerk}
rights:
  item: [read, create, edit]
---
kind: Automation
name: fold_break
entity: item
trigger: {type: updated}
condition: note == 'fold break'
steps:
  - set: {code: TAKEN}
---
kind: Automation
name: fold_touch
entity: item
trigger: {type: updated}
condition: note == 'fold'
steps:
  - set: {touched: 7}
---
kind: Automation
name: log_note
entity: item
trigger: {type: updated}
condition: note == 'log' || note == 'break'
steps:
  - create: {entity: entry, values: {label: {expr: name}}}
  - create: {entity: entry, values: {label: second}}
---
kind: Automation
name: price_break
entity: item
trigger: {type: updated}
condition: note == 'break'
steps:
  - create: {entity: entry, values: {label: broken}}
  - set: {price: -1}
"""


@pytest.fixture(scope="module")
def shop(platform: Platform, tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, Client, dict[str, str], Any]:
    """The shop tenant (with Carl, a clerk), a client of the platform serving the shop pack, an admin's API token,
    and a second tenant of the same pack."""
    catalog = catalog_with_pack(tmp_path_factory.mktemp("shop") / "shop", PACK)
    for slug in (SLUG, OTHER):
        create_tenant(platform.settings, catalog, slug, slug.title(), ["core", "shop"], "admin", PASSWORD)
    app = build_tenant_app(platform.settings, find_tenant(platform.settings.database_url, SLUG), catalog)
    with app.app_context():
        sm = app.appbuilder.sm
        sm.add_user("carl", "Carl", "Clerk", "carl@example.com", [sm.find_role("clerk")], password=PASSWORD)
    other = build_tenant_app(platform.settings, find_tenant(platform.settings.database_url, OTHER), catalog)
    client = Client(create_app(platform.settings, catalog))
    return app.extensions["formwork"], client, jwt(client, SLUG), other.extensions["formwork"]


def _item(shop: Any, name: str) -> int:
    _, client, token, _ = shop
    return post_record(client, token, SLUG, "shop_item", name=name)


def _update(shop: Any, item: int, **values: Any) -> Any:
    _, client, token, _ = shop
    return client.put(f"/t/{SLUG}/api/v1/shop_item/{item}", json=values, headers=token)


def _runs(runtime: Any, **where: Any) -> list[Any]:
    """The logged runs (as the table holds them), oldest first."""
    with runtime.session() as session:
        query = sa.select(RECORD_RUNS).where(*(RECORD_RUNS.c[k] == v for k, v in where.items()))
        found = list(session.execute(query.order_by(RECORD_RUNS.c.id)))
    runtime.session.remove()
    return found


def _entries(runtime: Any, label: str) -> int:
    with runtime.session() as session:
        model = runtime.compiled.model("shop.entry")
        count = session.scalar(sa.select(sa.func.count()).select_from(model).where(model.label == label))
    runtime.session.remove()
    return int(count or 0)


def _shown_runs(client: Client, automation: str) -> list[str]:
    page = client.get(f"/t/{SLUG}/studio/{ITEM}/automations/{automation}/")
    assert page.status_code == 200, page.text
    return re.findall(r'<tr class="fw-run">(.*?)</tr>', page.text, re.S)


def test_each_run_whose_condition_held_is_logged_with_its_record_and_steps(shop: Any) -> None:
    runtime = shop[0]
    item = _item(shop, "Lamp")
    assert _update(shop, item, note="log").status_code == 200
    assert _update(shop, item, price=30).status_code == 200  # a save that changes nothing triggers no update
    runs = _runs(runtime, automation="shop.log_note", record_id=item)
    assert [(r.trigger, r.status, r.steps_done, r.error, r.actor) for r in runs] == [
        ("updated", "succeeded", 2, None, "admin"),
        ("updated", "succeeded", 2, None, "admin"),
    ]
    assert all(r.duration_ms >= 0 and r.started_at is not None for r in runs)


def test_a_run_folded_into_the_save_is_logged_once_the_record_is_written(shop: Any) -> None:
    runtime = shop[0]
    item = _item(shop, "Desk")
    answer = _update(shop, item, note="fold")
    assert answer.status_code == 200 and answer.json["result"]["touched"] == 7
    runs = _runs(runtime, automation="shop.fold_touch", record_id=item)
    assert [(r.status, r.steps_done) for r in runs] == [("succeeded", 1)]


def test_a_condition_that_does_not_hold_logs_nothing(shop: Any) -> None:
    runtime = shop[0]
    item = _item(shop, "Chair")
    assert _update(shop, item, note="nothing to do").status_code == 200
    assert _runs(runtime, record_id=item) == []


def test_a_failing_step_refuses_the_save_and_leaves_only_the_failed_run(shop: Any) -> None:
    runtime = shop[0]
    item = _item(shop, "Shelf")
    refused = _update(shop, item, note="break")
    assert refused.status_code == 400, refused.text
    assert "Price cannot be negative." in " ".join(refused.json["message"]["_record"])
    assert _entries(runtime, "broken") == 0 and _entries(runtime, "Shelf") == 0  # the steps' records went too
    failed = _runs(runtime, automation="shop.price_break", record_id=item)
    assert [(r.trigger, r.status, r.steps_done, r.actor) for r in failed] == [("updated", "failed", 1, "admin")]
    assert "Price cannot be negative." in failed[0].error
    # log_note ran first in that save and succeeded, but its row went with the save
    assert _runs(runtime, automation="shop.log_note", record_id=item) == []


def test_a_field_update_folded_into_the_save_and_refused_there_is_logged_as_failed(shop: Any) -> None:
    runtime, client, token, _ = shop
    post_record(client, token, SLUG, "shop_item", name="Taken", code="TAKEN")
    item = _item(shop, "Stool")
    refused = _update(shop, item, note="fold break")
    assert refused.status_code == 400, refused.text
    message = " ".join(refused.json["message"]["_record"])
    failed = _runs(runtime, automation="shop.fold_break", record_id=item)
    assert [(r.status, r.steps_done) for r in failed] == [("failed", 0)]
    assert failed[0].error == message and "step 1 (set)" in message


def test_the_studio_shows_the_runs_to_admins_with_their_record_outcome_and_error(platform: Platform, shop: Any) -> None:
    _, client, _, _ = shop
    item = _item(shop, "Sofa")
    assert _update(shop, item, note="log").status_code == 200
    assert _update(shop, item, note="break").status_code == 400
    admin = Client(client.application)
    assert login(admin, SLUG).status_code == 302

    logged = _shown_runs(admin, "log_note")
    assert "Succeeded" in logged[0] and re.search(rf'class="fw-run-record" href="[^"]*/show/{item}"', logged[0])
    assert re.search(r"\d+ ms", logged[0])
    broken = _shown_runs(admin, "price_break")
    assert "Failed" in broken[0] and "Price cannot be negative." in broken[0] and f">{item}</a>" in broken[0]

    clerk = Client(client.application)
    assert login(clerk, SLUG, "carl").status_code == 302
    assert clerk.get(f"/t/{SLUG}/studio/{ITEM}/automations/log_note/").status_code == 403


def test_another_tenant_sees_none_of_the_runs(platform: Platform, shop: Any) -> None:
    runtime, client, _, other = shop
    item = _item(shop, "Rug")
    assert _update(shop, item, note="log").status_code == 200
    assert _runs(runtime, automation="shop.log_note")
    assert _runs(other) == []
    admin = Client(client.application)
    assert login(admin, OTHER).status_code == 302
    page = admin.get(f"/t/{OTHER}/studio/{ITEM}/automations/log_note/")
    assert page.status_code == 200 and "It has not run yet." in page.text and 'class="fw-run"' not in page.text

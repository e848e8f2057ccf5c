"""One record lifecycle: the REST API, an import, a seed and a screen refuse the same invalid record with the same
messages, and the checks a caller skips are named and pinned."""

from __future__ import annotations

import html
import io
import re
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from werkzeug.test import Client

from conftest import PASSWORD, Platform, catalog_with_pack, csrf_token, jwt, login
from formwork import create_app
from formwork.actor import Actor
from formwork.compile.lifecycle import RecordRejected, save_record
from formwork.meta.catalog import Catalog
from formwork.tenancy.apps import build_tenant_app
from formwork.tenancy.provision import create_tenant
from formwork.tenancy.registry import find_tenant
from formwork.tenancy.seeds import SeedFailed

PACK = """kind: Pack
name: shop
version: 1.0.0
---
kind: Entity
name: gadget
fields:
  - {name: name, type: string, required: true, unique: true}
  - {name: price, type: integer}
  - {name: grade, type: string, read_only: true, default: standard}
rules:
  - {name: price_not_negative, check: "price == null || price >= 0", message: "A price cannot be negative.", field: price}
---
kind: Seed
name: first
entity: gadget
records:
  - {name: Kept, price: 1, grade: premium}
"""
BAD_SEED = """---
kind: Seed
name: broken
entity: gadget
records:
  - {name: Broken, price: -5}
"""
NEGATIVE = "A price cannot be negative."
TAKEN = "'Kept' is already used by another record."
SLUG = "shop"


@pytest.fixture(scope="module")
def shop(platform: Platform, tmp_path_factory: pytest.TempPathFactory) -> tuple[Catalog, Client]:
    catalog = catalog_with_pack(tmp_path_factory.mktemp("shop") / "shop", PACK)
    create_tenant(platform.settings, catalog, SLUG, "Shop", ["core", "shop"], "admin", PASSWORD)
    return catalog, Client(create_app(platform.settings, catalog))


def _api_errors(client: Client, body: dict) -> dict:
    answer = client.post(f"/t/{SLUG}/api/v1/shop_gadget/", json=body, headers=jwt(client, SLUG))
    assert answer.status_code == 400, answer.text
    return answer.json["message"]


def _import_errors(client: Client, csv: str) -> dict:
    answer = client.post(
        f"/t/{SLUG}/api/v1/shop_gadget/import",
        data={"file": (io.BytesIO(csv.encode()), "g.csv")},
        headers=jwt(client, SLUG),
    )
    assert answer.status_code == 400, answer.text
    return {e["column"]: e["message"] for e in answer.json["errors"]}


def _seed_error(platform: Platform, tmp_path: Path, slug: str) -> str:
    catalog = catalog_with_pack(tmp_path / "shop", PACK + BAD_SEED)
    with pytest.raises(SeedFailed) as failed:
        create_tenant(platform.settings, catalog, slug, "Broken", ["core", "shop"], "admin", PASSWORD)
    assert find_tenant(platform.settings.database_url, slug) is None  # nothing left behind
    return str(failed.value)


def _screen_page(client: Client, data: dict) -> str:
    login(client, SLUG)
    page = client.get(f"/t/{SLUG}/shop_gadget/add")
    answer = client.post(f"/t/{SLUG}/shop_gadget/add", data={**data, "csrf_token": csrf_token(page.text)})
    return html.unescape(answer.text)


def test_a_rule_refuses_the_same_record_through_api_import_seed_and_screen(platform: Platform, shop, tmp_path) -> None:
    _catalog, client = shop
    assert _api_errors(client, {"name": "Broken", "price": -5}) == {"price": [NEGATIVE]}
    assert _import_errors(client, "name,price\nBroken,-5\n") == {"price": NEGATIVE}
    assert f"price: {NEGATIVE}" in _seed_error(platform, tmp_path, "shop-broken")
    page = _screen_page(Client(client.application), {"name": "Broken", "price": "-5"})
    assert NEGATIVE in page and re.search(r"Added Row|was added", page) is None


def test_a_taken_unique_value_is_refused_the_same_way_everywhere(platform: Platform, shop) -> None:
    _catalog, client = shop
    assert _api_errors(client, {"name": "Kept"}) == {"name": [f"Name {TAKEN}"]}
    assert _import_errors(client, "name\nKept\n") == {"name": f"Name {TAKEN}"}


def test_read_only_fields_are_refused_to_users_and_set_by_seeds(platform: Platform, shop) -> None:
    """Seeds skip the read-only check (SKIP_READ_ONLY in tenancy/seeds.py): a pack's reference data sets what users
    may not. Users get the read-only message on every path."""
    _catalog, client = shop
    assert _api_errors(client, {"name": "Fancy", "grade": "premium"}) == {"grade": ["This field is read-only."]}
    listed = client.get(f"/t/{SLUG}/api/v1/shop_gadget/", headers=jwt(client, SLUG)).json["result"]
    assert [(row["name"], row["grade"]) for row in listed] == [("Kept", "premium")]


def _writer(platform: Platform, shop) -> tuple[Any, Any, Any, Any]:
    """The shop tenant's app, runtime, gadget entity and a session, to call the lifecycle directly."""
    app = build_tenant_app(platform.settings, find_tenant(platform.settings.database_url, SLUG), shop[0])
    runtime = app.extensions["formwork"]
    return app, runtime, runtime.catalog.entities["shop.gadget"], runtime.session()


def test_a_caller_may_skip_only_the_named_checks(platform: Platform, shop) -> None:
    app, runtime, entity, session = _writer(platform, shop)
    try:
        with app.app_context():
            with pytest.raises(ValueError, match="cannot skip uniques"):
                save_record(runtime, Actor.system(), entity, None, {"name": "X"}, session=session, skip={"uniques"})
            with pytest.raises(RecordRejected) as rejected:
                save_record(runtime, Actor.system(), entity, None, {"name": "Cheap", "price": -1}, session=session)
            assert rejected.value.errors == {"price": [NEGATIVE]}
            saved = save_record(runtime, Actor.system(), entity, None, {"name": "Fine", "price": 3}, session=session)
            assert saved.id is not None and saved.grade == "standard"  # flushed, with its default
            session.rollback()  # the caller owns the transaction: nothing was committed
        model = runtime.compiled.model("shop.gadget")
        assert session.scalar(sa.select(sa.func.count()).select_from(model).where(model.name == "Fine")) == 0
    finally:
        runtime.session.remove()


def test_registered_hooks_run_in_order_and_after_commit_only_once_committed(
    platform: Platform, shop, monkeypatch
) -> None:
    from formwork.compile import lifecycle
    from formwork.features import FeatureRegistry, load_features

    registry = FeatureRegistry()
    load_features(registry)  # the built-in features, then a test feature's hooks
    seen: list[tuple[str, str]] = []

    def note(event: str):
        return lambda write: seen.append((event, write.values.get("name", "(deleted)")))

    def register(features: FeatureRegistry) -> None:
        for event in ("before_validate", "before_save", "after_save", "after_commit", "before_delete"):
            features.on_record(event, note(event))
        features.on_record(
            "validate",
            lambda write: {"name": ["No gadget may be called Nope."]} if write.values.get("name") == "Nope" else {},
            priority=10,
        )

    registry.load("test_hooks", register, "tests")
    monkeypatch.setattr(lifecycle, "load_features", lambda: registry)
    app, runtime, entity, session = _writer(platform, shop)
    try:
        with app.app_context():
            with pytest.raises(RecordRejected) as rejected:
                save_record(runtime, Actor.system(), entity, None, {"name": "Nope"}, session=session)
            assert rejected.value.errors == {"name": ["No gadget may be called Nope."]}
            assert seen == [("before_validate", "Nope")]
            seen.clear()
            save_record(runtime, Actor.system(), entity, None, {"name": "Rolled"}, session=session)
            session.rollback()
            assert seen == [("before_validate", "Rolled"), ("before_save", "Rolled"), ("after_save", "Rolled")]
            seen.clear()
            gadget = save_record(runtime, Actor.system(), entity, None, {"name": "Hooked"}, session=session)
            assert ("after_commit", "Hooked") not in seen
            session.commit()
            assert seen[-1] == ("after_commit", "Hooked")
            seen.clear()
            lifecycle.delete_record(runtime, Actor.system(), entity, gadget, session=session)
            session.commit()
            assert seen == [("before_delete", "(deleted)"), ("after_commit", "(deleted)")]
    finally:
        runtime.session.remove()

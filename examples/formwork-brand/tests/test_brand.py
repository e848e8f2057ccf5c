"""The example extension in a tenant: its field type stores and validates colours, its CEL function computes a
formula, and its record hook normalizes what every path saves (API, import, screen).

Run with the distribution installed (its entry point registers the feature), as tests/test_extension_example.py does.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import formwork_brand
import pytest
from flask import Flask
from werkzeug.test import Client

from formwork import create_app
from formwork.actor import Actor
from formwork.compile.lifecycle import save_record
from formwork.compile.server_actions import UnknownServerAction, run_server_action
from formwork.config import Settings
from formwork.definitions.loader import builtin_definitions, require_catalog
from formwork.features import load_features
from formwork.tenancy.apps import build_tenant_app
from formwork.tenancy.provision import create_tenant

PACKS = Path(formwork_brand.__file__).parent / "packs"
PASSWORD = "correct-horse-1"
API = "/t/brand-co/api/v1/brand_swatch/"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> tuple[Client, Flask]:
    """A client of the platform, and the tenant's own app (for what a step calls in Python, not over HTTP)."""
    instance = tmp_path_factory.mktemp("instance")
    settings = Settings(
        instance=instance,
        database_url=f"sqlite:///{instance / 'platform.sqlite'}",
        secret_key="example-secret",
        max_tenant_apps=4,
    )
    catalog = require_catalog([builtin_definitions(), PACKS])
    app = create_app(settings, catalog)  # brings the platform database up to date
    tenant = create_tenant(settings, catalog, "brand-co", "Brand Co", ["core", "brand"], "admin", PASSWORD)
    return Client(app), build_tenant_app(settings, tenant, catalog)


@pytest.fixture(scope="module")
def client(site: tuple[Client, Flask]) -> Client:
    return site[0]


def _token(client: Client) -> dict[str, str]:
    answer = client.post(
        "/t/brand-co/api/v1/security/login",
        json={"username": "admin", "password": PASSWORD, "provider": "db", "refresh": False},
    )
    return {"Authorization": f"Bearer {answer.json['access_token']}"}


def test_the_feature_is_loaded_from_its_entry_point() -> None:
    loaded = {feature.name: feature.source for feature in load_features().features}
    assert loaded["brand"].startswith("formwork-brand: formwork_brand.feature:register")


def test_the_field_type_validates_and_the_function_computes_the_formula(client: Client) -> None:
    headers = _token(client)
    refused = client.post(API, json={"name": "Bad", "background": "blue"}, headers=headers)
    assert refused.status_code == 400 and refused.json["message"] == {
        "background": ["A colour is written #rrggbb, e.g. #1f6feb."]
    }
    for name, color, tone in (("Night", "#0D1117", "light"), ("Paper", "#FFFFFF", "dark")):
        saved = client.post(API, json={"name": name, "background": color}, headers=headers)
        assert saved.status_code == 201, saved.text
        assert saved.json["result"]["background"] == color.lower()  # the record hook's doing
        assert saved.json["result"]["text_tone"] == tone  # contrast(background)


def test_the_hook_runs_for_imports_and_screens_too(client: Client) -> None:
    headers = _token(client)
    imported = client.post(
        f"{API}import", data={"file": (io.BytesIO(b"name,background\nSky,#87CEEB\n"), "s.csv")}, headers=headers
    )
    assert imported.status_code == 200 and imported.json["created"] == 1, imported.json
    browser = Client(client.application)
    page = browser.get("/t/brand-co/login/")
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.text).group(1)
    browser.post("/t/brand-co/login/", data={"username": "admin", "password": PASSWORD, "csrf_token": token})
    form = browser.get("/t/brand-co/brand_swatch/add")
    assert 'type="color"' in form.text  # the field type's widget
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form.text).group(1)
    browser.post("/t/brand-co/brand_swatch/add", data={"name": "Leaf", "background": "#1B5E20", "csrf_token": token})
    listed = {row["name"]: row for row in client.get(API, headers=headers).json["result"]}
    assert listed["Sky"]["background"] == "#87ceeb" and listed["Sky"]["text_tone"] == "dark"
    assert listed["Leaf"]["background"] == "#1b5e20" and listed["Leaf"]["text_tone"] == "light"


def test_validate_knows_the_new_type_and_function(tmp_path: Path) -> None:
    """A pack using them validates; a wrong argument type is reported with file and line like any other."""
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "pack.yaml").write_text(
        "kind: Pack\nname: bad\nversion: 0.1.0\n---\nkind: Entity\nname: thing\nfields:\n"
        "  - {name: tone, type: formula, result: string, expression: 'contrast(3)'}\n"
    )
    from formwork.meta.errors import DefinitionsInvalid

    with pytest.raises(DefinitionsInvalid) as invalid:
        require_catalog([builtin_definitions(), bad])
    assert "pack.yaml:8" in str(invalid.value) and "contrast" in str(invalid.value)


def test_the_server_action_changes_the_record_through_the_lifecycle(site: tuple[Client, Flask]) -> None:
    """The action's save meets the field type's check, the record hook (lower case) and the formula, and the
    caller's transaction decides whether it lasts."""
    tenant_app = site[1]
    runtime = tenant_app.extensions["formwork"]
    entity = runtime.catalog.entities["brand.swatch"]
    with tenant_app.app_context():
        session = runtime.session()
        swatch = save_record(runtime, Actor.system(), entity, None, {"name": "Ink", "background": "#0D1117"})
        session.commit()
        run_server_action(runtime, Actor.system(), "brand.invert_background", entity, swatch)
        session.rollback()  # the caller's transaction decides: rolled back, nothing changed
        session.refresh(swatch)
        assert swatch.background == "#0d1117"
        said = run_server_action(runtime, Actor.system(), "brand.invert_background", entity, swatch)
        session.commit()
        assert said == "#0d1117 -> #f2eee8"
        session.refresh(swatch)
        assert (swatch.background, swatch.text_tone) == ("#f2eee8", "dark")
        with pytest.raises(UnknownServerAction):
            run_server_action(runtime, Actor.system(), "brand.no_such_action", entity, swatch)


def test_an_action_runs_the_server_action_and_tells_what_it_said(client: Client) -> None:
    """The pack's `invert` action has one step, `run: brand.invert_background`: the API runs it on the record, in
    one transaction, and answers with the record as saved and what the server action said."""
    token = _token(client)
    made = client.post(API, json={"name": "Paper", "background": "#FFFFFF"}, headers=token)
    assert made.status_code == 201, made.text
    ran = client.post(f"{API}{made.json['id']}/actions/invert", json={}, headers=token)
    assert ran.status_code == 200, ran.text
    assert ran.json["result"]["background"] == "#000000" and ran.json["result"]["text_tone"] == "light"
    assert "#ffffff -> #000000" in ran.json["messages"]

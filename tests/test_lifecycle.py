"""Deleting a tenant: refused without --confirm, exported first, then gone everywhere."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from conftest import Platform, jwt
from formwork.cli import main
from formwork.tenancy import lifecycle
from formwork.tenancy.registry import find_tenant, schema_changes


@pytest.fixture
def doomed(platform: Platform, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest) -> tuple[Platform, int]:
    """A tenant `doomed-co` with one account; a test that deletes it leaves the slug free for the next."""
    monkeypatch.setattr(lifecycle, "IN_FLIGHT_SECONDS", 0)
    if find_tenant(platform.settings.database_url, "doomed-co") is None:
        platform.tenant("doomed-co", packs=["crm"])
    client = platform.client()
    created = client.post(
        "/t/doomed-co/api/v1/crm_account/",
        json={"name": f"Kept in the export ({request.node.name})"},
        headers=jwt(client, "doomed-co"),
    )
    assert created.status_code == 201, created.text
    return platform, created.json["id"]


def _run(platform: Platform, monkeypatch: pytest.MonkeyPatch, *args: str):
    monkeypatch.setenv("FORMWORK_INSTANCE", str(platform.settings.instance))
    monkeypatch.setenv("FORMWORK_DATABASE_URL", platform.settings.database_url)
    monkeypatch.setenv("FORMWORK_SECRET_KEY", platform.settings.secret_key)
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_delete_without_confirm_changes_nothing(doomed, monkeypatch: pytest.MonkeyPatch) -> None:
    platform, pk = doomed
    result = _run(platform, monkeypatch, "tenant", "delete", "doomed-co")
    assert result.exit_code == 1
    assert "this deletes tenant 'doomed-co'" in result.output and "--confirm" in result.output
    client = platform.client()
    assert client.get(f"/t/doomed-co/api/v1/crm_account/{pk}", headers=jwt(client, "doomed-co")).status_code == 200
    assert not (platform.settings.instance / "exports").exists()


def test_delete_exports_first_then_removes_everything(doomed, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    platform, _pk = doomed
    result = _run(platform, monkeypatch, "tenant", "delete", "doomed-co", "--confirm", "--export-to", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert "suspending the tenant" in result.output and "exporting crm_account" in result.output
    assert "tenant 'doomed-co' deleted" in result.output
    (archive,) = tmp_path.iterdir()
    manifest = yaml.safe_load((archive / "tenant.yaml").read_text(encoding="utf-8"))
    assert manifest["slug"] == "doomed-co" and "crm" in manifest["packs"]
    rows = [
        json.loads(line) for line in (archive / "data" / "crm_account.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    assert "Kept in the export (test_delete_exports_first_then_removes_everything[" in json.dumps(rows)
    users = (archive / "data" / "ab_user.jsonl").read_text(encoding="utf-8")
    assert '"username": "admin"' in users
    assert json.loads((archive / "schema_changes.json").read_text(encoding="utf-8"))[0]["operations"]

    url = platform.settings.database_url
    assert find_tenant(url, "doomed-co") is None and schema_changes(url, "doomed-co") == []
    assert platform.client().get("/t/doomed-co/").status_code == 404
    # the slug is free again, and the new tenant starts empty
    platform.tenant("doomed-co", packs=["crm"])
    client = platform.client()
    listing = client.get("/t/doomed-co/api/v1/crm_account/", headers=jwt(client, "doomed-co"))
    assert listing.status_code == 200 and listing.json["count"] == 0


def test_delete_of_an_unknown_tenant_is_an_error(platform: Platform, monkeypatch: pytest.MonkeyPatch) -> None:
    result = _run(platform, monkeypatch, "tenant", "delete", "nobody-co", "--confirm")
    assert result.exit_code == 1 and "no tenant 'nobody-co'" in result.output


def test_a_failed_export_deletes_nothing_and_serves_the_tenant_again(
    doomed, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from formwork.tenancy import lifecycle

    platform, pk = doomed

    def full_disk(*_args, **_kwargs):
        raise OSError("No space left on device")

    monkeypatch.setattr(lifecycle, "export_tenant", full_disk)
    with pytest.raises(OSError):
        lifecycle.delete_tenant(platform.settings, "doomed-co", tmp_path)
    assert find_tenant(platform.settings.database_url, "doomed-co").status == "active"
    client = platform.client()
    assert client.get(f"/t/doomed-co/api/v1/crm_account/{pk}", headers=jwt(client, "doomed-co")).status_code == 200

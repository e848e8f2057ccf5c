"""A `formwork serve` process stays in step while another process renames a field, upgrades a pack and adds a
required column: no request gets a 500, no row is lost."""

from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from conftest import PASSWORD, Platform
from formwork.cli import main
from formwork.tenancy.registry import find_tenant
from formwork.tenancy.storage import tenant_engine

PACK = "kind: Pack\nname: step\nversion: {version}\nrequires: {{core: '>=0.1.0'}}\n---\n"
V1 = """\
kind: Entity
name: item
title_field: code
fields:
  - {name: code, type: string, max_length: 40, required: true}
  - {name: note, type: string}
  - {name: qty, type: integer}
"""
#: renames `note` (the data moves with it)
V2 = V1.replace("{name: note, type: string}", "{name: remark, type: string, renamed_from: note}")
#: and adds a required column, filled in stored rows; new records get the default
V3 = V2 + "  - {name: size, type: integer, required: true, default: 1, backfill: 7}\n"


def write_pack(folder: Path, version: str, entities: str) -> Path:
    (folder / "step").mkdir(parents=True, exist_ok=True)
    (folder / "step" / "pack.yaml").write_text(PACK.format(version=version) + textwrap.dedent(entities))
    return folder


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def server(platform: Platform, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[int]:
    """A tenant on step 1.0.0, and another process serving the platform; yields its port."""
    environment = {
        "FORMWORK_INSTANCE": str(platform.settings.instance),
        "FORMWORK_DATABASE_URL": platform.settings.database_url,
        "FORMWORK_SECRET_KEY": platform.settings.secret_key,
        "FORMWORK_PACK_PATH": str(write_pack(tmp_path / "v1", "1.0.0", V1)),
    }
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    created = CliRunner().invoke(
        main,
        [
            "tenant",
            "create",
            "step-co",
            "--name",
            "Step",
            "--packs",
            "step",
            "--admin-user",
            "admin",
            "--admin-password",
            PASSWORD,
        ],
    )
    assert created.exit_code == 0, created.output
    port = free_port()
    log = Path(os.environ.get("STEP_LOG", tmp_path / "serve.log"))
    process = subprocess.Popen(
        [sys.executable, "-m", "formwork.cli", "serve", "--port", str(port), "--threads", "8"],
        env={**os.environ, **environment},
        stdout=subprocess.DEVNULL,
        stderr=log.open("w"),  # noqa: SIM115 - the server writes to it until it stops
    )
    try:
        deadline = time.monotonic() + 60
        # a server that stopped (it could not start) fails the test at once, saying why, instead of after the deadline
        while time.monotonic() < deadline and process.poll() is None:
            try:
                if request(port, "GET", "/t/step-co/login/")[0] == 200:
                    break
            except OSError:
                pass
            time.sleep(0.2)
        assert process.poll() is None, f"the server stopped:\n{log.read_text()[-3000:]}"
        yield port
    finally:
        process.terminate()
        process.wait(20)


def request(port: int, method: str, path: str, body: object = None, token: str = "") -> tuple[int, dict, dict]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Content-Type": "application/json", **({"Authorization": f"Bearer {token}"} if token else {})}
    try:
        connection.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
        response = connection.getresponse()
        text = response.read()
        try:
            data = json.loads(text) if text else {}
        except ValueError:
            data = {}
        return response.status, data if isinstance(data, dict) else {}, dict(response.getheaders())
    finally:
        connection.close()


def test_a_serving_process_follows_renames_upgrades_and_required_columns_without_a_500_or_a_lost_row(
    platform: Platform, server: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    status, login, _ = request(
        server,
        "POST",
        "/t/step-co/api/v1/security/login",
        {"username": "admin", "password": PASSWORD, "provider": "db", "refresh": False},
    )
    assert status == 200, login
    token = login["access_token"]
    for number in range(5):
        assert (
            request(
                server, "POST", "/t/step-co/api/v1/step_item/", {"code": f"OLD-{number}", "note": f"n{number}"}, token
            )[0]
            == 201
        )
    answers: list[tuple[str, int, str, str | None]] = []
    stop = threading.Event()

    def traffic(worker: int) -> None:
        for n in range(100_000):
            if stop.is_set():
                return
            code = f"T{worker}-{n}"
            status, _, headers = request(
                server, "POST", "/t/step-co/api/v1/step_item/", {"code": code, "qty": n}, token
            )
            answers.append(("write", status, code, headers.get("Retry-After")))
            status, _, headers = request(server, "GET", "/t/step-co/api/v1/step_item/?q=(page_size:5)", token=token)
            answers.append(("read", status, "", headers.get("Retry-After")))

    workers = [threading.Thread(target=traffic, args=(number,)) for number in range(4)]
    for worker in workers:
        worker.start()
    runner = CliRunner()
    for version, entities in (("1.1.0", V2), ("1.2.0", V3)):
        time.sleep(1.0)
        monkeypatch.setenv("FORMWORK_PACK_PATH", str(write_pack(tmp_path / version, version, entities)))
        upgraded = runner.invoke(main, ["tenant", "upgrade-pack", "step-co", "step", "--yes"])
        assert upgraded.exit_code == 0, upgraded.output
    time.sleep(1.5)
    stop.set()
    for worker in workers:
        worker.join(60)

    statuses = sorted({status for _, status, _, _ in answers})
    assert set(statuses) <= {200, 201, 503}, statuses
    assert all(retry for _, status, _, retry in answers if status == 503)
    assert sum(1 for kind, status, _, _ in answers if kind == "write" and status == 201) > 10
    created = {code for kind, status, code, _ in answers if kind == "write" and status == 201}
    tenant = find_tenant(platform.settings.database_url, "step-co")
    with tenant_engine(platform.settings, tenant).connect() as conn:
        stored = {row.code: row for row in conn.execute(sa.text("SELECT code, remark, size FROM step_item"))}
    assert created <= set(stored) and len(stored) == len(created) + 5
    assert {stored[code].size for code in created} == {1, 7}  # the traffic went on before, during and after
    assert [stored[f"OLD-{n}"].remark for n in range(5)] == [f"n{n}" for n in range(5)]
    assert {stored[f"OLD-{n}"].size for n in range(5)} == {7}

    status, shown, _ = request(
        server, "GET", "/t/step-co/api/v1/step_item/?q=(filters:!((col:code,opr:eq,value:OLD-1)))", token=token
    )
    assert status == 200 and shown["result"][0]["remark"] == "n1" and shown["result"][0]["size"] == 7

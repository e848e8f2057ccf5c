"""Packs shipped as Python distributions: a distribution declares its pack folder in the entry point group
`formwork.packs`; the loader reads it after the built-in packs, `formwork pack list` names the distribution and its
version, a tenant installs it like any pack, and a pack that comes from two places, or an entry point that leads to
no pack, is one clear load error. The distributions are made by hand in a folder put on sys.path (a dist-info with
METADATA and entry_points.txt, the package beside it), as pip would leave them: no network, no pip."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from formwork.cli import main
from formwork.definitions.loader import builtin_definitions, pack_search_path
from formwork.tenancy.storage import dispose_engines

HELPDESK = """\
kind: Pack
name: helpdesk
version: 1.2.0
label: {en: Helpdesk, zh: 服务台}
requires: {core: ">=0.1.0"}
---
kind: Entity
name: ticket
label: {en: Ticket, zh: 工单}
fields:
  - {name: title, type: string, label: {en: Title, zh: 标题}, required: true}
"""


def distribution(site: Path, name: str, version: str, entry_points: str, packages: dict[str, str | None]) -> None:
    """An installed distribution in `site`: its dist-info, and each package with its pack.yaml (None: no pack)."""
    info = site / f"{name.replace('-', '_')}-{version}.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n")
    (info / "entry_points.txt").write_text(f"[formwork.packs]\n{entry_points}\n")
    for package, pack in packages.items():
        (site / package).mkdir()
        (site / package / "__init__.py").write_text("")
        if pack is not None:
            (site / package / "pack.yaml").write_text(pack)


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A folder on sys.path, as site-packages is; the packages imported from it are forgotten afterwards."""
    folder = tmp_path / "site"
    folder.mkdir()
    monkeypatch.syspath_prepend(str(folder))
    before = set(sys.modules)
    yield folder
    for name in set(sys.modules) - before:
        if name.startswith("acme"):
            del sys.modules[name]


@pytest.fixture
def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("FORMWORK_INSTANCE", str(tmp_path / "instance"))
    monkeypatch.delenv("FORMWORK_DATABASE_URL", raising=False)
    monkeypatch.setenv("FORMWORK_SECRET_KEY", "cli-test-secret")
    monkeypatch.setenv("FORMWORK_PACK_PATH", "")
    runner = CliRunner()
    yield lambda *args: runner.invoke(main, list(args), catch_exceptions=False)
    dispose_engines()


def pack_folder(root: Path, name: str, text: str) -> Path:
    (root / name).mkdir(parents=True)
    (root / name / "pack.yaml").write_text(text)
    return root / name


def test_a_distributions_pack_is_on_the_pack_path_after_the_builtin_ones_and_listed_with_its_version(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, run
) -> None:
    distribution(site, "acme-helpdesk", "1.2.0", "helpdesk = acme_helpdesk", {"acme_helpdesk": HELPDESK})
    notes = pack_folder(tmp_path / "packs", "notes", "kind: Pack\nname: notes\nversion: 2.0.0\n")
    monkeypatch.setenv("FORMWORK_PACK_PATH", str(tmp_path / "packs"))

    assert pack_search_path() == [builtin_definitions(), site / "acme_helpdesk", tmp_path / "packs"]
    assert run("validate").output.startswith("OK: ")
    lines = {line.split()[0]: line for line in run("pack", "list").output.splitlines()}
    assert "1.2.0" in lines["helpdesk"] and lines["helpdesk"].endswith("distribution acme-helpdesk 1.2.0")
    assert "  1 entities" in lines["helpdesk"] and "requires: core >=0.1.0" in lines["helpdesk"]
    assert lines["notes"].endswith(f"FORMWORK_PACK_PATH folder {notes}") and "2.0.0" in lines["notes"]
    assert lines["crm"].endswith(f"built-in folder {builtin_definitions() / 'crm'}")


def test_a_server_process_finds_the_pack_of_a_distribution_on_its_python_path(site: Path, tmp_path: Path) -> None:
    distribution(site, "acme-helpdesk", "1.2.0", "helpdesk = acme_helpdesk", {"acme_helpdesk": HELPDESK})
    env = {**os.environ, "PYTHONPATH": str(site), "FORMWORK_PACK_PATH": "", "FORMWORK_INSTANCE": str(tmp_path)}
    listed = subprocess.run(
        [sys.executable, "-m", "formwork.cli", "pack", "list"], env=env, capture_output=True, text=True, check=False
    )
    assert listed.returncode == 0, listed.stderr
    assert "distribution acme-helpdesk 1.2.0" in listed.stdout


def test_a_tenant_installs_a_pack_from_a_distribution(site: Path, run) -> None:
    distribution(site, "acme-helpdesk", "1.2.0", "helpdesk = acme_helpdesk", {"acme_helpdesk": HELPDESK})
    created = run(
        *("tenant", "create", "desk-co", "--name", "Desk", "--packs", "core,helpdesk"),
        *("--admin-user", "a", "--admin-password", "pw-12345"),
    )
    assert created.exit_code == 0, created.output
    assert "helpdesk 1.2.0" in run("tenant", "list").output


def test_a_pack_from_two_places_is_one_error_naming_both(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, run
) -> None:
    distribution(site, "acme-helpdesk", "1.2.0", "helpdesk = acme_helpdesk", {"acme_helpdesk": HELPDESK})
    pack_folder(tmp_path / "packs", "helpdesk", HELPDESK.replace("1.2.0", "1.3.0"))
    monkeypatch.setenv("FORMWORK_PACK_PATH", str(tmp_path / "packs"))

    result = run("validate")
    assert result.exit_code == 1
    assert result.output.splitlines()[0] == (
        f"{tmp_path / 'packs' / 'helpdesk' / 'pack.yaml'}:2 at name: pack 'helpdesk' is found twice: in "
        f"{site / 'acme_helpdesk'} (distribution acme-helpdesk 1.2.0) and here (FORMWORK_PACK_PATH folder); "
        "a pack comes from one place only, remove one"
    )
    assert "1 error(s)" in result.output  # the second copy is not read, so its entity is no duplicate
    listed = run("pack", "list")
    assert listed.exit_code == 1 and "1 definition error(s); nothing was changed" in listed.output


def test_a_distribution_cannot_bring_a_builtin_pack_again(site: Path, run) -> None:
    distribution(site, "acme-crm", "3.0.0", "crm = acme_crm", {"acme_crm": "kind: Pack\nname: crm\nversion: 3.0.0\n"})
    result = run("validate")
    assert result.exit_code == 1
    assert (
        f"{site / 'acme_crm' / 'pack.yaml'}:2 at name: pack 'crm' is found twice: in "
        f"{builtin_definitions() / 'crm'} (built-in folder) and here (distribution acme-crm 3.0.0)"
    ) in result.output


@pytest.mark.parametrize(
    ("entry", "packages", "message"),
    [
        (
            "helpdesk = acme_nowhere",
            {},
            "distribution acme-helpdesk 1.2.0: entry point helpdesk = acme_nowhere: package acme_nowhere cannot be "
            "imported (ModuleNotFoundError: No module named 'acme_nowhere')",
        ),
        (
            "helpdesk = acme_helpdesk:folder",
            {"acme_helpdesk": HELPDESK},
            "distribution acme-helpdesk 1.2.0: entry point helpdesk = acme_helpdesk:folder: name the package that "
            "holds pack.yaml (acme_helpdesk), not an object in it",
        ),
        (
            "helpdesk = acme_helpdesk",
            {"acme_helpdesk": None},
            "distribution acme-helpdesk 1.2.0: entry point helpdesk = acme_helpdesk: package acme_helpdesk ({site}) "
            "holds no pack.yaml",
        ),
        (
            "desk = acme_helpdesk",
            {"acme_helpdesk": HELPDESK},
            "{site}/pack.yaml:2 at name: distribution acme-helpdesk 1.2.0 declares pack 'desk' (its entry point of "
            "formwork.packs), but this pack is named 'helpdesk'",
        ),
    ],
    ids=["not importable", "an object", "no pack.yaml", "another name"],
)
def test_an_entry_point_that_leads_to_no_pack_is_a_load_error(
    site: Path, run, entry: str, packages: dict[str, str | None], message: str
) -> None:
    distribution(site, "acme-helpdesk", "1.2.0", entry, packages)
    result = run("validate")
    assert result.exit_code == 1
    assert message.format(site=site / "acme_helpdesk") in result.output.splitlines()

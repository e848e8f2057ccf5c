"""`formwork pack new NAME`: a pack folder that passes `formwork validate` on the pack path as written, whose files'
modelines point at the JSON Schemas it carries (each file checks against its own), which a tenant installs with
its seed and whose entity refuses what its definition says, and whose scenario test `formwork pack test` passes;
and a name that cannot be a pack's is refused in one line."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from jsonschema import Draft202012Validator

from conftest import BACKENDS, POSTGRES_URL, Platform, jwt
from formwork.cli import main
from formwork.definitions.loader import builtin_definitions, require_catalog
from formwork.definitions.scaffold import new_pack
from formwork.meta.catalog import Catalog
from formwork.tenancy.storage import dispose_engines

MODELINE = re.compile(r"# yaml-language-server: \$schema=(\S+)\n")


def counts(said: str) -> list[int]:
    """The packs, entities, forms and list views of `validate`'s `OK: …` line."""
    found = re.fullmatch(r"OK: (\d+) packs, (\d+) entities, (\d+) forms, (\d+) list views\n", said)
    assert found, said
    return [int(count) for count in found.groups()]


@pytest.fixture
def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("FORMWORK_INSTANCE", str(tmp_path / "instance"))
    monkeypatch.delenv("FORMWORK_DATABASE_URL", raising=False)
    monkeypatch.setenv("FORMWORK_PACK_PATH", "")
    runner = CliRunner()
    yield lambda *args: runner.invoke(main, list(args), catch_exceptions=False)
    dispose_engines()


def test_a_new_pack_passes_validate_on_the_pack_path(run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    before = counts(run("validate").output)
    made = run("pack", "new", "helpdesk", "--out", str(tmp_path / "packs"))
    assert made.exit_code == 0, made.output
    assert f"wrote {tmp_path / 'packs' / 'helpdesk'}" in made.output

    monkeypatch.setenv("FORMWORK_PACK_PATH", str(tmp_path / "packs"))
    checked = run("validate")
    assert checked.exit_code == 0, checked.output  # its scenario test is not read as a definition
    assert counts(checked.output) == [count + 1 for count in before]  # a pack, an entity, a form, a list view
    listed = [line for line in run("pack", "list").output.splitlines() if line.startswith("helpdesk ")]
    assert listed and "0.1.0" in listed[0] and "1 entities" in listed[0] and "requires: core >=0.1.0" in listed[0]


def test_the_new_pack_has_one_of_each_thing_a_pack_has(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FORMWORK_PACK_PATH", "")
    new_pack("helpdesk", tmp_path)
    catalog = require_catalog([builtin_definitions(), tmp_path / "helpdesk"])

    task = catalog.entities["helpdesk.task"]
    assert task.label.translations == {"en": "Task", "zh": "任务"}
    assert {f.type for f in task.fields} >= {"string", "choice", "date", "decimal", "reference", "text"}
    assert [len(section.fields) for section in catalog.forms["helpdesk.task"][0].sections] == [5, 1]
    assert catalog.list_views["helpdesk.task"][0].columns
    assert catalog.roles["helpdesk_user"].rights_on("helpdesk.task") == (
        "read",
        "create",
        "edit",
        "delete",
        "export",
        "import",
    )
    assert len(catalog.seeds["helpdesk.first_tasks"].records) == 2
    scenario = yaml.safe_load((tmp_path / "helpdesk" / "tests" / "task.yaml").read_text())
    assert scenario["given"]["users"] == [{"name": "alice", "roles": ["helpdesk.helpdesk_user"]}]
    assert {"create": "helpdesk.task", "by": "alice", "values": {"hours": 1}, "error": {"field": "title"}} in scenario[
        "when"
    ]


def test_every_file_checks_against_the_schema_its_modeline_names(tmp_path: Path) -> None:
    new_pack("helpdesk", tmp_path)
    pack = tmp_path / "helpdesk"
    definitions = sorted(path for path in pack.rglob("*.yaml") if "tests" not in path.parts)
    assert len(definitions) == 6
    for path in definitions:
        text = path.read_text()
        modeline = MODELINE.match(text)
        assert modeline, f"{path.name} has no modeline"
        schema = json.loads((path.parent / modeline.group(1)).read_text())  # offline: inside the pack
        for document in yaml.safe_load_all(text):
            assert schema["title"] == document["kind"]
            assert not list(Draft202012Validator(schema).iter_errors(document)), path.name


@pytest.mark.parametrize(
    ("name", "said"),
    [
        ("Helpdesk", "'Helpdesk' is not a pack name: lower-case letters, digits and _, starting with a letter"),
        ("2desk", "'2desk' is not a pack name: lower-case letters, digits and _, starting with a letter"),
        ("help-desk", "'help-desk' is not a pack name: lower-case letters, digits and _, starting with a letter"),
        ("x", "'x' is the pack of a tenant's own definitions; choose another name"),
        ("d" * 44, f"'{'d' * 44}' is too long for a pack name: at most 43 characters"),
        ("crm", f"a pack named 'crm' is on the pack path already: {builtin_definitions() / 'crm'} (built-in folder)"),
        ("taken", "exists already; choose another name or --out"),
    ],
)
def test_a_name_that_cannot_be_a_new_packs_is_refused_in_one_line(run, tmp_path: Path, name: str, said: str) -> None:
    (tmp_path / "out" / "taken").mkdir(parents=True)
    result = run("pack", "new", name, "--out", str(tmp_path / "out"))
    assert result.exit_code == 1
    assert len(result.output.splitlines()) == 1 and said in result.output and "Traceback" not in result.output
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["taken"]


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_new_packs_scenario_test_passes(run, tmp_path: Path, backend: str) -> None:
    new_pack("helpdesk", tmp_path)
    on_postgres = ["--postgres", POSTGRES_URL] if backend == "postgres" else []
    result = run("pack", "test", str(tmp_path / "helpdesk"), *on_postgres)
    assert result.exit_code == 0, result.output
    assert "1 passed, 0 failed" in result.output


@pytest.fixture(scope="module")
def catalog(tmp_path_factory: pytest.TempPathFactory) -> Catalog:
    """The built-in packs and a new pack `helpdesk` (the platform fixture's catalog in this module)."""
    folder = tmp_path_factory.mktemp("packs")
    new_pack("helpdesk", folder)
    return require_catalog([builtin_definitions(), folder / "helpdesk"])


def test_a_tenant_installs_the_new_pack_with_its_seed_and_its_entity_refuses_a_task_without_title(
    platform: Platform,
) -> None:
    platform.tenant("desk", ["core", "helpdesk"])
    client = platform.client()
    auth = jwt(client, "desk")

    listed = client.get("/t/desk/api/v1/helpdesk_task/", headers=auth)
    assert listed.status_code == 200, listed.text
    assert sorted(row["title"] for row in listed.json["result"]) == ["Plan the first week", "Try the task list"]
    refused = client.post("/t/desk/api/v1/helpdesk_task/", json={"hours": 1}, headers=auth)
    assert refused.status_code == 400
    assert refused.json["message"]["title"] == ["Missing data for required field."]
    created = client.post("/t/desk/api/v1/helpdesk_task/", json={"title": "Answer Acme"}, headers=auth)
    assert created.status_code == 201 and created.json["result"]["status"] == "open"

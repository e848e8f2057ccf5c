"""The built-in packs' behaviour as their scenario tests (definitions/<pack>/tests/*.yaml) describe it, run as an
implementer runs them: `formwork pack test`, on SQLite and on PostgreSQL."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from conftest import BACKENDS, POSTGRES_URL
from formwork.cli import main
from formwork.definitions.loader import builtin_definitions
from formwork.scenarios.files import read_pack_scenarios

#: the packs whose behaviour scenario tests describe, and scenarios each has at least
PACKS = {"crm": 2, "oa": 6}


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("pack", sorted(PACKS))
def test_every_scenario_of_the_pack_passes(pack: str, backend: str) -> None:
    folder = builtin_definitions() / pack
    scenarios, errors = read_pack_scenarios(folder)
    assert errors == [] and len(scenarios) >= PACKS[pack]
    arguments = ["pack", "test", str(folder), *(["--postgres", POSTGRES_URL] if backend == "postgres" else [])]
    result = CliRunner().invoke(main, arguments)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert [line.split("  (")[0] for line in lines[:-1]] == [f"ok      {scenario.name}" for scenario in scenarios]
    assert lines[-1] == f"{len(scenarios)} passed, 0 failed"

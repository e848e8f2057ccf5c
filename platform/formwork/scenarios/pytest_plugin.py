"""The pytest plugin (entry point `pytest11`): `pytest` collects the scenario files of packs as tests, one item per
scenario, so an implementer's CI runs them beside their other tests. A failure shows what `formwork pack test`
shows (each failing step or check at its line, expected against got); a file that cannot be read is one failing
item listing its errors. Only YAML in a pack's `tests/` (a folder with `pack.yaml` beside it) whose first level says
`scenario:` or `scenarios:` is collected, so no other YAML of a project becomes a test.

Scenarios run on a throw-away platform per set of packs, made when the first of them runs and removed when the
session ends; `--formwork-postgres URL` puts it on a PostgreSQL server instead of SQLite.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from ..meta.errors import DefinitionError
    from .model import Scenario
    from .outcome import ScenarioResult
    from .running import PackUnderTest
    from .sandbox import Sandbox


class Sandboxes:
    """The session's platforms, one per set of packs read (the built-in packs' scenarios share one)."""

    def __init__(self, postgres: str | None) -> None:
        self.postgres = postgres
        self._packs: dict[Path, PackUnderTest] = {}
        self._sandboxes: dict[str, Sandbox] = {}

    def for_pack(self, folder: Path) -> tuple[PackUnderTest, Sandbox]:
        from .running import pack_under_test
        from .sandbox import Sandbox

        if folder not in self._packs:
            self._packs[folder] = pack_under_test(folder)
        pack = self._packs[folder]
        key = pack.catalog.content_hash()
        if key not in self._sandboxes:
            self._sandboxes[key] = Sandbox(pack.catalog, self.postgres)
        return pack, self._sandboxes[key]

    def close(self) -> None:
        for sandbox in self._sandboxes.values():
            sandbox.close()
        self._sandboxes.clear()


SANDBOXES = pytest.StashKey[Sandboxes]()


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.getgroup("formwork", "Formwork pack scenarios").addoption(
        "--formwork-postgres",
        metavar="URL",
        help="run pack scenario tests on this PostgreSQL server, in a database of their own dropped afterwards",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.stash[SANDBOXES] = Sandboxes(config.getoption("formwork_postgres"))


def pytest_unconfigure(config: pytest.Config) -> None:
    if SANDBOXES in config.stash:
        config.stash[SANDBOXES].close()


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    if file_path.suffix not in (".yaml", ".yml"):
        return None  # most files: answered without importing Formwork
    from .files import is_scenario_file

    return ScenarioFile.from_parent(parent, path=file_path) if is_scenario_file(file_path) else None


class ScenarioFile(pytest.File):
    def collect(self) -> Iterator[pytest.Item]:
        from .files import read_scenarios

        scenarios, errors = read_scenarios(self.path)
        if errors:
            yield UnreadableFile.from_parent(self, name=self.path.name, errors=errors)
        names: set[str] = set()
        for scenario in scenarios:
            name = scenario.name if scenario.name not in names else f"{scenario.name} (line {scenario.place.line})"
            names.add(name)
            yield ScenarioItem.from_parent(self, name=name, scenario=scenario)


class ScenarioFailed(Exception):
    def __init__(self, result: ScenarioResult) -> None:
        super().__init__(result.scenario.name)
        self.result = result


class ScenarioItem(pytest.Item):
    def __init__(self, *, scenario: Scenario, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.scenario = scenario

    def runtest(self) -> None:
        from .files import pack_of
        from .running import run_scenario

        folder = pack_of(self.path)
        assert folder is not None  # collected only from a pack's tests/
        with _quiet_fab():
            pack, sandbox = self.config.stash[SANDBOXES].for_pack(folder)
            result = run_scenario(sandbox, self.scenario, pack.name)
        if not result.passed:
            raise ScenarioFailed(result)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> Any:
        from ..meta.errors import DefinitionsInvalid
        from .report import failure_lines

        if isinstance(excinfo.value, ScenarioFailed):
            return "\n".join(failure_lines(excinfo.value.result))
        if isinstance(excinfo.value, DefinitionsInvalid):
            return "the packs do not check:\n" + "\n".join(str(error) for error in excinfo.value.errors)
        return super().repr_failure(excinfo, style)

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.path, self.scenario.place.line - 1, f"scenario: {self.scenario.name}"


@contextmanager
def _quiet_fab() -> Iterator[None]:
    """FAB warns about what it cannot filter or delete while tenants are built, as `formwork` commands keep quiet:
    a failing scenario's report shows its differences, not those."""
    fab = logging.getLogger("flask_appbuilder")
    level = fab.level
    fab.setLevel(logging.ERROR)
    try:
        yield
    finally:
        fab.setLevel(level)


class UnreadableFile(pytest.Item):
    """A scenario file with errors: one failing test that lists them, so the other files still run."""

    def __init__(self, *, errors: list[DefinitionError], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.errors = errors

    def runtest(self) -> None:
        raise ScenarioFileInvalid(self.errors)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> Any:
        if isinstance(excinfo.value, ScenarioFileInvalid):
            return "\n".join(str(error) for error in excinfo.value.errors)
        return super().repr_failure(excinfo, style)

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.path, 0, f"scenario file: {self.path.name}"


class ScenarioFileInvalid(Exception):
    def __init__(self, errors: list[DefinitionError]) -> None:
        super().__init__(f"{len(errors)} error(s)")
        self.errors = errors

"""Running scenarios: each on a tenant of its own, its users added, its records and steps done in order (the
first that goes otherwise than written ends it: what follows would only fail after it), then every check, each
failing one reported. An unexpected error ends the scenario, not the run."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..definitions.loader import PACK_FILE, load_catalog
from ..meta.catalog import Catalog
from ..meta.errors import DefinitionsInvalid
from ..tenancy.errors import TenantError
from .checks import check_differences
from .model import Check, Scenario
from .outcome import Failure, ScenarioResult, StepFailed
from .sandbox import Sandbox
from .scene import Scene
from .steps import run_step
from .users import add_user


class NotAPack(Exception):
    """The folder given as a pack has no pack.yaml."""


@dataclass(frozen=True)
class PackUnderTest:
    """A pack folder, the packs it is read with (the pack path's and its own) and its name there."""

    folder: Path
    catalog: Catalog
    name: str


def pack_under_test(folder: Path) -> PackUnderTest:
    """The pack at `folder` read with the packs on the pack path (the built-in ones, installed distributions',
    FORMWORK_PACK_PATH's); definition errors raise DefinitionsInvalid, as `formwork validate` lists them."""
    if not (folder / PACK_FILE).is_file():
        raise NotAPack(f"{folder} is not a pack folder: it has no {PACK_FILE}")
    catalog, errors = load_catalog(also=[folder])
    if errors:
        raise DefinitionsInvalid(errors)
    here = folder.resolve()
    name = next(name for name, files in catalog.sources.items() if Path(files.folder).resolve() == here)
    return PackUnderTest(folder, catalog, name)


def run_scenarios(
    pack: PackUnderTest,
    scenarios: list[Scenario],
    postgres: str | None = None,
    report: Callable[[ScenarioResult], None] = lambda _: None,
) -> list[ScenarioResult]:
    """Run `scenarios` of `pack` on one sandbox (postgres: on that server), each result reported as it comes."""
    results = []
    with Sandbox(pack.catalog, postgres) as sandbox:
        for scenario in scenarios:
            results.append(run_scenario(sandbox, scenario, pack.name))
            report(results[-1])
    return results


def run_scenario(sandbox: Sandbox, scenario: Scenario, pack: str) -> ScenarioResult:
    started = time.monotonic()
    try:
        tenant = sandbox.tenant(list(scenario.packs or [pack]))
    except TenantError as refused:
        failure = Failure(scenario.place, "its tenant", (f"cannot be created: {refused}",))
        return ScenarioResult(scenario, (failure,), time.monotonic() - started)
    try:
        failures = _walk(Scene(tenant, sandbox.catalog), scenario)
    except Exception as exc:  # noqa: BLE001 - one scenario's trouble must not hide the others' results
        failures = [Failure(scenario.place, "the scenario", (f"unexpected error: {type(exc).__name__}: {exc}",))]
    finally:
        sandbox.drop(tenant)
    return ScenarioResult(scenario, tuple(failures), time.monotonic() - started)


def _walk(scene: Scene, scenario: Scenario) -> list[Failure]:
    for user in scenario.users:
        try:
            add_user(scene, user)
        except StepFailed as failed:
            return [Failure(user.place, f"user {user.name}", failed.lines)]
    for step in (*scenario.records, *scenario.steps):
        try:
            run_step(scene, step)
        except StepFailed as failed:
            return [Failure(step.place, step.describe(), failed.lines)]
    return [failure for check in scenario.checks if (failure := _checked(scene, check))]


def _checked(scene: Scene, check: Check) -> Failure | None:
    try:
        lines = check_differences(scene, check)
    except StepFailed as failed:
        lines = list(failed.lines)
    return Failure(check.place, check.describe(), tuple(lines)) if lines else None

"""Scenario results as text: one line per scenario (`ok` or `FAILED`), and under a failed one each failure at the
line of the step or check that failed, expected against got. `formwork pack test` prints it; pytest shows it as the
failure's report."""

from __future__ import annotations

from collections.abc import Sequence

from ..meta.errors import DefinitionError
from .outcome import ScenarioResult


def result_lines(result: ScenarioResult) -> list[str]:
    scenario = result.scenario
    if result.passed:
        return [f"ok      {scenario.name}  ({scenario.place}, {result.seconds:.1f} s)"]
    return [f"FAILED  {scenario.name}  ({scenario.place})", *failure_lines(result)]


def failure_lines(result: ScenarioResult) -> list[str]:
    lines = []
    for failure in result.failures:
        lines.append(f"  {failure.place}: {failure.what}")
        lines += [f"    {line}" for line in failure.lines]
    return lines


def summary(results: Sequence[ScenarioResult], file_errors: Sequence[DefinitionError]) -> str:
    passed = sum(result.passed for result in results)
    parts = [f"{passed} passed", f"{len(results) - passed} failed"]
    files = len({error.file for error in file_errors})
    if files:
        parts.append(f"{files} file(s) could not be read")
    return ", ".join(parts)

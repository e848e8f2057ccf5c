"""What running scenarios found: per scenario its failures, each at the line of the step or check that failed, with
what was expected and what the tenant answered."""

from __future__ import annotations

from dataclasses import dataclass

from .model import Place, Scenario


@dataclass(frozen=True)
class Failure:
    place: Place
    #: the step or check in a few words: `update t1 by carol`, `record t1`
    what: str
    #: expected against got, one line each
    lines: tuple[str, ...]


class StepFailed(Exception):
    """A step, a check or the scenario's setting up did not go as written; the scenario stops there."""

    def __init__(self, *lines: str) -> None:
        super().__init__("; ".join(lines))
        self.lines = lines


@dataclass(frozen=True)
class ScenarioResult:
    scenario: Scenario
    failures: tuple[Failure, ...]
    seconds: float

    @property
    def passed(self) -> bool:
        return not self.failures

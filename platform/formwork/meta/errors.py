"""Definition errors: every problem carries its file, line and path so one run can report them all."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class DefinitionError:
    """One problem found in a YAML definition."""

    #: the file, or what else is wrong (an installed distribution's entry point) with `line` 0
    file: str
    line: int
    path: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        inside = f" at {self.path}" if self.path else ""
        return f"{where}{inside}: {self.message}"


class DefinitionsInvalid(Exception):
    """Raised when definitions cannot be used; holds every error found, not just the first."""

    def __init__(self, errors: list[DefinitionError]) -> None:
        self.errors = sorted(errors)
        super().__init__("\n".join(str(e) for e in self.errors))

"""`formwork pack test PATH [--postgres URL]`: every scenario of a pack, a line per scenario as it finishes, the
differences under a failed one, and whether all passed (the command's exit status). A file that cannot be read is
one line per error, and the other files still run."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import click

from ..definitions.loader import SCENARIO_FOLDER
from .files import read_pack_scenarios
from .outcome import ScenarioResult
from .report import result_lines, summary
from .running import NotAPack, pack_under_test, run_scenarios

Echo = Callable[..., None]


def test_pack(folder: Path, postgres: str | None, echo: Echo = click.echo) -> bool:
    """Run the pack's scenarios and print what they found; True when every scenario passed and every file read."""
    try:
        pack = pack_under_test(folder)
    except NotAPack as exc:
        raise click.ClickException(str(exc)) from None
    scenarios, errors = read_pack_scenarios(folder)
    for error in errors:
        echo(str(error))
    if not scenarios:
        echo(f"no scenario to run in {folder / SCENARIO_FOLDER}")
        return not errors
    where = "PostgreSQL (a database of its own, dropped afterwards)" if postgres else "SQLite"
    echo(
        f"running {len(scenarios)} scenario(s) of {pack.name} on {where}, each on a tenant of its own "
        "(the first tenant of some packs takes a while to build; later ones are copies)",
        err=True,
    )

    def show(result: ScenarioResult) -> None:
        for line in result_lines(result):
            echo(line)

    results = run_scenarios(pack, scenarios, postgres, show)
    echo(summary(results, errors))
    return not errors and all(result.passed for result in results)

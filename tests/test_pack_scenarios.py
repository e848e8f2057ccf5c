"""Scenario tests of packs (docs/scenarios.md): what a failing scenario reports (each difference at the line of its
step or check), what a malformed file reports (one line per error, at its line, saying what was expected), the
exit status of `formwork pack test`, and pytest collecting the same files as tests."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from formwork.cli import main
from formwork.scenarios.files import is_scenario_file, read_scenarios

pytest_plugins = ["pytester"]

PACK = """\
kind: Pack
name: helpdesk
version: 0.1.0
requires: {core: ">=0.1.0"}
---
kind: Entity
name: ticket
title_field: title
fields:
  - {name: title, type: string, required: true}
  - {name: status, type: choice, default: open, choices: [{value: open}, {value: closed}]}
  - {name: priority, type: choice, default: normal, choices: [{value: normal}, {value: high}]}
---
kind: Role
name: agent
rights:
  ticket: [read, create, edit]
records:
  ticket: [own]
"""
TICKETS = """\
given:
  users:
    - {name: alice, roles: [helpdesk.agent]}
    - {name: carol, roles: [helpdesk.agent]}
scenarios:
  - scenario: A ticket is created and closed by its agent only
    when:
      - {create: helpdesk.ticket, as: t1, by: alice, values: {title: Printer}}
      - {update: t1, by: alice, values: {status: closed}}
      - {create: helpdesk.ticket, by: alice, values: {}, error: {field: title}}
      - {update: t1, by: carol, values: {title: Mine now}, error: {status: 404}}
    then:
      - {record: t1, fields: {status: closed, title: Printer}}
      - {count: {entity: helpdesk.ticket, by: carol, equals: 0}}

  - scenario: Every check that does not hold is shown
    when:
      - {create: helpdesk.ticket, as: t1, by: alice, values: {title: Printer}}
    then:
      - {record: t1, fields: {status: closed, priority: high, title: Printer}}
      - {count: {entity: helpdesk.ticket, equals: 2}}
      - {notification: {to: alice, event: assigned}}

  - scenario: A step that goes otherwise ends the scenario
    when:
      - {create: helpdesk.ticket, as: t1, by: alice, values: {title: Printer}}
      - {create: helpdesk.ticket, by: alice, values: {title: Fine}, error: {field: title}}
      - {delete: t1, by: alice}
    then:
      - {deleted: t1}
"""
BROKEN = """\
scenario: Misspelt
when:
  - {crate: helpdesk.ticket, by: alice}
"""


@pytest.fixture(scope="module")
def pack(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The helpdesk pack with its scenario files, a YAML file in its tests/ that is no scenario file, and a tests/
    folder with a scenario-like file that belongs to no pack."""
    folder = tmp_path_factory.mktemp("packs") / "helpdesk"
    (folder / "tests").mkdir(parents=True)
    (folder / "pack.yaml").write_text(PACK)
    (folder / "tests" / "tickets.yaml").write_text(TICKETS)
    (folder / "tests" / "broken.yaml").write_text(BROKEN)
    (folder / "tests" / "fixtures.yaml").write_text("tickets: [a, b]\n")
    (folder.parent / "tests").mkdir()
    (folder.parent / "tests" / "loose.yaml").write_text("scenario: In no pack\n")
    return folder


@pytest.fixture(scope="module")
def run(pack: Path) -> Result:
    return CliRunner().invoke(main, ["pack", "test", str(pack)])


def line_of(text: str, fragment: str) -> int:
    """The line of `text` where `fragment` first appears (1-based)."""
    return next(n for n, line in enumerate(text.splitlines(), 1) if fragment in line)


def test_a_failing_scenario_shows_each_difference_at_the_line_of_its_check(run: Result, pack: Path) -> None:
    tickets = pack / "tests" / "tickets.yaml"
    at = f"{tickets}:{{}}".format
    output = run.stdout.splitlines()
    start = output.index(f"FAILED  Every check that does not hold is shown  ({at(line_of(TICKETS, 'Every check'))})")
    assert output[start + 1 : start + 10] == [
        f"  {at(line_of(TICKETS, 'priority: high'))}: record t1",
        "    status: expected 'closed', got 'open'",
        "    priority: expected 'high', got 'normal'",
        f"  {at(line_of(TICKETS, 'equals: 2'))}: count entity helpdesk.ticket, equals 2",
        "    helpdesk.ticket seen by admin: expected 2, got 1",
        f"  {at(line_of(TICKETS, 'event: assigned'))}: notification to alice, event assigned",
        "    expected a notification to alice with event 'assigned'",
        "    alice has: none",
        f"FAILED  A step that goes otherwise ends the scenario  ({at(line_of(TICKETS, 'A step that'))})",
    ]
    assert output[start + 10] == f"  {at(line_of(TICKETS, 'title: Fine'))}: create helpdesk.ticket by alice"
    assert output[start + 11].startswith(
        '    expected it to be refused (field \'title\'), but it succeeded: 201 {"id": 2, "result": {'
    )
    assert output[start + 12] == "1 passed, 2 failed, 1 file(s) could not be read"  # the deletion and check did not run


def test_a_passing_scenario_is_one_line(run: Result, pack: Path) -> None:
    line = next(line for line in run.stdout.splitlines() if line.startswith("ok "))
    assert line.startswith(
        f"ok      A ticket is created and closed by its agent only  ({pack / 'tests/tickets.yaml'}:6, "
    )


def test_a_malformed_file_is_a_line_saying_what_was_expected_and_the_command_fails(run: Result, pack: Path) -> None:
    assert run.exit_code == 1
    assert run.stdout.splitlines()[0] == (
        f"{pack / 'tests/broken.yaml'}:3 at when[0]: unexpected property 'crate' (did you mean 'create'?); expected a "
        "step: a mapping with one of create, update, delete, submit, approve, reject, action, advance_clock"
    )
    assert "Traceback" not in run.output and "fixtures.yaml" not in run.output


def test_a_folder_that_is_no_pack_is_one_line_and_exit_1(pack: Path) -> None:
    result = CliRunner().invoke(main, ["pack", "test", str(pack / "tests")])
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [f"Error: {pack / 'tests'} is not a pack folder: it has no pack.yaml"]


def test_only_yaml_of_a_packs_tests_folder_that_says_scenario_is_a_scenario_file(pack: Path) -> None:
    assert is_scenario_file(pack / "tests" / "tickets.yaml") and is_scenario_file(pack / "tests" / "broken.yaml")
    assert not is_scenario_file(pack / "tests" / "fixtures.yaml")
    assert not is_scenario_file(pack.parent / "tests" / "loose.yaml")
    assert not is_scenario_file(pack / "pack.yaml")


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        (
            "scenario: S\nwhen:\n  - {create: a.b, by: alice}\n",
            3,
            "unknown user 'alice'; expected one of admin (given.users)",
        ),
        (
            "scenario: S\nwhen:\n  - {create: a.b, values: {parent: $other}}\n",
            3,
            "no record is named 'other' before this line; named: none yet (name one with `as:`)",
        ),
        (
            "scenario: S\nwhen:\n  - {create: a.b, as: x}\n  - {submit: x, approve: x}\n",
            4,
            "one thing per entry: submit and approve are two; write them as two entries",
        ),
        (
            "scenario: S\ngiven:\n  users:\n    - {name: admin}\n",
            4,
            "'admin' is the tenant's admin, there from the start: give other users",
        ),
        ("scenario: S\nwhen:\n  - {advance_clock: 2 days}\n", 3, "at when[0].advance_clock: '2 days' does not match"),
        ("scenario: S\nthen:\n  - {approval: x, status: done}\n", 3, "at then[0].status: 'done' is not one of"),
        ("scenarios:\n  - {scenario: S}\nwhen: []\n", 3, "at when: unexpected property 'when'"),
        ("scenario: S\nwhen: [\n", 3, "invalid YAML"),
    ],
    ids=["user", "record", "two-kinds", "admin", "duration", "status", "beside-scenarios", "yaml"],
)
def test_a_malformed_scenario_is_reported_at_its_line(tmp_path: Path, text: str, line: int, message: str) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(text)
    scenarios, errors = read_scenarios(path)
    assert scenarios == []
    assert len(errors) == 1 and f"{path}:{line}" in str(errors[0]) and message in str(errors[0]), errors


def test_a_files_shared_users_and_records_come_first_in_each_scenario(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(
        "given:\n  users: [{name: ann}]\n  records: [{as: a, entity: x.y}]\nscenarios:\n"
        "  - {scenario: One, given: {users: [{name: bo}]}}\n  - {scenario: Two}\n"
    )
    one, two = read_scenarios(path)[0]
    assert [user.name for user in one.users] == ["ann", "bo"] and [user.name for user in two.users] == ["ann"]
    assert [(step.target, step.place.line) for step in two.records] == [("x.y", 3)]


def test_pytest_collects_the_scenarios_and_shows_the_same_differences(pytester: pytest.Pytester, pack: Path) -> None:
    collected = pytester.runpytest_inprocess(str(pack.parent), "--collect-only", "-q", "-p", "no:cacheprovider")
    assert [line.rpartition("helpdesk/")[2] for line in collected.outlines if "::" in line] == [
        "tests/broken.yaml::broken.yaml",
        "tests/tickets.yaml::A ticket is created and closed by its agent only",
        "tests/tickets.yaml::Every check that does not hold is shown",
        "tests/tickets.yaml::A step that goes otherwise ends the scenario",
    ]  # neither fixtures.yaml nor the loose tests/ folder outside the pack
    result = pytester.runpytest_inprocess(str(pack / "tests"), "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, failed=3)
    lines = result.outlines
    record = lines.index(f"  {pack / 'tests/tickets.yaml'}:{line_of(TICKETS, 'priority: high')}: record t1")
    assert "scenario: Every check that does not hold is shown" in lines[record - 1]
    assert lines[record + 1 : record + 3] == [
        "    status: expected 'closed', got 'open'",
        "    priority: expected 'high', got 'normal'",
    ]
    assert (
        f"{pack / 'tests/broken.yaml'}:3 at when[0]: unexpected property 'crate' (did you mean 'create'?); expected a "
        "step: a mapping with one of create, update, delete, submit, approve, reject, action, advance_clock"
    ) in lines

"""The `formwork` command: validate, schema export, tenants, demo."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from formwork.cli import main
from formwork.tenancy.storage import dispose_engines


@pytest.fixture
def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("FORMWORK_INSTANCE", str(tmp_path / "instance"))
    monkeypatch.delenv("FORMWORK_DATABASE_URL", raising=False)
    monkeypatch.setenv("FORMWORK_SECRET_KEY", "cli-test-secret")
    runner = CliRunner()
    yield lambda *args: runner.invoke(main, list(args), catch_exceptions=False)
    dispose_engines()


def test_validate_prints_a_summary(run) -> None:
    result = run("validate")
    assert result.exit_code == 0
    assert result.output.startswith("OK: 3 packs, 12 entities")


def test_validate_prints_every_error_and_exits_1(run, tmp_path: Path) -> None:
    pack = tmp_path / "bad"
    pack.mkdir()
    (pack / "pack.yaml").write_text("kind: Pack\nname: bad\nversion: 1.0\n")
    (pack / "thing.yaml").write_text(
        "kind: Entity\nname: thing\nfields:\n  - {name: a, type: strin}\n---\n"
        "kind: Entity\nname: other\nfields:\n  - {name: a, type: string}\n  - {name: b, type: reference, target: nowhere}\n"
    )
    result = run("validate", str(pack))
    assert result.exit_code == 1
    assert (
        f"{pack / 'pack.yaml'}:3 at version: 1.0 is not of type 'string'; expected a semantic version such as 1.2.0"
        in result.output
    )
    assert f"{pack / 'thing.yaml'}:4 at fields[0].type: unknown field type 'strin'" in result.output
    assert f"{pack / 'thing.yaml'}:10 at fields[1].target: reference to unknown entity 'bad.nowhere'" in result.output


def test_schema_export_writes_one_schema_per_kind(run, tmp_path: Path) -> None:
    result = run("schema", "export", str(tmp_path / "schemas"))
    assert result.exit_code == 0
    entity = json.loads((tmp_path / "schemas" / "entity.schema.json").read_text())
    assert entity["title"] == "Entity"
    assert "money" in entity["$defs"]["field"]["properties"]["type"]["enum"]


def test_tenant_create_and_list(run, tmp_path: Path) -> None:
    created = run(
        "tenant",
        "create",
        "acme",
        "--name",
        "Acme Ltd",
        "--packs",
        "crm",
        "--admin-user",
        "root",
        "--admin-password",
        "pw-123456",
    )
    assert created.exit_code == 0, created.output
    assert "created tenant 'acme' with packs core, crm" in created.output
    assert (tmp_path / "instance" / "tenants" / "acme.sqlite").is_file()
    again = run("tenant", "create", "acme", "--name", "Again", "--admin-user", "x", "--admin-password", "y")
    assert again.exit_code == 1 and "tenant 'acme' already exists" in again.output
    unknown = run(
        "tenant",
        "create",
        "other",
        "--name",
        "O",
        "--packs",
        "crm,payroll",
        "--admin-user",
        "x",
        "--admin-password",
        "y",
    )
    assert unknown.exit_code == 1 and "unknown pack(s): payroll" in unknown.output
    listing = run("tenant", "list")
    assert "acme" in listing.output and "Acme Ltd" in listing.output and "other" not in listing.output


def test_demo_prepares_sample_data_and_can_run_twice(run, tmp_path: Path) -> None:
    first = run("demo", "--no-serve")
    assert first.exit_code == 0, first.output
    assert "user: admin   password: formwork-demo" in first.output
    assert "user: user10   (sales rep in Sales), same password" in first.output
    second = run("demo", "--no-serve")
    assert second.exit_code == 0 and "keeping its data" in second.output
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'instance' / 'tenants' / 'demo.sqlite'}")
    with engine.connect() as conn:
        for table in (
            "core_employee",
            "crm_account",
            "crm_contact",
            "crm_opportunity",
            "oa_leave_request",
            "oa_announcement",
            "oa_meeting",
            "oa_expense_claim",
        ):
            assert conn.scalar(sa.text(f"SELECT count(*) FROM {table}")) >= 50, table
        # computed values are filled in for sample data too
        assert conn.scalar(sa.text("SELECT count(*) FROM oa_expense_claim WHERE total > 0")) >= 50
        assert conn.scalar(sa.text("SELECT count(*) FROM crm_account WHERE opportunity_count > 0")) > 0
        assert conn.scalar(sa.text("SELECT count(*) FROM oa_leave_request WHERE number LIKE 'LV-%'")) >= 50
        # sign-ins for the packs' roles, tied to sample employees
        roles = conn.execute(
            sa.text(
                "SELECT u.username, r.name FROM ab_user u JOIN ab_user_role ur ON ur.user_id = u.id "
                "JOIN ab_role r ON r.id = ur.role_id"
            )
        ).all()
        assert {("user10", "sales_rep"), ("user2", "sales_director"), ("user12", "employee")} <= set(roles)
        assert (
            conn.scalar(sa.text("SELECT count(*) FROM core_employee WHERE login IN ('user2', 'user10', 'user12')")) == 3
        )
    engine.dispose()


def test_plan_and_migrate_one_tenant_and_all(run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from formwork.tenancy.registry import schema_changes

    pack = tmp_path / "packs" / "notes"
    pack.mkdir(parents=True)
    (pack / "pack.yaml").write_text("kind: Pack\nname: notes\nversion: 1.0.0\n")
    (pack / "note.yaml").write_text("kind: Entity\nname: note\nfields:\n  - {name: title, type: string}\n")
    monkeypatch.setenv("FORMWORK_PACK_PATH", str(tmp_path / "packs"))
    for slug in ("one-co", "two-co"):
        assert (
            run(
                "tenant",
                "create",
                slug,
                "--name",
                slug,
                "--packs",
                "notes",
                "--admin-user",
                "a",
                "--admin-password",
                "pw-12345",
            ).exit_code
            == 0
        )
    assert "tenant 'one-co' is up to date" in run("plan", "one-co").output

    (pack / "note.yaml").write_text(
        "kind: Entity\nname: note\nfields:\n  - {name: title, type: string}\n  - {name: body, type: text}\n"
    )
    assert "tenant 'one-co' is up to date" in run("plan", "one-co").output  # a new pack folder changes no tenant
    assert "notes 1.0.0 (upgrade available: 1.0.0, changed)" in run("tenant", "list").output
    planned = run("tenant", "upgrade-pack", "one-co", "notes", "--plan").output
    assert "add column notes_note.body" in planned and "nothing was changed" in planned
    upgraded = run("tenant", "upgrade-pack", "one-co", "notes", "--yes")
    assert upgraded.exit_code == 0 and "add column notes_note.body" in upgraded.output
    url = f"sqlite:///{tmp_path / 'instance' / 'platform.sqlite'}"
    assert schema_changes(url, "one-co")[-1].operations == ["add column notes_note.body"]

    every = run("migrate", "--all", "--jobs", "2")
    assert every.exit_code == 0
    assert "one-co: unchanged" in every.output and "two-co: unchanged" in every.output
    assert "0 migrated, 2 unchanged, 0 refused, 0 failed" in every.output


def test_a_tenant_keeps_working_without_its_pack_folder_and_migrate_all_goes_on_past_a_failing_tenant(
    run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pack = tmp_path / "packs" / "extra"
    pack.mkdir(parents=True)
    (pack / "pack.yaml").write_text("kind: Pack\nname: extra\nversion: 1.0.0\n")
    (pack / "thing.yaml").write_text("kind: Entity\nname: thing\nfields:\n  - {name: title, type: string}\n")
    monkeypatch.setenv("FORMWORK_PACK_PATH", str(tmp_path / "packs"))
    assert (
        run(
            "tenant",
            "create",
            "kept-co",
            "--name",
            "Kept",
            "--packs",
            "extra",
            "--admin-user",
            "a",
            "--admin-password",
            "pw-12345",
        ).exit_code
        == 0
    )
    assert (
        run(
            "tenant",
            "create",
            "fine-co",
            "--name",
            "Fine",
            "--packs",
            "core",
            "--admin-user",
            "a",
            "--admin-password",
            "pw-12345",
        ).exit_code
        == 0
    )
    monkeypatch.setenv("FORMWORK_PACK_PATH", "")
    assert "kept-co: unchanged" in run("migrate", "--all").output  # it runs on the release it installed

    from formwork.tenancy.storage import dispose_engines

    dispose_engines()
    for leftover in (tmp_path / "instance" / "tenants").glob("kept-co.sqlite*"):
        leftover.unlink()
    (tmp_path / "instance" / "tenants" / "kept-co.sqlite").write_bytes(b"not a database" * 100)
    result = run("migrate", "--all", "--drop-retired")
    assert result.exit_code == 1, result.output
    assert "kept-co: FAILED, nothing changed" in result.output and "fine-co: 0 change(s) applied" in result.output
    assert "1 migrated, 0 unchanged, 0 refused, 1 failed" in result.output


def test_suspend_and_resume(run) -> None:
    assert (
        run(
            "tenant", "create", "pause-co", "--name", "P", "--admin-user", "a", "--admin-password", "pw-12345"
        ).exit_code
        == 0
    )
    assert "is suspended" in run("tenant", "suspend", "pause-co").output
    assert "suspended" in run("tenant", "list").output
    assert "is active" in run("tenant", "resume", "pause-co").output
    assert run("tenant", "suspend", "nobody-co").exit_code == 1


def test_pack_list_shows_versions_and_requirements(run) -> None:
    output = run("pack", "list").output
    assert "crm" in output and "0.1.0" in output and "requires: core >=0.1.0" in output


def test_tenant_apply_is_idempotent_and_export_round_trips(
    run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FORMWORK_ADMIN_PASSWORD", "pw-manifest-1")
    repo_manifest = Path(__file__).parents[1] / "tenants" / "acme.yaml"
    first = run("tenant", "apply", str(repo_manifest))
    assert first.exit_code == 0, first.output
    assert "created tenant 'acme'" in first.output
    again = run("tenant", "apply", str(repo_manifest))
    assert again.exit_code == 0 and "tenant 'acme' is up to date; nothing changed" in again.output

    grown = tmp_path / "acme.yaml"
    grown.write_text(
        repo_manifest.read_text(encoding="utf-8")
        .replace("packs: [crm]", "packs: [crm, oa]")
        .replace("currency: CNY", "currency: USD")
    )
    changed = run("tenant", "apply", str(grown))
    assert "installed oa 0.1.0" in changed.output and "currency: CNY → USD" in changed.output
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'instance' / 'tenants' / 'acme.sqlite'}")
    assert "oa_leave_request" in sa.inspect(engine).get_table_names()
    engine.dispose()

    exported = run("tenant", "export", "acme").output
    assert (
        "slug: acme" in exported
        and "oa: ^0.1.0" in exported
        and "username: zhang.wei" in exported
        and "currency: USD" in exported
    )
    assert "timezone: Asia/Shanghai" in exported and "name: x_wechat" in exported
    (tmp_path / "exported.yaml").write_text(exported)
    assert "nothing changed" in run("tenant", "apply", str(tmp_path / "exported.yaml")).output

    shrunk = tmp_path / "shrunk.yaml"
    shrunk.write_text(exported.replace("  oa: ^0.1.0\n", ""))
    refused = run("tenant", "apply", str(shrunk))
    assert refused.exit_code == 1 and "removing packs is not supported" in refused.output


def test_a_wrong_manifest_names_the_line_and_changes_nothing(run, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("kind: Tenant\nslug: Bad Slug\nname: X\npacks: [crm]\nlocale: fr\n")
    result = run("tenant", "apply", str(bad))
    assert result.exit_code == 1
    assert f"{bad}:2 at slug:" in result.output and f"{bad}:5 at locale:" in result.output
    assert "no tenants yet" in run("tenant", "list").output


def test_tenant_customize_lists_and_plan_shows_conflicts(run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pack = tmp_path / "packs" / "notes"
    pack.mkdir(parents=True)
    (pack / "pack.yaml").write_text("kind: Pack\nname: notes\nversion: 1.0.0\n")
    (pack / "note.yaml").write_text(
        "kind: Entity\nname: note\nfields:\n  - {name: title, type: string}\n  - {name: body, type: text}\n"
    )
    monkeypatch.setenv("FORMWORK_PACK_PATH", str(tmp_path / "packs"))
    assert (
        run(
            "tenant",
            "create",
            "memo-co",
            "--name",
            "Memo",
            "--packs",
            "notes",
            "--admin-user",
            "a",
            "--admin-password",
            "pw-12345",
        ).exit_code
        == 0
    )
    overlays = tmp_path / "memo.yaml"
    overlays.write_text(
        "kind: EntityExtension\nentity: notes.note\nfields:\n  - {name: x_mood, type: string}\n---\n"
        "kind: ListView\nentity: notes.note\ncolumns: [title, body, x_mood]\n"
    )
    stored = run("tenant", "customize", "memo-co", str(overlays))
    assert stored.exit_code == 0, stored.output
    assert (
        "customization added: EntityExtension notes.note" in stored.output
        and "add column notes_note.x_mood" in stored.output
    )
    assert "nothing changed" in run("tenant", "customize", "memo-co", str(overlays)).output
    listed = run("tenant", "customizations", "memo-co").output
    assert "EntityExtension  notes.note" in listed and "ListView         notes.note/default" in listed

    (tmp_path / "bad.yaml").write_text("kind: ListView\nentity: notes.note\ncolumns: [title, x_nothing]\n")
    refused = run("tenant", "customize", "memo-co", str(tmp_path / "bad.yaml"))
    assert refused.exit_code == 1 and "nothing was stored" in refused.output
    assert f"{tmp_path / 'bad.yaml'}:3 at columns[1]: column 'x_nothing' is not a field of notes.note" in refused.output

    (pack / "note.yaml").write_text("kind: Entity\nname: note\nfields:\n  - {name: title, type: string}\n")
    assert "tenant 'memo-co' is up to date" in run("plan", "memo-co").output  # it stays on the release it installed
    planned = run("tenant", "upgrade-pack", "memo-co", "notes", "--yes")
    assert planned.exit_code == 1 and "not upgraded: 1 customization(s) conflict" in planned.output
    assert (
        "conflict: customization ListView notes.note/default (tenant memo-co) no longer fits and is left out: "
        "column 'body' is not a field of notes.note"
    ) in planned.output


#: nothing listens on port 1, so a connection is refused at once
REFUSING_DATABASE = "postgresql://formwork@127.0.0.1:1/nowhere"
STRICT_PACK = """\
kind: Pack
name: strict
version: 1.0.0
requires: {core: ">=0.1.0"}
---
kind: Entity
name: price
fields:
  - {name: amount, type: decimal}
rules:
  - {name: positive, check: "amount > 0.0", message: The amount must be positive}
---
kind: Seed
name: prices
entity: price
records:
  - {amount: 0}
"""


def one_error_line(result) -> str:
    """The only line a failed command wrote to stderr."""
    assert result.exit_code == 1 and "Traceback" not in result.output
    (line,) = result.stderr.splitlines()
    assert line.startswith("Error: ")
    return line.removeprefix("Error: ")


def test_a_database_that_refuses_is_one_line_on_stderr(run, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FORMWORK_DATABASE_URL", REFUSING_DATABASE)
    line = one_error_line(run("tenant", "list"))
    assert line.startswith("the database cannot be used: ") and "Connection refused" in line


def test_a_database_url_sqlalchemy_cannot_use_is_one_line(run, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FORMWORK_DATABASE_URL", "mysqll://db/formwork")
    assert one_error_line(run("db", "upgrade")) == (
        "FORMWORK_DATABASE_URL cannot be used: Can't load plugin: sqlalchemy.dialects:mysqll"
    )


def test_a_seed_that_fails_at_tenant_create_is_one_line_naming_its_record(
    run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "packs" / "strict").mkdir(parents=True)
    (tmp_path / "packs" / "strict" / "pack.yaml").write_text(STRICT_PACK, encoding="utf-8")
    monkeypatch.setenv("FORMWORK_PACK_PATH", str(tmp_path / "packs"))
    line = one_error_line(
        run(
            "tenant",
            "create",
            "strict-co",
            "--name",
            "S",
            "--packs",
            "strict",
            "--admin-user",
            "a",
            "--admin-password",
            "pw-12345",
        )
    )
    assert line == (
        f"{tmp_path / 'packs' / 'strict' / 'pack.yaml'}:17: seed strict.prices, records[0] cannot be saved: "
        "_record: The amount must be positive"
    )


def test_a_file_that_cannot_be_written_is_one_line(run, tmp_path: Path) -> None:
    (tmp_path / "plain").write_text("not a folder")
    assert one_error_line(run("schema", "export", str(tmp_path / "plain" / "schemas"))) == (
        f"Not a directory: {tmp_path / 'plain' / 'schemas'}"
    )


def test_a_customization_file_that_is_not_utf8_is_refused_at_its_line(run, tmp_path: Path) -> None:
    assert (
        run("tenant", "create", "enc-co", "--name", "E", "--admin-user", "a", "--admin-password", "pw-12345").exit_code
        == 0
    )
    latin = tmp_path / "latin.yaml"
    latin.write_bytes(
        "kind: EntityExtension\nentity: core.employee\nfields:\n  - {name: x_town, type: string, label: Bogotá}\n".encode(
            "latin-1"
        )
    )
    result = run("tenant", "customize", "enc-co", str(latin))
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert result.stderr.splitlines() == [
        f"{latin}:4: the file is not UTF-8 text: 0xe1 at column 46 cannot be decoded; save it as UTF-8",
        "Error: 1 error(s): nothing was stored",
    ]


def test_an_unexpected_error_says_so_in_one_line_and_debug_shows_its_traceback(
    run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from formwork.definitions import jsonschemas

    def broken(kind: str) -> dict:
        raise RuntimeError(f"no schema for {kind}\nsecond line")

    monkeypatch.setattr(jsonschemas, "kind_schema", broken)
    line = one_error_line(run("schema", "export", str(tmp_path / "schemas")))
    assert line == (
        "unexpected error, RuntimeError: no schema for Pack; second line "
        "(run the command again as `formwork --debug …` to see its traceback)"
    )
    with pytest.raises(RuntimeError, match="no schema for Pack"):
        run("--debug", "schema", "export", str(tmp_path / "schemas"))


def test_debug_lets_the_traceback_of_an_expected_failure_through(run, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FORMWORK_DATABASE_URL", REFUSING_DATABASE)
    with pytest.raises(sa.exc.OperationalError):
        run("--debug", "tenant", "list")


def test_the_installed_command_prints_one_line_and_a_traceback_only_with_debug(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "FORMWORK_INSTANCE": str(tmp_path / "instance"),
        "FORMWORK_DATABASE_URL": REFUSING_DATABASE,
        "FORMWORK_SECRET_KEY": "cli-test-secret",
    }
    command = [sys.executable, "-m", "formwork.cli"]
    plain = subprocess.run(
        [*command, "tenant", "list"], env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert plain.returncode == 1 and plain.stdout == ""
    assert len(plain.stderr.splitlines()) == 1 and plain.stderr.startswith("Error: the database cannot be used: ")
    debug = subprocess.run(
        [*command, "--debug", "tenant", "list"], env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert debug.returncode == 1 and "Traceback (most recent call last)" in debug.stderr
    assert "sqlalchemy.exc.OperationalError" in debug.stderr


def test_validate_reads_a_pack_also_on_the_pack_path_once(run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pack = tmp_path / "once"
    pack.mkdir()
    (pack / "pack.yaml").write_text("kind: Pack\nname: once\nversion: 1.0.0\n")
    (pack / "thing.yaml").write_text("kind: Entity\nname: thing\nfields:\n  - {name: a, type: strin}\n")
    monkeypatch.setenv("FORMWORK_PACK_PATH", str(pack))
    monkeypatch.chdir(tmp_path)
    result = run("validate", "once")
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        (
            f"{pack / 'thing.yaml'}:4 at fields[0].type: unknown field type 'strin'; expected one of: auto_number, boolean, "
            "child_table, choice, date, datetime, decimal, email, file, formula, image, integer, json, many_to_many, money, "
            "multi_choice, percent, phone, rating, reference, rich_text, rollup, string, text, time, url, user"
        )
    ]

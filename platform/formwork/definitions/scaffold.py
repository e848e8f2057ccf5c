"""`formwork pack new NAME`: a pack folder to start from, which passes `formwork validate` as written.

It shows one of each thing most packs have (an entity with fields of several types, its form and list view, a
role, a seed, a scenario test), one kind per file so that each file's modeline points at its kind's JSON Schema.
The schemas are written into the pack (`schemas/`, what `formwork schema export` writes), so an editor completes
and checks the files offline and against the Formwork release that made them. docs/implementers.md goes on from
here.
"""

from __future__ import annotations

import re
from pathlib import Path
from string import Template

from ..meta.yamlload import parse_documents
from .checks import TENANT_PACK
from .distributions import PACK_FILE
from .jsonschemas import exported_schema_files
from .loader import SCENARIO_FOLDER, find_pack_folders, pack_locations

#: where the JSON Schemas go inside the new pack
SCHEMA_FOLDER = "schemas"
#: the entity every new pack starts with
ENTITY = "task"
#: the new pack's role is `<pack>_user`: role names are one namespace across a tenant's packs
ROLE_SUFFIX = "_user"
#: identifiers are at most 48 characters (meta/schemas/_defs.json); the role's name must fit too
MAX_NAME = 48 - len(ROLE_SUFFIX)
NAME_PATTERN = re.compile(r"[a-z][a-z0-9_]*")


class ScaffoldRefused(Exception):
    """The name or folder a new pack cannot have; the message says why, in one line."""


class _Text(Template):
    """The files' templates: `%pack`, `%label`, `%role`; YAML's `$` and braces stay as written."""

    delimiter = "%"


#: path inside the pack -> (schema kind of its modeline, or None; the text)
FILES: dict[str, tuple[str | None, str]] = {
    PACK_FILE: (
        "pack",
        """\
# The pack: its name (the prefix of its tables and API paths), its version (semantic: docs/implementers.md,
# "Versions") and the packs it builds on. Check it with `formwork validate`.
kind: Pack
name: %pack
version: 0.1.0
label: {en: %label, zh: %label}
description: {en: "%label: tasks to start from", zh: "%label：示例任务"}
icon: fa-folder-open
requires:
  core: ">=0.1.0"
""",
    ),
    f"{ENTITY}.entity.yaml": (
        "entity",
        """\
# An entity: the table %{pack}_task, its screens and its REST API (/t/<tenant>/api/v1/%{pack}_task/).
kind: Entity
name: task
label: {en: Task, zh: 任务}
plural: {en: Tasks, zh: 任务}
icon: fa-list-check
title_field: title
fields:
  - {name: title, type: string, label: {en: Title, zh: 标题}, required: true, max_length: 200}
  - name: status
    type: choice
    label: {en: Status, zh: 状态}
    default: open
    choices:
      - {value: open, label: {en: Open, zh: 待办}, color: blue}
      - {value: done, label: {en: Done, zh: 已完成}, color: green}
  - {name: due_date, type: date, label: {en: Due date, zh: 截止日期}}
  - {name: hours, type: decimal, label: {en: Hours, zh: 工时}, min: 0, precision: 1}
  - {name: assignee, type: reference, target: core.employee, label: {en: Assignee, zh: 负责人}}
  - {name: notes, type: text, label: {en: Notes, zh: 备注}}
""",
    ),
    f"{ENTITY}.form.yaml": (
        "form",
        """\
# How the task's add, edit and show screens lay its fields out.
kind: Form
entity: task
sections:
  - label: {en: Task, zh: 任务}
    columns: 2
    fields: [title, status, assignee, due_date, hours]
  - label: {en: Notes, zh: 备注}
    fields: [notes]
""",
    ),
    f"{ENTITY}.listview.yaml": (
        "listview",
        """\
# The task list: its menu entry, columns, sort and quick search.
kind: ListView
entity: task
label: {en: Tasks, zh: 任务}
columns: [title, status, assignee, due_date, hours]
sort: due_date
search: [title, notes]
""",
    ),
    "roles.yaml": (
        "role",
        """\
# A role a tenant admin gives to users; its holders see their own tasks and those assigned to them.
kind: Role
name: %role
label: {en: %label user, zh: %label 用户}
description: {en: Works on tasks, zh: 处理任务}
rights:
  task: [read, create, edit, delete, export, import]
  core.employee: [read]
records:
  task: [own, {user_field: assignee}]
""",
    ),
    "seeds.yaml": (
        "seed",
        """\
# Records loaded once into a tenant that installs the pack.
kind: Seed
name: first_tasks
entity: task
label: {en: First tasks, zh: 初始任务}
records:
  - {title: {en: Try the task list, zh: 试用任务列表}, status: done}
  - {title: {en: Plan the first week, zh: 安排第一周}, hours: 1.5}
""",
    ),
    f"{SCENARIO_FOLDER}/{ENTITY}.yaml": (
        None,
        """\
# A scenario test (not a definition): `formwork pack test` runs it on a throw-away tenant, and so does pytest.
scenario: A task is created and done
given:
  users:
    - {name: alice, roles: [%pack.%role]}
when:
  - {create: %pack.task, as: t1, by: alice, values: {title: Write the first scenario, hours: 2}}
  - {update: t1, by: alice, values: {status: done}}
  - {create: %pack.task, by: alice, values: {hours: 1}, error: {field: title}}
then:
  - {record: t1, fields: {title: Write the first scenario, status: done}}
""",
    ),
}


def new_pack(name: str, out: Path) -> list[Path]:
    """Write the pack `name` into `out/name/`: its files, then the JSON Schemas they point at. Returns the files."""
    folder = out / name
    refused = name_problem(name) or folder_problem(folder)
    if refused:
        raise ScaffoldRefused(refused)
    written = []
    for path, text in [*pack_files(name).items(), *_schema_files().items()]:
        target = folder / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        written.append(target)
    return written


def pack_files(name: str) -> dict[str, str]:
    """The definition and test files of the new pack `name`, path inside it -> text."""
    values = {"pack": name, "label": name.replace("_", " ").capitalize(), "role": f"{name}{ROLE_SUFFIX}"}
    return {path: _modeline(path, kind) + _Text(text).substitute(values) for path, (kind, text) in FILES.items()}


def _modeline(path: str, kind: str | None) -> str:
    """The first line that points yaml-language-server (VS Code's YAML extension…) at the file's schema."""
    if kind is None:
        return ""
    up = "../" * path.count("/")
    return f"# yaml-language-server: $schema={up}{SCHEMA_FOLDER}/{kind}.schema.json\n"


def _schema_files() -> dict[str, str]:
    return {f"{SCHEMA_FOLDER}/{name}": text for name, text in exported_schema_files().items()}


def name_problem(name: str) -> str | None:
    """Why `name` cannot name a new pack, or None."""
    if not NAME_PATTERN.fullmatch(name):
        return f"'{name}' is not a pack name: lower-case letters, digits and _, starting with a letter"
    if len(name) > MAX_NAME:
        return f"'{name}' is too long for a pack name: at most {MAX_NAME} characters"
    if name == TENANT_PACK:
        return f"'{name}' is the pack of a tenant's own definitions; choose another name"
    taken = _packs_on_path().get(name)
    if taken:
        return f"a pack named '{name}' is on the pack path already: {taken}; choose another name"
    return None


def folder_problem(folder: Path) -> str | None:
    return f"{folder} exists already; choose another name or --out" if folder.exists() else None


def _packs_on_path() -> dict[str, str]:
    """The names of the packs on the pack path, and where each is; a pack the new one would clash with."""
    found = {}
    for location in find_pack_folders(pack_locations()[0]):
        documents, _errors = parse_documents((location.path / PACK_FILE).read_text(encoding="utf-8"), PACK_FILE)
        names = [doc.data.get("name") for doc in documents if doc.kind == "Pack"]
        if names and isinstance(names[0], str):
            found[names[0]] = location.describe()
    return found

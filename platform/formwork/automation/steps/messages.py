"""The steps that tell people: a notification (inbox, and e-mail as each person chose) and an e-mail.

Both go through the core's notices port (tenancy/notices.py) inside the triggering transaction: the notification
and its outbox row exist exactly when the save commits, and the worker sends the mail afterwards, retried with
backoff and never twice (notify/outbox.py). Texts are written per language with `{field}` placeholders (and
`{record}`, the record's title), filled with the record's values when the step runs, in each language.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from ...fields import field_type, kind_of
from ...i18n import LANGUAGES, Label, say
from ...meta.model import STANDARD_COLUMNS, EntityDef, FieldDef
from ...placeholders import fill, placeholder_problems, placeholders
from ...tenancy.directory import EMPLOYEE, Directory
from ...tenancy.notices import AUTOMATED, notices
from .. import check_texts as says
from .base import Step, StepFailed, StepRun, StepScope

TEXT = {"$ref": "#/$defs/label", "description": "per language; {field} is the record's value, {record} its title"}
PEOPLE = {
    "type": "object",
    "minProperties": 1,
    "additionalProperties": False,
    "properties": {
        "users": {"type": "array", "items": {"type": "string"}, "description": "users by login"},
        "roles": {"type": "array", "items": {"type": "string"}, "description": "every active holder of these roles"},
        "fields": {
            "type": "array",
            "items": {"$ref": "#/$defs/identifier"},
            "description": "user fields, employee references (and, for e-mails, e-mail fields) of the record",
        },
        "members_of": {
            "type": "array",
            "items": {"$ref": "#/$defs/identifier"},
            "description": "references (to a department) whose active employees are told",
        },
    },
}


class Recipients:
    """Who a step tells: users by login, holders of roles, and the people (or addresses) fields of the record hold."""

    def __init__(self, written: dict[str, Any], scope: StepScope, addresses: bool) -> None:
        self.users = tuple(written.get("users", ()))
        self.roles = tuple(written.get("roles", ()))
        self.fields: list[FieldDef] = []
        for index, name in enumerate(written.get("fields", ())):
            found = scope.field_of(scope.entity, name, ("to", "fields", index))
            if found is None:
                continue
            kind = kind_of(found)
            names_people = kind.refers_to_user or (kind.refers_to_record and found.target == EMPLOYEE)
            if names_people or (addresses and kind.holds_email_address):
                self.fields.append(found)
            else:
                wanted = says.NOT_PEOPLE_OR_ADDRESSES if addresses else says.NOT_PEOPLE
                scope.problem(("to", "fields", index), say(wanted, name=name))

        self.groups: list[tuple[FieldDef, str]] = []
        employee = scope.catalog.entities.get(EMPLOYEE)
        for index, name in enumerate(written.get("members_of", ())):
            found = scope.field_of(scope.entity, name, ("to", "members_of", index))
            link = _employee_link(employee, found)
            if found is not None and link is None:
                scope.problem(("to", "members_of", index), say(says.NOT_A_GROUP, name=name))
            elif found is not None and link is not None:
                self.groups.append((found, link))

    def people(self, run: StepRun) -> tuple[list[str], list[str]]:
        """(user names, e-mail addresses) for the record as it is now."""
        directory = Directory(run.session, run.models)
        names, addresses = list(self.users), []
        for role in self.roles:
            names += directory.role_holders(role)
        for found in self.fields:
            value = getattr(run.record, found.name, None) if run.record is not None else None
            kind = kind_of(found)
            if value is None:
                continue
            if kind.holds_email_address:
                addresses.append(str(value))
            elif kind.refers_to_user:
                names.append(value.username)
            elif getattr(value, "login", None):
                names.append(value.login)
        for found, link in self.groups:
            group = getattr(run.record, found.name, None) if run.record is not None else None
            if group is not None:
                names += _members(run, link, group.id)
        return sorted(set(names)), sorted(set(addresses))


class Texts:
    """A subject and body per language, checked for placeholders the entity has."""

    def __init__(self, written: dict[str, Any], scope: StepScope) -> None:
        self.subject, self.body = Label(written["subject"]), Label(written["body"])
        known = {f.name for f in scope.entity.fields} | set(STANDARD_COLUMNS) | {"record"}
        self.used: set[str] = set()
        for part in ("subject", "body"):
            for language, text in getattr(self, part).translations.items():
                where = (part, language) if isinstance(written[part], dict) else (part,)
                for problem in placeholder_problems(text, known, _unknown):
                    scope.problem(where, problem)
                self.used |= placeholders(text) & known

    def rendered(self, run: StepRun) -> tuple[dict[str, str], dict[str, str]]:
        values = _placeholder_values(run, self.used)
        return (
            {language: fill(self.subject.get(language), values) for language in LANGUAGES},
            {language: fill(self.body.get(language), values) for language in LANGUAGES},
        )


class Notify(Step):
    kind = "notify"
    description = "tell people in their inbox (and by e-mail, as each chose)"
    schema = {
        "type": "object",
        "required": ["to", "subject", "body"],
        "additionalProperties": False,
        "properties": {"to": PEOPLE, "subject": TEXT, "body": TEXT},
    }
    email = False

    def prepare(self, options: Any, scope: StepScope) -> None:
        self.recipients = Recipients(options["to"], scope, addresses=self.email)
        self.texts = Texts(options, scope)

    def run(self, run: StepRun) -> None:
        names, addresses = self.recipients.people(run)
        subject, body = self.texts.rendered(run)
        record_id = getattr(run.record, "id", None)
        notices().notify(
            run.session,
            event=AUTOMATED,
            recipients=names,
            entity=run.entity.qualified,
            record_id=record_id,
            actor=run.actor.username,
            data={"subject": _label(subject), "message": _label(body), "record": _title(run)},
            email=self.email,
        )
        if addresses:
            notices().mail(
                run.session,
                addresses=addresses,
                subject=subject,
                body=body,
                entity=run.entity.qualified,
                record_id=record_id,
                actor=run.actor.username,
            )


class Email(Notify):
    kind = "email"
    description = "send an e-mail to users, role holders, or the addresses in e-mail fields"
    schema = Notify.schema
    email = True


def _employee_link(employee: EntityDef | None, found: FieldDef | None) -> str | None:
    """The attribute of an employee that refers to what `found` refers to (their department), if there is one."""
    if employee is None or found is None or not kind_of(found).refers_to_record:
        return None
    links = [f for f in employee.fields if kind_of(f).refers_to_record and f.target == found.target]
    return field_type(links[0].type).attribute(links[0]) if links else None


def _members(run: StepRun, link: str, group_id: int) -> list[str]:
    """The logins of the active employees whose `link` is `group_id`."""
    model = run.models.model(EMPLOYEE)
    directory = Directory(run.session, run.models)
    query = sa.select(model.login).where(getattr(model, link) == group_id, model.login.is_not(None))
    return [login for login in run.session.scalars(query) if directory.is_active(login)]


def _placeholder_values(run: StepRun, used: set[str]) -> dict[str, str]:
    """The record's values the texts use, as text: a field formatted as its type shows it, a record by its title."""
    if run.record is None:
        raise StepFailed("the record was deleted; there is nothing to tell about")
    values = {"record": _title(run)}
    for name in used - {"record"}:
        value = getattr(run.record, name, None)
        found = run.entity.field(name)
        if value is None:
            values[name] = ""
        elif found is None or kind_of(found).refers_to_one:
            values[name] = str(value)
        else:
            values[name] = field_type(found.type).format_value(found, value)
    return values


def _unknown(name: str) -> str:
    return say(says.UNKNOWN_PLACEHOLDER, name=name)


def _title(run: StepRun) -> str:
    return "" if run.record is None else str(run.record)


def _label(texts: dict[str, str]) -> Label:
    return Label(texts)

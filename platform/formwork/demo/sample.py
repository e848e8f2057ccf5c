"""Sample records for the demo tenant: plausible, repeatable (fixed seed), in both languages' spirit.

Every sample record is saved through the record lifecycle (compile/lifecycle.save_record), as the REST API, imports
and seeds save theirs: the sample gets its defaults, formulas, rules, auto numbers and the features' record hooks,
and a sample that breaks a definition's rule is refused instead of stored. The writer is the system: the demo's
sign-ins are created after the sample, named after its employees (demo/users.py).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..actor import Actor
from ..compile.lifecycle import RecordRejected, save_record
from ..tenancy.runtime import TenantRuntime
from .users import ADMIN_JOB_TITLE, DEMO_USERS

Progress = Callable[[str], None]

SURNAMES = [
    "Wang",
    "Li",
    "Zhang",
    "Liu",
    "Chen",
    "Yang",
    "Huang",
    "Zhao",
    "Wu",
    "Zhou",
    "Smith",
    "Garcia",
    "Müller",
    "Rossi",
    "Tanaka",
]
GIVEN = [
    "Wei",
    "Fang",
    "Min",
    "Jing",
    "Lei",
    "Yan",
    "Tao",
    "Ying",
    "Anna",
    "James",
    "Maria",
    "Lukas",
    "Sofia",
    "Kenji",
    "Omar",
]
#: under the core pack's seeded head office (code HO)
DEPARTMENTS = [
    ("Sales", "SAL"),
    ("Marketing", "MKT"),
    ("Engineering", "ENG"),
    ("Finance", "FIN"),
    ("Human Resources", "HR"),
    ("Customer Service", "CS"),
    ("Operations", "OPS"),
]
COMPANY_WORDS = [
    "Blue",
    "Bright",
    "Golden",
    "Harbor",
    "Jade",
    "Lotus",
    "North",
    "Pacific",
    "Red",
    "Silver",
    "Summit",
    "Unity",
]
COMPANY_KINDS = [
    "Systems",
    "Foods",
    "Motors",
    "Logistics",
    "Medical",
    "Textiles",
    "Software",
    "Energy",
    "Retail",
    "Capital",
]
CITIES = [
    "Shanghai",
    "Beijing",
    "Shenzhen",
    "Hangzhou",
    "Chengdu",
    "Singapore",
    "Berlin",
    "London",
    "New York",
    "Tokyo",
]
TITLES = ["CEO", "CFO", "Purchasing Manager", "IT Director", "Operations Lead", "Sales Director", "Engineer"]
INDUSTRIES = ["technology", "manufacturing", "retail", "finance", "healthcare", "education"]
STAGES = ["prospecting", "qualification", "proposal", "negotiation", "won", "lost"]
LEAVE_TYPES = ["annual", "sick", "personal", "marriage", "maternity"]


class SampleRefused(Exception):
    """A sample record broke a rule of its entity's definition: the sample and the definitions disagree."""

    def __init__(self, entity: str, errors: dict[str, list[str]]) -> None:
        problems = "; ".join(f"{name}: {' '.join(map(str, messages))}" for name, messages in errors.items())
        super().__init__(f"a sample {entity} record cannot be saved: {problems}")
        self.entity, self.errors = entity, errors


class SampleData:
    """Saves related sample records entity by entity, keeping the records for references."""

    def __init__(self, runtime: TenantRuntime, session: Session, seed: int = 7) -> None:
        self.runtime = runtime
        self.session = session
        self.random = random.Random(seed)
        self.today = date(2026, 11, 2)

    def save(self, entity: str, values: dict[str, Any], record: Any = None) -> Any:
        """Create (or update `record`) through the record lifecycle, values keyed by field name (references as ids)."""
        try:
            return save_record(
                self.runtime,
                Actor.system(),
                self.runtime.catalog.entities[entity],
                record,
                values,
                session=self.session,
            )
        except RecordRejected as rejected:
            raise SampleRefused(entity, rejected.errors) from None

    def add(self, entity: str, rows: list[dict[str, Any]]) -> list[Any]:
        return [self.save(entity, row) for row in rows]

    def person(self) -> str:
        return f"{self.random.choice(GIVEN)} {self.random.choice(SURNAMES)}"

    def phone(self) -> str:
        return f"+86 1{self.random.randint(30, 89)} {self.random.randint(1000, 9999)} {self.random.randint(1000, 9999)}"

    def departments(self) -> list[Any]:
        model = self.runtime.compiled.model("core.department")
        head = self.session.scalars(select(model).where(model.code == "HO")).one()
        children = self.add("core.department", [{"name": n, "code": c, "parent": head.id} for n, c in DEPARTMENTS])
        return [head, *children]

    def employees(self, departments: list[Any], count: int) -> list[Any]:
        """Everyone active at first: the leavers leave once records are assigned to them (`retire_leavers`)."""
        employees: list[Any] = []
        for i in range(count):
            values = {
                # the demo's admin is the first employee, so "my" list views have records to show
                "name": self.person(),
                "login": "admin" if i == 0 else f"user{i + 1}",
                "email": f"user{i + 1}@demo.example",
                "phone": self.phone(),
                "department": departments[i % len(departments)].id,
                "job_title": self._job_title(i),
                "hire_date": self.today - timedelta(days=self.random.randint(30, 3000)),
            }
            if i >= len(departments):  # the first employees head the departments, and manage the others
                values["manager"] = employees[i % len(departments)].id
            employees.append(self.save("core.employee", values))
        for department, head in zip(departments, employees, strict=False):
            self.save("core.department", {"head": head.id}, department)
        return employees

    def retire_leavers(self, employees: list[Any]) -> None:
        """A few employees (never the admin or a demo sign-in) have left since accounts and opportunities were
        assigned to them: an owner must be active when assigned, so they leave last."""
        for i, employee in enumerate(employees):
            if i > 0 and i % 17 == 0:
                self.save("core.employee", {"active": False}, employee)

    def _job_title(self, i: int) -> str:
        drawn = self.random.choice(["Manager", "Specialist", "Engineer", "Assistant", "Director"])  # keeps the sequence
        if i == 0:
            return ADMIN_JOB_TITLE
        demo_user = DEMO_USERS.get(f"user{i + 1}")
        return demo_user.job_title if demo_user else drawn

    def accounts(self, owners: list[Any], count: int) -> list[Any]:
        names = [f"{w} {k}" for w in COMPANY_WORDS for k in COMPANY_KINDS]
        self.random.shuffle(names)
        return self.add(
            "crm.account",
            [
                {
                    "name": names[i],
                    "industry": self.random.choice(INDUSTRIES),
                    "website": f"https://www.{names[i].lower().replace(' ', '-')}.example",
                    "phone": self.phone(),
                    "email": f"info@{names[i].lower().replace(' ', '-')}.example",
                    "city": self.random.choice(CITIES),
                    "annual_revenue": Decimal(self.random.randint(5, 5000)) * 10000,
                    "employees": self.random.randint(5, 20000),
                    "owner": self.random.choice(owners).id,
                }
                for i in range(count)
            ],
        )

    def contacts(self, accounts: list[Any], count: int) -> list[Any]:
        return self.add(
            "crm.contact",
            [
                {
                    "name": self.person(),
                    "account": accounts[i % len(accounts)].id,
                    "title": self.random.choice(TITLES),
                    "email": f"contact{i + 1}@customer.example",
                    "phone": self.phone(),
                    "primary": i < len(accounts),
                }
                for i in range(count)
            ],
        )

    def opportunities(self, accounts: list[Any], owners: list[Any], count: int) -> list[Any]:
        rows = []
        for i in range(count):
            account = self.random.choice(accounts)
            stage = self.random.choice(STAGES)
            rows.append(
                {
                    "name": f"{account.name} — {self.random.choice(['Renewal', 'Expansion', 'Pilot', 'New licence', 'Upgrade'])} {i + 1}",
                    "account": account.id,
                    "stage": stage,
                    "amount": Decimal(self.random.randint(1, 500)) * 1000,
                    "probability": {"won": 100, "lost": 0}.get(stage, self.random.choice([10, 25, 50, 75, 90])),
                    "close_date": self.today + timedelta(days=self.random.randint(-90, 180)),
                    "owner": self.random.choice(owners).id,
                }
            )
        return self.add("crm.opportunity", rows)

    def contracts(self, opportunities: list[Any], count: int) -> list[Any]:
        """Contracts of some of the opportunities, a half-year or a year long, started lately or soon: a timeline's
        bars (crm.contract_timeline)."""
        chosen = self.random.sample(opportunities, min(count, len(opportunities)))
        rows = []
        for opportunity in chosen:
            start = self.today + timedelta(days=self.random.randint(-120, 90))
            rows.append(
                {
                    "title": f"{opportunity.name} — contract",
                    "account": opportunity.account_id,
                    "opportunity": opportunity.id,
                    "amount": opportunity.amount or Decimal(10000),
                    "start_date": start,
                    "end_date": start + timedelta(days=self.random.choice([182, 365])),
                    "owner": opportunity.owner_id,
                }
            )
        return self.add("crm.contract", rows)

    def leave_requests(self, employees: list[Any], count: int) -> list[Any]:
        rows = []
        for i in range(count):
            start = self.today + timedelta(days=self.random.randint(-60, 60))
            days = self.random.randint(1, 5)
            rows.append(
                {
                    "employee": self.random.choice(employees).id,
                    "leave_type": self.random.choice(LEAVE_TYPES),
                    "start_date": start,
                    "end_date": start + timedelta(days=days - 1),
                    "days": Decimal(days),
                    "reason": self.random.choice(
                        ["Family matters", "Travel", "Medical appointment", "Rest", "Wedding"]
                    ),
                }
            )
            if rows[-1]["leave_type"] == "sick":  # required for a sick leave of more than two days
                rows[-1]["certificate"] = f"MC-{i + 1:05d}"
        return self.add("oa.leave_request", rows)

    def announcements(self, departments: list[Any], count: int) -> list[Any]:
        topics = [
            "Office move",
            "Quarterly results",
            "Holiday schedule",
            "New expense policy",
            "Security training",
            "Team building",
            "System maintenance",
            "Welcome new colleagues",
        ]
        return self.add(
            "oa.announcement",
            [
                {
                    "title": f"{topics[i % len(topics)]} ({i + 1})",
                    "body": f"Details about {topics[i % len(topics)].lower()}.",
                    "department": self.random.choice([None, *(d.id for d in departments)]),
                    "published_at": datetime(2026, 11, 1, 9, 0) - timedelta(days=i),
                    "pinned": i < 3,
                }
                for i in range(count)
            ],
        )


EXPENSE_CATEGORIES = ["travel", "meals", "lodging", "office"]
ROOMS = ["lotus", "bamboo", "online"]


def _meetings(data: SampleData, employees: list[Any], count: int) -> list[Any]:
    topics = [
        "Weekly sales review",
        "Product planning",
        "Budget 2027",
        "Customer escalation",
        "Hiring sync",
        "Retrospective",
    ]
    meetings = [
        {
            "subject": f"{topics[i % len(topics)]} #{i + 1}",
            "starts_at": datetime(2026, 11, 2, 9, 30) + timedelta(days=i % 40, hours=i % 6),
            "duration": data.random.choice([30, 45, 60, 90]),
            "room": data.random.choice(ROOMS),
            "agenda": f"<p>Agenda for <b>{topics[i % len(topics)].lower()}</b>.</p>",
        }
        for i in range(count)
    ]
    for meeting in meetings:  # drawn after every meeting's values, so the seed gives the demo its usual meetings
        meeting["attendees"] = [e.id for e in data.random.sample(employees, 3)]
    return data.add("oa.meeting", meetings)


def _expense_claims(data: SampleData, employees: list[Any], count: int) -> list[Any]:
    claims = [
        {
            "employee": data.random.choice(employees).id,
            "title": f"{data.random.choice(['Client visit', 'Conference', 'Team dinner', 'Office supplies'])} {i + 1}",
            "submitted_on": data.today - timedelta(days=data.random.randint(0, 60)),
        }
        for i in range(count)
    ]
    for claim in claims:  # the lines are drawn after every claim's values, so the seed gives the usual claims
        claim["lines"] = [
            {
                "spent_on": claim["submitted_on"] - timedelta(days=n),
                "category": data.random.choice(EXPENSE_CATEGORIES),
                "description": "Receipt attached",
                "amount": Decimal(data.random.randint(20, 1500)),
            }
            for n in range(data.random.randint(1, 3))
        ]
    return data.add("oa.expense_claim", claims)


def load_sample_data(app: Flask, records: int = 60, progress: Progress = lambda _: None) -> dict[str, int]:
    """Fill the empty demo tenant of `app` in one transaction; returns how many records each entity got.

    Raises SampleRefused, having stored nothing, when a sample record breaks a rule of its definition."""
    runtime: TenantRuntime = app.extensions["formwork"]
    with app.app_context():  # a reference's choice filter (an active owner) is read in the tenant's app
        session = runtime.session()
        try:
            made = _fill(SampleData(runtime, session), records, progress)
            session.commit()
        except BaseException:
            session.rollback()
            raise
    return {entity: len(items) for entity, items in made.items()}


def _fill(data: SampleData, records: int, progress: Progress) -> dict[str, list[Any]]:
    compiled = data.runtime.compiled
    steps: list[tuple[str, Callable[[], list[Any]]]] = []
    made: dict[str, list[Any]] = {}
    steps.append(("core.department", data.departments))
    steps.append(("core.employee", lambda: data.employees(made["core.department"], records)))
    if "crm.account" in compiled.models:
        steps.append(("crm.account", lambda: data.accounts(made["core.employee"], records)))
        steps.append(("crm.contact", lambda: data.contacts(made["crm.account"], records * 2)))
        steps.append(
            ("crm.opportunity", lambda: data.opportunities(made["crm.account"], made["core.employee"], records))
        )
        steps.append(("crm.contract", lambda: data.contracts(made["crm.opportunity"], records // 3)))
    if "oa.leave_request" in compiled.models:
        steps.append(("oa.leave_request", lambda: data.leave_requests(made["core.employee"], records)))
        steps.append(("oa.announcement", lambda: data.announcements(made["core.department"], records)))
        steps.append(("oa.meeting", lambda: _meetings(data, made["core.employee"], records)))
        steps.append(("oa.expense_claim", lambda: _expense_claims(data, made["core.employee"], records)))
    for number, (entity, step) in enumerate(steps, start=1):
        made[entity] = step()
        progress(f"[{number}/{len(steps)}] {entity}: {len(made[entity])} records")
    data.retire_leavers(made["core.employee"])
    return made

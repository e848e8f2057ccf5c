"""Sample records for the demo tenant: plausible, repeatable (fixed seed), in both languages' spirit."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..compile.models import CompiledModels
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


class SampleData:
    """Inserts related sample records entity by entity, keeping the ids for references."""

    def __init__(self, session: Session, compiled: CompiledModels, seed: int = 7) -> None:
        self.session = session
        self.compiled = compiled
        self.random = random.Random(seed)
        self.today = date(2026, 11, 2)

    def add(self, entity: str, rows: list[dict[str, Any]]) -> list[Any]:
        model = self.compiled.model(entity)
        items = [model(**row) for row in rows]
        self.session.add_all(items)
        self.session.flush()
        return items

    def person(self) -> str:
        return f"{self.random.choice(GIVEN)} {self.random.choice(SURNAMES)}"

    def phone(self) -> str:
        return f"+86 1{self.random.randint(30, 89)} {self.random.randint(1000, 9999)} {self.random.randint(1000, 9999)}"

    def departments(self) -> list[Any]:
        model = self.compiled.model("core.department")
        head = self.session.scalars(select(model).where(model.code == "HO")).one()
        children = self.add("core.department", [{"name": n, "code": c, "parent_id": head.id} for n, c in DEPARTMENTS])
        return [head, *children]

    def employees(self, departments: list[Any], count: int) -> list[Any]:
        rows = []
        for i in range(count):
            name = self.person()
            rows.append(
                {
                    # the demo's admin is the first employee, so "my" list views have records to show
                    "name": name,
                    "login": "admin" if i == 0 else f"user{i + 1}",
                    "email": f"user{i + 1}@demo.example",
                    "phone": self.phone(),
                    "department_id": departments[i % len(departments)].id,
                    "job_title": self._job_title(i),
                    "hire_date": self.today - timedelta(days=self.random.randint(30, 3000)),
                    "active": i == 0 or i % 17 != 0,  # the admin and the demo sign-ins are active, a few others are not
                }
            )
        employees = self.add("core.employee", rows)
        for i, employee in enumerate(employees[len(departments) :], start=len(departments)):
            employee.manager_id = employees[i % len(departments)].id
        for department, head in zip(departments, employees, strict=False):
            department.head_id = head.id
        return employees

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
                    "owner_id": self.random.choice(owners).id,
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
                    "account_id": accounts[i % len(accounts)].id,
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
                    "account_id": account.id,
                    "stage": stage,
                    "amount": Decimal(self.random.randint(1, 500)) * 1000,
                    "probability": {"won": 100, "lost": 0}.get(stage, self.random.choice([10, 25, 50, 75, 90])),
                    "close_date": self.today + timedelta(days=self.random.randint(-90, 180)),
                    "owner_id": self.random.choice(owners).id,
                }
            )
        return self.add("crm.opportunity", rows)

    def leave_requests(self, employees: list[Any], count: int) -> list[Any]:
        rows = []
        for _ in range(count):
            start = self.today + timedelta(days=self.random.randint(-60, 60))
            days = self.random.randint(1, 5)
            rows.append(
                {
                    "employee_id": self.random.choice(employees).id,
                    "leave_type": self.random.choice(LEAVE_TYPES),
                    "start_date": start,
                    "end_date": start + timedelta(days=days - 1),
                    "days": Decimal(days),
                    "reason": self.random.choice(
                        ["Family matters", "Travel", "Medical appointment", "Rest", "Wedding"]
                    ),
                }
            )
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
                    "department_id": self.random.choice([None, *(d.id for d in departments)]),
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
    meetings = data.add(
        "oa.meeting",
        [
            {
                "subject": f"{topics[i % len(topics)]} #{i + 1}",
                "starts_at": datetime(2026, 11, 2, 9, 30) + timedelta(days=i % 40, hours=i % 6),
                "duration": data.random.choice([30, 45, 60, 90]),
                "room": data.random.choice(ROOMS),
                "agenda": f"<p>Agenda for <b>{topics[i % len(topics)].lower()}</b>.</p>",
            }
            for i in range(count)
        ],
    )
    for meeting in meetings:
        meeting.attendees = data.random.sample(employees, 3)
    return meetings


def _expense_claims(data: SampleData, employees: list[Any], count: int) -> list[Any]:
    claims = data.add(
        "oa.expense_claim",
        [
            {
                "employee_id": data.random.choice(employees).id,
                "title": f"{data.random.choice(['Client visit', 'Conference', 'Team dinner', 'Office supplies'])} {i + 1}",
                "submitted_on": data.today - timedelta(days=data.random.randint(0, 60)),
            }
            for i in range(count)
        ],
    )
    data.add(
        "oa.expense_line",
        [
            {
                "claim_id": claim.id,
                "spent_on": claim.submitted_on - timedelta(days=n),
                "category": data.random.choice(EXPENSE_CATEGORIES),
                "description": "Receipt attached",
                "amount": Decimal(data.random.randint(20, 1500)),
            }
            for claim in claims
            for n in range(data.random.randint(1, 3))
        ],
    )
    return claims


def load_sample_data(
    session: Session, compiled: CompiledModels, records: int = 60, progress: Progress = lambda _: None
) -> dict[str, int]:
    """Fill an empty demo tenant; returns how many records each entity got."""
    data = SampleData(session, compiled)
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
    if "oa.leave_request" in compiled.models:
        steps.append(("oa.leave_request", lambda: data.leave_requests(made["core.employee"], records)))
        steps.append(("oa.announcement", lambda: data.announcements(made["core.department"], records)))
        steps.append(("oa.meeting", lambda: _meetings(data, made["core.employee"], records)))
        steps.append(("oa.expense_claim", lambda: _expense_claims(data, made["core.employee"], records)))
    for number, (entity, step) in enumerate(steps, start=1):
        made[entity] = step()
        progress(f"[{number}/{len(steps)}] {entity}: {len(made[entity])} records")
    session.commit()
    return {entity: len(items) for entity, items in made.items()}

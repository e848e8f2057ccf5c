"""What the platform services cost on a tenant with realistic volume: import, a record's page, the inbox, the home page, export.

Run from the repository root:

    .venv/bin/python bench/services.py                       # SQLite, about a minute
    .venv/bin/python bench/services.py --postgres postgresql://postgres@127.0.0.1:5432/test
    .venv/bin/python bench/services.py --opportunities 5000 --runs 5   # a quicker run

It makes a throw-away instance (with --postgres, a throw-away database,
dropped afterwards) with one tenant on the core, crm and oa packs, and fills it
in bulk (one multi-row INSERT per table, not one ORM save per row): 20
departments, `--accounts` accounts, `--opportunities` opportunities owned by the
employees and `--leave` leave requests. The sales director `dora` is an
employee of Sales, whose department tree (Sales and four regions) owns about
a quarter of the opportunities. Then, as the admin unless said otherwise:

1. **import**: `--employees` employees as a CSV file through
   `POST /api/v1/core_employee/import`, first with `dry_run=1`, then for real
   (departments by name, managers by the name of an earlier row): rows per
   second and SQL statements per row. These are the employees the rest uses.
2. **record page**: `GET /crm_opportunity/show/<id>` of two opportunities with
   20 comments and 10 attachments each (uploaded through
   `POST /api/v1/records/crm_opportunity/<id>/attachments`), one with
   `--short` history entries, the other with `--long`: median time and SQL
   statements per request, which must not grow with the history.
3. **notifications**: with `--notifications` notifications (a third unread),
   the inbox screen `GET /notifications/` and the unread badge's API
   `GET /api/v1/notifications/unread`.
4. **home**: the tenant's `/` (the crm Sales dashboard) as `dora` (record
   rules: her department tree) and as the admin (everything), and the charts'
   data `GET /dashboards/crm.sales/data`.
5. **export**: the opportunities' default list view, every row, as CSV and
   XLSX from the list screen (`/crm_opportunity/view/default/export/<kind>`),
   and as CSV from the API (`/api/v1/crm_opportunity/export`).

SQL statements are counted with a `before_cursor_execute` listener on the
tenant's engine, over one request after a warm-up request. See
docs/performance.md for figures.
"""

from __future__ import annotations

import argparse
import io
import random
import statistics
import time
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from clients import bearer, browser, counting
from scratch import quiet_logs, throwaway_platform

SLUG = "services"
PASSWORD = "bench-password-1"
DIRECTOR = "dora"
PREFIX = f"/t/{SLUG}"
#: (code, name, parent code): Sales and its regions are the director's tree
DEPARTMENTS = [
    ("S", "Sales", "HO"),
    ("SN", "Sales North", "S"),
    ("SS", "Sales South", "S"),
    ("SE", "Sales East", "S"),
    ("SW", "Sales West", "S"),
] + [(f"D{n:02d}", f"Department {n:02d}", "HO") for n in range(1, 15)]
STAGES = ["prospecting", "qualification", "proposal", "negotiation", "won", "lost"]
INDUSTRIES = ["technology", "manufacturing", "retail", "finance", "healthcare", "education"]


# -- measuring -------------------------------------------------------------------------------------------------
def ok(response: Any, status: int = 200) -> Any:
    if response.status_code != status:
        raise RuntimeError(f"HTTP {response.status_code} (wanted {status}): {response.get_data(as_text=True)[:300]}")
    return response


def measured(engine: Any, call: Callable[[], Any], runs: int) -> tuple[float, int, Any]:
    """(median seconds over `runs` calls after one warm-up, SQL statements of one call, its response)."""
    ok(call())
    with counting(engine) as statements:
        response = ok(call())
    samples = []
    for _ in range(runs):
        began = time.perf_counter()
        ok(call()).get_data()
        samples.append(time.perf_counter() - began)
    return statistics.median(samples), len(statements), response


def once(engine: Any, call: Callable[[], Any]) -> tuple[float, int, Any]:
    """(seconds, SQL statements, response) of one call, its body read to the end (exports stream)."""
    with counting(engine) as statements:
        began = time.perf_counter()
        response = ok(call())
        response.get_data()
        seconds = time.perf_counter() - began
    return seconds, len(statements), response


# -- the tenant and its data -----------------------------------------------------------------------------------
def tenant(settings: Any, catalog: Any) -> Any:
    """The tenant, its departments, and the sales director's user (her employee record comes with the import)."""
    from formwork.tenancy.apps import build_tenant_app
    from formwork.tenancy.provision import create_tenant

    found = create_tenant(settings, catalog, SLUG, "Services bench", ["core", "crm", "oa"], "admin", PASSWORD)
    app = build_tenant_app(settings, found, catalog)
    with app.app_context():
        sm = app.appbuilder.sm
        sm.add_user(
            DIRECTOR, "Dora", "Director", "dora@example.com", [sm.find_role("sales_director")], password=PASSWORD
        )
    runtime = app.extensions["formwork"]
    department = runtime.compiled.model("core.department").__table__
    with runtime.session.get_bind().begin() as conn:
        ids = dict(conn.execute(department.select().with_only_columns(department.c.code, department.c.id)).all())
        for code, name, parent in DEPARTMENTS:  # one at a time: each names its parent's id
            ids[code] = conn.execute(
                department.insert().values(name=name, code=code, parent_id=ids[parent])
            ).inserted_primary_key[0]
    return found, app


def employees_csv(count: int) -> bytes:
    """`count` employees spread over the departments; the first of each department manages the others; `dora` is
    the first of Sales."""
    lines = ["name,login,email,phone,department,manager,job_title,hire_date,active"]
    heads: dict[str, str] = {}
    for n in range(count):
        _code, department, _parent = DEPARTMENTS[n % len(DEPARTMENTS)]
        name, login = ("Dora Director", DIRECTOR) if n == 0 else (f"Employee {n:05d}", f"emp{n:05d}")
        manager = heads.setdefault(department, name)
        hired = date(2015, 1, 1) + timedelta(days=n % 3650)
        lines.append(
            f"{name},{login},{login}@example.com,+86 10 {n:08d},{department},"
            f"{'' if manager == name else manager},{'Manager' if manager == name else 'Associate'},"
            f"{hired.isoformat()},yes"
        )
    return ("\n".join(lines) + "\n").encode()


def import_employees(dispatcher: Any, engine: Any, count: int) -> dict[str, float]:
    client, auth = bearer(dispatcher, PREFIX, "admin", PASSWORD)
    data = employees_csv(count)
    figures: dict[str, float] = {}
    for step, query in (("dry run", "?dry_run=1"), ("apply", "")):
        with counting(engine) as statements:
            began = time.perf_counter()
            response = client.post(
                f"{PREFIX}/api/v1/core_employee/import{query}",
                data={"file": (io.BytesIO(data), "employees.csv")},
                headers=auth,
            )
            seconds = time.perf_counter() - began
        body = ok(response).json
        if body.get("created") != count or body.get("applied") != (step == "apply"):
            raise RuntimeError(f"import {step}: {body}")
        figures[f"{step} s"], figures[f"{step} sql"] = seconds, len(statements)
    return figures


def fill(runtime: Any, accounts: int, opportunities: int, leave: int) -> list[int]:
    """Accounts, opportunities and leave requests in bulk; returns the opportunity ids owned in the Sales tree."""
    import sqlalchemy as sa

    from formwork.compile.models import utcnow

    rng = random.Random(7)
    models = runtime.compiled
    employee, department = models.model("core.employee").__table__, models.model("core.department").__table__
    account, opportunity = models.model("crm.account").__table__, models.model("crm.opportunity").__table__
    leave_request = models.model("oa.leave_request").__table__
    now = utcnow().replace(microsecond=0)
    with runtime.session.get_bind().begin() as conn:
        admin = conn.execute(sa.text("SELECT id FROM ab_user WHERE username = 'admin'")).scalar_one()
        sales = set(
            conn.execute(
                sa.select(department.c.id).where(department.c.code.in_([c for c, _n, p in DEPARTMENTS[:5]]))
            ).scalars()
        )
        people = conn.execute(sa.select(employee.c.id, employee.c.department_id).order_by(employee.c.id)).all()
        owners = [row.id for row in people]
        in_sales = {row.id for row in people if row.department_id in sales}
        conn.execute(
            account.insert(),
            [
                {
                    "name": f"Account {n:05d}",
                    "industry": INDUSTRIES[n % len(INDUSTRIES)],
                    "city": f"City {n % 40}",
                    "annual_revenue": Decimal(rng.randrange(100_000, 50_000_000)),
                    "employees": rng.randrange(5, 5000),
                    "owner_id": owners[n % len(owners)],
                    "created_by": admin,
                }
                for n in range(accounts)
            ],
        )
        account_ids = list(conn.execute(sa.select(account.c.id)).scalars())
        rows = []
        for n in range(opportunities):
            stage = STAGES[n % len(STAGES)]
            amount = Decimal(rng.randrange(1_000, 500_000))
            probability = 100 if stage == "won" else 0 if stage == "lost" else rng.choice([10, 25, 50, 75])
            created = now - timedelta(days=rng.randrange(0, 730), minutes=n)
            rows.append(
                {
                    "name": f"Opportunity {n:06d}",
                    "account_id": account_ids[n % len(account_ids)],
                    "stage": stage,
                    "amount": amount,
                    "probability": probability,
                    "weighted_amount": amount * probability / 100,
                    "close_date": (created + timedelta(days=rng.randrange(15, 120))).date(),
                    "owner_id": owners[rng.randrange(len(owners))],
                    "created_at": created,
                    "updated_at": created,
                    "created_by": admin,
                    "tags": ["renewal"] if n % 5 == 0 else [],
                }
            )
        conn.execute(opportunity.insert(), rows)
        open_amounts = (
            sa.select(sa.func.coalesce(sa.func.sum(opportunity.c.amount), 0))
            .where(opportunity.c.account_id == account.c.id, opportunity.c.stage.not_in(["won", "lost"]))
            .scalar_subquery()
        )
        counts = sa.select(sa.func.count()).where(opportunity.c.account_id == account.c.id).scalar_subquery()
        conn.execute(account.update().values(open_pipeline=open_amounts, opportunity_count=counts))  # the rollups
        conn.execute(
            leave_request.insert(),
            [
                {
                    "number": f"LV-2026-{n + 1:05d}",
                    "employee_id": owners[n % len(owners)],
                    "leave_type": "annual",
                    "start_date": date(2026, 1, 5) + timedelta(days=n % 300),
                    "end_date": date(2026, 1, 6) + timedelta(days=n % 300),
                    "days": Decimal(2),
                    "reason": f"holiday {n}",
                    "created_by": admin,
                }
                for n in range(leave)
            ],
        )
        return list(
            conn.execute(
                sa.select(opportunity.c.id)
                .where(opportunity.c.owner_id.in_(in_sales))
                .order_by(opportunity.c.id)
                .limit(2)
            ).scalars()
        )


def with_history(runtime: Any, dispatcher: Any, record_id: int, entries: int) -> None:
    """`entries` changes (as the recorder writes them), 20 comments among them and 10 attachments on one opportunity."""
    import sqlalchemy as sa

    from formwork.history.tables import CHANGES, COMMENTS

    opportunity = runtime.compiled.model("crm.opportunity").__table__
    employee = runtime.compiled.model("core.employee").__table__
    with runtime.session.get_bind().begin() as conn:
        created = conn.execute(sa.select(opportunity.c.created_at).where(opportunity.c.id == record_id)).scalar_one()
        people = conn.execute(sa.select(employee.c.id, employee.c.name).limit(20)).all()
        changes = [
            {
                "entity": "crm.opportunity",
                "record_id": record_id,
                "parent_entity": None,
                "parent_id": None,
                "action": "create",
                "actor": "admin",
                "at": created,
                "changes": {
                    "name": {"old": None, "new": f"Opportunity #{record_id}"},
                    "stage": {"old": None, "new": "prospecting"},
                },
            }
        ]
        for n in range(1, entries):
            before, after = people[n % len(people)], people[(n + 1) % len(people)]
            values = {
                "stage": {"old": STAGES[n % 4], "new": STAGES[(n + 1) % 4]},
                "amount": {"old": f"{1000 + n}.00", "new": f"{1001 + n}.00"},
            }
            if n % 3 == 0:
                values["owner"] = {
                    "old": {"id": before.id, "title": before.name},
                    "new": {"id": after.id, "title": after.name},
                }
            changes.append(
                {
                    "entity": "crm.opportunity",
                    "record_id": record_id,
                    "parent_entity": None,
                    "parent_id": None,
                    "action": "update",
                    "actor": DIRECTOR if n % 2 else "admin",
                    "at": created + timedelta(hours=n),
                    "changes": values,
                }
            )
        conn.execute(CHANGES.insert(), changes)
        conn.execute(
            COMMENTS.insert(),
            [
                {
                    "entity": "crm.opportunity",
                    "record_id": record_id,
                    "author": "admin",
                    "body": f"Called the customer, note {n}.",
                    "mentions": [],
                    "created_at": created + timedelta(hours=n * entries // 20, minutes=30),
                }
                for n in range(20)
            ],
        )
    client, auth = bearer(dispatcher, PREFIX, "admin", PASSWORD)
    files = [(io.BytesIO(f"minutes of meeting {n}\n".encode() * 50), f"minutes-{n:02d}.txt") for n in range(10)]
    ok(
        client.post(
            f"{PREFIX}/api/v1/records/crm_opportunity/{record_id}/attachments",
            data={"file": files},
            headers=auth,
            content_type="multipart/form-data",
        ),
        201,
    )


def notifications(runtime: Any, users: list[str], count: int) -> None:
    """`count` notifications for each of `users`, newest a third unread, about the first opportunities."""
    from formwork.compile.models import utcnow
    from formwork.notify.tables import NOTIFICATIONS

    events = ["approval_needed", "approval_decided", "mentioned", "followed_changed", "assigned"]
    now = utcnow().replace(microsecond=0)
    with runtime.session.get_bind().begin() as conn:
        for user in users:
            conn.execute(
                NOTIFICATIONS.insert(),
                [
                    {
                        "recipient": user,
                        "event": events[n % len(events)],
                        "entity": "crm.opportunity",
                        "record_id": n % 500 + 1,
                        "actor": "admin" if user != "admin" else DIRECTOR,
                        "data": {
                            "record": f"Opportunity {n % 500:06d}",
                            "comment": "Please have a look.",
                            "fields": "Stage",
                            "changes": "Stage: Proposal → Negotiation",
                            "chain": "Discount",
                            "step": "Manager",
                            "outcome": "approved",
                        },
                        "in_app": True,
                        "created_at": now - timedelta(minutes=count - n),
                        "read_at": None if n >= count * 2 // 3 else now,
                    }
                    for n in range(count)
                ],
            )


# -- the run ----------------------------------------------------------------------------------------------------
def run(args: argparse.Namespace) -> None:
    from formwork import create_app
    from formwork.config import Settings
    from formwork.definitions.loader import require_catalog
    from formwork.tenancy.registry import upgrade_platform_db
    from formwork.tenancy.storage import tenant_engine

    settings = Settings.from_env()
    upgrade_platform_db(settings.database_url)
    catalog = require_catalog()
    backend = "PostgreSQL" if settings.is_postgres else "SQLite"
    print(
        f"Formwork services benchmark on {backend}: {args.employees} employees (imported), {args.accounts} accounts, "
        f"{args.opportunities} opportunities, {args.leave} leave requests"
    )
    started = time.perf_counter()
    found, app = tenant(settings, catalog)
    runtime = app.extensions["formwork"]
    engine = tenant_engine(settings, found)
    dispatcher = create_app(settings, catalog)
    table: list[tuple[str, str, str]] = []

    imported = import_employees(dispatcher, engine, args.employees)
    for step in ("dry run", "apply"):
        table.append(
            (
                f"import {args.employees} employees (CSV, API), {step}",
                f"{args.employees / imported[f'{step} s']:.0f} rows/s ({imported[f'{step} s']:.1f} s)",
                f"{imported[f'{step} sql']} ({imported[f'{step} sql'] / args.employees:.1f} per row)",
            )
        )

    began = time.perf_counter()
    short, long = fill(runtime, args.accounts, args.opportunities, args.leave)
    with_history(runtime, dispatcher, short, args.short)
    with_history(runtime, dispatcher, long, args.long)
    notifications(runtime, ["admin", DIRECTOR], args.notifications)
    print(f"  filled in bulk in {time.perf_counter() - began:.1f} s")

    admin, director = browser(dispatcher, PREFIX, "admin", PASSWORD), browser(dispatcher, PREFIX, DIRECTOR, PASSWORD)
    api, auth = bearer(dispatcher, PREFIX, "admin", PASSWORD)
    pages: dict[int, int] = {}
    for record_id, entries in ((short, args.short), (long, args.long)):
        seconds, sql, page = measured(
            engine, lambda r=record_id: admin.get(f"{PREFIX}/crm_opportunity/show/{r}"), args.runs
        )
        text = page.get_data(as_text=True)
        if "minutes-09.txt" not in text or "Called the customer" not in text:
            raise RuntimeError(f"the show page of opportunity {record_id} lacks its attachments or comments")
        pages[entries] = sql
        table.append(
            (
                f"record page, {entries} history entries, 20 comments, 10 attachments",
                f"{seconds * 1000:.0f} ms",
                str(sql),
            )
        )
    if pages[args.short] != pages[args.long]:
        print(
            f"  !! the record page runs {pages[args.short]} statements with {args.short} entries, "
            f"{pages[args.long]} with {args.long}"
        )

    seconds, sql, page = measured(engine, lambda: admin.get(f"{PREFIX}/notifications/"), args.runs)
    if "fw-unread" not in page.get_data(as_text=True):
        raise RuntimeError("the inbox shows no unread badge")
    table.append(
        (f"notifications inbox screen, {args.notifications} notifications", f"{seconds * 1000:.0f} ms", str(sql))
    )
    seconds, sql, page = measured(
        engine, lambda: api.get(f"{PREFIX}/api/v1/notifications/unread", headers=auth), args.runs
    )
    table.append((f"unread badge (API), {page.json['count']} counted", f"{seconds * 1000:.1f} ms", str(sql)))

    for who, client in ((DIRECTOR, director), ("admin", admin)):
        seconds, sql, page = measured(engine, lambda c=client: c.get(f"{PREFIX}/"), args.runs)
        if "fw-number" not in page.get_data(as_text=True):
            raise RuntimeError(f"{who}'s home page is not the Sales dashboard")
        table.append(
            (
                f"home (crm Sales dashboard) as {who}, {args.opportunities} opportunities",
                f"{seconds * 1000:.0f} ms",
                str(sql),
            )
        )
        seconds, sql, page = measured(engine, lambda c=client: c.get(f"{PREFIX}/dashboards/crm.sales/data"), args.runs)
        errors = [chart for chart in page.json["charts"] if "error" in chart]
        if errors:
            raise RuntimeError(f"charts failed for {who}: {errors}")
        table.append((f"dashboard data (JSON, 3 charts) as {who}", f"{seconds * 1000:.0f} ms", str(sql)))

    for label, call, kind in (
        ("list screen", lambda: admin.get(f"{PREFIX}/crm_opportunity/view/default/export/csv"), "CSV"),
        ("list screen", lambda: admin.get(f"{PREFIX}/crm_opportunity/view/default/export/xlsx"), "XLSX"),
        ("API", lambda: api.get(f"{PREFIX}/api/v1/crm_opportunity/export?format=csv", headers=auth), "CSV"),
    ):
        seconds, sql, response = once(engine, call)
        rows = response.get_data(as_text=True).count("\n") - 1 if kind == "CSV" else None
        if rows is not None and rows != args.opportunities:
            raise RuntimeError(f"the {label} CSV export has {rows} rows, not {args.opportunities}")
        table.append((f"export {args.opportunities} opportunities to {kind} ({label})", f"{seconds:.1f} s", str(sql)))
        if sql > args.opportunities // 10:
            print(
                f"  !! export to {kind} ({label}): {sql} SQL statements for {args.opportunities} rows: the rows' "
                f"references (account, owner) are loaded one query per record and batch of 500 rows"
            )

    width = max(len(row[0]) for row in table)
    print(f"\n  {'':{width}}  {'time':>24}  SQL statements")
    for what, figure, sql in table:
        print(f"  {what:{width}}  {figure:>24}  {sql}")
    print(f"\n  whole run {time.perf_counter() - started:.0f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--employees", type=int, default=2000, help="employees imported from CSV")
    parser.add_argument("--accounts", type=int, default=2000)
    parser.add_argument("--opportunities", type=int, default=20000)
    parser.add_argument("--leave", type=int, default=5000, help="leave requests")
    parser.add_argument(
        "--notifications", type=int, default=1000, help="notifications of the admin and of the director"
    )
    parser.add_argument("--short", type=int, default=20, help="history entries of the first record page")
    parser.add_argument("--long", type=int, default=200, help="history entries of the second record page")
    parser.add_argument("--runs", type=int, default=10, help="timed requests per page")
    parser.add_argument("--postgres", metavar="URL", help="a PostgreSQL server (a database is created and dropped)")
    parser.add_argument("--keep", action="store_true", help="keep the instance folder")
    args = parser.parse_args()
    quiet_logs()
    with throwaway_platform("services", args.postgres, args.keep):
        run(args)


if __name__ == "__main__":
    main()

"""What the approval engine costs: decisions per second through the REST API, and one user's inbox with many tasks.

Run from the repository root:

    .venv/bin/python bench/approvals.py --postgres postgresql://postgres@127.0.0.1:5432/test
    .venv/bin/python bench/approvals.py                      # SQLite
    .venv/bin/python bench/approvals.py --tasks 2000 --approvers 8 --per-approver 100

It makes a throw-away instance (with --postgres, a throw-away database,
dropped afterwards) with one tenant on the core and oa packs and a company:
`--approvers` managers, each with one employee who files leave requests
(two days: the leave chain asks the manager only).

1. **decisions**: every employee submits `--per-approver` requests; then one
   thread per manager, each with its own JWT, approves its tasks through
   `POST /api/v1/approvals/tasks/<id>/approve`, all threads at once. Printed:
   decisions per second (wall clock) and the median and p95 of one decision.
   Threads share one process (and its GIL), as the threads of one waitress
   server do; every response is checked and every request ends approved.
2. **inbox**: one more manager gets `--tasks` open tasks; the median and p95
   of their inbox through the API (`GET /api/v1/approvals/inbox/todo`, first
   page) and the inbox screen (`GET /approvals/`, with the menu counts), and
   the SQL statements one screen request runs.

See docs/performance.md for figures.
"""

from __future__ import annotations

import argparse
import statistics
import threading
import time
from datetime import date
from typing import Any

from clients import bearer, browser, statements_of
from scratch import quiet_logs, throwaway_platform

SLUG = "approvals"
PASSWORD = "bench-password-1"


def company(settings: Any, catalog: Any, approvers: int) -> Any:
    """The tenant, its users and employees: managers mgr1.. with one employee each, and `boss` with `clerk`."""
    from formwork.tenancy.apps import build_tenant_app
    from formwork.tenancy.provision import create_tenant
    from formwork.workflow.roles import APPROVER_RIGHTS

    tenant = create_tenant(settings, catalog, SLUG, "Approvals bench", ["core", "oa"], "admin", PASSWORD)
    app = build_tenant_app(settings, tenant, catalog)
    pairs = [(f"mgr{n}", f"emp{n}") for n in range(1, approvers + 1)] + [("boss", "clerk")]
    with app.app_context():
        sm = app.appbuilder.sm
        staff = sm.add_role("Staff")
        for right in APPROVER_RIGHTS:
            sm.add_permission_role(staff, sm.find_permission_view_menu(*right))
        for name in (person for pair in pairs for person in pair):
            sm.add_user(name, name.title(), "Bench", f"{name}@example.com", [staff], password=PASSWORD)
    runtime = app.extensions["formwork"]
    session = runtime.session()
    employee, department = runtime.compiled.model("core.employee"), runtime.compiled.model("core.department")
    office = department(name="Office", code="OFF")
    session.add(office)
    for manager, worker in pairs:
        boss = employee(name=manager.title(), login=manager, department=office)
        session.add(boss)
        session.flush()
        session.add(employee(name=worker.title(), login=worker, department=office, manager_id=boss.id))
    session.commit()
    runtime.session.remove()
    return app


def file_requests(app: Any, worker: str, count: int) -> list[int]:
    """`count` leave requests by `worker`, submitted; returns the approval instance ids."""
    import sqlalchemy as sa

    from formwork.workflow.engine import Approvals

    runtime = app.extensions["formwork"]
    session = runtime.session()
    user_id = session.execute(sa.text("SELECT id FROM ab_user WHERE username = :u"), {"u": worker}).scalar_one()
    employee = runtime.compiled.model("core.employee")
    who = session.query(employee).filter_by(login=worker).one().id
    leave = runtime.compiled.model("oa.leave_request")
    records = [
        leave(
            employee_id=who,
            leave_type="annual",
            start_date=date(2030, 5, 1),
            end_date=date(2030, 5, 2),
            days=2,
            reason=f"holiday {n}",
            created_by=user_id,
        )
        for n in range(count)
    ]
    session.add_all(records)
    session.commit()
    ids = [record.id for record in records]
    runtime.session.remove()
    approvals = Approvals(runtime)
    return [approvals.submit("oa.leave_request", record_id, worker) for record_id in ids]


def open_tasks(app: Any, user: str) -> list[int]:
    from formwork.workflow.engine import Approvals

    return [task.id for task in Approvals(app.extensions["formwork"]).pending_tasks(user)]


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


def decide_concurrently(dispatcher: Any, app: Any, approvers: int) -> tuple[float, list[float], int]:
    """Each manager approves all their tasks in their own thread; returns (seconds, latencies, decisions)."""
    work = []
    for n in range(1, approvers + 1):
        client, headers = bearer(dispatcher, f"/t/{SLUG}", f"mgr{n}", PASSWORD)
        work.append((client, headers, open_tasks(app, f"mgr{n}")))
    latencies: list[float] = []
    failures: list[str] = []
    lock = threading.Lock()
    start_line = threading.Barrier(len(work))

    def approve_all(client: Any, headers: dict[str, str], tasks: list[int]) -> None:
        start_line.wait()
        for task in tasks:
            began = time.perf_counter()
            response = client.post(
                f"/t/{SLUG}/api/v1/approvals/tasks/{task}/approve", json={"comment": "ok"}, headers=headers
            )
            spent = time.perf_counter() - began
            with lock:
                latencies.append(spent)
                if response.status_code != 200:
                    failures.append(f"task {task}: HTTP {response.status_code} {response.text[:200]}")

    threads = [threading.Thread(target=approve_all, args=item) for item in work]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - began
    if failures:
        raise RuntimeError(f"{len(failures)} decision(s) failed, e.g. {failures[0]}")
    return seconds, latencies, sum(len(tasks) for _, _, tasks in work)


def time_requests(call: Any, runs: int) -> list[float]:
    samples = []
    for _ in range(runs):
        began = time.perf_counter()
        response = call()
        samples.append(time.perf_counter() - began)
        if response.status_code != 200:
            raise RuntimeError(f"HTTP {response.status_code}: {response.text[:300]}")
    return samples


def run(args: argparse.Namespace) -> None:
    from formwork import create_app
    from formwork.config import Settings
    from formwork.definitions.loader import require_catalog
    from formwork.tenancy.registry import upgrade_platform_db

    settings = Settings.from_env()
    upgrade_platform_db(settings.database_url)
    catalog = require_catalog()
    backend = "PostgreSQL" if settings.is_postgres else "SQLite"
    print(
        f"Formwork approvals benchmark on {backend}: {args.approvers} approvers × {args.per_approver} requests, "
        f"an inbox of {args.tasks}"
    )
    app = company(settings, catalog, args.approvers)
    dispatcher = create_app(settings, catalog)

    began = time.perf_counter()
    for n in range(1, args.approvers + 1):
        file_requests(app, f"emp{n}", args.per_approver)
    submitted = args.approvers * args.per_approver
    print(f"  {submitted} requests submitted through the engine in {time.perf_counter() - began:.1f} s")
    seconds, latencies, decisions = decide_concurrently(dispatcher, app, args.approvers)
    if any(open_tasks(app, f"mgr{n}") for n in range(1, args.approvers + 1)):
        raise RuntimeError("some tasks are still open after every approver decided")
    print(
        f"  decisions through the API, {args.approvers} approvers at once: {decisions / seconds:.0f} per second "
        f"({decisions} in {seconds:.1f} s); one decision median {statistics.median(latencies) * 1000:.1f} ms, "
        f"p95 {percentile(latencies, 0.95) * 1000:.1f} ms"
    )

    began = time.perf_counter()
    file_requests(app, "clerk", args.tasks)
    print(f"  inbox of {args.tasks} open tasks for 'boss' filled in {time.perf_counter() - began:.1f} s")
    api, headers = bearer(dispatcher, f"/t/{SLUG}", "boss", PASSWORD)
    screen = browser(dispatcher, f"/t/{SLUG}", "boss", PASSWORD)
    api_times = time_requests(lambda: api.get(f"/t/{SLUG}/api/v1/approvals/inbox/todo", headers=headers), args.runs)
    screen_times = time_requests(lambda: screen.get(f"/t/{SLUG}/approvals/"), args.runs)
    sql = statements_of(lambda _i: screen.get(f"/t/{SLUG}/approvals/"), 0)
    print(
        f"  inbox with {args.tasks} open tasks: API median {statistics.median(api_times) * 1000:.1f} ms "
        f"(p95 {percentile(api_times, 0.95) * 1000:.1f}); screen median {statistics.median(screen_times) * 1000:.1f} ms "
        f"(p95 {percentile(screen_times, 0.95) * 1000:.1f}), {len(sql)} SQL statements per screen request"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--approvers", type=int, default=8)
    parser.add_argument("--per-approver", type=int, default=50, help="requests each approver decides")
    parser.add_argument("--tasks", type=int, default=1000, help="open tasks in the measured inbox")
    parser.add_argument("--runs", type=int, default=30, help="timed inbox requests")
    parser.add_argument("--postgres", metavar="URL", help="a PostgreSQL server (a database is created and dropped)")
    parser.add_argument("--keep", action="store_true", help="keep the instance folder")
    args = parser.parse_args()
    quiet_logs()
    with throwaway_platform("approvals", args.postgres, args.keep):
        run(args)


if __name__ == "__main__":
    main()

"""This checkout against an earlier revision, side by side: API create, API list and approval decisions.

Run from the repository root (a few minutes on 2 cores):

    .venv/bin/python bench/versus.py                     # against 2d089e1, the last commit before issue 13
    .venv/bin/python bench/versus.py --base REV --rounds 5

The earlier revision is checked out into a temporary git worktree. Each round runs one measuring process per tree,
alternating which goes first, each on its own throw-away SQLite instance with one tenant on the core and OA packs.
The trees differ only in the `formwork` package the process imports (PYTHONPATH); the measuring code is this file
for both. A process measures:

- create: `POST /api/v1/core_department/` through the tenant dispatcher (median of `--requests`);
- list: `GET /api/v1/core_department/`, a page over what was created (median of `--requests`);
- decision: `POST /api/v1/approvals/tasks/<id>/approve` by one manager, one request after another (median of
  `--decisions` leave requests submitted first).

Printed: per figure, the median over rounds of each tree's median, and this tree's time over the earlier one's.
The goal of issue 13 is a ratio of at most 1.05 for each.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from approvals import PASSWORD, SLUG, company, file_requests, open_tasks
from clients import bearer
from scratch import quiet_logs, throwaway_platform

ROOT = Path(__file__).resolve().parents[1]
BEFORE_ISSUE_13 = "2d089e1"
FIGURES = ("create", "list", "decision")


def probe(requests: int, decisions: int) -> dict[str, float]:
    """One tree's medians in milliseconds (run in a process of its own, with that tree's `formwork`)."""
    from formwork import create_app
    from formwork.config import Settings
    from formwork.tenancy.registry import upgrade_platform_db

    try:
        from formwork.definitions.loader import require_catalog
    except ImportError:  # the code before the core was layered kept the loader in meta
        from formwork.meta.loader import require_catalog  # type: ignore[no-redef]

    settings = Settings.from_env()
    upgrade_platform_db(settings.database_url)
    catalog = require_catalog()
    app = company(settings, catalog, approvers=1)
    dispatcher = create_app(settings, catalog)
    client, headers = bearer(dispatcher, f"/t/{SLUG}", "admin", PASSWORD)
    url = f"/t/{SLUG}/api/v1/core_department/"
    created = _timed(
        lambda n: client.post(url, json={"name": f"Department {n}", "code": f"D{n}"}, headers=headers), requests, 201
    )
    listed = _timed(lambda _n: client.get(url, headers=headers), requests, 200)
    file_requests(app, "emp1", decisions)
    approver, approver_headers = bearer(dispatcher, f"/t/{SLUG}", "mgr1", PASSWORD)
    tasks = iter(open_tasks(app, "mgr1"))
    decided = _timed(
        lambda _n: approver.post(
            f"/t/{SLUG}/api/v1/approvals/tasks/{next(tasks)}/approve", json={"comment": "ok"}, headers=approver_headers
        ),
        decisions,
        200,
    )
    return {"create": created, "list": listed, "decision": decided}


def _timed(call: Any, runs: int, status: int) -> float:
    """The median of `runs` calls of `call(n)` in ms, after a few untimed ones; every answer must be `status`."""
    samples = []
    for n in range(runs):
        began = time.perf_counter()
        response = call(n)
        samples.append(time.perf_counter() - began)
        if response.status_code != status:
            raise RuntimeError(f"HTTP {response.status_code}: {response.text[:300]}")
    return statistics.median(samples[min(5, runs // 4) :]) * 1000


def measure(tree: Path, requests: int, decisions: int) -> dict[str, float]:
    """Run `probe` in a fresh process importing `tree`'s formwork."""
    env = {**os.environ, "PYTHONPATH": str(tree / "platform")}
    env.pop("FORMWORK_INSTANCE", None)
    env.pop("FORMWORK_DATABASE_URL", None)
    command = [sys.executable, __file__, "--probe", str(requests), str(decisions)]
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"the probe failed on {tree}:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def compare(base: str, rounds: int, requests: int, decisions: int) -> None:
    with tempfile.TemporaryDirectory(prefix="formwork-versus-") as folder:
        earlier = Path(folder) / "earlier"
        subprocess.run(
            ["git", "worktree", "add", "--detach", str(earlier), base], cwd=ROOT, check=True, capture_output=True
        )
        try:
            results: dict[str, list[dict[str, float]]] = {"this": [], "earlier": []}
            for round_ in range(rounds):
                order = [("this", ROOT), ("earlier", earlier)]
                for name, tree in order if round_ % 2 == 0 else reversed(order):
                    results[name].append(measure(tree, requests, decisions))
                print(f"round {round_ + 1}/{rounds} done", file=sys.stderr)
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(earlier)], cwd=ROOT, check=False)
    print(f"This checkout against {base}: {rounds} rounds, {requests} requests and {decisions} decisions per process")
    print(f"{'':10}{'this (ms)':>12}{base + ' (ms)':>16}{'ratio':>8}")
    for figure in FIGURES:
        mine = statistics.median(r[figure] for r in results["this"])
        theirs = statistics.median(r[figure] for r in results["earlier"])
        print(f"{figure:10}{mine:12.2f}{theirs:16.2f}{mine / theirs:8.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--base", default=BEFORE_ISSUE_13, help=f"the earlier revision ({BEFORE_ISSUE_13})")
    parser.add_argument("--rounds", type=int, default=4, help="processes per tree (4)")
    parser.add_argument("--requests", type=int, default=150, help="timed creates and lists per process (150)")
    parser.add_argument("--decisions", type=int, default=60, help="timed decisions per process (60)")
    parser.add_argument("--probe", nargs=2, type=int, metavar=("REQUESTS", "DECISIONS"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    quiet_logs()
    if args.probe:
        with throwaway_platform("versus", None, keep=False):
            print(json.dumps(probe(*args.probe)))
        return
    compare(args.base, args.rounds, args.requests, args.decisions)


if __name__ == "__main__":
    main()

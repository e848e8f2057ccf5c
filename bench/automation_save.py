"""A save that fires three in-transaction automation steps, against the same save with no automation (issue 14).

Run from the repository root (a minute on 2 cores):

    .venv/bin/python bench/automation_save.py                # SQLite, 200 timed creates of each
    .venv/bin/python bench/automation_save.py --requests 400 --postgres postgresql://postgres@127.0.0.1:5432/postgres

One throw-away platform with a tenant on the core pack and a small pack of two entities with the same fields:
`plain` has no automation; `fired` has one, triggered by `created`, with three steps: `set` a field of the record
(folded into the save), `notify` a user, call a `webhook` (queued in the transaction). Both are created through the
REST API (`POST /api/v1/<entity>/`), alternately, so both see the same machine; printed: each one's median, and
fired over plain. Issue 14's goal: at most 1.3.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from clients import bearer
from scratch import quiet_logs, throwaway_platform

SLUG = "autobench"
PASSWORD = "Bench-Password-1"
GOAL = 1.3
ORDER = """kind: Entity
name: {name}
fields:
  - {{name: title, type: string, required: true}}
  - {{name: account, type: reference, target: account}}
  - {{name: amount, type: integer}}
  - {{name: state, type: string}}"""
PACK_TEXT = """kind: Pack
name: bench
version: 1.0.0
requires: {core: ">=0.1.0"}
---
kind: Entity
name: account
fields:
  - {name: name, type: string, required: true}
---
{plain}
---
{fired}
---
kind: Automation
name: three_steps
entity: fired
trigger: {type: created}
steps:
  - set: {state: received}
  - notify:
      to: {users: [sales]}
      subject: {en: "New order {title}"}
      body: {en: "{title}: {amount}"}
  - webhook: {url: "https://erp.example.com/orders", event: order.created}
"""
#: the two entities have the same fields: only the automation tells them apart
PACK = PACK_TEXT.replace("{plain}", ORDER.format(name="plain")).replace("{fired}", ORDER.format(name="fired"))


def measure(requests: int) -> dict[str, float]:
    from formwork import create_app
    from formwork.config import Settings
    from formwork.definitions.loader import builtin_definitions, require_catalog
    from formwork.tenancy.provision import create_tenant
    from formwork.tenancy.registry import upgrade_platform_db

    folder = Path(tempfile.mkdtemp(prefix="formwork-bench-pack-")) / "bench"
    folder.mkdir()
    (folder / "pack.yaml").write_text(PACK)
    settings = Settings.from_env()
    upgrade_platform_db(settings.database_url)
    catalog = require_catalog([builtin_definitions(), folder])
    create_tenant(settings, catalog, SLUG, "Bench", ["core", "bench"], "admin", PASSWORD)
    client, headers = bearer(create_app(settings, catalog), f"/t/{SLUG}", "admin", PASSWORD)
    api = f"/t/{SLUG}/api/v1"
    account = client.post(f"{api}/bench_account/", json={"name": "Acme"}, headers=headers).json["id"]
    timings: dict[str, list[float]] = {"plain": [], "fired": []}
    for number in range(requests + 10):
        for entity in ("plain", "fired"):
            body = {"title": f"order {number}", "account": account, "amount": number}
            started = time.perf_counter()
            answer = client.post(f"{api}/bench_{entity}/", json=body, headers=headers)
            elapsed = time.perf_counter() - started
            if answer.status_code != 201:
                raise RuntimeError(f"{entity}: {answer.status_code} {answer.text}")
            if number >= 10:  # the first requests warm caches up
                timings[entity].append(elapsed * 1000)
    return {entity: statistics.median(values) for entity, values in timings.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--postgres", help="a PostgreSQL server URL; default SQLite")
    parser.add_argument("--keep", action="store_true", help="keep the instance folder")
    args = parser.parse_args()
    quiet_logs()
    with throwaway_platform("automation", args.postgres, args.keep):
        medians = measure(args.requests)
    ratio = medians["fired"] / medians["plain"]
    print(f"create without automation: {medians['plain']:.2f} ms (median of {args.requests})")
    print(f"create firing three steps: {medians['fired']:.2f} ms (median of {args.requests})")
    print(f"ratio: {ratio:.2f} (goal: at most {GOAL})")


if __name__ == "__main__":
    main()

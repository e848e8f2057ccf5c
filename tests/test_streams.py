"""Streamed responses give their database connection back, read to the end or abandoned half-way.

CSV and XLSX exports (screens and API), the history API, the streamed import page and a tenant's export on delete
each read records in batches (a server-side cursor on PostgreSQL). A connection one of them keeps, checked out or
idle in transaction, is one fewer for every tenant on the server: a few dozen downloads would hang them all.
After every request the pools must have nothing checked out and, on PostgreSQL, no connection of the platform's
database may be idle in transaction (seen from a separate plain connection).
"""

from __future__ import annotations

import gc
import io
import json
from collections.abc import Iterator
from datetime import timedelta
from itertools import islice
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import sqlalchemy as sa
from werkzeug.test import Client, TestResponse

from conftest import Platform, csrf_token, jwt, login
from formwork.compile.models import utcnow
from formwork.history.api import COUNT_AHEAD
from formwork.history.tables import CHANGES
from formwork.tenancy import lifecycle
from formwork.tenancy.registry import Tenant, find_tenant, platform_engine, set_status
from formwork.tenancy.storage import tenant_engine

SLUG = "streams"
ACCOUNTS = 1200  # more than two batches of an export (500) and six of the history API (200)
RUNS = 50
#: an abandoned download reads the header and the first record (the query runs, its cursor stays open), then goes
ABANDON_AFTER = 2


@pytest.fixture(scope="module")
def site(platform: Platform) -> Any:
    """A crm tenant with ACCOUNTS accounts, the first of which has ACCOUNTS changes; the served app's runtime."""
    platform.tenant(SLUG, packs=["core", "crm"])
    apps = platform.app.tenant_apps
    runtime = apps.get(apps.tenant(SLUG)).extensions["formwork"]
    add_accounts(runtime, ACCOUNTS)
    first = first_account(runtime)
    start = utcnow()  # the records' clock: a history shows what happened since the record was created
    runtime.in_transaction(
        lambda s: s.execute(
            CHANGES.insert(),
            [
                {
                    "entity": "crm.account",
                    "record_id": first,
                    "action": "update",
                    "actor": "admin",
                    "at": start + timedelta(seconds=n),
                    "changes": {"city": {"old": str(n), "new": str(n + 1)}},
                }
                for n in range(ACCOUNTS)
            ],
        )
    )
    runtime.session.remove()
    return runtime


@pytest.fixture(autouse=True)
def collected() -> None:
    """What an earlier failed test leaked goes back to the pool first (the garbage collector returns an abandoned
    session's connection), so each test sees only its own."""
    gc.collect()


@pytest.fixture(scope="module")
def watcher(platform: Platform) -> Iterator[sa.Engine | None]:
    """A plain engine outside Formwork's pools (a new connection each time) to read pg_stat_activity; None on SQLite."""
    if platform.backend != "postgres":
        yield None
        return
    engine = sa.create_engine(platform.settings.database_url, poolclass=sa.pool.NullPool)
    yield engine
    engine.dispose()


def add_accounts(runtime: Any, count: int) -> None:
    """`count` accounts inserted in one statement (no screens, no history: only rows to stream)."""
    table = runtime.compiled.model("crm.account").__table__
    runtime.in_transaction(
        lambda s: s.execute(table.insert(), [{"name": f"Account {n:04}", "city": "Xiamen"} for n in range(count)])
    )
    runtime.session.remove()


def first_account(runtime: Any) -> int:
    model = runtime.compiled.model("crm.account")
    try:
        return runtime.in_transaction(lambda s: s.scalar(sa.select(sa.func.min(model.id))))
    finally:
        runtime.session.remove()


def idle_in_transaction(watcher: sa.Engine | None) -> list[str]:
    """The last statement of each connection to the platform's database that sits idle inside a transaction."""
    if watcher is None:
        return []
    with watcher.connect() as plain:
        return list(
            plain.scalars(
                sa.text(
                    "SELECT query FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() "
                    "AND state LIKE 'idle in transaction%'"
                )
            )
        )


def assert_nothing_left(platform: Platform, tenants: list[Tenant], watcher: sa.Engine | None, after: str) -> None:
    """No connection checked out of the platform's or the tenants' pools (one pool on PostgreSQL), none idle in
    transaction."""
    engines = [platform_engine(platform.settings.database_url), *(tenant_engine(platform.settings, t) for t in tenants)]
    pools = {id(e.pool): e.pool for e in engines}
    checked_out = [p.checkedout() for p in pools.values()]
    assert checked_out == [0] * len(pools), f"a connection is still checked out after {after}"
    assert idle_in_transaction(watcher) == [], f"a connection is idle in transaction after {after}"


def read(answer: TestResponse, abandon: bool) -> str:
    """The streamed body of `answer`, then its close(); `abandon`: only ABANDON_AFTER chunks of it, as a server
    reads before it closes the body of a client gone away."""
    try:
        assert answer.status_code == 200, answer.status_code
        chunks = islice(answer.response, ABANDON_AFTER) if abandon else answer.response
        return "".join(c.decode(errors="replace") if isinstance(c, bytes) else c for c in chunks)
    finally:
        answer.close()


def download(client: Client, url: str, headers: dict[str, str], abandon: bool, **query: Any) -> str:
    return read(client.get(url, headers=headers, query_string=query, buffered=False), abandon)


def test_exports_read_to_the_end_or_abandoned_leave_no_connection_behind(
    platform: Platform, site: Any, watcher: sa.Engine | None
) -> None:
    client = platform.client()
    login(client, SLUG)
    token = jwt(platform.client(), SLUG)
    exports = [(f"/t/{SLUG}/crm_account/view/default/export/{kind}", {}, {}) for kind in ("csv", "xlsx")]
    exports += [(f"/t/{SLUG}/api/v1/crm_account/export", token, {"format": kind}) for kind in ("csv", "xlsx")]
    tenant = find_tenant(platform.settings.database_url, SLUG)
    for run in range(RUNS):
        url, headers, query = exports[run % len(exports)]
        abandon = run // len(exports) % 2 == 1  # each export in turn, read whole one round, abandoned the next
        body = download(client, url, headers, abandon, **query)
        if "csv" in (url[-3:], query.get("format")):
            assert len(body.splitlines()) == (ABANDON_AFTER if abandon else ACCOUNTS + 1)
        assert_nothing_left(platform, [tenant], watcher, f"export {run + 1} ({url} {query}, abandoned: {abandon})")


def test_the_history_api_read_to_the_end_or_stopped_early_leaves_no_connection_behind(
    platform: Platform, site: Any, watcher: sa.Engine | None
) -> None:
    """A page reads the changes in chunks and stops COUNT_AHEAD past the page, its cursor still open."""
    client = platform.client()
    token = jwt(client, SLUG)
    url = f"/t/{SLUG}/api/v1/records/crm_account/{first_account(site)}/history"
    tenant = find_tenant(platform.settings.database_url, SLUG)
    pages = [({"page": 0}, 20 + COUNT_AHEAD), ({"page": 100, "action": "update"}, ACCOUNTS)]  # stops early / reads all
    for run in range(RUNS):
        query, count = pages[run % 2]
        abandon = run // 2 % 2 == 1
        assert json.loads(download(client, url, token, abandon, **query))["count"] == count  # one chunk: read whole
        assert_nothing_left(platform, [tenant], watcher, f"history {run + 1} ({query}, abandoned: {abandon})")


def test_the_streamed_import_page_leaves_no_connection_behind(
    platform: Platform, site: Any, watcher: sa.Engine | None
) -> None:
    """A check of more than 500 rows streams its progress; abandoned after the first progress line, it rolls back."""
    browser = platform.client()
    login(browser, SLUG)
    form = browser.get(f"/t/{SLUG}/crm_account/import/")
    rows = "name,city\n" + "".join(f"Imported {n},Quanzhou\n" for n in range(501))
    sent = browser.post(
        f"/t/{SLUG}/crm_account/import/",
        data={"csrf_token": csrf_token(form.text), "match_on": "", "file": (io.BytesIO(rows.encode()), "big.csv")},
    )
    preview = browser.get(sent.headers["Location"])
    check = {
        "csrf_token": csrf_token(preview.text),
        "column-0": "name",
        "column-1": "city",
        "match_on": "",
        "check": "",
    }
    tenant = find_tenant(platform.settings.database_url, SLUG)
    for run, abandon in enumerate((False, True, False, True), start=1):
        page = read(browser.post(f"/t/{SLUG}/crm_account/import/preview/", data=check, buffered=False), abandon)
        assert "500 of 501 rows checked" in page  # abandoned: the layout and this line were read
        assert ("fw-import-ready" in page) is not abandon
        assert_nothing_left(platform, [tenant], watcher, f"import check {run} (abandoned: {abandon})")


def test_a_tenants_export_on_delete_leaves_no_connection_behind(
    platform: Platform, watcher: sa.Engine | None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The export reads each table in batches of 1,000; one failing half-way (a full disk) gives its connection back
    too, and the tenant can still be deleted."""
    tenant = platform.tenant("streams-gone", packs=["core", "crm"])
    apps = platform.app.tenant_apps
    add_accounts(apps.get(apps.tenant(tenant.slug)).extensions["formwork"], ACCOUNTS)

    def full_disk(row: dict[str, Any], **_options: Any) -> str:
        if row.get("name") == "Account 0700":
            raise OSError("No space left on device")
        return "{}"

    with monkeypatch.context() as patched:
        patched.setattr(lifecycle, "json", SimpleNamespace(dumps=full_disk))
        with pytest.raises(OSError):
            lifecycle.export_tenant(platform.settings, tenant, tmp_path / "failed")
    assert_nothing_left(platform, [tenant], watcher, "a tenant export that failed half-way")
    lifecycle.export_tenant(platform.settings, tenant, tmp_path / "whole")
    assert_nothing_left(platform, [tenant], watcher, "a tenant export")
    set_status(platform.settings.database_url, tenant.slug, "suspended")  # already: no wait for requests in flight
    # exports again, then drops the storage: on PostgreSQL a transaction left open on its tables would block the DROP
    archive = lifecycle.delete_tenant(platform.settings, tenant.slug, tmp_path / "exports")
    assert archive is not None and len((archive / "data" / "crm_account.jsonl").read_text().splitlines()) == ACCOUNTS
    assert_nothing_left(platform, [], watcher, "a tenant's deletion")

"""A table of work the worker does once each, whatever number of workers run: the e-mail outbox, webhook deliveries.

Each row has a `status`, an `attempts` count and a `next_attempt_at`. A worker claims one due row at a time (an
UPDATE of the row to the working status, picked with SELECT … FOR UPDATE SKIP LOCKED on PostgreSQL; SQLite's write
lock serializes claims) and commits the claim before doing the work, so no database lock is held while a mail
server or a webhook receiver is slow and two workers never take the same row. The claim leases the row: a worker
that dies mid-way leaves it in the working status, and once the lease is over another worker takes it again (the
work may then be done twice, but it is never lost). The outcome is recorded only while the worker still holds the
row (`settle`). A failed row stays for an admin to see, and to make due again (`retry`).
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

if TYPE_CHECKING:
    from .runtime import TenantRuntime


@dataclass(frozen=True)
class DueRows:
    table: sa.Table
    #: how long a claim holds a row before another worker may take it again
    lease: timedelta
    pending: str = "pending"
    working: str = "sending"
    failed: str = "failed"

    def drain(
        self,
        runtime: TenantRuntime,
        now: datetime,
        batch: int,
        work: Callable[[Any], str],
        budget: timedelta | None = None,
        **stamp: Any,
    ) -> Counter[str]:
        """Claim and `work` on the rows due at `now`, at most `batch` of them and for at most `budget` of wall time
        (so one tenant's backlog, or one slow receiver, does not hold up the others and the later jobs); counts
        what `work` returned for each."""
        done: Counter[str] = Counter()
        deadline = None if budget is None else time.monotonic() + budget.total_seconds()
        try:
            for _ in range(batch):
                if deadline is not None and time.monotonic() > deadline:
                    break
                claimed = runtime.in_transaction(lambda s: self.claim(s, now, **stamp))
                if claimed is None:
                    break
                done[work(claimed)] += 1
        finally:
            runtime.session.remove()
        return done

    def claim(self, s: Session, now: datetime, **stamp: Any) -> Any | None:
        """Take one row due at `now` (or whose worker's lease ran out), with `stamp` set on it; None when none is
        due."""
        table = self.table
        due = sa.and_(table.c.status.in_((self.pending, self.working)), table.c.next_attempt_at <= now)
        pick = (
            sa.select(table.c.id)
            .where(due)
            .order_by(table.c.next_attempt_at, table.c.id)
            .limit(1)
            .with_for_update(skip_locked=True)
        )  # no-op on SQLite
        return s.execute(
            table.update()
            .where(table.c.id == pick.scalar_subquery(), due)
            .values(status=self.working, attempts=table.c.attempts + 1, next_attempt_at=now + self.lease, **stamp)
            .returning(*table.c)
        ).first()

    def settle(self, s: Session, claimed: Any, **values: Any) -> None:
        """Record an attempt's outcome, unless the lease ran out and another worker has taken the row since."""
        table = self.table
        s.execute(
            table.update()
            .where(table.c.id == claimed.id, table.c.status == self.working, table.c.attempts == claimed.attempts)
            .values(**values)
        )

    def listing(self, s: Session, status: str | None, page: int, page_size: int) -> tuple[int, list[Any]]:
        """The rows for an admin's screen, newest first; `status` None: every one."""
        table = self.table
        where = [table.c.status == status] if status else []
        total = s.execute(sa.select(sa.func.count()).select_from(table).where(*where)).scalar_one()
        rows = s.execute(
            sa.select(table).where(*where).order_by(table.c.id.desc()).offset(page * page_size).limit(page_size)
        ).all()
        return total, list(rows)

    def retry(self, s: Session, row_id: int, now: datetime) -> bool:
        """Give a failed row a fresh set of attempts, due now (after an admin fixed what made it fail)."""
        table = self.table
        done = s.execute(
            table.update()
            .where(table.c.id == row_id, table.c.status == self.failed)
            .values(status=self.pending, attempts=0, next_attempt_at=now)
            .returning(table.c.id)
        )
        return done.first() is not None

"""A throw-away platform for one benchmark run: an instance folder, optionally a PostgreSQL database, quiet logs."""

from __future__ import annotations

import logging
import os
import shutil
import sys
import tempfile
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path


def quiet_logs() -> None:
    """FAB warns about every security filter it cannot build and about the login redirect; not our concern here."""
    logging.basicConfig(level=logging.ERROR)
    for name in ("flask_appbuilder", "alembic", "formwork"):
        logging.getLogger(name).setLevel(logging.ERROR)


def postgres_database(server: str) -> tuple[str, Callable[[], None]]:
    """A fresh database on `server` and the function that drops it."""
    import sqlalchemy as sa

    base = sa.engine.make_url("postgresql+psycopg://" + server.split("://", 1)[1])
    name = f"formwork_bench_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        from formwork.tenancy.registry import platform_engine
        from formwork.tenancy.storage import dispose_engines

        dispose_engines()
        platform_engine(url).dispose()
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    url = base.set(database=name).render_as_string(hide_password=False)
    return url, drop


@contextmanager
def throwaway_platform(name: str, postgres: str | None, keep: bool) -> Iterator[Path]:
    """An instance folder (and with `postgres`, a database on that server) for one run, removed afterwards."""
    instance = Path(tempfile.mkdtemp(prefix=f"formwork-bench-{name}-"))
    os.environ["FORMWORK_INSTANCE"] = str(instance)
    drop = None
    if postgres:
        os.environ["FORMWORK_DATABASE_URL"], drop = postgres_database(postgres)
    try:
        yield instance
    finally:
        if drop:
            drop()
        if keep:
            print(f"instance kept in {instance}", file=sys.stderr)
        else:
            shutil.rmtree(instance, ignore_errors=True)

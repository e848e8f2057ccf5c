"""A PostgreSQL database of a scenario run's own (`formwork pack test --postgres URL`): created fresh on the server
the URL reaches, holding the run's platform tables and its tenants' schemas, and dropped with all of it afterwards,
so a run leaves nothing behind on a shared server."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa


def driver_url(url: str) -> str:
    """`postgresql://…` with the driver Formwork uses (psycopg 3), as FORMWORK_DATABASE_URL is read."""
    scheme, _, rest = url.partition("://")
    return f"postgresql+psycopg://{rest}" if scheme in ("postgresql", "postgres") else url


@contextmanager
def fresh_database(server_url: str) -> Iterator[str]:
    """The URL of a new database on `server_url`'s server; dropped (connections and all) when the block ends."""
    server = sa.create_engine(driver_url(server_url), isolation_level="AUTOCOMMIT")
    name = f"formwork_scenarios_{uuid.uuid4().hex[:12]}"
    try:
        with server.connect() as connection:
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
        try:
            yield server.url.set(database=name).render_as_string(hide_password=False)
        finally:
            with server.connect() as connection:
                connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        server.dispose()

"""A tenant's runtime: its definitions, compiled models and database session, without screens or APIs.

Everything that works on one tenant's records takes one (the record lifecycle, the approval engine, imports,
notifications, the worker). It is built by `tenancy.apps.tenant_runtime`, and a tenant app carries its own as
`app.extensions["formwork"]`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from ..compile.models import CompiledModels
from ..meta.catalog import Catalog

T = TypeVar("T")


@dataclass
class TenantRuntime:
    """What the rest of Formwork needs to know about a built tenant app."""

    slug: str
    definitions_hash: str
    catalog: Catalog
    compiled: CompiledModels
    #: the tenant's scoped session (`runtime.session()` is this thread's session)
    session: Any
    #: whether the tenant's storage changed (or is changing) under this runtime since it was built: a database error
    #: then means a request raced a migration, answered 503 rather than 500 or 409 (tenancy/freshness.py)
    storage_moved: Callable[[], bool] = lambda: False
    #: the tenant's time zone (an IANA name): `today()` in its expressions, the hour of its automations' runs
    timezone: str = "UTC"

    def in_transaction(self, action: Callable[[Session], T]) -> T:
        """`action(session)` as one transaction: committed when it returns, rolled back when it raises."""
        session = self.session()
        try:
            result = action(session)
            session.commit()
            return result
        except BaseException:
            session.rollback()
            raise

"""What a running scenario knows: its tenant and API, the records named so far (entity and id) and its clock."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .clock import ScenarioClock
from .outcome import StepFailed
from .values import sent

if TYPE_CHECKING:
    from ..meta.catalog import Catalog
    from .api import TenantApi
    from .sandbox import SandboxTenant


@dataclass(frozen=True)
class NamedRecord:
    entity: str
    id: int


@dataclass
class Scene:
    tenant: SandboxTenant
    catalog: Catalog
    records: dict[str, NamedRecord] = field(default_factory=dict)
    clock: ScenarioClock = field(init=False)

    def __post_init__(self) -> None:
        self.clock = ScenarioClock(self.tenant.sandbox.settings)

    @property
    def api(self) -> TenantApi:
        return self.tenant.api

    def ids(self) -> dict[str, int]:
        """Each named record's id, by name (what `$name` stands for)."""
        return {name: record.id for name, record in self.records.items()}

    def sent(self, value: Any) -> Any:
        """A step's values as JSON, `$name` the id of that record."""
        return sent(value, self.ids())

    def table(self, entity: str) -> str:
        """The API path segment of an entity (`crm.account` → `crm_account`)."""
        found = self.catalog.entities.get(entity)
        if found is None:
            raise StepFailed(f"unknown entity '{entity}'; expected one of {', '.join(sorted(self.catalog.entities))}")
        return str(found.table)

    def path(self, name: str) -> str:
        """The API path of a named record: `crm_account/3`."""
        record = self.records[name]
        return f"{self.table(record.entity)}/{record.id}"

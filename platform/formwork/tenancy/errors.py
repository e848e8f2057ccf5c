"""What a tenant operation can answer instead of doing it: each says why, and nothing was changed."""

from __future__ import annotations

from ..i18n import CatalogText, joined, say
from ..schema.changes import SchemaPlan

MIGRATION_REFUSED = CatalogText("tenant '{slug}': {count} change(s) refused, so nothing was changed: {reasons}")
REASONS = CatalogText("{first}; {then}", context="reasons one after another")
CHANGED_SINCE = CatalogText(
    "tenant '{slug}' was changed by another command since this plan was made; nothing was changed: plan again"
)


class TenantError(Exception):
    """A tenant operation that cannot be done; the message says why."""


class TenantUnavailable(Exception):
    """The tenant exists but cannot be served right now (packs it needs are nowhere); its data is untouched."""

    def __init__(self, slug: str, reason: str) -> None:
        self.slug, self.reason = slug, reason
        super().__init__(f"tenant {slug} is unavailable: {reason}")


class MigrationRefused(TenantError):
    """The plan refuses a change (data would be lost): nothing was applied and the tenant is served as it was."""

    def __init__(self, slug: str, plan: SchemaPlan) -> None:
        self.plan = plan
        reasons = joined(plan.reasons, REASONS)
        super().__init__(say(MIGRATION_REFUSED, slug=slug, count=len(plan.reasons), reasons=reasons))


class TenantChanged(TenantError):
    """Another change of the tenant was applied after a plan was made: the plan no longer says what would happen."""

    def __init__(self, slug: str) -> None:
        super().__init__(say(CHANGED_SINCE, slug=slug))

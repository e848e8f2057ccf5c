"""Installing and upgrading a tenant's packs from the console: the plan in words first (tenancy/packs.py, what
`formwork tenant install-pack` and `upgrade-pack` print), then, confirmed, applied all or nothing and logged with the
operator's name.

The confirmation carries a digest of the plan the operator read: if the tenant or this server's packs changed in
between, the plan made again differs, and nothing is applied until the operator has read the new one. A refused
plan (conflicting customizations, a schema change that would lose data, a requirement not met) is shown with its
reasons and no button; posted anyway, it changes nothing.
"""

from __future__ import annotations

import contextvars
import hashlib
from typing import Any

from flask import abort, flash, redirect, request, url_for
from flask_appbuilder import BaseView, expose, has_access

from ..config import Settings
from ..i18n import CatalogText, localized, say
from ..meta.catalog import Catalog
from ..tenancy.errors import TenantError
from ..tenancy.packs import (
    CONFLICT,
    PackInstallPlan,
    PackPlan,
    PackUpgradePlan,
    install_pack,
    plan_install,
    plan_upgrade,
    upgrade_pack,
)
from ..tenancy.registry import Tenant, platform_session
from .log import record_action

TEXT = {
    "install_title": CatalogText("Install pack {pack} in {slug}"),
    "upgrade_title": CatalogText("Upgrade pack {pack} of {slug}"),
    "plan": CatalogText("What will be done"),
    "refused": CatalogText("This cannot be done now, and nothing was changed:"),
    "up_to_date": CatalogText("{pack} is already at this server's release; there is nothing to upgrade."),
    "apply": CatalogText("Apply this plan"),
    "cancel": CatalogText("Cancel"),
    "changed": CatalogText("The plan changed since it was shown (the tenant or the packs changed); read it again."),
    "done": CatalogText("Done: {what}"),
    "no_pack": CatalogText("Choose a pack to install."),
}
#: how each change is logged and worded
CHANGES = {"install": ("installed", "install_title"), "upgrade": ("upgraded", "upgrade_title")}


def plan_digest(plan: PackPlan, lines: list[str]) -> str:
    """What the operator read, in short: the words of the plan and the state it moves the tenant to."""
    return hashlib.sha256("\n".join([plan.target.key, *lines]).encode()).hexdigest()[:32]


class TenantPacksView(BaseView):
    """`/tenant-packs/<pk>/install?pack=` and `/tenant-packs/<pk>/upgrade/<pack>`: the plan on GET, applied on POST."""

    route_base = "/tenant-packs"
    default_view = "install"

    def __init__(self, settings: Settings, catalog: Catalog) -> None:
        self.settings, self.catalog = settings, catalog
        super().__init__()

    @expose("/<int:pk>/install", methods=["GET", "POST"])
    @has_access
    def install(self, pk: int) -> Any:
        """Add a pack (and the packs it requires) to the tenant."""
        return self._change(pk, "install", request.values.get("pack", ""))

    @expose("/<int:pk>/upgrade/<pack>", methods=["GET", "POST"])
    @has_access
    def upgrade(self, pk: int, pack: str) -> Any:
        """Move one of the tenant's packs to this server's release."""
        return self._change(pk, "upgrade", pack)

    def _change(self, pk: int, change: str, pack: str) -> Any:
        tenant = self._tenant(pk)
        if not pack:
            flash(TEXT["no_pack"].localized(), "warning")
            return redirect(url_for("TenantView.show", pk=pk))
        logged, title = CHANGES[change]
        values: dict[str, Any] = {
            "title": TEXT[title].localized().format(pack=pack, slug=tenant.slug),
            "T": TEXT,
            "pk": pk,
            "lines": [],
            "refusals": [],
            "digest": "",
        }
        try:
            plan = self._plan(change, tenant, pack)
        except TenantError as exc:
            values["refusals"] = [_reason(exc)]
            return self._page(values, 400 if request.method == "POST" else 200)
        lines = plan.describe()
        values |= {"lines": lines, "refusals": _refusals(plan), "digest": plan_digest(plan, lines)}
        if isinstance(plan, PackUpgradePlan) and plan.up_to_date:
            values["refusals"] = [TEXT["up_to_date"].localized().format(pack=pack)]
        if request.method == "GET" or values["refusals"]:
            return self._page(values, 400 if request.method == "POST" else 200)
        if request.form.get("digest") != values["digest"]:
            flash(TEXT["changed"].localized(), "warning")
            return self._page(values, 409)
        try:
            # Seeds are loaded through the tenant's app, built outside the console's request (onboarding.py says why).
            done = contextvars.Context().run(self._apply, tenant, plan)
        except TenantError as exc:
            values["refusals"] = [_reason(exc)]
            return self._page(values, 400)
        record_action(self.settings, logged, tenant.slug, str(done[-1]))  # the log keeps English, as the CLI's
        flash(TEXT["done"].localized().format(what="; ".join(localized(line) for line in done)), "success")
        return redirect(url_for("TenantView.show", pk=pk))

    def _plan(self, change: str, tenant: Tenant, pack: str) -> PackInstallPlan | PackUpgradePlan:
        if change == "install":
            return plan_install(self.settings, self.catalog, tenant, pack)
        return plan_upgrade(self.settings, self.catalog, tenant, pack)

    def _apply(self, tenant: Tenant, plan: PackInstallPlan | PackUpgradePlan) -> list[str]:
        if isinstance(plan, PackInstallPlan):
            return install_pack(self.settings, self.catalog, tenant, plan)
        return upgrade_pack(self.settings, self.catalog, tenant, plan)

    def _tenant(self, pk: int) -> Tenant:
        with platform_session(self.settings.database_url) as session:
            tenant = session.get(Tenant, pk)
            if tenant is None:
                abort(404)
            session.expunge(tenant)
            return tenant

    def _page(self, values: dict[str, Any], status: int) -> tuple[str, int]:
        return self.render_template("console/pack_plan.html", **values), status


def _refusals(plan: PackPlan) -> list[str]:
    """Why a plan cannot be applied: its conflicts and refused schema changes (the words `describe` also lists)."""
    return [say(CONFLICT, conflict=conflict) for conflict in plan.conflicts] + list(plan.refused)


def _reason(refused: TenantError) -> str:
    """A refusal in the operator's language: its message is a platform text filled in (`str()` is its English)."""
    message = refused.args[0] if len(refused.args) == 1 else None
    return localized(message) if isinstance(message, str) else str(refused)

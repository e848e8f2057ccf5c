"""Tenants as code: a YAML manifest per tenant, applied idempotently and exported back.

`apply_manifest` creates the tenant, or brings an existing one in line (name,
locale, currency, time zone, logo, brand colour, added packs, packs upgraded to a wanted version
range this server's release is in, customizations) and says what it changed —
nothing on a second run. Everything is checked before anything is
changed. Removing a pack is refused (its tables and data would be orphaned), and
so is changing the storage of an existing tenant (its data would stay behind).
A manifest without `customizations:` leaves the stored ones alone; with it, the
tenant gets exactly those (added, changed and removed ones are reported).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import sqlalchemy as sa
import yaml
from jsonschema import Draft202012Validator
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version

from ..config import Settings
from ..definitions.jsonschemas import schema_file
from ..meta.catalog import Catalog
from ..meta.errors import DefinitionError, DefinitionsInvalid
from ..meta.yamlload import Document, read_documents
from .branding import color_error
from .customizations import (
    Overlay,
    check_overlays,
    exported_overlays,
    overlays_of,
    sub_document,
)
from .customize import store_overlays
from .errors import TenantError
from .logos import LogoRefused, logo_uri
from .migrate import current_row
from .packs import install_pack, plan_install, plan_upgrade, upgrade_pack
from .provision import create_tenant
from .registry import Tenant, find_tenant, platform_session
from .releases import release_catalog, server_release
from .state import installed_releases
from .storage import tenant_engine

Report = Callable[[str], None]
CARET = re.compile(r"^\^(\d+)(?:\.(\d+))?(?:\.(\d+))?$")


@dataclass
class Manifest:
    """A read manifest: its data, and its inline customizations with the manifest's own lines."""

    data: dict[str, Any]
    document: Document
    overlays: list[Overlay] | None  # None: the manifest does not say, so stored customizations are left alone

    @property
    def slug(self) -> str:
        return str(self.data["slug"])

    @property
    def packs(self) -> dict[str, str | None]:
        """{pack: wanted version range, or None for any}."""
        packs = self.data["packs"]
        return dict.fromkeys(packs) if isinstance(packs, list) else dict(packs)


def read_manifest(path: Path) -> Manifest:
    """The manifest, or DefinitionsInvalid with file, line and what was expected (every error at once)."""
    documents, errors = read_documents(path)
    if not errors and len(documents) != 1:
        errors = [DefinitionError(str(path), 1, "", "a tenant manifest holds exactly one document")]
    if errors:
        raise DefinitionsInvalid(errors)
    doc = documents[0]
    validator = Draft202012Validator(schema_file("tenant.json"))
    found = [doc.error(tuple(e.absolute_path), e.message) for e in validator.iter_errors(doc.data)]
    if found:
        raise DefinitionsInvalid(found)
    found += _timezone_errors(doc) + _logo_errors(doc, path) + _color_errors(doc)
    overlays = None
    if "customizations" in doc.data:
        overlays, overlay_errors = overlays_of(
            [sub_document(doc, ("customizations", i)) for i in range(len(doc.data["customizations"]))]
        )
        found += overlay_errors
    for name, wanted in doc.data["packs"].items() if isinstance(doc.data["packs"], dict) else []:
        if version_range(wanted) is None:
            found.append(
                doc.error(("packs", name), f"'{wanted}' is not a version range; write e.g. '^1.0' or '>=1.0,<2'")
            )
    if found:
        raise DefinitionsInvalid(found)
    return Manifest(doc.data, doc, overlays)


def _logo_errors(doc: Document, path: Path) -> list[DefinitionError]:
    """Check the logo and keep it as the data: URI the registry stores (a file is read once, here)."""
    written = doc.data.get("logo")
    if written is None:
        return []
    try:
        doc.data["logo"] = logo_uri(written, path.parent)
    except LogoRefused as refused:
        return [doc.error(("logo",), str(refused))]
    return []


def _color_errors(doc: Document) -> list[DefinitionError]:
    """The brand colour is #rrggbb, kept in lower case (so `#1F6FEB` and `#1f6feb` are the same setting)."""
    written = doc.data.get("brand_color")
    if written is None:
        return []
    error = color_error(written)
    if error:
        return [doc.error(("brand_color",), error)]
    doc.data["brand_color"] = written.lower()
    return []


def _timezone_errors(doc: Document) -> list[DefinitionError]:
    name = doc.data.get("timezone")
    if name is None:
        return []
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return [
            doc.error(("timezone",), f"'{name}' is not a time zone; write an IANA name such as Asia/Shanghai or UTC")
        ]
    return []


def version_range(text: str) -> SpecifierSet | None:
    """`^1.2` (this major version, from 1.2), a bare `1.2.0` (exactly), or a range such as `>=1.0,<2`; None if none."""
    text = text.strip()
    caret = CARET.match(text)
    if caret:
        parts = [int(p) for p in caret.groups() if p is not None]
        low = ".".join(map(str, parts))
        significant = next((i for i, p in enumerate(parts) if p), len(parts) - 1)  # npm: ^0.2 stays below 0.3
        high = [*parts[:significant], parts[significant] + 1]
        return SpecifierSet(f">={low},<{'.'.join(map(str, high))}")
    try:
        return SpecifierSet(f"=={Version(text)}")
    except InvalidVersion:
        pass
    try:
        return SpecifierSet(text)
    except InvalidSpecifier:
        return None


def _admin_password(admin: dict[str, Any]) -> str:
    if admin.get("password"):
        return str(admin["password"])
    variable = admin.get("password_env")
    if variable and os.environ.get(variable):
        return os.environ[variable]
    raise TenantError(f"the first admin needs a password: set {variable or 'admin.password_env'} in the environment")


def check_pack_versions(
    catalog: Catalog, manifest: Manifest, installed: dict[str, str | None]
) -> list[DefinitionError]:
    """Every wanted pack exists, and this server's version (and the installed one, if any) is in the wanted range."""
    errors = []
    for name, wanted in manifest.packs.items():
        path = ("packs", name) if isinstance(manifest.data["packs"], dict) else ("packs",)
        if name not in catalog.packs:
            errors.append(
                manifest.document.error(path, f"unknown pack '{name}'; available: {', '.join(sorted(catalog.packs))}")
            )
            continue
        admitted, available = version_range(wanted) if wanted else None, catalog.packs[name].version
        if admitted is None:
            continue
        if Version(available) not in admitted:
            errors.append(
                manifest.document.error(path, f"{name} {wanted} is wanted, but this server has {name} {available}")
            )
        elif (have := installed.get(name)) and Version(have) > Version(available):
            errors.append(
                manifest.document.error(
                    path,
                    f"{name} {wanted} is wanted, but the tenant has {name} "
                    f"{installed[name]}, newer than this server's {available}; "
                    "a pack is never downgraded",
                )
            )
    return errors


def upgrades_wanted(catalog: Catalog, manifest: Manifest, installed: dict[str, str | None]) -> list[str]:
    """Installed packs whose version is outside the manifest's range while this server's release is in it."""
    return [
        name
        for name, wanted in manifest.packs.items()
        if wanted
        and (have := installed.get(name))
        and (admitted := version_range(wanted)) is not None
        and Version(have) not in admitted
        and Version(catalog.packs[name].version) in admitted
    ]


def apply_manifest(settings: Settings, catalog: Catalog, manifest: Manifest, report: Report) -> list[str]:
    """Create or update the tenant; returns the changes made (empty: it was already so)."""
    tenant = find_tenant(settings.database_url, manifest.slug)
    errors = check_pack_versions(catalog, manifest, tenant.pack_versions if tenant else {})
    if errors:
        raise DefinitionsInvalid(errors)
    if tenant is None:
        return _create(settings, catalog, manifest, report)
    return _update(settings, catalog, tenant, manifest, report)


def _create(settings: Settings, catalog: Catalog, manifest: Manifest, report: Report) -> list[str]:
    data = manifest.data
    admin = data.get("admin") or {}
    if not admin:
        raise TenantError("a new tenant needs `admin: {username, password_env}`")
    password = _admin_password(admin)
    packs = list(manifest.packs)
    if manifest.overlays:
        check_overlays(catalog.select(catalog.with_requirements(packs)), manifest.slug, {}, manifest.overlays)
    tenant = create_tenant(
        settings,
        catalog,
        manifest.slug,
        data["name"],
        packs,
        admin["username"],
        password,
        data.get("locale", "en"),
        progress=report,
        currency=data.get("currency", "CNY"),
        storage=data.get("storage"),
    )
    changes = [f"created tenant '{manifest.slug}'"]
    chosen: dict[str, Any] = {k: data[k] for k in ("timezone", "logo", "brand_color") if k in data}
    if chosen:
        _set_attributes(settings, tenant, chosen)
    if manifest.overlays:
        report("adding the customizations")
        changes += store_overlays(
            settings, catalog, tenant, manifest.overlays, replace_all=True, actor="manifest", report=report
        )
    return changes


def _update(settings: Settings, catalog: Catalog, tenant: Tenant, manifest: Manifest, report: Report) -> list[str]:
    data = manifest.data
    wanted_packs = catalog.with_requirements(list(manifest.packs))
    dropped = sorted(set(tenant.packs) - set(wanted_packs))
    if dropped:
        raise TenantError(f"removing packs is not supported (their data would be orphaned): {', '.join(dropped)}")
    if data.get("storage", tenant.storage_kind) != tenant.storage_kind:
        raise TenantError(
            f"tenant '{tenant.slug}' keeps its data in {tenant.storage_kind} storage; the storage is chosen "
            f"when a tenant is created and a manifest cannot change it (it asks for {data['storage']})"
        )
    if manifest.overlays is not None:
        check_overlays(
            _base_after_installs(settings, catalog, tenant, manifest, wanted_packs), tenant.slug, {}, manifest.overlays
        )
    changes = _set_attributes(
        settings,
        tenant,
        {k: data[k] for k in ("name", "locale", "currency", "timezone", "logo", "brand_color") if k in data},
    )
    for name in wanted_packs:
        current = current_row(settings, tenant.slug)
        if name not in current.packs:
            changes += install_pack(settings, catalog, current, plan_install(settings, catalog, current, name), report)
    for name in upgrades_wanted(catalog, manifest, tenant.pack_versions):
        current = current_row(settings, tenant.slug)
        changes += upgrade_pack(settings, catalog, current, plan_upgrade(settings, catalog, current, name), report)
    if manifest.overlays is not None:
        changes += store_overlays(
            settings,
            catalog,
            current_row(settings, tenant.slug),
            manifest.overlays,
            replace_all=True,
            actor="manifest",
            report=report,
        )
    return changes


def _base_after_installs(
    settings: Settings, catalog: Catalog, tenant: Tenant, manifest: Manifest, packs: list[str]
) -> Catalog:
    """The definitions the tenant will have once the manifest's packs are installed and upgraded: what its overlays
    are checked on (this server's releases are read from memory; nothing is written)."""
    releases = installed_releases(settings, catalog, tenant)
    moving = [name for name in packs if name not in releases] + upgrades_wanted(catalog, manifest, tenant.pack_versions)
    releases.update({name: server_release(catalog, name).digest for name in moving})
    return release_catalog(settings.database_url, tuple(releases.items()))


def _set_attributes(settings: Settings, tenant: Tenant, wanted: dict[str, Any]) -> list[str]:
    changes = []
    with platform_session(settings.database_url) as session:
        stored = session.get(Tenant, tenant.id)
        for attribute, value in wanted.items():
            if getattr(stored, attribute) != value:
                shown = "a new logo" if attribute == "logo" else f"{getattr(stored, attribute)} → {value}"
                changes.append(f"{attribute}: {shown}")
                setattr(stored, attribute, value)
                setattr(tenant, attribute, value)
        session.commit()
    return changes


def export_manifest(settings: Settings, tenant: Tenant) -> str:
    """The tenant as a manifest that `apply` turns back into the same tenant, customizations included."""
    versions = tenant.pack_versions
    packs: Any = (
        {name: f"^{version}" for name, version in versions.items()} if all(versions.values()) else list(versions)
    )
    data: dict[str, Any] = {
        "kind": "Tenant",
        "slug": tenant.slug,
        "name": tenant.name,
        "packs": packs,
        "locale": tenant.locale,
        "currency": tenant.currency,
        "timezone": tenant.timezone,
        "storage": tenant.storage_kind,
        "admin": {"username": first_admin(settings, tenant), "password_env": "FORMWORK_ADMIN_PASSWORD"},
    }
    if tenant.logo:
        data["logo"] = tenant.logo
    if tenant.brand_color:
        data["brand_color"] = tenant.brand_color
    overlays = exported_overlays(settings, tenant.slug)
    if overlays:
        data["customizations"] = overlays
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def first_admin(settings: Settings, tenant: Tenant) -> str:
    """The oldest user with the Admin role in the tenant's own user table."""
    from flask_appbuilder.security.sqla.models import User
    from sqlalchemy.orm import Session

    with Session(tenant_engine(settings, tenant)) as session:
        for user in session.scalars(sa.select(User).order_by(User.id)):
            if any(role.name == "Admin" for role in user.roles):
                return user.username
    return "admin"

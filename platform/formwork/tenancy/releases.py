"""Pack releases: the exact files of every pack version a tenant installed, kept in the platform database.

As Salesforce's installed package versions and Odoo's module versions do, a
tenant runs on what it installed: it is served, planned and migrated from the
releases recorded for it, never from whatever the pack folder holds today.
Deploying a new pack folder therefore changes nothing for any tenant until it
is upgraded (`formwork tenant upgrade-pack`). A release is named by the digest
of its files, so the same version number with other contents (a pack changed
without a new version) is a release of its own and never replaces the one
tenants are on.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
from collections import OrderedDict
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from ..compile.models import utcnow
from ..definitions.loader import build_catalog, parse_pack
from ..meta.catalog import Catalog, PackFiles, PackSources
from ..meta.errors import DefinitionsInvalid
from .registry import PackRelease, platform_session

log = logging.getLogger(__name__)
#: catalogs of release sets kept per process (a set of releases is shared by every tenant on it)
CACHED_CATALOGS = 64
_catalogs: OrderedDict[tuple[str, tuple[tuple[str, str], ...]], Catalog] = OrderedDict()
#: this server's releases, known before they are stored: a plan reads them without writing anything
_server_releases: dict[tuple[str, str], Release] = {}
_lock = threading.Lock()


@dataclass(frozen=True)
class Release:
    name: str
    version: str
    digest: str
    #: where the files were read from (named in error messages), and the files
    files: PackFiles

    def describe(self) -> str:
        return f"{self.name} {self.version}"


def digest_of(sources: PackSources) -> str:
    """Changes with any file of the pack: its path or its text."""
    digest = hashlib.sha256()
    for path, text in sources:
        digest.update(f"{path}\0{text}\0".encode())
    return digest.hexdigest()[:16]


def server_release(catalog: Catalog, name: str) -> Release:
    """The release of pack `name` in this server's pack folders (stored only when a tenant installs it)."""
    files = catalog.sources[name]
    release = Release(name, catalog.packs[name].version, digest_of(list(files.files)), files)
    with _lock:
        _server_releases[(release.name, release.digest)] = release
    return release


def store_releases(session: Session, releases: list[Release]) -> None:
    """Keep `releases` in the platform database; one already kept (by any process, even at this moment) stays."""
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    for release in releases:
        sources = {"folder": release.files.folder, "files": release.files.files}
        session.execute(
            insert(PackRelease)
            .values(
                name=release.name,
                version=release.version,
                digest=release.digest,
                stored_at=utcnow(),
                sources_json=json.dumps(sources, ensure_ascii=False),
            )
            .on_conflict_do_nothing(index_elements=[PackRelease.name, PackRelease.digest])
        )


def release_catalog(url: str, releases: tuple[tuple[str, str], ...]) -> Catalog:
    """The definitions of exactly these releases ((pack, digest) in install order), read from the platform database.

    Built once per process for each set of releases; tenants on the same releases share it.
    """
    key = (url, releases)
    with _lock:
        if key in _catalogs:
            _catalogs.move_to_end(key)
            return _catalogs[key]
    catalog = _build(_load(url, releases))
    with _lock:
        _catalogs[key] = catalog
        while len(_catalogs) > CACHED_CATALOGS:
            _catalogs.popitem(last=False)
    return catalog


def _load(url: str, releases: tuple[tuple[str, str], ...]) -> list[Release]:
    """The releases from the platform database, or this server's own that are not stored yet."""
    with _lock:
        known = {key: _server_releases[key] for key in releases if key in _server_releases}
    wanted = [key for key in releases if key not in known]
    if wanted:
        with platform_session(url) as session:
            known.update(
                {
                    (row.name, row.digest): _release(row)
                    for row in session.scalars(
                        sa.select(PackRelease).where(sa.tuple_(PackRelease.name, PackRelease.digest).in_(wanted))
                    )
                }
            )
    missing = [f"{name} ({digest})" for name, digest in releases if (name, digest) not in known]
    if missing:
        raise LookupError(f"pack releases not stored in the platform database: {', '.join(missing)}")
    return [known[key] for key in releases]


def _release(row: PackRelease) -> Release:
    stored = json.loads(row.sources_json)
    files = tuple((str(path), str(text)) for path, text in stored["files"])
    return Release(row.name, row.version, row.digest, PackFiles(str(stored["folder"]), files))


def _build(releases: list[Release]) -> Catalog:
    documents, errors = [], []
    for release in releases:
        # mypy cannot infer a lambda whose defaults bind loop values
        docs, errs = parse_pack(list(release.files.files), lambda path, r=release: f"{r.files.folder}/{path}")  # type: ignore[misc]
        documents += docs
        errors += errs
    catalog, build_errors = build_catalog(documents)
    if errors or len(catalog.documents) < len(documents):
        raise DefinitionsInvalid(sorted(set(errors + build_errors)))
    for error in build_errors:  # a check added since the release was installed: it still runs as it did
        log.warning("an installed pack release breaks a newer check: %s", error)
    catalog.sources = {release.name: release.files for release in releases}
    return catalog

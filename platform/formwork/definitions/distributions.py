"""Packs shipped as Python distributions: a wheel carries a pack folder and declares it in the entry point group
`formwork.packs` (docs/implementers.md, *Shipping a pack as a wheel*).

The entry point's name is the pack's name and its value names an importable package whose folder is the pack
folder: it holds `pack.yaml` (and an `__init__.py`, so that it is a package at all). So one rule finds every pack
however it was installed (a wheel, an editable install), through `importlib.resources` as the package's own data,
and `pip install`/`pip uninstall` is all it takes to add or remove a pack on a server.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from importlib.metadata import EntryPoint, entry_points
from pathlib import Path

from ..meta.errors import DefinitionError

ENTRY_POINT_GROUP = "formwork.packs"
PACK_FILE = "pack.yaml"


@dataclass(frozen=True)
class InstalledPack:
    """A pack folder an installed distribution declares."""

    #: the entry point's name: the name its pack.yaml must give
    name: str
    folder: Path
    #: the distribution's name and version, as `formwork pack list` shows them
    distribution: str


class PackNotFound(Exception):
    """An entry point of `formwork.packs` that leads to no pack folder; its message says why."""


def installed_packs() -> tuple[list[InstalledPack], list[DefinitionError]]:
    """The packs of every installed distribution (by entry point name), and an error for each entry point that leads
    to no pack folder: a broken installation is reported as the load error it is, not skipped in silence."""
    found, errors = [], []
    for entry in sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda e: (e.name, e.value)):
        distribution = _distribution(entry)
        try:
            found.append(InstalledPack(entry.name, _pack_folder(entry), distribution))
        except PackNotFound as exc:
            # no line of a file to point at: the distribution's entry point is where it went wrong
            where = f"distribution {distribution}"
            errors.append(DefinitionError(where, 0, "", f"entry point {entry.name} = {entry.value}: {exc}"))
    return found, errors


def _distribution(entry: EntryPoint) -> str:
    return f"{entry.dist.name} {entry.dist.version}" if entry.dist is not None else "(unknown)"


def _pack_folder(entry: EntryPoint) -> Path:
    if entry.attr:
        raise PackNotFound(f"name the package that holds {PACK_FILE} ({entry.module}), not an object in it")
    try:
        root = resources.files(entry.module)
    except Exception as exc:  # importing the package runs the distribution's code: whatever it raises is its fault
        raise PackNotFound(f"package {entry.module} cannot be imported ({type(exc).__name__}: {exc})") from exc
    if not isinstance(root, Path):
        raise PackNotFound(
            f"package {entry.module} is not a folder on disk: give it an __init__.py and install it unzipped"
        )
    if not (root / PACK_FILE).is_file():
        raise PackNotFound(f"package {entry.module} ({root}) holds no {PACK_FILE}")
    return root

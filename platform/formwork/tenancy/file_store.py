"""Where a tenant's files live, whichever feature stores them (file fields, approval attachments, kept imports).

The interface is four small calls, so an object store can be added beside the local one.

Keys are random; a file's name and type are kept in the database, never
used as a path, so nothing a user sends can reach outside the store's folder.
The store a tenant app uses is chosen by FORMWORK_FILE_STORE from STORES: an
object store is one class with these calls and one `register_store` line.
"""

from __future__ import annotations

import os
import secrets
import tempfile
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, Protocol

if TYPE_CHECKING:
    from flask import Flask

    from ..config import Settings

STORE_EXTENSION = "formwork_files"


@dataclass(frozen=True)
class StoredFile:
    key: str
    name: str
    size: int
    content_type: str

    def as_data(self) -> dict[str, object]:
        return {"key": self.key, "name": self.name, "size": self.size, "content_type": self.content_type}


class FileStore(Protocol):
    def save(self, data: bytes, name: str, content_type: str) -> StoredFile: ...

    def open(self, key: str) -> BinaryIO: ...

    def exists(self, key: str) -> bool: ...

    def delete(self, key: str) -> None: ...


class LocalFileStore:
    """Files under `<instance>/files/<tenant>/`, two levels of folders by key."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, key: str) -> Path:
        if not key.isalnum() or not key.isascii():
            raise FileNotFoundError(key)
        return self.root / key[:2] / key

    def save(self, data: bytes, name: str, content_type: str) -> StoredFile:
        """Written to a temporary file and renamed: a crash never leaves half a file under a key."""
        key = secrets.token_hex(16)
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, prefix=".upload-", delete=False) as temporary:
            try:
                temporary.write(data)
                temporary.flush()
                os.fsync(temporary.fileno())
            except BaseException:
                os.unlink(temporary.name)
                raise
        os.replace(temporary.name, path)
        return StoredFile(key, name, len(data), content_type)

    def open(self, key: str) -> BinaryIO:
        return self._path(key).open("rb")

    def exists(self, key: str) -> bool:
        try:
            return self._path(key).is_file()
        except FileNotFoundError:
            return False

    def delete(self, key: str) -> None:
        with suppress(FileNotFoundError):  # a key that cannot be a stored file's
            self._path(key).unlink(missing_ok=True)


StoreFactory = Callable[["Settings", str], FileStore]
#: FORMWORK_FILE_STORE -> how to open one tenant's store
STORES: dict[str, StoreFactory] = {
    "local": lambda settings, slug: LocalFileStore(settings.instance / "files" / slug),
}


def register_store(kind: str, factory: StoreFactory) -> None:
    """Make another store (an object store, say) choosable with FORMWORK_FILE_STORE=<kind>."""
    STORES[kind] = factory


def open_store(settings: Settings, slug: str) -> FileStore:
    """The file store of tenant `slug`, of the kind the settings name."""
    factory = STORES.get(settings.file_store)
    if factory is None:
        raise ValueError(f"FORMWORK_FILE_STORE={settings.file_store!r} is not one of: {', '.join(sorted(STORES))}")
    return factory(settings, slug)


def install_file_store(app: Flask, settings: Settings, slug: str) -> None:
    """Open the store FORMWORK_FILE_STORE names for the tenant app: every feature that keeps a file finds it there."""
    app.extensions[STORE_EXTENSION] = open_store(settings, slug)


def store_for(app: Flask) -> FileStore:
    """The tenant app's file store (set when the app is built)."""
    return app.extensions[STORE_EXTENSION]

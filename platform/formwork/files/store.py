"""Where uploaded files live. The interface is three calls, so an object store can be added beside the local one.

Keys are random; a file's name and type are kept in the record's column, never
used as a path, so nothing a user sends can reach outside the store's folder.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol


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

    def delete(self, key: str) -> None: ...


class LocalFileStore:
    """Files under `<instance>/files/<tenant>/`, two levels of folders by key."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, key: str) -> Path:
        if not key.isalnum():
            raise FileNotFoundError(key)
        return self.root / key[:2] / key

    def save(self, data: bytes, name: str, content_type: str) -> StoredFile:
        key = secrets.token_hex(16)
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        return StoredFile(key, name, len(data), content_type)

    def open(self, key: str) -> BinaryIO:
        return self._path(key).open("rb")

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)


def store_for(app) -> FileStore:  # noqa: ANN001 - a Flask app
    """The tenant app's file store (set when the app is built)."""
    return app.extensions["formwork_files"]

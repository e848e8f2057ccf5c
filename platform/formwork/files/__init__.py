"""Files stored by the platform: a small storage interface, and the local store under the instance folder."""

from .store import FileStore, LocalFileStore, StoredFile, store_for

__all__ = ["FileStore", "LocalFileStore", "StoredFile", "store_for"]

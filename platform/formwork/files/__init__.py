"""Files stored by the platform: the storage interface and its stores, upload checks, versions, attachments.

See docs/files.md (users and operators) and docs/architecture.md §11 "Files".
"""

from .store import FileStore, LocalFileStore, StoredFile, register_store, store_for

__all__ = ["FileStore", "LocalFileStore", "StoredFile", "register_store", "store_for"]

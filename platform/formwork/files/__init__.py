"""The files feature: file and image fields, attachments, upload checks, versions (files/feature.py registers them).

Where the bytes live is the platform's (tenancy/file_store.py): any feature may store a file there.
See docs/files.md (users and operators) and docs/architecture.md §11 "Files".
"""

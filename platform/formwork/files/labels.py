"""The words of the attachments panel, its messages and the file API's answers (translated in the platform's
catalogs)."""

from __future__ import annotations

from ..i18n import CatalogText

TEXT = {
    "attachments": CatalogText("Attachments"),
    "none": CatalogText("No attachments yet."),
    "name": CatalogText("Name"),
    "size": CatalogText("Size"),
    "version": CatalogText("Version"),
    "uploaded_by": CatalogText("Uploaded by"),
    "uploaded_at": CatalogText("Uploaded at"),
    "replaced_at": CatalogText("Replaced at"),
    "earlier": CatalogText("Earlier versions"),
    "upload": CatalogText("Upload"),
    "replace": CatalogText("Replace"),
    "delete": CatalogText("Delete"),
    "confirm_delete": CatalogText("Delete this attachment and all its versions?"),
    "same_name": CatalogText("A file with the name of an attachment becomes its new version."),
    "field_versions": CatalogText("Earlier files"),
}
UPLOADED = CatalogText("Attached.")
DELETED = CatalogText("Attachment deleted.")
REFUSED = CatalogText("Refused")
NO_FILE = CatalogText("Choose a file to upload.")
ONE_FILE = CatalogText("Choose one file to replace an attachment with.")
TOO_LARGE_REQUEST = CatalogText("The upload is larger than {mb:g} MB.")

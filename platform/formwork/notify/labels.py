"""What the notification screens say (translated in the platform's catalogs)."""

from __future__ import annotations

from ..i18n import LANGUAGES, CatalogText, Label, language_name

TEXT = {
    "notifications": CatalogText("Notifications"),
    "empty": CatalogText("No notifications."),
    "unread_only": CatalogText("Unread only"),
    "all": CatalogText("All"),
    "mark_read": CatalogText("Mark read"),
    "mark_all_read": CatalogText("Mark all read"),
    "marked": CatalogText("Marked {} notification(s) read."),
    "open": CatalogText("Open the record"),
    "preferences": CatalogText("Notification settings"),
    "event": CatalogText("Event"),
    "in_app": CatalogText("In the inbox"),
    "email": CatalogText("By e-mail"),
    "language": CatalogText("E-mail language"),
    "save": CatalogText("Save"),
    "saved": CatalogText("Your notification settings are saved."),
    "bad_language": CatalogText("Choose one of the languages offered."),
    "follow": CatalogText("Follow"),
    "unfollow": CatalogText("Unfollow"),
    "followed": CatalogText("You follow this record: its changes reach your inbox."),
    "unfollowed": CatalogText("You no longer follow this record."),
    "previous": CatalogText("Previous"),
    "next": CatalogText("Next"),
    "when": CatalogText("When"),
    "unread": CatalogText("unread"),
    "outbox": CatalogText("E-mail outbox"),
    "recipient": CatalogText("Recipient"),
    "status": CatalogText("Status"),
    "attempts": CatalogText("Attempts"),
    "last_error": CatalogText("Last error"),
    "retry": CatalogText("Try again"),
    "retrying": CatalogText("The e-mail will be sent again at the worker's next tick."),
}
MAIL_STATUS = {
    "pending": CatalogText("Waiting"),
    "sending": CatalogText("Sending"),
    "sent": CatalogText("Sent"),
    "failed": CatalogText("Failed"),
}
#: each language's name in every language (CLDR's, so a language added as a catalog is named without a text here)
LANGUAGE_NAMES = {code: Label({reader: language_name(code, reader) for reader in LANGUAGES}) for code in LANGUAGES}

"""What the webhook delivery log says (translated in the platform's catalogs)."""

from __future__ import annotations

from ...i18n import CatalogText

TEXT = {
    "webhooks": CatalogText("Webhooks"),
    "log": CatalogText("Webhook deliveries"),
    "all": CatalogText("All"),
    "empty": CatalogText("No webhook deliveries."),
    "url": CatalogText("URL"),
    "event_type": CatalogText("Event type"),
    "source": CatalogText("Queued by"),
    "status": CatalogText("Status"),
    "attempts": CatalogText("Attempts"),
    "response_code": CatalogText("Response"),
    "last_error": CatalogText("Last error"),
    "created_at": CatalogText("Queued"),
    "last_attempt_at": CatalogText("Last attempt"),
    "next_attempt_at": CatalogText("Next attempt"),
    "delivered_at": CatalogText("Delivered"),
    "retry": CatalogText("Try again"),
    "retrying": CatalogText("The webhook will be sent again at the worker's next tick."),
    "secret": CatalogText("Signing secret"),
    "secret_help": CatalogText(
        "Every webhook is signed with this secret (Standard Webhooks: the webhook-id, webhook-timestamp and "
        "webhook-signature headers); the receiver verifies the signature with it."
    ),
    "rotate": CatalogText("Rotate the secret"),
    "rotated": CatalogText("A new signing secret is in use; the previous one also signs for the next 24 hours."),
    "previous": CatalogText("Previous"),
    "next": CatalogText("Next"),
}
STATUS = {
    "pending": CatalogText("Waiting"),
    "sending": CatalogText("Sending"),
    "delivered": CatalogText("Delivered"),
    "failed": CatalogText("Failed"),
}

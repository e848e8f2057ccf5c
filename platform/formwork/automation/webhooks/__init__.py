"""Webhook delivery for the automation's webhook step: signed (Standard Webhooks), queued in the caller's
transaction, sent by the worker with retries and backoff, logged with response codes, and kept off internal
networks by the operator's allow-list (FORMWORK_WEBHOOK_ALLOW). docs/webhooks.md says how to use it."""

from __future__ import annotations

from .queue import queue_webhook
from .registration import register
from .targets import target_refusal

__all__ = ["queue_webhook", "register", "target_refusal"]

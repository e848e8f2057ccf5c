"""Notifications: an in-app inbox, e-mail sent by the worker, per-user preferences and record followers.

Other parts of the platform call `notify` (approvals, comments' mentions) and
`record_changed` (the change history) inside their own transaction.
"""

from .events import (
    APPROVAL_DECIDED,
    APPROVAL_NEEDED,
    ASSIGNED,
    CC,
    EVENTS,
    FOLLOWED_CHANGED,
    MENTIONED,
    REMINDER,
)
from .sending import forget_followers, notify, record_changed

__all__ = [
    "notify",
    "record_changed",
    "forget_followers",
    "EVENTS",
    "ASSIGNED",
    "APPROVAL_NEEDED",
    "APPROVAL_DECIDED",
    "MENTIONED",
    "FOLLOWED_CHANGED",
    "REMINDER",
    "CC",
]

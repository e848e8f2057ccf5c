"""Notifications: an in-app inbox, e-mail sent by the worker, per-user preferences and record followers.

The feature answers the core's notices port (tenancy/notices.py): other features call `notify` (approvals,
comments' mentions) and `record_changed` (the change history) there, inside their own transaction, and
notify/sending.py does it.
"""

"""Notifications as a feature: the Notification kind and its checks, the inbox, outbox, preferences and followers
tables, and the notification screens, declared on the registry (formwork/features.py)."""

from __future__ import annotations

from typing import Any

from ..features import (
    DEFINITION_CHECKS,
    DEFINITION_KINDS,
    ENTITY_SCREENS,
    RECORD_PANELS,
    SCREENS,
    TENANT_TABLES,
    EntityScreens,
    FeatureRegistry,
    RecordPanel,
)
from ..meta.catalog import Catalog
from ..meta.errors import DefinitionError
from ..meta.kinds import Kind
from ..meta.partial import Partial
from .tables import FOLLOWERS, NOTIFICATIONS, OUTBOX, PREFERENCES, PROFILES
from .templates import NotificationDef, build_notification, check_notifications
from .views import FollowScreens


def add_notification(catalog: Catalog, notification: NotificationDef) -> list[DefinitionError]:
    """Notification texts by (event, entity or None for every record): one text per event and scope."""
    if notification.key in catalog.notifications:
        other = catalog.notifications[notification.key]
        scope = f" for {notification.entity}" if notification.entity else ""
        return [
            notification.document.error(
                ("event",), f"the texts of '{notification.event}'{scope} are defined twice (also in pack {other.pack})"
            )
        ]
    catalog.notifications[notification.key] = notification
    return []


NOTIFICATION = Kind(
    "Notification",
    "notification.json",
    build_notification,
    add_notification,
    Partial(identity=("entity",)),
    collection="notifications",
)


def notification_screens(appbuilder: Any, _catalog: Catalog) -> None:
    from .views import register_notifications

    register_notifications(appbuilder)


def register(registry: FeatureRegistry) -> None:
    registry.add(DEFINITION_KINDS, NOTIFICATION, priority=30)
    registry.add(DEFINITION_CHECKS, check_notifications, priority=30)
    for table in (NOTIFICATIONS, OUTBOX, PREFERENCES, PROFILES, FOLLOWERS):
        registry.add(TENANT_TABLES, table)
    registry.add(SCREENS, notification_screens, priority=60)
    registry.add(ENTITY_SCREENS, EntityScreens(FollowScreens), priority=30)
    registry.add(
        RECORD_PANELS,
        RecordPanel("following", "formwork/notify/follow.html", lambda view, pk, _item: view.follow_widgets(pk)),
        priority=20,
    )

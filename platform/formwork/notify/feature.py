"""Notifications as a feature: the Notification kind and its checks, the inbox, outbox, preferences and followers
tables, the notification screens and the tick's e-mail job, declared on the registry (formwork/features.py)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from ..features import (
    DEFINITION_CHECKS,
    DEFINITION_KINDS,
    ENTITY_SCREENS,
    JOBS,
    NOTICES,
    PLATFORM_JOBS,
    RECORD_PANELS,
    ROLE_RIGHTS,
    SCREENS,
    TENANT_TABLES,
    TOP_BAR,
    EntityScreens,
    FeatureRegistry,
    Job,
    JobDone,
    RecordPanel,
    TopBarPart,
)
from ..meta.catalog import Catalog
from ..meta.errors import DefinitionError
from ..meta.kinds import Kind
from ..meta.partial import Partial
from ..tenancy.platform_mail import send_platform_mails
from . import sending
from .mail import Mailer, mailer_for
from .outbox import send_due
from .rights import notification_rights
from .tables import FOLLOWERS, NOTIFICATIONS, OUTBOX, PREFERENCES, PROFILES
from .templates import NotificationDef, build_notification, check_notifications
from .views import FollowScreens

if TYPE_CHECKING:
    from ..config import Settings
    from ..tenancy.runtime import TenantRuntime
    from ..tenancy.worker import JobServices


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
    schema_package="formwork.notify",
)


def notification_screens(appbuilder: Any, _catalog: Catalog) -> None:
    from .views import register_notifications

    register_notifications(appbuilder)


def unread_badge() -> dict[str, Any] | None:
    from .views import unread_badge as badge

    return badge()


def tick_mailer(services: JobServices) -> Mailer | None:
    """The mailer the tick's caller chose, else FORMWORK_SMTP_URL's; None when it gave neither mailer nor settings."""
    if services.mailer is not None or services.settings is None:
        return services.mailer
    return mailer_for(services.settings.smtp_url, services.settings.site_url)


def mails_due(runtime: TenantRuntime, now: datetime, services: JobServices) -> JobDone:
    """The notification e-mails due at `now` (notify/outbox.py), sent through the tick's mailer."""
    mailer = tick_mailer(services)
    if mailer is None:
        return JobDone()
    mails = send_due(runtime, mailer, now)
    mails["failed_mail"] = mails.pop("failed", 0)  # `failed` counts the approvals' jobs that failed
    return JobDone(mails)


MAILS_DUE = Job(
    "notification e-mails",
    mails_due,
    {
        "sent": "e-mail(s) sent",
        "retry": "e-mail(s) refused, to be retried",
        "failed_mail": "e-mail(s) given up",
    },
)


def platform_mails_due(settings: Settings | None, now: datetime, services: JobServices) -> JobDone:
    """The platform's own e-mails due at `now` (tenancy/platform_mail.py), through the tick's mailer."""
    mailer = tick_mailer(services)
    if mailer is None or settings is None:
        return JobDone()
    mails = send_platform_mails(settings, mailer, now)
    mails["failed_mail"] = mails.pop("failed", 0)
    return JobDone(mails)


PLATFORM_MAILS_DUE = Job("platform e-mails", platform_mails_due, MAILS_DUE.words)


def register(registry: FeatureRegistry) -> None:
    registry.add(DEFINITION_KINDS, NOTIFICATION, priority=30)
    registry.add(DEFINITION_CHECKS, check_notifications, priority=30)
    for table in (NOTIFICATIONS, OUTBOX, PREFERENCES, PROFILES, FOLLOWERS):
        registry.add(TENANT_TABLES, table)
    registry.add(SCREENS, notification_screens, priority=60)
    registry.add(
        NOTICES, sending
    )  # the module answers tenancy/notices.Notices: notify, record_changed, forget_followers
    registry.add(ROLE_RIGHTS, notification_rights)
    registry.add(TOP_BAR, TopBarPart("notifications", "formwork/notify/top_bar.html", unread_badge), priority=20)
    registry.add(JOBS, MAILS_DUE, priority=90)  # after the jobs that queue mails, so theirs leave in the same tick
    registry.add(PLATFORM_JOBS, PLATFORM_MAILS_DUE)
    registry.add(ENTITY_SCREENS, EntityScreens(FollowScreens), priority=30)
    registry.add(
        RECORD_PANELS,
        RecordPanel(
            "following",
            "formwork/notify/follow.html",
            lambda view, pk, _item: view.follow_widgets(pk),
            place="header",
        ),
        priority=20,
    )

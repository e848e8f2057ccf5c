"""The notification screens: the inbox (/notifications/), its navbar entry with the unread count, the
preferences screen, and the follow button on every record's show page.

The inbox and preferences ask for `can_inbox` on `NotificationInbox`, which
every pack role holds (notify/rights.NOTIFICATION_RIGHTS); they only ever
read and change the signed-in user's own rows (notify/inbox.py). Following a
record is a route of the entity's own ModelView with `can_show`, and FAB's
base filters decide which records exist for the user, so nobody can follow
what they may not see. Every form posts with the CSRF token.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from flask import abort, current_app, flash, redirect, request, url_for
from flask_appbuilder import AppBuilder, BaseView, expose, has_access, permission_name
from werkzeug.wrappers import Response

from ..adapters.fab import base_filters
from ..compile.actors import request_actor, signed_in_actor
from ..compile.models import class_name, utcnow
from ..formatting import local_time
from ..i18n import LANGUAGES, current_locale
from ..tenancy.directory import display_names
from ..tenancy.work_logs import MAX_PAGE, requested_page
from . import inbox as store
from . import outbox as mails
from .events import CHANNELS, EVENTS
from .labels import LANGUAGE_NAMES, MAIL_STATUS, TEXT
from .rights import NOTIFICATION_RIGHTS
from .templates import rendered

if TYPE_CHECKING:
    from ..tenancy.runtime import TenantRuntime

PAGE_SIZE = 20
MENU_NAME = NOTIFICATION_RIGHTS[2][1]
MENU_VIEW = NOTIFICATION_RIGHTS[1][1]
MAIL_STATUSES = (mails.PENDING, mails.SENDING, mails.SENT, mails.FAILED)


def _runtime() -> Any:
    return current_app.extensions["formwork"]


def _user() -> str:
    return signed_in_actor().username


def described(
    runtime: TenantRuntime, row: Any, language: str, names: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """What the inbox and the API show of a notification: its texts in `language` and a link to its record. With
    `names` ({user name: "First Last"}), the texts name people as people read them; `actor` stays the user name."""
    people = names or {}
    named = SimpleNamespace(
        **{
            **row._mapping,
            "actor": people.get(row.actor, row.actor),
            "recipient": people.get(row.recipient, row.recipient),
        }
    )
    subject, body = rendered(runtime.catalog, named, language)
    entity = runtime.catalog.entities.get(row.entity) if row.entity else None
    link = url_for(f"{class_name(entity)}View.show", pk=row.record_id) if entity and row.record_id else None
    return {
        "id": row.id,
        "event": row.event,
        "entity": row.entity,
        "record_id": row.record_id,
        "actor": row.actor,
        "subject": subject,
        "body": body,
        "link": link,
        "read": row.read_at is not None,
        "created_at": row.created_at,
    }


class NotificationInbox(BaseView):
    """/notifications/: the signed-in user's notifications and their notification settings."""

    route_base = "/notifications"
    default_view = "inbox"

    @expose("/")
    @has_access
    def inbox(self) -> Any:
        page = max(0, min(request.args.get("page", 0, type=int), MAX_PAGE))
        unread_only = request.args.get("unread") == "1"
        runtime, user, language = _runtime(), _user(), current_locale()
        session = runtime.session()
        total, rows = store.page_of(session, user, page, PAGE_SIZE, unread_only)
        names = display_names(session, [user, *(row.actor for row in rows)])
        return self.render_template(
            "formwork/notify/inbox.html",
            title=TEXT["notifications"],
            T=TEXT,
            rows=[{**described(runtime, row, language, names), "at": local_time(row.created_at)} for row in rows],
            page=page,
            more=(page + 1) * PAGE_SIZE < total,
            unread_only=unread_only,
        )

    @expose("/open/<int:notification_id>")
    @has_access
    @permission_name("inbox")
    def open(self, notification_id: int) -> Response:
        """Follow a notification's link: it is read now. Someone else's id is 404, like one that does not exist."""
        runtime, user = _runtime(), _user()
        session = runtime.session()
        row = store.one(session, user, notification_id)
        if row is None:
            abort(404)
        store.mark_read(session, user, [notification_id])
        session.commit()
        return redirect(described(runtime, row, current_locale())["link"] or url_for(".inbox"))

    @expose("/read", methods=["POST"])
    @has_access
    @permission_name("inbox")
    def mark_read(self) -> Response:
        """Mark the ticked notifications read (`all=1`: every unread one)."""
        try:
            ids = None if request.form.get("all") == "1" else [int(v) for v in request.form.getlist("notification")]
        except ValueError:
            abort(400)
        session = _runtime().session()
        changed = store.mark_read(session, _user(), ids)
        session.commit()
        flash(TEXT["marked"].localized().format(changed), "success")
        return redirect(url_for(".inbox"))

    @expose("/preferences", methods=["GET", "POST"])
    @has_access
    @permission_name("inbox")
    def preferences(self) -> Any:
        """Per event, whether it reaches the inbox and the mailbox; and the e-mails' language."""
        session, user = _runtime().session(), _user()
        if request.method == "POST":
            chosen = request.form.get("language", "")
            if chosen not in LANGUAGES:
                flash(TEXT["bad_language"].localized(), "danger")
                return redirect(url_for(".preferences"))
            form = request.form
            store.save_preferences(
                session,
                user,
                {event: {channel: form.get(f"{event}-{channel}") == "on" for channel in CHANNELS} for event in EVENTS},
            )
            store.save_language(session, user, chosen)
            session.commit()
            flash(TEXT["saved"].localized(), "success")
            return redirect(url_for(".preferences"))
        return self.render_template(
            "formwork/notify/preferences.html",
            title=TEXT["preferences"],
            T=TEXT,
            events=EVENTS,
            channels=CHANNELS,
            chosen=store.preferences(session, user),
            languages=LANGUAGE_NAMES,
            language=store.language(session, user) or current_locale(),
        )

    @expose("/outbox")
    @has_access
    def outbox(self) -> Any:
        """The tenant's e-mails with their attempts and last error (for admins: pack roles do not get `can_outbox`)."""
        status, page = requested_page(MAIL_STATUSES)
        total, rows = mails.MAILS.listing(_runtime().session(), status, page, PAGE_SIZE)
        return self.render_template(
            "formwork/notify/outbox.html",
            title=TEXT["outbox"],
            T=TEXT,
            rows=rows,
            status=status,
            statuses=MAIL_STATUSES,
            page=page,
            more=(page + 1) * PAGE_SIZE < total,
            time=local_time,
        )

    @expose("/outbox/<int:mail_id>/retry", methods=["POST"])
    @has_access
    @permission_name("outbox")
    def retry(self, mail_id: int) -> Response:
        session = _runtime().session()
        if not mails.MAILS.retry(session, mail_id, utcnow()):
            abort(404)
        session.commit()
        flash(TEXT["retrying"].localized(), "success")
        return redirect(url_for(".outbox", status=mails.FAILED))


class FollowScreens:
    """Mixed into every entity's ModelView (compile/views.build_view): the follow button and its route."""

    def follow_widgets(self, pk: int) -> dict[str, Any]:
        """Whether the signed-in user follows the record: its page's follow button (a RecordPanel)."""
        user = request_actor()
        if not user.signed_in:
            return {}
        return {"following": store.is_following(_runtime().session(), user.username, self.entity.qualified, pk)}  # type: ignore[attr-defined]

    @expose("/follow/<int:pk>", methods=["POST"])
    @has_access
    @permission_name("show")
    def follow(self, pk: int) -> Response:
        """Follow the record (`on=1`) or stop following it; records the user may not see are 404."""
        if self.datamodel.get(pk, base_filters(self)) is None:  # type: ignore[attr-defined]
            abort(404)
        on = request.form.get("on") == "1"
        session = _runtime().session()
        store.follow(session, _user(), self.entity.qualified, pk, on)  # type: ignore[attr-defined]
        session.commit()
        flash(TEXT["followed" if on else "unfollowed"].localized(), "success")
        return redirect(url_for(".show", pk=pk))


def unread_badge() -> dict[str, Any] | None:
    """The top bar's bell (a TopBarPart, notify/feature.py): the inbox and the signed-in user's unread count, one
    indexed query; nothing for someone without an inbox."""
    user = request_actor()
    if not user.signed_in or not current_app.appbuilder.sm.has_access("can_inbox", MENU_VIEW):  # type: ignore[attr-defined]
        return None
    unread = store.unread_count(_runtime().session(), user.username)
    return {
        "url": url_for("NotificationInbox.inbox"),
        "unread": store.shown_unread(unread) if unread else "",
        "T": TEXT,
    }


def template_texts() -> dict[str, Any]:
    return {"fw_notify": TEXT, "fw_mail_status": MAIL_STATUS}


def register_notifications(appbuilder: AppBuilder) -> None:
    """The inbox with its navbar entry, and the REST API (/api/v1/notifications/)."""
    from .api import NotificationApi

    current_app.context_processor(template_texts)
    appbuilder.add_view(NotificationInbox, MENU_NAME, label=TEXT["notifications"], icon="fa-bell")
    appbuilder.add_api(NotificationApi)

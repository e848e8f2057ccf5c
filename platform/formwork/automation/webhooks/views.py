"""The webhook delivery log (/webhooks/): the tenant's deliveries with their attempts, response codes and errors,
a failed one sent again, and the signing secret the receivers verify with, rotated.

Every route asks for `can_log` on `WebhookLog`, which no pack role is given: the tenant's admin role (which holds
every permission) sees it, anyone else gets 403. The secret is shown only here. Both buttons post with the CSRF
token.
"""

from __future__ import annotations

from typing import Any

from flask import abort, current_app, flash, redirect, url_for
from flask_appbuilder import AppBuilder, BaseView, expose, has_access, permission_name
from werkzeug.wrappers import Response

from ...compile.models import utcnow
from ...formatting import local_time
from ...tenancy.menu import menu_label
from ...tenancy.work_logs import requested_page
from . import delivery, signing
from .labels import STATUS, TEXT
from .queue import FAILED, STATUSES

PAGE_SIZE = 20
MENU_NAME = "Webhooks"  # the menu entry's permission name (`menu_access` on it); its label is TEXT["webhooks"]


def _session() -> Any:
    return current_app.extensions["formwork"].session()


class WebhookLog(BaseView):
    """/webhooks/: the delivery log and the signing secret, for the tenant's admins."""

    route_base = "/webhooks"
    default_view = "log"

    @expose("/")
    @has_access
    def log(self) -> Any:
        status, page = requested_page(STATUSES)
        session = _session()
        total, rows = delivery.DELIVERY_QUEUE.listing(session, status, page, PAGE_SIZE)
        secret = signing.current_secret(session, utcnow())
        session.commit()  # the secret made on first sight is kept
        return self.render_template(
            "formwork/webhooks/log.html",
            title=TEXT["log"],
            T=TEXT,
            STATUS=STATUS,
            rows=rows,
            status=status,
            statuses=STATUSES,
            secret=secret,
            page=page,
            more=(page + 1) * PAGE_SIZE < total,
            time=local_time,
        )

    @expose("/<int:delivery_id>/retry", methods=["POST"])
    @has_access
    @permission_name("log")
    def retry(self, delivery_id: int) -> Response:
        """A failed delivery due again now, with a fresh set of attempts; any other is 404."""
        session = _session()
        if not delivery.DELIVERY_QUEUE.retry(session, delivery_id, utcnow()):
            abort(404)
        session.commit()
        flash(TEXT["retrying"].localized(), "success")
        return redirect(url_for(".log", status=FAILED))

    @expose("/secret/rotate", methods=["POST"])
    @has_access
    @permission_name("log")
    def rotate(self) -> Response:
        session = _session()
        signing.rotate(session, utcnow())
        session.commit()
        flash(TEXT["rotated"].localized(), "success")
        return redirect(url_for(".log"))


def register_screens(appbuilder: AppBuilder, _catalog: Any) -> None:
    """The log and its menu entry (shown only to those with its rights: the admins)."""
    appbuilder.add_view(WebhookLog, MENU_NAME, label=menu_label(TEXT["webhooks"]), icon="fa-paper-plane")

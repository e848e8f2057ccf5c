"""The automation run log (/automation-runs/): every scheduled and date run with its trigger, slot, records and
steps done, outcome, duration and error, newest first; a failed run retried.

Every route asks for `can_log` on `AutomationRunLog`, which no pack role is given: the tenant's admin role (which
holds every permission) sees it, anyone else gets 403. Retry posts with the CSRF token.
"""

from __future__ import annotations

from typing import Any

from flask import abort, current_app, flash, redirect, url_for
from flask_appbuilder import AppBuilder, BaseView, expose, has_access, permission_name
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from ...features import AutomationRun
from ...formatting import local_time
from ...tenancy.menu import menu_label
from ...tenancy.work_logs import requested_page
from . import runs
from .labels import STATUS, TEXT, TRIGGER

PAGE_SIZE = 25
MENU_NAME = "Automation runs"  # the menu entry's permission name; its label is TEXT["menu"]


def _session() -> Any:
    return current_app.extensions["formwork"].session()


def logged_runs(session: Session, automation: str, limit: int) -> list[AutomationRun]:
    """An automation's newest runs as the Studio shows them beside its editor (AUTOMATION_RUNS): a date run's
    record, or the record a schedule's run failed at."""
    return [
        AutomationRun(
            row.started_at,
            row.record_id or row.failed_record_id,
            STATUS[row.status].localized(),
            row.error,
            row.duration_ms,
        )
        for row in runs.recent(session, automation, limit)
    ]


class AutomationRunLog(BaseView):
    """/automation-runs/: the run log, for the tenant's admins."""

    route_base = "/automation-runs"
    default_view = "log"

    @expose("/")
    @has_access
    def log(self) -> Any:
        status, page = requested_page(runs.STATUSES)
        session = _session()
        total, rows = runs.listing(session, status, page, PAGE_SIZE)
        session.rollback()  # a read: end the transaction before the page renders
        return self.render_template(
            "formwork/automation/runs.html",
            title=TEXT["log"],
            T=TEXT,
            STATUS=STATUS,
            TRIGGER=TRIGGER,
            rows=rows,
            status=status,
            statuses=runs.STATUSES,
            page=page,
            more=(page + 1) * PAGE_SIZE < total,
            time=local_time,
        )

    @expose("/<int:run_id>/retry", methods=["POST"])
    @has_access
    @permission_name("log")
    def retry(self, run_id: int) -> Response:
        """A failed run waits for the next tick, which goes on from its progress; any other run is 404."""
        session = _session()
        if not runs.retry(session, run_id):
            abort(404)
        session.commit()
        flash(TEXT["retrying"].localized(), "success")
        return redirect(url_for(".log"))


def register_screens(appbuilder: AppBuilder, _catalog: Any) -> None:
    """The log and its menu entry (shown only to those with its rights: the admins)."""
    appbuilder.add_view(AutomationRunLog, MENU_NAME, label=menu_label(TEXT["menu"]), icon="fa-clock-o")

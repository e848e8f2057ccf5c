"""The approval screens: the panel on a record's show and edit pages with its actions, and the inbox.

The panel's actions are routes of the entity's own ModelView, so FAB checks
that the user may see the entity (`can_show`) and FAB's base filters decide
which records exist for them; a task must also be the user's and belong to
that record, or the answer is 404. The engine still decides every action and
its refusals are flashed. Every form posts with the CSRF token (CSRFProtect
refuses the rest).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from flask import abort, current_app, flash, redirect, request, send_file, url_for
from flask_appbuilder import AppBuilder, BaseView, expose, has_access, permission_name
from markupsafe import escape
from werkzeug.wrappers import Response

from ..adapters.fab import base_filters
from ..compile.actors import request_actor, signed_in_actor
from ..compile.models import class_name
from ..formatting import local_time
from ..i18n import Label
from ..meta.catalog import Catalog
from ..tenancy.directory import Directory, display_names
from ..tenancy.file_store import store_for
from .attachments import attachment_of, forget, store_uploads
from .definition import ChainDef, chain_from_snapshot
from .engine import APPROVED, PENDING, Approvals, decided_lock, is_admin
from .errors import AlreadyDecided, WorkflowError
from .inbox import (
    TABS,
    InboxRow,
    counts,
    fill_in,
    held_by,
    page_of,
    paging,
    shown_count,
)
from .labels import BUTTON, DONE, EVENT, STATUS, STATUS_COLOUR, TASK_STATUS, TEXT
from .labels import TABS as TAB_LABELS
from .panel import Panel, actor_label, read_panel
from .roles import APPROVER_RIGHTS
from .tables import INSTANCES, TASKS

if TYPE_CHECKING:
    from ..tenancy.runtime import TenantRuntime

TASK_ACTIONS = ("approve", "reject", "return", "transfer", "add_before", "add_after")
RECORD_ACTIONS = ("submit", "withdraw", "urge", "comment", "move", "reopen")
#: the actions whose event may carry attached files (the engine takes them on these)
ATTACHING = ("submit", "approve", "reject", "return", "comment")
MAX_COMMENT = 4000
MAX_PAGE = 100_000
#: the menu entry's name, which is also the name of its `menu_access` right (the REST API's right is on "Approvals")
MENU_NAME = APPROVER_RIGHTS[2][1]


def _runtime() -> Any:
    return current_app.extensions["formwork"]


@dataclass(frozen=True)
class LockActions:
    """What the panel offers beyond the engine's everyday buttons: a tenant admin moving a running request to its
    chain's current version, reopening an approved one (or its submitter, when the chain allows), and changing a
    record its decision locks (the edit page asks for the reason, posted with the record's form)."""

    move: bool = False
    reopen: bool = False
    override: bool = False


def lock_actions(runtime: TenantRuntime, entity: str, record_id: int, user: str) -> LockActions:
    session = runtime.session()
    instance = session.execute(
        sa.select(INSTANCES).where(INSTANCES.c.entity == entity, INSTANCES.c.record_id == record_id)
    ).first()
    if instance is None:
        return LockActions()
    admin, current = is_admin(Directory(session, runtime.compiled), user), runtime.catalog.chains.get(instance.chain)
    submitter_reopens = chain_from_snapshot(instance.snapshot).lock.reopen == "submitter" and instance.submitter == user
    return LockActions(
        move=admin and instance.status == PENDING and current is not None and current.version != instance.chain_version,
        reopen=instance.status == APPROVED and (admin or submitter_reopens),
        override=admin and decided_lock(session, entity, record_id) is not None,
    )


def refusal_text(error: WorkflowError) -> str:
    """The flashed line: a heading and the engine's message, both in the user's language."""
    return headed(error.localized(), "already_decided" if isinstance(error, AlreadyDecided) else "refused")


def headed(message: str, heading: str = "refused") -> str:
    """A refusal after its heading, punctuated the language's way ("Refused: …", "操作被拒绝：…")."""
    return TEXT[heading].localized().format(message)


class ApprovalScreens:
    """Mixed into the ModelView of an entity with an approval chain (see compile/views.build_view)."""

    def approval_widgets(self, pk: int) -> dict[str, Any]:
        """The approval panel of a record's show and edit pages (a RecordPanel, workflow/feature.py)."""
        return {
            "approval": self.approval_panel(pk),
            "approval_lock": lock_actions(_runtime(), self.entity.qualified, pk, signed_in_actor().username),
        }  # type: ignore[attr-defined]

    def approval_panel(self, record_id: int) -> Panel:
        panel = read_panel(_runtime(), self.entity, record_id, signed_in_actor().username)  # type: ignore[attr-defined]
        panel.can_submit = panel.can_submit and self._may_submit()
        return panel

    def _may_submit(self) -> bool:
        """Submitting locks the record: it takes the right to edit it (`can_edit` on this view)."""
        return self.appbuilder.sm.has_access("can_edit", self.class_permission_name)  # type: ignore[attr-defined]

    @expose("/approval/<int:pk>/<action>", methods=["POST"])
    @has_access
    @permission_name("show")
    def approval_action(self, pk: int, action: str) -> Response:
        """One panel button: do it as the signed-in user, flash what happened, go back to the page."""
        if action not in TASK_ACTIONS + RECORD_ACTIONS:
            abort(404)
        if self.datamodel.get(pk, base_filters(self)) is None:  # type: ignore[attr-defined]
            abort(404)
        user, back = (
            signed_in_actor().username,
            redirect(url_for(".edit" if request.form.get("back") == "edit" else ".show", pk=pk)),
        )
        if action == "submit" and not self._may_submit():
            flash(headed(TEXT["may_not_submit"].localized()), "danger")
            return back
        target = self._target(action, pk, user)
        comment = request.form.get("comment", "").strip() or None
        unfit = _unfit_comment(action, comment)
        if unfit:
            flash(unfit, "danger")
            return back
        try:
            attachments = store_uploads(request.files.getlist("attachments"), user) if action in ATTACHING else []
        except ValueError as refused:
            flash(headed(str(refused)), "danger")
            return back
        try:
            self._perform(Approvals(_runtime()), action, pk, user, target, comment, attachments)
        except WorkflowError as refused:
            forget(attachments)
            flash(refusal_text(refused), "danger")
        else:
            flash(DONE[action].localized(), "success")
        return back

    def _perform(
        self,
        approvals: Approvals,
        action: str,
        pk: int,
        user: str,
        target: Any,
        comment: str | None,
        attachments: list[dict[str, Any]],
    ) -> None:
        """`target` is the task for a decision, the instance for withdraw, urge and comment."""
        form = request.form
        if action == "submit":
            approvals.submit(
                self.entity.qualified,
                pk,
                user,
                comment=comment,
                attachments=attachments,  # type: ignore[attr-defined]
                chosen=_chosen(form),
            )
        elif action == "withdraw":
            approvals.withdraw(target, user, comment=comment)
        elif action == "urge":
            approvals.urge(target, user, comment=comment)
        elif action == "comment":
            approvals.comment(target, user, comment or "", attachments=attachments)
        elif action == "move":
            approvals.move_to_current(target, user, comment or "")
        elif action == "reopen":
            approvals.reopen(target, user, comment or "")
        else:
            self._decide(approvals, action, target, user, comment, attachments)

    def _decide(
        self,
        approvals: Approvals,
        action: str,
        task: int,
        user: str,
        comment: str | None,
        attachments: list[dict[str, Any]],
    ) -> None:
        form, person = request.form, request.form.get("person", "").strip()
        if action == "approve":
            approvals.approve(task, user, comment=comment, attachments=attachments)
        elif action == "reject":
            approvals.reject(task, user, comment=comment, attachments=attachments)
        elif action == "return":
            approvals.return_to(task, user, form.get("step", ""), comment=comment, attachments=attachments)
        elif action == "transfer":
            approvals.transfer(task, user, person, comment=comment)
        else:
            approvals.add_approver(task, user, person, before=action == "add_before", comment=comment)

    @expose("/approval/<int:pk>/file/<key>")
    @has_access
    @permission_name("show")
    def approval_file(self, pk: int, key: str) -> Response:
        """A file attached to this record's approval, to users who may see the record."""
        if not key.isalnum() or self.datamodel.get(pk, base_filters(self)) is None:  # type: ignore[attr-defined]
            abort(404)
        found = attachment_of(_runtime().session(), self.entity.qualified, pk, key)  # type: ignore[attr-defined]
        if found is None:
            abort(404)
        try:
            content = store_for(current_app).open(key)
        except FileNotFoundError:
            abort(404)
        return send_file(content, mimetype=found["content_type"], as_attachment=True, download_name=found["name"])

    def _target(self, action: str, pk: int, user: str) -> int | None:
        """What the action is on, found before anything is stored: the user's task, or the record's request."""
        if action == "submit":
            return None
        return self._task_id(pk, user) if action in TASK_ACTIONS else self._instance_id(pk)

    def _instance_id(self, pk: int) -> int:
        found = (
            _runtime()
            .session()
            .execute(
                sa.select(INSTANCES.c.id).where(
                    INSTANCES.c.entity == self.entity.qualified, INSTANCES.c.record_id == pk
                )
            )
            .scalar()
        )  # type: ignore[attr-defined]
        if found is None:
            abort(404)
        return found

    def _task_id(self, pk: int, user: str) -> int:
        """The posted task, when it is the user's and on this record; anything else is 404 (never say whose it is)."""
        task = request.form.get("task", type=int)
        found = (
            _runtime()
            .session()
            .execute(
                sa.select(TASKS.c.id)
                .join(INSTANCES, INSTANCES.c.id == TASKS.c.instance_id)
                .where(
                    TASKS.c.id == task,
                    TASKS.c.assignee == user,
                    INSTANCES.c.record_id == pk,
                    INSTANCES.c.entity == self.entity.qualified,
                )
            )
            .scalar()
        )  # type: ignore[attr-defined]
        if found is None:
            abort(404)
        return found


def _unfit_comment(action: str, comment: str | None) -> str | None:
    if comment and len(comment) > MAX_COMMENT:
        return TEXT["comment_too_long"].localized()
    if action == "comment" and comment is None:
        return TEXT["comment_empty"].localized()
    return None


def _chosen(form: Any) -> dict[str, list[str]]:
    """The approvers the submitter picked per step: fields `chosen-<step>`, each one or more names (comma-separated)."""
    chosen = {}
    for key in form:
        if key.startswith("chosen-"):
            names = [n.strip() for value in form.getlist(key) for n in value.split(",") if n.strip()]
            if names:
                chosen[key.removeprefix("chosen-")] = list(dict.fromkeys(names))
    return chosen


class ApprovalInbox(BaseView):
    """/approvals/: the signed-in user's own tasks and requests (there is no way to ask for someone else's)."""

    route_base = "/approvals"
    default_view = "inbox"

    @expose("/")
    @expose("/<tab>/")
    @has_access
    def inbox(self, tab: str = "to_approve") -> Any:
        if tab not in TABS:
            abort(404)
        page = max(1, min(request.args.get("page", 1, type=int), MAX_PAGE))
        runtime, user = _runtime(), signed_in_actor().username
        session = runtime.session()
        totals = counts(session, user)
        rows = page_of(session, tab, user, page)
        fill_in(session, runtime.compiled, rows, waiting_for=tab in ("submitted", "cc"))
        pages, more = paging(totals[tab], page, len(rows))
        names = display_names(
            session,
            [person for row in rows for person in (row.instance.submitter, row.delegated_from, *row.waiting_for)],
        )
        return self.render_template(
            "formwork/approvals/inbox.html",
            title=TEXT["approvals"],
            tab=tab,
            tabs=TABS,
            totals={name: shown_count(n) for name, n in totals.items()},
            page=page,
            more=more,
            pages=pages,
            rows=[_described(runtime.catalog, row) for row in rows],
            names=names,
        )

    @expose("/approve", methods=["POST"])
    @has_access
    @permission_name("inbox")
    def bulk_approve(self) -> Response:
        """Approve the ticked tasks one by one (each its own decision) and say how it went."""
        back = redirect(url_for(".inbox"))
        try:
            ids = list(dict.fromkeys(int(value) for value in request.form.getlist("task")))
        except ValueError:
            abort(400)
        if not ids:
            flash(TEXT["nothing_selected"].localized(), "warning")
            return back
        runtime, user = _runtime(), signed_in_actor().username
        if not held_by(runtime.session(), ids, user):
            abort(404)
        comment = request.form.get("comment", "").strip() or None
        if comment and len(comment) > MAX_COMMENT:
            flash(TEXT["comment_too_long"].localized(), "danger")
            return back
        approved, already, refused = _approve_each(Approvals(runtime), ids, user, comment)
        parts = [TEXT["bulk_approved"].localized().format(approved)]
        if already:
            parts.append(TEXT["bulk_already"].localized().format(already))
        if refused:
            reasons = TEXT["refusals_separator"].localized().join(refused)
            parts.append(TEXT["bulk_refused"].localized().format(len(refused), reasons))
        flash(TEXT["clauses_separator"].localized().join(parts), "success" if approved else "warning")
        return back


def _approve_each(approvals: Approvals, ids: list[int], user: str, comment: str | None) -> tuple[int, int, list[str]]:
    approved, already, refused = 0, 0, []
    for task in ids:
        try:
            approvals.approve(task, user, comment=comment)
            approved += 1
        except AlreadyDecided:
            already += 1
        except WorkflowError as error:
            refused.append(error.localized())
    return approved, already, refused


def _described(catalog: Catalog, row: InboxRow) -> dict[str, Any]:
    """What the inbox shows of a row: the record (linked), its chain and step in the user's language."""
    instance = row.instance
    entity = catalog.entities.get(instance.entity)
    chain: ChainDef | None = catalog.chains.get(instance.chain)
    if chain is None or chain.version != instance.chain_version:
        chain = chain_from_snapshot(instance.snapshot)
    step = chain.step(instance.step) if instance.step else None
    return {
        "row": row,
        "entity": entity.label if entity else instance.entity,
        "link": url_for(f"{class_name(entity)}View.show", pk=instance.record_id) if entity else None,
        "chain": chain.label,
        "step": step.label if step else "",
    }


class InboxMenuLabel(Label):
    """The menu entry "Approvals (3)": the signed-in user's open tasks, counted when the menu renders."""

    def __html__(self) -> str:
        text = str(escape(self.localized()))
        user = request_actor()
        if not user.signed_in:
            return text
        open_tasks = counts(_runtime().session(), user.username)["to_approve"]
        return f"{text} ({shown_count(open_tasks)})" if open_tasks else text


def template_texts() -> dict[str, Any]:
    return {
        "fw_approval": {
            "status": STATUS,
            "colour": STATUS_COLOUR,
            "task": TASK_STATUS,
            "event": EVENT,
            "button": BUTTON,
            "text": TEXT,
            "tabs": TAB_LABELS,
            "time": local_time,
            "actor": actor_label,
        }
    }


def register_approvals(appbuilder: AppBuilder, catalog: Catalog) -> None:
    """The inbox and its menu entry, for tenants whose packs have approval chains."""
    if not catalog.chains:
        return
    current_app.context_processor(template_texts)
    appbuilder.add_view(
        ApprovalInbox, MENU_NAME, label=InboxMenuLabel(TEXT["approvals"].translations), icon="fa-check-square-o"
    )

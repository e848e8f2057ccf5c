"""Every text the approval screens show (translated in the platform's catalogs; the screens follow the user's
language). One English word that reads differently in two tables has a context (`task status`, `approval event`)."""

from __future__ import annotations

from ..i18n import CatalogText

#: a record's approval state; "draft" is a record never submitted
STATUS = {
    "draft": CatalogText("Draft"),
    "pending": CatalogText("In approval"),
    "approved": CatalogText("Approved"),
    "rejected": CatalogText("Rejected"),
    "withdrawn": CatalogText("Withdrawn"),
    "returned": CatalogText("Returned for changes"),
}
STATUS_COLOUR = {
    "draft": "fw-gray",
    "pending": "fw-blue",
    "approved": "fw-green",
    "rejected": "fw-red",
    "withdrawn": "fw-gray",
    "returned": "fw-orange",
}

TASK_STATUS = {
    "pending": CatalogText("Waiting for decision"),
    "waiting": CatalogText("Not open yet"),
    "approved": CatalogText("Approved", context="task status"),
    "rejected": CatalogText("Rejected"),
    "returned": CatalogText("Returned"),
    "no_response": CatalogText("No response needed"),
    "transferred": CatalogText("Transferred"),
    "cancelled": CatalogText("Cancelled"),
    "replaced": CatalogText("Replaced"),
    "escalated": CatalogText("Escalated"),
}

#: event actions in the timeline
EVENT = {
    "submit": CatalogText("Submitted"),
    "step_started": CatalogText("Step started"),
    "step_skipped": CatalogText("Step skipped"),
    "step_auto_approved": CatalogText("Step approved automatically"),
    "step_approved": CatalogText("Step approved"),
    "step_rejected": CatalogText("Step rejected"),
    "auto_approve": CatalogText("Approved automatically"),
    "approve": CatalogText("Approved", context="approval event"),
    "reject": CatalogText("Rejected", context="approval event"),
    "return": CatalogText("Returned to an earlier step"),
    "returned_to_submitter": CatalogText("Returned to the submitter"),
    "withdraw": CatalogText("Withdrawn", context="approval event"),
    "transfer": CatalogText("Transferred", context="approval event"),
    "add_before": CatalogText("Approver added before"),
    "add_after": CatalogText("Approver added after"),
    "delegated": CatalogText("Delegated"),
    "urge": CatalogText("Urged"),
    "comment": CatalogText("Comment"),
    "cc": CatalogText("Copied to"),
    "notify": CatalogText("Notified"),
    "approver_replaced": CatalogText("Approver replaced"),
    "fields_set": CatalogText("Fields set"),
    "approved": CatalogText("Request approved"),
    "rejected": CatalogText("Request rejected"),
    "moved": CatalogText("Moved to the current version"),
    "reopen": CatalogText("Reopened"),
    "locked_change": CatalogText("Changed while locked"),
}

#: the buttons of the panel, and what is flashed when one worked
BUTTON = {
    "submit": CatalogText("Submit for approval"),
    "approve": CatalogText("Approve"),
    "reject": CatalogText("Reject"),
    "return": CatalogText("Return to step"),
    "transfer": CatalogText("Transfer"),
    "add_before": CatalogText("Add approver before me"),
    "add_after": CatalogText("Add approver after me"),
    "withdraw": CatalogText("Withdraw"),
    "urge": CatalogText("Urge"),
    "comment": CatalogText("Comment"),
    "bulk_approve": CatalogText("Approve selected"),
    "move": CatalogText("Move to the current version"),
    "reopen": CatalogText("Reopen"),
}
DONE = {
    "submit": CatalogText("Submitted for approval."),
    "approve": CatalogText("Approved."),
    "reject": CatalogText("Rejected."),
    "return": CatalogText("Returned to the earlier step."),
    "transfer": CatalogText("Transferred."),
    "add_before": CatalogText("Approver added; your task waits for theirs."),
    "add_after": CatalogText("Approved; the added approver decides next."),
    "withdraw": CatalogText("Withdrawn."),
    "urge": CatalogText("Reminder sent."),
    "comment": CatalogText("Comment added.", context="approval"),
    "move": CatalogText("Moved to the current version of the chain."),
    "reopen": CatalogText("Reopened: the record can be changed and submitted again."),
}

TEXT = {
    "approval": CatalogText("Approval"),
    "approvals": CatalogText("Approvals"),
    "status": CatalogText("Status"),
    "step": CatalogText("Step"),
    "approvers": CatalogText("Approvers"),
    "approver": CatalogText("Approver"),
    "decided_at": CatalogText("Decided at"),
    "timeline": CatalogText("Timeline"),
    "time": CatalogText("Time"),
    "who": CatalogText("Who"),
    "action": CatalogText("Action"),
    "comment": CatalogText("Comment", context="approval decision"),
    "attachments": CatalogText("Attachments"),
    "details": CatalogText("Details"),
    "round": CatalogText("Round"),
    "system": CatalogText("System"),
    "delegated_from": CatalogText("for"),
    "person": CatalogText("User name"),
    "choose": CatalogText("Approvers you choose"),
    "required": CatalogText("required"),
    "no_events": CatalogText("Nothing has happened yet."),
    "record": CatalogText("Record"),
    "chain": CatalogText("Approval", context="approval chain"),
    "submitter": CatalogText("Submitted by"),
    "submitted_at": CatalogText("Submitted at"),
    "asked_at": CatalogText("Asked at"),
    "waiting_for": CatalogText("Waiting for"),
    "decision": CatalogText("My decision"),
    "copied_at": CatalogText("Copied at"),
    "empty": CatalogText("Nothing here."),
    "page": CatalogText("Page"),
    "previous": CatalogText("Previous"),
    "next": CatalogText("Next"),
    "select_all": CatalogText("Select all"),
    "refused": CatalogText("Refused: {}"),
    "already_decided": CatalogText("Already decided: {}"),
    "refusals_separator": CatalogText("; "),
    "clauses_separator": CatalogText(", ", context="clauses of a sentence"),
    "comment_too_long": CatalogText("The comment is too long (at most 4,000 characters)."),
    "comment_empty": CatalogText("Write a comment first."),
    "may_not_submit": CatalogText("You may not edit this record, so you cannot submit it for approval."),
    "nothing_selected": CatalogText("Select the tasks to approve first."),
    "bulk_approved": CatalogText("{} approved"),
    "bulk_already": CatalogText("{} already decided"),
    "bulk_refused": CatalogText("{} refused: {}"),
    "reason": CatalogText("Reason (required)"),
    "override": CatalogText(
        "This record is locked by its approval. As an admin you may change it: give the reason with your save."
    ),
}

#: the inbox's tabs, in order
TABS = {
    "to_approve": CatalogText("To approve"),
    "submitted": CatalogText("Submitted by me"),
    "cc": CatalogText("CC'd to me"),
    "done": CatalogText("Done"),
}

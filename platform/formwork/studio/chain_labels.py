"""What the approval chain editor says (translated in the platform's catalogs).

`WORDS` names the values the ApprovalChain schema allows, per control; a value the schema gains before it has words
here is shown as written (studio/chain_form.py reads the values from the schema, not from this table).
"""

from __future__ import annotations

from ..i18n import CatalogText

TEXT = {
    "chains": CatalogText("Approval chains"),
    "no_chains": CatalogText("No approval chain routes this entity's records."),
    "new_chain": CatalogText("New chain"),
    "steps_count": CatalogText("{count} step(s)"),
    "in_draft": CatalogText("In the draft"),
    "chain_of": CatalogText("Approval chain {chain} of {entity}"),
    "new_chain_of": CatalogText("New approval chain of {entity}"),
    "back": CatalogText("Back to {entity}"),
    "running_note": CatalogText(
        "Requests already submitted finish on the chain they started on; submissions after publishing use the new one."
    ),
    "chain": CatalogText("The chain"),
    "chain_name": CatalogText("Name"),
    "chain_name_help": CatalogText("Letters, digits and underscores; it cannot be changed later."),
    "label_en": CatalogText("Label (English)"),
    "label_zh": CatalogText("Label (Chinese)"),
    "chain_when": CatalogText("The chain applies when"),
    "step_when": CatalogText("The step runs when"),
    "default": CatalogText("(the default)"),
    "self_approval": CatalogText("When the submitter is among a step's approvers"),
    "no_approver": CatalogText("When a step finds no approver"),
    "dedup": CatalogText("An approver who approved earlier in the request"),
    "cc": CatalogText("Copied people (they follow the request, they do not decide)"),
    "cc_at": CatalogText("Copied"),
    "lock": CatalogText("What a decision locks"),
    "lock_approved": CatalogText("After approval"),
    "lock_rejected": CatalogText("After final rejection"),
    "lock_fields": CatalogText("The fields it locks"),
    "reopen": CatalogText("Who may reopen an approved request"),
    "on_approve_notify": CatalogText("Notify when approved"),
    "on_reject_notify": CatalogText("Notify when rejected"),
    "on_approve_set": CatalogText("When approved, set"),
    "on_reject_set": CatalogText("When rejected, set"),
    "set_field": CatalogText("Field to set"),
    "set_value": CatalogText("Value"),
    "computed": CatalogText("computed by an expression; edit it in YAML"),
    "steps": CatalogText("Steps"),
    "step_number": CatalogText("Step {number}"),
    "step_name": CatalogText("Step name"),
    "approvers": CatalogText("Approvers"),
    "mode": CatalogText("How they decide"),
    "quorum": CatalogText("How many must approve (2, or a share: 60%)"),
    "on_reject": CatalogText("A rejection at this step"),
    "back_to_step": CatalogText("Goes back to step {step}"),
    "editable": CatalogText("Fields its approvers may change"),
    "timeout": CatalogText("If nobody decides within"),
    "duration_help": CatalogText("30m, 4h or 2d"),
    "timeout_action": CatalogText("then"),
    "no_timeout": CatalogText("No timeout"),
    "escalate_to": CatalogText("Escalate to"),
    "remind_every": CatalogText("Remind every"),
    "source": CatalogText("Approver source"),
    "add_source": CatalogText("Add…"),
    "users_help": CatalogText("User names, separated by commas"),
    "manager_help": CatalogText("1: the submitter's manager; 2: their manager's manager…"),
    "submitter_department": CatalogText("the submitter's department"),
    "remove_source": CatalogText("Remove"),
    "add_step": CatalogText("Add a step"),
    "remove_step": CatalogText("Remove the step"),
    "up": CatalogText("Move up"),
    "down": CatalogText("Move down"),
    "save": CatalogText("Save to the draft"),
    "saved": CatalogText("The approval chain is in the draft; publish it on the entity's page."),
    "not_saved": CatalogText("Nothing was saved; correct what is marked."),
    "chain_exists": CatalogText("{entity} already has an approval chain named {name}."),
    "draft_changed": CatalogText(
        "Someone saved, published or discarded this entity's draft since this page was shown: nothing was saved. "
        "Open the page again to start from the draft as it is now."
    ),
}

#: the words of the values the schema allows, by control
WORDS = {
    "mode": {
        "any": CatalogText("Any one of them (or-sign)"),
        "all": CatalogText("All of them (countersign)"),
        "quorum": CatalogText("A quorum of them"),
        "sequential": CatalogText("All of them, one after the other"),
    },
    "on_reject": {
        "reject": CatalogText("Rejects the request"),
        "previous": CatalogText("Goes back to the previous step"),
        "submitter": CatalogText("Returns it to the submitter for changes"),
    },
    "timeout_action": {
        "approve": CatalogText("approve the step"),
        "reject": CatalogText("reject the step"),
        "escalate": CatalogText("escalate it"),
    },
    "source": {
        "users": CatalogText("Named users"),
        "role": CatalogText("Holders of a role"),
        "manager": CatalogText("The submitter's manager"),
        "department_head": CatalogText("A department's head"),
        "field": CatalogText("The person in a field"),
        "submitter_choice": CatalogText("People the submitter picks"),
        "expr": CatalogText("An expression (CEL)"),
    },
    "submitter_choice": {
        "optional": CatalogText("Optional: they may pick no one"),
        "required": CatalogText("Required: they must pick someone"),
    },
    "self_approval": {
        "allow": CatalogText("They decide like anyone"),
        "pass": CatalogText("Their task is approved automatically"),
        "exclude": CatalogText("They are left out"),
    },
    "no_approver": {
        "auto_approve": CatalogText("It is approved automatically"),
        "skip": CatalogText("It is skipped"),
        "admin": CatalogText("It goes to the admins"),
    },
    "dedup": {
        "off": CatalogText("Decides again"),
        "consecutive": CatalogText("Is passed at the step right after"),
        "first": CatalogText("Is passed at every later step"),
    },
    "cc_at": {
        "submit": CatalogText("At submission"),
        "end": CatalogText("At the end"),
        "both": CatalogText("At submission and at the end"),
    },
    "lock": {
        "all": CatalogText("Every field"),
        "none": CatalogText("Nothing"),
        "fields": CatalogText("These fields"),
    },
    "reopen": {
        "admin": CatalogText("The admins"),
        "submitter": CatalogText("The admins and the submitter"),
    },
}

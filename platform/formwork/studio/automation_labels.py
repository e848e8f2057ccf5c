"""What the automation and action editor says (translated in the platform's catalogs).

`WORDS` names the schemas' properties, `VALUE_WORDS` the values they allow (a trigger's types, an action's places),
`STEP_WORDS` the step kinds; a property or value the schemas gain before it has words here is shown humanized (studio/automation_form.py reads
the controls from the schemas, not from this table).
"""

from __future__ import annotations

from ..i18n import CatalogText

TEXT = {
    "section": CatalogText("Automations and actions"),
    "automations": CatalogText("Automations"),
    "actions": CatalogText("Actions"),
    "no_automations": CatalogText("No automation runs on this entity's records."),
    "no_actions": CatalogText("No action button acts on this entity's records."),
    "new_automation": CatalogText("New automation"),
    "new_action": CatalogText("New action"),
    "in_draft": CatalogText("In the draft"),
    "steps_count": CatalogText("{count} step(s)"),
    "automation_of": CatalogText("Automation {name} of {entity}"),
    "action_of": CatalogText("Action {name} of {entity}"),
    "new_automation_of": CatalogText("New automation of {entity}"),
    "new_action_of": CatalogText("New action of {entity}"),
    "back": CatalogText("Back to {entity}"),
    "name": CatalogText("Name"),
    "name_help": CatalogText("Letters, digits and underscores; it cannot be changed later."),
    "label_en": CatalogText("In English"),
    "label_zh": CatalogText("In Chinese"),
    "condition": CatalogText("The steps run when"),
    "visible_when": CatalogText("The button shows, and the action runs, when"),
    "steps": CatalogText("Steps"),
    "step_number": CatalogText("Step {number}"),
    "up": CatalogText("Up"),
    "down": CatalogText("Down"),
    "remove_step": CatalogText("Remove the step"),
    "add_step": CatalogText("Add a step"),
    "remove_row": CatalogText("Remove"),
    "row_field": CatalogText("Field"),
    "row_value": CatalogText("Value: a constant, or {expr: CEL}"),
    "names_help": CatalogText("Names, separated by commas"),
    "yaml_help": CatalogText("Written in YAML"),
    "placeholders": CatalogText("{field} is the record's value of a field, {record} its title."),
    "default": CatalogText("(the default)"),
    "save": CatalogText("Save to the draft"),
    "saved": CatalogText("Saved to the draft. Publish it on the entity's page."),
    "not_saved": CatalogText("Nothing was saved: correct the marked controls."),
    "draft_changed": CatalogText("Someone changed the draft meanwhile. Nothing was saved: reload the page."),
    "exists": CatalogText("{entity} already has one named {name}."),
    "runs": CatalogText("Last runs"),
    "no_runs": CatalogText("It has not run yet."),
    "action_unlogged": CatalogText(
        "An action runs when someone presses its button; its runs are not logged, a failing one shows its message."
    ),
    "run_when": CatalogText("Started"),
    "run_record": CatalogText("Record"),
    "run_outcome": CatalogText("Outcome"),
    "run_duration": CatalogText("Duration"),
    "run_error": CatalogText("Error"),
}

WORDS = {
    # the documents' properties
    "label": CatalogText("Label"),
    "enabled": CatalogText("Enabled"),
    "trigger": CatalogText("Trigger"),
    "type": CatalogText("When it runs"),
    "fields": CatalogText("Fields"),
    "events": CatalogText("Approval events"),
    "field": CatalogText("Date field"),
    "days": CatalogText("Days after the date (negative: before)"),
    "at": CatalogText("At (HH:MM)"),
    "cron": CatalogText("Cron (minute hour day month weekday)"),
    "filter": CatalogText("Which records"),
    "icon": CatalogText("Icon"),
    "show_on": CatalogText("Where the button is"),
    "roles": CatalogText("Roles"),
    "confirm": CatalogText("Question to confirm"),
    "success": CatalogText("Message once it ran"),
    "inputs": CatalogText("Inputs asked first"),
    "to": CatalogText("To"),
    "users": CatalogText("Users"),
    "members_of": CatalogText("Members of"),
    "subject": CatalogText("Subject"),
    "body": CatalogText("Body"),
    "entity": CatalogText("Entity"),
    "values": CatalogText("Values"),
    "for_each": CatalogText("For each"),
    "rows": CatalogText("Rows of"),
    "record": CatalogText("Record (a reference field)"),
    "url": CatalogText("URL"),
    "event": CatalogText("Event"),
    "payload": CatalogText("Payload"),
    "chain": CatalogText("Approval chain"),
}

VALUE_WORDS = {
    # the trigger's types and approval events
    "created": CatalogText("When a record is created"),
    "updated": CatalogText("When a record is updated"),
    "deleted": CatalogText("When a record is deleted"),
    "changed": CatalogText("When one of the fields changes"),
    "approval": CatalogText("On an approval event"),
    "date": CatalogText("Days from a date of the record"),
    "schedule": CatalogText("On a schedule"),
    "submitted": CatalogText("Submitted"),
    "approved": CatalogText("Approved"),
    "rejected": CatalogText("Rejected"),
    "returned": CatalogText("Returned"),
    "withdrawn": CatalogText("Withdrawn"),
    # an action's places
    "record": CatalogText("The record's page"),
    "list": CatalogText("The list"),
}

STEP_WORDS = {
    "set": CatalogText("Set fields of the record"),
    "create": CatalogText("Create a record"),
    "update": CatalogText("Update other records"),
    "notify": CatalogText("Notify people"),
    "email": CatalogText("Send an e-mail"),
    "webhook": CatalogText("Call a webhook"),
    "start_approval": CatalogText("Submit for approval"),
    "run": CatalogText("Run a server action"),
}

"""The approval chain checks' messages as catalog texts (checks.py and paths.py fill them in with `i18n.say`):
`formwork validate` prints their English, the chain editor shows them at their controls in the admin's language.
The English of each is the message the checks have always given."""

from __future__ import annotations

from ..i18n import CatalogText

CHAIN_OF_UNKNOWN_ENTITY = CatalogText("approval chain for unknown entity '{entity}'")
UNKNOWN_ROLE = CatalogText(
    "unknown role '{role}'; declare it with kind Role in this pack or one it requires (known: {roles})"
)
STEP_TWICE = CatalogText("step '{name}' is defined twice (first at steps[{first}])")
QUORUM_NEEDED = CatalogText('mode quorum needs `quorum`: how many must approve (2) or a share ("60%")')
QUORUM_UNUSED = CatalogText("quorum is only used with mode quorum (this step's mode is {mode})")
SHARE = CatalogText("a share is between 1% and 100%, not {quorum}")
NOT_EARLIER = CatalogText("on_reject '{step}' is not an earlier step of the chain (earlier steps: {earlier})")
NO_EARLIER_STEP = CatalogText("none", context="a chain's earlier steps")
NO_PREVIOUS = CatalogText("the first step has no previous step to go back to")
ESCALATE_NEEDS_TO = CatalogText("action escalate needs `to`: the approvers the step goes to")
TO_UNUSED = CatalogText("`to` is only used with action escalate (this timeout's action is {action})")
NO_REMINDER = CatalogText("remind_every {every} is not shorter than the timeout ({after}): no reminder would be sent")
SUBMITTER_CHOICE_HERE = CatalogText("submitter_choice picks a step's approvers; it cannot be used here")
COMPUTED = CatalogText("'{name}' ({type}) is computed by the platform; a chain cannot set it")
CONSTANT_OR_EXPRESSION = CatalogText("a value is a constant or {{expr: …}}")
NOT_A_CHOICE = CatalogText("'{value}' is not one of the choices of {name}: {choices}")

#: paths.py: a field or a path through references naming a person or a department
APPROVER_FIELD = CatalogText("an approver field")
SUBMITTER_FIELD = CatalogText("a submitter field")
NOT_A_PERSON = CatalogText("'{path}' is a {type} field; {role} is a user field or a reference to {employee}")
NOT_A_DEPARTMENT = CatalogText(
    "department_head takes `submitter` or a reference field of {entity} to {department} "
    "(or a path through references to one); '{path}' is not one"
)

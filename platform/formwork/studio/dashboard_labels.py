"""What the Studio's dashboard editor says (translated in the platform's catalogs)."""

from __future__ import annotations

from ..i18n import CatalogText

TEXT = {
    "dashboards": CatalogText("Dashboards"),
    "title": CatalogText("Dashboard {dashboard}"),
    "back": CatalogText("Back to the dashboards"),
    "dashboard": CatalogText("Dashboard"),
    "name": CatalogText("Name"),
    "origin": CatalogText("From"),
    "from_pack": CatalogText("Pack {pack}"),
    "own": CatalogText("This company"),
    "drafted": CatalogText("In the draft"),
    "edit": CatalogText("Edit"),
    "new": CatalogText("New dashboard"),
    "taken": CatalogText("There is already a dashboard named {name}."),
    "bad_name": CatalogText("Use lower-case letters, digits and _, starting with a letter."),
    "no_cards": CatalogText("No cards yet: add the first one below."),
    "settings": CatalogText("Title and roles"),
    "label_en": CatalogText("Label (English)"),
    "label_zh": CatalogText("Label (Chinese)"),
    "for_roles": CatalogText("For"),
    "roles_note": CatalogText("A dashboard without roles is for everyone with the Dashboards right."),
    "save": CatalogText("Save to the draft"),
    "row": CatalogText("Row {number}"),
    "new_row": CatalogText("A new row"),
    "add_card": CatalogText("Add card"),
    "pick": CatalogText("Show their fields"),
    "row_choice": CatalogText("Put it in"),
    "type": CatalogText("Type"),
    "entity": CatalogText("Records"),
    "measure": CatalogText("Measure"),
    "field": CatalogText("Number field"),
    "chart": CatalogText("Chart"),
    "group_by": CatalogText("Group by"),
    "filter": CatalogText("Only the records where"),
    "width": CatalogText("Width (of 12 columns)"),
    "nothing": CatalogText("(none)"),
    "up": CatalogText("Up a row"),
    "down": CatalogText("Down a row"),
    "left": CatalogText("Left"),
    "right": CatalogText("Right"),
    "remove": CatalogText("Remove"),
    "drag_note": CatalogText(
        "Drag cards to arrange them, then save the arrangement; the buttons work without dragging."
    ),
    "save_order": CatalogText("Save the arrangement"),
    "saved": CatalogText("The dashboard is in the draft; publish it below."),
    "not_saved": CatalogText("Nothing was saved; correct what is marked."),
    "draft_changed": CatalogText("Someone changed this draft since the page was shown; nothing was saved."),
    "choose_one": CatalogText("Choose one."),
    "edit_card": CatalogText("Edit card {card}"),
    "save_card": CatalogText("Save the card"),
    "no_card": CatalogText(
        "This dashboard has no such card any more: it was moved or removed since the page was shown."
    ),
    "filter_kept": CatalogText(
        "This card's filter nests conditions, which the rows cannot show; it is kept as it is while the records "
        "stay the same."
    ),
    "kept": CatalogText("Kept as the dashboard has them while the records and the type stay the same: {properties}."),
    "publish_note": CatalogText("Saving puts the dashboard in its draft; publishing the draft shows it to users."),
}
#: the widget types the editor adds, by the schema's name
TYPES = {"number": CatalogText("Number card"), "chart": CatalogText("Chart")}
#: the widget types the editor adds none of, though it edits a card of them
KEPT_TYPES = {"list": CatalogText("List")}
MEASURES = {"count": CatalogText("Count"), "sum": CatalogText("Sum"), "avg": CatalogText("Average")}
CHARTS = {"bar": CatalogText("Bar"), "line": CatalogText("Line"), "pie": CatalogText("Pie")}

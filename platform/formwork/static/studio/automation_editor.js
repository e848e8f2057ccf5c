/* The automation editor (templates/formwork/studio/automation.html): choosing a trigger's type shows the controls
 * that type uses (each carries the types it is for in data-for) and hides the others, whose values the server
 * leaves out. Everything else is the page's own buttons, which post it. */
(function () {
    "use strict";
    var editor = document.querySelector(".fw-automation-editor");
    if (!editor) { return; }

    editor.addEventListener("change", function (event) {
        var chooser = event.target;
        var group = chooser.closest(".fw-group");
        if (!group || chooser.name !== group.dataset.control + ".type") { return; }
        group.querySelectorAll(":scope > .fw-typed[data-for]").forEach(function (typed) {
            typed.hidden = typed.dataset.for.split(" ").indexOf(chooser.value) < 0;
        });
    });
}());

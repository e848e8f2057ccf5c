/* The approval chain editor (templates/formwork/studio/chain.html): choosing an approver's source shows the control
 * for its value (the page holds one per source, the server reads the chosen one), a lock of "these fields" shows
 * its list of fields, a step's quorum shows with mode quorum and its escalation list with the escalate action.
 * Everything else is the page's own buttons, which post it. */
(function () {
    "use strict";
    var editor = document.querySelector(".fw-chain-editor");
    if (!editor) { return; }
    editor.classList.add("fw-chain-js");

    editor.addEventListener("change", function (event) {
        var target = event.target;
        if (target.classList.contains("fw-source-kind")) {
            var row = target.closest(".fw-source");
            row.dataset.kind = target.value;
            row.querySelectorAll(".fw-source-value").forEach(function (value) {
                value.hidden = value.dataset.kind !== target.value;
            });
        }
        var step = target.closest(".fw-step");
        if (step && target.name === "steps." + step.dataset.step + ".mode") {
            step.dataset.mode = target.value;
        } else if (step && target.name === "steps." + step.dataset.step + ".timeout.action") {
            step.dataset.timeout = target.value;
        }
        var lock = target.closest(".fw-lock");
        if (lock && target.name === lock.querySelector("select").name) {
            lock.dataset.scope = target.value;
        }
    });
})();

/* The form designer (templates/formwork/studio/form_designer.html): drag fields between sections and from the
 * fields not on the form (SortableJS), pick a field to see its conditions, and a live preview: as test values or
 * conditions change, the whole page is posted to the preview route, which runs the draft's conditions with the code
 * the tenant's live form rules use, and the preview hides, requires and locks fields as the answer says.
 * Every button of the page still posts it as a plain form, so the page works without this script. */
(function () {
    "use strict";
    var form = document.getElementById("fw-designer");
    if (!form) { return; }
    var preview = document.getElementById("fw-preview");
    form.classList.add("fw-designer-js");
    var timer = null;
    var pending = null;

    function previewBox(name) { return preview.querySelector('.fw-preview-field[data-field="' + name + '"]'); }

    function select(name) {
        form.querySelectorAll(".fw-designer-field").forEach(function (item) {
            item.classList.toggle("fw-selected", item.dataset.field === name);
        });
        form.querySelectorAll(".fw-field-conditions").forEach(function (panel) {
            panel.classList.toggle("fw-selected", panel.dataset.field === name);
        });
    }

    /* The preview follows the designer: each section's fields, in order, with the section's columns. */
    function syncPreview() {
        form.querySelectorAll(".fw-section-fields").forEach(function (list) {
            var section = preview.querySelector('.fw-preview-section[data-section="' + list.dataset.section + '"]');
            if (!section) { return; }
            var columns = Number(form.querySelector('[name="section.' + list.dataset.section + '.columns"]').value) || 1;
            var row = section.querySelector(".row");
            list.querySelectorAll(".fw-designer-field").forEach(function (item) {
                var box = previewBox(item.dataset.field);
                if (!box) { return; }
                box.className = box.className.replace(/col-sm-\d+/, "col-sm-" + Math.floor(12 / columns));
                row.appendChild(box);
            });
        });
        var unplaced = preview.querySelector(".fw-preview-unplaced");
        form.querySelectorAll(".fw-palette .fw-designer-field").forEach(function (item) {
            var box = previewBox(item.dataset.field);
            if (box) { unplaced.appendChild(box); }
        });
    }

    function placed(item, section) {
        item.querySelector('input[name="field"]').value = section + ":" + item.dataset.field;
        var move = item.querySelector('select[name="move.' + item.dataset.field + '"]');
        if (move && section) { move.value = section; }
    }

    function apply(states) {
        Object.keys(states).forEach(function (name) {
            var box = previewBox(name);
            if (!box) { return; }
            var state = states[name];
            box.classList.toggle("fw-preview-hidden", !state.visible);
            box.classList.toggle("fw-preview-required", state.required);
            box.classList.toggle("fw-preview-read-only", state.read_only);
            box.querySelector(".fw-required").classList.toggle("fw-off", !state.required);
            box.querySelectorAll("input, select").forEach(function (input) {
                if (input.tagName === "SELECT" || input.type === "checkbox") {
                    input.disabled = state.read_only;
                } else {
                    input.readOnly = state.read_only;
                }
            });
        });
        preview.dataset.refreshed = String(Number(preview.dataset.refreshed || 0) + 1);
    }

    function refresh() {
        if (pending) { pending.abort(); }
        pending = new AbortController();
        fetch(form.dataset.previewUrl, {method: "POST", body: new FormData(form), credentials: "same-origin",
                                         signal: pending.signal})
            .then(function (response) { return response.ok ? response.json() : {}; })
            .then(apply)
            .catch(function () { /* a superseded or failed preview leaves it as it is */ });
    }

    function later() {
        clearTimeout(timer);
        timer = setTimeout(refresh, 200);
    }

    form.addEventListener("click", function (event) {
        var label = event.target.closest(".fw-designer-field-label");
        if (label) {
            event.preventDefault();
            select(label.closest(".fw-designer-field").dataset.field);
        }
    });
    form.addEventListener("input", later);
    form.addEventListener("change", function (event) {
        if (event.target.classList.contains("fw-section-columns")) { syncPreview(); }
        later();
    });

    if (window.Sortable) {
        form.querySelectorAll(".fw-section-fields, .fw-palette").forEach(function (list) {
            window.Sortable.create(list, {
                group: "fw-form-fields",
                animation: 120,
                filter: "select, button, input, a",
                preventOnFilter: false,
                onEnd: function (event) {
                    placed(event.item, event.to.dataset.section);
                    syncPreview();
                    later();
                }
            });
        });
    }
    var first = form.querySelector(".fw-section-fields .fw-designer-field");
    if (first) { select(first.dataset.field); }
    refresh();
})();

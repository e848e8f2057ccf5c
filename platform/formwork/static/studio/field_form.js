/* The Studio's add-field form: only the controls the chosen field type accepts are shown (each control lists its
 * types in data-types), and only those are posted; the default offers the input of the type (data-default-inputs);
 * choice rows can be added, and a choice's default is picked from the values the rows hold. When the entity a
 * filter is on is chosen (a reference's target, a rollup's source: data-filter-choosers), "Refresh fields" is
 * pressed so that the filter's rows (and a rollup's field summed up) offer that entity's fields. */
(function () {
    "use strict";
    var form = document.getElementById("fw-studio-add-field");
    if (!form) { return; }
    var typeSelect = form.querySelector("select[name=type]");
    var defaultInputs = JSON.parse(form.dataset.defaultInputs || "{}");
    var filterChoosers = JSON.parse(form.dataset.filterChoosers || "{}");

    function enable(element, on) {
        element.hidden = !on;
        element.style.display = on ? "" : "none";  // a .form-control's own display would keep it shown
        element.querySelectorAll("input, select, textarea").forEach(function (input) { input.disabled = !on; });
        if (element.matches("input, select, textarea")) { element.disabled = !on; }
    }

    function showType() {
        var type = typeSelect.value;
        form.querySelectorAll(".fw-studio-control[data-types]").forEach(function (control) {
            enable(control, control.dataset.types.split(" ").indexOf(type) >= 0);
        });
        form.querySelectorAll("[data-default-input]").forEach(function (input) {
            var shown = !input.closest(".fw-studio-control").hidden;
            enable(input, shown && input.dataset.defaultInput === defaultInputs[type]);
        });
    }

    function choiceValues() {
        var values = [];
        form.querySelectorAll("input[name=choice_value]").forEach(function (input) {
            var value = input.value.trim();
            if (value && values.indexOf(value) < 0) { values.push(value); }
        });
        return values;
    }

    function syncDefaultChoices() {
        var values = choiceValues();
        form.querySelectorAll(".fw-studio-default-choices").forEach(function (select) {
            var chosen = Array.prototype.filter.call(select.options, function (o) { return o.selected; })
                .map(function (o) { return o.value; });
            Array.prototype.slice.call(select.options).forEach(function (o) { if (o.value) { o.remove(); } });
            values.forEach(function (value) {
                select.add(new Option(value, value, false, chosen.indexOf(value) >= 0));
            });
        });
    }

    function addChoice() {
        var rows = form.querySelectorAll(".fw-studio-choice");
        var last = rows[rows.length - 1];
        var row = last.cloneNode(true);
        row.querySelectorAll("input").forEach(function (input) { input.value = ""; });
        row.querySelectorAll("select").forEach(function (select) { select.value = ""; });
        last.parentNode.appendChild(row);
        row.querySelector("input").focus();
    }

    function refreshFilter() {
        var chooser = filterChoosers[typeSelect.value];
        var select = chooser && form.querySelector("select[name=" + chooser + "]");
        if (!select || !select.value) { return; }
        var wanted = chooser + ":" + select.value;
        var stale = Array.prototype.filter.call(form.querySelectorAll(".fw-studio-refresh"), function (refresh) {
            return !refresh.closest(".fw-studio-control").hidden && refresh.dataset.shownFor !== wanted;
        });
        if (stale.length) { stale[0].click(); }
    }

    typeSelect.addEventListener("change", function () { showType(); refreshFilter(); });
    var choosers = [];
    Object.keys(filterChoosers).forEach(function (type) {
        if (choosers.indexOf(filterChoosers[type]) < 0) { choosers.push(filterChoosers[type]); }
    });
    choosers.forEach(function (name) {
        var select = form.querySelector("select[name=" + name + "]");
        if (select) { select.addEventListener("change", refreshFilter); }
    });
    form.addEventListener("input", function (event) {
        if (event.target.name === "choice_value") { syncDefaultChoices(); }
    });
    form.querySelectorAll(".fw-studio-add-choice").forEach(function (button) {
        button.addEventListener("click", addChoice);
    });
    showType();
}());

/* The Studio's condition builder (templates/formwork/studio/_condition_builder.html), for any page holding one or
 * more builders inside an element with data-subjects (the fields a row may test, their operators and choices) and
 * data-condition-url (the route that turns rows into CEL and CEL into rows). Picking a field offers its operators
 * and a value control that fits it; rows are added and removed here; switching between rows and text asks the
 * server, which writes and reads the CEL (studio/conditions.py), so the browser never writes an expression. */
(function () {
    "use strict";
    var INPUT_TYPES = {"int": "number", "double": "number", "date": "date", "timestamp": "datetime-local"};
    var NULL_OPERATORS = ["empty", "not_empty"];

    function holderOf(builder) { return builder.closest("[data-subjects]"); }

    function catalogOf(builder) {
        var holder = holderOf(builder);
        return holder ? JSON.parse(holder.dataset.subjects) : {fields: {}, operators: {}, words: {}};
    }

    function option(value, text, selected) {
        var element = document.createElement("option");
        element.value = value;
        element.textContent = text;
        element.selected = Boolean(selected);
        return element;
    }

    function valueControl(name, subject, operator, value, words) {
        var kind = subject ? subject.kind : "string";
        var control;
        if (NULL_OPERATORS.indexOf(operator) >= 0 || kind === "map") {
            control = document.createElement("input");
            control.type = "hidden";
            control.value = "";
        } else if (kind === "choice") {
            var values = Array.isArray(value) ? value : [value];
            control = document.createElement("select");
            control.multiple = operator === "in";
            if (!control.multiple) { control.appendChild(option("", "", false)); }
            subject.choices.forEach(function (choice) {
                control.appendChild(option(choice[0], choice[1], values.indexOf(choice[0]) >= 0));
            });
        } else if (kind === "bool") {
            control = document.createElement("select");
            control.appendChild(option("true", words.yes, value === "true"));
            control.appendChild(option("false", words.no, value === "false"));
        } else {
            control = document.createElement("input");
            control.type = INPUT_TYPES[kind] || "text";
            if (control.type === "number") { control.step = "any"; }
            control.value = typeof value === "string" ? value : "";
        }
        control.name = name;
        if (control.type !== "hidden") { control.className = "form-control input-sm fw-row-value"; }
        return control;
    }

    function currentValue(row) {
        var control = row.querySelector(".fw-row-value");
        if (!control) { return null; }
        if (control.multiple) {
            return Array.prototype.map.call(control.selectedOptions, function (o) { return o.value; });
        }
        return control.value;
    }

    /* The row's operators and value control for its field; `operator` and `value` to show (null: keep the row's). */
    function refreshRow(builder, row, operator, value) {
        var catalog = catalogOf(builder);
        var name = builder.dataset.prefix + "." + row.dataset.row;
        var subject = catalog.fields[row.querySelector(".fw-row-field").value];
        var operators = subject ? subject.operators : Object.keys(catalog.operators);
        var select = row.querySelector(".fw-row-op");
        var chosen = operator || select.value;
        if (operators.indexOf(chosen) < 0) { chosen = operators[0]; }
        var shown = value !== null && value !== undefined ? value : currentValue(row);
        select.innerHTML = "";
        operators.forEach(function (key) { select.appendChild(option(key, catalog.operators[key], key === chosen)); });
        var box = row.querySelector(".fw-row-value-box");
        box.innerHTML = "";
        box.appendChild(valueControl(name + ".value", subject, chosen, shown, catalog.words));
    }

    function addRow(builder, data) {
        var catalog = catalogOf(builder);
        var prefix = builder.dataset.prefix;
        var list = builder.querySelector(".fw-condition-row-list");
        var key = 0;
        list.querySelectorAll(".fw-condition-row").forEach(function (row) {
            key = Math.max(key, Number(row.dataset.row) + 1);
        });
        var row = document.createElement("li");
        row.className = "fw-condition-row form-inline";
        row.dataset.row = String(key);
        var hidden = document.createElement("input");
        hidden.type = "hidden";
        hidden.name = prefix + ".row";
        hidden.value = String(key);
        var field = document.createElement("select");
        field.name = prefix + "." + key + ".field";
        field.className = "form-control input-sm fw-row-field";
        field.setAttribute("aria-label", catalog.words.choose_field);
        field.appendChild(option("", catalog.words.choose_field, !data));
        Object.keys(catalog.fields).forEach(function (name) {
            field.appendChild(option(name, catalog.fields[name].label, data && data.field === name));
        });
        var operator = document.createElement("select");
        operator.name = prefix + "." + key + ".op";
        operator.className = "form-control input-sm fw-row-op";
        var box = document.createElement("span");
        box.className = "fw-row-value-box";
        var remove = document.createElement("button");
        remove.type = "button";
        remove.className = "btn btn-link btn-xs fw-remove-row";
        remove.textContent = catalog.words.remove_row;
        [hidden, field, operator, box, remove].forEach(function (part) {
            row.appendChild(part);
            row.appendChild(document.createTextNode(" "));
        });
        list.appendChild(row);
        refreshRow(builder, row, data ? data.op : null, data ? data.value : "");
        return row;
    }

    function posted(builder, to) {
        var body = new FormData();
        var form = builder.closest("form");
        body.append("csrf_token", form.querySelector('[name="csrf_token"]').value);
        body.append("prefix", builder.dataset.prefix);
        body.append("to", to);
        builder.querySelectorAll("[name]").forEach(function (control) {
            if ((control.type === "radio" || control.type === "checkbox") && !control.checked) { return; }
            if (control.multiple) {
                Array.prototype.forEach.call(control.selectedOptions, function (o) { body.append(control.name, o.value); });
            } else {
                body.append(control.name, control.value);
            }
        });
        return body;
    }

    function showError(builder, message) {
        builder.querySelector(".fw-condition-error").textContent = message || "";
        builder.classList.toggle("has-error", Boolean(message));
    }

    function switchMode(builder, to) {
        var from = builder.dataset.mode;
        if (from === to) { return; }
        fetch(holderOf(builder).dataset.conditionUrl, {method: "POST", body: posted(builder, to), credentials: "same-origin"})
            .then(function (response) { return response.json().then(function (body) { return {ok: response.ok, body: body}; }); })
            .then(function (answer) {
                if (!answer.ok) {
                    builder.querySelector('.fw-condition-mode[value="' + from + '"]').checked = true;
                    showError(builder, answer.body.error);
                    return;
                }
                if (to === "text") {
                    builder.querySelector(".fw-condition-cel").value = answer.body.text;
                } else {
                    builder.querySelector(".fw-condition-row-list").innerHTML = "";
                    answer.body.rows.forEach(function (row) { addRow(builder, row); });
                    addRow(builder, null);
                    builder.querySelector(".fw-condition-match").value = answer.body.match;
                }
                builder.dataset.mode = to;
                showError(builder, "");
                builder.dispatchEvent(new Event("change", {bubbles: true}));
            })
            .catch(function () { builder.querySelector('.fw-condition-mode[value="' + from + '"]').checked = true; });
    }

    document.addEventListener("change", function (event) {
        var target = event.target;
        var builder = target.closest ? target.closest(".fw-condition-builder") : null;
        if (!builder) { return; }
        if (target.classList.contains("fw-row-field")) {
            refreshRow(builder, target.closest(".fw-condition-row"), null, "");
        } else if (target.classList.contains("fw-row-op")) {
            refreshRow(builder, target.closest(".fw-condition-row"), target.value, null);
        } else if (target.classList.contains("fw-condition-mode")) {
            switchMode(builder, target.value);
        }
    });

    document.addEventListener("click", function (event) {
        var builder = event.target.closest ? event.target.closest(".fw-condition-builder") : null;
        if (!builder) { return; }
        if (event.target.closest(".fw-add-row")) {
            addRow(builder, null).querySelector(".fw-row-field").focus();
        } else if (event.target.closest(".fw-remove-row")) {
            event.target.closest(".fw-condition-row").remove();
            builder.dispatchEvent(new Event("change", {bubbles: true}));
        }
    });

    document.querySelectorAll(".fw-condition-builder").forEach(function (builder) {
        builder.classList.add("fw-builder-js");
    });
})();

/* Live form rules: as the user types, ask the server which fields to show, require and lock.
 * The server evaluates the same CEL conditions it enforces on save, so the browser never decides alone. */
(function () {
    "use strict";
    var form = document.getElementById("model_form");
    if (!form || !form.dataset.rulesUrl) { return; }
    var timer = null;
    var pending = null;

    function apply(states) {
        Object.keys(states).forEach(function (name) {
            var state = states[name];
            var box = form.querySelector('.fw-field[data-field="' + name + '"]');
            if (!box) { return; }
            box.classList.toggle("fw-hidden-by-rule", !state.visible);
            var star = box.querySelector(".fw-required");
            if (star) { star.style.display = state.required ? "" : "none"; }
            box.querySelectorAll("input, select, textarea").forEach(function (input) {
                if (state.read_only) { input.setAttribute("readonly", "readonly"); } else { input.removeAttribute("readonly"); }
                if (input.tagName === "SELECT") { input.disabled = state.read_only; }
            });
        });
    }

    function refresh() {
        if (pending) { pending.abort(); }
        pending = new AbortController();
        fetch(form.dataset.rulesUrl, {method: "POST", body: new FormData(form), credentials: "same-origin",
                                      signal: pending.signal})
            .then(function (response) { return response.ok ? response.json() : {}; })
            .then(apply)
            .catch(function () { /* a superseded or failed check leaves the form as it is */ });
    }

    function later() {
        clearTimeout(timer);
        timer = setTimeout(refresh, 200);
    }

    form.addEventListener("input", later);
    form.addEventListener("change", later);
    if (window.jQuery) { window.jQuery(form).on("change", "select", later); }  /* select2 fires jQuery events */
    refresh();
})();

/* Child tables: add rows from the template (numbered after the highest row), remove rows from the page. */
(function () {
    "use strict";
    document.querySelectorAll(".fw-child-rows").forEach(function (box) {
        var body = box.querySelector("tbody");
        var template = box.querySelector("template.fw-row-template");
        var next = body.querySelectorAll("tr.fw-row").length;
        box.querySelector(".fw-add-row").addEventListener("click", function () {
            var html = template.innerHTML.split("__index__").join(String(next));
            next += 1;
            body.insertAdjacentHTML("beforeend", html);
        });
        box.addEventListener("click", function (event) {
            var button = event.target.closest(".fw-remove-row");
            if (button) { button.closest("tr").remove(); }
        });
    });
})();

/* Reference selects search the server as the user types (any table size); rows added later get one too. */
(function () {
    "use strict";
    if (!window.jQuery || !window.jQuery.fn.select2) { return; }
    function remoteSelect(root) {
        window.jQuery(root).find("select.fw-remote-select").not(".select2-hidden-accessible").each(function () {
            var select = window.jQuery(this);
            select.select2({
                width: "100%", allowClear: true, placeholder: select.data("placeholder") || "",
                ajax: {url: select.data("url"), dataType: "json", delay: 250,
                       data: function (params) { return {q: params.term || "", page: params.page || 1}; }}
            });
        });
    }
    remoteSelect(document);
    document.querySelectorAll(".fw-add-row").forEach(function (button) {
        button.addEventListener("click", function () { setTimeout(function () { remoteSelect(button.parentNode); }, 0); });
    });
})();

/* The approval inbox: one box ticks or clears every task on the page for bulk approve. */
(function () {
    "use strict";
    document.querySelectorAll(".fw-bulk-approve .fw-select-all").forEach(function (all) {
        all.addEventListener("change", function () {
            all.closest("form").querySelectorAll('input[name="task"]').forEach(function (box) { box.checked = all.checked; });
        });
    });
})();

/* Comment boxes: after "@", suggest active user names (the server's mention-people route); a click completes one. */
(function () {
    "use strict";
    document.querySelectorAll("textarea.fw-comment-body").forEach(function (box) {
        var list = document.createElement("div");
        list.className = "list-group fw-mention-list";
        box.parentNode.appendChild(list);
        var timer = null;
        function typedName() {
            var match = /(^|[^\w@.])@([\w.\-]*)$/.exec(box.value.slice(0, box.selectionStart));
            return match ? match[2] : null;
        }
        function show(people) {
            list.textContent = "";
            people.forEach(function (name) {
                var item = document.createElement("button");
                item.type = "button";
                item.className = "list-group-item fw-mention-choice";
                item.textContent = "@" + name;
                item.addEventListener("click", function () {
                    var caret = box.selectionStart, before = box.value.slice(0, caret);
                    var start = before.lastIndexOf("@");
                    box.value = before.slice(0, start) + "@" + name + " " + box.value.slice(caret);
                    box.focus();
                    list.textContent = "";
                });
                list.appendChild(item);
            });
        }
        box.addEventListener("input", function () {
            clearTimeout(timer);
            var typed = typedName();
            if (typed === null) { list.textContent = ""; return; }
            timer = setTimeout(function () {
                fetch(box.dataset.peopleUrl + "?q=" + encodeURIComponent(typed), {credentials: "same-origin"})
                    .then(function (response) { return response.ok ? response.json() : {people: []}; })
                    .then(function (body) { show(body.people || []); });
            }, 200);
        });
    });
})();

/* The Studio's formula editor: every .fw-formula textarea of the add-field form completes the entity's field names
 * (the list in #fw-studio-names) as the admin types, and, a moment after the typing stops, posts the form to the
 * Studio's check route, which runs the static checks of `formwork validate` on the expression (nothing is run) and
 * answers {ok, type, errors}; the answer is shown under the editor. */
(function () {
    "use strict";
    var form = document.getElementById("fw-studio-add-field");
    var list = document.getElementById("fw-studio-names");
    if (!form || !list) { return; }
    var names = JSON.parse(list.textContent);
    var WORD = /[A-Za-z_][A-Za-z0-9_.]*$/;
    var SHOWN = 8;
    var DELAY = 350;

    function Editor(box) {
        this.box = box;
        this.input = box.querySelector(".fw-formula-input");
        this.menu = box.querySelector(".fw-formula-completions");
        this.result = box.querySelector(".fw-formula-result");
        this.active = -1;
        this.asked = 0;
        this.timer = null;
        var editor = this;
        this.input.addEventListener("input", function () { editor.complete(); editor.later(); });
        this.input.addEventListener("keydown", function (event) { editor.key(event); });
        this.input.addEventListener("blur", function () { window.setTimeout(function () { editor.close(); }, 150); });
        this.menu.addEventListener("mousedown", function (event) {
            var item = event.target.closest("[data-name]");
            if (item) { event.preventDefault(); editor.pick(item.dataset.name); }
        });
    }

    Editor.prototype.word = function () {
        var found = WORD.exec(this.input.value.slice(0, this.input.selectionStart));
        return found ? found[0] : "";
    };

    Editor.prototype.complete = function () {
        var word = this.word();
        var matches = word ? names.filter(function (name) {
            return name.indexOf(word) === 0 && name !== word;
        }).slice(0, SHOWN) : [];
        this.menu.textContent = "";
        matches.forEach(function (name, index) {
            var item = document.createElement("li");
            var link = document.createElement("a");
            item.setAttribute("role", "option");
            item.id = this.menu.id + "-" + index;
            item.dataset.name = name;
            link.href = "#";
            link.tabIndex = -1;
            link.textContent = name;
            item.appendChild(link);
            this.menu.appendChild(item);
        }, this);
        this.active = matches.length ? 0 : -1;
        this.menu.hidden = !matches.length;
        this.menu.style.display = matches.length ? "block" : "none";
        this.input.setAttribute("aria-expanded", matches.length ? "true" : "false");
        this.highlight();
    };

    Editor.prototype.highlight = function () {
        var items = this.menu.querySelectorAll("li");
        items.forEach(function (item, index) { item.classList.toggle("active", index === this.active); }, this);
        if (this.active >= 0) {
            this.input.setAttribute("aria-activedescendant", items[this.active].id);
        } else {
            this.input.removeAttribute("aria-activedescendant");
        }
    };

    Editor.prototype.close = function () {
        this.menu.hidden = true;
        this.menu.style.display = "none";
        this.active = -1;
        this.input.setAttribute("aria-expanded", "false");
        this.input.removeAttribute("aria-activedescendant");
    };

    Editor.prototype.key = function (event) {
        var items = this.menu.querySelectorAll("li");
        if (this.menu.hidden || !items.length) { return; }
        if (event.key === "ArrowDown" || event.key === "ArrowUp") {
            var step = event.key === "ArrowDown" ? 1 : -1;
            this.active = (this.active + step + items.length) % items.length;
            this.highlight();
        } else if (event.key === "Enter" || event.key === "Tab") {
            this.pick(items[this.active].dataset.name);
        } else if (event.key === "Escape") {
            this.close();
        } else {
            return;
        }
        event.preventDefault();
    };

    Editor.prototype.pick = function (name) {
        var caret = this.input.selectionStart;
        var before = this.input.value.slice(0, caret - this.word().length);
        this.input.value = before + name + this.input.value.slice(caret);
        this.input.selectionStart = this.input.selectionEnd = before.length + name.length;
        this.close();
        this.input.focus();
        this.later();
    };

    Editor.prototype.later = function () {
        var editor = this;
        window.clearTimeout(this.timer);
        this.timer = window.setTimeout(function () { editor.check(); }, DELAY);
    };

    Editor.prototype.show = function (ok, text) {
        this.result.textContent = text;
        this.result.classList.toggle("text-success", ok);
        this.result.classList.toggle("text-danger", !ok);
        this.box.closest(".form-group").classList.toggle("has-error", !ok && !!text);
    };

    Editor.prototype.check = function () {
        var editor = this;
        var asked = ++this.asked;
        if (!this.input.value.trim() || this.input.disabled) { this.show(true, ""); return; }
        var body = new FormData(form);
        body.append("control", this.box.dataset.control);
        fetch(form.dataset.checkUrl, {method: "POST", credentials: "same-origin", body: body})
            .then(function (response) {
                if (!response.ok) { throw new Error(String(response.status)); }
                return response.json();
            })
            .then(function (answer) {
                if (asked !== editor.asked) { return; }
                editor.show(answer.ok, answer.ok ? form.dataset.gives.replace("{type}", answer.type) : answer.errors.join(" "));
            })
            .catch(function () {
                if (asked === editor.asked) { editor.show(false, form.dataset.notChecked); }
            });
    };

    var editors = Array.prototype.map.call(form.querySelectorAll(".fw-formula"), function (box) { return new Editor(box); });
    form.addEventListener("change", function (event) {
        if (event.target.classList.contains("fw-formula-input")) { return; }
        editors.forEach(function (editor) { if (editor.input.value.trim()) { editor.later(); } });
    });
    editors.forEach(function (editor) { if (editor.input.value.trim()) { editor.check(); } });
}());

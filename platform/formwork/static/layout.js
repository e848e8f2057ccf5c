/* The layout (templates/formwork/base.html): the menu button collapses the sidebar to its icons (remembered in this
 * browser) or, on a phone, opens it over the page; the top bar's search box suggests records as the user types. */
(function () {
    "use strict";
    var button = document.querySelector(".fw-menu-button");
    var sidebar = document.getElementById("fw-sidebar");
    if (!button || !sidebar) { return; }
    var body = document.body;
    var root = document.documentElement;  /* holds fw-sidebar-collapsed, set early by static/layout_early.js */
    var backdrop = document.querySelector(".fw-sidebar-backdrop");
    var phone = window.matchMedia("(max-width: 767px)");
    var KEY = "formwork.sidebar.collapsed";

    function remembered() {
        try { return window.localStorage.getItem(KEY) === "1"; } catch (e) { return false; }
    }
    function remember(collapsed) {
        try { window.localStorage.setItem(KEY, collapsed ? "1" : "0"); } catch (e) { /* private mode: not kept */ }
    }
    function collapse(collapsed) {
        root.classList.toggle("fw-sidebar-collapsed", collapsed);
        /* only icons show: their names come up on hover (FAB's tooltips read `title`) */
        sidebar.querySelectorAll(".fw-nav-link").forEach(function (link) {
            var name = link.querySelector(".fw-nav-text");
            if (collapsed && name) { link.setAttribute("title", name.textContent.trim()); } else { link.removeAttribute("title"); }
            link.removeAttribute("data-original-title");
        });
        button.setAttribute("aria-expanded", String(!collapsed));
        button.setAttribute("aria-label", button.dataset.labelCollapse);
    }
    function open(opened) {
        body.classList.toggle("fw-sidebar-open", opened);
        if (backdrop) { backdrop.hidden = !opened; }
        button.setAttribute("aria-expanded", String(opened));
        button.setAttribute("aria-label", opened ? button.dataset.labelClose : button.dataset.labelOpen);
        if (opened) {
            var first = sidebar.querySelector("[aria-current=page]") || sidebar.querySelector("a");
            if (first) { first.focus(); }
        }
    }
    function fit() {
        if (phone.matches) {
            collapse(false);
            open(false);
        } else {
            open(false);
            collapse(remembered());
        }
    }

    button.addEventListener("click", function () {
        if (phone.matches) {
            open(!body.classList.contains("fw-sidebar-open"));
        } else {
            var collapsed = !root.classList.contains("fw-sidebar-collapsed");
            collapse(collapsed);
            remember(collapsed);
        }
    });
    if (backdrop) { backdrop.addEventListener("click", function () { open(false); }); }
    document.addEventListener("keydown", function (event) {
        if (event.key === "Escape" && body.classList.contains("fw-sidebar-open")) {
            open(false);
            button.focus();
        }
    });
    if (phone.addEventListener) { phone.addEventListener("change", fit); }
    fit();
})();

(function () {
    "use strict";
    var form = document.querySelector(".fw-top-search");
    if (!form) { return; }
    var input = form.querySelector("input[type=search]");
    var list = form.querySelector(".fw-search-suggestions");
    var timer = null;
    var pending = null;
    var active = -1;

    function items() { return list.querySelectorAll("li"); }
    function close() {
        form.classList.remove("open");
        input.setAttribute("aria-expanded", "false");
        input.removeAttribute("aria-activedescendant");
        active = -1;
    }
    function mark(index) {
        var all = items();
        all.forEach(function (item, i) { item.classList.toggle("fw-active", i === index); });
        active = index;
        if (index >= 0) { input.setAttribute("aria-activedescendant", all[index].id); }
    }
    function show(results) {
        list.textContent = "";
        results.forEach(function (result, i) {
            var item = document.createElement("li");
            item.id = "fw-suggestion-" + i;
            item.setAttribute("role", "option");
            var link = document.createElement("a");
            link.href = result.url;
            var entity = document.createElement("span");
            entity.className = "fw-suggestion-entity";
            entity.textContent = result.entity;
            link.appendChild(entity);
            link.appendChild(document.createTextNode(result.title));
            item.appendChild(link);
            list.appendChild(item);
        });
        active = -1;
        if (results.length) {
            form.classList.add("open");
            input.setAttribute("aria-expanded", "true");
        } else {
            close();
        }
    }
    function suggest() {
        var text = input.value.trim();
        if (pending) { pending.abort(); }
        if (!text) { show([]); return; }
        pending = new AbortController();
        fetch(form.dataset.suggestUrl + "?q=" + encodeURIComponent(text),
              {credentials: "same-origin", headers: {Accept: "application/json"}, signal: pending.signal})
            .then(function (response) { return response.ok ? response.json() : {results: []}; })
            .then(function (answer) { show(answer.results || []); })
            .catch(function () { /* a superseded or failed look-up leaves the list as it is */ });
    }

    input.addEventListener("input", function () {
        clearTimeout(timer);
        timer = setTimeout(suggest, 200);
    });
    input.addEventListener("keydown", function (event) {
        var count = items().length;
        if (event.key === "ArrowDown" && count) {
            event.preventDefault();
            mark((active + 1) % count);
        } else if (event.key === "ArrowUp" && count) {
            event.preventDefault();
            mark((active - 1 + count) % count);
        } else if (event.key === "Enter" && active >= 0) {
            event.preventDefault();
            window.location.href = items()[active].querySelector("a").href;
        } else if (event.key === "Escape") {
            close();
        }
    });
    document.addEventListener("click", function (event) {
        if (!form.contains(event.target)) { close(); }
    });
})();

/* Read before the page is drawn (templates/formwork/base.html loads it in <head>): a sidebar the user collapsed is
 * drawn collapsed from the start, instead of opening wide and shrinking once static/layout.js runs. */
(function () {
    "use strict";
    try {
        if (window.localStorage.getItem("formwork.sidebar.collapsed") === "1") {
            document.documentElement.classList.add("fw-sidebar-collapsed");
        }
    } catch (e) { /* storage refused (private mode): drawn open */ }
})();

/* The dashboard editor (templates/formwork/studio/dashboard_editor.html): drag cards within a row, to another row or
 * to a new row below (SortableJS); each card's hidden input is renamed after the row it lands in, so "Save the
 * arrangement" posts the same `row.<i>` lists the move buttons post without this script. */
(function () {
    "use strict";
    var form = document.getElementById("fw-dashboard-layout");
    if (!form || typeof Sortable === "undefined") { return; }
    form.classList.add("fw-dashboard-js");

    function renumber() {
        form.querySelectorAll(".fw-dashboard-row").forEach(function (row) {
            row.querySelectorAll('.fw-dashboard-card input[type="hidden"]').forEach(function (input) {
                input.name = "row." + row.dataset.row;
            });
        });
    }

    form.querySelectorAll(".fw-dashboard-row").forEach(function (row) {
        Sortable.create(row, {group: "fw-dashboard-cards", draggable: ".fw-dashboard-card", animation: 150,
                              filter: "button, a", preventOnFilter: false, onSort: renumber});
    });
})();

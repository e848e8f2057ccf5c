/* Dashboard charts: one request to the dashboard's data endpoint, then one Chart.js chart per canvas.
 * Values come formatted from the server (`shown`: money in the tenant's currency), so tooltips match the cards. */
(function () {
    "use strict";
    var board = document.getElementById("fw-dashboard");
    if (!board || !window.Chart || !board.querySelector("canvas.fw-chart")) { return; }
    var PALETTE = ["#337ab7", "#3c9a3c", "#e07b00", "#7a4fb5", "#c9302c", "#1f8f8f", "#c9a100", "#777777",
                   "#5bc0de", "#8a6d3b", "#d9534f", "#5cb85c"];

    function showError(key, text) {
        var box = board.querySelector('.fw-chart-error[data-widget="' + key + '"]');
        var canvas = board.querySelector('canvas.fw-chart[data-widget="' + key + '"]');
        if (canvas) { canvas.parentNode.hidden = true; }
        if (box) { box.textContent = text; box.hidden = false; }
    }

    function colours(count) {
        var out = [];
        for (var i = 0; i < count; i++) { out.push(PALETTE[i % PALETTE.length]); }
        return out;
    }

    function draw(chart) {
        var canvas = board.querySelector('canvas.fw-chart[data-widget="' + chart.key + '"]');
        if (!canvas) { return; }
        if (chart.error) { showError(chart.key, chart.error); return; }
        if (!chart.labels.length) { showError(chart.key, board.dataset.noData); return; }
        var pie = chart.chart === "pie";
        var dataset = {label: chart.title, data: chart.values, borderWidth: pie ? 1 : 2,
                       backgroundColor: pie ? colours(chart.values.length) : PALETTE[0], borderColor: pie ? "#fff" : PALETTE[0],
                       fill: false, tension: 0.2};
        canvas.dataset.drawn = "true";
        new window.Chart(canvas, {
            type: chart.chart,
            data: {labels: chart.labels, datasets: [dataset]},
            options: {
                responsive: true, maintainAspectRatio: false, animation: false,
                plugins: {
                    legend: {display: pie},
                    tooltip: {callbacks: {label: function (item) { return " " + chart.shown[item.dataIndex]; }}}
                },
                scales: pie ? {} : {y: {beginAtZero: true}}
            }
        });
    }

    fetch(board.dataset.url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
        .then(function (response) { if (!response.ok) { throw new Error(response.status); } return response.json(); })
        .then(function (data) { data.charts.forEach(draw); })
        .catch(function () {
            board.querySelectorAll("canvas.fw-chart").forEach(function (canvas) {
                showError(canvas.dataset.widget, board.dataset.failed);
            });
        });
}());

/* A timeline: frappe-gantt (static/vendor) draws a header bar per lane and the lane's records' bars below it.
 * Dragging a bar moves both dates by whole days, dragging its end moves the end; the change is sent to the
 * timeline's JSON endpoint, which saves it through the record lifecycle. A refused change draws the bar back
 * where it was and shows the server's message. The list below the chart reschedules a record from the keyboard
 * through the same endpoint. Titles are escaped here: frappe-gantt writes a bar's name as HTML. */
(function () {
    "use strict";
    var holder = document.getElementById("fw-gantt");
    if (!holder || !window.Gantt) { return; }
    var data = JSON.parse(holder.dataset.chart);
    var message = document.querySelector(".fw-gantt-message");
    var saved = document.querySelector(".fw-gantt-saved");
    var MODES = {day: "Day", week: "Week", month: "Month"};
    var DAY = 86400000;
    var bars = {};
    var laneOf = {};
    data.lanes.forEach(function (lane) {
        lane.bars.forEach(function (bar) { bars[bar.id] = bar; laneOf[bar.id] = lane; });
    });

    function escapeHtml(text) {
        return String(text).replace(/[&<>"']/g, function (c) {
            return {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[c];
        });
    }

    function showMessage(text) {
        message.textContent = text;
        message.hidden = !text;
        saved.hidden = true;
    }

    /* The bar's record changed on the server: keep its new dates and version everywhere the page shows them. */
    function keep(bar) {
        var lane = laneOf[bar.id];
        lane.bars[lane.bars.indexOf(bars[bar.id])] = bar;
        bars[bar.id] = bar;
        var form = document.querySelector('.fw-gantt-form[data-id="' + bar.id + '"]');
        if (form) { form.dataset.version = bar.version; }
        resetForm(bar);
    }

    function resetForm(bar) {
        var form = document.querySelector('.fw-gantt-form[data-id="' + bar.id + '"]');
        if (!form) { return; }
        form.elements.start.value = bar.start.replace(" ", "T");
        form.elements.end.value = (bar.end || "").replace(" ", "T");
    }

    /* One header task spanning its lane's bars, then the bars: frappe-gantt has no groups of its own. */
    function tasks() {
        var found = [];
        data.lanes.forEach(function (lane, index) {
            var first = null;
            var last = null;
            lane.bars.forEach(function (bar) {
                var end = bar.end || bar.start;
                if (first === null || bar.start < first) { first = bar.start; }
                if (last === null || end > last) { last = end; }
            });
            found.push({id: "lane-" + index, name: escapeHtml(lane.label), start: first, end: last, progress: 0,
                        custom_class: "fw-gantt-lane-bar"});
            lane.bars.forEach(function (bar) {
                found.push({id: String(bar.id), name: escapeHtml(bar.title), start: bar.start,
                            end: bar.end || bar.start, progress: 0,
                            custom_class: bar.color ? "fw-gantt-" + bar.color : "fw-gantt-plain"});
            });
        });
        return found;
    }

    function popup(context) {
        var bar = bars[context.task.id];
        if (!bar) { return false; }
        context.set_title('<a href="' + escapeHtml(bar.url) + '">' + escapeHtml(bar.title) + "</a>");
        context.set_subtitle(escapeHtml(laneOf[bar.id].label));
        context.set_details(escapeHtml(bar.start_text + (bar.end_text ? " – " + bar.end_text : "")));
    }

    var earliest = tasks().reduce(function (first, task) {
        return first === null || task.start < first ? task.start : first;
    }, null);
    var gantt = new window.Gantt(holder, tasks(), {
        view_mode: MODES[data.zoom],
        language: holder.dataset.language,
        readonly: !data.editable,
        readonly_progress: true,
        today_button: false,
        infinite_padding: false,
        scroll_to: earliest.split(" ")[0],
        popup: popup,
        on_date_change: function (task, start, end) { dragged(task, start, end); }
    });

    /* Draw the bars again from `data`, where the reader had scrolled to. */
    function redraw() {
        var left = gantt.$container.scrollLeft;
        gantt.refresh(tasks());
        gantt.$container.scrollLeft = left;
    }

    /* "YYYY-MM-DD[ HH:MM]" as frappe-gantt reads it: the reader's clock. */
    function parsed(text) {
        var parts = text.split(/[- :T]/).map(Number);
        return new Date(parts[0], parts[1] - 1, parts[2], parts[3] || 0, parts[4] || 0);
    }

    /* `text` moved by whole days, its time of day kept (counted in UTC so no clock change shifts it). */
    function shifted(text, days) {
        var parts = text.split(" ");
        var day = parts[0].split("-").map(Number);
        var moved = new Date(Date.UTC(day[0], day[1] - 1, day[2] + days));
        return moved.toISOString().slice(0, 10) + (parts[1] ? " " + parts[1] : "");
    }

    /* frappe-gantt reports the new start and the last moment of the new end; its end of a bar is the next day's
     * midnight, so the moves in days are counted from there. */
    function dragged(task, start, end) {
        var bar = bars[task.id];
        if (!bar) { redraw(); return; }
        var oldEnd = parsed(bar.end || bar.start);
        oldEnd.setDate(oldEnd.getDate() + 1);
        var byStart = Math.round((start - parsed(bar.start)) / DAY);
        var byEnd = Math.round((end.getTime() + 1000 - oldEnd.getTime()) / DAY);
        if (!byStart && !byEnd) { redraw(); return; }
        var newEnd = null;
        if (bar.end) {
            newEnd = shifted(bar.end, byEnd);
        } else if (!byStart) {
            newEnd = shifted(bar.start, byEnd);
        }
        send(bar, shifted(bar.start, byStart), newEnd);
    }

    function send(bar, start, end) {
        showMessage("");
        return fetch(holder.dataset.rescheduleUrl, {
            method: "POST",
            credentials: "same-origin",
            headers: {"Content-Type": "application/json", "X-CSRFToken": holder.dataset.csrf},
            body: JSON.stringify({id: bar.id, version: bar.version, start: start, end: end})
        }).then(function (response) {
            return response.json().catch(function () { return {}; }).then(function (answer) {
                if (!response.ok) { throw new Error(answer.message || holder.dataset.failed); }
                keep(answer);
                redraw();
                saved.hidden = false;
            });
        }).catch(function (error) {
            resetForm(bars[bar.id]);
            redraw();
            showMessage(error.message);
        });
    }

    document.addEventListener("submit", function (event) {
        var form = event.target;
        if (!form.classList.contains("fw-gantt-form")) { return; }
        event.preventDefault();
        var bar = bars[form.dataset.id];
        send(bar, form.elements.start.value.replace("T", " "), form.elements.end.value.replace("T", " ") || null);
    });

    Array.prototype.forEach.call(document.querySelectorAll(".fw-gantt-zoom"), function (button) {
        button.addEventListener("click", function () {
            gantt.change_view_mode(MODES[button.dataset.zoom], true);
            Array.prototype.forEach.call(document.querySelectorAll(".fw-gantt-zoom"), function (other) {
                other.classList.toggle("active", other === button);
                other.setAttribute("aria-pressed", other === button ? "true" : "false");
            });
        });
    });
}());

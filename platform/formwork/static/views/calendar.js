/* A calendar (FullCalendar): the events of the range shown come from the calendar's events endpoint; an event
 * dragged to another time or resized is sent to its move endpoint, which saves it through the record lifecycle. A
 * refused change puts the event back and shows the server's message; a saved one takes the record's new version.
 * Selecting a day or a time range opens the entity's add form with the dates filled in (`fill.<field>`).
 *
 * Times: FullCalendar runs in the tenant's named time zone without a time-zone plugin, so every date it reads or
 * writes is the tenant's wall-clock time without an offset, as the server sends and reads them (views/calendar). */
(function () {
    "use strict";
    var element = document.getElementById("fw-calendar");
    if (!element || !window.FullCalendar) { return; }
    var settings = element.dataset;
    var message = document.querySelector(".fw-calendar-message");
    var capped = document.querySelector(".fw-calendar-capped");
    var allDay = settings.allDay === "true";
    /* the time a day clicked in the month view of a timed calendar starts at, in the add form */
    var DAY_START = "09:00:00";
    var DAY = 24 * 60 * 60 * 1000;
    /* the tenant's clock: its wall-clock time when the page was made, running on (FullCalendar's own "now" would
     * be the browser's zone) */
    var skew = Date.parse(settings.now + "Z") - Date.now();

    function show(box, text) {
        box.textContent = text;
        box.hidden = !text;
    }

    function ask(url, options) {
        return fetch(url, Object.assign({credentials: "same-origin"}, options)).then(function (response) {
            return response.json().catch(function () { return {}; }).then(function (answer) {
                if (!response.ok) { throw new Error(answer.message || settings.failed); }
                return answer;
            });
        });
    }

    function loadEvents(range, success, failure) {
        var query = new URLSearchParams({start: range.startStr, end: range.endStr});
        ask(settings.eventsUrl + "?" + query.toString(), {headers: {"Accept": "application/json"}})
            .then(function (answer) {
                show(capped, answer.message || "");
                success(answer.events);
            })
            .catch(function (error) {
                show(message, error.message);
                failure(error);
            });
    }

    /* An event moved or resized: saved, or put back with the server's message. */
    function save(change) {
        var event = change.event;
        show(message, "");
        ask(settings.moveUrl, {
            method: "POST",
            headers: {"Content-Type": "application/json", "X-CSRFToken": settings.csrf},
            body: JSON.stringify({
                id: Number(event.id),
                start: event.startStr,
                end: event.end ? event.endStr : null,
                version: event.extendedProps.version
            })
        })
            .then(function (answer) { event.setExtendedProp("version", answer.version); })
            .catch(function (error) {
                change.revert();
                show(message, error.message);
            });
    }

    /* `2026-03-02T09:30:00` as the add form reads a time: `2026-03-02 09:30:00` */
    function formTime(text) { return text.replace("T", " ").slice(0, 19); }

    function dayBefore(moment) { return new Date(moment.getTime() - DAY).toISOString().slice(0, 10); }

    /* A day or a time range selected: the add form, its start (and end, or duration) filled in. */
    function addAt(selection) {
        var fill = new URLSearchParams();
        var minutes = (selection.end.getTime() - selection.start.getTime()) / 60000;
        if (allDay) {
            fill.set(settings.fillStart, selection.startStr);
            if (settings.fillEnd) { fill.set(settings.fillEnd, dayBefore(selection.end)); }
        } else if (selection.allDay) {
            fill.set(settings.fillStart, selection.startStr + " " + DAY_START);
        } else {
            fill.set(settings.fillStart, formTime(selection.startStr));
            if (settings.fillEnd) { fill.set(settings.fillEnd, formTime(selection.endStr)); }
        }
        if (settings.fillDuration && (allDay || !selection.allDay)) {
            fill.set(settings.fillDuration, String(minutes / Number(settings.durationMinutes)));
        }
        window.location.assign(settings.addUrl + "?" + fill.toString());
    }

    var views = allDay ? "dayGridMonth,dayGridWeek,dayGridDay" : "dayGridMonth,timeGridWeek,timeGridDay";
    var clock = {hour: "2-digit", minute: "2-digit", hour12: false};
    var calendar = new window.FullCalendar.Calendar(element, {
        initialView: settings.initialView,
        locale: settings.locale,
        timeZone: settings.timeZone,
        now: function () { return new Date(Date.now() + skew); },
        headerToolbar: {left: "prev,next today", center: "title", right: views},
        height: "auto",
        nowIndicator: true,
        dayMaxEvents: true,
        eventDisplay: "block",
        allDaySlot: false,  /* a timed calendar's week and day: its events have times; an all-day one uses day grids */
        eventTimeFormat: clock,
        slotLabelFormat: clock,
        events: loadEvents,
        editable: settings.movable === "true" || settings.resizable === "true",
        eventStartEditable: settings.movable === "true",
        eventDurationEditable: settings.resizable === "true",
        eventDrop: save,
        eventResize: save,
        selectable: Boolean(settings.addUrl),
        select: addAt
    });
    calendar.render();
}());

/* A kanban board: drag a card (SortableJS) or pick a column in its "Move to…" menu, and the move is sent to the
 * board's JSON endpoint, which saves it through the record lifecycle. A refused move puts the card back where it
 * was and shows the server's message; a saved one takes the new version and the columns' counts and sums. */
(function () {
    "use strict";
    var board = document.getElementById("fw-kanban");
    if (!board) { return; }
    var message = document.querySelector(".fw-kanban-message");
    var ranked = board.dataset.ranked === "true";

    function showMessage(text) {
        message.textContent = text;
        message.hidden = !text;
    }

    function post(url, body) {
        return fetch(url, {
            method: "POST",
            credentials: "same-origin",
            headers: {"Content-Type": "application/json", "X-CSRFToken": board.dataset.csrf},
            body: JSON.stringify(body)
        }).then(function (response) {
            return response.json().catch(function () { return {}; }).then(function (answer) {
                if (!response.ok) { throw new Error(answer.message || board.dataset.failed); }
                return answer;
            });
        });
    }

    function cardsOf(key) {
        return board.querySelector('.fw-kanban-cards[data-column="' + CSS.escape(key) + '"]');
    }

    function updateTotals(columns) {
        columns.forEach(function (column) {
            var section = board.querySelector('.fw-kanban-column[data-column="' + CSS.escape(column.key) + '"]');
            if (!section) { return; }
            section.querySelector(".fw-kanban-count").textContent = column.count;
            var sum = section.querySelector(".fw-kanban-sum");
            if (sum && column.sum !== null) { sum.textContent = column.sum; }
        });
    }

    function markColumn(card, key) {
        var select = card.querySelector(".fw-kanban-move");
        if (!select) { return; }
        Array.prototype.forEach.call(select.options, function (option) {
            option.disabled = option.value !== "" && option.value === key;
        });
        select.value = "";
    }

    /* The id of the card after `card` in its column (where a ranked board places it), or null when it is last. */
    function nextCardId(card) {
        var next = card.nextElementSibling;
        return next ? Number(next.dataset.id) : null;
    }

    function takeVersions(versions) {
        Object.keys(versions || {}).forEach(function (id) {
            var saved = board.querySelector('.fw-kanban-card[data-id="' + CSS.escape(id) + '"]');
            if (saved) { saved.dataset.version = versions[id]; }
        });
    }

    /* Send a move of `card` (already where the user put it); on refusal put it back at `index` in the column `from`. */
    function move(card, from, to, index) {
        showMessage("");
        card.classList.add("fw-kanban-saving");
        var body = {id: Number(card.dataset.id), to: to, version: Number(card.dataset.version)};
        if (ranked) { body.before = nextCardId(card); }
        return post(board.dataset.moveUrl, body)
            .then(function (answer) {
                card.dataset.version = answer.version;
                takeVersions(answer.versions);
                markColumn(card, answer.column);
                updateTotals(answer.columns);
            })
            .catch(function (error) {
                var list = cardsOf(from);
                card.remove();
                list.insertBefore(card, list.children[index] || null);
                markColumn(card, from);
                showMessage(error.message);
            })
            .finally(function () { card.classList.remove("fw-kanban-saving"); });
    }

    function columnOf(list) { return list.dataset.column; }

    if (board.dataset.movable === "true" && window.Sortable) {
        Array.prototype.forEach.call(board.querySelectorAll(".fw-kanban-cards"), function (list) {
            window.Sortable.create(list, {
                group: "fw-kanban",
                sort: ranked,  /* unranked, a column's order is the board's order field: a card changes column only */
                animation: 120,
                filter: "select, a, input",
                preventOnFilter: false,
                onEnd: function (event) {
                    if (event.from === event.to && event.oldIndex === event.newIndex) { return; }
                    move(event.item, columnOf(event.from), columnOf(event.to), event.oldIndex);
                }
            });
        });
    }

    /* The "Move to…" menu: another column (the card goes on top), or up or down one place in its own. */
    board.addEventListener("change", function (event) {
        var select = event.target;
        if (!select.classList.contains("fw-kanban-move")) { return; }
        var place = select.selectedOptions[0] && select.selectedOptions[0].dataset.place;
        if (!select.value && !place) { return; }
        var card = select.closest(".fw-kanban-card");
        var from = card.parentNode;
        var index = Array.prototype.indexOf.call(from.children, card);
        if (place === "up" || place === "down") {
            var neighbour = place === "up" ? card.previousElementSibling : card.nextElementSibling;
            select.value = "";
            if (!neighbour) { return; }
            from.insertBefore(card, place === "up" ? neighbour : neighbour.nextElementSibling);
            move(card, columnOf(from), columnOf(from), index).then(function () { select.focus(); });
            return;
        }
        var target = cardsOf(select.value);
        target.insertBefore(card, target.firstChild);
        move(card, columnOf(from), select.value, index).then(function () { select.focus(); });
    });

    board.addEventListener("submit", function (event) {
        var form = event.target;
        if (!form.classList.contains("fw-kanban-add")) { return; }
        event.preventDefault();
        var input = form.querySelector("input[name=title]");
        showMessage("");
        post(board.dataset.addUrl, {to: form.dataset.column, title: input.value})
            .then(function (answer) {
                var holder = document.createElement("ul");
                holder.innerHTML = answer.card;  /* rendered and escaped by the server's card template */
                cardsOf(answer.column).insertBefore(holder.firstElementChild, cardsOf(answer.column).firstChild);
                updateTotals(answer.columns);
                input.value = "";
            })
            .catch(function (error) { showMessage(error.message); });
    });
}());

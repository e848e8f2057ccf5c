/* The Studio's view editor: the ordered lists of a view (a card's fields, a list's columns, a pivot's dimensions and
 * measures). Add moves the select's choice into the list, Up and Down move an item, Remove takes it out; each item
 * carries a hidden input, so the form posts the items in the order shown. Without this script, choosing in the
 * select and saving adds the choice at the end. */
(function () {
    "use strict";

    function addItem(control) {
        var list = control.querySelector(".fw-ordered");
        var select = control.querySelector(".fw-add-choice");
        var template = control.querySelector("template.fw-ordered-template");
        if (!select.value || list.querySelector('[data-token="' + CSS.escape(select.value) + '"]')) {
            return;
        }
        var item = template.content.querySelector(".fw-ordered-item").cloneNode(true);
        item.dataset.token = select.value;
        item.querySelector("input").value = select.value;
        item.querySelector(".fw-ordered-label").textContent = select.options[select.selectedIndex].textContent;
        list.appendChild(item);
        select.value = "";
    }

    function move(item, action) {
        var list = item.parentNode;
        if (action === "up" && item.previousElementSibling) {
            list.insertBefore(item, item.previousElementSibling);
        } else if (action === "down" && item.nextElementSibling) {
            list.insertBefore(item.nextElementSibling, item);
        } else if (action === "remove") {
            list.removeChild(item);
            return;
        }
        item.querySelector("." + "fw-" + action).focus();
    }

    document.querySelectorAll(".fw-view-control").forEach(function (control) {
        if (!control.querySelector(".fw-ordered")) {
            return;
        }
        control.addEventListener("click", function (event) {
            var button = event.target.closest("button");
            if (!button) {
                return;
            }
            if (button.classList.contains("fw-add")) {
                addItem(control);
                return;
            }
            var item = button.closest(".fw-ordered-item");
            ["up", "down", "remove"].forEach(function (action) {
                if (item && button.classList.contains("fw-" + action)) {
                    move(item, action);
                }
            });
        });
    });
}());

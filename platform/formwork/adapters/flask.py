"""Flask's private names, in one place.

Written against Flask 3.1. tests/test_adapters.py checks each against the installed Flask.
"""

from __future__ import annotations

from flask import session

#: where Flask 3.1's `flash` keeps the messages not shown yet: a list of (category, message) in the session
FLASHES = "_flashes"


def withdraw_last_flash() -> None:
    """Take back the message flashed last in this request, before a page shows it.

    Flask offers no way to take back a flashed message. FAB flashes a fixed text when a save it asked for fails and
    then leaves the form; where Formwork shows the form again with the reason at its fields (compile/forms.py), that
    text would only contradict it.
    """
    flashes = session.get(FLASHES, [])
    if flashes:
        session[FLASHES] = flashes[:-1]

"""Which language a request is served in, and where the platform's own translations live.

Flask-Babel is set up by Flask-AppBuilder's BabelManager, which puts FAB's
catalog first in `BABEL_TRANSLATION_DIRECTORIES` and ours after it: Flask-Babel
merges the catalogs in that order, so FAB's own texts ("List", "Search") stay
translated and ours are added (and win where both translate the same text).

The language of a request, first that applies:
1. FAB's `_l_` query argument (FAB's own API convention);
2. on the REST API, the `Accept-Language` header: API clients say what they
   want on every call, and a JWT request has no session to remember a choice;
3. on pages, the language the user picked in FAB's language menu (`/lang/<locale>`,
   kept in the tenant's session cookie);
4. the tenant's locale (`BABEL_DEFAULT_LOCALE`), written into the session as FAB
   does, because FAB's language menu shows `session["locale"]` as the current one.
API requests never touch the session (FAB's selector wrote the default there too).
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from babel import Locale
from babel.core import get_global
from flask import Flask, current_app, has_request_context, request, session
from flask_babel import get_translations, gettext

from .formatting import TEMPLATE_FILTERS
from .i18n import LANGUAGES, TRANSLATIONS, Label

API_PREFIX = "/api/"
#: the flag FAB's language menu shows for English (CLDR's likely country for `en` would be the US)
ENGLISH_FLAG = "gb"


def language_menu() -> dict[str, dict[str, str]]:
    """FAB's `LANGUAGES` setting: every language with its own name and a flag (the country CLDR finds likeliest for
    it), so a language added as a catalog appears in the menu."""
    return {
        language: {
            "flag": ENGLISH_FLAG if language == "en" else _likely_country(language),
            "name": Locale.parse(language).get_display_name() or language,
        }
        for language in LANGUAGES
    }


def _likely_country(language: str) -> str:
    likely = get_global("likely_subtags").get(language, "")
    return likely.rsplit("_", 1)[-1].lower() if "_" in likely else language


def babel_config(locale: str | None, timezone: str | None) -> dict[str, Any]:
    """The Flask-Babel settings of a tenant app (FAB adds its own catalog in front of ours)."""
    return {
        "BABEL_TRANSLATION_DIRECTORIES": str(TRANSLATIONS),
        "BABEL_DEFAULT_LOCALE": locale if locale in LANGUAGES else LANGUAGES[0],
        "BABEL_DEFAULT_TIMEZONE": timezone or "UTC",
    }


def select_locale() -> str:
    """The language of the current request (see the module's docstring for the order)."""
    default = current_app.config.get("BABEL_DEFAULT_LOCALE", LANGUAGES[0])
    if not has_request_context():
        return default
    asked = request.args.get("_l_")
    if asked in LANGUAGES:
        return asked
    if request.path.startswith(API_PREFIX):
        return request.accept_languages.best_match(LANGUAGES) or default
    if session.get("locale") not in LANGUAGES:
        session["locale"] = default  # FAB's language menu reads the session to show the language in use
    return session["locale"]


def install_languages(app: Flask) -> None:
    """Replace FAB's locale selector with `select_locale` (call after AppBuilder has set up Flask-Babel), give
    templates the filters that write numbers, money and dates as the screens do, and a `_()` that leaves labels
    alone (`template_gettext`)."""
    app.extensions["babel"].locale_selector = select_locale
    app.jinja_env.filters.update(TEMPLATE_FILTERS)
    app.jinja_env.install_gettext_callables(
        gettext=template_gettext,
        ngettext=lambda singular, plural, n: get_translations().ungettext(singular, plural, n),
        pgettext=lambda context, text: get_translations().upgettext(context, text),
        npgettext=lambda context, singular, plural, n: get_translations().unpgettext(context, singular, plural, n),
        newstyle=True,
    )


def template_gettext(text: str) -> str:
    """Flask-Babel's gettext, except for a `Label`, which is returned as it is, to render itself in the reader's
    language. FAB's menus pass every entry through `_()`: a pack's label whose English the catalogs happen to know
    ("Employees") would show the catalog's Chinese instead of the pack's, and a menu label that renders more than
    its text (the inbox's count) would become a plain string."""
    return text if isinstance(text, Label) else get_translations().ugettext(text)


def N_(message: str) -> str:
    """Marks a text for extraction into the catalog without translating it here (GNU gettext's convention)."""
    return message


#: Validation messages that reach API clients from marshmallow and Formwork's write rules, as English templates;
#: `localize_messages` finds the template a message was formatted from and formats its translation instead.
API_MESSAGES = (
    N_("Missing data for required field."),
    N_("Unknown field."),
    N_("Field may not be null."),
    N_("Invalid input type."),
    N_("Invalid input."),
    N_("Invalid value."),
    N_("Invalid type."),
    N_("Not a valid integer."),
    N_("Not a valid number."),
    N_("Not a valid string."),
    N_("Not a valid boolean."),
    N_("Not a valid date."),
    N_("Not a valid datetime."),
    N_("Not a valid time."),
    N_("Not a valid email address."),
    N_("Not a valid URL."),
    N_("Not a valid list."),
    N_("Not a valid mapping type."),
    N_("Number too large."),
    N_("Special numeric values (nan or infinity) are not permitted."),
    N_("Must be one of: {choices}."),
    N_("Must be greater than or equal to {min} and less than or equal to {max}."),
    N_("Must be greater than or equal to {min}."),
    N_("Must be less than or equal to {max}."),
    N_("Longer than maximum length {max}."),
    N_("Shorter than minimum length {min}."),
    N_("Length must be between {min} and {max}."),
    N_("This field is required."),
    N_("This field is read-only."),
    N_("This field cannot be changed now."),
    N_("Not an id of a record."),
    N_("No user with id {id}."),
    N_("No {entity} with id {id}."),
    N_("Does not match the expected format ({pattern})."),
    N_("Send a JSON object."),
)
#: Flask-AppBuilder's own texts that its zh catalog leaves in English; listed here so that extraction keeps them in
#: our catalog, which Flask-Babel merges over FAB's (find more: extract FAB's package and diff with its zh .po).
FAB_TEXTS = (
    N_("Add"),
    N_("Edit"),
    N_("Show"),
    N_("Delete"),
    N_("Are you sure you want to delete this item?"),
    N_("Contains (insensitive)"),
    N_("In"),
    N_("Not In"),
    N_("Database Error"),
    N_("Groups"),
    N_("List Groups"),
    N_("Add Group"),
    N_("Edit Group"),
    N_("Show Group"),
    N_("Either select a role or a group"),
    N_("Edit User Information"),
    N_("User information changed"),
    N_("The user's password for authentication"),
    N_("It's not a good policy to remove a user, just make it inactive"),
    N_("The user group on the application, this will associate with a list of roles associated with the group"),
    N_("Not a valid choice"),
    N_("User(s) exists in the group, cannot delete"),
    N_("User(s) exists in the role, cannot delete"),
    N_(
        "Must have at least two capital letters, one special character, two digits, three lower case letters and a "
        "minimal length of 10."
    ),
)
PLACEHOLDER = re.compile(r"\{(\w+)\}")


@cache
def _template_patterns() -> list[tuple[re.Pattern[str], str]]:
    """(regular expression matching a formatted message, its template) for the templates with placeholders."""
    patterns = []
    for template in API_MESSAGES:
        if PLACEHOLDER.search(template):
            parts = PLACEHOLDER.split(template)  # text, name, text, name, ..., text
            regex = "".join(re.escape(part) if i % 2 == 0 else f"(?P<{part}>.+?)" for i, part in enumerate(parts))
            patterns.append((re.compile(regex + r"\Z", re.DOTALL), template))
    return patterns


def localize_message(message: str) -> str:
    """One message in the request's language (unchanged when the catalog does not know it)."""
    translated = gettext(message)
    if translated != message:
        return translated
    for pattern, template in _template_patterns():
        if (found := pattern.match(message)) is not None:
            return gettext(template).format(**found.groupdict())
    return message


def localized(text: Any) -> str:
    """A label or a catalog text in the request's language."""
    return text.localized() if isinstance(text, Label) else gettext(str(text))


def localize_messages(messages: Any) -> Any:
    """Every text in an API error body (`{field: [messages]}`, nested for child rows) in the request's language."""
    if isinstance(messages, str):
        return localize_message(messages)
    if isinstance(messages, dict):
        return {key: localize_messages(value) for key, value in messages.items()}
    if isinstance(messages, (list, tuple)):
        return [localize_messages(value) for value in messages]
    return messages

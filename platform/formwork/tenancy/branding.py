"""A tenant's branding on every page of its app: its name, its logo and its main colour.

The colour is a tenant setting (manifest `brand_color: "#1f6feb"`, kept in `formwork_tenant.brand_color`). Pages
never carry it inline (the Content Security Policy is meant to refuse inline styles): the layout links
`/brand.css`, a small stylesheet that sets the CSS custom properties static/formwork.css reads: `--fw-brand`, and
`--fw-brand-text`, white or black, whichever contrasts more with it. The better of the two always reaches WCAG AA's
4.5:1 for normal text, whatever the colour. The logo (a `data:` URI in the registry, tenancy/logos.py) is served as
an image of its own at `/brand/logo`, so pages do not carry up to 256 KB of it each. Both are public: the sign-in
page shows them. Their URLs carry a digest of what they show, so browsers may keep them for a day.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

from flask import Blueprint, Flask, Response, abort, current_app, url_for

from .logos import logo_content

COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")
DEFAULT_COLOR = "#1f6feb"
WHITE, BLACK = "#ffffff", "#000000"
#: how long a browser keeps the stylesheet and the logo (their URLs change when they do)
CACHED_FOR = 86_400
BLUEPRINT = "formwork_brand"


def color_error(written: Any) -> str | None:
    """Why `written` is no brand colour, or None when it is one (#rrggbb)."""
    if isinstance(written, str) and COLOR.match(written):
        return None
    return f"'{written}' is not a colour; write it as #rrggbb, e.g. {DEFAULT_COLOR}"


def luminance(color: str) -> float:
    """WCAG 2's relative luminance of a #rrggbb colour."""
    channels = [int(color[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(one: str, other: str) -> float:
    """WCAG 2's contrast ratio of two colours (1 to 21)."""
    light, dark = sorted((luminance(one), luminance(other)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def text_on(color: str) -> str:
    """White or black, whichever reads better on `color`."""
    return WHITE if contrast(color, WHITE) >= contrast(color, BLACK) else BLACK


def stylesheet(color: str) -> str:
    """The custom properties static/formwork.css reads."""
    return f":root {{ --fw-brand: {color}; --fw-brand-text: {text_on(color)}; }}\n"


def brand_color() -> str:
    """The app's tenant's colour, or the platform's when it has none (or the registry holds no colour)."""
    chosen = current_app.config.get("FORMWORK_BRAND_COLOR")
    return chosen.lower() if chosen and color_error(chosen) is None else DEFAULT_COLOR


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def stylesheet_url() -> str:
    return url_for(f"{BLUEPRINT}.stylesheet", v=_digest(brand_color()))


def logo_url() -> str | None:
    """Where the tenant's logo is served, or None without one."""
    logo = current_app.config.get("FORMWORK_LOGO")
    return url_for(f"{BLUEPRINT}.logo", v=_digest(logo)) if logo else None


def _cached(response: Response) -> Response:
    response.cache_control.public = True
    response.cache_control.max_age = CACHED_FOR
    return response


def _stylesheet() -> Response:
    return _cached(Response(stylesheet(brand_color()), mimetype="text/css"))


def _logo() -> Response:
    logo = current_app.config.get("FORMWORK_LOGO")
    if not logo:
        abort(404)
    mimetype, content = logo_content(logo)
    return _cached(Response(content, mimetype=mimetype))


def install_branding(app: Flask) -> None:
    """The stylesheet and logo routes, and the layout's `fw_brand_css()` and `fw_logo()`."""
    blueprint = Blueprint(BLUEPRINT, __name__)
    blueprint.add_url_rule("/brand.css", "stylesheet", _stylesheet)
    blueprint.add_url_rule("/brand/logo", "logo", _logo)
    app.register_blueprint(blueprint)
    app.jinja_env.globals.update(fw_brand_css=stylesheet_url, fw_logo=logo_url)

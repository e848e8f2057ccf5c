"""A tenant's home page (`/`) when no feature shows another, and what the dashboards' home page shows before
sign-in: the tenant's name and logo with a sign-in form (posting to Flask-AppBuilder's login, with its CSRF token),
so nobody lands on an empty page; signed in, a welcome with the user's menu as shortcuts."""

from __future__ import annotations

from flask_appbuilder import IndexView


class TenantHome(IndexView):
    """`/`: the sign-in form for a visitor, the menu's groups for a signed-in user (templates/formwork/home.html)."""

    index_template = "formwork/home.html"

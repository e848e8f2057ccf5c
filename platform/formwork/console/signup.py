"""Self-service sign-up (FORMWORK_SIGNUP=1; off, /signup is a 404): a company asks for a tenant of its own.

The form asks the company's name, the tenant's address, an e-mail address and a template (core + oa, core + crm,
or all of them). Nothing is created then: a link is mailed through the platform's outbox (tenancy/platform_mail.py)
carrying the request, signed (itsdangerous, a key of the platform's) and valid for SIGNUP_LIFETIME, so no table
keeps requests nobody confirmed. Following it proves the address: the person confirms (a GET never creates, since
mail scanners open links), the tenant is created with them as its first admin, and they go straight to their
invitation's page (tenancy/invitations.py) to choose a password and land signed in. Once the tenant exists its
address is taken, so the link works once. Attempts are limited per client address (SignupLimiter) with a 429.
"""

from __future__ import annotations

import contextvars
import re
import secrets
import threading
from collections import deque
from datetime import datetime, timedelta
from typing import Any

from flask import Response, redirect, request
from flask_appbuilder import BaseView, expose
from flask_wtf import FlaskForm
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from wtforms import Field, RadioField, StringField, ValidationError
from wtforms.validators import DataRequired, Email, Length

from ..compile.models import utcnow
from ..config import Settings
from ..i18n import CatalogText, current_locale
from ..meta.catalog import Catalog
from ..tenancy.errors import TenantError
from ..tenancy.invitations import invitation_path
from ..tenancy.keys import derive_secret
from ..tenancy.platform_mail import queue_mail
from ..tenancy.provision import create_tenant, slug_refusal
from ..tenancy.registry import ConsoleAction, platform_session

#: the packs of each template a company can start from
TEMPLATES = {"core+oa": ("core", "oa"), "core+crm": ("core", "crm"), "all": ("core", "crm", "oa")}
SIGNUP_LIFETIME = timedelta(days=1)
#: sign-up attempts (form posts) one client address may make within SIGNUP_WINDOW
SIGNUPS_PER_WINDOW = 5
SIGNUP_WINDOW = timedelta(hours=1)
USER_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")

TEXT = {
    "title": CatalogText("Sign up for Formwork"),
    "company": CatalogText("Company name"),
    "slug": CatalogText("Address"),
    "slug_help": CatalogText("3-40 lowercase letters, digits and dashes; your Formwork is served at /t/<address>/"),
    "email": CatalogText("Your e-mail address"),
    "email_help": CatalogText("We send a link there; the tenant is created only when you open it."),
    "template": CatalogText("Start with"),
    "all": CatalogText("Everything: {packs}"),
    "send": CatalogText("Send me the link"),
    "sent_title": CatalogText("Check your e-mail"),
    "sent": CatalogText("We sent a link to {email}. Open it within 24 hours to create {company}."),
    "subject": CatalogText("Confirm your e-mail address to create {company}"),
    "body": CatalogText(
        "Someone, we hope you, asked for a Formwork for {company} at /t/{slug}/. Open this link within 24 hours "
        "to create it and become its administrator:\n\n{link}\n\nIf it was not you, ignore this mail: nothing is "
        "created."
    ),
    "confirm_title": CatalogText("Create {company}"),
    "confirm": CatalogText("Your address {email} is confirmed. Create {company} at /t/{slug}/ with {packs}?"),
    "user": CatalogText("Your user name"),
    "create": CatalogText("Create it and choose my password"),
    "refused_title": CatalogText("The sign-up link cannot be used"),
    "forged": CatalogText("This sign-up link is not valid. Check that it was copied whole, or sign up again."),
    "expired": CatalogText("This sign-up link has expired. Sign up again to get a new one."),
    "used": CatalogText("This sign-up link was already used: the address /t/{slug}/ is taken. Sign in there."),
    "bad_user": CatalogText("Letters, digits and . _ @ - only, starting with a letter or digit; at most 64."),
    "too_many_title": CatalogText("Too many sign-ups"),
    "too_many": CatalogText("Too many sign-ups from your address. Try again in {minutes} minutes."),
}


class SignupLimiter:
    """At most `limit` attempts per client address within `window`, counted in this process (each serving process
    counts its own: with N processes an address gets at most N × limit)."""

    def __init__(self, limit: int, window: timedelta) -> None:
        self.limit, self.window = limit, window
        self._attempts: dict[str, deque[datetime]] = {}
        self._lock = threading.Lock()

    def wait(self, address: str, now: datetime) -> timedelta | None:
        """None, and the attempt counted, when `address` may try now; else how long until it may."""
        with self._lock:
            attempts = self._attempts.setdefault(address, deque())
            while attempts and attempts[0] <= now - self.window:
                attempts.popleft()
            if len(attempts) >= self.limit:
                return attempts[0] + self.window - now
            attempts.append(now)
            return None


def signup_form(settings: Settings, catalog: Catalog) -> type[FlaskForm]:
    """The form's class: its address check asks the registry, its templates are those whose packs this server has."""

    class SignupForm(FlaskForm):
        company = StringField(TEXT["company"], [DataRequired(), Length(max=200)])
        slug = StringField(TEXT["slug"], [DataRequired()], description=TEXT["slug_help"])
        email = StringField(TEXT["email"], [DataRequired(), Email(), Length(max=320)], description=TEXT["email_help"])
        template = RadioField(TEXT["template"], [DataRequired()], default="core+crm")

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.template.choices = [(name, template_label(catalog, name)) for name in offered(catalog)]

        def validate_slug(self, field: Field) -> None:
            refusal = slug_refusal(settings, field.data or "")
            if refusal is not None:
                raise ValidationError(refusal.localized().format(slug=field.data))

    return SignupForm


def offered(catalog: Catalog) -> list[str]:
    return [name for name, packs in TEMPLATES.items() if all(pack in catalog.packs for pack in packs)]


def template_label(catalog: Catalog, name: str) -> str:
    packs = " + ".join(catalog.packs[pack].label.localized() for pack in TEMPLATES[name])
    return TEXT["all"].localized().format(packs=packs) if name == "all" else packs


class SignupView(BaseView):
    """`/signup/`: the form, then the mail; `/signup/verify/<token>`: the confirmation that creates the tenant."""

    route_base = "/signup"
    default_view = "start"

    def __init__(self, settings: Settings, catalog: Catalog) -> None:
        self.settings, self.catalog = settings, catalog
        self.form = signup_form(settings, catalog)
        self.limiter = SignupLimiter(SIGNUPS_PER_WINDOW, SIGNUP_WINDOW)
        self.serializer = URLSafeTimedSerializer(
            derive_secret(settings.secret_key, "platform:signup", "verify"), salt="formwork.signup"
        )
        super().__init__()

    @expose("/", methods=["GET", "POST"])
    def start(self) -> Any:
        form = self.form()
        if request.method == "POST":
            wait = self.limiter.wait(request.remote_addr or "", utcnow())
            if wait is not None:
                return self._too_many(wait)
            if form.validate_on_submit():
                return self._send_link(form)
        page = self.render_template("console/signup.html", T=TEXT, form=form)
        return page, 400 if form.errors else 200

    def _send_link(self, form: FlaskForm) -> str:
        claims = {"n": form.company.data, "s": form.slug.data, "e": form.email.data, "t": form.template.data}
        values = {
            "company": form.company.data,
            "slug": form.slug.data,
            "email": form.email.data,
            "link": f"{self.settings.site_url}/signup/verify/{self.serializer.dumps(claims)}",
        }
        with platform_session(self.settings.database_url) as session, session.begin():
            queue_mail(
                session,
                form.email.data,
                TEXT["subject"].localized().format(**values),
                TEXT["body"].localized().format(**values),
            )
        return self.render_template("console/signup_sent.html", T=TEXT, text=TEXT["sent"].localized().format(**values))

    @expose("/verify/<token>", methods=["GET", "POST"])
    def verify(self, token: str) -> Any:
        try:
            claims = self.serializer.loads(token, max_age=int(SIGNUP_LIFETIME.total_seconds()))
        except SignatureExpired:
            return self._refused(410, TEXT["expired"].localized())
        except BadSignature:
            return self._refused(400, TEXT["forged"].localized())
        slug, packs = claims["s"], TEMPLATES.get(claims["t"], ())
        if slug_refusal(self.settings, slug) is not None:
            return self._refused(410, TEXT["used"].localized().format(slug=slug))
        username = request.form.get("username", claims["e"].split("@", 1)[0])
        error = "" if USER_NAME.match(username) else TEXT["bad_user"].localized()
        if request.method == "POST" and not error:
            return self._create(claims, username)
        question = (
            TEXT["confirm"]
            .localized()
            .format(email=claims["e"], company=claims["n"], slug=slug, packs=template_label(self.catalog, claims["t"]))
        )
        page = self.render_template(
            "console/signup_verify.html",
            T=TEXT,
            title=TEXT["confirm_title"].localized().format(company=claims["n"]),
            question=question,
            username=username,
            error=error if request.method == "POST" else "",
            packs=packs,
        )
        return page, 400 if request.method == "POST" else 200

    def _create(self, claims: dict[str, str], username: str) -> Any:
        try:
            # Built outside the console's request, as the operators' form builds it (onboarding.py says why).
            tenant = contextvars.Context().run(
                create_tenant,
                self.settings,
                self.catalog,
                claims["s"],
                claims["n"],
                list(TEMPLATES[claims["t"]]),
                username,
                secrets.token_urlsafe(32),  # replaced at once by the invitation's unusable one
                current_locale(),
                admin_name=username,  # the only name the person gave
                admin_email=claims["e"],
            )
        except TenantError:  # created meanwhile by another click of the same link, or the slug was taken
            return self._refused(410, TEXT["used"].localized().format(slug=claims["s"]))
        with platform_session(self.settings.database_url) as session, session.begin():
            session.add(
                ConsoleAction(
                    operator="(sign-up)",
                    action="signed up",
                    tenant_slug=tenant.slug,
                    detail=f"{claims['e']}; template: {claims['t']}; admin: {username}",
                )
            )
        return redirect(invitation_path(self.settings, tenant, username))

    def _refused(self, status: int, reason: str) -> tuple[str, int]:
        return self.render_template("console/message.html", title=TEXT["refused_title"], text=reason), status

    def _too_many(self, wait: timedelta) -> Response:
        minutes = max(1, round(wait.total_seconds() / 60))
        page = self.render_template(
            "console/message.html",
            title=TEXT["too_many_title"],
            text=TEXT["too_many"].localized().format(minutes=minutes),
        )
        return Response(page, 429, {"Retry-After": str(int(wait.total_seconds()) + 1)})

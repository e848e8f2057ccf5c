"""A person invited to a tenant (its first admin, from the console): an e-mailed link where they choose a password.

Nobody types a password for someone else: the invited user is stored with an unusable password, and the link
`/t/<slug>/invitation/<token>` carries a token signed with a key only this tenant has (itsdangerous, so a token
from another tenant or an edited one is refused), that expires after INVITATION_LIFETIME and names a fingerprint of
the user's password as it was when the mail was sent. Choosing a password changes it, so a link works once; sending
the invitation again gives the user a fresh unusable password, so only the newest link works. Nothing is stored
besides the user row: a token is checked against what the user is now. The mail goes through the outbox of the
tenant's own storage (tenancy/notices, answered by the notify feature), sent by the worker like every other mail.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from flask import current_app, redirect, request
from flask_appbuilder import BaseView, expose
from flask_appbuilder.models.sqla import Model
from flask_login import login_user
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from ..config import Settings
from ..i18n import LANGUAGES, CatalogText
from .errors import TenantError
from .keys import derive_secret
from .notices import notices
from .registry import Tenant
from .storage import tenant_engine

INVITATION_LIFETIME = timedelta(days=7)
#: FAB asks at least this much of a password elsewhere; one chosen through an invitation is no exception
PASSWORD_MIN_LENGTH = 8
#: what the stored password of an invited user starts with: no hash method, so no password ever matches it
NOT_YET_CHOSEN = "invited:"

SUBJECT = CatalogText("You are invited to {tenant}")
BODY = CatalogText(
    "You are the administrator of {tenant}, your company's new Formwork. Open this link to choose your password "
    "and sign in as {user} (it works once, for {days} days):\n\n{link}"
)
ALREADY_SIGNED_IN = CatalogText("{user} has already accepted the invitation and signed in.")
NO_SUCH_USER = CatalogText("The tenant has no user {user}.")
NO_ADDRESS = CatalogText("{user} has no e-mail address to invite.")
TEXT = {
    "title": CatalogText("Choose your password"),
    "intro": CatalogText("You sign in to {tenant} as {user}."),
    "password": CatalogText("Password"),
    "confirm": CatalogText("The same password again"),
    "save": CatalogText("Save and sign in"),
    "too_short": CatalogText("At least {count} characters."),
    "different": CatalogText("The two passwords differ."),
    "forged": CatalogText("This invitation link is not valid. Check that it was copied whole, or ask for a new one."),
    "expired": CatalogText("This invitation link has expired. Ask the operator to send the invitation again."),
    "used": CatalogText(
        "This invitation link was already used, or a newer invitation replaced it. Sign in, or use the newest link."
    ),
    "refused_title": CatalogText("The invitation cannot be used"),
    "home": CatalogText("To the sign-in page"),
}


def _serializer(settings: Settings, slug: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(derive_secret(settings.secret_key, slug, "invitation"), salt="formwork.invitation")


def _fingerprint(stored_password: str) -> str:
    return hashlib.sha256(stored_password.encode()).hexdigest()[:24]


def _users() -> sa.Table:
    return Model.metadata.tables["ab_user"]


def invitation_link(settings: Settings, slug: str, token: str) -> str:
    """Where the invited person opens the invitation: absolute when FORMWORK_SITE_URL is known."""
    return f"{settings.site_url}/t/{slug}/invitation/{token}"


def send_invitation(settings: Settings, tenant: Tenant, username: str) -> str:
    """Give `username` a fresh unusable password (earlier links stop working) and queue the mail with the link, in
    one transaction of the tenant's storage; returns the address. TenantError when the user is unknown, has no
    address, or has already signed in (an invitation is for someone who never has)."""
    with Session(tenant_engine(settings, tenant)) as session, session.begin():
        token, address = _invite(session, settings, tenant, username)
        if not address:
            raise TenantError(NO_ADDRESS.localized().format(user=username))
        values = {
            "tenant": tenant.name,
            "user": username,
            "days": INVITATION_LIFETIME.days,
            "link": invitation_link(settings, tenant.slug, token),
        }
        # The invited person has no language of their own yet: the mail is in the tenant's, whatever reads it.
        notices().mail(
            session,
            addresses=[address],
            subject={language: SUBJECT.get(tenant.locale).format(**values) for language in LANGUAGES},
            body={language: BODY.get(tenant.locale).format(**values) for language in LANGUAGES},
        )
    return address


def invitation_path(settings: Settings, tenant: Tenant, username: str) -> str:
    """The invitation of `username` without a mail, for whoever has just proved they are that person (a sign-up
    whose e-mail address was verified): its path, to go to at once."""
    with Session(tenant_engine(settings, tenant)) as session, session.begin():
        token, _address = _invite(session, settings, tenant, username)
    return f"/t/{tenant.slug}/invitation/{token}"


def _invite(session: Session, settings: Settings, tenant: Tenant, username: str) -> tuple[str, str]:
    """A new token for `username`, whose password becomes a fresh unusable one; (token, their e-mail address)."""
    users = _users()
    user = session.execute(
        sa.select(users.c.email, users.c.last_login).where(users.c.username == username)
    ).one_or_none()
    if user is None:
        raise TenantError(NO_SUCH_USER.localized().format(user=username))
    if user.last_login is not None:
        raise TenantError(ALREADY_SIGNED_IN.localized().format(user=username))
    unusable = NOT_YET_CHOSEN + secrets.token_urlsafe(32)
    session.execute(users.update().where(users.c.username == username).values(password=unusable))
    token = _serializer(settings, tenant.slug).dumps({"u": username, "f": _fingerprint(unusable)})
    return token, str(user.email or "")


def waiting_invitations(settings: Settings, tenant: Tenant) -> list[tuple[str, str]]:
    """(user name, e-mail) of the people invited who have not chosen a password yet."""
    users = _users()
    with tenant_engine(settings, tenant).connect() as connection:
        rows = connection.execute(
            sa.select(users.c.username, users.c.email)
            .where(users.c.password.startswith(NOT_YET_CHOSEN, autoescape=True), users.c.last_login.is_(None))
            .order_by(users.c.username)
        )
        return [(row.username, row.email or "") for row in rows]


@dataclass(frozen=True)
class Refused(Exception):
    """A link that cannot be used: 400 for one this tenant never signed, 410 for one that served its time."""

    status: int
    reason: CatalogText


def invited_user(settings: Settings, slug: str, token: str, find_user: Any) -> Any:
    """The user `token` invites (`find_user(username)` gives the user or None), or Refused saying why not."""
    try:
        claims = _serializer(settings, slug).loads(token, max_age=int(INVITATION_LIFETIME.total_seconds()))
    except SignatureExpired:
        raise Refused(410, TEXT["expired"]) from None
    except BadSignature:
        raise Refused(400, TEXT["forged"]) from None
    user = find_user(claims.get("u", "")) if isinstance(claims, dict) else None
    if user is None:
        raise Refused(400, TEXT["forged"])
    if user.last_login is not None or _fingerprint(user.password or "") != claims.get("f"):
        raise Refused(410, TEXT["used"])
    return user


class InvitationView(BaseView):
    """`/invitation/<token>`: the password form of a valid invitation, a page saying why for any other link; the
    chosen password is stored and the person signed in, landing on the tenant's home page."""

    route_base = "/invitation"
    default_view = "accept"

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        super().__init__()

    @expose("/<token>", methods=["GET", "POST"])
    def accept(self, token: str) -> Any:
        sm = self.appbuilder.sm
        slug = current_app.extensions["formwork"].slug
        try:
            user = invited_user(self.settings, slug, token, lambda name: sm.find_user(username=name))
        except Refused as refused:
            return self._refused(refused)
        errors: dict[str, str] = {}
        if request.method == "POST":
            password, again = request.form.get("password", ""), request.form.get("confirm", "")
            if len(password) < PASSWORD_MIN_LENGTH:
                errors["password"] = TEXT["too_short"].localized().format(count=PASSWORD_MIN_LENGTH)
            elif password != again:
                errors["confirm"] = TEXT["different"].localized()
            else:
                return self._accepted(user, password)
        page = self.render_template(
            "formwork/invitation.html",
            T=TEXT,
            intro=TEXT["intro"].localized().format(tenant=self.appbuilder.app_name, user=user.username),
            errors=errors,
            min_length=PASSWORD_MIN_LENGTH,
        )
        return page, 400 if errors else 200

    def _accepted(self, user: Any, password: str) -> Response:
        sm = self.appbuilder.sm
        sm.reset_password(user.id, password)
        login_user(user, remember=False)
        sm.update_user_auth_stat(user, True)  # last_login: the invitation is accepted, its links are spent
        return redirect(self.appbuilder.get_url_for_index)

    def _refused(self, refused: Refused) -> tuple[str, int]:
        page = self.render_template(
            "formwork/error.html",
            title=TEXT["refused_title"],
            status=refused.status,
            text=refused.reason,
            back=self.appbuilder.get_url_for_login,
            back_label=TEXT["home"],
        )
        return page, refused.status

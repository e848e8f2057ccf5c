"""Creating a tenant in the console: the operators' form, checked as `formwork tenant create` checks, then
`create_tenant`, the one way a tenant is made; its first admin is invited by e-mail (tenancy/invitations.py) to
choose their own password, so no operator ever knows it."""

from __future__ import annotations

import contextvars
import secrets
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.numbers import list_currencies
from flask import Response, flash, redirect, url_for
from flask_appbuilder import SimpleFormView
from flask_appbuilder.forms import DynamicForm
from wtforms import Field, Form, SelectField, SelectMultipleField, StringField, ValidationError
from wtforms.validators import DataRequired, Email, Length
from wtforms.widgets import CheckboxInput, ListWidget

from ..config import Settings
from ..i18n import LANGUAGES, CatalogText
from ..meta.catalog import Catalog
from ..tenancy.errors import TenantError
from ..tenancy.invitations import send_invitation
from ..tenancy.provision import create_tenant, slug_refusal
from ..tenancy.registry import Tenant
from .log import record_action

NOT_A_TIME_ZONE = CatalogText("'{name}' is not a time zone; write an IANA name such as Asia/Shanghai or UTC")
NOT_A_CURRENCY = CatalogText("'{code}' is not a currency; write an ISO 4217 code such as CNY, USD or EUR")
CREATED = CatalogText("Tenant {slug} was created with the packs {packs}.")
NOT_CREATED = CatalogText("The tenant was not created: {reason}")
NO_PACK = CatalogText("Choose at least one pack.")
INVITED = CatalogText("Invitation sent to {address}: {user} chooses a password through its link.")
NOT_INVITED = CatalogText("The invitation was not sent: {reason}")
STORAGE_TEXTS = {
    "sqlite": CatalogText("A SQLite file of its own"),
    "postgres_schema": CatalogText("A schema in the platform's PostgreSQL database"),
    "postgres_database": CatalogText("A PostgreSQL database of its own"),
}


def _time_zone(_form: Form, field: Field) -> None:
    try:
        ZoneInfo(field.data or "")
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationError(NOT_A_TIME_ZONE.localized().format(name=field.data)) from None


def _some_pack(_form: Form, field: Field) -> None:
    """DataRequired without its `required` flag: on checkboxes the flag makes a browser demand every one checked."""
    if not field.data:
        raise ValidationError(NO_PACK.localized())


def _currency(_form: Form, field: Field) -> None:
    if (field.data or "").upper() not in list_currencies():
        raise ValidationError(NOT_A_CURRENCY.localized().format(code=field.data))


def new_tenant_form(settings: Settings, catalog: Catalog) -> type[DynamicForm]:
    """The form's class for this platform: its slug check asks the registry, its packs are the catalog's."""

    class NewTenantForm(DynamicForm):
        slug = StringField(
            CatalogText("Address"),
            [DataRequired()],
            description=CatalogText("3-40 lowercase letters, digits and dashes; the tenant is served at /t/<address>/"),
        )
        name = StringField(CatalogText("Name"), [DataRequired(), Length(max=200)])
        packs = SelectMultipleField(
            CatalogText("Packs"),
            [_some_pack],
            widget=ListWidget(prefix_label=False),
            option_widget=CheckboxInput(),
            description=CatalogText("The packs a chosen pack requires are installed with it."),
        )
        locale = SelectField(CatalogText("Language"), choices=list(LANGUAGES), default="en")
        timezone = StringField(CatalogText("Time zone"), [DataRequired(), _time_zone], default="UTC")
        currency = StringField(CatalogText("Currency"), [DataRequired(), _currency], default="CNY")
        storage = SelectField(
            CatalogText("Storage"),
            choices=[(kind, STORAGE_TEXTS[kind]) for kind in storage_kinds(settings)],
            default=storage_kinds(settings)[0],
            description=CatalogText("Where its records live; chosen once, at creation."),
        )
        admin_user = StringField(CatalogText("First admin's user name"), [DataRequired(), Length(max=64)])
        admin_name = StringField(CatalogText("First admin's name"), [DataRequired(), Length(max=64)])
        admin_email = StringField(
            CatalogText("First admin's e-mail"),
            [DataRequired(), Email(), Length(max=320)],
            description=CatalogText("The invitation goes here: a link where they choose their password."),
        )

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.packs.choices = [(name, _pack_choice(catalog, name)) for name in sorted(catalog.packs)]

        def validate_slug(self, field: Field) -> None:
            refusal = slug_refusal(settings, field.data)
            if refusal is not None:
                raise ValidationError(refusal.localized().format(slug=field.data))

    return NewTenantForm


def _pack_choice(catalog: Catalog, name: str) -> str:
    """A pack's checkbox label: its name, label and version, and what it brings with it."""
    pack = catalog.packs[name]
    requires = [required for required in catalog.with_requirements([name]) if required != name]
    shown = f"{pack.label.localized()} ({name} {pack.version})"
    return f"{shown} + {', '.join(requires)}" if requires else shown


class NewTenantView(SimpleFormView):
    """The operators' form that creates a tenant: storage, tables, roles, its first admin; then its page."""

    route_base = "/tenants/new"
    form_title = CatalogText("New tenant")

    def __init__(self, settings: Settings, catalog: Catalog) -> None:
        self.settings, self.catalog = settings, catalog
        self.form = new_tenant_form(settings, catalog)
        super().__init__()

    def form_post(self, form: DynamicForm) -> Response:
        try:
            # Built as the CLI builds it, outside any request: in the console's request context, the new tenant's
            # app (built to provision it) would take the console's request for one of its own.
            tenant = contextvars.Context().run(
                create_tenant,
                self.settings,
                self.catalog,
                form.slug.data,
                form.name.data,
                list(form.packs.data),
                form.admin_user.data,
                secrets.token_urlsafe(32),  # replaced by the invitation's unusable one: nobody ever knows it
                form.locale.data,
                currency=form.currency.data,
                storage=form.storage.data,
                timezone=form.timezone.data,
                admin_name=form.admin_name.data,
                admin_email=form.admin_email.data,
            )
        except TenantError as exc:  # what the form could not foresee: a slug taken meanwhile, storage refused
            flash(NOT_CREATED.localized().format(reason=exc), "danger")
            return redirect(url_for(f"{type(self).__name__}.this_form_get"))
        packs = ", ".join(tenant.packs)
        record_action(self.settings, "created", tenant.slug, f"packs: {packs}; admin: {form.admin_user.data}")
        flash(CREATED.localized().format(slug=tenant.slug, packs=packs), "success")
        invite_admin(self.settings, tenant, form.admin_user.data)
        return redirect(url_for("TenantView.show", pk=tenant.id))


def storage_kinds(settings: Settings) -> list[str]:
    """The storages a new tenant can have on this platform, its default first."""
    return ["postgres_schema", "postgres_database", "sqlite"] if settings.is_postgres else ["sqlite"]


def invite_admin(settings: Settings, tenant: Tenant, username: str) -> bool:
    """Send `username` the invitation (again), logged, and say so to the operator; False, with the reason flashed,
    when it cannot be sent."""
    try:
        address = send_invitation(settings, tenant, username)
    except TenantError as exc:
        flash(NOT_INVITED.localized().format(reason=exc), "danger")
        return False
    record_action(settings, "invited", tenant.slug, f"{username} <{address}>")
    flash(INVITED.localized().format(address=address, user=username), "success")
    return True

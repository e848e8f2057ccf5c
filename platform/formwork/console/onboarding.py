"""Creating a tenant in the console: the operators' form, checked as `formwork tenant create` checks, then
`create_tenant`, the one way a tenant is made."""

from __future__ import annotations

import contextvars
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.numbers import list_currencies
from flask import Response, flash, redirect, url_for
from flask_appbuilder import SimpleFormView
from flask_appbuilder.forms import DynamicForm
from wtforms import Field, Form, PasswordField, SelectField, SelectMultipleField, StringField, ValidationError
from wtforms.validators import DataRequired, Email, Length
from wtforms.widgets import CheckboxInput, ListWidget

from ..config import Settings
from ..i18n import LANGUAGES, CatalogText
from ..meta.catalog import Catalog
from ..tenancy.errors import TenantError
from ..tenancy.provision import create_tenant, slug_refusal
from .log import record_action

#: FAB asks at least this much of a user's password elsewhere; a tenant's first admin is no exception
PASSWORD_MIN_LENGTH = 8
NOT_A_TIME_ZONE = CatalogText("'{name}' is not a time zone; write an IANA name such as Asia/Shanghai or UTC")
NOT_A_CURRENCY = CatalogText("'{code}' is not a currency; write an ISO 4217 code such as CNY, USD or EUR")
PASSWORD_TOO_SHORT = CatalogText("At least {count} characters.")
CREATED = CatalogText("Tenant {slug} was created with the packs {packs}; its admin signs in at /t/{slug}/.")
NOT_CREATED = CatalogText("The tenant was not created: {reason}")


def _time_zone(_form: Form, field: Field) -> None:
    try:
        ZoneInfo(field.data or "")
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationError(NOT_A_TIME_ZONE.localized().format(name=field.data)) from None


def _currency(_form: Form, field: Field) -> None:
    if (field.data or "").upper() not in list_currencies():
        raise ValidationError(NOT_A_CURRENCY.localized().format(code=field.data))


def _password(_form: Form, field: Field) -> None:
    if len(field.data or "") < PASSWORD_MIN_LENGTH:
        raise ValidationError(PASSWORD_TOO_SHORT.localized().format(count=PASSWORD_MIN_LENGTH))


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
            [DataRequired()],
            widget=ListWidget(prefix_label=False),
            option_widget=CheckboxInput(),
            description=CatalogText("The packs a chosen pack requires are installed with it."),
        )
        locale = SelectField(CatalogText("Language"), choices=list(LANGUAGES), default="en")
        timezone = StringField(CatalogText("Time zone"), [DataRequired(), _time_zone], default="UTC")
        currency = StringField(CatalogText("Currency"), [DataRequired(), _currency], default="CNY")
        admin_user = StringField(CatalogText("First admin's user name"), [DataRequired(), Length(max=64)])
        admin_name = StringField(CatalogText("First admin's name"), [DataRequired(), Length(max=64)])
        admin_email = StringField(CatalogText("First admin's e-mail"), [DataRequired(), Email(), Length(max=320)])
        admin_password = PasswordField(CatalogText("First admin's password"), [DataRequired(), _password])

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
                form.admin_password.data,
                form.locale.data,
                currency=form.currency.data,
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
        return redirect(url_for("TenantView.show", pk=tenant.id))

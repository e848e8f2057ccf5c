"""The roles screen (/access/roles/): a tenant's admins give each role its rights per entity in business terms
(read, create, edit, delete, export, import, approve), read what the role's holders see and which fields are kept
from them, make new roles, and give people their roles (/access/people/).

Every route asks for `can_manage` on `RolesScreen`, which no pack role is given: the tenant's admin role (which
holds every permission) uses it, anyone else gets 403. Every post carries the CSRF token (Flask-WTF checks it
before the view runs); a post naming anything unknown is refused whole and changes nothing. FAB's own permission
screens are not served to tenants (tenancy/security.py): this screen is how rights change.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import abort, current_app, flash, redirect, request, url_for
from flask_appbuilder import AppBuilder, BaseView, expose, has_access, permission_name
from flask_appbuilder.security.sqla.models import assoc_user_role
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response

from ..i18n import Label
from ..meta.catalog import Catalog
from ..meta.model import EntityDef
from ..tenancy.menu import EndpointUrl, menu_label
from .definition import RoleDef
from .grants import entity_menus, known_permissions, permissions_of, set_permissions
from .grid import BadGrid, grid_rows, posted_rights, rights_held, tenant_role, tenant_role_permissions
from .labels import GRID_ORDER, LIMIT_TEXT, MATCH_WORDS, RIGHT_LABELS, RULE_KINDS, TEXT
from .limits import (
    FIELD_KEYS,
    KINDS,
    MATCHES,
    SPARE_RULES,
    Editor,
    RuleRow,
    condition_fields,
    editor_of,
    field_options,
    limits_of,
    operator_options,
    posted_editor,
)
from .tailoring import (
    Limits,
    announce_change,
    changes_between,
    keep_roles,
    limited,
    store_changes,
    store_limits,
    stored_changes,
    stored_limits,
    tailored,
    tenant_roles,
    with_roles,
)
from .words import fields_in_words, rules_in_words

MENU_NAME = "Roles and rights"  # the menu entry's permission name; its label is TEXT["menu"]
PEOPLE_MENU_NAME = "People and roles"
#: the longest role name FAB stores (ab_role.name)
NAME_LENGTH = 64


def _catalog() -> Catalog:
    return current_app.extensions["formwork"].catalog


def role_label(name: str) -> Label:
    """A pack role by its label in the reader's language; a tenant's own role by its name."""
    found = _catalog().roles.get(name)
    return found.label if found is not None else Label(name)


class RolesScreen(BaseView):
    """/access/roles/ and /access/people/: roles and people in business terms, for the tenant's admins."""

    route_base = "/access"
    default_view = "roles"

    def _security(self) -> Any:
        return self.appbuilder.sm

    def _role(self, role_id: int) -> Any:
        """A role the grid may change: not Admin (it holds every right) nor Public (the signed-out visitor)."""
        found = self._security().session.get(self._security().role_model, role_id)
        if found is None or found.name in self._fixed_roles():
            abort(404)
        return found

    def _fixed_roles(self) -> tuple[str, str]:
        return self._security().auth_role_admin, self._security().auth_role_public

    @expose("/roles/")
    @has_access
    @permission_name("manage")
    def roles(self) -> Any:
        security = self._security()
        roles = sorted(security.get_all_roles(), key=lambda r: r.name.lower())
        holders = sa.select(assoc_user_role.c.role_id, sa.func.count()).group_by(assoc_user_role.c.role_id)
        users = dict.fromkeys((role.id for role in roles), 0) | dict(security.session.execute(holders).all())
        catalog = _catalog()
        return self.render_template(
            "formwork/access/roles.html",
            title=TEXT["roles"],
            T=TEXT,
            roles=roles,
            users=users,
            label=role_label,
            described=lambda name: catalog.roles[name].description if name in catalog.roles else None,
            fixed=self._fixed_roles(),
            admin=security.auth_role_admin,
            name_length=NAME_LENGTH,
        )

    @expose("/roles/<int:role_id>")
    @has_access
    @permission_name("manage")
    def role(self, role_id: int) -> Any:
        found = self._role(role_id)
        catalog = _catalog()
        definition = catalog.roles.get(found.name)
        if definition is not None:
            shown = tenant_roles().get(found.name, definition)
        else:
            have = {(pv.permission.name, pv.view_menu.name) for pv in found.permissions}
            shown = tenant_role(found.name, rights_held(have, catalog))
        groups = grid_rows(shown, definition is not None, catalog)
        return self.render_template(
            "formwork/access/role.html",
            title=TEXT["rights_of"].localized().format(role=role_label(found.name).localized()),
            T=TEXT,
            role=found,
            label=role_label(found.name),
            description=definition.description if definition is not None else None,
            from_pack=definition is not None,
            groups=groups,
            rights=GRID_ORDER,
            RIGHT=RIGHT_LABELS,
            LIMIT=LIMIT_TEXT,
        )

    @expose("/roles/<int:role_id>", methods=["POST"])
    @has_access
    @permission_name("manage")
    def save(self, role_id: int) -> Response:
        """Give the role exactly the ticked rights, with their FAB permissions and menu entries, in one commit."""
        found = self._role(role_id)
        catalog = _catalog()
        try:
            wanted = posted_rights(request.form, catalog)
        except BadGrid:
            abort(400, TEXT["bad_grid"].localized())
        security = self._security()
        definition = catalog.roles.get(found.name)
        known = known_permissions(security)
        roles = dict(tenant_roles())
        try:
            if definition is not None:
                changes = changes_between(definition, wanted)
                limits = stored_limits(security.session).get(found.name, {})
                roles[found.name] = limited(tailored(definition, changes, catalog), limits)
                store_changes(security.session, found.name, changes)
                menus = entity_menus(catalog)
                set_permissions(
                    security, found, permissions_of(roles[found.name], with_roles(catalog, roles), menus), known
                )
            else:
                have = {(pv.permission.name, pv.view_menu.name) for pv in found.permissions}
                wanted_role = tenant_role(found.name, wanted)
                set_permissions(security, found, tenant_role_permissions(wanted_role, have, roles, catalog), known)
            security.session.commit()
        except SQLAlchemyError:
            security.session.rollback()
            flash(TEXT["not_saved"].localized(), "danger")
            return redirect(url_for(".role", role_id=role_id))
        if definition is not None:
            keep_roles(current_app, roles)
            announce_change()
        flash(TEXT["saved"].localized().format(role=role_label(found.name).localized()), "success")
        return redirect(url_for(".role", role_id=role_id))

    def _limited(self, role_id: int, entity_name: str) -> tuple[Any, RoleDef, RoleDef, EntityDef]:
        """The FAB role, its pack definition, the role as tailored, and the entity whose record rules and field
        rights are edited: only a pack role's, on an entity it has rights on (else 404)."""
        found = self._role(role_id)
        catalog = _catalog()
        definition, entity = catalog.roles.get(found.name), catalog.entities.get(entity_name)
        shown = tenant_roles().get(found.name)
        if definition is None or entity is None or shown is None or not shown.rights_on(entity.qualified):
            abort(404)
        return found, definition, shown, entity

    @expose("/roles/<int:role_id>/limits/<entity_name>")
    @has_access
    @permission_name("manage")
    def records_and_fields(self, role_id: int, entity_name: str) -> Any:
        found, _definition, shown, entity = self._limited(role_id, entity_name)
        changed = entity.qualified in stored_limits(self._security().session).get(found.name, {})
        return self._limits_page(found, shown, entity, editor_of(shown, entity, _catalog()), changed)

    @expose("/roles/<int:role_id>/limits/<entity_name>", methods=["POST"])
    @has_access
    @permission_name("manage")
    def save_records_and_fields(self, role_id: int, entity_name: str) -> Any:
        """Store the posted record rules and field rights once the Role kind's checks accept them; else the page
        again with each problem at its control (400) and nothing stored."""
        found, definition, shown, entity = self._limited(role_id, entity_name)
        editor = posted_editor(request.form)
        creates = "create" in shown.rights_on(entity.qualified)
        limits = limits_of(editor, definition, entity, _catalog(), creates)
        if limits is None:
            return self._limits_page(found, shown, entity, editor, changed=False), 400
        return self._store_limits(found, definition, entity, limits, LIMIT_TEXT["saved"])

    @expose("/roles/<int:role_id>/limits/<entity_name>/reset", methods=["POST"])
    @has_access
    @permission_name("manage")
    def reset_records_and_fields(self, role_id: int, entity_name: str) -> Response:
        found, definition, _shown, entity = self._limited(role_id, entity_name)
        return self._store_limits(found, definition, entity, Limits(), LIMIT_TEXT["was_reset"])

    def _store_limits(self, found: Any, definition: RoleDef, entity: EntityDef, limits: Limits, said: Any) -> Response:
        """Store, lay the change over the role in this app and renew the tenant's generation for every other."""
        security = self._security()
        here = url_for(".records_and_fields", role_id=found.id, entity_name=entity.qualified)
        try:
            store_limits(security.session, found.name, entity.qualified, limits)
            rights = stored_changes(security.session).get(found.name, {})
            role = limited(
                tailored(definition, rights, _catalog()), stored_limits(security.session).get(found.name, {})
            )
            security.session.commit()
        except SQLAlchemyError:
            security.session.rollback()
            flash(TEXT["not_saved"].localized(), "danger")
            return redirect(here)
        keep_roles(current_app, {**tenant_roles(), found.name: role})
        announce_change()
        words = {"role": role_label(found.name).localized(), "entity": entity.plural.localized()}
        flash(said.localized().format(**words), "success")
        return redirect(here)

    def _limits_page(self, found: Any, shown: RoleDef, entity: EntityDef, editor: Editor, changed: bool) -> Any:
        catalog = _catalog()
        title = (
            LIMIT_TEXT["title"]
            .localized()
            .format(role=role_label(found.name).localized(), entity=entity.plural.localized())
        )
        return self.render_template(
            "formwork/access/limits.html",
            title=title,
            T=LIMIT_TEXT,
            KIND=RULE_KINDS,
            MATCH=MATCH_WORDS,
            role=found,
            entity=entity,
            now=[rules_in_words(shown, entity, catalog), *fields_in_words(shown, entity)],
            editor=editor,
            rules=[*editor.rules, *(RuleRow() for _ in range(SPARE_RULES))],
            kinds=KINDS,
            matches=MATCHES,
            rule_fields=field_options(entity),
            condition_fields=condition_fields(entity, editor),
            operators=operator_options(),
            fields=entity.fields,
            field_keys=FIELD_KEYS,
            changed=changed,
            back=url_for(".role", role_id=found.id),
            back_label=TEXT["rights_of"].localized().format(role=role_label(found.name).localized()),
        )

    @expose("/roles/new", methods=["POST"])
    @has_access
    @permission_name("manage")
    def new_role(self) -> Response:
        """A role of the tenant's own, with no rights yet: its grid opens next."""
        name = (request.form.get("name") or "").strip()
        security = self._security()
        refusal = self._name_refusal(name)
        if refusal:
            flash(refusal, "danger")
            return redirect(url_for(".roles"))
        made = security.add_role(name)
        if made is None:  # FAB logs and rolls back what the database refused
            flash(TEXT["not_saved"].localized(), "danger")
            return redirect(url_for(".roles"))
        flash(TEXT["made"].localized().format(role=name), "success")
        return redirect(url_for(".role", role_id=made.id))

    def _name_refusal(self, name: str) -> str | None:
        if not name:
            return TEXT["name_missing"].localized()
        if len(name) > NAME_LENGTH:
            return TEXT["name_long"].localized().format(length=NAME_LENGTH)
        taken = {role.name.lower() for role in self._security().get_all_roles()} | {n.lower() for n in _catalog().roles}
        if name.lower() in taken:
            return TEXT["name_taken"].localized().format(role=name)
        return None

    @expose("/people/")
    @has_access
    @permission_name("manage")
    def people(self) -> Any:
        security = self._security()
        everyone = security.session.scalars(
            sa.select(security.user_model).options(selectinload(security.user_model.roles))
        )
        users = sorted(everyone, key=lambda u: (u.first_name.lower(), u.last_name.lower()))
        roles = sorted(security.get_all_roles(), key=lambda r: r.name.lower())
        return self.render_template(
            "formwork/access/people.html",
            title=TEXT["people"],
            T=TEXT,
            users=users,
            roles=[role for role in roles if role.name != security.auth_role_public],
            label=role_label,
        )

    @expose("/people/<int:user_id>", methods=["POST"])
    @has_access
    @permission_name("manage")
    def save_people(self, user_id: int) -> Response:
        """Give the user exactly the ticked roles; an unknown role refuses the whole post."""
        security = self._security()
        user = security.session.get(security.user_model, user_id)
        if user is None:
            abort(404)
        known = {str(role.id): role for role in security.get_all_roles()}
        ticked = request.form.getlist("role")
        if any(value not in known for value in ticked):
            abort(400, TEXT["bad_roles"].localized())
        chosen = [known[value] for value in sorted(set(ticked), key=int)]
        if user.id == current_user.id and security.auth_role_admin not in {r.name for r in chosen}:
            flash(TEXT["keep_admin"].localized(), "danger")
            return redirect(url_for(".people"))
        user.roles = chosen
        try:
            security.session.commit()
        except SQLAlchemyError:
            security.session.rollback()
            flash(TEXT["not_saved"].localized(), "danger")
            return redirect(url_for(".people"))
        flash(TEXT["roles_saved"].localized().format(user=f"{user.first_name} {user.last_name}"), "success")
        return redirect(url_for(".people"))


def register_screens(appbuilder: AppBuilder, _catalog: Catalog) -> None:
    """The screen and its menu entry beside FAB's users (shown only to those with its rights: the admins)."""
    appbuilder.add_view(
        RolesScreen, MENU_NAME, label=menu_label(TEXT["menu"]), icon="fa-user-gear", category="Security"
    )
    appbuilder.add_link(
        PEOPLE_MENU_NAME,
        href=EndpointUrl("RolesScreen.people"),
        label=menu_label(TEXT["people"]),
        icon="fa-users",
        category="Security",
    )

"""The roles screen (/access/roles/): a tenant's admins give each role its rights per entity in business terms
(read, create, edit, delete, export, import, approve), read what the role's holders see and which fields are kept
from them, make new roles, and give people their roles (/access/people/).

Every route asks for `can_manage` on `RolesScreen`, which no pack role is given: the tenant's admin role (which
holds every permission) uses it, anyone else gets 403. Every post carries the CSRF token (Flask-WTF checks it
before the view runs); a post naming anything unknown is refused whole and changes nothing. FAB's own permission
screens are not served to tenants (tenancy/security.py): this screen is how rights change.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import sqlalchemy as sa
from flask import abort, current_app, flash, redirect, request, url_for
from flask_appbuilder import AppBuilder, BaseView, expose, has_access, permission_name
from flask_appbuilder.security.sqla.models import assoc_user_role
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response

from ..definitions.checks import TENANT_PACK
from ..i18n import LANGUAGES, Label
from ..meta.catalog import Catalog
from ..meta.model import EntityDef
from ..meta.yamlload import Document
from ..tenancy.drafting import DRAFT_TEXT, Drafting, drafting, error_words
from ..tenancy.menu import EndpointUrl, menu_label
from .definition import RoleDef, build_role
from .grid import BadGrid, grid_rows, partly_held, permission_names, posted_rights, rights_held, tenant_role
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
from .role_drafts import KIND, changes_in_words, own_role_name, role_document, role_key, with_limits, with_rights
from .tailoring import Limits, tenant_roles
from .words import fields_in_words, rules_in_words

MENU_NAME = "Roles and rights"  # the menu entry's permission name; its label is TEXT["menu"]
PEOPLE_MENU_NAME = "People and roles"
#: names a role's page cannot go by: the screen's own routes under /roles/
RESERVED_NAMES = {"new"}
#: the longest role name FAB stores (ab_role.name)
NAME_LENGTH = 64


def _catalog() -> Catalog:
    return current_app.extensions["formwork"].catalog


def _drafted_roles() -> dict[str, Label]:
    """The tenant's own roles in drafts, by name, with what the admin calls them."""
    drafts = _drafts()
    names = [t.split(".", 1)[1] for t in drafts.drafted_targets(KIND) if t.startswith(f"{TENANT_PACK}.")]
    return {
        name: Label((drafts.documents(role_key(TENANT_PACK, name)) or [{}])[0].get("label"), name) for name in names
    }


def _shown_edits(key: str, as_posted: bool = True) -> int:
    """The draft's saves a page's form posts back (0: no draft): on a post shown again, the count it was read with,
    so that a save over a draft changed since is refused instead of overwriting; the draft's own once the page shows
    the draft as it is now."""
    posted = request.form.get("edits", type=int)
    if posted is not None and as_posted:
        return posted
    state = _drafts().state(key)
    return state.edits if state else 0


def _pack_role(pack: str, name: str) -> RoleDef | None:
    """The role as its pack defines it, without the tenant's changes (None for a role of the tenant's own)."""
    return _drafts().pack_catalog().roles.get(name) if pack != TENANT_PACK else None


def _drafts() -> Drafting:
    """Where the screen drafts roles (the Studio); without it roles cannot change here."""
    found = drafting()
    if found is None:
        abort(404)
    return found


def role_label(name: str) -> Label:
    """A pack role by its label in the reader's language; a tenant's own role by its name."""
    found = _catalog().roles.get(name)
    return found.label if found is not None else Label(name)


@dataclass(frozen=True)
class RolePage:
    """What a role's pages work on: the role as the tenant has it (`published`: None for one not yet published),
    as its draft has it (`shown`: the published role without a draft), and the draft's document and key. A role
    made on this screen before roles were definitions holds only FAB permissions: its first draft makes it a role of
    the tenant's own (`legacy`), which the FAB role becomes once published (grants.ensure_pack_roles)."""

    name: str
    key: str
    published: RoleDef | None
    shown: RoleDef
    document: dict[str, Any]
    drafted: bool
    legacy: bool = False
    #: a former role's entities it holds some permissions of that make no whole right (publishing takes them)
    partly: tuple[str, ...] = ()


class RolesScreen(BaseView):
    """/access/roles/ and /access/people/: roles and people in business terms, for the tenant's admins."""

    route_base = "/access"
    default_view = "roles"

    def _security(self) -> Any:
        return self.appbuilder.sm

    def _fixed_roles(self) -> tuple[str, str]:
        return self._security().auth_role_admin, self._security().auth_role_public

    def _role(self, name: str) -> RolePage:
        """The role `name` may change (not Admin, which holds every right, nor Public, the signed-out visitor), with
        its draft; 404 for any other name. A role made before roles were definitions goes by the name its
        definition will have (`Old auditors` by old_auditors), so its page is the same before and after drafting."""
        drafts = _drafts()
        published = tenant_roles().get(name)
        if name in self._fixed_roles():
            abort(404)
        if published is not None:
            return self._page_of(name, published.pack, published, drafts)
        former, fab = self._former_roles().get(name, (None, None))
        if former is not None:
            page = self._page_of(name, TENANT_PACK, former, drafts)
            partly = tuple(e.plural.localized() for e in partly_held(permission_names(fab), _catalog()))
            return replace(page, legacy=True, partly=partly, document=page.document | {"label": former.label.get("en")})
        if drafts.documents(role_key(TENANT_PACK, name)) is None:
            abort(404)
        return self._page_of(name, TENANT_PACK, None, drafts)

    def _former_roles(self) -> dict[str, tuple[RoleDef, Any]]:
        """The roles made on this screen before roles were definitions (FAB roles no definition makes), by the name
        their definition will have: each as the Role it becomes (the rights it holds read back from its FAB
        permissions), and the FAB role."""
        catalog, fixed = _catalog(), self._fixed_roles()
        taken, found = set(catalog.roles) | RESERVED_NAMES, {}
        for role in sorted(self._security().get_all_roles(), key=lambda r: r.name):
            if role.name in catalog.roles or role.name in fixed:
                continue
            name = own_role_name(role.name, taken)
            taken.add(name)
            defined = tenant_role(name, rights_held(permission_names(role), catalog))
            found[name] = (replace(defined, label=Label(role.name)), role)
        return found

    def _page_of(self, name: str, pack: str, published: RoleDef | None, drafts: Drafting) -> RolePage:
        key = role_key(pack, name)
        documents = drafts.documents(key)
        if documents is None:
            assert published is not None  # a role without a draft is a published one
            document = role_document(published, _catalog(), _pack_role(pack, name))
            return RolePage(name, key, published, published, document, False)
        document = documents[0]
        return RolePage(name, key, published, build_role(Document(key, document, pack=pack)), document, True)

    @expose("/roles/")
    @has_access
    @permission_name("manage")
    def roles(self) -> Any:
        security = self._security()
        roles = sorted(security.get_all_roles(), key=lambda r: r.name.lower())
        holders = sa.select(assoc_user_role.c.role_id, sa.func.count()).group_by(assoc_user_role.c.role_id)
        users = dict.fromkeys((role.id for role in roles), 0) | dict(security.session.execute(holders).all())
        catalog = _catalog()
        former = {fab.name: name for name, (_role, fab) in self._former_roles().items()}
        existing = {role.name for role in roles} | set(former.values())
        drafted = [(name, called) for name, called in _drafted_roles().items() if name not in existing]
        return self.render_template(
            "formwork/access/roles.html",
            title=TEXT["roles"],
            T=TEXT,
            roles=roles,
            link_name=lambda role: former.get(role.name, role.name),
            drafted=drafted,
            users=users,
            label=role_label,
            described=lambda name: catalog.roles[name].description if name in catalog.roles else None,
            fixed=self._fixed_roles(),
            admin=security.auth_role_admin,
            name_length=NAME_LENGTH,
        )

    @expose("/roles/<name>")
    @has_access
    @permission_name("manage")
    def role(self, name: str) -> Any:
        return self._role_page(self._role(name))

    def _role_page(self, page: RolePage, as_posted: bool = True) -> Any:
        catalog, drafts = _catalog(), _drafts()
        changes, plan_refusals = drafts.plan(page.key) if page.drafted else ([], [])
        errors = drafts.errors(page.key, [page.document]) if page.drafted else []
        return self.render_template(
            "formwork/access/role.html",
            title=TEXT["rights_of"].localized().format(role=page.shown.label.localized()),
            T=TEXT,
            D=DRAFT_TEXT,
            page=page,
            own=page.shown.pack == TENANT_PACK,
            description=page.shown.description,
            groups=grid_rows(page.shown, not page.legacy, catalog),
            rights=GRID_ORDER,
            RIGHT=RIGHT_LABELS,
            LIMIT=LIMIT_TEXT,
            draft=drafts.state(page.key) if page.drafted else None,
            edits=_shown_edits(page.key, as_posted),
            changes=[
                *changes_in_words(page.published, page.shown, catalog),
                *([TEXT["partly"].localized().format(entities=", ".join(page.partly))] if page.partly else []),
                *changes,
            ],
            refusals=[*plan_refusals, *(error_words(e) for e in errors)],
        )

    @expose("/roles/<name>", methods=["POST"])
    @has_access
    @permission_name("manage")
    def save(self, name: str) -> Any:
        """Draft the role with exactly the ticked rights; the rules and field rights of an entity it keeps no right
        on go with them."""
        page = self._role(name)
        try:
            wanted = posted_rights(request.form, _catalog())
        except BadGrid:
            abort(400, TEXT["bad_grid"].localized())
        said = TEXT["saved"].localized().format(role=page.shown.label.localized())
        return self._draft(page, with_rights(page.document, wanted, _pack_role(page.shown.pack, page.name)), said)

    def _draft(self, page: RolePage, document: dict[str, Any], said: str, here: str | None = None) -> Any:
        """Save `document` as the role's draft once the checks of `formwork validate` accept it; else the role's page
        with what they say (400) and nothing saved."""
        drafts = _drafts()
        errors = drafts.errors(page.key, [document])
        if errors:
            flash(f"{TEXT['refused'].localized()} {' '.join(error_words(e) for e in errors)}", "danger")
            return self._role_page(page), 400
        if not drafts.save(page.key, [document]):
            state = drafts.state(page.key)
            flash(TEXT["draft_changed"].localized().format(author=state.author if state else "?"), "danger")
            return self._role_page(self._role(page.name), as_posted=False), 409
        flash(said, "success")
        return redirect(here or url_for(".role", name=page.name))

    @expose("/roles/<name>/publish", methods=["POST"])
    @has_access
    @permission_name("manage")
    def publish(self, name: str) -> Any:
        page = self._role(name)
        outcome = _drafts().publish(page.key) if page.drafted else None
        if outcome is None:
            abort(404)
        flash(outcome.message, outcome.category)
        if outcome.status != 200:
            return self._role_page(self._role(name), as_posted=False), outcome.status
        return redirect(url_for(".role", name=name))

    @expose("/roles/<name>/discard", methods=["POST"])
    @has_access
    @permission_name("manage")
    def discard(self, name: str) -> Response:
        page = self._role(name)
        flash(_drafts().discard(page.key), "success")
        return redirect(url_for(".role", name=name) if page.published else url_for(".roles"))

    def _limited(self, name: str, entity_name: str) -> tuple[RolePage, EntityDef]:
        """The role and the entity whose record rules and field rights are edited: a defined role's, on an entity
        it has rights on (else 404)."""
        page = self._role(name)
        entity = _catalog().entities.get(entity_name)
        if page.legacy or entity is None or not page.shown.rights_on(entity.qualified):
            abort(404)
        return page, entity

    @expose("/roles/<name>/limits/<entity_name>")
    @has_access
    @permission_name("manage")
    def records_and_fields(self, name: str, entity_name: str) -> Any:
        page, entity = self._limited(name, entity_name)
        return self._limits_page(page, entity, editor_of(page.shown, entity, _catalog()))

    @expose("/roles/<name>/limits/<entity_name>", methods=["POST"])
    @has_access
    @permission_name("manage")
    def save_records_and_fields(self, name: str, entity_name: str) -> Any:
        """Draft the posted record rules and field rights once the Role kind's checks accept them; else the page
        again with each problem at its control (400) and nothing saved."""
        page, entity = self._limited(name, entity_name)
        editor = posted_editor(request.form)
        creates = "create" in page.shown.rights_on(entity.qualified)
        limits = limits_of(editor, entity, _catalog(), creates)
        if limits is None:
            return self._limits_page(page, entity, editor), 400
        return self._draft_limits(page, entity, limits, LIMIT_TEXT["saved"])

    @expose("/roles/<name>/limits/<entity_name>/reset", methods=["POST"])
    @has_access
    @permission_name("manage")
    def reset_records_and_fields(self, name: str, entity_name: str) -> Any:
        page, entity = self._limited(name, entity_name)
        pack_role = _pack_role(page.shown.pack, page.name)
        limits = Limits()
        if pack_role is not None:
            pack_doc = role_document(pack_role, _catalog(), pack_role)
            limits = Limits(
                (pack_doc.get("records") or {}).get(entity.qualified),
                (pack_doc.get("fields") or {}).get(entity.qualified),
            )
        return self._draft_limits(page, entity, limits, LIMIT_TEXT["was_reset"])

    def _draft_limits(self, page: RolePage, entity: EntityDef, limits: Limits, said: Any) -> Any:
        words = {"role": page.shown.label.localized(), "entity": entity.plural.localized()}
        here = url_for(".records_and_fields", name=page.name, entity_name=entity.qualified)
        return self._draft(
            page, with_limits(page.document, entity.qualified, limits), said.localized().format(**words), here
        )

    def _limits_page(self, page: RolePage, entity: EntityDef, editor: Editor) -> Any:
        catalog = _catalog()
        role = page.shown.label.localized()
        return self.render_template(
            "formwork/access/limits.html",
            title=LIMIT_TEXT["title"].localized().format(role=role, entity=entity.plural.localized()),
            T=LIMIT_TEXT,
            KIND=RULE_KINDS,
            MATCH=MATCH_WORDS,
            page=page,
            entity=entity,
            now=[rules_in_words(page.shown, entity, catalog), *fields_in_words(page.shown, entity)],
            editor=editor,
            rules=[*editor.rules, *(RuleRow() for _ in range(SPARE_RULES))],
            kinds=KINDS,
            matches=MATCHES,
            rule_fields=field_options(entity),
            condition_fields=condition_fields(entity, editor),
            operators=operator_options(),
            fields=entity.fields,
            field_keys=FIELD_KEYS,
            edits=_shown_edits(page.key),
            changed=self._differs_from_pack(page, entity),
            back=url_for(".role", name=page.name),
            back_label=TEXT["rights_of"].localized().format(role=role),
        )

    def _differs_from_pack(self, page: RolePage, entity: EntityDef) -> bool:
        """Whether what the role sees of `entity` is not what its pack writes (then it can be reset to that)."""
        pack_role = _pack_role(page.shown.pack, page.name)
        if pack_role is None:
            return False
        name = entity.qualified
        mine = (page.shown.records.get(name, ()), page.shown.fields.get(name))
        return mine != (pack_role.records.get(name, ()), pack_role.fields.get(name))

    @expose("/roles/new", methods=["POST"])
    @has_access
    @permission_name("manage")
    def new_role(self) -> Response:
        """A role of the tenant's own, drafted with no rights yet: its grid opens next."""
        text = (request.form.get("name") or "").strip()
        taken = self._taken_names()
        refusal = self._name_refusal(text, taken)
        if refusal:
            flash(refusal, "danger")
            return redirect(url_for(".roles"))
        name = own_role_name(text, taken | RESERVED_NAMES)
        document = {"kind": KIND, "name": name, "label": text}
        if not _drafts().save(role_key(TENANT_PACK, name), [document]):
            flash(TEXT["not_saved"].localized(), "danger")
            return redirect(url_for(".roles"))
        flash(TEXT["made"].localized().format(role=text), "success")
        return redirect(url_for(".role", name=name))

    def _taken_names(self) -> set[str]:
        """Every role's name and what it is called (pack roles by their label, drafted ones too), in lower case."""
        roles = _catalog().roles.values()
        called = {role.name for role in roles}
        called |= {str(role.label.get(language)) for role in roles for language in LANGUAGES}
        drafted = _drafted_roles()
        called |= set(drafted) | {str(label.get(language)) for label in drafted.values() for language in LANGUAGES}
        called |= {role.name for role in self._security().get_all_roles()} | set(self._former_roles())
        return {name.lower() for name in called}

    def _name_refusal(self, name: str, taken: set[str]) -> str | None:
        if not name:
            return TEXT["name_missing"].localized()
        if len(name) > NAME_LENGTH:
            return TEXT["name_long"].localized().format(length=NAME_LENGTH)
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

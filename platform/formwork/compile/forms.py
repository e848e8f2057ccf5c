"""What a Formwork form adds to FAB's: the version it edits, and the entity's conditions and rules.

Field conditions (visible_when, required_when, read_only_when), validation
rules, defaults and formulas are decided by `logic`; this mixin asks it when a
form validates (so errors show on the fields, with the user's input kept) and
when the browser asks which fields to show while the user types. A save the
record lifecycle refuses after the form validated (what an automation folded
into it broke a rule) is shown the same way: the posted form is validated again
with the refusal among its errors, in place of FAB's flash.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from flask import current_app, jsonify, request
from flask_appbuilder import expose, has_access, permission_name
from werkzeug.datastructures import MultiDict
from wtforms import Field, HiddenField

from ..actor import Actor, request_state
from ..adapters.fab import edited_pk
from ..adapters.flask import withdraw_last_flash
from ..fields import field_type, is_fixed, kind_of
from ..fields.base import ChoiceFilter, KeepsStoredValue
from ..rights import unchangeable_fields
from .actors import request_actor
from .lifecycle import RecordWrite, validate_hook_errors
from .logic import (
    RECORD_ERRORS,
    FieldErrors,
    choice_filter,
    compute_formulas,
    field_states,
    fill_defaults,
    record_values,
    save_errors,
)
from .records import check_version, combination_errors

if TYPE_CHECKING:
    from flask_appbuilder import ModelView as FabModelView  # FAB ships no types: what it provides is Any here

    from ..meta.model import EntityDef
    from .interface import EntityInterface
    from .models import CompiledModels
else:
    FabModelView = object


class FormContext:
    """What a field type's form field may need: the entity's data access, the view serving its choices, and, while
    a form is validated, who it is for and the reference filters compiled for them."""

    def __init__(self, datamodel: EntityInterface, view_name: str) -> None:
        self.datamodel = datamodel
        self.view_name = view_name

    @property
    def actor(self) -> Actor:
        """The form is built once per view class and validated in a request, its boundary: the request's actor."""
        return request_actor()

    def choices(self, data: Any, target: type) -> Any:
        """A `ChoiceFilter` for the form's actor."""
        return choice_filter(self.actor)(data, target)


def _checked_form(form_class: type[Any], view: Any, extra: dict[str, Any]) -> type[Any]:
    """`form_class` whose validate() also applies the entity's conditions and rules."""

    def validate(form: Any, extra_validators: Any = None) -> bool:
        shown = view.shown_fields(editable=edited_pk(form) is None)
        for name in [f.name for f in view.entity.fields if f.name in form and f.name not in shown]:
            del form[name]  # not on this user's form: neither required nor changed
        view.keep_stored(form)
        if not form_class.validate(form, extra_validators):
            return False
        errors = view.rule_errors(form)
        for name, messages in view.datamodel.refusal().items():
            errors.setdefault(name, []).extend(messages)
        for name, messages in errors.items():
            if name in form and name != RECORD_ERRORS:
                form[name].errors = [*form[name].errors, *messages]
            else:
                form.form_errors.extend(messages)
        return not errors

    return type(f"{form_class.__name__}Checked", (form_class,), {"validate": validate, **extra})


class RuleCheckedForms(FabModelView):
    """Mixin for EntityModelView (which provides entity, compiled and datamodel)."""

    entity: EntityDef
    compiled: CompiledModels
    datamodel: EntityInterface
    add_form: type[Any]
    edit_form: type[Any]

    def _init_forms(self) -> None:
        super()._init_forms()
        rules = {"rules_endpoint": f"{self.__class__.__name__}.form_rules" if self.logic.conditions else None}
        self.add_form = _checked_form(self.add_form, self, rules)
        # The version read travels with the edit form so a stale save is refused.
        self.edit_form = _checked_form(self.edit_form, self, {**rules, "record_version": HiddenField()})

    @property
    def logic(self) -> Any:
        return self.compiled.logic[self.entity.qualified]

    @property
    def actor(self) -> Actor:
        """Who the form is for: a view is the request boundary, so it asks for the request's actor (built once per
        request) and passes it to the rights, the rules and the lifecycle."""
        return request_actor()

    @property
    def reference_filters(self) -> ChoiceFilter:
        """Reference fields' `filter:` compiled for the form's actor (the choices a reference select offers)."""
        return choice_filter(self.actor)

    def prefill_form(self, form: Any, pk: Any) -> None:
        item = self.datamodel.get(pk)
        form.record_version.data = item.version if item else ""

    def keep_stored(self, form: Any) -> None:
        """Tell the fields that need it what the edited record holds (FAB builds a posted form from the post alone):
        a select keeps offering and accepting a stored value the definitions no longer offer."""
        pk = edited_pk(form)
        item = self.datamodel.session.get(self.datamodel.obj, pk) if pk is not None else None  # FAB loaded it
        field: Field
        for field in form if item is not None else ():
            if isinstance(field, KeepsStoredValue):
                field.keep(getattr(item, field.short_name))

    def process_form(self, form: Any, is_created: bool) -> None:
        if not is_created and "record_version" in form:
            state = request_state()
            assert state is not None, "a form is processed in its request"
            state.edited_version = form.record_version.data
            del form["record_version"]
        item = self.datamodel.get(edited_pk(form)) if not is_created and edited_pk(form) else None
        frozen = self._frozen_fields(item) | self._locked_rows(item) if item is not None else set()
        frozen |= unchangeable_fields(self.entity, self.actor)  # the user's roles make these read-only (or hide them)
        for field in self.entity.fields:
            if (is_fixed(field) or field.name in frozen) and field.name in form:
                del form[field.name]  # whatever was posted, a read-only field keeps its value

    def _add(self) -> Any:
        return super()._add() or self._refused_form(super()._add)

    def _edit(self, pk: Any) -> Any:
        return super()._edit(pk) or self._refused_form(partial(super()._edit, pk))

    def _refused_form(self, show: Callable[[], Any]) -> Any:
        """After FAB's add or edit left the form (None): when the record lifecycle refused the save, FAB's flash
        taken back and the form shown again by `show`, the user's input kept and the refusal at its fields (the
        form's validation adds it); else None, FAB's redirect."""
        if not self.datamodel.refusal():
            return None
        withdraw_last_flash()
        return show()

    def pre_add(self, item: Any) -> None:
        session = self.datamodel.session
        with session.no_autoflush:
            fill_defaults(
                self.logic,
                item,
                record_values(item, self.entity, session, self.compiled),
                self.actor,
                session,
                self.compiled,
            )

    def prefill_defaults(self, form: Any) -> None:
        """An empty add form shows the expression defaults (today's date, the signed-in user…) it will save."""
        session = self.datamodel.session
        values = dict.fromkeys(self.logic.defaults)
        scratch = SimpleNamespace()
        fill_defaults(self.logic, scratch, values, self.actor, session, self.compiled)
        for name in self.logic.defaults:
            if name in form and values.get(name) is not None and not form[name].data:
                form[name].data = getattr(scratch, name)  # a reference's record, as its select shows it

    def pre_update(self, item: Any) -> None:
        state = request_state()
        check_version(item, state.edited_version if state is not None else None)

    # -- conditions and rules ------------------------------------------------
    def _frozen_fields(self, item: Any, old: dict[str, Any] | None = None) -> set[str]:
        """Fields whose read_only_when holds for the stored record: a form leaves them as they are."""
        if item is None or not self.logic.conditions:
            return set()
        session = self.datamodel.session
        old = old if old is not None else record_values(item, self.entity, session, self.compiled)
        states = field_states(self.logic, old, self.actor.user)
        return {name for name, state in states.items() if state.read_only}

    def _form_state(self, form: Any, item: Any) -> tuple[dict[str, Any], dict[str, Any] | None, Any]:
        """(new values, stored values or None, user) for a form about to be saved or shown."""
        session = self.datamodel.session
        old = record_values(item, self.entity, session, self.compiled) if item is not None else None
        frozen = self._frozen_fields(item, old) | unchangeable_fields(self.entity, self.actor)
        new = dict(old or {})
        for field in self.entity.fields:
            if field.name in form and not is_fixed(field) and field.name not in frozen:
                new[field.name] = _form_value(field, form[field.name].data)
        return new, old, self.actor.user

    def rule_errors(self, form: Any) -> FieldErrors:
        session = self.datamodel.session
        with session.no_autoflush:
            pk = edited_pk(form)
            item = self.datamodel.get(pk) if pk is not None else None
            new, old, user = self._form_state(form, item)
            locked = self._approval_errors(item, new, old or {})
            if locked:
                return locked
            scratch = SimpleNamespace()
            errors = fill_defaults(self.logic, scratch, new, self.actor, session, self.compiled) if old is None else {}
            errors.update(compute_formulas(self.logic, scratch, new))
            errors.update(save_errors(self.logic, new, old, user))
            ids = {
                f.name: (new.get(f.name) or {}).get("id") if kind_of(f).refers_to_record else new.get(f.name)
                for f in self.entity.fields
            }
            for name, messages in combination_errors(session, self.entity, self.datamodel.obj, ids, pk).items():
                errors.setdefault(name, []).extend(messages)
        return errors

    def _approval_errors(self, item: Any | None, new: dict[str, Any], old: dict[str, Any]) -> FieldErrors:
        """What the registered `validate` record hooks refuse of the fields this form changes (the approval lock
        refuses the fields a record's current step does not let this user edit, and the link of a child row whose
        record is in approval), as they do for every other write."""
        changed = {
            f.name: _input_value(f, new.get(f.name))
            for f in self.entity.fields
            if _changed(f, new.get(f.name), old.get(f.name))
        }
        return validate_hook_errors(self._write(item, changed))

    def _locked_rows(self, item: Any) -> set[str]:
        """Child tables of a record in approval that this user may not edit: the form leaves their rows as they are
        (a posted row list cannot be told apart from an edited one, so it is not compared)."""
        tables = {f.name: None for f in self.entity.fields if kind_of(f).holds_rows}
        return set(validate_hook_errors(self._write(item, tables))) & set(tables) if tables else set()

    def _write(self, item: Any | None, values: dict[str, Any]) -> RecordWrite:
        session = self.datamodel.session
        return RecordWrite(
            current_app.extensions["formwork"],
            session,
            self.actor,
            self.entity,
            item,
            values,
            created=item is None,
        )

    @expose("/form-rules", methods=["POST"])
    @expose("/form-rules/<pk>", methods=["POST"])
    @has_access
    @permission_name("list")
    def form_rules(self, pk: Any = None) -> Any:
        """Which fields to show, require and lock for the values the user has typed so far."""
        session = self.datamodel.session
        with session.no_autoflush:
            item = self.datamodel.get(pk) if pk is not None else None
            form = (self.edit_form if item is not None else self.add_form)(
                formdata=MultiDict(request.form), meta={"csrf": False}
            )
            new, old, user = self._form_state(form, item)
            states = field_states(self.logic, new, user)
            stored = field_states(self.logic, old, user) if old is not None else {}
        return jsonify(
            {
                name: {
                    "visible": s.visible,
                    "required": s.required,
                    "read_only": stored[name].read_only if name in stored else False,
                }
                for name, s in states.items()
            }
        )


def _changed(field: Any, new: Any, old: Any) -> bool:
    """Whether a form changes a stored value (both as `record_values` / `_form_value` give them)."""
    kind = kind_of(field)
    if kind.refers_to_record:
        return (new or {}).get("id") != (old or {}).get("id")
    if kind.refers_to_many:
        return set(new or []) != set(old or [])
    if kind.holds_rows:
        return False  # see _locked_rows
    if kind.holds_file:
        return bool(new) and new != old  # an empty upload keeps the stored file
    return (None if new == "" else new) != (None if old == "" else old)


def _input_value(field: Any, value: Any) -> Any:
    """A form's value as the record lifecycle takes it: a picked record as its id."""
    return value.get("id") if kind_of(field).refers_to_record and isinstance(value, dict) else value


def _form_value(field: Any, value: Any) -> Any:
    """A WTForms value as expressions see it (a picked record as its fields, a list of records as ids)."""
    kind = kind_of(field)
    if kind.refers_to_record and value is not None and hasattr(value, "__entity__"):
        return {f.name: getattr(value, field_type(f.type).attribute(f), None) for f in value.__entity__.fields} | {
            "id": value.id
        }
    if kind.refers_to_user:
        return getattr(value, "id", value)
    if kind.refers_to_many:
        return [getattr(v, "id", v) for v in value or []]
    return None if value == "" else value

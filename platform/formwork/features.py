"""The feature registry: how workflow, access, notify, files, history, imports, dashboards, organization (and an
installed distribution's code) add behaviour to the core without the core importing them.

Each feature is a package with one registration module holding `register(registry)`. That function declares, on
the registry, what the feature brings: definition kinds and their checks, record hooks, tenant-app setup (screens,
APIs, session listeners), CLI commands and worker jobs. Every declaration has a priority (lower runs first, ties in
registration order), so the order is written where the behaviour is, not in a hand-kept sequence of calls.

The registry is frozen when the first tenant app or runtime is built, as Flask's setup methods refuse changes after
the first request: what one app saw, every app sees. The built-in features are named in BUILTIN_FEATURES by module
path; installed distributions add theirs through the `formwork.features` entry point group (docs/extending.md).
"""

from __future__ import annotations

import importlib
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from importlib.metadata import entry_points
from typing import Any, Generic, TypeVar

T = TypeVar("T")

#: the registration modules of the features that ship with Formwork, loaded in this order
BUILTIN_FEATURES: tuple[str, ...] = tuple(
    f"formwork.{name}.feature"
    for name in (
        "workflow",
        "access",
        "notify",
        "files",
        "history",
        "imports",
        "dashboards",
        "organization",
        "automation",
        "printing",
        "views",
        "search",
        "studio",
        "overlaps",
    )
)
ENTRY_POINT_GROUP = "formwork.features"

# The slots the core reads, and what an item of each is. Items run (or are listed) lowest priority first.
#: a definition kind (meta/kinds.Kind): its JSON Schema, its builder and the catalog attribute that keeps them
DEFINITION_KINDS = "definition_kinds"
#: a SchemaDefinition: a JSON Schema a feature adds to the shared `$defs` of every kind's schema (`automation_step`:
#: the steps its kinds share, built from its table of step kinds)
SCHEMA_DEFINITIONS = "schema_definitions"
#: `check(catalog) -> [DefinitionError]`: a semantic check, run after the core's on packs and tenant definitions
DEFINITION_CHECKS = "definition_checks"
#: an sqlalchemy Table on compile/generated.TENANT_METADATA: created in every tenant's storage, part of its hash
TENANT_TABLES = "tenant_tables"
#: `setup(session_factory)`: listeners on a tenant's sessions, installed after the core's (audit, filled values,
#: rollups), so a listener that records what was saved sees what those filled in
SESSION_SETUP = "session_setup"
#: `setup(app, settings, tenant)`: a tenant's Flask app before Flask-AppBuilder is set up (config, error handlers)
APP_SETUP = "app_setup"
#: `register(appbuilder, catalog)`: screens, menus and APIs, added after the entities' own, in the app context
SCREENS = "screens"
#: `() -> IndexView class`: a tenant app's home page; the lowest priority wins (tenancy/home.TenantHome without one)
HOME_VIEW = "home_view"
#: a `rights.Rights`: record rules and field rights as the core asks them; the lowest priority answers
RIGHTS = "rights"
#: `setup(app)`: after Flask-AppBuilder's roles and permissions are in a tenant's storage (the packs' roles)
ROLES_SETUP = "roles_setup"
#: a FeatureCommand: a click command of `formwork`, or of one of its groups
COMMANDS = "commands"
#: `rights(role, catalog) -> {(permission, view or menu name)}`: FAB rights every holder of a pack role gets from a
#: feature (the approvals inbox, the notifications, the dashboards meant for the role), beside the role's own
ROLE_RIGHTS = "role_rights"
#: `grant(model, catalog, username) -> SQL condition | None`: records of `model` a feature lets a user see whatever
#: their record rules say (an approver sees what they are asked to decide), or-ed with the rules' condition
RECORD_GRANTS = "record_grants"
#: a `tenancy.notices.Notices`: who tells people what happened (the inbox and e-mail); the lowest priority answers,
#: and with none nobody is told
NOTICES = "notices"
#: a `tenancy.spreadsheets.Spreadsheets`: reads an uploaded CSV/XLSX and keeps it for an entity's import screens (the
#: imports feature); the Studio infers a new entity's fields from one. The lowest priority answers
SPREADSHEETS = "spreadsheets"
#: a `tenancy.drafting.Drafting`: keeps a screen's overlay documents as a draft, plans and publishes it (the Studio);
#: the roles screen drafts Role overlays through it. The lowest priority answers
DRAFTING = "drafting"
#: `entries(session, entity, record_id, limit) -> [TimelineEntry]`: at most `limit` newest entries a feature adds to
#: a record's timeline beside its changes and comments (the approval events)
TIMELINE_SOURCES = "timeline_sources"
#: `lock(runtime, session, entity, record_id, username) -> reason | None`: why a record's attachments cannot change
#: now (an approval in progress or its decision), in the reader's language; any reason refuses the change
ATTACHMENT_LOCKS = "attachment_locks"
#: a ServerAction: Python code that automations and action buttons run on a record, by name
#: (compile/server_actions.run_server_action)
SERVER_ACTIONS = "server_actions"
#: `listener(signal)`: told of a RecordSignal a feature announces about a record (the approvals' submit, approve,
#: reject…), inside the transaction that made it (tenancy/signals.announce); automations trigger on them
RECORD_SIGNALS = "record_signals"
#: `start(runtime, session, actor, entity, record_id, chain) -> None`: starts a record's approval (chain: a qualified
#: chain name, or None for the one its rules choose) inside the caller's transaction, raising an exception whose
#: str() says why it cannot; the lowest priority answers (tenancy/signals.start_approval)
APPROVAL_STARTERS = "approval_starters"
#: a Job: a feature's share of every active tenant's tick (`formwork tick`, `formwork worker`; tenancy/worker.py),
#: lowest priority first: the approvals' timeouts and reminders before the e-mails, so a reminder's mail leaves in
#: the same tick
JOBS = "jobs"
#: a Job whose `run(settings, now, services)` does a share of every tick that is no tenant's (the platform's own
#: e-mails, tenancy/platform_mail.py), after the tenants'
PLATFORM_JOBS = "platform_jobs"
#: a RecordPanel: a panel of a record's page (its header's buttons or the activity beside the fields), lowest
#: priority first
RECORD_PANELS = "record_panels"
#: an EntityScreens: a mixin of every entity's ModelView (or of those it applies to) with its routes; lower
#: priorities come first in the view's bases, so they override later ones
ENTITY_SCREENS = "entity_screens"
#: a mixin of every entity's REST API (compile/apis.EntityRestApi) with its routes, in the same order
ENTITY_APIS = "entity_apis"
#: a TopBarPart: a part of every page's top bar (the notifications' count, the global search box), lowest priority
#: first from the left
TOP_BAR = "top_bar"
#: a FieldType instance: a field type added to the core's table of them (fields/__init__.FIELD_TYPES)
FIELD_TYPES = "field_types"
#: `uses(catalog, entity) -> [definitions.field_uses.FieldUse]`: the fields of `entity` a feature's definitions depend
#: on and why (an approval chain's condition, an automation's trigger, a record rule): the Studio locks them
FIELD_USES = "field_uses"
#: a CelFunction: a function expressions may call, with its static signature (expr/functions.py)
CEL_FUNCTIONS = "cel_functions"
#: `runs(session, automation, limit) -> [AutomationRun]`: the newest runs a feature logged of an automation (its
#: qualified name), newest first; the Studio shows them beside the automation's editor
AUTOMATION_RUNS = "automation_runs"
#: the record events hooks run on, in the order a save (or delete) passes them
#: (`assigned`: the values are on the record, the entity's logic has not run yet; a hook may assign more, which the
#: logic then checks with the rest: an automation's field updates, folded into the save that triggered them;
#: `refused`: the logic refused what was assigned, the record still holds it, nothing will be written: a hook that
#: assigned values learns the save they were part of failed)
RECORD_EVENTS = (
    "before_validate",
    "validate",
    "assigned",
    "refused",
    "before_save",
    "after_save",
    "after_commit",
    "before_delete",
)
DEFAULT_PRIORITY = 100


class RegistryFrozen(RuntimeError):
    """A feature tried to register after an app was built: its behaviour would reach some apps and not others."""


@dataclass(frozen=True)
class Prioritized(Generic[T]):
    """One declaration with its priority and the feature that made it (shown by `formwork features`)."""

    priority: int
    order: int
    feature: str
    item: T


@dataclass(frozen=True)
class FeatureCommand:
    """A click command a feature adds to the CLI: to `formwork` itself, or to the group named `group` (`tenant`)."""

    command: Any
    group: str = ""


def _everywhere(_entity: Any, _catalog: Any) -> bool:
    return True


#: where a record panel shows on the show page: among the header's buttons, or in the activity side panel
PANEL_PLACES = ("header", "side")


@dataclass(frozen=True)
class RecordPanel:
    """A panel of a record's page: `widgets(view, pk, item)` gives the template's values (`item` is None on the edit
    page), `template` shows them; on the pages named in `pages`, for the entities `applies(entity, catalog)` picks.
    `place` is where the show page puts it (PANEL_PLACES): `header` for buttons (Print, actions, Submit), `side`
    for the activity beside the fields (timeline, attachments, approval history); the edit page shows it below
    the form."""

    name: str
    template: str
    widgets: Callable[[Any, int, Any], dict[str, Any]]
    pages: tuple[str, ...] = ("show",)
    applies: Callable[[Any, Any], bool] = _everywhere
    place: str = "side"

    def __post_init__(self) -> None:
        if self.place not in PANEL_PLACES:  # a panel in no place would silently never show
            raise ValueError(f"record panel {self.name!r}: place {self.place!r} is not one of {PANEL_PLACES}")


@dataclass(frozen=True)
class EntityScreens:
    """A mixin (routes, and the methods its panels call) of the ModelView of each entity `applies` picks."""

    mixin: type
    applies: Callable[[Any, Any], bool] = _everywhere


@dataclass(frozen=True)
class TopBarPart:
    """A part of the top bar every page of a tenant app shows (templates/formwork/_top_bar.html): `values()` gives
    `template` its values for the request's user, or None to leave the part out (no right, nobody signed in)."""

    name: str
    template: str
    values: Callable[[], dict[str, Any] | None]


@dataclass(frozen=True)
class CelFunction:
    """A function for expressions: its name, its `expr.functions.Signature` (what `validate` checks calls against)
    and its Python body (called with CEL values; raise `expr.functions.FunctionFailed` to refuse an argument)."""

    name: str
    signature: Any
    body: Callable[..., Any]


@dataclass(frozen=True)
class ServerAction:
    """What YAML cannot say, as Python a step runs on one record: `run(call)` gets a
    `compile.server_actions.ActionCall` (the record, the actor, `save(values)` through the record lifecycle) and
    returns what to tell the user, or None. `entities` limits it to some entities (empty: any)."""

    name: str
    run: Callable[[Any], str | None]
    label: Any = None
    entities: tuple[str, ...] = ()


@dataclass
class TimelineLine:
    """One field of a change on a record's timeline: label, old value, new value, as text in the reader's language."""

    label: Any
    old: str
    new: str


@dataclass
class TimelineEntry:
    """One entry of a record's timeline (history/timeline.py): a change, a comment, or what a TIMELINE_SOURCES item
    gives (an approval event). `title` is a label in the reader's language; `subject` names a child-table row."""

    kind: str
    at: datetime
    actor: str | None
    title: Any
    subject: str = ""
    lines: list[TimelineLine] = field(default_factory=list)
    body: str = ""
    action: str = ""


@dataclass(frozen=True)
class AutomationRun:
    """One logged run of an automation (AUTOMATION_RUNS): when it started, the record it ran for (None: a schedule's
    run over many), its outcome in the reader's language, the error it stopped with, and how long it took."""

    started: datetime
    record_id: int | None
    outcome: str
    error: str | None
    duration_ms: int | None = None


@dataclass(frozen=True)
class SchemaDefinition:
    """`#/$defs/<name>` in the kinds' schemas, built when the schemas are (after every feature registered)."""

    name: str
    build: Callable[[], dict[str, Any]]


@dataclass(frozen=True)
class RecordSignal:
    """Something that happened to a record besides its save: `event` in the announcing feature's words
    ("approval.approved"), with the session of the transaction it happened in and who did it."""

    runtime: Any
    session: Any
    entity: str
    record_id: int
    event: str
    actor: str | None


@dataclass(frozen=True)
class JobDone:
    """What a job did in one tenant: how many of each kind, and, for a kind whose report names them, who or what
    (the approvers replaced), shown after its count."""

    counts: Counter[str] = field(default_factory=Counter)
    names: dict[str, list[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class Job:
    """A feature's share of a tick: `run(runtime, now, services)` does what is due at `now` in one tenant (its
    `TenantRuntime`; `services` is the tick's `tenancy.worker.JobServices`: the settings, the mailer) and returns a
    JobDone. `words[kind]` is how a count reads in the tick's report, in that order. The counts of every job of a
    tenant are added up, so a job names its kinds so that no other job's collide (notify's `failed_mail`)."""

    name: str
    run: Callable[[Any, datetime, Any], JobDone]
    words: Mapping[str, str]


@dataclass(frozen=True)
class LoadedFeature:
    """A feature as `formwork features` lists it: its name and where its registration came from."""

    name: str
    source: str


@dataclass
class FeatureRegistry:
    """Everything the features declared, in priority order."""

    features: list[LoadedFeature] = field(default_factory=list)
    _entries: dict[str, list[Prioritized[Any]]] = field(default_factory=dict)
    _feature: str = "core"
    frozen: bool = False

    def add(self, slot: str, item: Any, priority: int = DEFAULT_PRIORITY) -> None:
        """Declare `item` in `slot` (one of the names below, or a slot a feature defines for others to fill)."""
        if self.frozen:
            raise RegistryFrozen(
                f"feature '{self._feature}' registered {slot} after the first app was built; "
                "features register when they load, before any app exists"
            )
        entries = self._entries.setdefault(slot, [])
        entries.append(Prioritized(priority, len(entries), self._feature, item))
        entries.sort(key=lambda e: (e.priority, e.order))

    def slots(self) -> list[str]:
        """The slots something was declared in, by name (what `formwork features` lists)."""
        return sorted(self._entries)

    def entries(self, slot: str) -> list[Prioritized[Any]]:
        return list(self._entries.get(slot, ()))

    def items(self, slot: str) -> list[Any]:
        """What was declared in `slot`, lowest priority first."""
        return [entry.item for entry in self._entries.get(slot, ())]

    def on_record(self, event: str, hook: Callable[..., Any], priority: int = DEFAULT_PRIORITY) -> None:
        """Run `hook(context)` at `event` of every record save or delete (compile/lifecycle.py)."""
        if event not in RECORD_EVENTS:
            raise ValueError(f"unknown record event '{event}'; one of: {', '.join(RECORD_EVENTS)}")
        self.add(f"record.{event}", hook, priority)

    def record_hooks(self, event: str) -> list[Callable[..., Any]]:
        return self.items(f"record.{event}")

    def freeze(self) -> None:
        self.frozen = True

    def load(self, name: str, register: Callable[[FeatureRegistry], None], source: str) -> None:
        """Run one feature's registration, its declarations signed with its name."""
        previous, self._feature = self._feature, name
        try:
            register(self)
        finally:
            self._feature = previous
        self.features.append(LoadedFeature(name, source))


FEATURES = FeatureRegistry()
#: what core modules take from the loaded registry into their own tables (field types, CEL functions)
_TAKERS: list[Callable[[FeatureRegistry], None]] = []


def when_loaded(take: Callable[[FeatureRegistry], None]) -> None:
    """Have `take(FEATURES)` run once the features are loaded (at once if they are): how a core table such as the
    field types takes in what features add, without the core importing a feature or the registry importing the
    core."""
    _TAKERS.append(take)
    if FEATURES.features:
        take(FEATURES)


def load_features(registry: FeatureRegistry = FEATURES) -> FeatureRegistry:
    """Load the built-in features, then the installed distributions' (once per registry)."""
    if registry.features or registry.frozen:
        return registry
    for module_name in BUILTIN_FEATURES:
        module = importlib.import_module(module_name)
        registry.load(module_name.rsplit(".", 2)[-2], module.register, module_name)
    for point in _installed_features():
        registry.load(point.name, point.load(), f"{point.dist.name if point.dist else '?'}: {point.value}")
    if registry is FEATURES:
        for take in _TAKERS:
            take(registry)
    return registry


def _installed_features() -> Iterator[Any]:
    yield from sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda point: point.name)

"""The feature registry: what the built-in features declare, in what order, and that the core imports none of them."""

from __future__ import annotations

import grimp
import pytest
from click.testing import CliRunner

from conftest import Platform
from formwork.cli import main
from formwork.compile.generated import tenant_metadata
from formwork.dashboards.views import HomeView
from formwork.definitions.checks import CHECKS, CORE_CHECKS
from formwork.features import (
    BUILTIN_FEATURES,
    COMMANDS,
    DEFINITION_CHECKS,
    DEFINITION_KINDS,
    FEATURES,
    HOME_VIEW,
    SCREENS,
    SESSION_SETUP,
    TENANT_TABLES,
    FeatureRegistry,
    RegistryFrozen,
    load_features,
)
from formwork.history.recording import install_history
from formwork.meta.catalog import Catalog
from formwork.meta.kinds import CORE_KINDS, KINDS
from formwork.tenancy.apps import build_tenant_app

FEATURE_PACKAGES = (
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
#: the core, which reads the registry and imports no feature
CORE = ("meta", "expr", "filters", "fields", "compile", "schema", "tenancy")


def declared_by(slot: str) -> dict[str, list[object]]:
    """What each feature declared in `slot`, by feature name."""
    found: dict[str, list[object]] = {}
    for entry in load_features().entries(slot):
        found.setdefault(entry.feature, []).append(entry.item)
    return found


def test_registering_after_the_freeze_is_refused() -> None:
    registry = FeatureRegistry()
    registry.add(SCREENS, "before")
    registry.freeze()
    with pytest.raises(RegistryFrozen):
        registry.add(SCREENS, "after")
    with pytest.raises(RegistryFrozen):
        registry.load("late", lambda r: r.add(SCREENS, "late"), "a test")
    assert registry.items(SCREENS) == ["before"]


def test_priorities_order_the_declarations_and_ties_keep_their_order() -> None:
    registry = FeatureRegistry()
    registry.load("one", lambda r: (r.add(SCREENS, "late", priority=90), r.add(SCREENS, "first tie")), "a test")
    registry.load("two", lambda r: (r.add(SCREENS, "early", priority=10), r.add(SCREENS, "second tie")), "a test")
    assert registry.items(SCREENS) == ["early", "late", "first tie", "second tie"]
    assert [entry.feature for entry in registry.entries(SCREENS)] == ["two", "one", "one", "two"]


def test_every_builtin_feature_is_loaded_once() -> None:
    assert tuple(f"formwork.{name}.feature" for name in FEATURE_PACKAGES) == BUILTIN_FEATURES
    assert [feature.name for feature in load_features().features][: len(FEATURE_PACKAGES)] == list(FEATURE_PACKAGES)
    assert load_features() is load_features(FEATURES)
    assert len(load_features().features) == len({feature.name for feature in load_features().features})


def test_the_feature_kinds_and_their_checks_come_from_the_features() -> None:
    kinds = {feature: [kind.name for kind in items] for feature, items in declared_by(DEFINITION_KINDS).items()}
    assert kinds == {
        "access": ["Role"],
        "workflow": ["ApprovalChain"],
        "notify": ["Notification"],
        "dashboards": ["Dashboard"],
        "automation": ["Automation", "Action"],
        "printing": ["PrintFormat"],
        "views": ["KanbanView", "CalendarView", "PivotView", "TimelineView"],
        "overlaps": ["NoOverlap"],
    }
    assert list(CORE_KINDS) == ["Pack", "Entity", "Form", "ListView", "Seed"]
    assert list(KINDS) == [
        *CORE_KINDS,
        "Role",
        "ApprovalChain",
        "Notification",
        "Dashboard",
        "Automation",
        "Action",
        "PrintFormat",
        "NoOverlap",
        "KanbanView",
        "CalendarView",
        "PivotView",
        "TimelineView",
    ]
    checks = {feature: [check.__name__ for check in items] for feature, items in declared_by(DEFINITION_CHECKS).items()}
    assert checks == {
        "workflow": ["check_chains"],
        "dashboards": ["check_dashboards"],
        "notify": ["check_notifications"],
        "access": ["check_roles"],
        "automation": ["check_automations"],
        "printing": ["check_print_formats"],
        "views": [
            "check_kanban_views",
            "check_calendar_views",
            "check_pivot_views",
            "check_timeline_views",
            "check_view_roles",
        ],
        "overlaps": ["check_no_overlaps"],
    }
    assert [check.__name__ for check in CHECKS] == [
        *(c.__name__ for c in CORE_CHECKS),
        "check_chains",
        "check_dashboards",
        "check_notifications",
        "check_roles",
        "check_automations",
        "check_print_formats",
        "check_no_overlaps",
        "check_kanban_views",
        "check_calendar_views",
        "check_pivot_views",
        "check_timeline_views",
        "check_view_roles",
    ]


def test_a_catalog_keeps_each_feature_kind_under_its_own_attribute() -> None:
    catalog = Catalog()
    assert catalog.roles == catalog.chains == catalog.dashboards == catalog.notifications == {}
    assert set(catalog.collections) == {
        "roles",
        "chains",
        "notifications",
        "dashboards",
        "automations",
        "actions",
        "print_formats",
        "kanban_views",
        "calendar_views",
        "pivot_views",
        "timeline_views",
        "no_overlaps",
    }
    with pytest.raises(AttributeError):
        catalog.pipelines  # noqa: B018


def test_the_features_put_their_tables_in_tenant_storage() -> None:
    tables = {feature: {table.name for table in items} for feature, items in declared_by(TENANT_TABLES).items()}
    assert tables == {
        "workflow": {
            "formwork_approval_instance",
            "formwork_approval_task",
            "formwork_approval_event",
            "formwork_approval_job",
            "formwork_approval_delegation",
            "formwork_approval_upload",
        },
        "notify": {
            "formwork_notification",
            "formwork_notification_outbox",
            "formwork_notification_preference",
            "formwork_notification_profile",
            "formwork_follower",
        },
        "files": {"formwork_file_version", "formwork_attachment", "formwork_attachment_version"},
        "history": {"formwork_record_change", "formwork_record_comment"},
        "imports": {"formwork_import_upload"},
        "automation": {
            "formwork_webhook_delivery",
            "formwork_webhook_secret",
            "formwork_automation_run",
            "formwork_automation_record_run",
        },
        "access": {"formwork_role_right", "formwork_role_limit", "formwork_defined_role"},
        "studio": {"formwork_studio_draft"},
        "views": {"formwork_personal_list_view"},
    }
    assert set().union(*tables.values()) <= set(tenant_metadata().tables)


def test_session_setup_app_setup_and_screens_are_declared_in_order() -> None:
    assert list(declared_by(SESSION_SETUP)) == ["files", "automation", "history"]
    assert load_features().items(SESSION_SETUP)[-1] is install_history  # records what the others filled in
    assert [entry.feature for entry in load_features().entries(SCREENS)] == [
        "workflow",
        "organization",
        "workflow",
        "files",
        "history",
        "notify",
        "dashboards",
        "automation",  # the webhook deliveries (70), then the automation runs (71)
        "automation",
        "views",
        "access",  # the roles screen (90)
        "search",  # the search page (90, registered after access)
        "studio",  # the Studio (95)
        "studio",  # the form designer (97)
        "studio",  # the view editor (98)
        "studio",  # the chain editor (99)
        "studio",  # the automation editor (99)
    ]
    assert load_features().items(HOME_VIEW)[0]() is HomeView


def test_feature_commands_are_added_to_the_cli() -> None:
    commands = {(declared.group, declared.command.name) for declared in load_features().items(COMMANDS)}
    assert commands == {("", "tick"), ("", "worker"), ("tenant", "import")}
    assert {"tick", "worker"} <= set(main.commands)
    assert "import" in main.commands["tenant"].commands


def test_formwork_features_lists_each_feature_and_its_declarations() -> None:
    listed = CliRunner().invoke(main, ["features"])
    assert listed.exit_code == 0, listed.output
    assert "workflow  (formwork.workflow.feature)\n" in listed.output
    assert "  definition_kinds: 1\n" in listed.output and "  tenant_tables: 6\n" in listed.output
    listed_features = [line.split()[0] for line in listed.output.splitlines() if not line.startswith(" ")]
    assert listed_features[: len(FEATURE_PACKAGES)] == list(FEATURE_PACKAGES)


def test_building_a_tenant_app_freezes_the_registry(platform: Platform) -> None:
    tenant = platform.tenant("frozen", packs=["core"])
    app = build_tenant_app(platform.settings, tenant, platform.catalog)
    assert app.appbuilder.indexview is HomeView
    assert FEATURES.frozen
    with pytest.raises(RegistryFrozen):
        FEATURES.add(SCREENS, lambda appbuilder, catalog: None)


@pytest.fixture(scope="module")
def imports() -> grimp.ImportGraph:
    return grimp.build_graph("formwork", exclude_type_checking_imports=True)


@pytest.mark.parametrize("core", ["meta", "expr", "filters", "fields", "definitions", "compile", "schema", "tenancy"])
def test_these_core_packages_import_no_feature(imports: grimp.ImportGraph, core: str) -> None:
    """The core reads what features bring from the registry (kinds, checks, tables, screens, panels, rights, field
    types, jobs) and imports none of them."""
    assert _feature_imports(imports, f"formwork.{core}") == []


@pytest.mark.parametrize(
    "module",
    [
        "formwork.compile.generated",
        "formwork.tenancy.apps",
        "formwork.meta.kinds",
        "formwork.definitions.checks",
        "formwork.meta.catalog",
    ],
)
def test_the_modules_the_registry_freed_import_no_feature(imports: grimp.ImportGraph, module: str) -> None:
    assert _feature_imports(imports, module) == []


def test_no_two_packages_import_each_other_even_through_others(imports: grimp.ImportGraph) -> None:
    """The packages (and top-level modules) of formwork form no import cycle: each can be read knowing only what is
    below it (docs/architecture.md, "Layers")."""
    below: dict[str, set[str]] = {}
    for module in imports.modules:
        package = module.split(".")[1] if "." in module else ""
        for imported in imports.find_modules_directly_imported_by(module):
            other = imported.split(".")[1] if "." in imported else ""
            if package and other and other != package:
                below.setdefault(package, set()).add(other)
    cycles = [
        (package, other) for package, others in below.items() for other in others if package in _reachable(below, other)
    ]
    assert cycles == []


def _reachable(below: dict[str, set[str]], start: str) -> set[str]:
    seen, pending = set(), [start]
    while pending:
        for other in below.get(pending.pop(), set()) - seen:
            seen.add(other)
            pending.append(other)
    return seen


def _feature_imports(graph: grimp.ImportGraph, package: str) -> list[str]:
    modules = {package} | (graph.find_descendants(package) if graph.find_children(package) else set())
    return sorted(
        f"{importer} -> {imported}"
        for importer in modules
        for imported in graph.find_modules_directly_imported_by(importer)
        if imported.split(".")[1:2] and imported.split(".")[1] in FEATURE_PACKAGES
    )


def test_record_rules_and_field_rights_come_from_the_access_feature(monkeypatch: pytest.MonkeyPatch) -> None:
    """The core asks `formwork.rights`; access answers through the RIGHTS slot. With no feature answering, every
    question fails instead of showing everything."""
    from formwork import rights
    from formwork.access.feature import RoleRights
    from formwork.actor import Actor

    assert isinstance(rights.rights(), RoleRights)
    monkeypatch.setattr(rights, "load_features", lambda: FeatureRegistry())
    with pytest.raises(rights.NoRightsFeature):
        rights.hidden_fields("crm.account", Actor.system())
    with pytest.raises(rights.NoRightsFeature):
        rights.visible_condition(object, Actor.system())


def test_the_notices_port_is_answered_by_the_notify_feature_and_without_it_nobody_is_told(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Approvals, comments and the history tell people through tenancy/notices.py, never by importing notify: the
    notify feature answers, and with no feature in the NOTICES slot a notice is dropped rather than failing."""
    from formwork.notify import sending
    from formwork.tenancy import notices

    assert notices.notices() is sending
    monkeypatch.setattr(notices, "load_features", lambda: FeatureRegistry())
    quiet = notices.notices()
    assert quiet is not sending
    assert quiet.notify(None, event=notices.MENTIONED, recipients=["ann"]) is None  # type: ignore[arg-type]

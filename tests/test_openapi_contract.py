"""The OpenAPI document is the contract (issue 12): schemathesis, with every check, finds no server error and no
answer that differs from what the document promises, over every operation of a tenant with the core, oa and crm packs.

The run is bounded (a fixed seed, a few examples per operation) so it fits CI; PostgreSQL gets fewer examples than
SQLite, since the same code answers and only the database differs.

Data the schema allows may still be refused with a 400 (FAB's own security APIs: a 422), and this counts as
accepting it: what makes it wrong cannot be written in OpenAPI. A reference or role id that names no record, a
filter on a column the list does not offer, an entity's rules (CEL over several fields), a unique value taken, a
record locked by an approval. The 400 says which field and why; a 500 or an answer the document does not describe
still fails.

The fuzzer signs in as the tenant's admin and may edit that very user (deactivate it, take its roles, rename them or
take their rights): after each write to the security APIs the admin gets its account, roles and rights back, so every
later call still has a user. Only deleting the admin itself or one of its roles is not done (such a DELETE is sent
for an id no record has); every operation runs, deleting other users and roles included.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import schemathesis
import sqlalchemy as sa
from schemathesis.config import SchemathesisConfig
from schemathesis.engine import events
from werkzeug.serving import WSGIRequestHandler, make_server

from conftest import Platform, jwt
from formwork.definitions.loader import builtin_definitions, require_catalog
from formwork.meta.catalog import Catalog
from formwork.tenancy.registry import find_tenant

SLUG = "contract"
SEED = 20240612
#: examples per operation and phase: enough to reach every declared answer, few enough for CI on 2 shared cores
EXAMPLES = {"sqlite": 3, "postgres": 10}
#: where the coverage phase (every boundary case the schema defines, and every undeclared method of every path: some
#: thousands of requests) runs: it tests what the code answers, which is the same on both; PostgreSQL gets the
#: generated examples, which reach its own refusals (NUL bytes, out-of-range numbers) through every operation
COVERAGE_BACKENDS = {"sqlite"}
#: answers to data the schema allows: 2xx, or a refusal saying why (a 400, FAB's 422), not found, no right (the admin
#: role lacks some, such as deleting records approval chains keep), conflict; 401 for a sign-in with a wrong password
#: or a refresh without a refresh token (the fuzzing user keeps its own token: checked at the end of the run); 304 for
#: a GET whose If-None-Match (`*` included) names the record's ETag, 412 for a write whose If-Match names another
ACCEPTED = ["2XX", 304, 400, 401, 403, 404, 409, 412, 422]
#: answers to data the schema refuses: a refusal (schemathesis's default list: server errors are the
#: not_a_server_error check's to catch), and 412 for a write whose If-Match names another version than the record's
#: (the precondition is checked before the body is read, as HTTP has it)
REFUSED = [400, 401, 403, 404, 405, 406, 409, 412, 415, 422, 428, 429, "5XX"]
#: the id a DELETE of the fuzzing user itself (or of a role its rights come from) is sent for instead: no record has it
MISSING_ID = 2_000_000_000
#: methods that change nothing: after them the admin needs no restoring
READS = {"GET", "HEAD", "OPTIONS", "TRACE"}


@dataclass
class Finding:
    """One failed check: where, what, and the request that shows it."""

    operation: str
    title: str
    message: str
    reproduce: str

    def __str__(self) -> str:
        return f"{self.operation}: {self.title}\n{self.message.strip()}\n    {self.reproduce}"


def contract_config(platform: Platform, auth: dict[str, str]) -> SchemathesisConfig:
    return SchemathesisConfig.from_dict(
        {
            "seed": SEED,
            "cache": {"enabled": False},  # every run starts from the seed alone, and nothing is written into the tree
            "headers": auth,
            # Valid by the schema is not valid by the data: a filter on a column the list does not offer, a reference to
            # a record that does not exist, a rule of the entity. Those are a 400 (or FAB's 422) saying why.
            "checks": {
                "enabled": True,
                "positive_data_acceptance": {"expected-statuses": ACCEPTED},
                "negative_data_rejection": {"expected-statuses": REFUSED},
            },
            "generation": {"max-examples": EXAMPLES[platform.backend], "deterministic": True, "database": "none"},
            "phases": {"stateful": {"enabled": False}, "coverage": {"enabled": platform.backend in COVERAGE_BACKENDS}},
            "warnings": False,
        }
    )


def findings(stream: Iterator[Any]) -> Iterator[Finding]:
    """Every failed check and every error of a run, readably."""
    for event in stream:
        if isinstance(event, events.ScenarioFinished):
            for checks in event.recorder.checks.values():
                for check in checks:
                    if check.failure_info is not None:
                        failure = check.failure_info.failure
                        yield Finding(
                            event.recorder.label, failure.title, failure.message, check.failure_info.code_sample
                        )
        elif isinstance(event, (events.NonFatalError, events.FatalError)):
            yield Finding(
                getattr(event, "label", "run"),
                type(event.value).__name__ if hasattr(event, "value") else "error",
                str(getattr(event, "value", event)),
                "",
            )


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    """The built-in packs only: the contract is the one a tenant of core, oa and crm is given."""
    return require_catalog([builtin_definitions()])


class QuietHandler(WSGIRequestHandler):
    """No line per request: a run sends thousands."""

    def log_request(self, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def served(platform: Platform) -> Iterator[str]:
    """The platform on a loopback port: schemathesis's in-process WSGI transport cannot send its `ignored_auth`
    probes (it hands werkzeug's test client a `max_redirects` it does not take), so the run speaks HTTP."""
    server = make_server("127.0.0.1", 0, platform.app, request_handler=QuietHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()


@dataclass
class FuzzingAdmin:
    """The fuzzing user (the tenant's admin) as it started: its id, and its roles with their names and rights."""

    app: Any
    id: int
    roles: dict[int, tuple[str, list[int]]]

    @classmethod
    def of(cls, platform: Platform) -> FuzzingAdmin:
        app = platform.app.tenant_apps.get(find_tenant(platform.settings.database_url, SLUG))
        with app.app_context():
            admin = app.appbuilder.sm.find_user(username="admin")
            roles = {role.id: (role.name, [p.id for p in role.permissions]) for role in admin.roles}
            found = cls(app, admin.id, roles)
            app.appbuilder.session.remove()
        return found

    def spare(self, _context: Any, case: Any, _kwargs: Any) -> None:
        """`before_call`: a DELETE of the admin itself or of one of its roles is sent for an id no record has (a 404)."""
        own = {"/api/v1/security/users/{pk}": {self.id}, "/api/v1/security/roles/{pk}": set(self.roles)}
        if case.method.upper() == "DELETE" and (case.path_parameters or {}).get("pk") in own.get(
            case.operation.path, ()
        ):
            case.path_parameters["pk"] = MISSING_ID

    def restore(self, _context: Any, case: Any, _response: Any) -> None:
        """`after_call`: after a security call that may write the admin is active again, with its roles, their names
        and rights."""
        if not case.operation.path.startswith("/api/v1/security/") or case.method.upper() in READS:
            return
        with self.app.app_context():
            security, session = self.app.appbuilder.sm, self.app.appbuilder.session
            admin = security.get_user_by_id(self.id)
            admin.active = True
            admin.roles = by_id(session, security.role_model, self.roles)
            granted = {right.id: right for right in by_id(session, security.permissionview_model, self.rights)}
            for role in admin.roles:
                role.name, rights = self.roles[role.id]
                role.permissions = [granted[right] for right in rights]
            session.commit()
            session.remove()

    @property
    def rights(self) -> set[int]:
        """Every right of the admin's roles."""
        return {right for _, rights in self.roles.values() for right in rights}


def by_id(session: Any, model: Any, ids: Iterable[int]) -> list[Any]:
    """The records of `model` with these ids in one query: the admin's roles hold hundreds of rights, and a query
    per right after every security call was most of the run's time."""
    return list(session.scalars(sa.select(model).where(model.id.in_(list(ids)))))


@pytest.fixture(scope="module")
def auth(platform: Platform) -> dict[str, str]:
    """The fuzzing user's token: the admin of a new core, oa and crm tenant."""
    platform.tenant(SLUG, ["core", "oa", "crm"])
    return jwt(platform.client(), SLUG)


@pytest.fixture(scope="module")
def schema(platform: Platform, served: str, auth: dict[str, str]) -> Iterator[Any]:
    loaded = schemathesis.openapi.from_url(
        f"{served}/t/{SLUG}/api/v1/_openapi", headers=auth, config=contract_config(platform, auth)
    )
    admin = FuzzingAdmin.of(platform)

    def before_call(context: Any, case: Any, kwargs: Any) -> None:
        admin.spare(context, case, kwargs)

    def after_call(context: Any, case: Any, response: Any) -> None:
        admin.restore(context, case, response)

    schemathesis.hook(before_call)  # before_call hooks exist only for the whole process: taken back below
    loaded.hook(after_call)
    yield loaded
    schemathesis.hooks.unregister(before_call)


def test_every_operation_keeps_the_contract(schema, platform: Platform, auth: dict[str, str]) -> None:
    found = list(findings(schemathesis.engine.from_schema(schema).execute()))
    kinds = {(f.operation, f.title, f.message.strip().splitlines()[0] if f.message.strip() else ""): f for f in found}
    assert not kinds, f"{len(kinds)} kinds of contract failure:\n\n" + "\n\n".join(map(str, kinds.values()))
    assert platform.client().get(f"/t/{SLUG}/api/v1/security/users/", headers=auth).status_code == 200  # still a user

"""The demo's sample data is saved through the record lifecycle, as every other writer's records are: the features'
record hooks see each sample record, and a sample record that a check refuses is not stored."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa

from conftest import Platform
from formwork.compile import lifecycle
from formwork.demo.sample import SampleRefused, load_sample_data
from formwork.features import FeatureRegistry, load_features
from formwork.tenancy.apps import build_tenant_app
from formwork.tenancy.storage import tenant_engine

RECORDS = 20


def with_test_hooks(monkeypatch: pytest.MonkeyPatch, register: Callable[[FeatureRegistry], None]) -> None:
    """The built-in features, then a test feature's record hooks, as the lifecycle's registry."""
    registry = FeatureRegistry()
    load_features(registry)
    registry.load("test_hooks", register, "tests")
    monkeypatch.setattr(lifecycle, "load_features", lambda: registry)


def employees(platform: Platform, tenant: Any) -> int:
    with tenant_engine(platform.settings, tenant).connect() as connection:
        return int(connection.scalar(sa.text("SELECT count(*) FROM core_employee")))


def test_every_sample_record_passes_the_record_hooks(platform: Platform, monkeypatch: pytest.MonkeyPatch) -> None:
    created: Counter[str] = Counter()

    def note(write: Any) -> None:
        if write.created:
            created[write.entity.qualified] += 1

    tenant = platform.tenant("sample-hooks")  # its packs' seeds were saved before the test's hooks are in
    with_test_hooks(monkeypatch, lambda features: features.on_record("after_save", note))
    counts = load_sample_data(build_tenant_app(platform.settings, tenant, platform.catalog), records=RECORDS)
    assert counts == {
        "core.department": 8,  # the core pack's head office and the sample's 7 departments
        "core.employee": RECORDS,
        "crm.account": RECORDS,
        "crm.contact": 2 * RECORDS,
        "crm.opportunity": RECORDS,
        "crm.contract": RECORDS // 3,
        "oa.leave_request": RECORDS,
        "oa.announcement": RECORDS,
        "oa.meeting": RECORDS,
        "oa.expense_claim": RECORDS,
    }
    assert created == {**counts, "core.department": 7}
    assert employees(platform, tenant) == RECORDS


def test_a_sample_record_a_check_refuses_is_not_stored(platform: Platform, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse_accounts(write: Any) -> dict[str, list[str]]:
        return {"name": ["No new accounts today."]} if write.entity.qualified == "crm.account" else {}

    tenant = platform.tenant("sample-refused")
    with_test_hooks(monkeypatch, lambda features: features.on_record("validate", refuse_accounts))
    with pytest.raises(SampleRefused) as refused:
        load_sample_data(build_tenant_app(platform.settings, tenant, platform.catalog), records=RECORDS)
    assert str(refused.value) == "a sample crm.account record cannot be saved: name: No new accounts today."
    assert employees(platform, tenant) == 0  # the sample is one transaction: nothing before the account stays

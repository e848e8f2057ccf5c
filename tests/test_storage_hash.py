"""A release that adds a platform table to tenant storage reaches tenants created before it."""

from __future__ import annotations

import sqlalchemy as sa

from conftest import Platform
from formwork.compile.generated import SEQUENCES, TENANT_METADATA
from formwork.tenancy.migrate import migrate_tenant
from formwork.tenancy.registry import find_tenant
from formwork.tenancy.state import applied_state, definitions_hash
from formwork.tenancy.storage import tenant_engine


def test_a_new_platform_table_or_index_reaches_existing_tenants(platform: Platform) -> None:
    platform.tenant("older-co", packs=["core"])
    extra = sa.Table("formwork_release_probe", TENANT_METADATA, sa.Column("id", sa.Integer, primary_key=True))
    try:
        tenant = find_tenant(platform.settings.database_url, "older-co")
        assert definitions_hash(platform.settings, tenant.slug, applied_state(tenant)) != tenant.definitions_hash
        assert migrate_tenant(platform.settings, platform.catalog, tenant) is not None
        assert "formwork_release_probe" in sa.inspect(tenant_engine(platform.settings, tenant)).get_table_names()
        assert (
            migrate_tenant(platform.settings, platform.catalog, find_tenant(platform.settings.database_url, "older-co"))
            is None
        )
        index = sa.Index("ix_formwork_sequence_value_probe", SEQUENCES.c.value)
        try:
            assert migrate_tenant(
                platform.settings, platform.catalog, find_tenant(platform.settings.database_url, "older-co")
            )
            indexes = sa.inspect(tenant_engine(platform.settings, tenant)).get_indexes("formwork_sequence")
            assert "ix_formwork_sequence_value_probe" in {i["name"] for i in indexes}
        finally:
            SEQUENCES.indexes.discard(index)
    finally:
        TENANT_METADATA.remove(extra)


def test_every_process_computes_the_same_storage_hash_whatever_it_imported() -> None:
    """A server, `formwork migrate` and `formwork tenant create` import different parts of Formwork; a platform table
    seen by one and not by another would make each think the others' tenants need migrating, forever."""
    import subprocess
    import sys

    def hash_after(imports: str) -> str:
        code = f"import {imports}\nfrom formwork.compile.generated import storage_hash\nprint(storage_hash('x'))"
        return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout

    everything = (
        "formwork.cli, formwork.tenancy.provision, formwork.tenancy.packs, formwork.tenancy.manifest, "
        "formwork.tenancy.lifecycle, formwork.demo.setup, formwork.imports.command"
    )
    assert hash_after("formwork.tenancy.migrate") == hash_after("formwork.tenancy.cache") == hash_after(everything)

"""The control plane's tables come from Alembic, and the models agree with the migrations."""

from __future__ import annotations

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from conftest import Platform
from formwork.tenancy.registry import PlatformBase, platform_engine


def test_no_pending_autogenerate_diff(platform: Platform) -> None:
    def own(obj, name, type_, reflected, compare_to) -> bool:
        return not (type_ == "table" and name not in PlatformBase.metadata.tables)

    with platform_engine(platform.settings.database_url).connect() as connection:
        context = MigrationContext.configure(connection, opts={"include_object": own})
        assert compare_metadata(context, PlatformBase.metadata) == []
        assert context.get_current_revision() == "0013"


def test_tenant_currency_reaches_the_screens(platform: Platform) -> None:
    from formwork.tenancy.provision import create_tenant

    create_tenant(
        platform.settings, platform.catalog, "euro-co", "Euro Co", ["crm"], "admin", "pw-123456", currency="eur"
    )
    with platform_engine(platform.settings.database_url).connect() as connection:
        assert (
            connection.execute(sa.text("SELECT currency FROM formwork_tenant WHERE slug = 'euro-co'")).scalar() == "EUR"
        )
    app = platform.app.tenant_apps.get(platform.app.tenant_apps.tenant("euro-co"))
    assert app.config["FORMWORK_CURRENCY"] == "EUR"

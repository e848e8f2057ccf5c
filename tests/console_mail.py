"""What the console's tests read from a tenant's e-mail outbox: the mails queued to an address and the links in
them, as the worker would send them."""

from __future__ import annotations

import re

import sqlalchemy as sa

from conftest import Platform
from formwork.tenancy.registry import find_tenant
from formwork.tenancy.storage import tenant_engine

LINK = re.compile(r"/t/[a-z0-9-]+/invitation/[A-Za-z0-9_.-]+")


def mails_to(platform: Platform, slug: str, address: str) -> list[dict[str, str]]:
    """The English subject and body of every mail queued to `address` in tenant `slug`, oldest first."""
    tenant = find_tenant(platform.settings.database_url, slug)
    outbox = sa.table("formwork_notification_outbox", sa.column("notification_id"), sa.column("address"))
    notes = sa.table("formwork_notification", sa.column("id"), sa.column("data", sa.JSON))
    query = (
        sa.select(notes.c.data)
        .join(outbox, outbox.c.notification_id == notes.c.id)
        .where(outbox.c.address == address)
        .order_by(notes.c.id)
    )
    with tenant_engine(platform.settings, tenant).connect() as connection:
        rows = connection.execute(query).scalars().all()
    return [{"subject": data["subject"]["en"], "body": data["message"]["en"]} for data in rows]


def invitation_link(platform: Platform, slug: str, address: str) -> str:
    """The path of the newest invitation mailed to `address`."""
    mails = mails_to(platform, slug, address)
    assert mails, f"no mail to {address} in {slug}'s outbox"
    found = LINK.search(mails[-1]["body"])
    assert found, mails[-1]["body"]
    return found.group(0)

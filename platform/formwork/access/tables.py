"""What a tenant's admins changed in the rights of the packs' roles before roles were drafted, and which roles
the tenant's own definitions made, in every tenant's storage.

A pack role's rights are written in its definition, and every permission sync makes its FAB role hold exactly
them (access/grants.py). An admin who unticks "delete" on the roles screen must not see the next sync tick it
again, so the change is kept here, apart from the definition: a row per right granted beyond it or taken from it.
A pack upgrade still brings its new rights; only the rights an admin decided stay as decided. Likewise an admin's
record rules and field rights for a role on an entity replace the definition's (ROLE_LIMIT_CHANGES). On
TENANT_METADATA: new tenants get the tables at creation, existing ones at their next `formwork migrate`.

A role of the tenant's own is a Role overlay; once it is restored away (or left out), its FAB role stays, held by
people, so the sync must know it came from a definition to take its rights (DEFINED_ROLES) rather than read it as a
role made before roles were definitions, which keeps its permissions.
"""

from __future__ import annotations

import sqlalchemy as sa

from ..compile.generated import TENANT_METADATA, keyed_by

ROLE_RIGHT_CHANGES = sa.Table(
    "formwork_role_right",
    TENANT_METADATA,
    sa.Column("role", sa.String(64), primary_key=True),  # the FAB role's name (ab_role.name is 64 long)
    sa.Column("entity", sa.String(128), primary_key=True, info=keyed_by("Entity")),  # qualified: `crm.account`
    sa.Column("right", sa.String(16), primary_key=True),  # one of definition.RIGHTS
    sa.Column("granted", sa.Boolean, nullable=False),  # True: given beyond the definition; False: taken from it
)

ROLE_LIMIT_CHANGES = sa.Table(
    "formwork_role_limit",
    TENANT_METADATA,
    sa.Column("role", sa.String(64), primary_key=True),
    sa.Column("entity", sa.String(128), primary_key=True, info=keyed_by("Entity")),
    # the record rules as the Role kind writes them (a list: their union); NULL keeps the definition's
    sa.Column("records", sa.JSON, nullable=True),
    # {"hidden": [...], "read_only": [...]}; NULL keeps the definition's
    sa.Column("fields", sa.JSON, nullable=True),
)

DEFINED_ROLES = sa.Table(
    "formwork_defined_role",
    TENANT_METADATA,
    sa.Column("role", sa.String(64), primary_key=True),  # a FAB role a Role of the tenant's own made
)

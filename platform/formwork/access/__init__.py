"""Access: what a role may do per entity, which records its holders see, which fields they see and change.

- `definition`: the Role kind (rights, record rules, field rights);
- `checks`: what `formwork validate` says about a Role;
- `grants`: rights -> FAB permissions, pack roles -> FAB roles;
- `records`: `visible_condition(model)`, the one place record rules become SQL;
- `fields`: `hidden_fields(entity)`, `read_only_fields(entity)`, also applied to child-table rows.
Read docs/access.md.
"""

from __future__ import annotations

from .fields import (
    child_tables,
    hidden_fields,
    read_only_fields,
    unchangeable_fields,
    unchangeable_row_fields,
    without_hidden,
)
from .records import visible_condition

__all__ = [
    "child_tables",
    "hidden_fields",
    "read_only_fields",
    "unchangeable_fields",
    "unchangeable_row_fields",
    "visible_condition",
    "without_hidden",
]

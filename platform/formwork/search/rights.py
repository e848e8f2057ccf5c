"""The right to search, which every pack role gets (search/feature.py): what a user finds is limited by their
rights on each entity, so the right itself gives away nothing."""

from __future__ import annotations

from typing import Any

#: the FAB view name and permission of the search page and its suggestions (search/views.py)
VIEW, PERMISSION = "Search", "can_search"


def search_rights(_role: str, _catalog: Any) -> set[tuple[str, str]]:
    return {(PERMISSION, VIEW)}

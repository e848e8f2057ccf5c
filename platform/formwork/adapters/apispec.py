"""apispec's private names, in one place.

Written against apispec 6 (6.10, the version Flask-AppBuilder 5.3 installs).
tests/test_adapters.py checks each against the installed apispec.
"""

from __future__ import annotations

from typing import Any

from apispec import APISpec


def spec_paths(spec: APISpec) -> dict[str, Any]:
    """The paths of `spec`, by path then method, as `to_dict()` will print them; changes to them are kept.

    apispec 6 has no public way to change an operation once `path()` added it,
    and FAB adds the entity API's operations itself; the record path's ETag
    headers (compile/etags.py) are added to them in the private `_paths`.
    """
    return spec._paths

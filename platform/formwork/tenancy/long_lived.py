"""A serving process's long-lived objects, kept out of the garbage collector's full passes.

Once its dispatcher is made, a process that serves tenants holds a quarter of a million objects it keeps for good:
the libraries' modules, the packs, the console's app. CPython's collector walks every object it tracks on each full
pass, and building a tenant's app anew (after a publish, in every serving process at once) allocates enough to set
one off: 0.1 s of CPU went over objects that never die. `gc.freeze()` moves them to the permanent generation, which
no pass walks. Frozen objects are still freed by reference counting; only a cycle among them is never looked for, and
nothing frozen here is meant to go.
"""

from __future__ import annotations

import gc


def freeze_long_lived() -> None:
    """Keep what the process holds now out of every later full collection; once, when it is ready to serve."""
    gc.collect()  # startup's garbage first: frozen, it would never be freed
    gc.freeze()

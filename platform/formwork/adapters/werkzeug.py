"""Werkzeug's private names, in one place.

Written against Werkzeug 3.1. tests/test_adapters.py checks each against the installed Werkzeug.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable

from werkzeug.routing import Rule

#: URL builders kept across app builds: enough for every rule of many packs, bounded so that memory is too
BUILDERS_KEPT = 50_000
_builders: OrderedDict[Hashable, Callable[..., tuple[str, str]]] = OrderedDict()


class ReusedBuilderRule(Rule):
    """A rule whose URL builder is compiled once per process for every rule of the same text, not once per app.

    Werkzeug compiles two Python functions for every rule it binds (`Rule._compile_builder`): for a tenant app's
    ~650 routes, over half the time of building the app again after a publish. The function depends only on the
    rule's text, its parsed parts and its defaults, and takes the rule itself as its argument, so the one compiled
    for a rule of the same text in an earlier build (of this or another tenant: their apps are mounted under their
    prefix, not built with it) serves as well. Installed as a tenant app's `url_rule_class`.
    """

    def _compile_builder(self, append_unknown: bool = True) -> Callable[..., tuple[str, str]]:
        defaults = tuple(sorted((key, repr(value)) for key, value in (self.defaults or {}).items()))
        key = (self.rule, self.subdomain, self.host, self.merge_slashes, tuple(self._trace), defaults, append_unknown)
        found = _builders.get(key)
        if found is not None:
            _builders.move_to_end(key)
        else:
            found = super()._compile_builder(append_unknown)
            _builders[key] = found
            if len(_builders) > BUILDERS_KEPT:
                _builders.popitem(last=False)
        return found

"""Scenario tests of packs: YAML files in a pack's `tests/` that give users and records, walk steps through a
throw-away tenant's REST API as those users, and check what holds afterwards (docs/scenarios.md). Run by
`formwork pack test PATH` and, through the pytest plugin, by an implementer's `pytest`."""

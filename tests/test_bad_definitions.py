"""The corpus of wrong definitions: each folder must give exactly the errors in its expected.txt."""

from __future__ import annotations

from pathlib import Path

import pytest

from formwork.definitions.loader import builtin_definitions, load_catalog

CORPUS = Path(__file__).parent / "bad_definitions"
CASES = sorted(p.name for p in CORPUS.iterdir() if p.is_dir())


def test_the_corpus_covers_the_mistakes_the_language_must_catch() -> None:
    assert {
        "bad_yaml",
        "unknown_kind",
        "unknown_field_type",
        "missing_reference_target",
        "formula_missing_field",
        "cel_syntax_error",
        "formula_cycle",
        "choice_default_not_in_choices",
        "entity_too_wide",
        "not_utf8",
        "reference_without_requires",
        "unknown_property",
        "role_every_error",
        "chain_every_error",
        "dashboard_every_error",
        "notification_every_error",
        "seed_every_error",
        "view_every_error",
    } <= set(CASES)


@pytest.mark.parametrize("case", CASES)
def test_each_wrong_definition_gives_its_exact_errors(case: str) -> None:
    folder = CORPUS / case
    _, errors = load_catalog([builtin_definitions(), folder])
    printed = [str(error).replace(f"{folder}/", "") for error in errors]
    assert printed == (folder / "expected.txt").read_text(encoding="utf-8").splitlines()

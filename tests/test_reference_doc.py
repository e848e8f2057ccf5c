"""docs/definitions.md carries the reference generated from the kinds' schemas and the field type registry."""

from __future__ import annotations

import difflib
import re

from formwork.definitions.reference import (
    COMMAND,
    DOCUMENT,
    END,
    START,
    render_reference,
    splice,
)
from formwork.fields import FIELD_TYPES
from formwork.meta.kinds import KINDS


def test_generated_reference_is_up_to_date():
    text = DOCUMENT.read_text(encoding="utf-8")
    expected = splice(text, render_reference())
    if expected != text:
        diff = "".join(
            list(
                difflib.unified_diff(
                    text.splitlines(keepends=True),
                    expected.splitlines(keepends=True),
                    "docs/definitions.md",
                    "generated",
                    n=1,
                )
            )[:60]
        )
        raise AssertionError(f"docs/definitions.md differs from the registry; run `{COMMAND}`\n{diff}")


def test_every_kind_and_field_type_is_documented():
    text = DOCUMENT.read_text(encoding="utf-8")
    reference = text[text.index(START) : text.index(END)]
    for kind in KINDS:
        assert f"#### `{kind}`" in reference, f"kind {kind} is missing from the reference"
        assert re.search(rf"^kind: {kind}$", text, re.MULTILINE), f"kind {kind} has no worked example"
    for name in FIELD_TYPES:
        assert f"#### `{name}`" in reference, f"field type {name} is missing from the reference"


def test_splice_keeps_the_hand_written_parts():
    text = f"intro\n{START}\nold\n{END}\nafter\n"
    assert splice(text, "new\n") == f"intro\n{START}\n\nnew\n\n{END}\nafter\n"

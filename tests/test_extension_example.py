"""The worked example of docs/extending.md, installed as an implementer installs it: examples/formwork-brand is a
distribution whose `formwork.features` entry point adds a field type, a CEL function, a record hook and a server
action.

It is installed into a folder of its own and its tests run in a process that has it on its path, so the rest of
the suite keeps running without it (an installed feature is loaded by every Formwork in its environment).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "formwork-brand"


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("site")
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(target), str(EXAMPLE)],
        check=True,
        capture_output=True,
        text=True,
    )
    return target


def _run(installed: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(installed), os.environ.get("PYTHONPATH", "")])}
    return subprocess.run([sys.executable, *args], env=env, capture_output=True, text=True, cwd=EXAMPLE, timeout=600)


def test_the_example_extension_works_in_a_tenant(installed: Path) -> None:
    """Its own tests: the field type validates and renders, the function computes a formula, the hook runs for the
    API, an import and a screen."""
    result = _run(installed, "-m", "pytest", "tests", "-q", "-p", "no:cacheprovider", "-o", "addopts=", "-W", "ignore")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "6 passed" in result.stdout


def test_formwork_features_lists_it_with_its_source(installed: Path) -> None:
    result = _run(installed, "-m", "formwork.cli", "features")
    assert result.returncode == 0, result.stderr
    assert "brand  (formwork-brand: formwork_brand.feature:register)" in result.stdout
    assert "workflow  (formwork.workflow.feature)" in result.stdout


def test_without_it_the_suite_does_not_know_its_field_type() -> None:
    from formwork.fields import FIELD_TYPES

    assert "color" not in FIELD_TYPES

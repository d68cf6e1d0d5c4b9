"""Shared fixtures: fixture notebooks to edit, and report builds made once per test session.

Plain helpers (paths, the CLI, result computations, number extraction) live in ``helpers.py``;
test modules import those, never this file.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from helpers import FIXTURES, TOWN, compute_results, run_reports


@pytest.fixture
def fixture_notebooks(tmp_path) -> Path:
    """The runner's test notebooks, copied so a test may edit them."""
    dest = tmp_path / "notebooks"
    shutil.copytree(FIXTURES / "notebooks", dest)
    return dest


@pytest.fixture(scope="session")
def default_reports(tmp_path_factory) -> Path:
    """00_policy_brief and the 大良 town profile built by the runner on the default inputs (outputs folder)."""
    outputs = tmp_path_factory.mktemp("default_reports") / "outputs"
    return run_reports(outputs, ["00_policy_brief", "06_town_profile"], [f"town={TOWN}"])


@pytest.fixture(scope="session")
def computed():
    """(results, profiles, inputs) on the default inputs, computed in-process."""
    return compute_results()


def _outputs_snapshot() -> dict:
    from helpers import ROOT

    folder = ROOT / "outputs"
    return {str(p): p.stat().st_mtime_ns for p in folder.rglob("*")} if folder.exists() else {}


@pytest.fixture(scope="session", autouse=True)
def users_outputs_untouched():
    """Tests write to temporary folders only: the user's ``outputs/`` is the same after the session."""
    before = _outputs_snapshot()
    yield
    after = _outputs_snapshot()
    changed = sorted(set(before.items()) ^ set(after.items()))
    assert not changed, f"the test session wrote into the user's outputs/: {changed[:5]}"

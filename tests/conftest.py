"""Shared fixtures: fixture notebooks to edit, and report builds made once per test session.

Plain helpers (paths, the CLI, result computations, number extraction) live in ``helpers.py``;
test modules import those, never this file.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from helpers import FIXTURES, ROOT, TOWN, compute_results, run_reports


@pytest.fixture
def fixture_notebooks(tmp_path) -> Path:
    """The runner's test notebooks, copied so a test may edit them."""
    dest = tmp_path / "notebooks"
    shutil.copytree(FIXTURES / "notebooks", dest)
    return dest


@pytest.fixture(scope="session")
def full_run_zh(tmp_path_factory) -> Path:
    """Every report built by the runner on the default inputs, in Chinese (outputs folder), once per session."""
    return run_reports(tmp_path_factory.mktemp("full_zh") / "outputs", None, ["language=zh"])


@pytest.fixture(scope="session")
def full_run_en(tmp_path_factory) -> Path:
    """Every report built by the runner on the default inputs, in English (outputs folder), once per session."""
    return run_reports(tmp_path_factory.mktemp("full_en") / "outputs", None, ["language=en"])


@pytest.fixture(scope="session")
def default_reports(full_run_zh) -> Path:
    """The default run (the brief and the 大良 town profile among its reports)."""
    return full_run_zh


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


@pytest.fixture(scope="session")
def official_reports(tmp_path_factory):
    """The brief and one town profile on an official-provenance copy of the default ledger."""
    led = pd.read_csv(ROOT / "data" / "raw" / "grants_simulated.csv", dtype=str, keep_default_na=False)
    led["provenance"] = "official"
    led["Title"] = led["Title"].str.replace("【模拟】", "", regex=False)
    led["Description"] = "资助项目"
    for col in ("Recipient Org:Name",):
        led[col] = led[col].str.replace("模拟", "", regex=False)
    folder = tmp_path_factory.mktemp("official_ledger")
    path = folder / "grants_official.csv"
    led.to_csv(path, index=False, encoding="utf-8")
    return run_reports(
        tmp_path_factory.mktemp("official_reports") / "outputs",
        ["00_policy_brief", "06_town_profile"],
        [f"ledger_path={path}", f"town={TOWN}"],
    )

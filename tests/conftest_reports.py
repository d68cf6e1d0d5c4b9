"""Shared helpers for the report-level tests (issue 6): in-process study results and runner builds.

Imported by ``test_findings_consistency.py``, ``test_report_escaping.py`` and
``test_browser.py``.  The runner is expensive (about 30 s per run on two cores),
so every distinct build is made at most once per test session: the fixtures
below are session-scoped *and* memoised in :data:`_BUILDS`, because a fixture
function imported into several test modules is registered once per module.
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import pytest
import yaml

from shunde_workbook.narrative import statements
from shunde_workbook.analysis import studies
from shunde_workbook.analysis.inputs import load_inputs
from shunde_workbook.paths import PARAMS
from shunde_workbook.build.runner import run

TOWN = "440606005"  # 大良街道 / Daliang: the town profile the report-level tests build
DEFAULT_PARAMS = PARAMS / "default.yaml"
_BUILDS: dict[str, Path] = {}


def default_params() -> dict:
    """The default parameter set, as the runner reads it."""
    return yaml.safe_load(DEFAULT_PARAMS.read_text(encoding="utf-8"))


def compute_results(params: dict | None = None) -> tuple[dict, dict, object]:
    """Every study computed in-process, as 00_policy_brief and 06_town_profile do.

    Returns ``(results, profiles, inputs)``: ``results`` is {study: result dict}
    for the district studies and ``profiles`` is {town_code: profile result}.
    """
    p = params or default_params()
    inp = load_inputs(p)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # MissingDataWarning for the town without population: expected
        results = {"overview": studies.overview(inp), "distribution": studies.distribution(inp),
                   "fairness": studies.fairness(inp, p["need_weights"], p["top_n"]),
                   "scenarios": studies.scenarios(inp, p["need_weights"], p["floor_share"])}
        profiles = {code: studies.profile(inp, code) for code in inp.towns.index}
    return results, profiles, inp


def brief_findings(results: dict, inp) -> list:
    """The findings of 00_policy_brief, in the order the notebook builds them."""
    return (statements.overview_findings(results["overview"], inp.statuses)
            + statements.distribution_findings(results["distribution"], inp.towns, inp.statuses)
            + statements.fairness_findings(results["fairness"], inp.towns, inp.statuses)
            + statements.scenario_findings(results["scenarios"], inp.towns, inp.statuses))


def build(key: str, tmp_path_factory, only: list[str], overrides: list[str]) -> Path:
    """Run the runner once per session for ``key``; return the outputs folder."""
    if key not in _BUILDS:
        base = tmp_path_factory.mktemp(key)
        outputs = base / "outputs"
        code = run(params_file=DEFAULT_PARAMS, overrides=overrides, only=only, outputs=outputs, jobs=2, force=True)
        assert code == 0, f"runner failed for {key} (exit {code}); see the captured output"
        _BUILDS[key] = outputs
    return _BUILDS[key]


def town_slug(inp_towns, code: str = TOWN) -> str:
    return inp_towns.loc[code, "name_en"].lower().replace("'", "")


@pytest.fixture(scope="session")
def default_reports(tmp_path_factory) -> Path:
    """00_policy_brief and the 大良 town profile built by the runner on the default inputs."""
    return build("default_reports", tmp_path_factory, ["00_policy_brief", "06_town_profile"], [f"town={TOWN}"])


@pytest.fixture(scope="session")
def computed():
    """(results, profiles, inputs) on the default inputs, computed in-process."""
    return compute_results()


# ----------------------------------------------------------------- numbers in text
# A number as written: optional sign, digits with optional thousands separators, optional decimals and %.
# It must not continue an ASCII word or number ("v2" is no number; the 10 of "Top-10" is, without a sign;
# the en dash of "2017–2022" is no minus).  Chinese characters may touch a number ("第2名").
NUMBER = re.compile(r"(?<![0-9A-Za-z.])(?:(?<![0-9A-Za-z])[+\-−])?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?%?")


def numbers_in(text: str) -> list[str]:
    """Every number written in ``text``, as written (e.g. ``['2,007', '12.3%', '+1.5']``)."""
    return [m.group(0).replace("−", "-") for m in NUMBER.finditer(text)]

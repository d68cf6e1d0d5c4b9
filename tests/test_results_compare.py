"""The results store and ``compare``: rows match the findings; a need-weights change shows as exactly that.

Two builds of 05_scenarios_2023 that differ only in ``need_weights`` (draws=100 keeps them short).
The expected values come from the studies computed in-process, not from the store or the comparison.
"""

from __future__ import annotations

import html
import math
import re

import pandas as pd
import pytest

from shunde_workbook.build.compare import write_comparison
from shunde_workbook.narrative import statements
from shunde_workbook.narrative.findings import fmt_number
from shunde_workbook.results import load

from helpers import compute_results, default_params, reader_text, run_reports

pytestmark = pytest.mark.slow

REPORT = "05_scenarios_2023"
WEIGHTS_B = {"population": 0.9, "village_units": 0.1}


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory):
    root = tmp_path_factory.mktemp("results")
    a = run_reports(root / "a", [REPORT], ["draws=100"])
    b = run_reports(root / "b", [REPORT], ["draws=100", "need_weights={population: 0.9, village_units: 0.1}"])
    return a, b


def _expected(weights: dict | None = None) -> dict[str, float]:
    """{result field: value} of every number the scenario findings cite, computed in-process."""
    p = default_params()
    if weights:
        p["need_weights"] = weights
    results, _, inp = compute_results(p)
    found = statements.scenario_findings(results["scenarios"], inp.towns, inp.statuses)
    return {v.source: float(v.value) for f in found for v in f.values.values()}


def test_rows_match_the_findings(two_runs):
    a, _ = two_runs
    rows = pd.read_csv(a / "results" / f"{REPORT}.csv", dtype={"town": str}, keep_default_na=False)
    expected = _expected()
    got = dict(zip(rows["measure"], rows["value"].astype(float), strict=True))
    assert set(got) == set(expected)
    for measure, value in expected.items():
        assert math.isclose(got[measure], value, rel_tol=1e-9), measure
    # Every row of the key-findings box is written in that box, with its interval when it has one.
    page = html.unescape((a / "reports" / f"{REPORT}.html").read_text(encoding="utf-8"))
    box = reader_text(re.search(r'(?s)id="key-findings".*?</ul>', page).group(0))
    key = rows[rows["key_finding"].astype(str) == "True"]
    assert len(key) > 0
    for r in key.itertuples():
        assert fmt_number(float(r.value), r.kind, "zh") in box, r.measure
        if r.lo != "":
            assert float(r.lo) <= float(r.value) <= float(r.hi)
            assert fmt_number(float(r.lo), r.kind, "zh") in box
    # The grades recorded are the grades shown.
    shown = re.findall(r'id="key-findings".*?</ul>', page, flags=re.S)[0]
    assert sorted(set(re.findall(r'data-grade="(\w+)"', shown))) == sorted(set(key["grade"]))


def test_load_gives_one_table_across_runs(two_runs):
    a, b = two_runs
    both = load(a, b)
    assert len(both) == len(load(a)) + len(load(b / "results" / f"{REPORT}.csv"))
    assert both["run_id"].nunique() == 2 and both["run_id"].ne("").all()
    per_run = both.groupby("run_id")["param_hash"].unique()
    assert all(len(h) == 1 for h in per_run)  # one report, one parameter set per run
    assert per_run.iloc[0][0] != per_run.iloc[1][0]  # need_weights differ
    assert both["town"].str.fullmatch(r"(\d{9})?").all()


def test_compare_reports_exactly_need_weights_and_the_moved_measures(two_runs):
    a, b = two_runs
    files = write_comparison(a, b)
    params = pd.read_csv(files["parameters"])
    assert params["name"].tolist() == ["need_weights"]
    assert pd.read_csv(files["inputs"]).empty
    before, after = _expected(), _expected(WEIGHTS_B)
    moved = {m for m in before if not math.isclose(before[m], after[m], rel_tol=1e-9)}
    assert moved, "the need weights should move some scenario measures"
    measures = pd.read_csv(files["measures"], dtype={"town": str})
    assert set(measures["measure"]) == moved
    assert (measures["status"] == "changed").all()
    for r in measures.itertuples():
        assert math.isclose(r.change, after[r.measure] - before[r.measure], rel_tol=1e-9)
        assert math.isclose(r.relative, (after[r.measure] - before[r.measure]) / abs(before[r.measure]), rel_tol=1e-9)
    assert measures["relative"].abs().is_monotonic_decreasing
    # Both editions exist and B's index links the comparison.
    policy = files["policy"].read_text(encoding="utf-8")
    assert 'data-name="need_weights"' in policy and files["analyst"].exists()
    index = (b / "index.html").read_text(encoding="utf-8")
    assert f'href="comparisons/{files["policy"].name}"' in index

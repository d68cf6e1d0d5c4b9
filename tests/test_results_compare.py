"""The results store and ``compare``: rows match the findings and the exported tables; a need-weights change
shows as exactly that.

Two builds of 05_scenarios_2023 that differ only in ``need_weights`` (draws=100 keeps them short), and one of
04_fairness_need and the Daliang town profile (tables without a town column, intervals, a profile's town).
The expected values come from the studies computed in-process, or from the exported table CSVs (written by
``report/exports.py``), never from the store or the comparison.
"""

from __future__ import annotations

import html
import math
import re

import pandas as pd
import pytest

from shunde_workbook.experiments.compare import write_comparison
from shunde_workbook.narrative import statements
from shunde_workbook.narrative.findings import fmt_number
from shunde_workbook.results import load

from helpers import TOWN, compute_results, default_params, reader_text, run_reports

pytestmark = pytest.mark.slow

REPORT = "05_scenarios_2023"
WEIGHTS_B = {"population": 0.9, "village_units": 0.1}


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory):
    root = tmp_path_factory.mktemp("results")
    a = run_reports(root / "a", [REPORT], ["draws=100"])
    b = run_reports(root / "b", [REPORT], ["draws=100", "need_weights={population: 0.9, village_units: 0.1}"])
    return a, b


@pytest.fixture(scope="module")
def other_run(tmp_path_factory):
    """04_fairness_need and the Daliang profile (``town`` picks the one profile to build)."""
    root = tmp_path_factory.mktemp("results_other")
    return run_reports(root / "c", ["04_fairness_need", "06_town_profile"], ["draws=100", f"town={TOWN}"])


def _tables(outputs, report: str) -> dict[str, pd.DataFrame]:
    """{table key: the exported machine CSV} of one report."""
    return {
        p.stem.split("__", 1)[1]: pd.read_csv(p, encoding="utf-8-sig", dtype={"town_code": str})
        for p in sorted((outputs / "tables").glob(f"{report}__*.csv"))
    }


def _numeric(df: pd.DataFrame) -> list[str]:
    ids = {"town_code", "code", "year", "interval_lo", "interval_hi"}
    return [
        c
        for c in df.columns
        if pd.api.types.is_numeric_dtype(df[c]) and c not in ids and not c.endswith(("_lo", "_hi"))
    ]


def _table_moves(a, b) -> dict[tuple[str, str], float]:
    """{(measure, town): change} of every cell of REPORT's per-town tables that differs between runs a and b."""
    out = {}
    ta, tb = _tables(a, REPORT), _tables(b, REPORT)
    assert set(ta) == set(tb) and ta
    for key, x in ta.items():
        y = tb[key].set_index("town_code")
        for r in x.itertuples(index=False):
            for col in _numeric(x):
                va, vb = float(getattr(r, col)), float(y.loc[r.town_code, col])
                if not math.isclose(va, vb, rel_tol=1e-9):
                    out[(f"table.{key}.{col}", r.town_code)] = vb - va
    return out


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
    rows = rows[rows["source"] == "finding"]
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
    tables = both[both["source"] == "table"]
    assert tables.groupby("run_id").size().tolist() == [len(load(a).query("source == 'table'"))] * 2


def test_table_rows_match_the_exported_tables_cell_by_cell(two_runs, other_run):
    a, _ = two_runs
    for outputs, reports in ((a, [REPORT]), (other_run, ["04_fairness_need", "06_town_profile-daliang"])):
        store = load(outputs)
        for report in reports:
            rows = store[(store["report"] == report) & (store["source"] == "table")]
            tables = _tables(outputs, report)
            assert tables, report
            n_cells = 0
            for key, df in tables.items():
                mine = rows[rows["measure"].str.match(rf"table\.{key}(\[.*\])?\.")]
                for col in _numeric(df):
                    got = mine[mine["measure"].str.endswith(f".{col}")]
                    if "town_code" in df.columns:  # one row per town, named by its code
                        by_town = dict(zip(got["town"], got["value"], strict=True))
                        want = dict(zip(df["town_code"], df[col].astype(float), strict=True))
                        assert set(by_town) == set(want), (report, key, col)
                        for town, v in want.items():
                            assert by_town[town] == pytest.approx(v, rel=1e-9, nan_ok=True), (key, col, town)
                    else:  # rows named by their labels: the same values, row for row
                        want = df[col].astype(float).tolist()
                        assert sorted(got["value"].tolist()) == pytest.approx(sorted(want), rel=1e-9, nan_ok=True)
                    n_cells += len(df)
            assert len(rows) == n_cells, report  # no row without its cell
    # The inequality table's 90 % intervals go with their values; the Gini row is named by its catalogue key.
    store = load(other_run)
    ineq = _tables(other_run, "04_fairness_need")["inequality"]
    rows = store[store["measure"].str.startswith("table.inequality[")]
    triples = {
        (round(v, 12), round(lo, 12), round(hi, 12))
        for v, lo, hi in zip(rows["value"], rows["lo"], rows["hi"], strict=True)
        if not pd.isna(lo)
    }
    want = {
        (round(v, 12), round(lo, 12), round(hi, 12))
        for v, lo, hi in ineq[["value", "interval_lo", "interval_hi"]].dropna().itertuples(index=False)
    }
    assert triples == want and want
    gini = rows[rows["measure"] == "table.inequality[gini].value"]
    assert len(gini) == 1 and gini["lo"].iloc[0] < gini["value"].iloc[0] < gini["hi"].iloc[0]


def test_a_town_profile_records_its_town(other_run):
    rows = load(other_run)
    profile = rows[rows["report"] == "06_town_profile-daliang"]
    own = profile[profile["measure"].str.startswith("profile.") | (profile["source"] == "table")]
    assert len(own) > 0 and (own["source"] == "table").any() and (own["source"] == "finding").any()
    assert (own["town"] == TOWN).all()
    district = rows[rows["report"] == "04_fairness_need"]
    assert (district["town"] != TOWN).any()  # the district report's rows do not all take a town


def test_load_returns_both_runs_table_rows(two_runs, other_run):
    a, _ = two_runs
    both = load(a, other_run)
    tables = both[both["source"] == "table"]
    assert set(tables["report"]) == {REPORT, "04_fairness_need", "06_town_profile-daliang"}
    assert tables["run_id"].nunique() == 2
    assert len(tables) == len(load(a).query("source == 'table'")) + len(load(other_run).query("source == 'table'"))


def test_compare_reports_exactly_need_weights_and_the_moved_measures(two_runs):
    a, b = two_runs
    files = write_comparison(a, b)
    params = pd.read_csv(files["parameters"])
    assert params["name"].tolist() == ["need_weights"]
    assert pd.read_csv(files["inputs"]).empty
    before, after = _expected(), _expected(WEIGHTS_B)
    moved = {m for m in before if not math.isclose(before[m], after[m], rel_tol=1e-9)}
    assert moved, "the need weights should move some scenario measures"
    cells = _table_moves(a, b)
    assert any(m.startswith("table.allocations.need_weighted") for m, _ in cells)
    assert not any(m == "table.allocations.historical" for m, _ in cells)  # last year's money does not move
    measures = pd.read_csv(files["measures"], dtype={"town": str}, keep_default_na=False)
    is_table = measures["measure"].str.startswith("table.")
    assert set(measures.loc[~is_table, "measure"]) == moved
    assert set(zip(measures.loc[is_table, "measure"], measures.loc[is_table, "town"], strict=True)) == set(cells)
    assert (measures["status"] == "changed").all()
    for r in measures[~is_table].itertuples():
        assert math.isclose(r.change, after[r.measure] - before[r.measure], rel_tol=1e-9)
        assert math.isclose(r.relative, (after[r.measure] - before[r.measure]) / abs(before[r.measure]), rel_tol=1e-9)
    for r in measures[is_table].itertuples():
        assert r.change == pytest.approx(cells[(r.measure, r.town)], rel=1e-9, abs=1e-9)
    assert measures["relative"].astype(float).abs().fillna(float("inf")).is_monotonic_decreasing
    # Both editions exist and B's index links the comparison.
    policy = files["policy"].read_text(encoding="utf-8")
    assert 'data-name="need_weights"' in policy and files["analyst"].exists()
    index = (b / "index.html").read_text(encoding="utf-8")
    assert f'href="comparisons/{files["policy"].name}"' in index

"""A measures-only sweep gives every set exactly the numbers that set gets when it is computed alone.

The sweep shares work between sets in a worker (inputs loaded once, the population and grant
draws and the scenarios' input tables reused, the table built over all sets at once); none of
that may change a number.  Six sets that vary the need weights, the floor share and the
population basis run as one sweep on two forked workers; each is then computed again on its own
in a fresh state (every per-process memory cleared), and the rows must be equal bit for bit.  The
same sweep on a Dask LocalCluster gives the same table.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from shunde_workbook.analysis import evidence as evidence_mod
from shunde_workbook.experiments import measures
from shunde_workbook.experiments.measures_sweep import run_measures_sweep
from shunde_workbook.experiments.sweep import SetPlan
from shunde_workbook.params import coerce, load_param_file

from helpers import DEFAULT_PARAMS

QUICK = {"draws": 200, "seed_ensemble": 3}
SETS = [
    {"need_weights": {"population": 0.2, "village_units": 0.8}, "floor_share": 0.3},
    {"need_weights": {"population": 0.2, "village_units": 0.8}, "floor_share": 0.6},
    {"need_weights": {"population": 0.7, "village_units": 0.3}, "floor_share": 0.3},
    {
        "need_weights": {"population": 0.2, "village_units": 0.8},
        "floor_share": 0.3,
        "population_basis": "best_available",
    },
    {
        "need_weights": {"population": 0.7, "village_units": 0.3},
        "floor_share": 0.1,
        "population_basis": "best_available",
    },
    {"need_weights": {"population": 0.7, "village_units": 0.3}, "floor_share": 0.6},
]


def _alone(params: dict) -> list[dict]:
    """One set's rows computed with nothing remembered from any other set."""
    measures._MEMO.clear()
    evidence_mod.clear_caches()
    merged = {**coerce(load_param_file(DEFAULT_PARAMS)), **params}
    return measures.measure_set(merged)


@pytest.fixture(scope="module")
def swept(tmp_path_factory) -> pd.DataFrame:
    tmp = tmp_path_factory.mktemp("exact")
    data = {"base": str(DEFAULT_PARAMS), "outputs": str(tmp / "sweep"), "sets": [{**QUICK, **s} for s in SETS]}
    path = tmp / "SWEEP.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    measures._MEMO.clear()
    evidence_mod.clear_caches()
    assert run_measures_sweep(path, jobs=2) == 0
    return pd.read_parquet(tmp / "sweep" / "measures.parquet")


def test_every_set_of_a_sweep_equals_the_set_computed_alone(swept):
    assert sorted(swept["set_index"].unique()) == list(range(1, len(SETS) + 1))
    value_cols = list(measures.COLUMNS[4:])
    for i, params in enumerate(SETS, 1):
        mine = swept[swept["set_index"] == i][value_cols].reset_index(drop=True)
        alone = pd.DataFrame(_alone({**QUICK, **params}), columns=value_cols).astype(
            {"value": float, "lo": float, "hi": float}
        )
        pd.testing.assert_frame_equal(mine, alone, check_exact=True, check_dtype=False, obj=f"set {i}")
        assert json.loads(swept.loc[swept["set_index"] == i, "parameters"].iloc[0]) == {**QUICK, **params}


def test_a_dask_local_cluster_gives_the_same_table(swept, tmp_path):
    """Its workers are forked after the first set, like the pool's: the same rows, set by set."""
    pytest.importorskip("distributed")
    data = {"base": str(DEFAULT_PARAMS), "outputs": str(tmp_path / "sweep"), "sets": [{**QUICK, **s} for s in SETS]}
    path = tmp_path / "SWEEP.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    measures._MEMO.clear()
    evidence_mod.clear_caches()
    assert run_measures_sweep(path, jobs=2, dask="local") == 0
    on_dask = pd.read_parquet(tmp_path / "sweep" / "measures.parquet")
    pd.testing.assert_frame_equal(on_dask, swept, check_exact=True)


def test_the_sets_differ_where_their_parameters_do(swept):
    """Guard against a memory that hands one set's numbers to the next: the swept parameters show."""
    rows = swept.set_index(["set_index", "measure", "town"])["value"]
    floor = rows.xs(("metric.alloc_floor_plus_need", "440606005"), level=("measure", "town"))
    assert floor[1] != floor[2] and floor[1] != floor[3]  # floor share, then need weights
    pop = rows.xs(("metric.population", "440606005"), level=("measure", "town"))
    assert pop[1] != pop[4] and pop[1] == pop[2]  # population basis; same basis, same population
    gini = rows.xs(("metric.gini", ""), level=("measure", "town"))
    assert gini[1] == gini[2] == gini[3] and gini[1] != gini[4]


def test_the_table_keeps_each_sets_rows_in_order(tmp_path):
    """:func:`measures.table` over several sets: each set's rows as a DataFrame of its own, failed sets left out."""
    rows = [
        {"measure": "metric.gini", "town": "", "value": 0.25, "lo": 0.2, "hi": 0.3, "grade": "", "finding": "",
         "source": "metric"},
        {"measure": "fairness.x", "town": "440606005", "value": None, "lo": None, "hi": 1.5, "grade": "noise",
         "finding": "f1", "source": "finding"},
    ]  # fmt: skip
    merged = {"need_weights": {"population": 0.4}, "language": "en"}
    plans = [SetPlan(i, {"k": i}, merged, tmp_path / f"set-{i}", 0) for i in (1, 2, 3)]
    out = measures.table(
        {1: {"rows": rows}, 2: {"error": "boom"}, 3: {"rows": rows[::-1]}}, plans, "need_weights.population"
    )
    assert out["set_index"].tolist() == [1, 1, 3, 3] and out["set_id"].tolist() == ["set-1"] * 2 + ["set-3"] * 2
    assert out["x"].eq(0.4).all() and out["parameters"].tolist() == ['{"k": 1}'] * 2 + ['{"k": 3}'] * 2
    assert out["measure"].tolist() == ["metric.gini", "fairness.x", "fairness.x", "metric.gini"]
    assert np.isnan(out.loc[1, "value"]) and out.loc[1, "hi"] == 1.5 and out.loc[3, "lo"] == 0.2
    assert list(out.columns) == list(measures.COLUMNS)
    assert measures.table({1: {"error": "boom"}}, plans[:1], None).empty


def test_a_grid_page_counts_no_failures_for_sets_it_does_not_chart(tmp_path):
    """With two swept parameters the page charts one slice, and says no set failed (all were measured)."""
    from shunde_workbook.narrative.text import tr

    data = {
        "base": str(DEFAULT_PARAMS),
        "outputs": str(tmp_path / "sweep"),
        "grid": {"draws": [100], "seed_ensemble": [2], "floor_share": [0.2, 0.4], "top_n": [5, 10]},
        "x": "floor_share",
        "measures": ["gini"],
    }
    path = Path(tmp_path / "SWEEP.yaml")
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    assert run_measures_sweep(path, jobs=1) == 0
    page = (tmp_path / "sweep" / "measures.html").read_text(encoding="utf-8")
    assert tr("sweep.measures_only.failed", "zh", n=2, file="measures.json") not in page
    assert "组参数计算失败" not in page

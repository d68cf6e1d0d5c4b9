"""A ledger's facts (towns, provenance, years, mix, series break) are worked out once per run, and kernels
that read them check and describe the ledger as before without reading its rows."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest

from shunde_workbook.analysis.inputs import load_inputs
from shunde_workbook.analysis.ledger_facts import LedgerFacts
from shunde_workbook.data.cache import CACHE_ENV
from shunde_workbook.errors import InputError
from shunde_workbook.params import resolve_path

from helpers import default_params


def _rows(**columns) -> pd.DataFrame:
    return pd.DataFrame(columns)


def test_facts_of_a_small_ledger():
    full = _rows(
        town_code=["440606005", " 440606006 ", "", None, "440606005"],
        programme=["众创共善", "众创共善", "和美社区", "和美社区", "和美社区"],
        year=[2017, 2018, 2019, 2020, 2023],
        amount=[100.0, 300.0, 200.0, 400.0, 1000.0],
        provenance=["official", "simulated", "simulated", "official", "simulated"],
    )
    scoped = full[full["year"] <= 2022]
    facts = LedgerFacts.of(full, scoped)
    assert (facts.rows, facts.scoped_rows) == (5, 4)
    assert facts.town_codes == ("440606005", "440606006")  # stripped, blanks and missing left out
    assert facts.status == "mixed: official, simulated"
    assert facts.years == (2017, 2020) and facts.data_date == "2017–2020"
    # simulated: rows 2 and 3 of the scope (2 of 4 rows, 500 of 1,000 元)
    assert facts.mix == {
        "rows_share": 0.5,
        "amount_share": 0.5,
        "where": [("众创共善", [2018]), ("和美社区", [2019])],
        "others": ["official"],
    }
    assert facts.series_break  # 和美社区 enters in 2019, after 2017
    assert not LedgerFacts.of(full, scoped[scoped["programme"] == "众创共善"]).series_break
    empty = LedgerFacts.of(full, scoped.iloc[:0])
    assert empty.years is None and empty.data_date == "—" and not empty.series_break
    assert LedgerFacts.of(full, scoped.drop(columns="provenance")).mix is None
    bare = full.drop(columns=["provenance", "town_code"])  # a hand-made table, as tests and students build
    assert LedgerFacts.of(bare, bare).status == "unknown" and LedgerFacts.of(bare, bare).town_codes == ()


@pytest.fixture
def run_cache(monkeypatch, tmp_path):
    """A run's cache folder with the default ledger validated in it, as the runner leaves it."""
    from shunde_workbook.runner.precompute import cache_ledgers

    params = default_params()
    monkeypatch.delenv(CACHE_ENV, raising=False)
    monkeypatch.delenv("ARROW_DEFAULT_MEMORY_POOL", raising=False)  # set by cache_ledgers: restored after
    cache_ledgers({str(resolve_path(params["ledger_path"])): {"parameter": "ledger_path"}}, tmp_path)
    return params


def test_a_kernel_after_the_first_reads_no_rows_until_asked_and_says_the_same(run_cache, monkeypatch):
    params = run_cache
    first = load_inputs(params)  # works out the facts from the rows
    second = load_inputs(params)  # another kernel of the run
    assert "ledger" in vars(first) and "ledger" not in vars(second) and "full_ledger" not in vars(second)
    assert second.facts == first.facts == LedgerFacts.of(first.full_ledger, first.ledger)
    assert second.statuses == first.statuses and second.data_date == first.data_date == "2017–2022"
    assert "ledger" not in vars(second)
    pd.testing.assert_frame_equal(second.ledger, first.ledger)  # read on first use
    pd.testing.assert_frame_equal(second.full_ledger, first.full_ledger)
    assert second.facts == first.facts  # still the tables it was loaded with


def test_a_town_missing_from_the_town_table_is_named_by_every_kernel(run_cache, monkeypatch, tmp_path):
    params = run_cache
    load_inputs(params, boundaries=False)  # the facts are in the run's cache
    towns = pd.read_csv(resolve_path(params["towns_path"]), dtype={"town_code": str})
    short = tmp_path / "towns_short.csv"
    towns[towns["town_code"] != "440606005"].to_csv(short, index=False)
    with pytest.raises(InputError) as in_run:
        load_inputs({**params, "towns_path": str(short)}, boundaries=False)
    monkeypatch.delenv(CACHE_ENV)
    with pytest.raises(InputError) as alone:
        load_inputs({**params, "towns_path": str(short)}, boundaries=False)
    assert str(in_run.value) == str(alone.value)
    assert "440606005" in str(in_run.value) and "grant(s)" in str(in_run.value)


def test_a_ledger_assigned_to_the_inputs_is_described_by_its_own_facts(run_cache):
    params = run_cache
    load_inputs(params, boundaries=False)
    inp = load_inputs(params, boundaries=False)
    inp.ledger = inp.ledger[inp.ledger["year"] == 2019]
    assert inp.data_date == "2019–2019"
    assert inp.facts.scoped_rows == len(inp.ledger) and inp.ledger_key() is inp.ledger


def test_too_few_grants_in_the_scope_is_an_error_in_every_kernel(run_cache):
    params = {**run_cache, "fields": ["no such field"]}
    for _ in range(2):
        with pytest.raises(InputError, match="Only 0 grant"):
            load_inputs(params, boundaries=False)


def test_the_town_table_is_built_once_per_run_and_read_by_the_other_kernels(run_cache, monkeypatch, tmp_path):
    from shunde_workbook.analysis import inputs as inputs_module

    params = run_cache
    outside = load_inputs(params, boundaries=False)  # the first kernel builds it
    cache = Path(os.environ[CACHE_ENV])
    assert len(list(cache.glob("towns-*.pkl"))) == 2, "the published figures and the table on the run's basis"

    def no_build(*args, **kwargs):
        raise AssertionError("a kernel after the first built the town table again")

    monkeypatch.setattr(inputs_module, "town_table", no_build)
    monkeypatch.setattr(inputs_module, "with_basis", no_build)
    again = load_inputs(params, boundaries=False)
    pd.testing.assert_frame_equal(again.towns, outside.towns)
    # another basis, or other bytes in the population file, is another entry: built, not read
    with pytest.raises(AssertionError, match="built the town table again"):
        load_inputs({**params, "population_basis": "best_available"}, boundaries=False)
    changed = tmp_path / "population.csv"
    changed.write_text(resolve_path(params["population_path"]).read_text("utf-8-sig") + "\n", "utf-8")
    with pytest.raises(AssertionError, match="built the town table again"):
        load_inputs({**params, "population_path": str(changed)}, boundaries=False)


def test_the_boundaries_are_read_once_per_run_and_the_other_kernels_need_no_gdal(run_cache, tmp_path):
    """The first kernel reads and checks the boundary file; the others unpickle it without pyogrio."""
    import json
    import subprocess
    import sys

    script = (
        "import json, sys; from shunde_workbook.analysis.inputs import load_inputs\n"
        "inp = load_inputs(json.loads(sys.argv[1]))\n"
        "print(json.dumps({'pyogrio': 'pyogrio' in sys.modules, 'towns': inp.boundaries['town_code'].tolist(),"
        " 'area': float(inp.boundaries.area.sum()), 'crs': inp.boundaries.crs.to_string()}))"
    )
    env = {**os.environ}  # the run's cache folder (SHUNDE_WORKBOOK_CACHE), as every kernel inherits it
    seen = []
    for _ in range(2):
        res = subprocess.run(
            [sys.executable, "-c", script, json.dumps(run_cache, default=str)], capture_output=True, text=True, env=env
        )
        assert res.returncode == 0, res.stderr[-2000:]
        seen.append(json.loads(res.stdout.strip().splitlines()[-1]))
    assert [s.pop("pyogrio") for s in seen] == [True, False]
    assert seen[0] == seen[1] and len(seen[0]["towns"]) == 10
    assert len(list(Path(os.environ[CACHE_ENV]).glob("boundaries-*.pkl"))) == 1


@pytest.mark.parametrize("programmes", [["众创共善", "和美社区"], ["和美社区"]])
def test_the_runner_leaves_the_facts_and_rows_of_the_runs_scope_for_every_kernel(programmes, monkeypatch, tmp_path):
    from shunde_workbook.analysis import inputs as inputs_module
    from shunde_workbook.params import scope_of
    from shunde_workbook.runner.precompute import cache_ledgers

    params = {**default_params(), "programmes": programmes}
    expected = load_inputs(params, boundaries=False)  # outside a run: worked out here
    monkeypatch.delenv(CACHE_ENV, raising=False)
    monkeypatch.delenv("ARROW_DEFAULT_MEMORY_POOL", raising=False)  # set by cache_ledgers: restored after
    ledger = str(resolve_path(params["ledger_path"]))
    cache_ledgers({ledger: {"parameter": "ledger_path"}}, tmp_path, scope_of(params))  # as the runner's child

    def no_facts(*args):
        raise AssertionError("a kernel worked the facts out again")

    monkeypatch.setattr(inputs_module.LedgerFacts, "of", no_facts)
    monkeypatch.setattr(inputs_module, "filter_ledger", no_facts)
    first = load_inputs(params, boundaries=False)  # the run's first kernel reads what the runner kept
    assert "ledger" not in vars(first), "the first kernel read the rows before anything asked for them"
    assert first.facts == expected.facts
    pd.testing.assert_frame_equal(first.ledger, expected.ledger)  # read on first use, not filtered again

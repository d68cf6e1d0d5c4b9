"""Town profiles in a run read their own town's rows, split once per run, and say exactly what they said
from the district's rows."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from shunde_workbook.analysis import by_town, studies
from shunde_workbook.analysis.inputs import load_inputs
from shunde_workbook.data.cache import CACHE_ENV
from shunde_workbook.params import resolve_path

from helpers import default_params


def assert_same(a, b, where="profile"):
    """``a`` and ``b`` equal exactly: frames and series with their dtypes and index, numbers bit for bit."""
    if isinstance(a, dict):
        assert sorted(a) == sorted(b), where
        for key in a:
            assert_same(a[key], b[key], f"{where}[{key!r}]")
    elif isinstance(a, pd.DataFrame):
        pd.testing.assert_frame_equal(a, b, check_exact=True, obj=where)
    elif isinstance(a, pd.Series):
        pd.testing.assert_series_equal(a, b, check_exact=True, obj=where)
    elif isinstance(a, float) and np.isnan(a):
        assert np.isnan(b), where
    else:
        assert a == b and type(a) is type(b), where


@pytest.fixture
def params(monkeypatch):
    monkeypatch.delenv(CACHE_ENV, raising=False)
    return default_params()


@pytest.fixture
def alone(params):
    """The profiles of every town computed from the district's rows, outside a run."""
    inp = load_inputs(params, boundaries=False)
    return {town: studies.profile(inp, town) for town in inp.towns.index}


def _in_a_run(monkeypatch, tmp_path, params):
    from shunde_workbook.runner.precompute import cache_ledgers

    monkeypatch.delenv("ARROW_DEFAULT_MEMORY_POOL", raising=False)  # set by cache_ledgers: restored after
    cache_ledgers({str(resolve_path(params["ledger_path"])): {"parameter": "ledger_path"}}, tmp_path)


def test_in_a_run_each_profile_reads_its_town_only_and_says_the_same(params, alone, monkeypatch, tmp_path):
    _in_a_run(monkeypatch, tmp_path, params)
    load_inputs(params, boundaries=False)  # the first kernel: the facts go to the run's cache
    calls = []
    real = by_town.town_totals
    monkeypatch.setattr(by_town, "town_totals", lambda led: calls.append(len(led)) or real(led))
    for town, expected in alone.items():
        inp = load_inputs(params, boundaries=False)  # a kernel per town
        split = bool(calls)
        assert_same(studies.profile(inp, town), expected, town)
        if split:  # the first profile splits the ledger; the others never read the district's rows
            assert "ledger" not in vars(inp), town
    assert len(calls) == 1
    assert len(list(tmp_path.glob("bytown-*-*.pkl"))) == len(alone)


def test_inputs_given_another_ledger_are_profiled_from_it(params, monkeypatch, tmp_path):
    _in_a_run(monkeypatch, tmp_path, params)
    inp = load_inputs(params, boundaries=False)
    town = inp.towns.index[0]
    studies.profile(inp, town)  # the run's split exists
    fewer = dataclasses.replace(inp, ledger=inp.ledger[inp.ledger["year"] >= 2020])
    got = studies.profile(fewer, town)
    monkeypatch.delenv(CACHE_ENV)
    assert_same(got, studies.profile(fewer, town))
    assert got["amount"] < studies.profile(inp, town)["amount"]


def test_a_part_that_could_not_be_written_is_taken_from_the_rows(params, alone, monkeypatch, tmp_path):
    _in_a_run(monkeypatch, tmp_path, params)
    inp = load_inputs(params, boundaries=False)
    town = inp.towns.index[1]
    studies.profile(inp, town)
    for part in tmp_path.glob(f"bytown-*-{town}.pkl"):
        part.unlink()  # as after a full disk
    assert_same(studies.profile(load_inputs(params, boundaries=False), town), alone[town])

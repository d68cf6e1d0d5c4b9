"""The reconciliation is computed once per loaded ledger and once per run, and only for the ledger it is about."""

import dataclasses

import pandas as pd
import pytest

from shunde_workbook.analysis import reconciled as rec
from shunde_workbook.analysis.inputs import load_inputs
from shunde_workbook.data import reconcile as reconcile_mod
from shunde_workbook.data.cache import CACHE_ENV, read_ledger
from shunde_workbook.params import resolve_path

from helpers import default_params

REAL = reconcile_mod.reconcile


@pytest.fixture
def counted(monkeypatch):
    calls = []

    def counting(ledger, *args, **kw):
        calls.append(len(ledger))
        return REAL(ledger, *args, **kw)

    monkeypatch.setattr(reconcile_mod, "reconcile", counting)
    return calls


def test_once_per_inputs_and_equal_to_a_fresh_reconciliation(counted, monkeypatch):
    monkeypatch.delenv(CACHE_ENV, raising=False)
    inp = load_inputs(default_params(), boundaries=False)
    first = rec.reconciled(inp)
    assert rec.reconciled(inp) is first
    assert counted == [len(inp.full_ledger)]
    pd.testing.assert_frame_equal(first, REAL(inp.full_ledger))


def test_a_run_reconciles_its_ledger_once_for_every_kernel(counted, monkeypatch, tmp_path):
    monkeypatch.setenv(CACHE_ENV, str(tmp_path))
    one = rec.reconciled(load_inputs(default_params(), boundaries=False))
    other_kernel = load_inputs(default_params(), boundaries=False)
    two = rec.reconciled(other_kernel)
    assert len(counted) == 1 and list(tmp_path.glob("reconciled-*.pkl"))
    pd.testing.assert_frame_equal(one, two)


def test_another_ledger_is_reconciled_itself_not_read_from_the_run(counted, monkeypatch, tmp_path):
    monkeypatch.setenv(CACHE_ENV, str(tmp_path))
    inp = load_inputs(default_params(), boundaries=False)
    full = rec.reconciled(inp)
    halved = inp.full_ledger.assign(amount=inp.full_ledger["amount"] / 2)
    copy = dataclasses.replace(inp, full_ledger=halved)
    assert rec.reconciled(copy) is not full
    inp.full_ledger = halved  # assigned in place of the loaded table
    changed = rec.reconciled(inp)
    assert len(counted) == 3
    assert not changed.equals(full)
    pd.testing.assert_frame_equal(changed, rec.reconciled(copy))


def test_in_a_run_the_kernels_read_the_runners_reconciliation_without_the_full_ledger(counted, monkeypatch, tmp_path):
    from shunde_workbook.runner.precompute import cache_ledgers

    params = default_params()
    ledger = resolve_path(params["ledger_path"])
    monkeypatch.delenv(CACHE_ENV, raising=False)
    monkeypatch.delenv("ARROW_DEFAULT_MEMORY_POOL", raising=False)  # set by cache_ledgers: restored after
    cache_ledgers({str(ledger): {"parameter": "ledger_path"}}, tmp_path)  # sets CACHE_ENV, as the runner does
    assert counted == [len(read_ledger(ledger))]  # reconciled once, by the runner
    inp = load_inputs(params, boundaries=False)
    assert len(inp.ledger) < len(read_ledger(ledger))  # the default years leave 2023 out: a table of its own
    assert "full_ledger" not in vars(inp)  # left in the run's cache
    table = rec.reconciled(inp)
    assert "full_ledger" not in vars(inp) and len(counted) == 1
    pd.testing.assert_frame_equal(table, REAL(read_ledger(ledger)))
    pd.testing.assert_frame_equal(inp.full_ledger, read_ledger(ledger))  # read on first use
    assert inp.read_from() == ledger and rec.reconciled(inp) is table
    copy = dataclasses.replace(inp)
    assert copy.read_from() is None and copy.full_ledger is inp.full_ledger


def test_outside_a_run_the_full_ledger_is_kept(monkeypatch):
    monkeypatch.delenv(CACHE_ENV, raising=False)
    inp = load_inputs(default_params(), boundaries=False)
    assert "full_ledger" in vars(inp) and len(inp.full_ledger) > len(inp.ledger)


def test_a_run_filters_its_ledger_once_for_every_kernel(monkeypatch, tmp_path):
    from shunde_workbook.analysis import inputs as inputs_mod
    from shunde_workbook.runner.precompute import cache_ledgers

    params = default_params()
    ledger = resolve_path(params["ledger_path"])
    monkeypatch.delenv(CACHE_ENV, raising=False)
    monkeypatch.delenv("ARROW_DEFAULT_MEMORY_POOL", raising=False)  # set by cache_ledgers: restored after
    cache_ledgers({str(ledger): {"parameter": "ledger_path"}}, tmp_path)
    calls = []
    real = inputs_mod.filter_ledger
    monkeypatch.setattr(inputs_mod, "filter_ledger", lambda *a: calls.append(a[1:]) or real(*a))
    first = load_inputs(params, boundaries=False).ledger
    second = load_inputs(params, boundaries=False).ledger  # another kernel of the same run
    assert len(calls) == 1 and list(tmp_path.glob("scoped-*.pkl"))
    expected = real(read_ledger(ledger), params["programmes"], params["year_start"], params["year_end"])
    pd.testing.assert_frame_equal(first, expected)
    pd.testing.assert_frame_equal(second, expected)
    load_inputs({**params, "year_end": 2020}, boundaries=False)  # another scope: filtered, not read
    assert len(calls) == 2


def test_a_reconciliation_that_fails_in_the_runner_is_left_to_the_kernels(monkeypatch, tmp_path):
    from shunde_workbook.runner.precompute import cache_ledgers

    ledger = resolve_path(default_params()["ledger_path"])
    monkeypatch.delenv(CACHE_ENV, raising=False)
    monkeypatch.delenv("ARROW_DEFAULT_MEMORY_POOL", raising=False)  # set by cache_ledgers: restored after

    def broken(*a, **k):
        raise KeyError("programme_title")

    monkeypatch.setattr(reconcile_mod, "reconcile", broken)
    cache_ledgers({str(ledger): {"parameter": "ledger_path"}}, tmp_path)  # does not raise
    assert list(tmp_path.glob("ledger-*.pkl")) and not list(tmp_path.glob("reconciled-*.pkl"))
    with pytest.raises(KeyError, match="programme_title"):  # the report raises it, as it would without a run
        rec.reconciled(load_inputs(default_params(), boundaries=False))

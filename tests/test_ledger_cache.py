"""The runner validates a ledger once per run; kernels read the cached frame keyed by the file's bytes."""

import pandas as pd

from shunde_workbook.build.runner import _cache_ledgers
from shunde_workbook.data.cache import CACHE_ENV, ledger_cache_file, read_ledger

from helpers import ROOT

LEDGER = ROOT / "data/raw/grants_simulated.csv"


def test_cache_is_written_for_a_valid_ledger_and_read_back(tmp_path, monkeypatch):
    monkeypatch.delenv(CACHE_ENV, raising=False)
    _cache_ledgers({str(LEDGER): {"parameter": "ledger_path"}}, tmp_path)
    cached = ledger_cache_file(LEDGER, tmp_path)
    assert cached.exists()
    monkeypatch.setenv(CACHE_ENV, str(tmp_path))
    pd.testing.assert_frame_equal(read_ledger(LEDGER), pd.read_pickle(cached))


def test_cached_frame_is_what_kernels_get(tmp_path, monkeypatch):
    # A marker frame under the ledger's key proves read_ledger takes the cache rather than re-validating.
    marker = pd.DataFrame({"identifier": ["cached"]})
    marker.to_pickle(ledger_cache_file(LEDGER, tmp_path))
    monkeypatch.setenv(CACHE_ENV, str(tmp_path))
    assert read_ledger(LEDGER)["identifier"].tolist() == ["cached"]


def test_a_changed_file_misses_the_cache(tmp_path, monkeypatch):
    copy = tmp_path / "ledger.csv"
    copy.write_bytes(LEDGER.read_bytes())
    pd.DataFrame({"identifier": ["stale"]}).to_pickle(ledger_cache_file(copy, tmp_path))
    copy.write_bytes(LEDGER.read_bytes().replace(b"\n", b"\r\n", 1))  # same rows, different bytes
    monkeypatch.setenv(CACHE_ENV, str(tmp_path))
    assert read_ledger(copy)["identifier"].tolist() != ["stale"]


def test_invalid_ledger_is_not_cached(tmp_path, monkeypatch):
    bad = tmp_path / "bad.csv"
    bad.write_text("Identifier,Amount Awarded\nX,-1\n", encoding="utf-8")
    monkeypatch.delenv(CACHE_ENV, raising=False)
    _cache_ledgers({str(bad): {"parameter": "ledger_path"}}, tmp_path / "cache")
    assert not list((tmp_path / "cache").glob("ledger-*.pkl"))

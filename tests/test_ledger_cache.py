"""The runner validates a ledger once per run; kernels read the cached report keyed by the file's bytes."""

import pandas as pd
import pytest

from shunde_workbook.data.cache import CACHE_ENV, ledger_cache_file, read_ledger, read_validation, summary_cache_file
from shunde_workbook.data.ledger import ValidationReport, load_ledger, validate_ledger
from shunde_workbook.errors import LedgerError
from shunde_workbook.runner.precompute import cache_ledgers as _cache_ledgers

from helpers import ROOT

LEDGER = ROOT / "data/raw/grants_simulated.csv"


def _marker(path, tag: str) -> ValidationReport:
    return ValidationReport(str(path), "utf-8", pd.DataFrame({"identifier": [tag]}))


def test_cache_is_written_for_a_valid_ledger_and_read_back(tmp_path, monkeypatch):
    monkeypatch.delenv(CACHE_ENV, raising=False)
    _cache_ledgers({str(LEDGER): {"parameter": "ledger_path"}}, tmp_path)
    cached = ledger_cache_file(LEDGER, tmp_path)
    assert cached.exists()
    monkeypatch.setenv(CACHE_ENV, str(tmp_path))
    pd.testing.assert_frame_equal(read_ledger(LEDGER), load_ledger(LEDGER))
    report, fresh = read_validation(LEDGER), validate_ledger(LEDGER)
    assert [str(w) for w in report.warnings] == [str(w) for w in fresh.warnings]
    assert [str(f) for f in report.fixes] == [str(f) for f in fresh.fixes]


def test_the_report_without_rows_keeps_every_count_and_message(tmp_path, monkeypatch):
    """What the data audit reads: the counts and the messages, not the 100 MB of a large ledger's rows."""
    bad = tmp_path / "bad.csv"
    frame = pd.read_csv(LEDGER, dtype=str)
    frame.loc[3, "Amount Awarded"] = "lots"  # one error, so the report has a rejected row to name
    frame.to_csv(bad, index=False)
    monkeypatch.delenv(CACHE_ENV, raising=False)
    for path in (LEDGER, bad):
        full, light = validate_ledger(path), read_validation(path, rows=False)
        assert light.frame.shape == (len(full.frame), 0) and light.passthrough is None
        assert (light.n_rows, light.n_accepted, light.n_rejected) == (full.n_rows, full.n_accepted, full.n_rejected)
        assert light.rejected_rows == full.rejected_rows and light.ok == full.ok
        for kind in ("errors", "warnings", "fixes"):
            assert [str(x) for x in getattr(light, kind)] == [str(x) for x in getattr(full, kind)]
    assert not validate_ledger(bad).ok
    # in a run it is read from the cache, where the runner stored it beside the whole report
    _cache_ledgers({str(LEDGER): {"parameter": "ledger_path"}}, tmp_path / "cache")
    assert summary_cache_file(LEDGER, tmp_path / "cache").exists()
    pd.to_pickle(_marker(LEDGER, "summary").without_rows(), summary_cache_file(LEDGER, tmp_path / "cache"))
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "cache"))
    assert read_validation(LEDGER, rows=False).n_accepted == 1, "the run's summary was not the one read"


def test_cached_report_is_what_kernels_get(tmp_path, monkeypatch):
    # A marker under the ledger's key proves read_ledger and read_validation take the cache.
    pd.to_pickle(_marker(LEDGER, "cached"), ledger_cache_file(LEDGER, tmp_path))
    monkeypatch.setenv(CACHE_ENV, str(tmp_path))
    assert read_ledger(LEDGER)["identifier"].tolist() == ["cached"]
    assert read_validation(str(LEDGER)).frame["identifier"].tolist() == ["cached"]


def test_a_report_made_for_another_spelling_of_the_path_is_not_used(tmp_path, monkeypatch):
    # Messages name the file as given; a report written for another spelling would name it differently.
    pd.to_pickle(_marker("elsewhere/grants.csv", "cached"), ledger_cache_file(LEDGER, tmp_path))
    monkeypatch.setenv(CACHE_ENV, str(tmp_path))
    assert read_ledger(LEDGER)["identifier"].tolist() != ["cached"]


def test_a_changed_file_misses_the_cache(tmp_path, monkeypatch):
    copy = tmp_path / "ledger.csv"
    copy.write_bytes(LEDGER.read_bytes())
    pd.to_pickle(_marker(copy, "stale"), ledger_cache_file(copy, tmp_path))
    copy.write_bytes(LEDGER.read_bytes().replace(b"\n", b"\r\n", 1))  # same rows, different bytes
    monkeypatch.setenv(CACHE_ENV, str(tmp_path))
    assert read_ledger(copy)["identifier"].tolist() != ["stale"]


def test_an_invalid_ledger_is_cached_and_every_kernel_raises_the_same_error(tmp_path, monkeypatch):
    bad = tmp_path / "bad.csv"
    bad.write_text("Identifier,Amount Awarded\nX,-1\n", encoding="utf-8")
    monkeypatch.delenv(CACHE_ENV, raising=False)
    with pytest.raises(LedgerError) as fresh:
        load_ledger(bad)
    _cache_ledgers({str(bad): {"parameter": "ledger_path"}}, tmp_path / "cache")
    assert ledger_cache_file(bad, tmp_path / "cache").exists()
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "cache"))
    with pytest.raises(LedgerError) as cached:
        read_ledger(bad)
    assert str(cached.value) == str(fresh.value)
    assert len(read_validation(bad).errors) == len(fresh.value.report.errors) > 0


def test_the_runs_kernels_get_the_system_allocator_unless_the_user_chose_one(tmp_path, monkeypatch):
    """Arrow's bundled allocator keeps freed memory; the kernels inherit the runner's environment."""
    import os

    monkeypatch.delenv(CACHE_ENV, raising=False)
    monkeypatch.delenv("ARROW_DEFAULT_MEMORY_POOL", raising=False)
    _cache_ledgers({str(LEDGER): {"parameter": "ledger_path"}}, tmp_path)
    assert os.environ["ARROW_DEFAULT_MEMORY_POOL"] == "system"
    monkeypatch.setenv("ARROW_DEFAULT_MEMORY_POOL", "jemalloc")
    _cache_ledgers({str(LEDGER): {"parameter": "ledger_path"}}, tmp_path)
    assert os.environ["ARROW_DEFAULT_MEMORY_POOL"] == "jemalloc"

"""Input hashes are taken once per process and per run, and never outlive a change to the file."""

import json
import os

import pytest

from shunde_workbook.data import cache
from shunde_workbook.data.cache import CACHE_ENV, HASHES_FILE, file_hash, input_hash, save_input_hashes


@pytest.fixture(autouse=True)
def _fresh(monkeypatch):
    monkeypatch.setattr(cache, "_KNOWN", {})
    monkeypatch.delenv(CACHE_ENV, raising=False)


def _old(path, seconds=60):
    """Make ``path`` look written ``seconds`` ago (older than the racy window)."""
    t = path.stat().st_mtime_ns - seconds * 10**9
    os.utime(path, ns=(t, t))


def _counting(monkeypatch):
    calls = []

    def counted(path):
        calls.append(path)
        return file_hash(path)

    monkeypatch.setattr(cache, "file_hash", counted)
    return calls


def test_an_unchanged_file_is_hashed_once(tmp_path, monkeypatch):
    f = tmp_path / "grants.csv"
    f.write_text("a,b\n1,2\n")
    _old(f)
    calls = _counting(monkeypatch)
    assert input_hash(f) == input_hash(f) == file_hash(f)
    assert len(calls) == 1


def test_a_file_with_the_same_size_but_new_bytes_is_hashed_again(tmp_path, monkeypatch):
    f = tmp_path / "grants.csv"
    f.write_text("a,b\n1,2\n")
    _old(f)
    first = input_hash(f)
    f.write_text("a,b\n1,3\n")  # same size, a later modification time
    assert input_hash(f) == file_hash(f) != first


def test_a_file_changed_just_now_is_not_kept(tmp_path, monkeypatch):
    f = tmp_path / "grants.csv"
    f.write_text("a,b\n1,2\n")  # within the racy window: a same-size edit might keep its mtime
    calls = _counting(monkeypatch)
    input_hash(f)
    input_hash(f)
    assert len(calls) == 2


def test_a_ledger_mapping_file_is_part_of_the_stamp(tmp_path):
    f, mapping = tmp_path / "grants.xlsx", tmp_path / "grants.mapping.yaml"
    f.write_bytes(b"x" * 10)
    _old(f)
    before = input_hash(f)
    mapping.write_text("amount: 金额\n")
    assert input_hash(f) == file_hash(f) != before


def test_kernels_read_the_hashes_the_runner_saved(tmp_path, monkeypatch):
    f = tmp_path / "grants.csv"
    f.write_text("a,b\n1,2\n")  # recent: save_input_hashes waits for nothing, it hashes again when told to
    _old(f)
    run_cache = tmp_path / "cache"
    run_cache.mkdir()
    save_input_hashes(run_cache, [f])
    saved = json.loads((run_cache / HASHES_FILE).read_text("utf-8"))
    assert saved[str(f)][1] == file_hash(f)
    monkeypatch.setattr(cache, "_KNOWN", {})  # a new kernel
    monkeypatch.setenv(CACHE_ENV, str(run_cache))
    calls = _counting(monkeypatch)
    assert input_hash(f) == file_hash(f)
    assert calls == []
    f.write_text("a,b\n9,9\n")  # edited during the run: the kernel sees it
    assert input_hash(f) == file_hash(f) != saved[str(f)][1]

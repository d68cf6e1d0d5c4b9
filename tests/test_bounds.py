"""Bounds before work: sweep files, parameter files, spreadsheets and special files are refused early.

Timings of the issue's full-size shapes (a 587-byte alias bomb, an 8 × 10^6 grid, 20 M shared strings,
45 M cells) are measured by ``benchmarks/hostile_inputs.py``; here the same refusals are checked on
shapes that are quick to make (the limits are lowered through their environment variables).
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import pytest

from shunde_workbook.data.ledger.sources import ReadFailure, read_sheets
from shunde_workbook.errors import ParameterError
from shunde_workbook.experiments.sweep import load_sweep, run_sweep
from shunde_workbook.params import load_param_file

from helpers import ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))
from hostile_inputs import alias_bomb, big_xlsx, huge_grid  # noqa: E402


def test_the_alias_bomb_is_refused_at_once(tmp_path):
    bomb = alias_bomb(tmp_path / "bomb.yaml")
    t0 = time.perf_counter()
    with pytest.raises(ParameterError, match="anchors and aliases"):
        load_sweep(bomb)
    assert time.perf_counter() - t0 < 1.0


def test_an_eight_million_set_grid_is_refused_before_expansion(tmp_path, capsys):
    grid = huge_grid(tmp_path / "grid.yaml")
    t0 = time.perf_counter()
    assert run_sweep(grid) == 2
    assert time.perf_counter() - t0 < 1.0
    said = capsys.readouterr().out
    assert "8,000,000 parameter sets" in said and "--max-sets" in said


def test_max_sets_is_the_stated_limit(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text("grid:\n  top_n: [1, 2, 3]\n  draws: [100, 200]\n")
    with pytest.raises(ParameterError, match="makes 6 parameter sets; at most 5"):
        load_sweep(path, max_sets=5)
    assert len(load_sweep(path, max_sets=6).sets) == 6


@pytest.mark.parametrize(
    "text",
    ["grid:\n  top_n: [1]\n  top_n: [2]\n", "sets:\n  - {top_n: 1, top_n: 2}\n"],
)
def test_duplicate_keys_are_refused_in_sweep_files(tmp_path, text):
    path = tmp_path / "dup.yaml"
    path.write_text(text)
    with pytest.raises(ParameterError, match="'top_n' is given twice"):
        load_sweep(path)


def test_duplicate_keys_are_refused_in_parameter_files(tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text("language: zh\ntop_n: 5\nlanguage: en\n")
    with pytest.raises(ParameterError, match=r"'language' is given twice \(lines 1 and 3\)"):
        load_param_file(path)
    path.write_text("need_weights: {population: 1, population: 2}\n")
    with pytest.raises(ParameterError, match="given twice"):
        load_param_file(path)


def test_oversized_and_special_sweep_files_are_refused(tmp_path):
    big = tmp_path / "big.yaml"
    big.write_text("# " + "x" * (2 << 20))
    with pytest.raises(ParameterError, match="at most"):
        load_sweep(big)
    fifo = tmp_path / "fifo.yaml"
    os.mkfifo(fifo)
    with pytest.raises(ParameterError, match="not a regular file"):
        load_sweep(fifo)


def test_fifos_and_devices_are_refused_before_reading(tmp_path):
    fifo = tmp_path / "ledger.csv"
    os.mkfifo(fifo)
    for path in (fifo, Path("/dev/zero")):
        t0 = time.perf_counter()
        with pytest.raises(ReadFailure) as info:
            read_sheets(path)
        assert info.value.cause.key == "read.not_regular"
        assert time.perf_counter() - t0 < 1.0


@pytest.mark.parametrize(
    ("kind", "env", "shape"),
    [
        ("strings", "SHUNDE_WORKBOOK_MAX_SHARED_STRINGS", {"strings": 300_000}),
        ("cells", "SHUNDE_WORKBOOK_MAX_SHEET_CELLS", {"cells": 300_000}),
    ],
)
def test_costly_workbooks_are_refused_naming_the_limit_and_how_to_raise_it(tmp_path, monkeypatch, kind, env, shape):
    path = big_xlsx(tmp_path / f"{kind}.xlsx", **shape)
    monkeypatch.setenv(env, "100000")
    t0 = time.perf_counter()
    with pytest.raises(ReadFailure) as info:
        read_sheets(path)
    assert time.perf_counter() - t0 < 5
    cause, todo = info.value.cause, info.value.todo
    assert cause.key == f"read.too_costly_{kind}" and "100,000" in cause.text("en")
    assert env in todo.text("en") and env in todo.text("zh") and "200000" in todo.text("en")
    monkeypatch.setenv(env, "1000000")  # raised: the same file is read
    sheets, _ = read_sheets(path)
    assert sheets


def test_a_small_workbook_is_read_under_the_default_limits(tmp_path):
    sheets, encoding = read_sheets(big_xlsx(tmp_path / "small.xlsx"))
    assert encoding == "xlsx" and sheets[0].table.shape[0] == 2

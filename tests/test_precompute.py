"""What a run does once before its first report (``runner.precompute``), in a child of the run's zygote.

The ledger's validation, the inputs' provenance statuses and the index map's outlines need pandas,
pyogrio and geopandas; the zygote has them imported, so the runner itself never loads them and never
holds the validation's memory (about 300 MB on a 200,000-row ledger).
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from shunde_workbook.runner import zygote
from shunde_workbook.runner.runner import run

from helpers import DEFAULT_PARAMS, ROOT

LIBRARIES = ("pandas", "geopandas", "pyogrio", "matplotlib", "pyarrow")


def _statuses(out) -> dict:
    manifest = json.loads((out / "manifest.json").read_text("utf-8"))
    return {k.rsplit("/", 1)[-1]: v["status"] for k, v in manifest["run"]["inputs"].items()}


@pytest.mark.slow
def test_a_run_validates_and_reads_its_inputs_without_loading_pandas_in_the_runner(tmp_path):
    out = tmp_path / "out"
    script = (
        "import json, sys; from pathlib import Path; from shunde_workbook.runner.runner import run\n"
        "code = run(params_file=Path(sys.argv[1]), only=['04_fairness_need'], outputs=Path(sys.argv[2]), force=True)\n"
        f"print(json.dumps({{'code': code, 'loaded': [m for m in {LIBRARIES!r} if m in sys.modules]}}))"
    )
    res = subprocess.run(
        [sys.executable, "-c", script, str(DEFAULT_PARAMS), str(out)], capture_output=True, text=True, cwd=ROOT
    )
    assert res.returncode == 0, res.stderr[-3000:]
    got = json.loads(res.stdout.strip().splitlines()[-1])
    assert got["code"] == 0, res.stdout[-3000:]
    assert got["loaded"] == [], f"the runner imported {got['loaded']}"
    statuses = _statuses(out)
    assert statuses["grants_simulated.csv"] == "simulated"
    assert statuses["shunde_towns_approx.shp"] == "approximate"
    assert statuses["town_population.csv"] == "published"
    assert list((out / ".work" / "site").glob("townshapes-*.json")), "the index map's outlines, drawn by the child"
    cache = out / ".work" / "cache"
    assert list(cache.glob("ledger-*-summary.pkl")), "the validation without rows, for the data audit"


@pytest.mark.slow
def test_without_a_zygote_the_runner_does_the_same_itself(tmp_path, monkeypatch):
    from shunde_workbook.report import webfonts

    monkeypatch.setattr(zygote, "start", lambda *a, **k: None)  # as on a system without fork
    warmed = []
    real_warm = webfonts.warm_base
    monkeypatch.setattr(webfonts, "warm_base", lambda: warmed.append(list((tmp_path / "out").rglob("*.html"))))
    out = tmp_path / "out"
    assert run(params_file=DEFAULT_PARAMS, only=["04_fairness_need"], outputs=out, force=True, jobs=1) == 0
    statuses = _statuses(out)
    assert statuses["grants_simulated.csv"] == "simulated"
    assert statuses["shunde_towns_approx.shp"] == "approximate"
    assert list((out / ".work" / "site").glob("townshapes-*.json"))
    assert list((out / ".work" / "cache").glob("ledger-*-summary.pkl"))
    assert warmed == [[]], "the base font is cut once, before any page is written"
    monkeypatch.setattr(webfonts, "_BASE", None)
    monkeypatch.setenv("SHUNDE_WORKBOOK_CACHE", str(tmp_path / "fonts"))
    real_warm()
    assert list((tmp_path / "fonts").glob("fontbase-*.ttf")), "warm_base keeps the cut in the run's cache"

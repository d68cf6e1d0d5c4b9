"""``shunde-workbook sweep --measures-only``: every measure, interval and grade per set, without notebooks.

The numbers are checked against the package's other paths (the studies' point values, the
evidence's intervals, the grades a report gives), the table against ``results.load`` and the
docs' pandas example, and the Dask backend against a worker killed mid-sweep (slow).
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import yaml

from shunde_workbook import results
from shunde_workbook.analysis import evidence as evidence_mod
from shunde_workbook.analysis import studies
from shunde_workbook.analysis.inputs import load_inputs
from shunde_workbook.experiments.measures import intervals
from shunde_workbook.experiments.measures_sweep import run_measures_sweep
from shunde_workbook.metrics import montecarlo as mc
from shunde_workbook.narrative import statements
from shunde_workbook.narrative.assess import grade_findings
from shunde_workbook.narrative.text import tr
from shunde_workbook.params import coerce, load_param_file

from helpers import DEFAULT_PARAMS, ROOT

#: Cheap sets: fewer draws and simulator seeds than the default, same code paths.
QUICK = {"draws": 200, "seed_ensemble": 3}
WEIGHTS = [0.2, 0.8]


def _weights(pop: float) -> dict:
    return {"population": pop, "village_units": round(1 - pop, 2)}


def _sweep(tmp_path: Path, sets: list[dict], **entries) -> Path:
    data = {
        "base": str(DEFAULT_PARAMS),
        "outputs": str(tmp_path / "sweep"),
        "sets": sets,
        "x": "need_weights.population",
        **entries,
    }
    path = tmp_path / "SWEEP.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def swept(tmp_path_factory):
    """A two-set measures-only sweep (need weights 0.2 and 0.8), run once for the module."""
    tmp = tmp_path_factory.mktemp("measures")
    sets = [{**QUICK, "need_weights": _weights(p)} for p in WEIGHTS]
    path = _sweep(tmp, sets, measures=["gini", {"measure": "metric.alloc_need_weighted"}])
    assert run_measures_sweep(path, jobs=1) == 0
    return tmp / "sweep"


def _merged(pop: float) -> dict:
    return {**coerce(load_param_file(DEFAULT_PARAMS)), **QUICK, "need_weights": _weights(pop)}


def test_every_set_once_with_every_metric(swept):
    df = results.load(swept)
    assert sorted(df["set_index"].unique()) == [1, 2]
    assert not df.duplicated(["set_index", "measure", "town", "finding"]).any()
    metrics = df[df["source"] == "metric"]
    for name in mc.DISTRICT_METRICS:
        assert (metrics["measure"] == f"metric.{name}").sum() == 2, name
    towns = metrics[metrics["measure"] == "metric.per_resident"]
    assert towns.groupby("set_index")["town"].nunique().eq(10).all()
    assert (df["report"] == "measures").all() and df["run_id"].str.startswith("sweep/set-").all()
    assert sorted(df.drop_duplicates("set_index")["x"]) == WEIGHTS


@pytest.mark.parametrize("pop", WEIGHTS)
def test_point_values_match_the_studies(swept, pop):
    """The table's central values are the studies' point figures (a separate, pandas code path)."""
    df = results.read_measures(swept / "measures.parquet")
    mine = df[df["x"] == pop].set_index(["measure", "town"])["value"]
    merged = _merged(pop)
    inp = load_inputs(merged, boundaries=False)
    fair = studies.fairness(inp, merged["need_weights"])
    assert mine[("metric.gini", "")] == pytest.approx(fair["gini"], rel=1e-9)
    assert mine[("metric.cv_per_resident", "")] == pytest.approx(fair["cv_per_resident"], rel=1e-9)
    plan = studies.scenarios(inp, merged["need_weights"], merged["floor_share"])
    alloc = mine.xs("metric.alloc_need_weighted", level="measure")
    # unrounded shares of the same plan; the study rounds to 0.1万 by largest remainders
    assert alloc.sum() == pytest.approx(plan["plan_total"], rel=1e-9)
    for town, amount in plan["total"]["need_weighted"].items():
        assert alloc[town] == pytest.approx(amount, abs=1000.0)


def test_intervals_and_grades_match_the_reports(swept):
    """Intervals are the evidence's, grades the ones a report gives the same finding."""
    merged = _merged(WEIGHTS[0])
    inp = load_inputs(merged, boundaries=False)
    ev = evidence_mod.for_params(inp, merged)
    df = results.read_measures(swept / "measures.parquet")
    mine = df[df["set_index"] == 1]
    rows = mine.set_index(["measure", "town"])
    lo, hi = ev.interval("gini")
    assert rows.loc[("metric.gini", ""), ["lo", "hi"]].tolist() == pytest.approx([lo, hi], rel=1e-12)
    table = ev.interval("per_resident")
    for town, r in table.iterrows():
        assert rows.loc[("metric.per_resident", town), ["lo", "hi"]].tolist() == pytest.approx(
            [r["lo"], r["hi"]], rel=1e-12, nan_ok=True
        )
    res = studies.fairness(inp, merged["need_weights"])
    graded = grade_findings(statements.fairness_findings(res, inp.towns, inp.statuses), {"fairness": res}, inp, merged)
    findings = mine[mine["source"] == "finding"].drop_duplicates("finding").set_index("finding")["grade"]
    assert graded and all(findings[f.id] == f.grade.name for f in graded)


def test_weights_move_the_allocation_not_the_gini(swept):
    df = results.read_measures(swept / "measures.parquet")
    gini = df[df["measure"] == "metric.gini"].set_index("x")["value"]
    assert gini[0.2] == pytest.approx(gini[0.8], rel=1e-12)  # the Gini does not depend on need weights
    alloc = df[df["measure"] == "metric.alloc_need_weighted"].pivot(index="town", columns="x", values="value")
    assert (alloc[0.2] - alloc[0.8]).abs().max() > 1e5  # but the need-weighted allocation does


def test_page_in_the_readers_language(swept):
    page = (swept / "measures.html").read_text(encoding="utf-8")
    assert tr("sweep.measures_only.title", "zh") in page and tr("sweep.measures_only.m.gini", "zh") in page
    assert "2023 年分配" in page and "万元" in page  # the allocation chart, in 万元
    assert len(list(swept.glob("measures__*.png"))) == 2
    status = json.loads((swept / "measures.json").read_text(encoding="utf-8"))
    assert [s["status"] for s in status["sets"]] == ["ok", "ok"]


def test_docs_pandas_example_runs(swept, capsys):
    text = (ROOT / "docs" / "sweeps.md").read_text(encoding="utf-8")
    block = re.search(r"<!-- run by tests/test_measures_sweep.py -->\n```python\n(.*?)```", text, re.S)
    assert block, "docs/sweeps.md lost its measures-only pandas example"
    code = block.group(1).replace("outputs/sweeps/weights/measures.parquet", str(swept / "measures.parquet"))
    exec(compile(code, "docs/sweeps.md", "exec"), {})
    out = capsys.readouterr().out
    assert "fairness.gini" in out and "0.2" in out


def test_an_invalid_set_runs_nothing(tmp_path, capsys):
    path = _sweep(tmp_path, [{"need_weights": _weights(0.5)}, {"floor_share": 7}])
    assert run_measures_sweep(path, jobs=1) == 2
    out = capsys.readouterr().out
    assert "set 2" in out and "nothing was run" in out
    assert not (tmp_path / "sweep").exists()


def test_stacked_intervals_equal_the_per_metric_ones():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(300, 6))
    x[::7, 2] = np.nan
    x[:, 4] = np.nan
    lo, hi = intervals(x)
    ref_lo, ref_hi = mc.interval(x)
    np.testing.assert_allclose(lo, ref_lo, rtol=1e-12)
    np.testing.assert_allclose(hi, ref_hi, rtol=1e-12)


# --------------------------------------------------------------------------- scale-out (slow)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start(cmd: list[str], log: Path) -> subprocess.Popen:
    return subprocess.Popen(cmd, stdout=log.open("wb"), stderr=subprocess.STDOUT, start_new_session=True, cwd=str(ROOT))


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=20)


@pytest.mark.slow
def test_dask_scheduler_and_workers_survive_a_killed_worker(tmp_path):
    """A scheduler and two workers as separate processes; one worker killed mid-sweep; 200 sets, each once."""
    pytest.importorskip("distributed")
    dask_cli = str(Path(sys.executable).with_name("dask"))
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    sets = [{"draws": 100, "seed_ensemble": 2, "need_weights": _weights(i / 199)} for i in range(200)]
    path = _sweep(tmp_path, sets)
    procs = [
        _start(
            [dask_cli, "scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"],
            tmp_path / "scheduler.log",
        )
    ]
    try:
        worker = [dask_cli, "worker", address, "--nthreads", "1", "--no-nanny", "--host", "127.0.0.1"]
        worker += ["--no-dashboard", "--memory-limit", "1GB"]
        procs += [_start(worker, tmp_path / f"worker{i}.log") for i in (1, 2)]
        from distributed import Client

        with Client(address, timeout=120) as client:
            client.wait_for_workers(2, timeout=180)
        sweep = subprocess.Popen(
            [sys.executable, "-m", "shunde_workbook.cli", "sweep", str(path), "--measures-only", "--dask", address],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
            cwd=str(ROOT),
        )
        procs.append(sweep)
        deadline, killed, lines = time.monotonic() + 900, False, []
        for line in sweep.stdout:
            lines.append(line)
            if not killed and line.startswith("[sets "):  # one chunk done, the others in flight
                os.kill(procs[2].pid, signal.SIGKILL)
                killed = True
            assert time.monotonic() < deadline, "the sweep took more than 15 minutes:\n" + "".join(lines[-20:])
        assert sweep.wait(timeout=60) == 0, "".join(lines[-30:])
        assert killed and procs[2].wait(timeout=10) == -signal.SIGKILL
        df = results.read_measures(tmp_path / "sweep" / "measures.parquet")
        assert sorted(df["set_index"].unique()) == list(range(1, 201))
        per_set = df.groupby("set_index").size()
        assert per_set.nunique() == 1  # every set complete ...
        assert not df.duplicated(["set_index", "measure", "town", "finding"]).any()  # ... and there once
        status = json.loads((tmp_path / "sweep" / "measures.json").read_text(encoding="utf-8"))
        assert all(s["status"] == "ok" for s in status["sets"])
    finally:
        for p in reversed(procs):
            _stop(p)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_findings_number_is_charted_under_its_readers_name_and_unit(lang):
    from shunde_workbook.experiments.measure_names import measure_title, rests_on_ledger
    from shunde_workbook.narrative.text import rule_label, town_label

    title, unit = measure_title("scenarios.rule_top.need_weighted.amount", lang)
    assert rule_label("need_weighted", lang) in title and "scenarios" not in title
    assert unit == tr("common.unit.wan", lang)  # money is charted in 万元
    title, unit = measure_title("distribution.summary[440606006].amount_share", lang)
    assert town_label("440606006", lang) in title and unit == tr("sweep.measures_only.u.share", lang)
    # what rests on the ledger is stamped as simulated on a simulated ledger; the 2023 plan's rules are not
    assert rests_on_ledger("metric.gini") and rests_on_ledger("fairness.gini")
    assert not rests_on_ledger("metric.alloc_need_weighted") and not rests_on_ledger("metric.alloc_floor_plus_need")
    assert rests_on_ledger("metric.alloc_historical")
    assert not rests_on_ledger("scenarios.rule_top.need_weighted.amount")
    assert rests_on_ledger("metric.shift_need_weighted")  # a shift is measured from the historical shares


def test_the_page_carries_its_cjk_font(swept):
    page = (swept / "measures.html").read_text(encoding="utf-8")
    assert '@font-face { font-family: "Noto Sans CJK SC"' in page
    assert "local pool" not in page  # the backend is named in the reader's language


def test_progress_counts_every_set_of_the_sweep(tmp_path, capsys):
    """The set measured before the workers start is counted: the last line reads [sets N/N] for N sets."""
    sets = [{**QUICK, "need_weights": _weights(p)} for p in (0.3, 0.5, 0.7)]
    assert run_measures_sweep(_sweep(tmp_path, sets, measures=["gini"]), jobs=1) == 0
    lines = [line for line in capsys.readouterr().out.splitlines() if line.startswith("[sets ")]
    assert lines[0].startswith("[sets 1/3]") and lines[-1].startswith("[sets 3/3]"), lines

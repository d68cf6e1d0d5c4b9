"""``shunde-workbook sweep``: sets validated before anything runs, one folder per set, the sweep report,
and a Dask worker killed mid-sweep costs that set a retry, not the sweep.

The Dask tests skip when ``dask``/``distributed`` are not installed.  Sets run 05_scenarios_2023 with
draws=100 so each takes a few seconds of kernel time.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import threading
import time

import pandas as pd
import pytest
import yaml

from shunde_workbook.errors import ParameterError
from shunde_workbook.experiments.sweep import load_sweep, run_sweep, set_id, validate_sweep

from helpers import DEFAULT_PARAMS

REPORT = "05_scenarios_2023"
POP = [0.2, 0.6, 1.0]


def _sweep_file(tmp_path, **entries) -> str:
    data = {"base": str(DEFAULT_PARAMS), "notebooks": [REPORT], "outputs": str(tmp_path / "sweep"), **entries}
    path = tmp_path / "SWEEP.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return str(path)


def _weights(pop: float) -> dict:
    return {"population": pop, "village_units": round(1 - pop, 2)}


def test_grid_is_the_cartesian_product(tmp_path):
    sweep = load_sweep(_sweep_file(tmp_path, grid={"floor_share": [0.1, 0.2], "k": [3, 4, 5]}))
    assert len(sweep.sets) == 6
    assert {(s["floor_share"], s["k"]) for s in sweep.sets} == {(f, k) for f in (0.1, 0.2) for k in (3, 4, 5)}
    plans = validate_sweep(sweep)
    assert len({p.folder for p in plans}) == 6 and all(p.reports == 1 for p in plans)
    assert set_id({"k": 3, "floor_share": 0.1}) == set_id({"floor_share": 0.1, "k": 3})  # same set, same folder


def test_every_set_is_validated_before_anything_runs(tmp_path, capsys):
    path = _sweep_file(tmp_path, sets=[{"k": 4}, {"k": 99}, {"languag": "en"}])
    with pytest.raises(ParameterError) as err:
        validate_sweep(load_sweep(path))
    assert "set 2" in str(err.value) and "set 3" in str(err.value) and "set 1 " not in str(err.value)
    assert "language" in str(err.value)  # the did-you-mean hint of the runner
    assert run_sweep(path) == 2
    assert "nothing was run" in capsys.readouterr().out
    assert not (tmp_path / "sweep").exists()


def test_dask_without_distributed_is_a_clear_error(tmp_path, capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)  # as if not installed: import raises ImportError
    path = _sweep_file(tmp_path, sets=[{"k": 4}])
    assert run_sweep(path, dask="local") == 2
    assert "pip install dask distributed" in capsys.readouterr().out
    assert not (tmp_path / "sweep").exists()


@pytest.mark.parametrize(
    "entries, words",
    [({"grid": {"k": []}}, "non-empty"), ({"grid": {"k": [3]}, "sets": [{}]}, "not both"), ({}, "either")],
)
def test_malformed_sweep_files_are_refused(tmp_path, entries, words):
    with pytest.raises(ParameterError, match=words):
        load_sweep(_sweep_file(tmp_path, **entries))


def _cluster(n: int):
    pytest.importorskip("distributed")
    import dask
    from distributed import Client, LocalCluster

    with dask.config.set({"distributed.scheduler.allowed-failures": 1}):
        cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True, dashboard_address=None)
    return cluster, Client(cluster)


@pytest.mark.slow
@pytest.mark.parametrize("dask", ["local", None], ids=["dask-local-cluster", "local-pool"])
def test_three_set_sweep_writes_the_sweep_report(tmp_path, dask):
    if dask:
        pytest.importorskip("distributed")
    path = _sweep_file(
        tmp_path,
        sets=[{"draws": 100, "need_weights": _weights(p)} for p in POP],
        x="need_weights.population",
        measures=[
            {"measure": "scenarios.rule_top.need_weighted.amount"},
            {"table": f"{REPORT}__allocations", "column": 3},
        ],
    )
    assert run_sweep(path, jobs=2, dask=dask) == 0
    out = tmp_path / "sweep"
    page = (out / "index.html").read_text(encoding="utf-8")
    assert page.count('data-status="ok"') == 3 and (out / "sweep__1.png").exists() and (out / "sweep__2.png").exists()
    data = pd.read_csv(out / "sweep_measures.csv", encoding="utf-8-sig")
    assert sorted(data["x"].unique()) == POP
    # The table measure: each set's own exported table, one row per town, in every set.
    table = data[data["measure"] == f"{REPORT}__allocations[3]"]
    assert table.groupby("set").size().tolist() == [10, 10, 10]
    for s in json.loads((out / "sweep.json").read_text(encoding="utf-8"))["sets"]:
        own = pd.read_csv(out / s["id"] / "tables" / f"{REPORT}__allocations.csv", encoding="utf-8-sig", dtype=str)
        mine = table[table["set"] == s["index"]].set_index("town")["value"]
        assert mine.to_dict() == own.set_index(own.columns[0])[own.columns[3]].astype(float).to_dict()
    # More population weight moves the need-weighted allocation toward the most populous town.
    top = data[data["measure"] == "scenarios.rule_top.need_weighted.amount"].sort_values("x")["value"].tolist()
    assert len(top) == 3 and top[0] < top[-1]


@pytest.mark.slow
def test_a_killed_worker_costs_its_set_one_retry(tmp_path):
    from shunde_workbook.experiments.dask_backend import DaskBackend

    cluster, client = _cluster(2)
    try:
        sweep = load_sweep(_sweep_file(tmp_path, sets=[{"draws": 100, "need_weights": _weights(p)} for p in POP[:2]]))
        plans = validate_sweep(sweep)
        outcomes = {}
        worker = threading.Thread(
            target=lambda: outcomes.update(DaskBackend("local", client=client).run(sweep, plans, False))
        )
        worker.start()
        victim = None
        deadline = time.time() + 120
        while victim is None and time.time() < deadline:  # wait until a set's run holds its lock
            busy = [p for p in plans if (p.folder / ".run.lock").exists() and (p.folder / ".run.lock").stat().st_size]
            processing = {w: ks for w, ks in client.processing().items() if ks}
            if busy and processing:
                victim = next(iter(processing))
            time.sleep(0.5)
        assert victim, "no set started within two minutes"
        pid = client.run(os.getpid, workers=[victim])[victim]
        os.kill(pid, signal.SIGKILL)
        worker.join(timeout=600)
        assert not worker.is_alive()
    finally:
        client.close()
        cluster.close()
    # The killed set was retried on a live worker (its child run died with the worker, so the retry
    # could take the folder's lock); the other set finished untouched.
    assert {o["status"] for o in outcomes.values()} == {"ok"}, outcomes
    for p in plans:
        manifest = json.loads((p.folder / "manifest.json").read_text(encoding="utf-8"))
        rec = manifest["reports"][0]
        assert rec["status"] == "ok"
        assert all((p.folder / f).exists() for f in rec["files"].values())


def test_a_local_cluster_waits_for_report_sets_in_threads_and_computes_measures_in_processes():
    """A set of reports is a child process its task waits for: no worker process for it (about 110 MB each)."""
    pytest.importorskip("distributed")
    from contextlib import ExitStack

    from shunde_workbook.experiments.dask_backend import DaskBackend

    for fork, in_process in ((False, True), (True, False)):
        with ExitStack() as stack:
            client = DaskBackend("local", jobs=1, fork=fork)._client(stack)
            pids = set(client.run(os.getpid).values())
        assert (pids == {os.getpid()}) is in_process, (fork, pids)


def test_a_sets_run_starts_with_the_stop_signals_held_until_its_handlers_are_in_place():
    """A Ctrl-C landing between fork and exec must not run the sweep's handler in the child (a traceback)."""
    from shunde_workbook.experiments.backends import start_set

    probe = (
        "import signal, sys; from shunde_workbook.runner.hygiene import Signals\n"
        "stop = {signal.SIGINT, signal.SIGTERM}\n"
        "print(sorted(int(s) for s in signal.pthread_sigmask(signal.SIG_BLOCK, []) & stop))\n"
        "with Signals():\n"
        "    print(sorted(int(s) for s in signal.pthread_sigmask(signal.SIG_BLOCK, []) & stop))\n"
    )
    before = signal.pthread_sigmask(signal.SIG_BLOCK, [])
    proc = start_set([sys.executable, "-c", probe], dict(os.environ))
    out, _ = proc.communicate(timeout=60)
    assert signal.pthread_sigmask(signal.SIG_BLOCK, []) == before, "the caller's mask is restored"
    assert proc.returncode == 0, out
    assert out.split() == [f"[{int(signal.SIGINT)},", f"{int(signal.SIGTERM)}]", "[]"], out

"""Warm kernels: each report still gets a fresh kernel with an empty namespace, and none is left behind."""

from __future__ import annotations

import json
import os
import uuid
from pathlib import Path

import nbformat
import psutil
import pytest

from shunde_workbook.runner import kernels
from shunde_workbook.runner.runner import run

PROBE = """\
import json, os, pathlib, sys
ip = get_ipython()
user = sorted(k for k in ip.user_ns if not k.startswith("_") and k not in ip.user_ns_hidden)
probe = {
    "pid": os.getpid(),
    "execution_count": ip.execution_count,
    "names": user,
    "preloaded": "geopandas" in sys.modules,
}
out = pathlib.Path(output_dir) / "tables"
out.mkdir(parents=True, exist_ok=True)
(out / f"{report_name}__probe.json").write_text(json.dumps(probe), encoding="utf-8")
"""


def _probe_notebook(path: Path) -> None:
    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell('output_dir = ""\nreport_name = ""')
    params.metadata["tags"] = ["parameters"]
    nb.cells = [params, nbformat.v4.new_code_cell(PROBE)]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, str(path))


def _cold_probe(notebook: Path, out: Path) -> dict:
    """The probe run by plain papermill in a kernel of its own (no warm-up)."""
    import papermill as pm

    from shunde_workbook.runner.execute import kernel_name

    out.mkdir(parents=True, exist_ok=True)
    params = {"output_dir": str(out), "report_name": "cold"}
    pm.execute_notebook(
        str(notebook), str(out / "cold.ipynb"), parameters=params, kernel_name=kernel_name(), progress_bar=False
    )
    return json.loads((out / "tables" / "cold__probe.json").read_text(encoding="utf-8"))


def _kernels_tagged(tag: str) -> list[psutil.Process]:
    found = []
    for proc in psutil.process_iter(["cmdline"]):
        try:
            cmd = " ".join(proc.info["cmdline"] or [])  # a forked kernel shows its zygote's command line
            if ("ipykernel" in cmd or "runner.zygote" in cmd) and proc.environ().get("SWK_TEST_TAG") == tag:
                found.append(proc)
        except psutil.Error:
            continue
    return found


@pytest.mark.slow
def test_warm_kernels_start_fresh_and_none_is_left_behind(tmp_path, monkeypatch):
    nbdir = tmp_path / "nbs"
    nbdir.mkdir()
    names = ("probe_a", "probe_b", "probe_c")
    for name in names:
        _probe_notebook(nbdir / f"{name}.ipynb")
    tag = uuid.uuid4().hex
    monkeypatch.setenv("SWK_TEST_TAG", tag)  # inherited by the workers and their kernels
    out = tmp_path / "out"

    assert run(params_file=None, notebooks_dir=nbdir, outputs=out, jobs=1) == 0
    cold = _cold_probe(nbdir / "probe_a.ipynb", tmp_path / "cold")

    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    records = manifest["reports"] if isinstance(manifest["reports"], list) else list(manifest["reports"].values())
    warm = {r["name"]: r["phases"]["warm_kernel"] for r in records}
    # One worker: the pool's initialiser warms the first kernel, each report but the last warms the next.
    assert warm == dict.fromkeys(names, True)
    probes = [json.loads((out / "tables" / f"{n}__probe.json").read_text(encoding="utf-8")) for n in names]
    assert len({p["pid"] for p in probes}) == 3, "a kernel was reused"
    assert all(p["preloaded"] for p in probes), "the warm-up imports did not run"
    assert not cold["preloaded"]
    for p in probes:
        # The same namespace and execution count as a cold kernel: the warm-up cell left no trace.
        assert p["names"] == cold["names"] == ["ip", "json", "os", "output_dir", "pathlib", "report_name", "sys"]
        assert p["execution_count"] == cold["execution_count"]
    assert not any(psutil.pid_exists(p["pid"]) for p in probes)
    assert _kernels_tagged(tag) == [], "a kernel or its zygote outlived the run"


def test_a_dead_warm_kernel_is_discarded():
    name = "python3"
    kernels.prestart(name, imports=("json",))
    warm = kernels._WARM["next"]
    pid = warm.manager.provisioner.pid
    os.kill(pid, 9)
    psutil.Process(pid).wait(timeout=10)
    assert kernels.take(name) is None
    assert "next" not in kernels._WARM and not Path(warm.sockets).exists()


def test_a_warm_kernel_for_another_kernelspec_is_not_used_and_is_killed():
    kernels.prestart("python3", imports=("json",))
    proc = psutil.Process(kernels._WARM["next"].manager.provisioner.pid)
    assert kernels.take("some-other-kernel") is None
    gone, alive = psutil.wait_procs([proc], timeout=10)
    assert alive == []


# What the warm-up imports (what every report loads, nothing only some load) is checked against the reports
# themselves, measured in their kernels: tests/test_light_kernels.py.

#!/usr/bin/env python
"""What a kernel costs per report, and what a reused kernel or a fork server would save.

    .venv/bin/python benchmarks/kernel_reuse.py                 # 10 town profiles, 3 boots
    .venv/bin/python benchmarks/kernel_reuse.py --profiles 4 --boots 2

Figures, all with the runner's own kernel manager (:mod:`shunde_workbook.runner.kernels`):

1. kernel boot       launch until the kernel answers ``kernel_info`` (wall and the kernel's CPU);
2. warm-up imports   the warm-up cell with today's :data:`~shunde_workbook.runner.kernels.WARM_IMPORTS`,
                     and with the previous list (charts with seaborn, maps with mapclassify) for comparison;
3. fork              a process that has done the imports forks a child that answers at once: what a fork
                     server pays per kernel instead of 1 + 2 (the kernel's own set-up after a fork comes on top);
4. town profiles     ``06_town_profile`` for N towns with papermill, as the runner executes it (with the
                     run's cache: validated ledger and Monte Carlo evidence read from disk, not recomputed):
                     (forked) a kernel per town forked from a zygote (runner.zygote), as the runner does now;
                     (fresh) a new warmed kernel per town, as the runner did before (boot and warm-up are CPU the
                     other worker cannot use on a busy machine, but not waiting time when started during the
                     previous export); (reused) one kernel for every town, its namespace cleared between
                     towns (``%reset -f``, figures closed, matplotlib and pandas defaults restored).  What
                     a reused kernel saves beyond boot and imports is the package's in-memory state (loaded
                     inputs, Monte Carlo draws) that the next profile finds: the state a report must not
                     inherit, and the work issue #24's one analysis per run computes once for every report.

Every figure is the CPU seconds of the kernel process and the wall seconds; on the 2-core machine both
workers keep both cores busy, so CPU per report is what limits the suite.  Executed notebooks go to a
temporary folder.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

OLD_WARM_IMPORTS = (
    "numpy",
    "pandas",
    "matplotlib.pyplot",
    "matplotlib_inline.backend_inline",
    "geopandas",
    "shunde_workbook.params",
    "shunde_workbook.analysis",
    "shunde_workbook.analysis.evidence",
    "shunde_workbook.narrative",
    "shunde_workbook.report",
    "shunde_workbook.report.charts",
    "seaborn",
    "shunde_workbook.report.maps",
    "mapclassify",
    "shunde_workbook.report.evidence_charts",
    "shunde_workbook.report.explorer",
)

RESET = (
    "get_ipython().run_line_magic('reset', '-f')\n"
    "import matplotlib.pyplot as _plt, matplotlib as _mpl, pandas as _pd, gc as _gc, warnings as _w\n"
    "_plt.close('all'); _mpl.rcdefaults(); _gc.collect()\n"
    "with _w.catch_warnings():\n    _w.simplefilter('ignore'); _pd.reset_option('all')\n"
    "get_ipython().run_line_magic('reset', '-f')\n"
    "get_ipython().execution_count = 0\n"
)


def _cpu(pid: int) -> float:
    import psutil

    t = psutil.Process(pid).cpu_times()
    return t.user + t.system + t.children_user + t.children_system


class Kernel:
    """A kernel started like the runner's, with a blocking client."""

    def __init__(self, name: str):
        from jupyter_client import BlockingKernelClient

        from shunde_workbook.runner import kernels

        self.sockets = tempfile.mkdtemp(prefix="swk-bench-")
        t0 = time.perf_counter()
        self.km = kernels.launch(name, self.sockets)
        self.kc = BlockingKernelClient()
        self.kc.load_connection_info(self.km.get_connection_info())
        self.kc.start_channels(hb=False)
        self.kc.wait_for_ready(timeout=120)
        self.pid = self.km.provisioner.pid
        self.boot = (time.perf_counter() - t0, _cpu(self.pid))

    def run(self, code: str) -> tuple[float, float]:
        """(wall, kernel CPU) of one silent cell."""
        c0, t0 = _cpu(self.pid), time.perf_counter()
        reply = self.kc.execute_interactive(code, silent=True, store_history=False, timeout=300)
        if reply["content"]["status"] != "ok":
            raise RuntimeError(f"cell failed: {reply['content']}")
        return time.perf_counter() - t0, _cpu(self.pid) - c0

    def close(self) -> None:
        from shunde_workbook.runner import kernels

        self.kc.stop_channels()
        kernels.stop(self.km, self.sockets)


def fork_cost(imports: tuple[str, ...], n: int = 5) -> float:
    """Median wall seconds from ``os.fork()`` of an importing process to its child's answer."""
    import importlib

    for m in imports:
        importlib.import_module(m)
    times = []
    for _ in range(n):
        r, w = os.pipe()
        t0 = time.perf_counter()
        pid = os.fork()
        if pid == 0:  # the child: touch what a kernel would, answer, leave
            import matplotlib.pyplot as plt
            import pandas as pd

            plt.figure()
            pd.DataFrame({"a": [1]}).to_string()
            os.write(w, b"x")
            os._exit(0)
        os.read(r, 1)
        times.append(time.perf_counter() - t0)
        os.waitpid(pid, 0)
        os.close(r)
        os.close(w)
    return statistics.median(times)


def profile(km, town: str, out: Path, name: str) -> float:
    """Execute 06_town_profile for ``town`` in the kernel of ``km``; wall seconds."""
    import papermill as pm

    from shunde_workbook.runner.runner import jobs_for, plan

    reports, merged, per_report = plan(None, [f"town={town}"], ["06_town_profile"])
    job = jobs_for(reports, merged, per_report, out, name)[0][0]
    out.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    pm.execute_notebook(
        job.notebook, str(out / f"{job.name}.ipynb"), parameters=job.parameters, kernel_name=name, km=km,
        progress_bar=False,
    )  # fmt: skip
    return time.perf_counter() - t0


def kernel_per_town(name: str, towns: list, warm_up: str, out: Path) -> tuple[float, float, float]:
    """A new kernel for each town's profile: (kernel CPU in total, cells wall in total, boot wall in total)."""
    cpu = cells = boot = 0.0
    for town in towns:
        k = Kernel(name)
        _, warm_cpu = k.run(warm_up)
        c0 = _cpu(k.pid)
        cells += profile(k.km, town, out, name)
        cpu += _cpu(k.pid) - c0 + k.boot[1] + warm_cpu
        boot += k.boot[0]
        k.close()
    return cpu, cells, boot


def main(argv=None) -> int:
    from shunde_workbook.geo.names import TOWN_CODES
    from shunde_workbook.runner import kernels
    from shunde_workbook.runner.execute import kernel_name

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--profiles", type=int, default=10, help="town profiles to run each way (at most 10)")
    ap.add_argument("--boots", type=int, default=3, help="kernels to boot for the boot and warm-up figures")
    args = ap.parse_args(argv)
    name = kernel_name()
    towns = list(TOWN_CODES)[: args.profiles]
    lists = {"now": kernels.WARM_IMPORTS, "before": OLD_WARM_IMPORTS}
    code = {label: kernels.WARM_UP_CODE.format(mods=mods) for label, mods in lists.items()}

    boots, warm = [], {"now": [], "before": []}
    for _ in range(args.boots):
        for label in ("before", "now"):
            k = Kernel(name)
            boots.append(k.boot)
            warm[label].append(k.run(code[label]))
            k.close()
    med = lambda rows, i: statistics.median(r[i] for r in rows)  # noqa: E731
    boot_wall, boot_cpu = med(boots, 0), med(boots, 1)
    print(f"kernel boot (launch to kernel_info): {boot_wall:.2f} s wall, {boot_cpu:.2f} s CPU (median of {len(boots)})")
    for label in ("before", "now"):
        print(f"warm-up imports, {label:<6}: {med(warm[label], 0):.2f} s wall, {med(warm[label], 1):.2f} s CPU")
    fork = fork_cost(kernels.WARM_IMPORTS)
    print(f"fork of a process with the warm-up imports done, child answering: {fork * 1000:.0f} ms wall")

    with tempfile.TemporaryDirectory(prefix="swk-bench-") as tmp:
        # the run's cache, as the runner makes it: the validated ledger, then the Monte Carlo evidence that
        # the first report computes and every later kernel reads (filled here by one untimed profile)
        from shunde_workbook.runner import zygote
        from shunde_workbook.runner.precompute import cache_ledgers
        from shunde_workbook.runner.runner import _inputs, plan

        _, merged, per_report = plan(None, [], ["06_town_profile"])
        cache_ledgers(_inputs(merged, per_report), Path(tmp) / "cache")
        k = Kernel(name)
        profile(k.km, towns[0], Path(tmp) / "untimed", name)
        k.close()
        fresh_cpu, fresh_exec, _ = kernel_per_town(name, towns, code["now"], Path(tmp) / "fresh")
        server = zygote.start(kernels.kernel_argv(name), kernels.WARM_IMPORTS)  # as the runner does
        # forked by the zygote: a kernel's CPU counts from the fork
        forked_cpu, forked_exec, forked_wall = kernel_per_town(name, towns, code["now"], Path(tmp) / "forked")
        zygote_cpu = _cpu(server.process.pid) if server else 0.0
        if server:
            server.close()
        k = Kernel(name)
        _, warm_cpu = k.run(code["now"])
        reused_cpu, reused_exec, resets, each = k.boot[1] + warm_cpu, 0.0, [], []
        for i, town in enumerate(towns):
            if i:
                resets.append(k.run(RESET))
            c0 = _cpu(k.pid)
            reused_exec += profile(k.km, town, Path(tmp) / "reused", name)
            each.append(_cpu(k.pid) - c0)
        reused_cpu += sum(each)
        reused_cpu += sum(r[1] for r in resets)
        k.close()
    n = len(towns)
    reset_wall = statistics.median(r[0] for r in resets) if resets else 0.0
    print(f"\n{n} town profiles, kernel CPU in total (boot + warm-up + cells [+ resets]):")
    print(f"  fresh kernel each : {fresh_cpu:6.1f} s CPU; cells {fresh_exec:5.1f} s wall")
    print(
        f"  forked by a zygote: {forked_cpu:6.1f} s CPU; cells {forked_exec:5.1f} s wall; boot "
        f"{forked_wall / n:.2f} s wall each (the zygote's own imports: {zygote_cpu:.1f} s CPU, once per run)"
    )
    print(f"  one reused kernel : {reused_cpu:6.1f} s CPU; cells {reused_exec:5.1f} s wall", end="")
    print(f"; namespace reset {reset_wall:.2f} s each")
    if len(each) > 1:
        later = statistics.median(each[1:])
        print(f"  cells of the reused kernel: first profile {each[0]:.1f} s CPU, later ones {later:.1f} s (median)")
        print("  (a later profile finds the first one's inputs and Monte Carlo draws in the package's memory)")
    saved = fresh_cpu - reused_cpu
    print(f"  a reused kernel saves {saved:.1f} s CPU for {n} profiles ({saved / n:.2f} s per profile)")
    per = boot_cpu + med(warm["now"], 1)
    print(f"  a fork server would save at most boot + warm-up CPU per report: {per:.2f} s ({per * n:.1f} s for {n})")
    before = boot_cpu + med(warm["before"], 1)
    print(f"  the lighter warm-up saves {before - per:.2f} s CPU per report against the previous list")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

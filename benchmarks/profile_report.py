#!/usr/bin/env python
"""Profile one report: where its seconds go, phase by phase.

    .venv/bin/python benchmarks/profile_report.py 02_funding_overview
    .venv/bin/python benchmarks/profile_report.py 06_town_profile-leliu      # one town's profile
    .venv/bin/python benchmarks/profile_report.py fixture_ok --notebooks tests/fixtures/notebooks

Phases, in the order the runner's worker meets them (execute.run_job):

1. worker imports   papermill, nbformat and the nbconvert exporter, timed in this process;
2. kernel alone     a fresh kernel with the runner's IPC kernel manager: start until ready, then
                    how long the usual heavy imports take inside it;
3. papermill        the same execute_notebook call as the runner; from the executed notebook's
                    papermill metadata: start-up before the first cell (kernel launch, parameter
                    injection), every cell's ``papermill.duration``, and what is left over;
4. HTML export      nbformat.read and each edition (policy, analyst), first call (template set-up)
                    and a second call (render only).

The executed notebook and HTML go to a temporary folder (``--keep`` keeps it).
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

KERNEL_IMPORTS = [
    "numpy",
    "pandas",
    "matplotlib",
    "matplotlib.pyplot",
    "geopandas",
    "mapclassify",
    "shapely",
    "shunde_workbook",
    "shunde_workbook.data",
    "shunde_workbook.metrics",
    "shunde_workbook.geo",
    "shunde_workbook.report.charts",
    "shunde_workbook.report.presenter",
    "shunde_workbook.analysis.inputs",
]


class Clock:
    def __init__(self):
        self.rows: list[tuple[str, float]] = []

    def __call__(self, label: str):
        clock = self

        class _Span:
            def __enter__(self):
                self.t0 = time.perf_counter()
                return self

            def __exit__(self, *exc):
                self.seconds = time.perf_counter() - self.t0
                clock.rows.append((label, self.seconds))
                print(f"  {self.seconds:8.2f} s  {label}", flush=True)

        return _Span()


def kernel_probe(kernel: str, sockets: str) -> dict:
    """Start a kernel like the runner does; time start-up and imports inside it."""
    from jupyter_client.blocking import BlockingKernelClient  # noqa: F401 - import cost is not measured here
    from jupyter_client.manager import KernelManager
    from traitlets import CaselessStrEnum, Unicode

    class IPCBlockingKernelManager(KernelManager):
        transport = CaselessStrEnum(["tcp", "ipc"], default_value="ipc", config=True)
        ip = Unicode(str(Path(sockets) / "probe"), config=True)

    out: dict = {}
    t0 = time.perf_counter()
    km = IPCBlockingKernelManager(kernel_name=kernel)
    km.start_kernel()
    kc = km.client()
    kc.start_channels()
    try:
        kc.wait_for_ready(timeout=120)
        out["kernel_start_s"] = time.perf_counter() - t0
        code = (
            "import time, importlib, json\n"
            "_t = {}\n"
            f"for _m in {KERNEL_IMPORTS!r}:\n"
            "    _s = time.perf_counter()\n"
            "    try:\n"
            "        importlib.import_module(_m)\n"
            "        _t[_m] = time.perf_counter() - _s\n"
            "    except Exception as e:\n"
            "        _t[_m] = None\n"
            "print('IMPORTS ' + json.dumps(_t))\n"
        )
        imports: dict = {}

        def hook(msg):
            if msg["msg_type"] == "stream" and "IMPORTS " in msg["content"].get("text", ""):
                text = msg["content"]["text"]
                imports.update(json.loads(text[text.index("IMPORTS ") + 8 :].splitlines()[0]))

        t1 = time.perf_counter()
        kc.execute_interactive(code, output_hook=hook, timeout=300)
        out["imports_total_s"] = time.perf_counter() - t1
        out["imports"] = imports
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
    return out


def _ts(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def cell_table(nb) -> tuple[list[dict], dict]:
    """Per-cell durations and image outputs, plus start-up and tail from the notebook metadata."""
    meta = nb.metadata.get("papermill", {})
    cells = []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        pm = cell.metadata.get("papermill", {})
        n_img, img_bytes = 0, 0
        for o in cell.get("outputs", []):
            for mime, value in o.get("data", {}).items():
                if mime.startswith("image/"):  # a matplotlib figure shown inline
                    n_img, img_bytes = n_img + 1, img_bytes + len(value)
                elif mime == "text/html" and "data:image/" in value:  # a figure embedded in report HTML
                    n_img, img_bytes = n_img + value.count("data:image/"), img_bytes + len(value)
        src = cell.source.strip().splitlines()
        cells.append(
            {
                "index": i,
                "seconds": pm.get("duration") or 0.0,
                "start": pm.get("start_time"),
                "end": pm.get("end_time"),
                "images": n_img,
                "image_kb": img_bytes / 1024,
                "tags": cell.metadata.get("tags", []),
                "first_line": (src[0] if src else "")[:70],
            }
        )
    info = {"notebook_s": meta.get("duration")}
    started = [c for c in cells if c["start"]]
    if meta.get("start_time") and started:
        info["before_first_cell_s"] = (_ts(started[0]["start"]) - _ts(meta["start_time"])).total_seconds()
    if meta.get("end_time") and started and started[-1]["end"]:
        info["after_last_cell_s"] = (_ts(meta["end_time"]) - _ts(started[-1]["end"])).total_seconds()
    return cells, info


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("name", help="report name (a notebook stem, or NOTEBOOK-town for one town's profile)")
    ap.add_argument("--notebooks", default=None, help="notebooks folder (default: notebooks/)")
    ap.add_argument(
        "--params",
        default=None,
        help="parameter file or 'none' (default: params/default.yaml for notebooks/, none otherwise)",
    )
    ap.add_argument("--set", action="append", default=[], metavar="NAME=VALUE")
    ap.add_argument("--top", type=int, default=12, help="how many of the slowest cells to list")
    ap.add_argument("--no-probe", action="store_true", help="skip the separate kernel start/import probe")
    ap.add_argument("--keep", action="store_true", help="keep the temporary output folder")
    args = ap.parse_args(argv)

    clock = Clock()
    print("1. worker imports (as in execute.run_job)", flush=True)
    with clock("import papermill"):
        import papermill as pm
    with clock("import nbformat"):
        import nbformat
    with clock("import shunde_workbook.publish.export (nbconvert)"):
        from shunde_workbook.publish.export import to_html
    with clock("import runner, kernel name lookup"):
        from shunde_workbook.paths import NOTEBOOKS, PARAMS
        from shunde_workbook.runner.execute import kernel_name
        from shunde_workbook.runner.kernels import ipc_kernel_manager
        from shunde_workbook.runner.runner import discover, jobs_for, plan

        kernel = kernel_name()

    notebooks = Path(args.notebooks).resolve() if args.notebooks else NOTEBOOKS
    if args.params is None:
        params_file = PARAMS / "default.yaml" if notebooks == NOTEBOOKS.resolve() else None
    else:
        params_file = None if args.params.lower() in ("none", "") else Path(args.params)
    names = {r.name for r in discover(notebooks)}
    stem = args.name if args.name in names else next((n for n in sorted(names) if args.name.startswith(n + "-")), None)
    if stem is None:
        print(f"No notebook for '{args.name}' in {notebooks}. Available: {', '.join(sorted(names))}", file=sys.stderr)
        return 2

    tmp = Path(tempfile.mkdtemp(prefix="swk-profile-"))
    try:
        reports, merged, per_report = plan(params_file, args.set, [stem], notebooks)
        jobs = [j for j, _r, _o in jobs_for(reports, merged, per_report, tmp, kernel)]
        job = next((j for j in jobs if j.name == args.name), jobs[0])
        print(
            f"\nReport {job.name} ({job.notebook}), kernel '{kernel}', {len(jobs)} job(s) for this notebook", flush=True
        )

        probe = {}
        if not args.no_probe:
            print("\n2. kernel alone (IPC, like the runner)", flush=True)
            sockets = tempfile.mkdtemp(prefix="swk-")
            try:
                probe = kernel_probe(kernel, sockets)
            finally:
                shutil.rmtree(sockets, ignore_errors=True)
            print(f"  {probe['kernel_start_s']:8.2f} s  kernel start until ready")
            print(f"  {probe['imports_total_s']:8.2f} s  heavy imports inside the kernel (cumulative):")
            for mod, s in probe["imports"].items():
                print(f"      {f'{s:.2f} s' if s is not None else 'failed':>8}  import {mod}")

        print("\n3. papermill execution", flush=True)
        executed = tmp / f"{job.name}.ipynb"
        sockets = tempfile.mkdtemp(prefix="swk-")
        try:
            with clock("papermill.execute_notebook (total)") as span:
                pm.execute_notebook(
                    job.notebook,
                    str(executed),
                    parameters=job.parameters,
                    kernel_name=kernel,
                    progress_bar=False,
                    request_save_on_cell_execute=False,
                    execution_timeout=job.timeout,
                    start_timeout=120,
                    kernel_manager_class=ipc_kernel_manager(sockets),
                )
        finally:
            shutil.rmtree(sockets, ignore_errors=True)
        pm_total = span.seconds

        print("\n4. HTML export", flush=True)
        with clock("nbformat.read executed notebook"):
            nb = nbformat.read(str(executed), as_version=4)
        sizes = {}
        for edition in ("policy", "analyst"):
            with clock(f"to_html {edition} (first call: exporter + template set-up + render)"):
                html = to_html(nb, edition, job.title, job.language)
            with clock(f"to_html {edition} (second call: render only)"):
                to_html(nb, edition, job.title, job.language)
            sizes[edition] = len(html.encode("utf-8"))
            (tmp / f"{job.name}.{edition}.html").write_text(html, encoding="utf-8")

        cells, info = cell_table(nb)
        code_s = sum(c["seconds"] for c in cells)
        fig_cells = [c for c in cells if c["images"]]
        print(
            f"\nCells: {len(cells)} code cells, {code_s:.2f} s in total; {len(fig_cells)} cells with figures "
            f"({sum(c['seconds'] for c in fig_cells):.2f} s, {sum(c['image_kb'] for c in fig_cells):.0f} KB "
            "of figure output)"
        )
        print(f"Slowest {min(args.top, len(cells))} cells:")
        print(f"  {'cell':>4} {'seconds':>8} {'imgs':>4}  first line")
        for c in sorted(cells, key=lambda c: -c["seconds"])[: args.top]:
            print(f"  {c['index']:>4} {c['seconds']:>8.2f} {c['images']:>4}  {c['first_line']}")

        before = info.get("before_first_cell_s") or 0.0
        after = info.get("after_last_cell_s") or 0.0
        imports = sum(s for label, s in clock.rows if label.startswith("import"))
        export = sum(s for label, s in clock.rows if label.startswith("to_html") and "first" in label)
        read = next((s for label, s in clock.rows if label.startswith("nbformat.read")), 0.0)
        rest = pm_total - before - code_s - after
        print("\nSummary (what one runner worker spends on this report):")
        rows = [
            ("worker imports (papermill, nbformat, nbconvert, runner)", imports),
            ("kernel start + parameter injection (before first cell)", before),
            ("cell execution (sum of papermill.duration)", code_s),
            ("  of which cells with figure outputs", sum(c["seconds"] for c in fig_cells)),
            ("after last cell (kernel shutdown, papermill bookkeeping)", after),
            ("papermill outside the notebook's own clock (read/write ipynb, setup)", rest),
            ("read executed notebook + HTML export, both editions", read + export),
        ]
        for label, s in rows:
            print(f"  {s:8.2f} s  {label}")
        total = imports + pm_total + read + export
        print(f"  {total:8.2f} s  total")
        if probe:
            print(
                f"  (separately: a bare kernel starts in {probe['kernel_start_s']:.2f} s and the heavy imports "
                f"take {probe['imports_total_s']:.2f} s inside it)"
            )
        print(f"HTML sizes: policy {sizes['policy'] / 1024:.0f} KB, analyst {sizes['analyst'] / 1024:.0f} KB")
        if args.keep:
            print(f"Executed notebook and HTML kept in {tmp}")
    finally:
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

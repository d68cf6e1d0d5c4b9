"""Shared pieces of the report-suite benchmark (benchmarks/run_suite.py): targets, timing, helpers."""

from __future__ import annotations

import json
import shlex
import subprocess
import sys
import threading
import time
from pathlib import Path

from shunde_workbook.runner.memory import PeakMemory

ROOT = Path(__file__).resolve().parents[1]
# The venv that runs this script (``make bench`` uses .venv/bin/python); not resolved, so a
# symlinked interpreter still points at the venv's bin folder.
BIN = Path(sys.executable).parent
if not (BIN / "papermill").exists() and (ROOT / ".venv" / "bin" / "papermill").exists():
    BIN = ROOT / ".venv" / "bin"

TARGET_SPEEDUP = 6.0  # (b) at least 6x faster than (a)  (issue 13)
TARGET_NOOP_S = 0.5  # (c) under 0.5 s  (issue 24)
TARGET_SCALE_RATIO = 1.2  # (d) at most 1.2x (b)  (issue 24)
TARGET_RSS_MB = 1536  # peak RSS under 1.5 GB for (b), (c), (d)  (issue 24)
SAMPLE_S = 0.1
PSS_S = 1.0  # PSS costs ~7 ms per process to read (runner.memory): once a second, not every 0.1 s

T_START = time.perf_counter()


def say(msg: str = "") -> None:
    print(msg, flush=True)


def stamp() -> str:
    return f"{time.perf_counter() - T_START:7.1f}s"


# --------------------------------------------------------------------------- timing one command


class Timed:
    """Result of one timed subprocess."""

    def __init__(self, wall: float, peak: int, rc: int, lines: list[tuple[float, str]], log: Path, peak_pss: int = 0):
        self.wall, self.peak, self.rc, self.lines, self.log = wall, peak, rc, lines, log
        self.peak_pss = peak_pss  # summed proportional set size (runner.memory.PeakMemory): shared pages once

    @property
    def peak_mb(self) -> float:
        return self.peak / 2**20

    @property
    def peak_pss_mb(self) -> float:
        return self.peak_pss / 2**20


def timed(label: str, cmd: list[str], log: Path, show=lambda line: True) -> Timed:
    """Run ``cmd`` from the project folder; wall time, peak tree RSS, exit code, output lines.

    Output goes to ``log``; lines accepted by ``show`` are echoed as progress.
    """
    lines: list[tuple[float, str]] = []
    with open(log, "w", encoding="utf-8") as fh:
        t0 = time.perf_counter()
        proc = subprocess.Popen(
            cmd,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            encoding="utf-8",
            errors="replace",
            bufsize=1,
        )

        def read():
            for line in proc.stdout:
                t = time.perf_counter() - t0
                fh.write(line)
                lines.append((t, line.rstrip("\n")))
                if show(line):
                    say(f"  {stamp()}  {label} +{t:6.1f}s  {line.rstrip()}")

        reader = threading.Thread(target=read, daemon=True)
        with PeakMemory(proc.pid, SAMPLE_S, PSS_S) as mem:
            reader.start()
            rc = proc.wait()
            wall = time.perf_counter() - t0
        reader.join(timeout=10)  # an orphaned grandchild could keep the pipe open; do not hang on it
    return Timed(wall, mem.peak, rc, lines, log, mem.peak_pss)


# --------------------------------------------------------------------------- planning


def planjobs_for(
    notebooks: Path, params_file: Path | None, overrides: list[str], only: list[str] | None, outputs: Path, kernel: str
):
    """The runner's own job list (notebook path, name and parameters of every report)."""
    from shunde_workbook.params import ParameterError
    from shunde_workbook.runner.runner import jobs_for, plan

    try:
        reports, merged, per_report = plan(params_file, overrides, only, notebooks)
    except ParameterError as exc:
        raise SystemExit(f"Parameter error, nothing was timed:\n{exc}") from None
    return [job for job, _report, _own in jobs_for(reports, merged, per_report, outputs, kernel)], per_report


def papermill_args(params: dict) -> list[str]:
    """Parameters as papermill CLI options.

    Lists and dicts go as ``-y 'name: <yaml>'``; strings as ``-r`` (raw) so that a value such as a
    town code ``440606003`` stays a string as the runner passes it (``-p`` would turn it into an
    int); numbers and booleans as ``-p``.
    """
    import yaml

    args: list[str] = []
    for name, value in params.items():
        if isinstance(value, (list, dict)):
            flow = yaml.safe_dump({name: value}, allow_unicode=True, default_flow_style=True, width=10**6).strip()
            args += ["-y", flow[1:-1] if flow.startswith("{") else flow]
        elif isinstance(value, str):
            args += ["-r", name, value]
        elif value is None:
            args += ["-p", name, "None"]
        else:
            args += ["-p", name, repr(value) if isinstance(value, float) else str(value)]
    return args


def baseline_script(jobs, out: Path, kernel: str) -> tuple[str, list[list[str]]]:
    """A plain sequential shell loop: papermill, then nbconvert, per report."""
    nbdir = out / "notebooks"
    lines = [
        "#!/bin/bash",
        "# Naive baseline: one papermill run, then one nbconvert HTML export, per report.",
        f"cd {shlex.quote(str(ROOT))}",
        f"mkdir -p {shlex.quote(str(nbdir))}",
    ]
    commands = []
    n = len(jobs)
    for i, job in enumerate(jobs, 1):
        executed = nbdir / f"{job.name}.ipynb"
        pm = [str(BIN / "papermill"), job.notebook, str(executed), *papermill_args(job.parameters), "-k", kernel]
        nbc = [str(BIN / "jupyter"), "nbconvert", "--to", "html", str(executed)]
        commands += [pm, nbc]
        q = shlex.quote
        lines += [
            f"echo {q(f'## [{i}/{n}] papermill  {job.name}')}",
            f"{shlex.join(pm)} || echo {q(f'## FAILED papermill {job.name}')}",
            f"echo {q(f'## [{i}/{n}] nbconvert  {job.name}')}",
            f"{shlex.join(nbc)} || echo {q(f'## FAILED nbconvert {job.name}')}",
        ]
    lines.append("echo '## done'")
    return "\n".join(lines) + "\n", commands


def runner_cmd(
    notebooks: Path,
    params_file: Path | None,
    overrides: list[str],
    only: list[str] | None,
    outputs: Path,
    force: bool,
    jobs: int | None,
) -> list[str]:
    """``shunde-workbook run`` for the project's notebooks; the same call via ``python -c`` otherwise."""
    from shunde_workbook.paths import NOTEBOOKS

    if notebooks.resolve() == NOTEBOOKS.resolve():
        cmd = [
            str(BIN / "shunde-workbook"),
            "run",
            "--outputs",
            str(outputs),
            "--params",
            str(params_file) if params_file else "",
        ]
        for item in overrides:
            cmd += ["--set", item]
        if only:
            cmd += ["--only", *only]
        if jobs:
            cmd += ["--jobs", str(jobs)]
        if force:
            cmd.append("--force")
        return cmd
    spec = {
        "params_file": str(params_file) if params_file else None,
        "overrides": overrides,
        "only": only,
        "jobs": jobs,
        "force": force,
        "outputs": str(outputs),
        "notebooks_dir": str(notebooks),
    }
    code = (
        "import json, sys; from pathlib import Path; from shunde_workbook.runner.runner import RunOptions, run; "
        "a = json.loads(sys.argv[1]); "
        "sys.exit(run(RunOptions(params_file=Path(a['params_file']) if a['params_file'] else None, "
        "overrides=a['overrides'], only=a['only'], jobs=a['jobs'], force=a['force'], outputs=Path(a['outputs']), "
        "notebooks_dir=Path(a['notebooks_dir']))))"
    )
    return [str(BIN / "python"), "-c", code, json.dumps(spec, ensure_ascii=False)]


# --------------------------------------------------------------------------- the big ledger


def build_big_ledger(src: Path, dest: Path, scale: int) -> int:
    """``src`` repeated ``scale`` times with unique Identifiers; every other cell as it was."""
    import pandas as pd

    raw = src.read_bytes()[:3]
    encoding = "utf-8-sig" if raw == b"\xef\xbb\xbf" else "utf-8"
    base = pd.read_csv(src, dtype=str, keep_default_na=False, encoding=encoding)
    if "Identifier" not in base.columns:
        raise SystemExit(f"{src} has no Identifier column; cannot build the scaled ledger")
    parts = []
    for rep in range(scale):
        part = base.copy()
        if rep:
            part["Identifier"] = part["Identifier"] + f"-X{rep:03d}"
        parts.append(part)
    big = pd.concat(parts, ignore_index=True)
    assert big["Identifier"].is_unique
    if "provenance" in big.columns:
        assert set(big["provenance"]) <= set(base["provenance"])
    big.to_csv(dest, index=False, encoding=encoding, lineterminator="\n")
    return len(big)


# --------------------------------------------------------------------------- helpers


def manifest_of(outputs: Path) -> dict:
    try:
        return json.loads((outputs / "manifest.json").read_text("utf-8"))
    except (OSError, ValueError):
        return {}


def runner_summary(t: Timed, outputs: Path) -> dict:
    man = manifest_of(outputs)
    reps = man.get("reports", [])
    status: dict[str, int] = {}
    for r in reps:
        status[r.get("status", "?")] = status.get(r.get("status", "?"), 0) + 1
    return {
        "wall_seconds": round(t.wall, 2),
        "peak_rss_mb": round(t.peak_mb, 1),
        "peak_pss_mb": round(t.peak_pss_mb, 1),
        "exit_code": t.rc,
        "statuses": status,
        "runner_reported": {k: man.get("run", {}).get(k) for k in ("wall_seconds", "peak_rss_mb", "jobs")},
        "report_seconds": {r["name"]: r.get("seconds") for r in reps},
        "phase_seconds": phase_totals(reps),
    }


def phase_totals(reps: list[dict]) -> dict:
    """Seconds per phase summed over the reports built (the runner's per-report ``phases``), and warm starts."""
    totals: dict[str, float] = {}
    warm = 0
    for r in reps:
        for k, v in (r.get("phases") or {}).items():
            if k == "warm_kernel":
                warm += bool(v)
            else:
                totals[k] = round(totals.get(k, 0.0) + v, 2)
    return {**totals, "warm_kernels": warm}


def baseline_phases(t: Timed) -> dict:
    """Seconds spent in papermill and in nbconvert, from the times the loop's markers arrived."""
    marks = [(s, line[3:]) for s, line in t.lines if line.startswith("## ")]
    totals = {"papermill": 0.0, "nbconvert": 0.0}
    per_report: dict[str, dict] = {}
    for (s, text), (s_next, _) in zip(marks, marks[1:] + [(t.wall, "")], strict=True):
        parts = text.split()
        if len(parts) >= 3 and parts[1] in totals:
            totals[parts[1]] += s_next - s
            per_report.setdefault(parts[2], {})[parts[1]] = round(s_next - s, 2)
    return {"totals": {k: round(v, 2) for k, v in totals.items()}, "per_report": per_report}


def tail(path: Path, n: int = 25) -> str:
    try:
        return "\n".join(path.read_text("utf-8", errors="replace").splitlines()[-n:])
    except OSError:
        return ""


def snapshot(notebooks: Path) -> dict[str, tuple[int, int]]:
    """Modification time and size of every notebook and package source file (the cache key's inputs)."""
    import shunde_workbook

    files = list(notebooks.glob("*.ipynb")) + list(Path(shunde_workbook.__file__).parent.rglob("*"))
    out = {}
    for f in files:
        try:
            if f.is_file() and "__pycache__" not in f.parts:
                st = f.stat()
                out[str(f)] = (st.st_mtime_ns, st.st_size)
        except OSError:
            pass
    return out


def changed(before: dict, after: dict) -> list[str]:
    return sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))


def warm_up() -> None:
    """Untimed: load the heavy libraries once so that neither (a) nor (b) pays for a cold page cache."""
    code = (
        "import pandas, numpy, matplotlib; matplotlib.use('Agg'); import matplotlib.pyplot; "
        "import nbconvert, nbformat, papermill, jupyter_client, ipykernel"
    )
    for extra in ("import geopandas", "import mapclassify"):
        code += f"\ntry:\n    {extra}\nexcept Exception:\n    pass"
    subprocess.run(
        [str(BIN / "python"), "-c", code], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False
    )


def verdict(ok: bool | None) -> str:
    return "n/a" if ok is None else ("met" if ok else "NOT MET")

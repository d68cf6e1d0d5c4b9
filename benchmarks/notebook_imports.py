#!/usr/bin/env python
"""Which heavy libraries each report notebook loads, and what importing costs it.

    .venv/bin/python benchmarks/notebook_imports.py                  # every notebook in notebooks/
    .venv/bin/python benchmarks/notebook_imports.py --only 01_data_audit 04_fairness_need
    .venv/bin/python benchmarks/notebook_imports.py --json outputs/notebook_imports.json

Each notebook's code cells run as one script in a fresh interpreter (``python -X importtime``) with the
runner's parameters (the first town for a per-town notebook) and a temporary ``output_dir``; nothing is
written to ``outputs/``.  For each notebook the script prints the total import time (the sum of the
top-level imports' cumulative times) and, for each heavy library in ``HEAVY`` it loaded, its own cumulative
import time where it was first imported.  ``-X importtime`` times wall clock on this machine: compare
figures from one run, not across machines.  The list of modules a notebook loads is what
``tests/test_light_kernels.py`` checks.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

#: Libraries worth knowing about: each costs tens to hundreds of milliseconds to import.
HEAVY = (
    "numpy",
    "pandas",
    "matplotlib",
    "seaborn",
    "scipy",
    "scipy.stats",
    "mapclassify",
    "sklearn",
    "geopandas",
    "shapely",
    "pyogrio",
    "pyproj",
    "jinja2",
    "yaml",
    "PIL",
    "fontTools",
    "openpyxl",
    "pyarrow",
    "dask",
    "playwright",
    "networkx",
    "numba",
)

_LINE = re.compile(r"^import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)")


def notebook_script(notebook: Path, output_dir: Path) -> str:
    """The notebook's code cells as one script, with the runner's parameters for its first job."""
    import nbformat

    from shunde_workbook.runner.runner import jobs_for, plan

    reports, merged, per_report = plan(None, [], [notebook.stem], notebook.parent)
    job = jobs_for(reports, merged, per_report, output_dir, "python3")[0][0]
    params = {**job.parameters, "output_dir": str(output_dir)}
    nb = nbformat.read(str(notebook), as_version=4)
    cells = [c.source for c in nb.cells if c.cell_type == "code"]
    at = next(i for i, c in enumerate(nb.cells) if "parameters" in c.get("metadata", {}).get("tags", []))
    at = sum(1 for c in nb.cells[: at + 1] if c.cell_type == "code")
    injected = "".join(f"{k} = {v!r}\n" for k, v in params.items())
    head = "from IPython.display import display\n"  # a kernel's built-in
    return "\n\n".join([head, *cells[:at], injected, *cells[at:]])


def parse_importtime(stderr: str) -> dict:
    """Total import time (ms) and, per heavy root package, its cumulative ms where first imported."""
    total, first = 0, {}
    for line in stderr.splitlines():
        m = _LINE.match(line)
        if not m:
            continue
        _self_us, cumulative, indent, name = m.groups()
        if len(indent) <= 1:  # a top-level import of the script
            total += int(cumulative)
        if name in HEAVY and name not in first:
            first[name] = int(cumulative) / 1000
    return {"import_ms": total / 1000, "heavy_ms": first}


def measure(notebook: Path) -> dict:
    """Run ``notebook``'s code in a fresh interpreter; its heavy modules and import times."""
    with tempfile.TemporaryDirectory(prefix="nbimports-") as tmp:
        script = Path(tmp) / "notebook.py"
        script.write_text(
            notebook_script(notebook, Path(tmp) / "out")
            + "\n\nimport sys as _s\nprint('MODULES', sorted({m.split('.')[0] for m in _s.modules}))\n",
            encoding="utf-8",
        )
        env = {"MPLBACKEND": "Agg", "PYTHONPATH": str(ROOT / "src")}
        run = subprocess.run(
            [sys.executable, "-X", "importtime", str(script)],
            capture_output=True,
            text=True,
            cwd=ROOT,
            env={**os.environ, **env},
            check=False,
        )
    if run.returncode:
        raise SystemExit(f"{notebook.name} failed:\n{run.stderr[-3000:]}")
    line = next(ln for ln in run.stdout.splitlines() if ln.startswith("MODULES "))
    loaded = set(json.loads(line[len("MODULES ") :].replace("'", '"')))  # our own printed list of names
    found = parse_importtime(run.stderr)
    return {"heavy": [h for h in HEAVY if h.split(".")[0] in loaded], **found}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--notebooks", type=Path, default=ROOT / "notebooks")
    ap.add_argument("--only", nargs="*")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args(argv)
    books = sorted(p for p in args.notebooks.glob("*.ipynb") if not p.name.startswith("_"))
    if args.only:
        books = [b for b in books if b.stem in args.only]
    results = {}
    for book in books:
        r = results[book.stem] = measure(book)
        absent = [h for h in ("seaborn", "scipy", "mapclassify", "sklearn") if h not in r["heavy"]]
        print(f"{book.stem}: imports {r['import_ms']:,.0f} ms; not loaded: {', '.join(absent) or '-'}")
        for name, ms in sorted(r["heavy_ms"].items(), key=lambda kv: -kv[1]):
            print(f"    {name:<12} {ms:8,.0f} ms")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

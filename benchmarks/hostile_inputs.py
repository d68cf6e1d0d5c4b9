#!/usr/bin/env python
"""Time how fast hostile inputs are refused (issue #25, "bounds before work").

Each case runs the real command in a subprocess (start-up included) and prints its wall time, peak
memory of the process and the first line of its refusal:

* a 587-byte sweep file of nested YAML aliases (refused: no anchors or aliases);
* a sweep grid of 8 × 10^6 sets (refused before expansion: more than --max-sets);
* an .xlsx with 20 M shared strings in about 2 MB (refused: shared-strings limit);
* an .xlsx with 45 M cells in a few MB (refused: cells-per-sheet limit);
* a FIFO and /dev/zero as the ledger (refused before reading).

    .venv/bin/python benchmarks/hostile_inputs.py            # every case
    .venv/bin/python benchmarks/hostile_inputs.py --skip-xlsx

Targets: the sweep cases under 1 s, the xlsx cases under 5 s (start-up included).
"""

from __future__ import annotations

import argparse
import io
import os
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import psutil

EXE = str(Path(sys.executable).with_name("shunde-workbook"))


def alias_bomb(path: Path) -> Path:
    """The classic "billion laughs" in YAML: nine levels of nine aliases, under 600 bytes."""
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for prev, cur in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{cur}: &{cur} [" + ",".join(f"*{prev}" for _ in range(9)) + "]")
    lines.append("grid: {seed: *i}")
    path.write_text("\n".join(lines) + "\n")
    return path


def huge_grid(path: Path) -> Path:
    """A grid of 200 × 200 × 200 = 8 × 10^6 sets."""
    values = "[" + ", ".join(str(i) for i in range(200)) + "]"
    path.write_text(f"grid:\n  top_n: {values}\n  draws: {values}\n  seed: {values}\n")
    return path


def big_xlsx(path: Path, strings: int = 0, cells: int = 0) -> Path:
    """A small workbook whose shared-strings table or first sheet is replaced by a huge, compressible one."""
    import openpyxl

    wb = openpyxl.Workbook()
    wb.active.append(["项目编号", "资助金额"])
    wb.active.append(["a", 1])
    buf = io.BytesIO()
    wb.save(buf)
    src = zipfile.ZipFile(buf)
    ns = b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as z:
        names = src.namelist()
        for name in names:
            data = src.read(name)
            if cells and name == "xl/worksheets/sheet1.xml":
                with z.open(name, "w", force_zip64=True) as fh:
                    fh.write(b'<?xml version="1.0" encoding="UTF-8"?><worksheet ' + ns + b"><sheetData>")
                    block = (b"<row>" + b"<c/>" * 1000 + b"</row>") * 100
                    for _ in range(cells // 100_000):
                        fh.write(block)
                    fh.write(b"</sheetData></worksheet>")
                continue
            z.writestr(name, data)
        if strings:
            with z.open("xl/sharedStrings.xml", "w", force_zip64=True) as fh:
                fh.write(b'<?xml version="1.0" encoding="UTF-8"?><sst ' + ns + b">")
                block = b"<si><t/></si>" * 100_000
                for _ in range(strings // 100_000):
                    fh.write(block)
                fh.write(b"</sst>")
    return path


def timed(cmd: list[str], timeout: float = 600) -> tuple[float, float, int, str]:
    """Run ``cmd``; return (seconds, peak MB, exit code, first line of its message)."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    peak = 0
    ps = psutil.Process(proc.pid)
    while proc.poll() is None and time.perf_counter() - t0 < timeout:
        try:
            peak = max(peak, ps.memory_info().rss)
        except psutil.Error:
            pass
        time.sleep(0.02)
    if proc.poll() is None:
        proc.kill()
    out = proc.communicate()[0]
    line = next((ln for ln in out.splitlines() if ln.strip() and "nothing was run" not in ln), "")
    return time.perf_counter() - t0, peak / 2**20, proc.returncode, line[:200]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--skip-xlsx", action="store_true", help="skip the two large workbooks (they take ~1 min to make)")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="swk-hostile-"))
    cases = [
        ("sweep alias bomb", [EXE, "sweep", str(alias_bomb(tmp / "bomb.yaml"))], 1.0),
        ("sweep 8e6 grid", [EXE, "sweep", str(huge_grid(tmp / "grid.yaml"))], 1.0),
    ]
    fifo = tmp / "ledger.csv"
    os.mkfifo(fifo)
    cases += [("FIFO ledger", [EXE, "validate", str(fifo)], 5.0), ("/dev/zero", [EXE, "validate", "/dev/zero"], 5.0)]
    if not args.skip_xlsx:
        s = big_xlsx(tmp / "strings.xlsx", strings=20_000_000)
        c = big_xlsx(tmp / "cells.xlsx", cells=45_000_000)
        print(f"made {s.name} ({s.stat().st_size / 1e6:.1f} MB) and {c.name} ({c.stat().st_size / 1e6:.1f} MB)")
        cases += [("xlsx 20M shared strings", [EXE, "validate", str(s)], 5.0)]
        cases += [("xlsx 45M cells", [EXE, "validate", str(c)], 5.0)]
    worst = 0.0
    for name, cmd, target in cases:
        secs, mb, code, line = timed(cmd)
        ok = secs < target and code != 0
        worst = max(worst, secs / target)
        print(
            f"{name:26s} {secs:6.2f} s (target < {target:g} s) {mb:6.0f} MB  exit {code}  "
            f"{'OK ' if ok else 'BAD'} {line}"
        )
    return 0 if worst < 1 else 1


if __name__ == "__main__":
    sys.exit(main())

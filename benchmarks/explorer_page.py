"""Size and speed of the in-page tools: the allocation explorer (report 05) and the grant table (report 01).

    .venv/bin/python benchmarks/explorer_page.py                  # blocks rendered here, default inputs
    .venv/bin/python benchmarks/explorer_page.py --outputs DIR    # also the exported reports of a run in DIR

Prints the page sizes, the time from navigation until the explorer is interactive (``#swx[data-ready]``;
median of 5 loads in headless Chromium, opened from disk), the time one control change takes to redraw
everything, and for the grant table at the 100x benchmark size (206,700 rows) its page size, load and
filter times.  Needs Chromium (``/usr/bin/chromium`` or ``$SHUNDE_CHROMIUM``) and Playwright.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
import warnings
from dataclasses import replace
from pathlib import Path

import pandas as pd
import yaml

from shunde_workbook.analysis import load_inputs, studies
from shunde_workbook.paths import ROOT
from shunde_workbook.report import explorer, grant_table

PAGE = '<!DOCTYPE html><html><head><meta charset="utf-8"><title>bench</title></head><body>{}</body></html>'
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def timed_loads(browser, url: str, ready: str, n: int = 5) -> float:
    times = []
    for _ in range(n):
        page = browser.new_page()
        start = time.perf_counter()
        page.goto(url)
        page.wait_for_selector(ready)
        times.append(time.perf_counter() - start)
        page.close()
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--outputs", help="an outputs folder of a run with reports 01 and 05")
    args = ap.parse_args()
    from playwright.sync_api import sync_playwright

    params = yaml.safe_load((ROOT / "params" / "default.yaml").read_text(encoding="utf-8"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        inp = load_inputs(params)
        res = studies.scenarios(inp, params["need_weights"], params["floor_share"], params["allocation_unit"])
        start = time.perf_counter()
        block = explorer.render(inp, params, res, "zh")
        build = time.perf_counter() - start
    tmp = Path(tempfile.mkdtemp(prefix="explorer-bench-"))
    pages = {"explorer block": tmp / "explorer.html"}
    pages["explorer block"].write_text(PAGE.format(block), "utf-8")
    big = replace(inp, ledger=pd.concat([inp.full_ledger] * 100, ignore_index=True))
    pages["grant table, 206,700 rows"] = tmp / "grants_x100.html"
    pages["grant table, 206,700 rows"].write_text(PAGE.format(grant_table.render(big, "zh")), "utf-8")
    print(f"explorer block built in {build:.1f} s (payload and 21 interval grid points)")
    for name, path in pages.items():
        print(f"{name}: {path.stat().st_size / 1e6:.2f} MB")
    reports = []
    if args.outputs:
        for name in ("05_scenarios_2023.html", "05_scenarios_2023.analyst.html", "01_data_audit.html"):
            path = Path(args.outputs) / "reports" / name
            if path.exists():
                print(f"{name}: {path.stat().st_size / 1e6:.2f} MB")
                reports.append(path)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=os.environ.get("SHUNDE_CHROMIUM", "/usr/bin/chromium"), args=ARGS)
        for path in [pages["explorer block"], *(p for p in reports if p.name.startswith("05"))]:
            print(f"{path.name}: interactive after {timed_loads(browser, path.as_uri(), '#swx[data-ready]'):.2f} s")
        page = browser.new_page()
        page.goto(pages["explorer block"].as_uri())
        page.wait_for_selector("#swx[data-ready]")
        # one input event redraws the table, the map, the chart (21 settings) and the fragment, synchronously
        change = """v => { const el = document.getElementById('swx-p-num'); const t = performance.now();
                         el.value = v; el.dispatchEvent(new Event('input')); return performance.now() - t; }"""
        changes = [page.evaluate(change, v) for v in ("0.1", "0.9", "0.35", "0.6", "0.15", "0.75")]
        print(f"one control change redrawn in {statistics.median(changes):.1f} ms (median of 6, in the page)")
        url = pages["grant table, 206,700 rows"].as_uri()
        print(f"grant table (206,700 rows): interactive after {timed_loads(browser, url, '#swg[data-ready]'):.2f} s")
        page.goto(url)
        page.wait_for_selector("#swg[data-ready]")
        start = time.perf_counter()
        page.select_option("#swg-year", "2020")
        print(f"grant table (206,700 rows): one filter in {(time.perf_counter() - start) * 1000:.0f} ms")
        browser.close()


if __name__ == "__main__":
    main()

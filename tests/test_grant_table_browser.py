"""The searchable grant table of report 01 in headless Chromium: filters, search, sort and CSV against pandas.

The table block (``report/grant_table.py``) is rendered for the default (simulated) ledger and for the
100× benchmark size (206,700 rows, embedded as aggregates), opened from disk with Playwright with every
non-file request refused; the totals of filtered rows must equal pandas on the ledger, the download must
hold exactly the filtered rows, each marked simulated.  Skipped without Chromium.
"""

from __future__ import annotations

import os
import shutil
import time
import warnings
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest

from shunde_workbook.analysis import load_inputs
from shunde_workbook.report import grant_table

from helpers import default_params

pytestmark = pytest.mark.slow

CHROMIUM = os.environ.get("SHUNDE_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
if not Path(CHROMIUM).exists():
    pytest.skip(
        "no Chromium found (apt-get install chromium): the grant table's browser tests are skipped",
        allow_module_level=True,
    )
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
PAGE = (
    '<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8"><title>grants</title></head>'
    "<body>{body}</body></html>"
)


@pytest.fixture(scope="module")
def inp():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return load_inputs(default_params(), boundaries=False)


@pytest.fixture(scope="module")
def page_of(tmp_path_factory):
    folder = tmp_path_factory.mktemp("grants")

    def write(inputs, lang, name):
        path = folder / f"{name}_{lang}.html"
        path.write_text(PAGE.format(lang=lang, body=grant_table.render(inputs, lang)), "utf-8")
        return path

    return write


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture
def watched(browser):
    ctx = browser.new_context(accept_downloads=True, viewport={"width": 1200, "height": 900})
    blocked, errors = [], []
    ctx.route(
        "**/*",
        lambda r: (
            r.continue_()
            if r.request.url.startswith(("file://", "blob:"))
            else (blocked.append(r.request.url), r.abort())
        ),
    )
    page = ctx.new_page()
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    yield page
    ctx.close()
    assert not blocked, f"network requests: {blocked}"
    assert not errors, f"console errors: {errors}"


def totals(page) -> tuple[int, float]:
    return int(page.get_attribute("#swg-count", "data-value")), float(page.get_attribute("#swg-total", "data-value"))


def town_name(inp, code, lang="zh"):
    return str(inp.towns.at[code, "town" if lang == "zh" else "name_en"])


def test_filters_and_totals_equal_pandas(inp, page_of, watched, tmp_path):
    led = inp.ledger
    page = watched
    page.goto(page_of(inp, "zh", "rows").as_uri())
    page.wait_for_selector("#swg[data-ready='1']")
    assert totals(page) == (len(led), pytest.approx(round(led["amount"].sum(), 2), abs=0.01))
    code = sorted(led["town_code"].unique())[1]
    page.select_option("#swg-town", town_name(inp, code))
    page.select_option("#swg-programme", "众创共善")
    page.select_option("#swg-year", "2021")
    sel = led[(led["town_code"] == code) & (led["programme"] == "众创共善") & (led["year"] == 2021)]
    assert len(sel) > 0
    assert totals(page) == (len(sel), pytest.approx(sel["amount"].sum(), abs=0.01))
    # an organisation through the text search (typed, as a reader would)
    org = sel["recipient_name"].iloc[0]
    page.select_option("#swg-year", "")
    page.fill("#swg-q", org)
    mine = led[(led["town_code"] == code) & (led["programme"] == "众创共善") & (led["recipient_name"] == org)]
    page.wait_for_function(f"SWGrants.count() === {len(mine)}")
    assert totals(page) == (len(mine), pytest.approx(mine["amount"].sum(), abs=0.01))
    # sort by amount, ascending after a second click (keyboard: Enter on the heading's button)
    both = led[(led["town_code"] == code) & (led["programme"] == "众创共善")]
    page.fill("#swg-q", "")
    page.wait_for_function(f"SWGrants.count() === {len(both)}")
    page.focus("th[data-sort=amount] button")
    page.keyboard.press("Enter")
    assert page.get_attribute("th[data-sort=amount]", "aria-sort") == "ascending"
    first = page.text_content("#swg-tbody tr:first-child td.swg-num")
    assert float(first.replace(",", "")) == pytest.approx(both["amount"].min() / 1e4, abs=0.005)
    # the download holds exactly the filtered rows, each marked simulated
    with page.expect_download() as dl:
        page.click("#swg-csv")
    path = tmp_path / "grants.csv"
    dl.value.save_as(path)
    got = pd.read_csv(path, encoding="utf-8-sig")
    assert len(got) == len(both)
    assert got["amount_yuan"].sum() == pytest.approx(both["amount"].sum(), abs=0.01)
    assert (got["provenance"] == "simulated").all()
    shots = Path(os.environ.get("SHUNDE_SCREENSHOTS") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    page.query_selector("#swg").screenshot(path=str(shots / "grant_table_zh_filtered.png"))


def test_benchmark_size_ledger_embeds_aggregates_and_stays_fast(inp, page_of, watched):
    big = pd.concat([inp.full_ledger] * 100, ignore_index=True)  # the 100x benchmark ledger: 206,700 rows
    assert len(big) == 100 * len(inp.full_ledger) > grant_table.EMBED_MAX_ROWS
    path = page_of(replace(inp, ledger=big), "en", "x100")
    size = path.stat().st_size
    print(f"{len(big):,} rows: page {size / 1e6:.2f} MB")
    assert size < 3e6
    page = watched
    start = time.perf_counter()
    page.goto(path.as_uri())
    page.wait_for_selector("#swg[data-ready='1']")
    print(f"interactive after {time.perf_counter() - start:.2f} s")
    assert "too many for one page" in page.text_content("#swg")
    assert totals(page) == (len(big), pytest.approx(big["amount"].sum(), abs=0.5))
    code = sorted(big["town_code"].unique())[0]
    start = time.perf_counter()
    page.select_option("#swg-town", town_name(inp, code, "en"))
    page.select_option("#swg-year", "2019")
    print(f"filtered in {time.perf_counter() - start:.2f} s")
    sel = big[(big["town_code"] == code) & (big["year"] == 2019)]
    assert totals(page) == (len(sel), pytest.approx(sel["amount"].sum(), abs=0.5))

"""The HTML validation report opens in headless Chromium without console errors, and shows every problem row.

Chromium is run as a person's browser would open the file (``file://``), once per language, with its console
logged to stderr; a page that throws is opened too, to show that such errors would be caught.  The Chinese
report is also saved as a screenshot for a person to look at: in ``$SHUNDE_SCREENSHOTS`` when set, else in the
test's temporary folder.  Skipped when chromium is not installed.
"""

from __future__ import annotations

import html
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from shunde_workbook.data import validate_ledger
from shunde_workbook.data.ledger.outputs import write_html

pytestmark = pytest.mark.slow

CHROMIUM = os.environ.get("SHUNDE_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "ledgers"
#: Console errors, blocked resources and failed loads as chromium logs them to stderr.
CONSOLE_ERROR = re.compile(r"Uncaught|Refused to|net::ERR_|:ERROR:CONSOLE|CONSOLE\(\d+\)\].*[Ee]rror")

if CHROMIUM is None:
    pytest.skip("chromium is not installed (apt-get install chromium fonts-noto-cjk)", allow_module_level=True)


def open_page(page: Path, profile: Path, *extra: str) -> tuple[str, str]:
    """(stdout, stderr) of headless chromium opening ``page``."""
    cmd = [
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--enable-logging=stderr",
        "--v=0",
        f"--user-data-dir={profile}",
        *extra,
        page.resolve().as_uri(),
    ]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)
    return done.stdout, done.stderr


def test_a_console_error_would_be_seen(tmp_path):
    page = tmp_path / "throws.html"
    page.write_text('<!DOCTYPE html><html><body><script>throw new Error("boom")</script></body></html>', "utf-8")
    _, log = open_page(page, tmp_path / "profile", "--dump-dom")
    assert CONSOLE_ERROR.search(log), log[-2000:]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_validation_report_opens_without_console_errors(tmp_path, lang):
    shots = Path(os.environ.get("SHUNDE_SCREENSHOTS") or tmp_path)
    for source in (FIXTURES / "many_problems.csv", FIXTURES / "ledger_2019.xls"):
        rep = validate_ledger(source)
        assert rep.errors
        page = write_html(rep, tmp_path / f"{source.stem}_{lang}.html", lang)
        dom, log = open_page(page, tmp_path / "profile", "--dump-dom")
        assert not CONSOLE_ERROR.findall(log), [ln for ln in log.splitlines() if CONSOLE_ERROR.search(ln)]
        rows = re.findall(r'<tr class="(error|warning)">(.*?)</tr>', dom, re.S)
        assert len(rows) == len(rep.errors) + len(rep.warnings)
        shown = [re.findall(r"<td[^>]*>(.*?)</td>", r)[2:4] for _, r in rows]
        issues = rep.errors + rep.warnings
        assert [(int(r), html.unescape(c)) for r, c in shown if r] == [(i.row, i.column) for i in issues if i.row]
        if lang == "zh":
            shot = shots / f"validation_{source.stem}_zh.png"
            open_page(page, tmp_path / "profile", f"--screenshot={shot}", "--window-size=1200,1600")
            assert shot.stat().st_size > 10_000


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_grouped_fix_opens_its_row_list(tmp_path, lang):
    """A grouped fix is one table row; clicking its summary shows every row and value (Playwright, system Chromium)."""
    from playwright.sync_api import sync_playwright
    from test_data_ledger_foreign import giving360_csv

    rep = validate_ledger(giving360_csv(tmp_path / "g.csv", n=12))
    page_file = write_html(rep, tmp_path / f"g_{lang}.html", lang)
    args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=args)
        page = browser.new_page()
        page.goto(page_file.resolve().as_uri())
        fix_rows = page.locator("tr.fix")
        assert fix_rows.count() == len(rep.fixes) == 1
        inner = fix_rows.first.locator("details table tr")
        assert not inner.first.is_visible()
        fix_rows.first.locator("summary").click()
        assert inner.count() == 12 + 1 and inner.nth(1).is_visible()  # a header row and the 12 rows
        assert "6,950.09" in inner.nth(1).inner_text()
        assert "Amount Awarded" in page.locator("ul.columns").inner_text()
        browser.close()

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

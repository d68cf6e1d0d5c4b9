"""The brief's PDF uses its two A4 pages: readable figures, no large empty space, the Chinese font embedded.

Measured from the PDF the runner printed (headless Chromium), in Chinese and in English:

* 2 pages, A4;
* ``pdffonts`` lists the embedded Noto Sans CJK subset (the page brings its own font);
* every figure prints at 94% or more of the size it was drawn at (``pdfimages -list`` gives each image's
  resolution on the page; figures are drawn at 150 dpi and redrawn for print with labels of 8.5 pt or more,
  report.printsize), so no label prints below 8 pt; the largest figure is at least half the text width
  (93 mm of 186 mm);
* no page is more than a quarter empty: on each page rendered by ``pdftoppm`` (30 dpi, grey), the lowest
  row with ink is at least 75% of the way down the printable area (tolerance: one 30-dpi row, 0.85 mm).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

pytestmark = pytest.mark.slow

TOOLS = ("chromium", "pdffonts", "pdfimages", "pdftoppm", "pdfinfo")
if not shutil.which("chromium") and not shutil.which("chromium-browser"):
    pytest.skip("chromium is not installed: the brief has no PDF to measure", allow_module_level=True)
if not all(shutil.which(t) for t in TOOLS[1:]):
    pytest.skip("poppler-utils (pdffonts, pdfimages, pdftoppm) is not installed", allow_module_level=True)

TEXT_WIDTH_MM = 186.0  # A4 less the 12 mm side margins (report.css @page)
MARGIN_TOP_MM, MARGIN_BOTTOM_MM = 11.0, 11.0
FIG_DPI = 150
DPI = 30


@pytest.fixture(scope="module", params=["zh", "en"])
def brief_pdf(request) -> Path:
    folder = request.getfixturevalue("default_reports" if request.param == "zh" else "full_run_en")
    pdfs = sorted((folder / "reports").glob("00_policy_brief*.pdf"))
    assert len(pdfs) == 1, f"expected one PDF of the brief in {folder / 'reports'}, found {pdfs}"
    return pdfs[0]


def _run(*cmd: str) -> str:
    return subprocess.run(cmd, capture_output=True, text=True, check=True, timeout=120).stdout


def test_two_a4_pages(brief_pdf):
    info = _run("pdfinfo", str(brief_pdf))
    assert re.search(r"^Pages:\s+2$", info, re.M), info
    w, h = map(float, re.search(r"Page size:\s+([\d.]+) x ([\d.]+) pts", info).groups())
    assert abs(w - 595.3) < 2 and abs(h - 841.9) < 2, f"not A4: {w} x {h} pt"


def test_the_cjk_font_is_embedded(brief_pdf):
    fonts = _run("pdffonts", str(brief_pdf)).splitlines()[2:]
    noto = [f for f in fonts if "NotoSansCJK" in f]
    assert noto, f"no Noto Sans CJK font in the PDF: {fonts}"
    assert all(f.split()[-5] == "yes" for f in noto), f"the CJK font is not embedded: {noto}"


def _figures(pdf: Path) -> list[dict]:
    rows = []
    for line in _run("pdfimages", "-list", str(pdf)).splitlines()[2:]:
        cols = line.split()
        if len(cols) < 14 or cols[2] != "image":
            continue
        width_px, x_ppi = int(cols[3]), float(cols[12])
        rows.append({"page": int(cols[0]), "mm": width_px / x_ppi * 25.4, "scale": FIG_DPI / x_ppi})
    return rows


def test_figures_print_at_their_drawn_size_and_the_largest_is_half_the_width(brief_pdf):
    figs = _figures(brief_pdf)
    # The evidence row (sensitivity, tornado) at least; on the simulated ledger the map, the share comparison
    # and the Lorenz curve are no key figures (their patterns are graded noise, issue #20) and are left out.
    assert len(figs) >= 2, f"only {len(figs)} figures in the PDF"
    small = [f for f in figs if f["scale"] < 0.94]
    assert not small, f"figures printed below 94% of their drawn size (labels under 8 pt): {small}"
    widest = max(f["mm"] for f in figs)
    assert widest >= TEXT_WIDTH_MM / 2, f"the largest figure is {widest:.0f} mm wide, under half the text width"


def _pages(pdf: Path, folder: Path) -> list[np.ndarray]:
    subprocess.run(["pdftoppm", "-r", str(DPI), "-gray", str(pdf), str(folder / "p")], check=True, timeout=120)
    pages = []
    for path in sorted(folder.glob("p-*.pgm")):
        data = path.read_bytes()
        m = re.match(rb"P5\s+(\d+)\s+(\d+)\s+(\d+)\s", data)
        w, h = int(m.group(1)), int(m.group(2))
        pages.append(np.frombuffer(data[m.end() : m.end() + w * h], dtype=np.uint8).reshape(h, w))
    return pages


def test_no_page_is_more_than_a_quarter_empty(brief_pdf, tmp_path):
    px_per_mm = DPI / 25.4
    for i, page in enumerate(_pages(brief_pdf, tmp_path), 1):
        top, bottom = int(MARGIN_TOP_MM * px_per_mm), page.shape[0] - int(MARGIN_BOTTOM_MM * px_per_mm)
        ink = np.where((page[top:bottom] < 235).any(axis=1))[0]
        assert ink.size, f"page {i} is blank"
        filled = (ink.max() + 1) / (bottom - top)
        assert filled >= 0.75 - 1 / (bottom - top), f"page {i} of {brief_pdf.name} is {1 - filled:.0%} empty"

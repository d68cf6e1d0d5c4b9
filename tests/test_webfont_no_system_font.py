"""Pages draw their Chinese text on a machine whose fontconfig knows no font at all.

Chromium with an empty font folder often marks a page's ``@font-face`` font as failed (two loads in
three on the dev machine), and the brief then printed as one page of blank text.  Pages therefore also
hand the embedded bytes to the FontFace API (``report/assets/webfont_loader.js``).  Each check below
opens a fresh browser several times, so that losing the loader fails it with high probability.
"""

from __future__ import annotations

import shutil

import pytest

from shunde_workbook.publish.export import write_pdf
from shunde_workbook.report.webfonts import embed_fonts

from helpers import empty_fontconfig

pytestmark = pytest.mark.slow

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
if CHROMIUM is None:
    pytest.skip("chromium is not installed (apt-get install chromium)", allow_module_level=True)

from playwright.sync_api import sync_playwright  # noqa: E402

TEXT = "顺德区社区资助 2023 年分配"
# like every page the workbook writes, its style asks for the embedded family first
PAGE = (
    '<!DOCTYPE html><html><head><title>t</title><style>body { font-family: "Noto Sans CJK SC", sans-serif; }</style>'
    f"</head><body><p id='t'>{TEXT}</p></body></html>"
)
TRIES = 4


@pytest.fixture(scope="module")
def page_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("page") / "00_policy_brief.html"
    path.write_text(embed_fonts(PAGE), encoding="utf-8")
    return path


def test_fresh_browsers_draw_the_embedded_font(page_file, tmp_path):
    env = empty_fontconfig(tmp_path)
    seen = []
    with sync_playwright() as p:
        for _ in range(TRIES):
            browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"], env=env)
            try:
                page = browser.new_page()
                page.goto(page_file.as_uri())
                page.evaluate("document.fonts.ready.then(() => true)")
                # a glyph drawn in a font has a width; with no usable font the text measures 0 px
                width = page.evaluate("document.getElementById('t').getBoundingClientRect().width")
                statuses = page.evaluate("[...document.fonts].map(f => f.status)")
                seen.append((page.get_attribute("html", "data-embedded-font"), statuses, width))
            finally:
                browser.close()
    assert all(flag == "loaded" and "loaded" in statuses and width > 50 for flag, statuses, width in seen), seen


def test_the_printed_pdf_embeds_the_font(page_file, tmp_path, monkeypatch):
    monkeypatch.setenv("FONTCONFIG_FILE", empty_fontconfig(tmp_path)["FONTCONFIG_FILE"])
    for _ in range(2):
        pdf = write_pdf("00_policy_brief", page_file, "zh")
        assert pdf is not None and pdf.exists()
        assert b"NotoSansCJK" in pdf.read_bytes(), "the PDF has no embedded CJK font: its text would not show"

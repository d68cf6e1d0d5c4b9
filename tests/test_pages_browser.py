"""Policy pages on a phone and on a machine without CJK fonts, driven with Playwright (system Chromium).

The browser's fontconfig knows only DejaVu Sans (``helpers.latin_only_fontconfig``), so Chinese shows only
where a page embeds its font.  At 390 px wide (a phone, e.g. in WeChat) no policy page and no index is wider
than the screen (``document.documentElement.scrollWidth``), report names in the index keep several
characters a line, and a figure opens full size when clicked.  Screenshots go to ``$SHUNDE_SCREENSHOTS`` when
set, else next to the run's reports.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from helpers import latin_only_fontconfig

pytestmark = pytest.mark.slow

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
if CHROMIUM is None:
    pytest.skip("chromium is not installed (apt-get install chromium)", allow_module_level=True)

from playwright.sync_api import sync_playwright  # noqa: E402

PHONE = {"width": 390, "height": 844}
PAGES = ["index.html", "reports/00_policy_brief.html", "reports/06_town_profile-daliang.html"]


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    env = latin_only_fontconfig(tmp_path_factory.mktemp("fontconfig"))
    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
            env=env,
        )
        try:
            yield b
        finally:
            b.close()


def _shots(outputs: Path) -> Path:
    folder = Path(os.environ.get("SHUNDE_SCREENSHOTS") or outputs / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.mark.parametrize("page_path", PAGES)
def test_no_page_is_wider_than_a_phone(browser, default_reports, page_path):
    page = browser.new_page(viewport=PHONE, device_scale_factor=1, is_mobile=True)
    try:
        page.goto((default_reports / page_path).resolve().as_uri())
        page.evaluate("document.fonts.ready.then(() => true)")
        widths = page.evaluate(
            "() => ({scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth})"
        )
        name = Path(page_path).stem
        page.screenshot(path=str(_shots(default_reports) / f"phone-{name}.png"), full_page=True)
        assert widths["scroll"] <= widths["client"] + 1, f"{page_path} at 390 px scrolls sideways: {widths}"
    finally:
        page.close()


def test_index_report_names_do_not_wrap_one_character_a_line(browser, default_reports):
    page = browser.new_page(viewport=PHONE, device_scale_factor=1, is_mobile=True)
    try:
        page.goto((default_reports / "index.html").resolve().as_uri())
        boxes = page.evaluate(
            """() => [...document.querySelectorAll('td.name strong, .townlist a')].map(e => {
                const r = e.getBoundingClientRect();
                const size = parseFloat(getComputedStyle(e).fontSize);
                return {text: e.innerText, width: r.width, lines: Math.round(r.height / (size * 1.6))};
            })"""
        )
        assert boxes, "no report names in the index"
        squeezed = [b for b in boxes if len(b["text"]) >= 4 and b["lines"] >= len(b["text"]) / 2]
        assert not squeezed, f"report names wrapped about one character a line at 390 px: {squeezed[:3]}"
    finally:
        page.close()


@pytest.mark.parametrize("page_path", ["index.html", "reports/06_town_profile-daliang.html"])
def test_text_is_drawn_with_the_embedded_font(browser, default_reports, page_path):
    """Tofu guard for the index and a town profile: every glyph of the headings and body comes from the page."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    try:
        page.goto((default_reports / page_path).resolve().as_uri())
        page.evaluate("document.fonts.ready.then(() => true)")
        cdp = page.context.new_cdp_session(page)
        cdp.send("DOM.enable")
        cdp.send("CSS.enable")
        root = cdp.send("DOM.getDocument", {"depth": 0})["root"]["nodeId"]
        for selector in ("h1", "h2", "li", "p"):
            node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
            if not node:
                continue
            fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
            used = [(f["familyName"], f.get("isCustomFont")) for f in fonts if f.get("glyphCount", 0)]
            assert used and all(c and "Noto Sans CJK SC" in n for n, c in used), f"{page_path} {selector}: {used}"
        page.screenshot(path=str(_shots(default_reports) / f"desktop-{Path(page_path).stem}.png"), full_page=True)
    finally:
        page.close()


def test_a_figure_opens_full_size_when_clicked(browser, default_reports):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    try:
        page.goto((default_reports / "reports/00_policy_brief.html").resolve().as_uri())
        img = page.locator("figure#fig-1 img")
        before = img.bounding_box()["width"]
        page.locator("figure#fig-1 a.sw-zoom").click()
        after = img.bounding_box()
        natural = img.evaluate("i => i.naturalWidth")
        assert page.evaluate("location.hash") == "#fig-1"
        assert after["width"] > before * 1.15 or after["width"] >= min(natural, 1280 * 0.96) - 2, (before, after)
        page.locator("figure#fig-1 a.sw-zoom-close").click(position={"x": 5, "y": 5})
        assert img.bounding_box()["width"] == pytest.approx(before, abs=2), "a second click closes it"
    finally:
        page.close()

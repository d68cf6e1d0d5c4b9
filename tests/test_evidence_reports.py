"""Evidence strength as the reader sees it: grades and intervals in the exported key-findings boxes.

The runner builds the brief and the district reports on the default (simulated) inputs, and the brief and a
town profile on an official-provenance copy of the same ledger.  Every item of every key-findings box must
carry a grade a key finding may rest on; built-in patterns and noise appear only under "What simulated data
cannot tell you", and never for a ledger that is not simulated.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

DISTRICT = [
    "00_policy_brief",
    "01_data_audit",
    "02_funding_overview",
    "03_town_distribution",
    "04_fairness_need",
    "05_scenarios_2023",
]
KEY_GRADES = {"published", "robust", "uncertain"}
INTERVAL = {"zh": "90% 区间", "en": "90% interval"}


class _Boxes(HTMLParser):
    """The ``data-grade`` of each ``<li>`` inside the key-findings box and inside the 'cannot tell' list."""

    def __init__(self):
        super().__init__()
        self.where, self.depth, self.items = None, 0, {"key": [], "cannot": []}

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "div" and a.get("id") in ("key-findings", "simulated-cannot-tell"):
            self.where, self.depth = ("key" if a["id"] == "key-findings" else "cannot"), 0
        if self.where and tag == "div":
            self.depth += 1
        if self.where and tag == "li":
            self.items[self.where].append({"grade": a.get("data-grade"), "text": ""})

    def handle_endtag(self, tag):
        if self.where and tag == "div":
            self.depth -= 1
            if self.depth == 0:
                self.where = None

    def handle_data(self, data):
        if self.where and self.items[self.where]:
            self.items[self.where][-1]["text"] += data


def boxes(path) -> dict:
    p = _Boxes()
    p.feed(path.read_text(encoding="utf-8"))
    return p.items


@pytest.fixture(scope="module")
def district_reports(full_run_zh):
    return full_run_zh


@pytest.mark.slow
def test_every_key_finding_is_graded_and_none_is_built_in_or_noise(district_reports):
    for name in DISTRICT:
        found = boxes(district_reports / "reports" / f"{name}.html")
        assert found["key"], f"{name}: the key-findings box is empty"
        grades = [i["grade"] for i in found["key"]]
        assert set(grades) <= KEY_GRADES, f"{name}: key findings graded {grades}"
        # what the simulated ledger decides is listed apart, each with its grade
        assert all(i["grade"] in {"built-in", "noise"} for i in found["cannot"]), (name, found["cannot"])


@pytest.mark.slow
def test_the_brief_leads_with_published_findings_and_gives_intervals(district_reports):
    found = boxes(district_reports / "reports" / "00_policy_brief.html")
    grades = [i["grade"] for i in found["key"]]
    assert grades[0] == "published" and grades == sorted(grades, key=["published", "robust", "uncertain"].index)
    assert sum(INTERVAL["zh"] in i["text"] for i in found["key"]) >= 3
    # a built-in pattern names the simulator setting behind it
    built_in = [i for i in found["cannot"] if i["grade"] == "built-in"]
    assert built_in and all(re.search(r"模拟设定：\w+", i["text"]) for i in built_in)


@pytest.mark.slow
def test_official_ledger_uses_neither_built_in_nor_noise(official_reports):
    for page in (official_reports / "reports").glob("*.html"):
        html = page.read_text(encoding="utf-8")
        assert 'data-grade="built-in"' not in html and 'data-grade="noise"' not in html, page.name
        assert 'id="simulated-cannot-tell"' not in html, page.name
        found = boxes(page)
        assert found["key"] and all(i["grade"] in KEY_GRADES for i in found["key"]), (page.name, found["key"])

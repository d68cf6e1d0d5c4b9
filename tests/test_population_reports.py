"""Census-anchored populations in the reports: the audit's sum check, 均安 on the 10-town basis everywhere,
and a basis that leaves a town out says so."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from helpers import run_reports

pytestmark = pytest.mark.slow
REPORTS = ["00_policy_brief", "01_data_audit", "03_town_distribution", "04_fairness_need", "05_scenarios_2023"]


def _text(out, name: str) -> str:
    page = (out / "reports" / f"{name}.html").read_text("utf-8")
    page = re.sub(r"(?is)<(script|style)\b.*?</\1>", " ", page)
    return re.sub(r"\s+", " ", re.sub(r"(?s)<[^>]+>", " ", page))


@pytest.fixture(scope="module")
def anchored(tmp_path_factory):
    return run_reports(tmp_path_factory.mktemp("anchored") / "outputs", REPORTS, ["language=zh"])


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    out = tmp_path_factory.mktemp("published") / "outputs"
    return run_reports(out, ["04_fairness_need", "05_scenarios_2023"], ["population_basis=best_available"])


def test_the_audit_shows_the_sum_check(anchored):
    table = pd.read_csv(anchored / "tables" / "01_data_audit__population_sum_check.csv", encoding="utf-8-sig")
    assert table["persons"].tolist() == pytest.approx([3_229_090, 2_777_454, 3_229_090])
    assert table["towns"].tolist() == [10, 9, 10] and table["difference"].tolist() == pytest.approx([0, -451_636, 0])
    assert table["source"][0].startswith("https://static.nfapp.southcn.com/")  # the census bulletin
    estimates = pd.read_csv(anchored / "tables" / "01_data_audit__population_estimates.csv", encoding="utf-8-sig")
    assert len(estimates) == 10 and "均安镇" in set(estimates["town"])
    text = _text(anchored, "01_data_audit")
    assert "在全部1,000次蒙特卡洛抽样中，10个镇街的估计值合计均等于普查总数" in text


def test_junan_is_on_the_same_ten_town_basis_in_every_report(anchored):
    for name in REPORTS:
        assert "均安" in _text(anchored, name), name
    shares = pd.read_csv(anchored / "tables" / "03_town_distribution__town_ranks.csv", encoding="utf-8-sig")
    junan = shares[shares["town"] == "均安镇"].drop(columns="pop_grade").iloc[0]
    assert junan.notna().all()  # population, shares and per-resident figures all present
    assert shares["pop_share"].sum() == pytest.approx(1) and shares["amount_share"].sum() == pytest.approx(1)
    alloc = pd.read_csv(anchored / "tables" / "05_scenarios_2023__allocations.csv", encoding="utf-8-sig")
    rules = alloc.drop(columns=["town_code", "town"])
    assert rules.sum().round(1).nunique() == 1  # each rule divides the same whole plan
    assert alloc.loc[alloc["town"] == "均安镇", "per_resident"].iloc[0] > 0
    # the brief names the census total in its population caveat
    assert "3,229,090" in _text(anchored, "00_policy_brief")
    # no sentence says 均安 lacks a population, and no fallback note
    for name in ("03_town_distribution", "05_scenarios_2023"):
        assert "缺少常住人口数据" not in _text(anchored, name) and "没有可用的常住人口数据" not in _text(anchored, name)


def test_a_basis_that_leaves_a_town_out_says_so(published):
    fairness = _text(published, "04_fairness_need")
    assert "均安镇在所选设置（人口取最佳可得数据）下没有人口数据" in fairness
    assert "均安镇缺少常住人口数据" in _text(published, "05_scenarios_2023")

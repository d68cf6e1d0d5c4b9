"""Reconciliation against published_facts.csv."""

import pandas as pd
import pytest

from shunde_workbook.data import load_facts, simulate_ledger
from shunde_workbook.data.reconcile import RECONCILE_COLUMNS, reconcile


@pytest.fixture(scope="module")
def sim():
    return simulate_ledger(2023)


@pytest.fixture(scope="module")
def facts():
    return load_facts()


def test_simulated_ledger_passes_every_applicable_fact(sim, facts):
    t = reconcile(sim, facts)
    assert list(t.columns) == RECONCILE_COLUMNS
    assert len(t) == len(facts) and t["fact_id"].tolist() == facts["fact_id"].tolist()  # none dropped
    assert set(t["status"]) == {"pass", "not applicable"}
    assert (t.loc[t["status"] == "not applicable", "note"].str.len() > 0).all()
    # the core calibrated facts are applicable (not silently skipped)
    applicable = set(t.loc[t["status"] == "pass", "fact_id"])
    core = facts[
        (facts["metric"].isin(["amount_granted", "projects_funded", "villages_covered"]))
        & ~facts["programme"].str.contains("predecessor")
    ]["fact_id"]
    assert set(core) <= applicable
    assert len(applicable) >= 19


def test_not_applicable_reasons(sim, facts):
    t = reconcile(sim, facts).set_index("metric")
    for metric in ["elderly_service_centres_supported", "trust_corpus", "projects_closed", "applications"]:
        assert t.loc[metric, "status"] == "not applicable"
    plans = reconcile(sim, facts)
    p23 = plans[(plans["metric"].str.startswith("planned")) & (plans["period"] == "2023")]
    assert (p23["status"] == "not applicable").all() and p23["note"].str.contains("full-year").all()


def test_missing_row_fails_exact_counts(sim, facts):
    t = reconcile(sim.iloc[1:], facts).set_index("fact_id")
    assert t.loc["F02", "status"] == "fail" and t.loc["F02", "difference"] == -1


@pytest.mark.parametrize("factor, expected", [(1.004, "pass"), (0.996, "pass"), (1.006, "fail"), (0.99, "fail")])
def test_approx_tolerance(sim, facts, factor, expected):
    led = sim.copy()
    led["amount"] = led["amount"] * factor
    t = reconcile(led, facts).set_index("fact_id")
    assert t.loc["F01", "status"] == expected
    assert t.loc["F01", "ledger"] == pytest.approx(35_000 * factor)


def test_lower_bound(sim, facts):
    led = sim.copy()
    q1 = (led["programme"] == "和美社区") & (led["year"] == 2023) & (led["field"] == "社区照顾")
    led.loc[q1, "amount"] = 3_000_000 / q1.sum()  # 300万 < 400万
    t = reconcile(led, facts).set_index("metric")
    assert t.loc["amount_granted[社区照顾]", "status"] == "fail"
    assert t.loc["amount_granted[社区营造]", "status"] == "pass"


def test_uncovered_period_is_not_applicable(sim, facts):
    only_hm = sim[sim["programme"] == "和美社区"]
    t = reconcile(only_hm, facts).set_index("fact_id")
    assert t.loc["F01", "status"] == "not applicable" and "众创共善 2017" in t.loc["F01", "note"]
    assert t.loc["F28", "status"] == "pass"


def test_plans_compared_when_year_is_complete(sim, facts):
    extra = sim[(sim["programme"] == "众创共善") & (sim["year"] == 2022)].head(250).copy()
    extra["year"] = 2023
    extra["award_date"] = pd.Timestamp("2023-11-20")
    extra["identifier"] = extra["identifier"] + "-2023"
    extra["amount"] = 31_000_000 / len(extra)
    t = reconcile(pd.concat([sim, extra], ignore_index=True), facts).set_index("fact_id")
    assert t.loc["F11", "status"] == "pass" and t.loc["F11", "ledger"] == pytest.approx(3100)
    assert t.loc["F12", "status"] == "pass" and t.loc["F13", "status"] == "pass"  # 250 within 222-279
    assert t.loc["F14", "status"] == "not applicable"  # 和美社区 2023 still only Q1
    t2 = reconcile(pd.concat([sim, extra.head(200)], ignore_index=True), facts).set_index("fact_id")
    assert t2.loc["F12", "status"] == "fail"  # 200 < 222

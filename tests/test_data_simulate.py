"""Simulated ledger: reproducible, clearly marked, calibrated to the published constraints."""

import filecmp

import numpy as np
import pandas as pd
import pytest

from shunde_workbook import paths
from shunde_workbook.data import load_facts, load_ledger, load_villages, simulate_ledger, write_simulated
from shunde_workbook.data.schema import DISK_COLUMNS

from helpers import assert_same_ledger


@pytest.fixture(scope="module")
def sim():
    return simulate_ledger(2023)


def test_same_seed_byte_identical_file(tmp_path):
    a = write_simulated(tmp_path / "a.csv", seed=7)
    b = write_simulated(tmp_path / "b.csv", seed=7)
    c = write_simulated(tmp_path / "c.csv", seed=8)
    # same machine, same seed: the same file (across machines see assert_same_ledger)
    assert filecmp.cmp(a, b, shallow=False)
    assert not filecmp.cmp(a, c, shallow=False)


def test_committed_file_is_the_default_seed(tmp_path):
    fresh = write_simulated(tmp_path / "g.csv", seed=2023)
    committed = paths.RAW / "grants_simulated.csv"
    assert_same_ledger(fresh, committed)  # stale otherwise: rerun `shunde-workbook simulate`
    header = committed.read_text(encoding="utf-8").splitlines()[0].split(",")
    assert header == DISK_COLUMNS


def test_loader_reads_back_exactly(sim, tmp_path):
    df = load_ledger(write_simulated(tmp_path / "s.csv", seed=2023))
    pd.testing.assert_frame_equal(df, sim)


def test_marked_as_simulated(sim):
    assert (sim["provenance"] == "simulated").all()
    assert sim["title"].str.startswith("【模拟】").all()
    assert sim["description"].str.contains("模拟").all()
    assert sim["recipient_name"].str.fullmatch(r"模拟社会组织 \d{3}").all()
    assert sim["identifier"].str.startswith("SIM-").all() and sim["identifier"].is_unique


def test_totals_2017_2022(sim):
    s = sim[sim["year"].between(2017, 2022)]
    assert len(s) == 2007
    assert abs(s["amount"].sum() - 350_000_000) <= 0.005 * 350_000_000
    v2021 = set(load_villages(include_2023_only=False)["code"])
    assert set(s["village_code"].dropna()) == v2021
    assert "440606103007" not in set(sim["village_code"].dropna())  # 琴湖 never before 2023 (never at all)


def test_hemei(sim):
    hm = sim[sim["programme"] == "和美社区"]
    assert hm["year"].min() == 2018
    assert len(hm) == 590 and abs(hm["amount"].sum() - 126_000_000) <= 0.005 * 126_000_000
    assert hm["village_code"].dropna().nunique() == 168
    b1 = hm[hm["programme_title"] == "和美社区计划 2018年第一批"]
    assert len(b1) == 43 and b1["amount"].sum() == 10_000_000
    assert (b1["award_date"] == pd.Timestamp("2018-10-30")).all()
    assert b1["field"].value_counts().to_dict() == {
        "教育发展": 14,
        "社区照顾": 14,
        "文化保育": 5,
        "社区发展": 4,
        "行业支持": 6,
    }
    # batch 1 only in the six signing towns (容桂 伦教 陈村 北滘 龙江 均安)
    assert set(b1["town_code"]) <= {"440606006", "440606003", "440606101", "440606102", "440606104", "440606106"}


def test_hemei_2023_q1(sim):
    q1 = sim[(sim["programme"] == "和美社区") & (sim["year"] == 2023)]
    assert len(q1) == 60 and q1["amount"].sum() > 10_000_000
    assert (q1["award_date"] <= pd.Timestamp("2023-06-05")).all()
    for f in ("社区照顾", "社区营造"):
        part = q1[q1["field"] == f]
        assert part["amount"].sum() > 4_000_000
        assert len(part) > 60 / 3
    assert set(q1["field"]) <= {"教育发展", "社区照顾", "社区营造", "公益创新"}
    assert not (sim["programme"].eq("众创共善") & sim["year"].eq(2023)).any()


def test_orgs_each_year_and_concentration(sim):
    per_year = sim[sim["year"] <= 2022].groupby("year")["recipient_id"].nunique()
    assert (per_year > 200).all()
    counts = sim["recipient_id"].value_counts()
    assert counts.iloc[0] >= 5 * counts.median()  # some concentration, not uniform


def test_fields_valid_for_year(sim):
    from shunde_workbook.data import load_programme_fields

    pf = load_programme_fields()
    valid = set(zip(pf["programme"], pf["year"], pf["field"], strict=False))
    assert all(k in valid for k in zip(sim["programme"], sim["year"], sim["field"], strict=False))


def test_amounts_positive_and_plausible(sim):
    assert (sim["amount"] > 0).all() and (sim["amount"] % 100 == 0).all()
    assert sim["amount"].max() < 5_000_000


def test_knobs(sim):
    other = simulate_ledger(2023, amount_sigma=1.0, n_orgs=500)
    assert len(other) == len(sim)
    assert other["amount"].std() != sim["amount"].std()
    with pytest.raises(TypeError):
        simulate_ledger(2023, not_a_knob=1)
    with pytest.raises(AssertionError):
        simulate_ledger(2023, hm_q1_field_counts={"社区照顾": 30, "社区营造": 20})  # must sum to 60


# --------------------------------------------------------------------------- the simulator's steps


def test_calibration_targets_from_published_facts():
    from shunde_workbook.data.simulate import DEFAULTS, calibration_targets

    t = calibration_targets(load_facts(), DEFAULTS)
    # 2007 projects in 2017–2022; 和美社区 590 to 2023-06-05 of which 60 in 2023 Q1 → 530 和美社区, 1477 众创共善
    assert t.zc_projects == 1477
    assert sum(t.hm_b1_fields.values()) == 43 and t.hm_b2_projects == 44 and t.hm_1922_projects == 530 - 43 - 44
    # 万元: 35000 in 2017–2022; 和美社区 12600 to mid-2023 less 1060 in Q1; 2018 plan 2000 of which batch 1 1000
    assert t.wan == pytest.approx({"zc": 23460, "hm_b1": 1000, "hm_b2": 1000, "hm_1922": 9540})


def test_batch2_knob_takes_projects_from_2019_2022():
    from shunde_workbook.data.simulate import DEFAULTS, calibration_targets

    t = calibration_targets(load_facts(), {**DEFAULTS, "hm_2018_batch2_projects": 50})
    assert (t.hm_b2_projects, t.hm_1922_projects) == (50, 437)
    with pytest.raises(ValueError, match="no room"):
        calibration_targets(load_facts(), {**DEFAULTS, "hm_2018_batch2_projects": 500})


def test_project_rows_split_years_by_largest_remainder():
    from shunde_workbook.data import load_programme_fields
    from shunde_workbook.data.simulate import DEFAULTS, calibration_targets, project_rows

    t = calibration_targets(load_facts(), DEFAULTS)
    rows = project_rows(np.random.default_rng(0), t, load_programme_fields(), DEFAULTS)
    assert rows.groupby("group").size().to_dict() == {"hm_1922": 443, "hm_b1": 43, "hm_b2": 44, "hm_q1": 60, "zc": 1477}
    # 1477 × (.16 .16 .165 .165 .17 .18) = 236.32 236.32 243.705 243.705 251.09 265.86: floors leave 3 units,
    # which go to .86, .705, .705
    zc = rows[rows["group"] == "zc"].groupby("year").size().to_dict()
    assert zc == {2017: 236, 2018: 236, 2019: 244, 2020: 244, 2021: 251, 2022: 266}
    # 443 × (.22 .24 .26 .28) = 97.46 106.32 115.18 124.04: one unit left, to .46
    hm = rows[rows["group"] == "hm_1922"].groupby("year").size().to_dict()
    assert hm == {2019: 98, 2020: 106, 2021: 115, 2022: 124}


def test_apportion_known_answers_and_total():
    from shunde_workbook.metrics.rounding import apportion

    assert apportion(10, {"a": 1, "b": 1, "c": 1}) == {"a": 4, "b": 3, "c": 3}  # tie → earlier key
    assert apportion(7, {"x": 0.5, "y": 0.3, "z": 0.2}) == {"x": 4, "y": 2, "z": 1}  # 3.5 2.1 1.4: one left → .5
    assert apportion(0, {"x": 1, "y": 2}) == {"x": 0, "y": 0}
    out = apportion(1000, {k: k + 1 for k in range(7)})
    assert sum(out.values()) == 1000 and list(out) == list(range(7))
    assert all(isinstance(v, int) for v in out.values())

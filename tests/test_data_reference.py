"""Reference tables: copies match the shared source, derived tables follow the documented rules."""

import filecmp
import importlib.util

import numpy as np
import pandas as pd
import pytest

from shunde_workbook import paths
from shunde_workbook.data import reference

REF = paths.REFERENCE
SHARED = paths.SHARED_REFERENCE
COPIED = [
    "towns.csv",
    "villages.csv",
    "published_facts.csv",
    "seed_article_2023-02-09_zh.txt",
]


def _build_module():
    spec = importlib.util.spec_from_file_location("build_reference", paths.ROOT / "scripts" / "build_reference.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.mark.skipif(not SHARED.exists(), reason="shared reference folder not mounted")
@pytest.mark.parametrize("name", COPIED)
def test_copies_are_byte_identical_to_shared(name):
    assert filecmp.cmp(REF / name, SHARED / name, shallow=False)


@pytest.mark.skipif(not SHARED.exists(), reason="shared reference folder not mounted")
def test_build_is_deterministic_and_matches_committed(tmp_path):
    mod = _build_module()
    a, b = tmp_path / "a", tmp_path / "b"
    mod.build(SHARED, a)
    mod.build(SHARED, b)
    for name in ["town_population.csv", "programme_fields.csv", "town_population_sources.csv"]:
        assert filecmp.cmp(a / name, b / name, shallow=False)  # same machine, same inputs: the same file
        # against the committed copy (built elsewhere): the same table, numbers to a tolerance
        built, committed = (pd.read_csv(p, dtype=str, keep_default_na=False) for p in (a / name, REF / name))
        assert list(built.columns) == list(committed.columns), f"{name} is stale: rerun the script"
        for col in built.columns:
            x, y = pd.to_numeric(built[col], errors="coerce"), pd.to_numeric(committed[col], errors="coerce")
            numeric = x.notna() & y.notna()
            np.testing.assert_allclose(x[numeric], y[numeric], rtol=1e-9, err_msg=f"{name}: {col}")
            assert built.loc[~numeric, col].tolist() == committed.loc[~numeric, col].tolist(), f"{name}: {col}"


@pytest.mark.skipif(not SHARED.exists(), reason="shared reference folder not mounted")
def test_population_sources_are_the_shared_copy_with_dates_added():
    import csv

    shared = list(csv.reader((SHARED / "town_population_sources.csv").open(encoding="utf-8")))
    ours = list(csv.reader((REF / "town_population_sources.csv").open(encoding="utf-8")))
    assert [row[: len(shared[0])] for row in ours] == shared  # every original cell kept, sources included
    assert ours[0][len(shared[0]) :] == ["as_of_from", "as_of_to", "as_of_note"]
    rows = {(r[0], r[1], r[2]): dict(zip(ours[0], r, strict=True)) for r in ours[1:]}
    # a full date is that day; a bare year spans the year; undated figures are dated by their page or 2010-2020
    assert rows[("龙江镇", "resident_population", "337500")]["as_of_from"] == "2019-12-31"
    assert (
        rows[("陈村镇", "resident_population", "214300")]["as_of_from"],
        rows[("陈村镇", "resident_population", "214300")]["as_of_to"],
    ) == ("2019-01-01", "2019-12-31")
    assert rows[("杏坛镇", "total_population_unspecified", "180000")]["as_of_from"] == "2010-11-01"
    assert rows[("陈村镇", "resident_population", "241700")]["as_of_from"] == "2024-01-01"
    assert rows[("北滘镇", "area", "92.11")]["as_of_from"] == ""  # not a person count


def test_villages_2021_list_has_205_plus_qinhu():
    v = reference.load_villages()
    assert len(reference.load_villages(include_2023_only=False)) == 205
    assert (v["in_nbs_2021"] == 1).sum() == 205
    new = v[v["in_nbs_2021"] == 0]
    assert new["short_name"].tolist() == ["琴湖"] and new["town"].tolist() == ["乐从镇"]
    assert v["code"].str.fullmatch(r"\d{12}").all()
    assert (v["code"].str[:9] == v["town_code"]).all()


def test_population_choice_rule():
    pop = reference.load_population().set_index("town")
    assert list(pop.columns) == ["town_code", "population", "grade", "year", "definition", "source", "alternatives"]
    assert len(pop) == 10
    # census count for 北滘 only (grade A), per town_population_sources.csv
    assert pop.loc["北滘镇", "population"] == 377354 and pop.loc["北滘镇", "grade"] == "A"
    assert "420000" in pop.loc["北滘镇", "alternatives"]
    # 2019-2020 resident estimates are grade B
    assert pop.loc["容桂街道", ["population", "grade"]].tolist() == [618200, "B"]
    assert pop.loc["陈村镇", ["population", "grade"]].tolist() == [214300, "B"]  # 2019 beats undated 241700
    assert pop.loc["龙江镇", ["population", "grade"]].tolist() == [337500, "B"]
    # undated / unspecified are grade C; the floating-population figure is never chosen
    assert pop.loc["杏坛镇", ["population", "grade"]].tolist() == [180000, "C"]
    assert "floating_population=110000" in pop.loc["杏坛镇", "alternatives"]
    assert pop.loc["大良街道", ["population", "grade"]].tolist() == [405100, "C"]
    # 均安: nothing
    assert pd.isna(pop.loc["均安镇", "population"]) and pd.isna(pop.loc["均安镇", "grade"])
    assert set(pop["grade"].dropna()) <= {"A", "B", "C"}
    assert pop["source"].notna().sum() == 9


def test_grade_function_rules():
    grade = _build_module().grade
    row = dict(metric="resident_population", value="1", year="2020-11-01", definition="census (7th) 常住")
    assert grade(row) == "A"
    assert grade({**row, "year": "2019", "definition": "常住 (21.43万)"}) == "B"
    assert grade({**row, "year": "n.d.", "definition": "常住"}) == "C"
    assert grade({**row, "year": "2012", "definition": "常住"}) == "C"
    assert grade({**row, "metric": "total_population_unspecified", "year": "2020", "definition": "约"}) == "C"


def test_programme_fields_published_and_assumed():
    pf = reference.load_programme_fields()
    assert set(pf["basis"]) == {"published", "assumed"}
    hm18 = pf[(pf.programme == "和美社区") & (pf.year == 2018)]
    assert set(hm18["field"]) == {"教育发展", "社区照顾", "文化保育", "社区发展", "行业支持"}
    assert (hm18["basis"] == "published").all()
    assert "行业发展" in hm18.loc[hm18.field == "行业支持", "aliases"].iloc[0]
    hm23 = pf[(pf.programme == "和美社区") & (pf.year == 2023)]
    assert set(hm23["field"]) == {"教育发展", "社区照顾", "社区营造", "公益创新"}
    zc23 = pf[(pf.programme == "众创共善") & (pf.year == 2023)]
    assert len(zc23) == 5 and (zc23["basis"] == "published").all()
    assert set(pf[(pf.year >= 2019) & (pf.year <= 2022) & (pf.programme == "和美社区")]["basis"]) == {"assumed"}
    assert set(pf[(pf.year <= 2022) & (pf.programme == "众创共善")]["basis"]) == {"assumed"}
    assert pf["source"].str.len().gt(0).all()
    for (_p, _y), g in pf.groupby(["programme", "year"]):
        assert g["field"].is_unique


def test_facts_have_ids_and_sources():
    f = reference.load_facts()
    assert f["fact_id"].tolist()[:3] == ["F01", "F02", "F03"] and f["fact_id"].is_unique
    assert len(f) == 40 and f["source"].notna().all()

"""Census-anchored town populations (analysis/population.py): known answers, constraints, sources, seeds.

The expected figures are recomputed here from the reference CSVs (the census rows, each town's dated
figures), not copied from the module's output.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from shunde_workbook.analysis import evidence as evi
from shunde_workbook.analysis import load_inputs, population, studies
from shunde_workbook.analysis import uncertainty as unc
from shunde_workbook.analysis.inputs import town_table
from shunde_workbook.errors import InputError
from shunde_workbook.params import load_param_file
from shunde_workbook.paths import PARAMS, REFERENCE

CENSUS = 3_229_090  # 顺德区 2020 census, town_population_sources.csv
CENSUS_2010 = 2_461_701  # the 2010 census as restated in the same bulletin
BEIJIAO, RONGGUI, CHENCUN, DALIANG, LECONG, XINGTAN, JUNAN = (
    "440606102",
    "440606006",
    "440606101",
    "440606005",
    "440606103",
    "440606105",
    "440606106",
)


@pytest.fixture(scope="module")
def published():
    return town_table(REFERENCE / "towns.csv", REFERENCE / "town_population.csv", "best_available")


@pytest.fixture(scope="module")
def towns(published):
    return population.census_anchored(published)


@pytest.fixture(scope="module")
def pop(towns):
    return population.draws(towns, 5000, np.random.default_rng(1))


def test_anchor_known_answer():
    # residual 4 split 0 / 1/4 / 3/4: the fixed town keeps its value
    out = population.anchor([[1.0, 2.0, 3.0], [2.0, 2.0, 2.0]], [0.0, 0.25, 0.75], 10.0)
    np.testing.assert_allclose(out, [[1.0, 3.0, 6.0], [2.0, 3.0, 5.0]])


def test_the_census_total_and_growth_come_from_the_sources():
    census = population.district_census(population.load_sources())
    assert census["total"] == CENSUS and census["date"] == "2020-11-01"
    assert census["source"].startswith("https://static.nfapp.southcn.com/")
    assert census["growth"] == pytest.approx((CENSUS / CENSUS_2010) ** (1 / 10) - 1, rel=1e-3)  # about 2.75 %


def test_the_published_figures_fall_short_of_the_census(published, towns):
    assert published["population"].sum() == 2_777_454 and published["population"].isna().sum() == 1
    assert towns["population"].notna().all() and len(towns) == 10
    assert towns["population"].sum() == pytest.approx(CENSUS, abs=1e-6)


def test_every_draw_sums_to_the_census(towns, pop):
    assert pop.shape == (5000, 10)
    np.testing.assert_allclose(pop.sum(axis=1), CENSUS, rtol=0, atol=1e-6)
    assert (pop > 0).all()
    # also at another spread of the priors, and for the run's own draws
    wide = population.draws(towns, 500, np.random.default_rng(2), scale=1.5)
    np.testing.assert_allclose(wide.sum(axis=1), CENSUS, rtol=0, atol=1e-6)
    np.testing.assert_allclose(unc.population_draws(towns, {"draws": 300}).sum(axis=1), CENSUS, rtol=0, atol=1e-6)


def test_a_grade_towns_are_fixed(towns, pop):
    col = towns.index.get_loc(BEIJIAO)
    assert towns.loc[BEIJIAO, "pop_grade"] == "A" and towns.loc[BEIJIAO, "pop_weight"] == 0
    assert (pop[:, col] == 377_354).all() and towns.loc[BEIJIAO, "population"] == 377_354


def test_scale_zero_gives_the_point_estimate(towns):
    fixed = population.draws(towns, 10, np.random.default_rng(3), scale=0.0)
    np.testing.assert_allclose(fixed, np.tile(towns["population"].to_numpy(), (10, 1)), rtol=1e-12)


def test_prior_ranges_contain_every_sourced_figure(towns):
    """Each comparable figure lies in its town's prior range, from no growth since its date to fast growth."""
    sources = population.load_sources()
    g = (CENSUS / CENSUS_2010) ** (1 / 10) - 1
    fast = population.FAST_GROWTH * g  # a town may grow up to this fast (a stated assumption)
    census_year = 2020 + 305 / 366  # 2020-11-01
    capped = {XINGTAN}  # 户籍 + 流动 caps 杏坛's range
    checked = 0
    for code, row in towns[towns["pop_grade"] != "A"].iterrows():
        mine = sources[(sources["town"] == row["town"]) & sources["metric"].isin(population.COMPARABLE_METRICS)]
        for _, r in mine.iterrows():
            assert row["pop_prior_lo"] <= r["value"] <= row["pop_prior_hi"], (row["town"], r["value"])
            grown = r["value"] * (1 + fast) ** max(0.0, census_year - r["from_year"])
            if code not in capped:
                assert grown <= row["pop_prior_hi"] * (1 + 1e-4), (row["town"], r["value"])  # growth to 4 digits
            checked += 1
    assert checked == 11  # 伦教 1, 勒流 1, 大良 3, 容桂 1, 陈村 2, 乐从 1, 龙江 1, 杏坛 1
    # 陈村's own alternative (+12.8 %) is inside its B range; 大良's 320,000 is its lower end
    assert towns.loc[CHENCUN, "pop_prior_hi"] == pytest.approx(241_700)
    assert towns.loc[DALIANG, "pop_prior_lo"] == pytest.approx(320_000)
    # 杏坛: 户籍 143,000 + 流动 110,000 (2019-12-31), grown to the census date, caps its range
    cap = 253_000 * (1 + fast) ** (census_year - 2020)
    assert towns.loc[XINGTAN, "pop_prior_hi"] == pytest.approx(cap, rel=1e-3)
    assert towns.loc[XINGTAN, "pop_note"] == "dated_bound"
    # the undated 180,000 alone would reach further
    assert 180_000 * (1 + fast) ** 10 > cap


def test_the_reports_intervals_contain_the_official_figures(towns):
    iv = population.intervals(towns, 4000, seed=2023)
    for code, figure in [(RONGGUI, 618_200), (CHENCUN, 214_300), ("440606104", 337_500), (BEIJIAO, 377_354)]:
        assert iv.loc[code, "lo"] <= figure <= iv.loc[code, "hi"], code
    assert (iv["lo"] <= iv["point"]).all() and (iv["point"] <= iv["hi"]).all()
    # 均安 has an interval of its own, not a copy of another town's
    assert 0 < iv.loc[JUNAN, "lo"] < iv.loc[JUNAN, "point"] < iv.loc[JUNAN, "hi"]


def test_a_town_interval_widens_with_the_age_of_its_source(published):
    """The same C-grade figure dated 2019, 2015 or 2010, or undated: the older, the wider (and higher)."""
    sources = population.load_sources()
    census = population.district_census(sources)
    widths, centres = [], []
    for year in ("2019", "2015", "2010", "n.d."):
        t = published.copy()
        t.loc[LECONG, "pop_year"] = year
        t.loc[LECONG, "town"] = "某镇"  # not in the sources: dated from pop_year alone
        prior = population.town_priors(t, sources, census).loc[LECONG]
        widths.append(prior["hi"] - prior["lo"])
        centres.append(prior["centre"])
    assert widths[0] < widths[1] < widths[2]  # dated 2019, 2015, 2010
    assert widths[3] > widths[1]  # undated: may be as old as 2010
    assert centres[0] < centres[1] < centres[2]
    assert widths[2] / centres[2] > widths[0] / centres[0] + 0.1  # ten years old: wider in relative terms too
    # and the anchored interval follows
    a = population.census_anchored(published)
    b = published.copy()
    b.loc[LECONG, "pop_year"] = "2019"
    b.loc[LECONG, "town"] = "某镇"
    b = population.census_anchored(b)
    wa = population.intervals(a, 4000).loc[LECONG]
    wb = population.intervals(b, 4000).loc[LECONG]
    assert wa["hi"] - wa["lo"] > wb["hi"] - wb["lo"]


def test_better_grades_move_less(towns):
    w = towns["pop_weight"]
    assert w.sum() == pytest.approx(1.0)
    grade = towns["pop_grade"]
    assert w[grade == "B"].max() < w[grade == "C"].min() or w[grade == "B"].mean() < w[grade == "C"].mean()
    relative_move = (towns["population"] - towns["pop_centre"]).abs() / towns["pop_centre"]
    assert relative_move[grade == "B"].max() < relative_move[grade.isin(["C", ""])].max()


def test_deterministic_for_a_seed(towns):
    a, b = population.intervals(towns, 1000, seed=5), population.intervals(towns, 1000, seed=5)
    pd.testing.assert_frame_equal(a, b)
    c = population.intervals(towns, 1000, seed=6)
    assert not np.allclose(a["lo"], c["lo"])


def test_input_errors(published):
    with pytest.raises(InputError, match="lacks 440606106"):
        population.census_anchored(published.drop(index=JUNAN))
    sources = population.load_sources()
    no_census = sources[sources["town"] != "顺德区(全区)"]
    with pytest.raises(InputError, match="2020 and 2010 census totals"):
        population.census_anchored(published, no_census)
    all_fixed = published.assign(pop_grade="A", population=published["population"].fillna(1.0))
    with pytest.raises(InputError, match="cannot add up"):
        population.census_anchored(all_fixed)
    with pytest.raises(ValueError, match="not census-anchored"):
        population.draws(published, 5, np.random.default_rng(0))


# --------------------------------------------------------------------------- through the reports' inputs


@pytest.fixture(scope="module")
def params():
    return load_param_file(PARAMS / "default.yaml")


def test_census_anchored_is_the_default_and_best_available_reproduces_the_published_figures(params):
    assert params["population_basis"] == "census_anchored"
    inp = load_inputs(params, boundaries=False)
    assert inp.towns["population"].sum() == pytest.approx(CENSUS) and inp.statuses["population"] == "census_anchored"
    old = load_inputs({**params, "population_basis": "best_available"}, boundaries=False)
    pd.testing.assert_series_equal(
        old.towns["population"],
        pd.read_csv(REFERENCE / "town_population.csv", dtype={"town_code": str})
        .set_index("town_code")["population"]
        .astype(float)
        .reindex(old.towns.index),
        check_names=False,
    )
    # money and population shares on one basis: the same 10 towns
    s = studies.distribution(inp)["summary"]
    assert s["pop_share"].notna().all() and s["amount_share"].sum() == pytest.approx(1.0)
    assert s["pop_share"].sum() == pytest.approx(1.0) and studies.distribution(inp)["towns_without_population"] == []


def test_evidence_draws_populations_from_the_model(params):
    inp = load_inputs(params, boundaries=False)
    model = unc.UncertaintyModel(draws=400, seed=2023, seed_ensemble=0)
    ev = evi.evidence(inp, {"population": 0.6, "village_units": 0.4}, 0.3, model=model)
    np.testing.assert_allclose(ev.draws["population"].sum(axis=1), CENSUS, rtol=0, atol=1e-6)
    iv = population.intervals(inp.towns, 400, seed=2023)
    lo, hi = ev.interval("population", town=RONGGUI)
    assert (lo, hi) == pytest.approx((iv.loc[RONGGUI, "lo"], iv.loc[RONGGUI, "hi"]))
    # every town, 均安 included, gets a per-resident allocation whose shares add up to the whole plan
    alloc = ev.draws["alloc_per_resident"]
    assert np.isfinite(alloc).all()
    np.testing.assert_allclose(alloc.sum(axis=1), alloc.sum(axis=1)[0])
    # with no uncertainty the draws are the point figures of the studies
    none = evi.evidence(inp, {"population": 0.6, "village_units": 0.4}, 0.3, model=unc.UncertaintyModel.none())
    res = studies.scenarios(inp, {"population": 0.6, "village_units": 0.4}, 0.3)
    np.testing.assert_allclose(
        none.draws["alloc_per_resident"][0], res["total"]["per_resident"].to_numpy(), atol=1000.0
    )  # the studies round allocations to 0.1万

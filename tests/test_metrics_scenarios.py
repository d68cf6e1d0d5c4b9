"""Tests for shunde_workbook.metrics.scenarios (hand-computed cases + properties)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shunde_workbook.metrics import (
    RULES,
    MissingDataWarning,
    compare_scenarios,
    equal_per_unit,
    floor_plus_formula,
    historical_shares,
    need_weighted,
    per_resident,
    round_largest_remainder,
    with_floor_share,
)

FAST = settings(deadline=None, max_examples=40)


# ------------------------------------------------------------------ rounding
def test_round_largest_remainder_known_answers():
    # 2.6, 3.3, 4.1: floors 2,3,4 = 9, one unit left -> largest remainder .6
    assert round_largest_remainder([2.6, 3.3, 4.1]).tolist() == [3.0, 3.0, 4.0]
    # 10/3 each: floors 3,3,3, one left, tie -> first position
    assert round_largest_remainder([10 / 3] * 3).tolist() == [4.0, 3.0, 3.0]
    # unit 10: 196.67 each of 590 tens -> floors 196*3 = 588, two left -> first two
    s = pd.Series([5900 / 3] * 3, index=["x", "y", "z"])
    out = round_largest_remainder(s, unit=10)
    assert out.to_dict() == {"x": 1970.0, "y": 1970.0, "z": 1960.0}


def test_round_largest_remainder_rejects_non_multiple():
    with pytest.raises(ValueError, match="whole multiple"):
        round_largest_remainder([1.5, 1.0])
    with pytest.raises(ValueError, match="unit"):
        round_largest_remainder([1.0, 1.0], unit=0)


# ------------------------------------------------------------ the five rules
def test_historical_shares_known_answer():
    # past 100/200/200 of 500 -> .2/.4/.4 of 5900 = 1180/2360/2360
    past = pd.Series({"大良": 100, "容桂": 200, "伦教": 200})
    out = historical_shares(5900, past)
    assert out.name == "historical"
    assert out.index.tolist() == ["大良", "容桂", "伦教"]
    assert out.tolist() == pytest.approx([1180, 2360, 2360])
    # whole 万元: 5900/3 = 1966.67 each; floors 5898, 2 left -> first two
    assert historical_shares(5900, [1, 1, 1], round_to=1).tolist() == [1967, 1967, 1966]


def test_equal_per_unit_known_answer():
    # 100 over 1 + 3 villages = 25 per village
    assert equal_per_unit(100, [1, 3]).tolist() == pytest.approx([25, 75])
    # per-programme total 2800 over 2, 5 villages: 400 per village
    out = equal_per_unit(2800, pd.Series({"A": 2, "B": 5}))
    assert out.name == "equal_per_unit"
    assert out.to_dict() == pytest.approx({"A": 800, "B": 2000})


def test_per_resident_known_answer():
    # 1000 over 100 + 300 residents = 2.5 per resident
    out = per_resident(1000, [100, 300])
    assert out.name == "per_resident"
    assert out.tolist() == pytest.approx([250, 750])
    assert out.attrs["fallback_towns"] == []


def test_per_resident_missing_population():
    pop = pd.Series({"A": 100, "B": np.nan, "C": 300})
    units = pd.Series({"C": 1, "B": 1, "A": 2})  # other order on purpose
    with pytest.raises(ValueError, match=r"'B'.*fallback_units"):
        per_resident(1000, pop)
    with pytest.raises(ValueError, match="needs the units"):
        per_resident(1000, pop, missing="fallback_units")
    # B has 1 of 4 villages -> 1000/4 = 250 ; the other 750 split 100:300 -> 187.5, 562.5
    with pytest.warns(MissingDataWarning, match="'B'"):
        out = per_resident(1000, pop, missing="fallback_units", units=units)
    assert out.to_dict() == pytest.approx({"A": 187.5, "B": 250.0, "C": 562.5})
    assert out.attrs["fallback_towns"] == ["B"]


def test_per_resident_all_missing_falls_back_to_units():
    # nobody has population: pure equal_per_unit, 1:3 of 100
    with pytest.warns(MissingDataWarning):
        out = per_resident(100, [np.nan, np.nan], missing="fallback_units", units=[1, 3])
    assert out.tolist() == pytest.approx([25, 75])


def test_need_weighted_known_answer():
    # 3100 * .45 = 1395 ; 3100 * .55 = 1705
    out = need_weighted(3100, pd.Series({"A": 0.45, "B": 0.55}))
    assert out.name == "need_weighted"
    assert out.to_dict() == pytest.approx({"A": 1395, "B": 1705})
    with pytest.raises(ValueError, match="NaN"):
        need_weighted(3100, [0.5, np.nan])


def test_floor_plus_formula_known_answer():
    # floor pool .3*1000 = 300 -> 150 each ; rest 700 split 1:3 -> 175, 525
    out = floor_plus_formula(1000, 0.3, [1, 3])
    assert out.name == "floor_plus_formula"
    assert out.tolist() == pytest.approx([325, 675])
    # floor_share 1 -> equal split ; 0 -> pure formula
    assert floor_plus_formula(1000, 1.0, [1, 3]).tolist() == pytest.approx([500, 500])
    assert floor_plus_formula(1000, 0.0, [1, 3]).tolist() == pytest.approx([250, 750])


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: historical_shares(-5, [1, 2]), "non-negative"),
        (lambda: historical_shares(float("nan"), [1, 2]), "finite"),
        (lambda: historical_shares(10, [1, -2]), "non-negative"),
        (lambda: historical_shares(10, [0, 0]), "sum to zero"),
        (lambda: equal_per_unit(10, [1, np.nan]), "NaN"),
        (lambda: per_resident(10, [1, 2], missing="drop"), "missing must be"),
        (lambda: floor_plus_formula(10, 1.5, [1, 2]), r"\[0, 1\]"),
        (lambda: floor_plus_formula(10, -0.1, [1, 2]), r"\[0, 1\]"),
        (lambda: need_weighted(10, []), "empty"),
        (lambda: historical_shares(10.5, [1, 2], round_to=1), "whole multiple"),
    ],
)
def test_rules_reject_bad_input(call, match):
    with pytest.raises(ValueError, match=match):
        call()


# -------------------------------------------------------- compare_scenarios
def test_compare_scenarios_known_answer():
    towns = pd.DataFrame({"population": [100, 300], "village_units": [3, 1]}, index=["A", "B"])
    past = pd.Series({"B": 400.0, "A": 600.0})  # shuffled on purpose
    need = pd.Series({"B": 0.55, "A": 0.45})
    out = compare_scenarios(1000, towns, past, need, floor_share=0.3)
    # historical   600/1000, 400/1000 of 1000      -> 600, 400
    # equal units  3/4, 1/4                         -> 750, 250
    # per resident 100/400, 300/400                 -> 250, 750
    # need         .45, .55                         -> 450, 550
    # floor+need   150 + 700*.45 = 465, 150 + 700*.55 = 535
    expected = pd.DataFrame(
        {
            "historical": [600.0, 400.0],
            "equal_per_unit": [750.0, 250.0],
            "per_resident": [250.0, 750.0],
            "need_weighted": [450.0, 550.0],
            "floor_plus_need": [465.0, 535.0],
            "shift_equal_per_unit": [150.0, -150.0],
            "shift_per_resident": [-350.0, 350.0],
            "shift_need_weighted": [-150.0, 150.0],
            "shift_floor_plus_need": [-135.0, 135.0],
        },
        index=["A", "B"],
    )
    pd.testing.assert_frame_equal(out, expected, check_exact=False, rtol=1e-12)
    assert out.attrs["fallback_towns"] == []


def test_with_floor_share_moves_only_the_floor_rule():
    towns = pd.DataFrame({"population": [100, 300, np.nan], "village_units": [3, 1, 2]}, index=["A", "B", "C"])
    past = pd.Series({"C": 50.0, "B": 400.0, "A": 550.0})
    need = pd.Series({"B": 0.5, "A": 0.3, "C": 0.2})
    first = compare_scenarios(1000, towns, past, need, floor_share=0.3, missing="fallback_units", round_to=10)
    again = with_floor_share(first, 1000, need, 0.6, round_to=10)
    fresh = compare_scenarios(1000, towns, past, need, floor_share=0.6, missing="fallback_units", round_to=10)
    pd.testing.assert_frame_equal(again, fresh, check_exact=True)
    assert again.attrs == fresh.attrs == {"fallback_towns": ["C"]}
    # 0.6 floor: 200 each; the other 400 by need .3/.5/.2 -> 120, 200, 80 -> 320, 400, 280
    assert again["floor_plus_need"].tolist() == [320.0, 400.0, 280.0]
    assert again["historical"].tolist() == first["historical"].tolist()


def test_compare_scenarios_population_fallback_int64_na():
    # loader gives population as Int64 with <NA> (e.g. 均安)
    towns = pd.DataFrame(
        {
            "population": pd.array([100, None, 300], dtype="Int64"),
            "n_village_units_2021": [2, 1, 1],
        },
        index=["A", "均安", "C"],
    )
    ones = pd.Series(1.0, index=towns.index)
    with pytest.raises(ValueError, match="均安"):
        compare_scenarios(1000, towns, ones, ones, units_col="n_village_units_2021")
    with pytest.warns(MissingDataWarning):
        out = compare_scenarios(1000, towns, ones, ones, units_col="n_village_units_2021", missing="fallback_units")
    # 均安: 1 of 4 villages -> 250 ; the other 750 split 100:300 -> 187.5, 562.5
    assert out["per_resident"].tolist() == pytest.approx([187.5, 250.0, 562.5])
    assert out.attrs["fallback_towns"] == ["均安"]


def test_compare_scenarios_rejects_bad_tables():
    towns = pd.DataFrame({"population": [1, 3], "village_units": [1, 1]}, index=["A", "B"])
    ok = pd.Series({"A": 1.0, "B": 1.0})
    with pytest.raises(ValueError, match="no column 'pop'"):
        compare_scenarios(10, towns, ok, ok, population_col="pop")
    with pytest.raises(ValueError, match="different labels"):
        compare_scenarios(10, towns, pd.Series({"A": 1.0, "C": 1.0}), ok)
    with pytest.raises(ValueError, match="length mismatch"):
        compare_scenarios(10, towns, ok, pd.Series({"A": 1.0}))


# ---------------------------------------------------------------- properties
@st.composite
def town_inputs(draw):
    n = draw(st.integers(1, 10))
    ints = lambda lo, hi: st.lists(st.integers(lo, hi), min_size=n, max_size=n)  # noqa: E731
    towns = pd.DataFrame(
        {"population": draw(ints(1, 1_500_000)), "village_units": draw(ints(1, 40))},
        index=[f"town{i}" for i in range(n)],
    )
    past = pd.Series(draw(ints(0, 5000)), index=towns.index, dtype=float)
    if past.sum() == 0:
        past.iloc[0] = 1.0
    need = pd.Series(draw(ints(0, 1000)), index=towns.index, dtype=float)
    if need.sum() == 0:
        need.iloc[-1] = 1.0
    return towns, past, need


@FAST
@given(town_inputs(), st.integers(0, 100_000), st.floats(0, 1))
def test_every_rule_sums_to_total_and_is_non_negative(inputs, total, floor_share):
    towns, past, need = inputs
    out = compare_scenarios(total, towns, past, need, floor_share=floor_share)
    for rule in RULES:
        assert out[rule].sum() == pytest.approx(total, rel=1e-12, abs=1e-6)
        assert (out[rule] >= 0).all()
    for rule in RULES[1:]:
        assert out[f"shift_{rule}"].sum() == pytest.approx(0, abs=1e-6)
    # floor respected
    floor = floor_share * total / len(towns)
    assert (out["floor_plus_need"] >= floor - 1e-9 * max(1, total)).all()


@FAST
@given(town_inputs(), st.integers(0, 100_000), st.sampled_from([1, 10]))
def test_rounded_rules_sum_exactly_and_stay_within_one_unit(inputs, total, unit):
    towns, past, need = inputs
    total = total - total % unit  # whole multiple of the rounding unit
    exact = compare_scenarios(total, towns, past, need)
    rounded = compare_scenarios(total, towns, past, need, round_to=unit)
    for rule in RULES:
        r = rounded[rule].to_numpy()
        assert r.sum() == pytest.approx(total, abs=1e-6)
        assert np.allclose(r / unit, np.round(r / unit))
        assert np.all(np.abs(r - exact[rule].to_numpy()) < unit + 1e-9)
        assert (r >= 0).all()


@FAST
@given(
    st.lists(st.floats(0, 1e4), min_size=1, max_size=15).filter(lambda v: sum(v) > 1e-6),
    st.integers(0, 10**6),
)
def test_round_largest_remainder_property(weights, total):
    w = np.array(weights)
    alloc = total * w / w.sum()
    out = round_largest_remainder(alloc).to_numpy()
    assert out.sum() == total
    assert np.all(out == np.round(out))
    assert np.all(np.abs(out - alloc) < 1 + 1e-9)
    # Hamilton: floors plus at most one extra unit
    assert np.all((out == np.floor(alloc)) | (out == np.floor(alloc) + 1) | (out == np.ceil(alloc)))


@FAST
@given(
    st.lists(st.integers(0, 1000), min_size=1, max_size=10).filter(any),
    st.floats(0, 1e5),
    st.floats(0, 1),
)
def test_floor_plus_formula_floor_and_total(shares, total, floor_share):
    out = floor_plus_formula(total, floor_share, shares)
    n = len(shares)
    assert out.sum() == pytest.approx(total, rel=1e-12, abs=1e-6)
    assert (out >= floor_share * total / n - 1e-9 * max(1, total)).all()
    # above the floor, towns are ordered like their formula shares
    order = np.argsort(shares, kind="stable")
    assert np.all(np.diff(out.to_numpy()[order]) >= -1e-9 * max(1, total))

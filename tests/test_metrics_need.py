"""Tests for shunde_workbook.metrics.need (hand-computed cases + properties)."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shunde_workbook.metrics import (
    MissingDataWarning,
    distance_from_target,
    need_index,
    target_allocation,
)

FAST = settings(deadline=None, max_examples=40)


@pytest.fixture
def two_towns():
    return pd.DataFrame(
        {"population": [100, 300], "village_units": [3, 1], "name_cn": ["甲", "乙"]},
        index=["A", "B"],
    )


# ---------------------------------------------------------------- need_index
def test_need_index_known_answer(two_towns):
    # pop shares 100/400 = .25, 300/400 = .75 ; unit shares 3/4 = .75, 1/4 = .25
    # A = .6*.25 + .4*.75 = .15 + .30 = .45 ; B = .6*.75 + .4*.25 = .45 + .10 = .55
    out = need_index(two_towns, {"population": 0.6, "village_units": 0.4})
    assert out.name == "need_index"
    assert out.index.tolist() == ["A", "B"]
    assert out.tolist() == pytest.approx([0.45, 0.55])


def test_need_index_renormalises_weights(two_towns):
    # 3:2 is the same as .6:.4
    out = need_index(two_towns, {"population": 3, "village_units": 2})
    assert out.tolist() == pytest.approx([0.45, 0.55])


def test_need_index_user_added_column():
    # pop shares 100/1000, 200/1000, 700/1000 = .1, .2, .7
    # elderly share 0.3, 0.1, 0.1 (sum .5) -> .6, .2, .2
    # .5*pop + .5*elderly -> A .35, B .2, C .45
    towns = pd.DataFrame(
        {"population": [100, 200, 700], "elderly_share": [0.3, 0.1, 0.1]},
        index=["A", "B", "C"],
    )
    out = need_index(towns, {"population": 0.5, "elderly_share": 0.5})
    assert out.tolist() == pytest.approx([0.35, 0.2, 0.45])


def test_need_index_minmax_known_answer(two_towns):
    # pop min-max: A 0, B 1 ; units min-max: A 1, B 0
    # A = .6*0 + .4*1 = .4 ; B = .6*1 + .4*0 = .6
    out = need_index(two_towns, {"population": 0.6, "village_units": 0.4}, method="minmax")
    assert out.tolist() == pytest.approx([0.4, 0.6])
    # three towns: pop 100,200,400 -> 0, 1/3, 1 ; elderly .2,.1,.1 -> 1, 0, 0
    # equal weights: A .5, B 1/6, C .5 ; constant column -> 0 for all
    towns = pd.DataFrame(
        {"population": [100, 200, 400], "elderly": [0.2, 0.1, 0.1], "flat": [5, 5, 5]},
        index=list("ABC"),
    )
    out = need_index(towns, {"population": 1, "elderly": 1}, method="minmax")
    assert out.tolist() == pytest.approx([0.5, 1 / 6, 0.5])
    out = need_index(towns, {"population": 1, "flat": 1}, method="minmax")
    assert out.tolist() == pytest.approx([0.0, 1 / 6, 0.5])


def test_need_index_missing_value_gives_nan_and_warning():
    # complete towns A, C only: pop shares 100/400, 300/400 = .25, .75
    # unit shares 1/3, 2/3 ; A = .5*.25 + .5/3 = .291666.. ; C = .375 + 1/3
    towns = pd.DataFrame({"population": [100, np.nan, 300], "village_units": [1, 1, 2]}, index=list("ABC"))
    with pytest.warns(MissingDataWarning, match=r"'B'.*population"):
        out = need_index(towns, {"population": 0.5, "village_units": 0.5})
    assert np.isnan(out["B"])
    assert out["A"] == pytest.approx(0.125 + 1 / 6)
    assert out["C"] == pytest.approx(0.375 + 1 / 3)


def test_need_index_zero_weight_column_is_ignored():
    towns = pd.DataFrame({"population": [1, 3], "village_units": [np.nan, 2]})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = need_index(towns, {"population": 1, "village_units": 0})
    assert out.tolist() == pytest.approx([0.25, 0.75])


def test_need_index_unknown_column_names_closest_and_available(two_towns):
    with pytest.raises(ValueError) as exc:
        need_index(two_towns, {"populaton": 1})
    msg = str(exc.value)
    assert "'populaton'" in msg
    assert "did you mean 'population'" in msg
    assert "Available columns" in msg and "'village_units'" in msg


@pytest.mark.parametrize(
    "weights, match",
    [
        ({}, "non-empty"),
        ({"population": -1}, ">= 0"),
        ({"population": 0, "village_units": 0}, "sum to zero"),
        ({"population": float("nan")}, "finite"),
        ({"name_cn": 1}, "numeric"),
    ],
)
def test_need_index_rejects_bad_weights(two_towns, weights, match):
    with pytest.raises(ValueError, match=match):
        need_index(two_towns, weights)


def test_need_index_rejects_bad_data():
    with pytest.raises(ValueError, match="non-negative"):
        need_index(pd.DataFrame({"x": [1, -1]}), {"x": 1})
    with pytest.raises(ValueError, match="sums to zero"):
        need_index(pd.DataFrame({"x": [0, 0]}), {"x": 1})
    with pytest.raises(ValueError, match="no town has data"):
        need_index(pd.DataFrame({"x": [np.nan, np.nan]}), {"x": 1})
    with pytest.raises(ValueError, match="method"):
        need_index(pd.DataFrame({"x": [1, 2]}), {"x": 1}, method="zscore")
    with pytest.raises(ValueError, match="DataFrame"):
        need_index({"x": [1, 2]}, {"x": 1})


towns_tables = st.integers(1, 12).flatmap(
    lambda n: st.tuples(
        st.lists(st.integers(1, 2_000_000), min_size=n, max_size=n),
        st.lists(st.integers(1, 40), min_size=n, max_size=n),
        st.floats(0.01, 100),
        st.floats(0.01, 100),
    )
)


@FAST
@given(towns_tables, st.floats(1e-3, 1e3))
def test_need_index_share_properties(data, k):
    pop, units, wp, wu = data
    towns = pd.DataFrame({"population": pop, "village_units": units})
    out = need_index(towns, {"population": wp, "village_units": wu})
    assert out.sum() == pytest.approx(1.0)
    assert ((out >= 0) & (out <= 1 + 1e-12)).all()
    # rescaling a column (e.g. persons -> 万人) leaves share-normalised scores unchanged
    scaled = towns.assign(population=towns["population"] * k)
    assert need_index(scaled, {"population": wp, "village_units": wu}).tolist() == (pytest.approx(out.tolist()))
    # result lies between the two single-column indexes (convex combination)
    a = towns["population"] / towns["population"].sum()
    b = towns["village_units"] / towns["village_units"].sum()
    assert (out >= np.minimum(a, b) - 1e-12).all() and (out <= np.maximum(a, b) + 1e-12).all()


# --------------------------------------------------------- target_allocation
def test_target_allocation_known_answer():
    # 3100 * .45 = 1395 ; 3100 * .55 = 1705
    out = target_allocation(3100, pd.Series([0.45, 0.55], index=["A", "B"]))
    assert out.name == "target"
    assert out.to_dict() == pytest.approx({"A": 1395.0, "B": 1705.0})
    # need not summing to 1 is renormalised: 1:3 of 100
    assert target_allocation(100, [1, 3]).tolist() == pytest.approx([25, 75])


def test_target_allocation_missing():
    need = pd.Series([0.25, np.nan, 0.75], index=list("ABC"))
    with pytest.raises(ValueError, match="NaN"):
        target_allocation(100, need)
    # exclude: A and C share 100 as .25:.75
    with pytest.warns(MissingDataWarning, match="'B'"):
        out = target_allocation(100, need, missing="exclude")
    assert out["A"] == pytest.approx(25) and out["C"] == pytest.approx(75)
    assert np.isnan(out["B"])


def test_target_allocation_rejects_bad_input():
    with pytest.raises(ValueError, match="non-negative"):
        target_allocation(-1, [1, 2])
    with pytest.raises(ValueError, match="sums to zero|sum to zero"):
        target_allocation(10, [0, 0])
    with pytest.raises(ValueError, match="missing"):
        target_allocation(10, [1, 2], missing="drop")
    with pytest.raises(ValueError, match="every town"):
        target_allocation(10, [np.nan, np.nan], missing="exclude")


@FAST
@given(st.lists(st.integers(0, 1000), min_size=1, max_size=12).filter(any), st.floats(0, 1e5))
def test_target_allocation_sums_to_total(need, total):
    out = target_allocation(total, need)
    assert out.sum() == pytest.approx(total, abs=1e-6)
    assert (out >= 0).all()
    # a town's target is proportional to its need
    assert out.tolist() == pytest.approx([total * n / sum(need) for n in need], abs=1e-6)


# ------------------------------------------------------ distance_from_target
def test_distance_from_target_known_answer():
    # (150-100)/100 = .5 ; (50-100)/100 = -.5
    out = distance_from_target([150, 50], [100, 100])
    assert out.name == "distance_from_target"
    assert out.tolist() == pytest.approx([0.5, -0.5])
    # label alignment: A (120-100)/100 = .2 ; B (80-100)/100 = -.2 ; C (0-40)/40 = -1
    actual = pd.Series({"A": 120.0, "B": 80.0, "C": 0.0})
    target = pd.Series({"C": 40.0, "B": 100.0, "A": 100.0})
    assert distance_from_target(actual, target).to_dict() == pytest.approx({"A": 0.2, "B": -0.2, "C": -1.0})


def test_distance_from_target_nan_passes_through():
    out = distance_from_target(pd.Series({"A": 110.0, "B": 50.0}), pd.Series({"A": 100.0, "B": np.nan}))
    assert out["A"] == pytest.approx(0.1)
    assert np.isnan(out["B"])


def test_distance_from_target_rejects_bad_input():
    with pytest.raises(ValueError, match="target is zero"):
        distance_from_target([1, 2], [0, 2])
    with pytest.raises(ValueError, match="length mismatch"):
        distance_from_target([1, 2], [1, 2, 3])
    with pytest.raises(ValueError, match="different labels"):
        distance_from_target(pd.Series({"A": 1.0}), pd.Series({"B": 1.0}))
    with pytest.raises(ValueError, match="non-negative"):
        distance_from_target([-1, 2], [1, 2])


@FAST
@given(towns_tables, st.floats(1, 1e5))
def test_actual_equal_to_target_has_zero_distance(data, total):
    pop, units, wp, wu = data
    towns = pd.DataFrame({"population": pop, "village_units": units})
    target = target_allocation(total, need_index(towns, {"population": wp, "village_units": wu}))
    assert distance_from_target(target.copy(), target).abs().max() == pytest.approx(0, abs=1e-12)
    doubled = distance_from_target(2 * target, target)
    assert doubled.tolist() == pytest.approx([1.0] * len(target))

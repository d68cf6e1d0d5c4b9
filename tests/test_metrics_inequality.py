"""Tests for shunde_workbook.metrics.inequality and .concentration.

Known answers are worked out by hand in the comments; property tests compare
against independent textbook formulas written here, not against the library.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shunde_workbook.metrics import (
    coefficient_of_variation,
    hhi,
    theil_decomposition,
    theil_t,
    top_n_share,
    weighted_gini,
    weighted_lorenz,
)

# Local settings (no global profile: other test modules share the session).
FAST = settings(deadline=None, max_examples=40)


# ---------------------------------------------------------------- references
def mad_gini(y) -> float:
    """Textbook Gini: sum_i sum_j |y_i - y_j| / (2 n^2 mean)."""
    y = np.asarray(y, dtype=float)
    n = len(y)
    return float(np.abs(y[:, None] - y[None, :]).sum() / (2 * n * n * y.mean()))


def mean_theil(y) -> float:
    """Textbook Theil T: (1/n) sum (y/mu) ln(y/mu), 0 ln 0 = 0."""
    y = np.asarray(y, dtype=float)
    r = y / y.mean()
    r = r[r > 0]
    return float(np.sum(r * np.log(r)) / len(y))


amounts = st.lists(st.integers(0, 10**6), min_size=1, max_size=25).filter(lambda v: sum(v) > 0)


@st.composite
def amounts_and_weights(draw, max_weight=10**4):
    v = draw(amounts)
    w = draw(st.lists(st.integers(1, max_weight), min_size=len(v), max_size=len(v)))
    return np.array(v, dtype=float), np.array(w, dtype=float)


# ------------------------------------------------------------ weighted_lorenz
def test_lorenz_known_answer_unit_weights():
    # per-capita 30 (label 0) and 10 (label 1); poorest first:
    # X: 0, 1/2, 1 ; Y: 0, 10/40 = .25, 1
    df = weighted_lorenz([30, 10])
    assert list(df.columns) == [
        "group",
        "amount_per_weight",
        "cum_population_share",
        "cum_amount_share",
    ]
    assert df["cum_population_share"].tolist() == pytest.approx([0, 0.5, 1])
    assert df["cum_amount_share"].tolist() == pytest.approx([0, 0.25, 1])
    assert df["group"].tolist() == [None, 1, 0]
    assert np.isnan(df["amount_per_weight"].iloc[0])
    assert df["amount_per_weight"].iloc[1:].tolist() == pytest.approx([10, 30])


def test_lorenz_known_answer_weighted_series_labels():
    # town A: 60 over 2 people (30 each); B: 20 over 3 (6.67 each) -> B first.
    # X: 0, 3/5, 1 ; Y: 0, 20/80 = .25, 1
    v = pd.Series({"A": 60.0, "B": 20.0})
    w = pd.Series({"B": 3.0, "A": 2.0})  # other order on purpose
    df = weighted_lorenz(v, w)
    assert df["group"].tolist() == [None, "B", "A"]
    assert df["cum_population_share"].tolist() == pytest.approx([0, 0.6, 1])
    assert df["cum_amount_share"].tolist() == pytest.approx([0, 0.25, 1])


@FAST
@given(amounts_and_weights())
def test_lorenz_shape_properties(vw):
    v, w = vw
    df = weighted_lorenz(v, w)
    x, y = df["cum_population_share"].to_numpy(), df["cum_amount_share"].to_numpy()
    assert len(df) == len(v) + 1
    assert (x[0], y[0]) == (0.0, 0.0)
    assert x[-1] == pytest.approx(1) and y[-1] == pytest.approx(1)
    assert np.all(np.diff(x) > 0) and np.all(np.diff(y) >= -1e-12)
    assert np.all(y <= x + 1e-9)  # below the diagonal
    slopes = np.diff(y) / np.diff(x)  # per-capita / mean, must be sorted
    assert np.all(np.diff(slopes) >= -1e-9 * slopes.max())


# -------------------------------------------------------------- weighted_gini
def test_gini_known_answers():
    # 10 vs 30, equal weights: 1 - (.5*(0+.25) + .5*(.25+1)) = 1 - .75 = .25
    assert weighted_gini([10, 30]) == pytest.approx(0.25)
    # A: 60/2 people, B: 20/3 people. X: 0,.6,1  Y: 0,.25,1
    # 1 - (.6*.25 + .4*1.25) = 1 - (.15 + .5) = .35
    # cross-check by residents: [20/3]*3 + [30]*2, mean 16;
    # sum|diffs| = 2*3*2*(70/3) = 280 ; 280 / (2*25*16) = .35
    assert weighted_gini([60, 20], [2, 3]) == pytest.approx(0.35)
    # one recipient among 4 equal towns: (4-1)/4
    assert weighted_gini([0, 0, 0, 5]) == pytest.approx(0.75)


@FAST
@given(amounts_and_weights(), st.floats(0.01, 1000))
def test_gini_equal_per_capita_is_zero(vw, c):
    _, w = vw
    assert weighted_gini(c * w, w) == pytest.approx(0, abs=1e-9)


@FAST
@given(st.integers(1, 300))
def test_gini_single_recipient(n):
    v = np.zeros(n)
    v[n // 2] = 7.0
    g = weighted_gini(v)
    assert g == pytest.approx((n - 1) / n)
    v2 = np.zeros(n + 1)
    v2[0] = 7.0
    assert weighted_gini(v2) > g  # approaches 1 as n grows


def test_gini_single_recipient_tends_to_one():
    v = np.zeros(10_000)
    v[-1] = 1.0
    assert 0.999 < weighted_gini(v) < 1.0


@FAST
@given(amounts_and_weights(), st.floats(1e-3, 1e3), st.floats(1e-3, 1e3))
def test_gini_scale_invariance(vw, k, m):
    v, w = vw
    g = weighted_gini(v, w)
    assert weighted_gini(k * v, w) == pytest.approx(g, abs=1e-9)
    assert weighted_gini(v, m * w) == pytest.approx(g, abs=1e-9)
    assert 0 <= g + 1e-12 and g < 1


@FAST
@given(amounts)
def test_gini_unit_weights_equals_mean_absolute_difference(v):
    assert weighted_gini(v) == pytest.approx(mad_gini(v), abs=1e-9)
    assert weighted_gini(v, np.ones(len(v))) == pytest.approx(mad_gini(v), abs=1e-9)


@FAST
@given(amounts_and_weights(max_weight=5))
def test_gini_weighted_equals_gini_over_replicated_residents(vw):
    v, w = vw
    residents = np.repeat(v / w, w.astype(int))
    assert weighted_gini(v, w) == pytest.approx(mad_gini(residents), abs=1e-9)


@FAST
@given(amounts_and_weights(), st.randoms())
def test_gini_permutation_invariant(vw, rnd):
    v, w = vw
    perm = list(range(len(v)))
    rnd.shuffle(perm)
    assert weighted_gini(v[perm], w[perm]) == pytest.approx(weighted_gini(v, w), abs=1e-12)


# ------------------------------------------------------------------- theil_t
def test_theil_known_answers():
    # 1,1,2: s = 1/4,1/4,1/2 ; p = 1/3 -> 2*(1/4)ln(3/4) + (1/2)ln(3/2) = (1/2)ln(9/8)
    assert theil_t([1, 1, 2]) == pytest.approx(0.5 * math.log(9 / 8))
    # s = 60/80, 20/80 = .75, .25 ; p = 2/5, 3/5
    # T = .75 ln(.75/.4) + .25 ln(.25/.6) = .75 ln(15/8) + .25 ln(5/12)
    expected = 0.75 * math.log(15 / 8) + 0.25 * math.log(5 / 12)
    assert theil_t([60, 20], [2, 3]) == pytest.approx(expected)
    # single recipient among 5: ln 5 ; zeros contribute 0 ln 0 = 0
    assert theil_t([0, 0, 9, 0, 0]) == pytest.approx(math.log(5))


@FAST
@given(amounts)
def test_theil_unit_weights_matches_mean_formula(v):
    assert theil_t(v) == pytest.approx(mean_theil(v), abs=1e-9)


@FAST
@given(amounts_and_weights(max_weight=5))
def test_theil_weighted_equals_theil_over_replicated_residents(vw):
    v, w = vw
    residents = np.repeat(v / w, w.astype(int))
    assert theil_t(v, w) == pytest.approx(mean_theil(residents), abs=1e-9)


@FAST
@given(amounts_and_weights(), st.floats(0.01, 1000))
def test_theil_equal_per_capita_is_zero(vw, c):
    _, w = vw
    assert theil_t(c * w, w) == pytest.approx(0, abs=1e-9)


# ------------------------------------------------------- theil_decomposition
def test_theil_decomposition_known_answer():
    # villages A:1,1  B:2,4 ; total 8 ; s = 1/8,1/8,2/8,4/8 ; p = 1/4 each
    # total   = 2*(1/8)ln(1/2) + (2/8)ln(1) + (4/8)ln(2) = (1/4) ln 2
    # between = S_A ln(S_A/P_A) + S_B ln(S_B/P_B)
    #         = (1/4)ln(1/2) + (3/4)ln(3/2) = (3/4)ln3 - ln2
    # T_A = 0 ; T_B: shares 1/3, 2/3 vs 1/2, 1/2
    #   = (1/3)ln(2/3) + (2/3)ln(4/3) = (5/3)ln2 - ln3
    # within = (3/4) T_B = (5/4)ln2 - (3/4)ln3
    d = theil_decomposition([1, 1, 2, 4], ["A", "A", "B", "B"])
    ln2, ln3 = math.log(2), math.log(3)
    assert d["total"] == pytest.approx(ln2 / 4)
    assert d["between"] == pytest.approx(0.75 * ln3 - ln2)
    assert d["within"] == pytest.approx(1.25 * ln2 - 0.75 * ln3)
    assert d["between_share"] == pytest.approx((0.75 * ln3 - ln2) / (ln2 / 4))
    g = d["groups"]
    assert g.index.tolist() == ["A", "B"]
    assert g["amount_share"].tolist() == pytest.approx([0.25, 0.75])
    assert g["population_share"].tolist() == pytest.approx([0.5, 0.5])
    assert g["theil_within"].tolist() == pytest.approx([0.0, 5 / 3 * ln2 - ln3])
    assert g["within_contribution"].tolist() == pytest.approx([0.0, 1.25 * ln2 - 0.75 * ln3])


def test_theil_decomposition_weighted_known_answer():
    # one village per town -> within = 0, between = total
    # amounts 2, 2 ; pops 1, 3 ; s = .5,.5 ; p = .25,.75
    # T = .5 ln 2 + .5 ln(2/3) = .5 ln(4/3)
    d = theil_decomposition([2, 2], ["A", "B"], [1, 3])
    assert d["total"] == pytest.approx(0.5 * math.log(4 / 3))
    assert d["between"] == pytest.approx(0.5 * math.log(4 / 3))
    assert d["within"] == pytest.approx(0.0, abs=1e-15)


def test_theil_decomposition_unfunded_group():
    # town B gets nothing: S_B = 0 contributes 0 and T_B is NaN
    # all money in A (2 of 4 villages): between = 1*ln(1/(1/2)) = ln 2
    # within A: 1,3 vs 1/2,1/2 -> (1/4)ln(1/2) + (3/4)ln(3/2) = (3/4)ln3 - ln2
    d = theil_decomposition([1, 3, 0, 0], ["A", "A", "B", "B"])
    assert d["between"] == pytest.approx(math.log(2))
    assert d["within"] == pytest.approx(0.75 * math.log(3) - math.log(2))
    assert np.isnan(d["groups"].loc["B", "theil_within"])
    assert d["groups"].loc["B", "within_contribution"] == 0.0


@FAST
@given(
    amounts_and_weights(),
    st.lists(st.sampled_from(["大良", "容桂", "伦教", "勒流"]), min_size=25, max_size=25),
)
def test_theil_decomposition_adds_up(vw, labels):
    v, w = vw
    groups = labels[: len(v)]
    d = theil_decomposition(v, groups, w)
    assert d["between"] + d["within"] == pytest.approx(d["total"], abs=1e-9)
    assert d["total"] == pytest.approx(theil_t(v, w), abs=1e-12)
    assert d["between"] >= -1e-12 and d["within"] >= -1e-12
    # between part equals Theil of the town totals with town populations
    town_v = pd.Series(v).groupby(groups).sum()
    town_w = pd.Series(w).groupby(groups).sum()
    assert d["between"] == pytest.approx(theil_t(town_v, town_w), abs=1e-9)


def test_theil_decomposition_series_alignment():
    a = pd.Series({"v1": 1.0, "v2": 1.0, "v3": 2.0, "v4": 4.0})
    g = pd.Series({"v4": "B", "v3": "B", "v2": "A", "v1": "A"})  # shuffled
    d = theil_decomposition(a, g)
    assert d["between"] == pytest.approx(0.75 * math.log(3) - math.log(2))


# --------------------------------------------------- coefficient_of_variation
def test_cv_known_answers():
    # 1, 3: mean 2, population std 1 -> .5
    assert coefficient_of_variation([1, 3]) == pytest.approx(0.5)
    # per-capita 10/10 = 1 (p=1/3), 40/20 = 2 (p=2/3); mu = 5/3
    # var = (1/3)(2/3)^2 + (2/3)(1/3)^2 = 4/27 + 2/27 = 2/9 ; sd = sqrt2/3
    # cv = (sqrt2/3)/(5/3) = sqrt2/5
    assert coefficient_of_variation([10, 40], [10, 20]) == pytest.approx(math.sqrt(2) / 5)


@FAST
@given(amounts)
def test_cv_unit_weights_is_population_std_over_mean(v):
    arr = np.array(v, dtype=float)
    assert coefficient_of_variation(v) == pytest.approx(arr.std(ddof=0) / arr.mean(), abs=1e-9)


@FAST
@given(amounts_and_weights(max_weight=5), st.floats(1e-3, 1e3))
def test_cv_replication_and_scale(vw, k):
    v, w = vw
    residents = np.repeat(v / w, w.astype(int))
    cv = coefficient_of_variation(v, w)
    assert cv == pytest.approx(residents.std() / residents.mean(), abs=1e-9)
    assert coefficient_of_variation(k * v, w) == pytest.approx(cv, abs=1e-9)


# ------------------------------------------------------------- concentration
def test_top_n_share_known_answers():
    # 5, 3, 2 of 10
    assert top_n_share([2, 5, 3], n=1) == pytest.approx(0.5)
    assert top_n_share([2, 5, 3], n=2) == pytest.approx(0.8)
    assert top_n_share([2, 5, 3], n=10) == 1.0
    # repeated labels are one organisation: x = 3 + 5 = 8 of 10
    s = pd.Series([3, 2, 5], index=["x", "y", "x"])
    assert top_n_share(s, n=1) == pytest.approx(0.8)


def test_hhi_known_answers():
    # shares 50, 30, 20 percent: 2500 + 900 + 400 = 3800
    assert hhi([5, 3, 2]) == pytest.approx(3800)
    assert hhi([5, 3, 2], scale=1) == pytest.approx(0.38)
    # single recipient: 100^2 ; 4 equal: 4 * 25^2 = 2500
    assert hhi([0, 7, 0]) == pytest.approx(10000)
    assert hhi([1, 1, 1, 1]) == pytest.approx(2500)
    # repeated labels summed: x = 8, y = 2 -> 6400 + 400
    assert hhi(pd.Series([3, 2, 5], index=["x", "y", "x"])) == pytest.approx(6800)


@FAST
@given(amounts)
def test_concentration_bounds(v):
    n = len(v)
    h = hhi(v)
    assert 10000 / n - 1e-6 <= h <= 10000 + 1e-6
    assert hhi(v, scale=1) == pytest.approx(h / 10000)
    shares = [top_n_share(v, n=k) for k in range(1, n + 1)]
    assert all(b >= a - 1e-12 for a, b in zip(shares, shares[1:], strict=False))
    assert shares[-1] == pytest.approx(1.0)
    assert all(s >= k / n - 1e-9 for k, s in enumerate(shares, start=1))


# ----------------------------------------------------------------- validation
@pytest.mark.parametrize("func", [weighted_gini, theil_t, coefficient_of_variation, weighted_lorenz])
def test_weighted_metrics_reject_bad_input(func):
    with pytest.raises(ValueError, match="non-negative"):
        func([1, -2, 3])
    with pytest.raises(ValueError, match="NaN"):
        func([1, np.nan, 3])
    with pytest.raises(ValueError, match="length mismatch"):
        func([1, 2, 3], [1, 2])
    with pytest.raises(ValueError, match="sum to zero"):
        func([1, 2], [0, 0])
    with pytest.raises(ValueError, match="strictly positive"):
        func([1, 2], [0, 3])
    with pytest.raises(ValueError, match="sum to zero"):
        func([0, 0], [1, 1])
    with pytest.raises(ValueError, match="empty"):
        func([])
    with pytest.raises(ValueError, match="different labels"):
        func(pd.Series({"a": 1.0, "b": 2.0}), pd.Series({"a": 1.0, "c": 2.0}))


def test_theil_decomposition_rejects_bad_groups():
    with pytest.raises(ValueError, match="length mismatch"):
        theil_decomposition([1, 2, 3], ["A", "B"])
    with pytest.raises(ValueError, match="missing labels"):
        theil_decomposition([1, 2], ["A", None])


def test_concentration_rejects_bad_input():
    with pytest.raises(ValueError, match="positive integer"):
        top_n_share([1, 2], n=0)
    with pytest.raises(ValueError, match="positive integer"):
        top_n_share([1, 2], n=1.5)
    with pytest.raises(ValueError, match="scale"):
        hhi([1, 2], scale=100)
    with pytest.raises(ValueError, match="non-negative"):
        hhi([1, -1])
    with pytest.raises(ValueError, match="sum to zero"):
        top_n_share([0, 0])

"""Honest framing in the studies: shares on one basis, what each inequality measure leaves out, exact totals."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest
import yaml

from shunde_workbook import metrics
from shunde_workbook.analysis import studies
from shunde_workbook.analysis.inputs import Inputs, load_inputs
from shunde_workbook.errors import ParameterError
from shunde_workbook.params import SPECS, validate
from shunde_workbook.paths import PARAMS


@pytest.fixture
def small() -> Inputs:
    """Three towns; C has no population figure.  Amounts: A 600 (300 of it town-level), B 300, C 100."""
    towns = pd.DataFrame(
        {
            "town": ["甲镇", "乙镇", "丙镇"],
            "name_en": ["A", "B", "C"],
            "village_units": [2, 1, 1],
            "population": [100.0, 300.0, np.nan],
            "pop_grade": ["A", "B", ""],
        },
        index=pd.Index(["A", "B", "C"], name="town_code"),
    )
    villages = pd.DataFrame(
        {
            "code": ["A1", "A2", "B1", "C1", "B9"],
            "town_code": ["A", "A", "B", "C", "B"],
            "name": list("vwxyz"),
            "type": "村",
            "in_nbs_2021": [1, 1, 1, 1, 0],
        }
    )
    ledger = pd.DataFrame(
        {
            "town_code": ["A", "A", "A", "B", "B", "C"],
            "village_code": ["A1", "A2", np.nan, "B1", "B9", "C1"],
            "amount": [200.0, 100.0, 300.0, 250.0, 50.0, 100.0],
            "programme": "众创共善",
            "year": 2020,
            "recipient_name": ["o1", "o2", "o1", "o3", "o3", "o4"],
        }
    )
    return Inputs(ledger, ledger, towns, villages, None)


def test_distribution_compares_shares_on_one_basis(small):
    res = studies.distribution(small)
    s = res["summary"]
    # Money among the towns with a population figure: A 600, B 300 of 900.
    assert s.loc["A", "amount_share_pop_basis"] == pytest.approx(600 / 900)
    assert s.loc["B", "amount_share_pop_basis"] == pytest.approx(300 / 900)
    assert math.isnan(s.loc["C", "amount_share_pop_basis"])
    assert s["amount_share_pop_basis"].sum() == pytest.approx(1.0)
    assert s["pop_share"].sum() == pytest.approx(1.0)
    assert res["pop_basis_towns"] == ["A", "B"]
    assert res["towns_without_population"] == ["C"]
    assert res["pop_basis_amount_share"] == pytest.approx(0.9)
    # The top town's two shares are on the same basis; its share of all money is kept separately.
    assert res["top_town"] == "A" and res["top_town_in_pop_basis"]
    assert res["top_town_amount_share"] == pytest.approx(600 / 900)
    assert res["top_town_pop_share"] == pytest.approx(100 / 400)
    assert res["top_town_amount_share_all_towns"] == pytest.approx(0.6)
    assert res["most_over_town"] == "A"
    assert res["most_over_gap"] == pytest.approx(600 / 900 - 0.25)


def test_fairness_names_what_each_measure_leaves_out(small):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", metrics.MissingDataWarning)
        res = studies.fairness(small, {"population": 1.0}, top_n=2)
    assert res["gini_excluded"] == res["cv_excluded"] == res["theil_towns_excluded"] == ["C"]
    assert res["population_measures_excluded_amount_share"] == pytest.approx(0.1)
    # Between-town Theil T over A and B: money shares 2/3, 1/3; population shares 1/4, 3/4.
    expected = (2 / 3) * math.log((2 / 3) / 0.25) + (1 / 3) * math.log((1 / 3) / 0.75)
    assert res["theil_towns"] == pytest.approx(expected)
    # The village decomposition misses the 300 town-level and the 50 to B9 (not on the 2021 list) of 1000.
    assert res["theil_village_no_code_share"] == pytest.approx(0.3)
    assert res["theil_village_unlisted_share"] == pytest.approx(0.05)
    assert res["theil_village_left_out_share"] == pytest.approx(0.35)
    # ... and covers exactly the rest: the four listed villages' 650 over 4 equal-weight units.
    v = np.array([200.0, 100.0, 250.0, 100.0])
    assert res["theil"]["total"] == pytest.approx(metrics.theil_t(v))
    for key in ("gini", "theil", "theil_between_share", "cv_per_resident", "towns_without_population"):
        assert key in res


@pytest.fixture(scope="module")
def default_inputs():
    params = yaml.safe_load((PARAMS / "default.yaml").read_text(encoding="utf-8"))
    return load_inputs(params, boundaries=False), params


@pytest.mark.parametrize("unit", [0.1, 1.0, 10.0])
def test_scenario_totals_equal_the_plan_exactly(default_inputs, unit):
    inp, p = default_inputs
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", metrics.MissingDataWarning)
        res = studies.scenarios(inp, p["need_weights"], p["floor_share"], allocation_unit=unit)
    step = unit * 1e4
    for prog, table in res["by_programme"].items():
        for rule in res["rules"]:
            assert table[rule].sum() == studies.planned_funding()[prog]["amount"]
            assert np.allclose(table[rule] / step, np.round(table[rule] / step), rtol=0, atol=1e-9)
    for rule in res["rules"]:
        assert res["total"][rule].sum() == res["plan_total"]
    shifts = [c for c in res["total"].columns if c.startswith("shift_")]
    assert (res["total"][shifts].sum() == 0).all()
    # Rounding moves no town by a full unit per programme from the unrounded allocation.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", metrics.MissingDataWarning)
        exact = studies.scenarios(inp, p["need_weights"], p["floor_share"], allocation_unit=0.0001)
    diff = (res["total"][res["rules"]] - exact["total"][res["rules"]]).abs().to_numpy()
    assert diff.max() < step * len(res["programmes"])


def test_allocation_unit_must_divide_the_plan(default_inputs):
    inp, p = default_inputs
    with pytest.raises(ParameterError, match="does not divide"):
        studies.scenarios(inp, p["need_weights"], p["floor_share"], allocation_unit=0.3)
    with pytest.raises(ParameterError, match="positive"):
        studies.scenarios(inp, p["need_weights"], p["floor_share"], allocation_unit=0)


def test_allocation_unit_spec_validates():
    declared = {"allocation_unit": {"inferred_type_name": "float", "default": 0.1}}
    assert SPECS["allocation_unit"].kind == "float"
    assert validate({"allocation_unit": 0.1}, declared) == []
    assert validate({"allocation_unit": 1}, declared) == []
    assert validate({"allocation_unit": 0}, declared)
    assert validate({"allocation_unit": "0.1"}, declared)
    # The default set names it, and every notebook that computes scenarios declares it.
    assert yaml.safe_load((PARAMS / "default.yaml").read_text(encoding="utf-8"))["allocation_unit"] == 0.1

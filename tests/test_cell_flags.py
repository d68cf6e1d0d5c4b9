"""Eurostat-style cell flags (u low reliability, e estimated, b break in series): known answers.

A flag follows what the cell rests on: a 2023 allocation under a population rule is a share of a fixed plan,
so it rests on every town's population (the weakest grade flags the whole column), while the rule by
village counts rests on the official village list only and the historical rule on the ledger only.
"""

from __future__ import annotations

import pandas as pd
import pytest

from shunde_workbook.report.display_tables import allocation_flags, shift_flags
from shunde_workbook.report.evidence_legend import cell_flags


@pytest.mark.parametrize(
    "kwargs,expected",
    [
        ({"pop_grade": "A"}, ""),
        ({"pop_grade": "B"}, ""),
        ({"pop_grade": "C"}, "u"),
        ({"pop_grade": "", "imputed": True}, "ue"),
        ({"pop_grade": "A", "simulated": True}, "u"),
        ({"pop_grade": "A", "break_in_series": True}, "b"),
    ],
)
def test_cell_flags(kwargs, expected):
    assert cell_flags(**kwargs) == expected


def _res(rules):
    index = pd.Index(["440606001", "440606002", "440606003"], name="town_code")
    return {"rules": rules, "total": pd.DataFrame({r: [1.0, 2.0, 3.0] for r in rules}, index=index)}


def _towns(grades):
    return pd.DataFrame({"pop_grade": grades}, index=pd.Index(["440606001", "440606002", "440606003"]))


RULES = ["historical", "equal_per_unit", "per_resident", "need_weighted", "floor_plus_need"]


def test_allocation_flags_follow_what_each_rule_rests_on():
    flags = allocation_flags(_res(RULES), _towns(["A", "C", None]), simulated=True)
    assert flags["historical"] == ["u", "u", "u"]  # the simulated ledger
    assert flags["equal_per_unit"] == ["", "", ""]  # the official village list only
    for rule in ("per_resident", "need_weighted", "floor_plus_need"):
        # every town's share depends on every population: the weakest grade flags the column; the town
        # without a figure of its own is also estimated
        assert flags[rule] == ["u", "u", "ue"], rule


def test_allocation_flags_on_an_official_ledger_and_good_populations_are_empty():
    flags = allocation_flags(_res(RULES), _towns(["A", "B", "A"]), simulated=False)
    assert all(f == ["", "", ""] for f in flags.values()), flags


def test_shift_flags_carry_both_the_ledger_and_the_rule():
    flags = shift_flags(_res(RULES), _towns(["A", "C", None]), simulated=True)
    assert "historical" not in flags
    assert flags["equal_per_unit"] == ["u", "u", "u"]  # the historical share it is measured from is simulated
    assert flags["per_resident"] == ["u", "u", "ue"]
    assert shift_flags(_res(RULES), _towns(["A", "B", "A"]), simulated=False)["per_resident"] == ["", "", ""]

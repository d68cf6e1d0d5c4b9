"""The template's drop-downs, read back with openpyxl (Excel and WPS are not available here).

Each data validation of the 台账 sheet has the right type and formula and covers the same data rows, and the
hidden lists it points to hold exactly the official names of data/reference/ (read here with pandas, not through
the code under test): 10 镇街, every 村(社区) of each 镇街 under a name INDIRECT(<镇街 cell>) finds, the 计划 and
the 领域 of programme_fields.csv.
"""

from __future__ import annotations

import re
from datetime import date

import pandas as pd
from openpyxl import load_workbook
from openpyxl.utils import range_boundaries

from shunde_workbook.cli import main
from shunde_workbook.paths import REFERENCE


def _cells(wb, name: str) -> list[str]:
    """The values of the range a defined name points to."""
    sheet, ref = next(iter(wb.defined_names[name].destinations))
    c1, r1, c2, r2 = range_boundaries(ref.replace("$", ""))
    ws = wb[sheet]
    return [ws.cell(r, c).value for c in range(c1, c2 + 1) for r in range(r1, r2 + 1)]


def test_drop_downs_point_at_the_official_names(tmp_path):
    path = tmp_path / "template.xlsx"
    assert main(["template", str(path)]) == 0
    wb = load_workbook(path)
    ws = wb["台账"]
    col = {c.value: c.column_letter for c in ws[1]}
    rules, last_rows = {}, set()
    for dv in ws.data_validations.dataValidation:
        m = re.fullmatch(r"([A-Z]+)2:\1(\d+)", str(dv.sqref))  # one column, from the first data row down
        assert m, dv.sqref
        rules[m.group(1)] = dv
        last_rows.add(int(m.group(2)))
        assert dv.showErrorMessage  # a wrong entry is refused, not only flagged
    assert len(last_rows) == 1 and last_rows.pop() >= 1001  # every rule covers the same 1000+ data rows

    towns = pd.read_csv(REFERENCE / "towns.csv", dtype=str)
    villages = pd.read_csv(REFERENCE / "villages.csv", dtype=str)
    fields = pd.read_csv(REFERENCE / "programme_fields.csv")

    town = rules[col["所属镇街"]]
    assert town.type == "list" and town.formula1 == "=镇街列表"
    assert _cells(wb, "镇街列表") == towns["town"].tolist()

    village = rules[col["村(社区)"]]
    town_cell = f"${col['所属镇街']}2"
    assert village.type == "list" and village.formula1 == f'=IF({town_cell}="",全部村居,INDIRECT({town_cell}))'
    assert sorted(_cells(wb, "全部村居")) == sorted(villages["name"])
    for code, name in zip(towns["town_code"], towns["town"], strict=True):  # INDIRECT(镇街) → its villages
        assert _cells(wb, name) == villages.loc[villages["town_code"] == code, "name"].tolist(), name

    programme = rules[col["计划"]]
    assert programme.type == "list" and programme.formula1 == "=计划列表"
    assert sorted(_cells(wb, "计划列表")) == sorted(fields["programme"].unique())

    field = rules[col["资助领域"]]  # the fields of the chosen programme and year; all fields until both are given
    prog_cell, year_cell = f"${col['计划']}2", f"${col['年度']}2"
    assert field.type == "list" and field.formula1 == (
        f'=IF(OR({prog_cell}="",{year_cell}=""),领域列表,INDIRECT({prog_cell}&"_"&{year_cell}))'
    )
    assert sorted(_cells(wb, "领域列表")) == sorted(fields["field"].unique())
    for (programme, year), group in fields.groupby(["programme", "year"]):
        assert _cells(wb, f"{programme}_{year}") == group["field"].tolist(), (programme, year)
    last = fields[fields["programme"] == "和美社区"]["year"].max()  # later years offer the last listed year's fields
    later = fields[(fields["programme"] == "和美社区") & (fields["year"] == last)]["field"].tolist()
    assert _cells(wb, f"和美社区_{date.today().year}") == later

    amount = rules[col["资助金额（元）"]]
    assert (amount.type, amount.operator, amount.formula1) == ("decimal", "greaterThan", "0")

    year = rules[col["年度"]]
    first = int(fields["year"].min())  # the first programme year with published fields
    assert (year.type, year.operator, year.formula1, year.formula2) == (
        "whole",
        "between",
        str(first),
        str(date.today().year),
    )
    assert wb["列表"].sheet_state == "hidden"

"""Old Excel (.xls) ledgers are read through calamine into the same sheet pipeline as .xlsx.

The fixture ``fixtures/ledgers/ledger_2019.xls`` is written by ``fixtures/ledgers/make_xls.py`` (xlwt): a merged
title row, a 单位：万元 row, the header on row 3 without identifier, year or provenance columns, six grants (the town
of rows 6–8 in one merged cell), a 合计 row holding the right sum and a note row; a hidden sheet holds a ledger
header, another sheet no ledger.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from shunde_workbook.data import load_ledger, validate_ledger
from shunde_workbook.paths import REFERENCE

XLS = Path(__file__).resolve().parent / "fixtures" / "ledgers" / "ledger_2019.xls"
#: As written by make_xls.py: (序号, town as in the sheet, amount in 万元).
GRANTS = [
    (1, "容桂街道", 12.5),
    (2, "北滘镇", 8),
    (3, "陈村镇", 5),
    (4, "陈村镇", 6.25),
    (5, "陈村镇", 3.75),
    (6, "乐从镇", 10),
]


def test_xls_ledger_is_read_with_its_layout():
    rep = validate_ledger(XLS, provenance="official")
    assert rep.ok and rep.encoding == "xls" and not rep.warnings
    assert rep.sheets == [
        "'2019年' read: header on row 3, 6 data row(s)",
        "'旧表' skipped: hidden sheet",
        "'说明' skipped: no ledger header in its first 30 rows",
    ]
    fixes = {f.message.key: (f.sheet, f.column, f.rows) for f in rep.fixes}
    assert fixes["merged.applied"] == ("2019年", "所属镇街", (6, 7, 8))
    assert fixes["totals.dropped"] == ("2019年", "", (10,))
    assert fixes["notes.dropped"] == ("2019年", "", (11,))
    assert fixes["id.from_serial"] == ("2019年", "序号", (4, 5, 6, 7, 8, 9))
    assert fixes["year.from_sheet"] == ("2019年", "年度", (4, 5, 6, 7, 8, 9))
    frame = rep.frame
    towns = pd.read_csv(REFERENCE / "towns.csv", dtype=str).set_index("town_code")["town"]
    assert frame["identifier"].tolist() == [str(i) for i, _, _ in GRANTS]
    assert frame["town_code"].map(towns).tolist() == [t for _, t, _ in GRANTS]
    assert frame["amount"].tolist() == [a * 10_000 for _, _, a in GRANTS]  # 万元 from the header
    assert set(frame["year"]) == {2019} and set(frame["programme"]) == {"和美社区"}


def test_xls_problems_are_reported_on_excel_rows():
    rep = validate_ledger(XLS)  # no provenance column and none given: one error, every row still checked
    assert [(e.sheet, e.row, e.column) for e in rep.errors] == [("2019年", 3, "provenance")]
    assert rep.n_rows == 6 and rep.frame.empty
    assert len(load_ledger(XLS, provenance="official")) == 6

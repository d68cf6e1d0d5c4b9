"""Ledgers laid out as offices keep them: title and unit rows, several sheets, 合计 rows, merged cells, 序号,
full-width digits, formulas with and without cached values, a missing provenance column among other errors."""

import re
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import Workbook

from shunde_workbook.data import validate_ledger

HEADER = ["序号", "项目名称", "申报单位", "所属镇街", "服务村居", "资助领域", "资助金额（万元）", "年度", "计划"]
TOWNS = ["大良", "容桂", "伦教", "勒流", "陈村", "均安", "杏坛", "龙江", "乐从", "北滘", "大良"]


def grant(i, town=None, amount=None, year=2019):
    return [i, f"项目{i}", f"机构{i}", town or TOWNS[(i - 1) % 11], "", "社区照顾", amount or 10 + i, year, "和美社区"]


def set_cached(path: Path, values: dict[str, str]) -> None:
    """Give formula cells a cached value, as Excel does when it saves (openpyxl writes none)."""
    with zipfile.ZipFile(path) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    for name in [n for n in parts if n.startswith("xl/worksheets/sheet")]:
        xml = parts[name].decode()
        for ref, v in values.items():
            xml = re.sub(rf'(<c r="{ref}"[^>]*>)(<f>[^<]*</f>)<v\s*/>', rf"\g<1>\g<2><v>{v}</v>", xml)
        parts[name] = xml.encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for n, b in parts.items():
            z.writestr(n, b)


def office_sheet(ws, rows, total: str | None = "=SUM(G4:G14)"):
    """Title row (merged), a row with 填报单位 and 单位：万元, the header on row 3, the rows, a 合计 row."""
    ws.append(["2019年和美社区计划资助项目汇总表"])
    ws.merge_cells("A1:I1")
    ws.append(["填报单位：德胜基金会", None, None, None, None, None, "单位：万元"])
    ws.append(HEADER)
    for r in rows:
        ws.append(r)
    if total is not None:
        ws.append(["合计", None, None, None, None, None, total])


def office_book(tmp_path, total="=SUM(G4:G14)", cached="176", rows=None) -> Path:
    wb = Workbook()
    office_sheet(wb.active, rows or [grant(i) for i in range(1, 12)], total)
    path = tmp_path / "hm2019.xlsx"
    wb.save(path)
    if cached is not None:
        set_cached(path, {"G15": cached})
    return path


def errors(rep):
    return [(e.sheet, e.row, e.column, e.value) for e in rep.errors]


def test_title_and_unit_rows_header_on_row_3_and_a_right_total(tmp_path):
    rep = validate_ledger(office_book(tmp_path), provenance="official")
    assert rep.errors == []
    assert rep.n_rows == 11 and rep.n_accepted == 11
    f = rep.frame
    assert f["identifier"].tolist() == [str(i) for i in range(1, 12)]  # 序号 is unique
    assert f["amount"].tolist() == [(10 + i) * 10_000.0 for i in range(1, 12)]  # 单位：万元 above the header
    assert f["town_code"].iloc[1] == "440606006" and f["year"].eq(2019).all()
    fixes = {f.message: f for f in rep.fixes}
    unit_fix = fixes["amount unit 万元 declared in the header"]  # the header wins over the 单位 row
    assert (unit_fix.column, unit_fix.rows) == ("资助金额（万元）", (3,))
    assert fixes["total row(s) (合计/小计/总计) left out"].rows == (15,)
    assert fixes["no identifier column; 序号 used as Identifier"].rows == tuple(range(4, 15))
    assert rep.warnings == []  # 服务村居 is a known header


def test_a_wrong_total_is_an_error_giving_both_numbers(tmp_path):
    rep = validate_ledger(office_book(tmp_path, cached="170"), provenance="official")
    assert errors(rep) == [("Sheet", 15, "资助金额（万元）", "170")]
    assert rep.errors[0].message == (
        "合计 row says 1,700,000.00 元 but the 11 grant row(s) it covers (rows 4–14) add up to 1,760,000.00 元"
    )
    assert rep.n_accepted == 11  # the grant rows themselves are fine


def test_a_total_formula_without_a_cached_value(tmp_path):
    rep = validate_ledger(office_book(tmp_path, cached=None), provenance="official")
    assert errors(rep) == [("Sheet", 15, "资助金额（万元）", "=SUM(G4:G14)")]
    assert (
        rep.errors[0]
        .format()
        .endswith(
            "the 合计 formula has no cached value, so it cannot be checked. What to do: open the file in Excel or "
            "WPS, let it calculate, and save it again"
        )
    )


def test_subtotals_and_note_rows(tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.append(HEADER)
    ws.append(grant(1, amount=10))
    ws.append(grant(2, amount=20))
    ws.append(["小计", None, None, None, None, None, 30])
    ws.append(grant(3, amount=5))
    ws.append(["小计", None, None, None, None, None, 6])  # wrong: 5
    ws.append(["总计", None, None, None, None, None, 35])
    ws.append(["备注：金额为签约金额"])
    ws.append([])
    ws.append([])
    path = tmp_path / "sub.xlsx"
    wb.save(path)
    rep = validate_ledger(path, provenance="official")
    assert errors(rep) == [("Sheet", 6, "资助金额（万元）", "6")]
    assert "add up to 50,000.00 元" in rep.errors[0].message and "rows 5–5" in rep.errors[0].message
    assert rep.frame["identifier"].tolist() == ["1", "2", "3"]
    notes = [f for f in rep.fixes if f.message == "note row(s) left out"]
    assert notes[0].rows == (8,)


def test_merged_town_cells_apply_to_each_row(tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.append(HEADER)
    for i in range(1, 5):
        ws.append(grant(i, town="容桂" if i == 1 else "北滘"))
    ws.merge_cells("D2:D4")  # 容桂 over rows 2–4; row 5 stays 北滘
    path = tmp_path / "merged.xlsx"
    wb.save(path)
    rep = validate_ledger(path, provenance="official")
    assert rep.errors == []
    assert rep.frame["town_code"].tolist() == ["440606006"] * 3 + ["440606102"]
    [fix] = [f for f in rep.fixes if f.message.startswith("merged cell")]
    assert (fix.column, fix.original, fix.rows, fix.message) == (
        "所属镇街",
        "容桂",
        (2, 3, 4),
        "merged cell 2–4 applied to each row it covers",
    )


def test_several_sheets_years_from_names_and_duplicates_across_sheets(tmp_path):
    header = ["项目编号"] + [h for h in HEADER[1:] if h != "年度"]
    wb = Workbook()
    wb.active.title = "说明"
    wb.active.append(["本表填写说明：每行一个项目"])
    for name, ids in (("2019年", ["HM-1", "HM-2"]), ("2020年第二批", ["HM-3", "HM-1"])):
        ws = wb.create_sheet(name)
        ws.append(header)
        for k, ident in enumerate(ids):
            ws.append([ident, "项目", "机构", "大良", "", "社区照顾", 12 + k, "和美社区"])
    hidden = wb.create_sheet("旧表")
    hidden.append(HEADER)
    hidden.sheet_state = "hidden"
    path = tmp_path / "multi.xlsx"
    wb.save(path)
    rep = validate_ledger(path, provenance="official")
    assert rep.sheets == [
        "'说明' skipped: no ledger header in its first 30 rows",
        "'2019年' read: header on row 1, 2 data row(s)",
        "'2020年第二批' read: header on row 1, 2 data row(s)",
        "'旧表' skipped: hidden sheet",
    ]
    assert errors(rep) == [("2019年", 2, "项目编号", "HM-1")]
    assert rep.errors[0].message == (
        "duplicate Identifier across sheets on 2 rows: 2019年!2, 2020年第二批!3; every one of them is left out"
    )
    f = rep.frame.set_index("identifier")
    assert sorted(f.index) == ["HM-2", "HM-3"]
    assert f.loc["HM-3", "year"] == 2020 and f.loc["HM-2", "year"] == 2019
    assert f.loc["HM-3", "programme_title"] == "和美社区计划 2020年第二批"
    assert pd.isna(f.loc["HM-2", "programme_title"])  # no batch in the name "2019年"
    years = [(x.sheet, x.normalised, x.rows) for x in rep.fixes if x.message.startswith("no year column")]
    assert years == [("2019年", "2019", (2, 3)), ("2020年第二批", "2020", (2, 3))]


def test_no_identifier_and_no_unique_serial_gives_stable_ids_with_a_warning(tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.title = "明细"
    ws.append(HEADER)
    ws.append(grant(1))
    ws.append(grant(1, town="北滘"))  # 序号 repeated
    path = tmp_path / "noid.xlsx"
    wb.save(path)
    rep = validate_ledger(path, provenance="official")
    assert rep.ok and rep.frame["identifier"].tolist() == ["noid-明细-R2", "noid-明细-R3"]
    [w] = [w for w in rep.warnings if w.column == "Identifier"]
    assert w.row == 1 and w.sheet == "明细"
    assert w.message.startswith("no identifier column (序号 is not unique or has blanks); stable identifiers")


def test_full_width_digits_and_formula_amounts(tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.append(["项目编号", "资助金额", "所属镇街", "年度", "计划"])
    ws.append(["Ａ１", "１２５，０００", "大良", "２０１９", "和美社区"])
    ws.append(["A2", "=10000*2", "大良", 2019, "和美社区"])  # cached below
    ws.append(["A3", "=10000*3", "大良", 2019, "和美社区"])  # no cached value
    path = tmp_path / "fw.xlsx"
    wb.save(path)
    set_cached(path, {"B3": "20000"})
    rep = validate_ledger(path, provenance="official")
    assert errors(rep) == [("Sheet", 4, "资助金额", "=10000*3")]
    assert rep.errors[0].message.startswith("formula without a cached value")
    assert rep.frame[["identifier", "amount", "year"]].values.tolist() == [
        ["A1", 125000.0, 2019],
        ["A2", 20000.0, 2019],
    ]


def test_missing_provenance_is_reported_with_every_other_error(tmp_path):
    path = tmp_path / "giving.csv"
    rows = [
        "Identifier,Title,Amount Awarded,Award Date,town_code,programme,year",
        "G1,ok,1000,2020-05-01,440606005,众创共善,2020",
        "G2,neg,-5,2020-05-01,440606005,众创共善,2020",
        "G3,dup,1000,2020-05-01,440606005,众创共善,2020",
        "G3,dup,1000,2020-05-01,440606005,众创共善,2020",
        "G5,town,1000,2020-05-01,440699999,众创共善,2020",
        "G6,early,1000,2016-05-01,440606005,和美社区,2016",
        "G7,prog,1000,2020-05-01,440606005,乐善计划,2020",
    ]
    path.write_text("\n".join(rows) + "\n", "utf-8")
    rep = validate_ledger(path)
    assert [(e.row, e.column) for e in rep.errors] == [
        (1, "provenance"),
        (3, "Amount Awarded"),
        (4, "Identifier"),
        (6, "town_code"),
        (7, "year"),
        (8, "programme"),
    ]
    assert rep.frame.empty  # nothing is accepted without a provenance


@pytest.mark.parametrize("text", ["单位：万元", "单位:万元", "金额单位：万元"])
def test_unit_row_spellings(tmp_path, text):
    wb = Workbook()
    ws = wb.active
    ws.append([None, text])
    ws.append(["项目编号", "资助金额", "所属镇街", "年度", "计划"])
    ws.append(["A1", 3, "大良", 2019, "和美社区"])
    path = tmp_path / "u.xlsx"
    wb.save(path)
    rep = validate_ledger(path, provenance="official")
    assert rep.ok and rep.frame["amount"].tolist() == [30_000.0] and rep.errors == []
    [fix] = [f for f in rep.fixes if f.message == "amount unit 万元 declared above the header"]
    assert (fix.column, fix.original, fix.normalised, fix.rows) == ("资助金额", text, "万元", (1,))

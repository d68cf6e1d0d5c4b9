"""Loader / validator: encodings, headers, places, amounts, rejections and row/column reporting."""

import csv
import hashlib
import io
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shunde_workbook.data import FRAME_COLUMNS, LedgerError, load_ledger, parse_amount, validate_ledger

CN_HEADER = ["项目编号", "项目名称", "资助金额", "所属镇街", "村(社区)", "年度", "计划", "领域", "申报机构", "数据来源"]


def write_csv(path: Path, rows, header=CN_HEADER, encoding="utf-8") -> Path:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    w.writerows(rows)
    path.write_bytes(buf.getvalue().encode(encoding))
    return path


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def row(
    ident="T1",
    amount="10",
    town="大良街道",
    village="",
    year="2020",
    programme="众创共善",
    field="基层治理创新",
    org="测试机构",
    prov="simulated",
):
    return [ident, "测试项目", amount, town, village, year, programme, field, org, prov]


# --------------------------------------------------------------------------- the messy fixture, one run

MESSY = [
    # spreadsheet row 2..9 (header is row 1); amounts in 万元 via unit=
    ["T001", "长者探访", "12.5", "容奇", "东风", "2019", "和美", "社区照顾", "测试机构甲", "模拟"],  # 2 ok: alias 容奇
    ["T002", "议事会", "8", "北滘", "", "2020", "众创共善", "基层治理创新", "测试机构乙", "模拟"],  # 3 ok: no suffix
    ["T003", "探访", "-3", "大良街道", "", "2021", "众创", "'五社联动'及社会服务", "测试机构丙", "模拟"],  # 4 negative
    ["T004", "助学", "5", "勒流街道", "东风", "2019", "和美社区", "教育发展", "测试机构丁", "模拟"],  # 5 dup id
    ["T004", "助学2", "6", "陈村镇", "", "2019", "和美社区", "教育发展", "测试机构戊", "模拟"],  # 6 dup id
    ["T006", "x", "4", "新会", "", "2020", "众创共善", "基层治理创新", "测试机构己", "模拟"],  # 7 unknown town
    ["T007", "x", "10", "均安", "", "2016", "和美", "教育发展", "测试机构庚", "模拟"],  # 8 和美 in 2016
    ["T008", "x", "20", "桂洲镇", "", "2022", "众创共善", "同行善·慈善服务", "测试机构辛", "模拟"],  # 9 ok
]


@pytest.fixture
def messy(tmp_path) -> Path:
    return write_csv(tmp_path / "messy_gbk.csv", MESSY, encoding="gbk")


def test_messy_gbk_file_all_problems_in_one_run(messy):
    before = sha(messy)
    report = validate_ledger(messy, unit="万元")
    assert sha(messy) == before  # raw file never modified
    assert report.encoding == "gb18030"
    assert not report.ok
    got = sorted((e.row, e.column) for e in report.errors)
    assert got == [(4, "资助金额"), (5, "项目编号"), (7, "所属镇街"), (8, "年度")]
    by_row = {e.row: e for e in report.errors}
    assert by_row[4].value == "-3"
    assert by_row[7].value == "新会"
    assert by_row[8].value == "2016" and by_row[8].suggestion is None  # explained, not moved into 和美社区's life
    dup = [e for e in report.errors if e.column == "项目编号"]
    assert dup[0].message.startswith("duplicate Identifier on 2 rows: 5, 6;")  # one line per group
    # the fixable rows are accepted and normalised
    f = report.frame.set_index("identifier")
    assert sorted(f.index) == ["T001", "T002", "T008"]
    assert f.loc["T001", ["town_code", "village_code", "programme"]].tolist() == [
        "440606006",
        "440606006006",
        "和美社区",
    ]
    assert f.loc["T001", "amount"] == 125_000.0
    assert f.loc["T002", ["town_code", "amount"]].tolist() == ["440606102", 80_000.0]
    assert f.loc["T008", ["town_code", "field", "amount"]].tolist() == ["440606006", "同行善·慈善服务", 200_000.0]
    assert (report.frame["provenance"] == "simulated").all()
    fixes = " ".join(x.format() for x in report.fixes)
    assert "'容奇' → '容桂街道" in fixes and "万元" in fixes
    # a LedgerError carries the same complete list
    with pytest.raises(LedgerError) as exc:
        load_ledger(messy, unit="万元")
    assert len(exc.value.report.errors) == 4
    assert f"{messy}:7: column '所属镇街': bad value '新会'" in str(exc.value)


# --------------------------------------------------------------------------- one case at a time


def _errors(tmp_path, rows, **kw):
    rep = validate_ledger(write_csv(tmp_path / "one.csv", rows), **kw)
    return rep, [(e.row, e.column, e.value) for e in rep.errors]


def test_alias_town_only(tmp_path):
    rep, errs = _errors(tmp_path, [row(town="容奇")])
    assert errs == [] and rep.frame["town_code"].tolist() == ["440606006"]


def test_town_without_suffix(tmp_path):
    rep, errs = _errors(tmp_path, [row(town="杏坛"), row("T2", town="龙江镇")])
    assert errs == [] and rep.frame["town_code"].tolist() == ["440606105", "440606104"]


def test_negative_amount(tmp_path):
    rep, errs = _errors(tmp_path, [row(), row("T2", amount="-500")])
    assert errs == [(3, "资助金额", "-500")] and rep.errors[0].suggestion == "500"
    assert rep.frame["identifier"].tolist() == ["T1"]


def test_zero_amount(tmp_path):
    assert _errors(tmp_path, [row(amount="0")])[1] == [(2, "资助金额", "0")]


def test_duplicate_identifier(tmp_path):
    rep, errs = _errors(tmp_path, [row("A"), row("B"), row("A")])
    assert errs == [(2, "项目编号", "A")] and "on 2 rows: 2, 4;" in rep.errors[0].message
    assert rep.frame["identifier"].tolist() == ["B"]


def test_unknown_town_with_suggestion(tmp_path):
    rep, errs = _errors(tmp_path, [row(town="容贵街道")])
    assert errs == [(2, "所属镇街", "容贵街道")] and rep.errors[0].suggestion == "容桂街道"


def test_year_before_programme(tmp_path):
    rep, errs = _errors(
        tmp_path,
        [
            row(year="2016", programme="和美社区", field="教育发展"),
            row("T2", year="2016", programme="众创共善", field="公益综合"),
            row("T3", year="2017", programme="众创共善", field="公益综合"),
            row("T4", year="2017", programme="和美社区", field="教育发展"),
        ],
    )
    assert [(r, c) for r, c, _ in errs] == [(2, "年度"), (3, "年度"), (5, "年度")]
    assert rep.frame["identifier"].tolist() == ["T3"]


def test_unknown_programme_and_alias(tmp_path):
    rep, errs = _errors(tmp_path, [row(programme="众创"), row("T2", programme="和美社"), row("T3", programme="乐善")])
    assert [(r, c) for r, c, _ in errs] == [(3, "计划"), (4, "计划")]
    assert rep.errors[0].suggestion == "和美社区"
    assert rep.frame["programme"].tolist() == ["众创共善"]


def test_unknown_field_suggests_closest_for_that_year(tmp_path):
    rep, errs = _errors(
        tmp_path,
        [
            row(field="社区照", programme="和美社区", year="2019"),
            row("T2", field="行业发展", programme="和美社区", year="2018"),
            row("T3", field="社区营造", programme="和美社区", year="2019"),
        ],
    )
    assert [(r, c) for r, c, _ in errs] == [(2, "领域"), (4, "领域")]
    assert rep.errors[0].suggestion == "社区照顾"
    assert "2023" in rep.errors[1].message  # 社区营造 is a 2023 field
    assert rep.frame["field"].tolist() == ["行业支持"]  # alias fixed


def test_village_resolved_within_town_and_ambiguity(tmp_path):
    rows = [
        row("T1", town="勒流", village="东风"),
        row("T2", town="容桂", village="东风"),
        row("T3", town="", village="东风"),
        row("T4", town="伦教", village="南华"),
        row("T5", town="", village="常教"),
    ]
    rep, errs = _errors(tmp_path, rows)
    assert [(r, c) for r, c, _ in errs] == [(4, "村(社区)"), (5, "村(社区)")]
    assert "more than one town" in rep.errors[0].message
    assert "杏坛镇" in rep.errors[1].message or "大良街道" in rep.errors[1].message  # named, not "did you mean"
    assert rep.errors[1].suggestion is None and "correct the town" in rep.errors[1].message
    f = rep.frame.set_index("identifier")
    assert f.loc["T1", "village_code"] == "440606004204" and f.loc["T2", "village_code"] == "440606006006"
    assert f.loc["T5", "town_code"] == "440606003"  # town taken from a unique village


def test_ambiguous_amounts_rejected(tmp_path):
    rep, errs = _errors(
        tmp_path,
        [
            row("T1", amount="12.5/13"),
            row("T2", amount="约10万"),
            row("T3", amount=""),
            row("T4", amount="十万"),
            row("T5", amount="12.5万"),
        ],
    )
    assert [(r, v) for r, _, v in errs] == [(2, "12.5/13"), (3, "约10万"), (4, ""), (5, "十万"), (6, "12.5万")]
    assert "several amounts" in rep.errors[0].message and "approximate" in rep.errors[1].message
    assert "empty" in rep.errors[2].message
    # '12.5万' in a column of 元 (no unit declared) is not rescaled silently: an error with the amount in 元
    assert "says 万" in rep.errors[4].message and rep.errors[4].suggestion == "125000"
    assert rep.frame.empty


def test_header_unit_and_conflicting_unit(tmp_path):
    header = [h if h != "资助金额" else "资助金额（万元）" for h in CN_HEADER]
    path = write_csv(tmp_path / "u.csv", [row(amount="3")], header=header)
    assert load_ledger(path)["amount"].tolist() == [30_000.0]
    rep = validate_ledger(path, unit="元")
    assert not rep.ok and rep.errors[0].row == 1


def test_small_amounts_warn_about_unit(tmp_path):
    rep = validate_ledger(write_csv(tmp_path / "s.csv", [row(amount="12"), row("T2", amount="8")]))
    assert rep.ok and any("万元" in w.message for w in rep.warnings)


def test_missing_required_columns_and_provenance(tmp_path):
    path = write_csv(tmp_path / "m.csv", [["T1", "5000", "2020"]], header=["编号", "金额", "年度"])
    rep = validate_ledger(path)
    said = [str(e.message) for e in rep.errors]
    assert any(m.startswith("no programme column") for m in said)
    assert any(m.startswith("required column 'provenance' is missing") for m in said)
    assert all(e.row == 1 and e.column in ("", "provenance") for e in rep.errors)  # columns, not cells
    assert not any("bad value" in e.format() for e in rep.errors)


def test_provenance_from_caller(tmp_path):
    header = CN_HEADER[:-1]
    path = write_csv(tmp_path / "p.csv", [row()[:-1]], header=header)
    assert not validate_ledger(path).ok
    df = load_ledger(path, provenance="official")
    assert df["provenance"].tolist() == ["official"]


def test_unknown_header_is_a_warning_with_suggestion(tmp_path):
    header = CN_HEADER + ["资助金", "备注"]
    rep = validate_ledger(write_csv(tmp_path / "h.csv", [row() + ["x", "y"]], header=header))
    assert rep.ok
    [line] = [str(w.message) for w in rep.warnings if "not used" in w.message]  # listed once, in one line
    assert line.startswith("2 column(s) not used") and "资助金 (→ 资助金额?)" in line and "| 备注." in line


def test_row_numbers_count_blank_lines(tmp_path):
    path = write_csv(tmp_path / "b.csv", [row("T1"), ["", "", "", "", "", "", "", "", "", ""], row("T3", amount="x")])
    text = path.read_text(encoding="utf-8").replace("\n,,,,,,,,,\n", "\n\n")
    path.write_text(text, encoding="utf-8")
    rep = validate_ledger(path)
    assert [(e.row, e.column) for e in rep.errors] == [(4, "资助金额")]


def test_english_360giving_headers_and_dates(tmp_path):
    header = ["Identifier", "Amount Awarded", "Award Date", "programme", "town_code", "provenance"]
    path = write_csv(
        tmp_path / "e.csv",
        [
            ["G1", "1,200元", "2019年3月5日", "和美社区", "440606005", "published"],
            ["G2", "￥3,000", "2020-04-01", "众创共善", "440606005", "published"],
        ],
        header=header,
    )
    df = load_ledger(path)
    assert df["amount"].tolist() == [1200.0, 3000.0]
    assert df["year"].tolist() == [2019, 2020]  # from Award Date
    assert df["award_date"].dt.strftime("%Y-%m-%d").tolist() == ["2019-03-05", "2020-04-01"]
    assert list(df.columns) == FRAME_COLUMNS
    assert df["funder"].tolist() == ["广东省德胜社区慈善基金会", "佛山市顺德区社会创新中心"]


# --------------------------------------------------------------------------- encodings and xlsx


def test_utf8_bom(tmp_path):
    path = write_csv(tmp_path / "bom.csv", [row()], encoding="utf-8-sig")
    assert path.read_bytes()[:3] == b"\xef\xbb\xbf"
    rep = validate_ledger(path)
    assert rep.ok and rep.encoding == "utf-8-sig (BOM)" and rep.header_map["identifier"] == "项目编号"


def test_gb18030(tmp_path):
    path = write_csv(tmp_path / "gb.csv", [row(org="测试机构𠀀")], encoding="gb18030")
    rep = validate_ledger(path)
    assert rep.ok and rep.encoding == "gb18030" and rep.frame["recipient_name"].iloc[0] == "测试机构𠀀"


def test_xlsx(tmp_path):
    path = tmp_path / "ledger.xlsx"
    pd.DataFrame(
        [
            ["X1", "项目", 12.5, "容奇", "东风", 2019, "和美", "社区照顾", "机构", "模拟"],
            ["X2", "项目", 3, "北滘", "", 2020, "众创共善", "基层治理创新", "机构", "模拟"],
            ["X2", "项目", 3, "北滘", "", 2020, "众创共善", "基层治理创新", "机构", "模拟"],
        ],
        columns=CN_HEADER,
    ).to_excel(path, index=False)
    before = sha(path)
    rep = validate_ledger(path, unit="万元")
    assert sha(path) == before
    assert rep.encoding == "xlsx"
    assert [(e.row, e.column) for e in rep.errors] == [(3, "项目编号")]
    assert rep.frame["amount"].tolist() == [125_000.0] and rep.frame["year"].tolist() == [2019]


# --------------------------------------------------------------------------- amount parsing


@pytest.mark.parametrize(
    "text, unit, expected",
    [
        ("12.5万", None, 125_000),
        ("1,200元", None, 1_200),
        ("1.2万元", None, 12_000),
        ("￥3,000", None, 3_000),
        ("¥3000", None, 3_000),
        ("3", "万元", 30_000),
        ("3", "元", 3),
        ("3元", "万元", 3),
        ("12,345,678", None, 12_345_678),
        ("１２万", None, 120_000),
        (" 800 ", None, 800),
    ],
)
def test_parse_amount_known_answers(text, unit, expected):
    assert parse_amount(text, unit) == expected


@pytest.mark.parametrize("text", ["12.5/13", "约10万", "", "10万左右", "10-12万", "abc", "-5", "0", "1,2,3"])
def test_parse_amount_rejects(text):
    with pytest.raises(ValueError):
        parse_amount(text)


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=1, max_value=500_000_000))
def test_parse_amount_roundtrips_formatted_integers(n):
    assert parse_amount(f"{n:,}元") == n
    assert parse_amount(f"￥{n:,}") == n
    assert parse_amount(f"{n / 10000}万") == pytest.approx(n, abs=0.01)


# --------------------------------------------------------------------------- step functions on their own


def sheet_of(rows, header):
    """A Sheet with mapped headers, as validate_ledger builds it before the column checks."""
    from shunde_workbook.data.ledger.reading import map_headers
    from shunde_workbook.data.ledger.sheet import Sheet

    sheet = Sheet.from_table("t.csv", pd.DataFrame([header] + rows, dtype=object), None, None)
    sheet.roles = map_headers(sheet.headers, sheet.body, sheet.issues)
    return sheet


def test_sheet_drops_blank_rows_but_keeps_spreadsheet_row_numbers():
    sheet = sheet_of([["A", "1"], ["", ""], ["B", "2"]], ["项目编号", "资助金额"])
    assert sheet.rownum.tolist() == [2, 4]
    assert sheet.get("identifier").tolist() == ["A", "B"]
    assert sheet.get("town") is None and not sheet.has("town")


def test_map_headers_roles_units_and_problems():
    sheet = sheet_of([["A", "1", "x", "y", "B"]], ["项目编号", "资助金额（万元）", "Amout", "", "编号"])
    roles = sheet.roles
    assert roles.column == {"identifier": 0, "amount": 1}
    assert roles.unit == {"amount": "万元"}
    assert roles.names == {"identifier": "项目编号", "amount": "资助金额（万元）"}
    assert [(e.column, e.message) for e in sheet.issues.errors] == [
        ("编号", "second column for 'Identifier' (first: '项目编号')")
    ]
    assert [w.column for w in sheet.issues.warnings] == ["(column 4)", ""]
    assert "Amout" in sheet.issues.warnings[1].message


def test_check_places_from_location_columns_only():
    from shunde_workbook.data.ledger.place_columns import check_places

    sheet = sheet_of(
        [["容桂街道东风社区", ""], ["大良", ""], ["乱写镇", ""], ["", "440606006006"]], ["服务地点", "区划代码"]
    )
    check_places(sheet)
    # town from the leading town name, a short name, nothing, and the town part of a 12-digit code
    assert sheet.out["town_code"].tolist()[:2] == ["440606006", "440606005"]
    assert pd.isna(sheet.out["town_code"].iloc[2])
    assert sheet.out.loc[5, ["town_code", "village_code"]].tolist() == ["440606006", "440606006006"]
    [(row, column, message)] = [(e.row, e.column, e.message) for e in sheet.issues.errors]
    assert (row, column) == (4, "服务地点") and message.startswith("outside Shunde")
    assert sorted(o for f in sheet.issues.fixes for _, o, _ in f.examples) == ["大良", "容桂街道东风社区"]

"""Ledgers from other funders, read in one pass: a 360Giving flat CSV in GBP, a two-row header, Chinese headers with
prefixes, units and Traditional characters, and a file missing programme, year and amount.

Each fixture is built here.  Every run must report the column problems and the row problems together; no
suggestion may change a currency or move a year into a programme's life; fixes of one kind are one line.
"""

import csv
import io

import pytest
from openpyxl import Workbook

from shunde_workbook.cli import main
from shunde_workbook.data import validate_ledger
from shunde_workbook.data.ledger.headers import recognise


def validate_main(argv):
    """``shunde-workbook validate ARGV…`` as a function."""
    return main(["validate", *argv])


# The 360Giving Standard's flat template, schema/summary-table/360-giving-schema-titles.csv/grants.csv
# (github.com/ThreeSixtyGiving/standard), copied here so the fixture does not depend on the package's copy.
GIVING360 = (
    "Identifier,Title,Description,Currency,Amount Applied For,Amount Awarded,Amount Disbursed,Award Date,URL,"
    "Planned Dates:Start Date,Planned Dates:End Date,Planned Dates:Duration (months),Recipient Org:Identifier,"
    "Recipient Org:Name,Recipient Org:Charity Number,Recipient Org:Company Number,Recipient Org:Street Address,"
    "Recipient Org:City,Recipient Org:Country,Recipient Org:Postal Code,Recipient Org:Description,"
    "Recipient Org:Web Address,Beneficiary Location:Name,Beneficiary Location:Country Code,"
    "Beneficiary Location:Latitude,Beneficiary Location:Longitude,Beneficiary Location:Geographic Code,"
    "Beneficiary Location:Geographic Code Type,Funding Org:Identifier,Funding Org:Name,Funding Org:Department,"
    "Grant Programme:Code,Grant Programme:Title,Grant Programme:URL,From an open call?,Related Activity,"
    "Last modified,Data Source"
).split(",")


def giving360_csv(path, n=30, extra=("WebAddress", "Internal notes")):
    """A 360Giving flat CSV in GBP: every standard column, two non-standard ones, amounts like '6,950.09'."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(GIVING360 + list(extra))
    places = ["Warwickshire", "Coventry", "Warwickshire"]
    for k in range(n):
        row = {h: "" for h in GIVING360}
        row.update(
            {
                "Identifier": f"360G-TEST-{k:04d}",
                "Title": f"Grant {k}",
                "Currency": "GBP",
                "Amount Awarded": f"{1000 + 5950.09 * (k + 1):,.2f}",
                "Amount Applied For": "10,000.00",
                "Award Date": f"2019-0{1 + k % 9}-15",
                "Recipient Org:Identifier": f"GB-CHC-{100000 + k}",
                "Recipient Org:Name": f"Charity {k}",
                "Recipient Org:Charity Number": str(100000 + k),
                "Beneficiary Location:Name": places[k % 3],
                "Funding Org:Identifier": "GB-CHC-999999",
                "Funding Org:Name": "A Test Trust",
                "Last modified": "2020-01-01T00:00:00+00:00",
                "Data Source": "https://example.org/grants",
            }
        )
        w.writerow([row[h] for h in GIVING360] + [f"x{k}"] * len(extra))
    path.write_text(buf.getvalue(), encoding="utf-8")
    return path


def messages(rep, kind="errors"):
    return [str(i.message) for i in getattr(rep, kind)]


def assert_no_suggestion_changes_a_record(rep):
    """No "did you mean" turns a currency into CNY or a year into one of a programme's years."""
    for issue in rep.errors + rep.warnings:
        if issue.suggestion is None:
            continue
        assert issue.suggestion.upper() not in ("CNY", "RMB", "元"), issue
        assert not (issue.suggestion.isdigit() and len(issue.suggestion) == 4), issue


def test_360giving_csv_one_pass_columns_and_rows(tmp_path):
    rep = validate_ledger(giving360_csv(tmp_path / "grants360.csv"))
    errors, warnings = messages(rep), messages(rep, "warnings")
    # column problems: programme missing (the place comes from Beneficiary Location:Name, the year from Award Date)
    assert any(m.startswith("no programme column") for m in errors)
    # row problems in the same run: the currency, places outside Shunde (once per distinct value, with a count)
    [gbp] = [i for i in rep.errors if "GBP" in str(i.message)]
    assert "30 row(s)" in str(gbp.message) and "converts nothing" in str(gbp.message)
    assert gbp.suggestion is None  # never "did you mean 'CNY'"
    outside = [i for i in rep.errors if "outside Shunde" in str(i.message)]
    assert sorted(i.value for i in outside) == ["Coventry", "Warwickshire"]
    assert "(20 row(s)" in str(next(i.message for i in outside if i.value == "Warwickshire"))
    assert all(i.suggestion is None for i in outside)  # no 'Warwickshire → Chencun'
    # the standard's columns are known: none is called unknown; the two others are listed once, in one line
    [unknown] = [w for w in warnings if "not used" in w]
    assert "WebAddress" in unknown and "Internal notes" in unknown
    assert not any(h in unknown for h in ("Last modified", "Funding Org:Identifier", "Amount Applied For"))
    assert "Recipient Org:Charity Number" in " ".join(rep.column_lines())
    # grouped fixes: one line for the thousands separators of the amount column
    thousands = [f for f in rep.fixes if f.message.key == "amount.thousands"]
    assert len(thousands) == 1 and len(thousands[0].rows) == 30
    assert "30 row(s), e.g. row 2 '6,950.09' → '6950.09'" in thousands[0].format()
    assert rep.n_accepted == 0
    assert_no_suggestion_changes_a_record(rep)


def test_360giving_rate_with_source_converts(tmp_path):
    path = giving360_csv(tmp_path / "g.csv", n=3, extra=())
    rep = validate_ledger(path, rates={"GBP": 9.0}, rate_source="test rate", mapping=None, provenance="official")
    assert not any("GBP" in m for m in messages(rep))
    [conv] = [f for f in rep.fixes if f.message.key == "currency.converted"]
    assert "test rate" in str(conv.message)
    no_source = validate_ledger(path, rates={"GBP": 9.0})  # a rate without its source is refused
    assert [e.message.key for e in no_source.errors] == ["arg.bad"]


def test_no_currency_and_english_headers_warns(tmp_path):
    path = tmp_path / "en.csv"
    path.write_text(
        "Identifier,Amount Awarded,Award Date,town,programme,provenance\n"
        'A1,"1,000.00",2019-05-01,Daliang,和美社区,official\n',
        "utf-8",
    )
    rep = validate_ledger(path)
    assert any("no currency is given" in m for m in messages(rep, "warnings"))


def two_row_header_book(path, rows=6, header=None, row=None):
    wb = Workbook()
    ws = wb.active
    ws.append(["Grant register 2019"])
    header = header or ["Reference", "Recipient", "Amount Awarded", "Period", None, "programme", "year", "town"]
    ws.append([*header, "provenance"])
    ws.append([None, None, None, "From", "To", None, None, None, None])
    ws.merge_cells("D2:E2")
    for c in "ABCFGHI":
        ws.merge_cells(f"{c}2:{c}3")
    for k in range(rows):
        cells = row(k) if row else [20000 + k, "2019-01-01", "2019-12-31", "众创共善", 2019, "大良"]
        ws.append([f"R{k}", f"Org {k}", *cells, "official"])
    wb.save(path)
    return path


def test_two_row_header_counts_rows_and_says_which_rows(tmp_path):
    rep = validate_ledger(two_row_header_book(tmp_path / "two.xlsx"))
    assert rep.n_rows == 6 and rep.ok, rep.format()
    lines = rep.column_lines()
    assert any("header read from rows 2–3 (a group header over sub-headers) of sheet 'Sheet'" in x for x in lines)
    assert "Period From" in rep.format() or "Period From" in " ".join(lines)


def test_two_row_header_with_column_and_row_problems(tmp_path):
    """A UK-style register: amounts in GBP (in the header), no programme, places outside Shunde, an early year."""
    header = ["Reference", "Recipient", "Amount (GBP)", "Period", None, "Fund", "year", "Town"]

    def row(k):
        return [f"{1000 * (k + 1):,}.00", "01/04/2019", "31/03/2020", "Community", 2015, "Abbey" if k % 2 else "大良"]

    rep = validate_ledger(two_row_header_book(tmp_path / "register.xlsx", 6, header, row))
    assert rep.n_rows == 6
    assert any("header read from rows 2–3" in x for x in rep.column_lines())
    assert rep.sheets == ["'Sheet' read: header on row 2–3, 6 data row(s)"]
    assert rep.roles[0]["identifier"] == "Reference"
    errors = messages(rep)
    assert any(m.startswith("no programme column") for m in errors)  # a column problem
    [gbp] = [i for i in rep.errors if i.value == "GBP"]  # row problems, in the same run
    assert "(6 row(s)" in gbp.message and gbp.column == "Amount (GBP)"
    [abbey] = [i for i in rep.errors if i.value == "Abbey"]
    assert "outside Shunde" in abbey.message and "(3 row(s)" in abbey.message
    assert any("Fund" in w and "not used" in w for w in messages(rep, "warnings"))
    [fix] = [f for f in rep.fixes if f.message.key == "amount.thousands"]  # one line, six rows
    assert len(fix.rows) == 6
    assert_no_suggestion_changes_a_record(rep)


def chinese_book(path):
    wb = Workbook()
    ws = wb.active
    ws.append(["序号", "镇街", "示范村名称", "示范村类型", "提前下达金额(万元)", "項目名稱", "年度"])
    ws.append([1, "伦教", "荔村", "示范村", 30, "村道改造", 2021])
    ws.append([2, "倫教", "仕版", "示范村", 12.5, "文化室", 2021])
    ws.append([3, "五桂山街道", "长命水", "示范村", 20, "公园", 2021])
    ws.append([4, "五桂山街道", "南桥", "示范村", 20, "公园", 2021])
    wb.save(path)
    return path


def test_chinese_headers_with_prefix_unit_and_traditional(tmp_path):
    rep = validate_ledger(chinese_book(tmp_path / "village_fund.xlsx"), provenance="official")
    roles = rep.roles[0]
    assert roles["amount"] == "提前下达金额(万元)" and roles["village"] == "示范村名称" and roles["title"] == "項目名稱"
    lines = " ".join(rep.column_lines())
    assert "'提前下达金额(万元)' read as the amount (Amount Awarded), in 万元" in lines and "guessed" in lines
    errors = messages(rep)
    assert any(m.startswith("no programme column") for m in errors)  # a column problem …
    [outside] = [i for i in rep.errors if "outside Shunde" in str(i.message)]  # … and a row problem, one line
    assert outside.value == "五桂山街道" and "(2 row(s): 4, 5)" in str(outside.message)
    assert rep.frame.empty and rep.n_rows == 4
    assert [f.message.key for f in rep.fixes].count("town.normalised") == 1  # 伦教 and 倫教: one line
    assert_no_suggestion_changes_a_record(rep)


@pytest.mark.parametrize(
    "header, role, unit",
    [
        ("提前下达金额(万元)", "amount", "万元"),
        ("核定资助金额（元）", "amount", "元"),
        ("資助金額", "amount", None),
        ("资助金额(万元)", "amount", "万元"),
        ("村居", "village", None),
        ("村名", "village", None),
        ("示范村名称", "village", None),
        ("所属村（社区）", "village", None),
        ("申请金额", None, None),  # the amount applied for is not the amount awarded
        ("Date the grant was awarded", None, None),
        ("项目开始日期", None, None),
    ],
)
def test_header_readings(header, role, unit):
    found = recognise(header)
    assert (found.role, found.unit) == (role, unit)


def test_currency_in_header_is_read():
    assert recognise("Amount (GBP)").currency == "GBP" and recognise("Amount (GBP)").role == "amount"
    assert recognise("金额（英镑）").currency == "GBP"


def missing_columns_csv(path):
    path.write_text(
        "项目编号,项目名称,所属镇街\nA1,甲,大良\nA1,乙,天河街道\nA3,丙,天河街道\nA4,丁,容贵\n",
        "utf-8",
    )
    return path


def test_missing_programme_year_amount_still_checks_rows(tmp_path):
    rep = validate_ledger(missing_columns_csv(tmp_path / "m.csv"), provenance="official")
    errors = messages(rep)
    for start in ("no amount column", "no programme column", "no year column"):
        assert any(m.startswith(start) for m in errors), start
    assert any("duplicate Identifier" in m for m in errors)  # identifiers checked
    [tianhe] = [i for i in rep.errors if i.value == "天河街道"]
    assert "outside Shunde" in str(tianhe.message) and tianhe.suggestion is None  # not 容桂街道
    [near] = [i for i in rep.errors if i.value == "容贵"]
    assert near.suggestion == "容桂街道"
    # a problem with no cell says what to add or how to map it, in both languages
    missing = next(i for i in rep.errors if str(i.message).startswith("no amount column"))
    assert "--map" in missing.format("en") and "--map" in missing.format("zh") and "bad value" not in missing.format()
    assert rep.n_accepted == 0
    assert_no_suggestion_changes_a_record(rep)


def test_year_before_programme_is_explained_not_moved(tmp_path):
    path = tmp_path / "early.csv"
    path.write_text("项目编号,资助金额,所属镇街,年度,计划,数据来源\nH1,50000,大良,2015,和美社区,official\n", "utf-8")
    [issue] = validate_ledger(path).errors
    assert issue.suggestion is None
    assert str(issue.message) == "和美社区 started in 2018; a 2015 row belongs to another programme or has a wrong year"


def test_wan_in_yuan_column_is_an_error_with_a_fix_that_validates(tmp_path):
    path = tmp_path / "wan.csv"
    head = "项目编号,资助金额（元）,所属镇街,年度,计划,数据来源\n"
    path.write_text(head + "H1,12.5万,大良,2019,和美社区,official\n", "utf-8")
    [issue] = validate_ledger(path).errors
    assert "万" in str(issue.message) and issue.suggestion == "125000"
    path.write_text(head + f"H1,{issue.suggestion},大良,2019,和美社区,official\n", "utf-8")
    assert validate_ledger(path).ok
    ok = tmp_path / "wan_ok.csv"  # a column that says 万元 takes '12.5万' as it is
    ok.write_text(head.replace("（元）", "（万元）") + "H1,12.5万,大良,2019,和美社区,official\n", "utf-8")
    rep = validate_ledger(ok)
    assert rep.ok and rep.frame["amount"].tolist() == [125000.0]


def test_cli_map_save_mapping_and_sidecar(tmp_path, capsys):
    path = chinese_book(tmp_path / "village_fund.xlsx")
    saved = tmp_path / "village_fund.mapping.yaml"
    argv = [str(path), "--map", "示范村类型=", "--fill", "programme=和美社区", "--provenance", "official"]
    assert validate_main([*argv, "--save-mapping", str(saved)]) == 1  # 五桂山街道 is outside Shunde
    first = capsys.readouterr().out
    assert "wrote the column mapping" in first and saved.is_file()
    text = saved.read_text("utf-8")
    assert "示范村类型: ''" in text and "programme: 和美社区" in text and "provenance: official" in text
    # the saved mapping sits beside the file: the same file validates the same way with no option at all
    assert validate_main([str(path)]) == 1
    again = capsys.readouterr().out
    summary = [x for x in first.splitlines() if "data row(s)" in x]
    assert summary == [x for x in again.splitlines() if "data row(s)" in x]
    assert "2 accepted" in summary[-1]
    assert "column mapping from" in again
    # --mapping FILE does the same for a file elsewhere
    other = tmp_path / "elsewhere" / "fund.xlsx"
    other.parent.mkdir()
    other.write_bytes(path.read_bytes())
    assert validate_main([str(other), "--mapping", str(saved)]) == 1
    assert "2 accepted" in capsys.readouterr().out


def test_map_right_hand_side_may_be_a_template_header(tmp_path):
    path = tmp_path / "odd.csv"
    path.write_text("编号,拨款数(万元),地方,年份,计划,数据来源\nA1,3,大良,2019,众创共善,official\n", "utf-8")
    rep = validate_ledger(path)
    assert any(m.startswith("no amount column") for m in messages(rep))
    from shunde_workbook.data.ledger.mapping import Mapping

    rep = validate_ledger(path, mapping=Mapping.parse(["拨款数(万元)=资助金额（万元）", "地方=所属镇街"]))
    assert rep.ok, rep.format()
    assert rep.frame["amount"].tolist() == [30000.0]


def test_out_passes_the_unused_360giving_columns_through(tmp_path):
    path = giving360_csv(tmp_path / "g.csv", n=4, extra=())
    text = path.read_text("utf-8").replace("Warwickshire", "Daliang").replace("Coventry", "Ronggui")
    path.write_text(text.replace(",GBP,", ",CNY,"), "utf-8")
    clean = tmp_path / "clean.csv"
    argv = [str(path), "--fill", "programme=众创共善", "--provenance", "official", "--out", str(clean)]
    assert validate_main(argv) == 0
    import pandas as pd

    written = pd.read_csv(clean, dtype=str, keep_default_na=False)
    assert written["Recipient Org:Charity Number"].tolist() == ["100000", "100001", "100002", "100003"]
    assert written["Last modified"].iloc[0] == "2020-01-01T00:00:00+00:00"
    assert "Amount Applied For" in written.columns and len(written) == 4


def test_every_village_suggestion_validates_when_followed(tmp_path):
    """Misspelt 村(社区) of 伦教 and 勒流: a suggestion, when given, validates in the same row (no chain of errors)."""
    from shunde_workbook.data.places import place_index

    idx = place_index()
    head = "项目编号,资助金额,所属镇街,村(社区),年度,计划,数据来源\n"
    towns = {"440606003": "伦教", "440606004": "勒流"}
    names = [(t, n) for c, n in idx.village_name.items() if (t := idx.village_town[c]) in towns]
    rows, k = [], 0
    for town, name in names:
        short = name.replace("社区居委会", "").replace("村委会", "")
        for typo in (short[:-1] + "乙", "常" + short[1:]):
            rows.append(f"V{k},50000,{towns[town]},{typo},2019,和美社区,official\n")
            k += 1
    rows.append(f"V{k},50000,勒流,常教,2019,和美社区,official\n")  # 常教 is a 伦教 社区: named, not suggested
    path = tmp_path / "v.csv"
    path.write_text(head + "".join(rows), "utf-8")
    rep = validate_ledger(path)
    suggested = [(i.row, i.suggestion) for i in rep.errors if i.column == "村(社区)" and i.suggestion]
    assert len(suggested) > 10
    lines = head.splitlines(keepends=True)[:1] + [rows[r - 2] for r, _ in suggested]
    for n, (_row, suggestion) in enumerate(suggested, start=1):
        cells = lines[n].rstrip("\n").split(",")
        cells[3] = suggestion
        lines[n] = ",".join(cells) + "\n"
    path.write_text("".join(lines), "utf-8")
    followed = validate_ledger(path)
    assert followed.ok, followed.format()
    [changjiao] = [i for i in rep.errors if i.value == "常教" and i.row == k + 2]
    assert changjiao.suggestion is None and "伦教街道" in changjiao.message


def village_fund_book(path, n=24):
    """A village-fund allocation list as published: no programme, no year, the amount in 提前下达金额(万元)."""
    from shunde_workbook.data.places import place_index

    idx = place_index()
    by_town: dict[str, list[str]] = {}
    for code, town in idx.village_town.items():
        by_town.setdefault(town, []).append(idx.village_name[code].replace("村委会", "").replace("社区居委会", ""))
    towns = sorted(by_town)
    wb = Workbook()
    ws = wb.active
    ws.append(["序号", "镇街", "示范村名称", "示范村类型", "提前下达金额(万元)", "项目名称"])
    for k in range(n):
        town = towns[k % len(towns)]
        ws.append([k + 1, idx.town_name[town], by_town[town][k // len(towns)], "示范村", 20 + k, f"项目{k}"])
    wb.save(path)
    return path


@pytest.mark.slow
def test_run_reads_a_mapped_ledger_without_rewriting_it(tmp_path, capsys):
    from helpers import cli

    path = village_fund_book(tmp_path / "village_fund.xlsx")
    before = path.read_bytes()
    argv = ["--fill", "programme=和美社区", "--fill", "year=2021", "--provenance", "official", "--map", "示范村类型="]
    saved = tmp_path / "village_fund.mapping.yaml"
    assert validate_main([str(path), *argv, "--save-mapping", str(saved)]) == 0, capsys.readouterr().out
    done = cli("run", "--only", "01_data_audit", "--set", f"ledger_path={path}", "--outputs", str(tmp_path / "o"))
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert path.read_bytes() == before  # the file itself is never rewritten


def test_the_worked_example_in_data_readme(capsys):
    """data/README.md 'Bringing your own ledger': the shipped example validates through the mapping beside it."""
    from shunde_workbook import paths

    example = paths.ROOT / "data" / "examples" / "village_fund_example.csv"
    rep = validate_ledger(example)
    assert rep.ok and rep.n_accepted == 24, rep.format()
    assert set(rep.frame["provenance"]) == {"simulated"} and set(rep.frame["programme"]) == {"和美社区"}
    assert rep.frame["title"].str.startswith("【示例】").all()  # invented rows say so
    assert validate_main([str(example), "--mapping", "/dev/null"]) == 1  # the first run, before the mapping
    first = capsys.readouterr().out
    assert "no programme column" in first and "no year column" in first and "header read from row 3" in first


def test_cli_rate_needs_its_source(tmp_path, capsys):
    path = giving360_csv(tmp_path / "g.csv", n=3, extra=())
    assert validate_main([str(path), "--rate", "GBP=9.1"]) == 1
    assert "an exchange rate needs its source" in capsys.readouterr().out
    argv = [str(path), "--rate", "GBP=9.1", "--rate-source", "a stated source", "--fill", "programme=众创共善"]
    validate_main(argv)
    out = capsys.readouterr().out
    assert "converted to 元 at 9.1 元 per GBP (source: a stated source)" in out and "amounts in GBP (" not in out


def test_an_edited_mapping_changes_the_ledger_hash(tmp_path):
    """The runner keys cached validations and unchanged reports by file_hash: a new mapping must show."""
    from shunde_workbook.data.cache import file_hash, ledger_cache_file

    path = chinese_book(tmp_path / "fund.xlsx")
    alone = file_hash(path)
    mapping = tmp_path / "fund.mapping.yaml"
    mapping.write_text("fill:\n  programme: 和美社区\n", "utf-8")
    mapped = file_hash(path)
    mapping.write_text("fill:\n  programme: 众创共善\n", "utf-8")
    assert len({alone, mapped, file_hash(path)}) == 3
    assert ledger_cache_file(path, tmp_path).name == f"ledger-{file_hash(path)[:24]}.pkl"

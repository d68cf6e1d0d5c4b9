"""Hostile and broken files: every read failure is one message (file, cause, what to do), never a traceback;
the work is bounded (far cells, duplicate groups, repeated messages); control and invisible characters."""

import subprocess
import sys
import textwrap
import time
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook

from shunde_workbook.data import LedgerError, load_ledger, validate_ledger
from shunde_workbook.data.ledger.report import MAX_PER_KIND

HEADER = "项目编号,资助金额,所属镇街,年度,计划,数据来源\n"
GOOD = "A1,1000,大良,2020,众创共善,official\n"
XLS_TODO = (
    "open it in Excel or WPS and save it as .xlsx (文件 → 另存为 → Excel 工作簿 *.xlsx), or export it as "
    "CSV UTF-8, then validate that file"
)


def only_error(path: Path) -> str:
    rep = validate_ledger(path)
    assert not rep.ok and len(rep.errors) == 1 and rep.frame.empty
    return rep.errors[0].format()


def test_elf_binary_renamed_csv(tmp_path):
    path = tmp_path / "ledger.csv"
    path.write_bytes(b"\x7fELF\x02\x01\x01\x00" + bytes(range(256)) * 4)
    assert only_error(path) == (
        f"{path}: cannot read the file: this is an executable program (ELF), not a table. What to do: export the "
        "ledger from Excel or WPS as .xlsx or CSV UTF-8 and validate that file"
    )


def test_other_binary_data(tmp_path):
    path = tmp_path / "ledger.csv"
    path.write_bytes(b"abc\x00\x01\x02def" * 50)
    assert "cannot read the file: this is binary data (it is full of control bytes such as NUL)" in only_error(path)


def test_damaged_old_xls_is_refused_with_how_to_convert(tmp_path):
    path = tmp_path / "ledger.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)  # an OLE header and nothing else
    message = only_error(path)
    assert message.startswith(f"{path}: cannot read the file: the .xls workbook is damaged or cannot be read (")
    assert message.endswith(f"). What to do: {XLS_TODO}")


def test_text_named_xlsx(tmp_path):
    path = tmp_path / "ledger.xlsx"
    path.write_text("项目编号,资助金额\n", encoding="utf-8")
    assert only_error(path) == (
        f"{path}: cannot read the file: named .xlsx but it is not an Excel workbook (not a zip archive). "
        "What to do: open it in Excel or WPS and save it as .xlsx, or export CSV UTF-8"
    )


def test_truncated_xlsx(tmp_path):
    whole = tmp_path / "whole.xlsx"
    wb = Workbook()
    for i in range(200):
        wb.active.append([f"A{i}", i * 1000, "大良", 2020, "众创共善", "official"])
    wb.save(whole)
    path = tmp_path / "cut.xlsx"
    path.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    assert only_error(path) == (
        f"{path}: cannot read the file: the .xlsx file is damaged or cut off (its zip directory is missing). "
        "What to do: copy or download the file again, or open it in Excel and save it again"
    )


def test_missing_file_and_folder(tmp_path):
    assert only_error(tmp_path / "nope.csv").endswith("no such file. What to do: check the path and the file name")
    assert "this is a folder, not a file" in only_error(tmp_path)


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le"])
def test_utf16_csv_is_read(tmp_path, codec):
    path = tmp_path / "u16.csv"
    path.write_bytes((HEADER + GOOD).encode(codec))
    rep = validate_ledger(path)
    assert rep.ok and rep.encoding == codec and rep.frame["identifier"].tolist() == ["A1"]


def test_row_with_an_extra_comma_is_one_error_and_the_others_are_checked(tmp_path):
    path = tmp_path / "extra.csv"
    path.write_text(HEADER + GOOD + "A2,1,200,大良,2020,众创共善,official\n" + GOOD.replace("A1", "A3"), "utf-8")
    rep = validate_ledger(path)
    assert [e.format() for e in rep.errors] == [
        f"{path}:3: this row has 7 cells but the header has 6 (a comma inside a value?). What to do: put the "
        'value in double quotes ("1,200") or remove the comma'
    ]
    assert rep.frame["identifier"].tolist() == ["A1", "A3"] and rep.n_rows == 3


def test_unbalanced_quote(tmp_path):
    path = tmp_path / "quote.csv"
    path.write_text(HEADER + GOOD + 'A2,"1000,大良,2020,众创共善,official\n' + GOOD.replace("A1", "A3"), "utf-8")
    rep = validate_ledger(path)
    assert [e.format() for e in rep.errors] == [
        f'{path}:3: unbalanced quote ("): a quoted cell starts on this line and never ends, so the rest of the file '
        'cannot be read. What to do: add the closing " or remove the stray one, e.g. by saving the file again from '
        "Excel"
    ]
    assert rep.frame["identifier"].tolist() == ["A1"]


def test_load_ledger_raises_ledger_error_for_a_bad_file(tmp_path):
    path = tmp_path / "x.csv"
    path.write_bytes(b"\x7fELF" + b"\x00" * 100)
    with pytest.raises(LedgerError, match="executable program"):
        load_ledger(path)


def test_bad_arguments_are_a_message_too(tmp_path):
    path = tmp_path / "ok.csv"
    path.write_text(HEADER + GOOD, "utf-8")
    rep = validate_ledger(path, provenance="guessed")
    assert not rep.ok and "bad argument" in rep.errors[0].message


FAR_CELL_SCRIPT = textwrap.dedent(
    """
    import resource, sys
    resource.setrlimit(resource.RLIMIT_AS, (2 * 1024**3, 2 * 1024**3))
    from shunde_workbook.data import validate_ledger
    rep = validate_ledger(sys.argv[1])
    print(len(rep.errors), rep.warnings[0].format() if rep.warnings else "")
    """
)


def test_far_cell_xlsx_under_2_gb_address_space(tmp_path):
    path = tmp_path / "far.xlsx"
    wb = Workbook()
    wb.active.append(["项目编号", "资助金额", "所属镇街", "年度", "计划", "数据来源"])
    wb.active.append(["A1", 1000, "大良", 2020, "众创共善", "official"])
    wb.active["XFD1048576"] = "x"
    wb.save(path)
    assert path.stat().st_size < 10_000
    done = subprocess.run(
        [sys.executable, "-c", FAR_CELL_SCRIPT, str(path)], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == f"0 {path}[Sheet]:1: cells beyond column BL ignored (e.g. XFD1048576)"


PEAK_SCRIPT = textwrap.dedent(
    """
    import re, sys
    from pathlib import Path
    from shunde_workbook.data import validate_ledger
    rep = validate_ledger(sys.argv[1])
    peak_kb = re.search(r"VmHWM:\\s+(\\d+)", Path("/proc/self/status").read_text()).group(1)  # this image only
    print(rep.n_accepted, len(rep.errors), int(peak_kb) // 1024)
    """
)


def test_xlsx_padded_with_whitespace_stays_small(tmp_path):
    src = tmp_path / "src.xlsx"
    wb = Workbook()
    wb.active.append(["项目编号", "资助金额", "所属镇街", "年度", "计划", "数据来源"])
    wb.active.append(["A1", 1000, "大良", 2020, "众创共善", "official"])
    wb.save(src)
    with zipfile.ZipFile(src) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    sheet = parts["xl/worksheets/sheet1.xml"].decode()
    parts["xl/worksheets/sheet1.xml"] = sheet.replace('<row r="2"', " " * (120 << 20) + '<row r="2"').encode()
    path = tmp_path / "padded.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for n, b in parts.items():
            z.writestr(n, b)
    assert path.stat().st_size < 300_000  # 120 MB of spaces unpacked
    done = subprocess.run([sys.executable, "-c", PEAK_SCRIPT, str(path)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    accepted, errors, peak_mb = map(int, done.stdout.split())
    assert (accepted, errors) == (1, 0)
    assert peak_mb < 300, f"peak RSS {peak_mb} MB"


def test_8000_rows_sharing_one_identifier(tmp_path):
    path = tmp_path / "dup.csv"
    path.write_text(HEADER + "".join(f"Z5,{1000 + i},大良,2020,众创共善,official\n" for i in range(8000)), "utf-8")
    start = time.perf_counter()
    rep = validate_ledger(path)
    text = rep.format()
    assert time.perf_counter() - start < 2.0
    assert len(text.encode()) < 20_000
    assert [(e.row, e.column, e.value) for e in rep.errors] == [(2, "项目编号", "Z5")]
    assert rep.errors[0].message == (
        "duplicate Identifier on 8000 rows: 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, … (7990 more); "
        "every one of them is left out"
    )
    assert rep.frame.empty


def test_identical_messages_are_capped_with_a_count(tmp_path):
    path = tmp_path / "town.csv"
    path.write_text(HEADER + "".join(f"A{i},1000,大良,2020,众创共善,officia{i}\n" for i in range(50)), "utf-8")
    rep = validate_ledger(path)
    prov = [e for e in rep.errors if e.column == "数据来源"]
    assert len(prov) == MAX_PER_KIND + 1
    assert [e.row for e in prov[:MAX_PER_KIND]] == list(range(2, 2 + MAX_PER_KIND))
    assert prov[-1].message == (
        f"{50 - MAX_PER_KIND} more row(s) with this problem not listed: "
        "unknown provenance (published | official | simulated)"
    )
    assert rep.n_accepted == 0
    # a place outside Shunde is one line however many rows carry it
    path.write_text(HEADER + "".join(f"A{i},1000,火星,2020,众创共善,official\n" for i in range(50)), "utf-8")
    [town] = validate_ledger(path).errors
    assert town.value == "火星" and "(50 row(s): 2, 3," in town.message and "outside Shunde" in town.message


def test_control_and_invisible_characters_are_fixes(tmp_path):
    path = tmp_path / "ctrl.csv"
    rows = [
        "Z5,1000,大良,2020,众创共善,official,机构\x00甲\n",
        "Z\u200b5,2000,大良,2020,众创共善,official,机构\x0b乙\n",
        "Z6,3000,大良,2020,众创共善,official,机构丙\n",
    ]
    path.write_text(HEADER.strip() + ",申报机构\n" + "".join(rows), "utf-8")
    rep = validate_ledger(path)
    # the zero-width space no longer hides a duplicate
    assert [(e.row, e.column, e.value) for e in rep.errors] == [(2, "项目编号", "Z5")]
    fixes = [(f.column, f.original, f.normalised, f.rows) for f in rep.fixes if "invisible" in f.message]
    assert fixes == [  # one line per kind of fix and column, its rows and values kept as examples
        ("项目编号", "Z\u200b5", "Z5", (3,)),
        ("申报机构", "机构\x00甲", "机构甲", (2, 3)),
    ]
    [org] = [f for f in rep.fixes if "invisible" in f.message and f.column == "申报机构"]
    assert org.examples == ((2, "机构\x00甲", "机构甲"), (3, "机构\x0b乙", "机构乙")) and org.grouped
    assert "'Z\\u200b5' → 'Z5'" in rep.format()  # shown visibly, never raw
    assert rep.frame["recipient_name"].tolist() == ["机构丙"]


def test_excel_serial_dates_are_converted_with_a_note(tmp_path):
    path = tmp_path / "dates.csv"
    path.write_text(
        "项目编号,资助金额,所属镇街,签约日期,计划,数据来源\n"
        "A1,1000,大良,43770,众创共善,official\nA2,1000,大良,2019.03.15,众创共善,official\n"
        "A3,1000,大良,2019年3月,众创共善,official\nA4,1000,大良,明年,众创共善,official\n",
        "utf-8",
    )
    rep = validate_ledger(path)
    assert [(e.row, e.column, e.value) for e in rep.errors] == [(5, "签约日期", "明年")]
    assert rep.frame["award_date"].dt.strftime("%Y-%m-%d").tolist() == ["2019-11-01", "2019-03-15", "2019-03-01"]
    assert rep.frame["year"].tolist() == [2019, 2019, 2019]
    [fix] = [f for f in rep.fixes if "serial" in f.message]
    assert (fix.original, fix.normalised, fix.rows) == ("43770", "2019-11-01", (2,))


def test_csv_with_title_and_unit_rows_above_the_header(tmp_path):
    path = tmp_path / "office.csv"
    path.write_text(
        "2020年众创共善计划资助项目汇总表\n填报单位：某中心,,单位：万元\n\n"
        + HEADER
        + GOOD
        + "A2,2.5,容桂,2020,众创共善,official\n"
        "合计,,,,,\n备注：金额为签约金额\n",
        "utf-8",
    )
    rep = validate_ledger(path)
    assert rep.errors == [] and rep.n_rows == 2
    assert rep.frame["amount"].tolist() == [10_000_000.0, 25_000.0]  # 单位：万元 row above the header on row 4
    assert [f.rows for f in rep.fixes if f.message == "amount unit 万元 declared above the header"] == [(2,)]
    assert [f.rows for f in rep.fixes if f.message == "note row(s) left out"] == [(8,)]


def test_cli_template_and_validate_outputs(tmp_path):
    from helpers import cli

    tpl = tmp_path / "ledger_template.xlsx"
    done = cli("template", str(tpl))
    assert done.returncode == 0 and tpl.exists(), done.stderr
    path = tmp_path / "ok.csv"
    path.write_text(HEADER + GOOD, "utf-8")
    clean, page = tmp_path / "clean.csv", tmp_path / "r.html"
    done = cli("validate", str(path), "--out", str(clean), "--html", str(page), "--language", "en")
    assert done.returncode == 0, done.stdout + done.stderr
    assert clean.read_text("utf-8").startswith("Identifier,Title,") and 'lang="en"' in page.read_text("utf-8")
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"\x7fELF" + bytes(200))
    done = cli("validate", str(bad))
    assert done.returncode == 1 and "Traceback" not in done.stdout + done.stderr
    assert "cannot read the file: this is an executable program (ELF)" in done.stdout


@pytest.mark.parametrize("sep", [";", "\t"])
def test_semicolon_and_tab_separated_csv(tmp_path, sep):
    path = tmp_path / "sep.csv"
    path.write_text((HEADER + GOOD).replace(",", sep), "utf-8")
    rep = validate_ledger(path)
    assert rep.ok and rep.frame["identifier"].tolist() == ["A1"]
    assert [w.message for w in rep.warnings] == [
        f"columns are separated by {'semicolons (;)' if sep == ';' else 'tabs'}, not by commas"
    ]


def test_header_without_rows_is_a_warning(tmp_path):
    path = tmp_path / "hdr.csv"
    path.write_text(HEADER, "utf-8")
    rep = validate_ledger(path)
    assert rep.ok and rep.n_rows == 0 and [w.message for w in rep.warnings] == ["no data rows below the header"]

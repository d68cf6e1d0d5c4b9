"""Outputs for the people who fix the data: the template, validate --out (clean CSV) and --html (report)."""

import html
import re

import pandas as pd
import pytest
from openpyxl import load_workbook

from shunde_workbook.cli import main
from shunde_workbook.data import load_ledger, validate_ledger
from shunde_workbook.data.ledger.outputs import render_html
from shunde_workbook.data.ledger.template import COLUMNS, field_lists

from helpers import cli

FILLED = [
    # 项目编号, 项目名称, 申报单位, 所属镇街, 村(社区), 计划, 资助领域, 资助金额（元）, 年度, 签约日期, 数据来源
    [
        "HM-2019-001",
        "长者探访",
        "某社工服务中心",
        "容桂街道",
        "东风社区居委会",
        "和美社区",
        "社区照顾",
        125000,
        2019,
        None,
        "official",
    ],
    [
        "HM-2019-002",
        "社区议事",
        "某社区基金会",
        "北滘镇",
        "",
        "和美社区",
        "社区发展",
        80000,
        2019,
        "2019-11-01",
        "official",
    ],
    [
        "ZC-2020-001",
        "青少年成长",
        "某青年服务社",
        "大良街道",
        "",
        "众创共善",
        "基层治理创新",
        50000,
        2020,
        None,
        "official",
    ],
]


def fill(path, rows):
    """The template at ``path``, filled in as a member of staff would (with openpyxl)."""
    assert main(["template", str(path)]) == 0
    wb = load_workbook(path)
    ws = wb["台账"]
    for r, values in enumerate(rows, start=2):
        for c, v in enumerate(values, start=1):
            if v not in (None, ""):
                ws.cell(r, c, pd.Timestamp(v).to_pydatetime() if c == 10 else v)
    wb.save(path)
    return path


@pytest.fixture
def filled(tmp_path):
    return fill(tmp_path / "ledger_template.xlsx", FILLED)


def test_template_sheets_headers_and_validation(tmp_path):
    path = tmp_path / "t.xlsx"
    assert main(["template", str(path)]) == 0
    wb = load_workbook(path)
    assert wb.sheetnames == ["台账", "填写说明", "列表"] and wb["列表"].sheet_state == "hidden"
    ws = wb["台账"]
    assert [c.value for c in ws[1]] == [h for h, _, _ in COLUMNS]
    rules = {str(dv.sqref): (dv.type, dv.formula1) for dv in ws.data_validations.dataValidation}
    assert rules["D2:D2001"] == ("list", "=镇街列表")
    assert rules["E2:E2001"] == ("list", '=IF($D2="",全部村居,INDIRECT($D2))')
    assert rules["F2:F2001"] == ("list", "=计划列表")
    assert rules["G2:G2001"] == ("list", '=IF(OR($F2="",$I2=""),领域列表,INDIRECT($F2&"_"&$I2))')
    assert rules["H2:H2001"] == ("decimal", "0") and rules["I2:I2001"][0] == "whole"
    n_lists = len(field_lists())  # the fields of each programme and year
    assert len(wb.defined_names) == 5 + 10 + n_lists  # four lists, all villages, one village list per town
    towns = [c.value for c in wb["列表"]["A"][1:] if c.value]
    assert len(towns) == 10 and "容桂街道" in towns


def test_template_round_trip_to_a_usable_ledger(filled, tmp_path, capsys):
    rep = validate_ledger(filled)
    assert rep.errors == [] and rep.warnings == [] and rep.n_accepted == 3
    assert rep.sheets == [
        "'台账' read: header on row 1, 3 data row(s)",
        "'填写说明' skipped: no ledger header in its first 30 rows",
        "'列表' skipped: hidden sheet",
    ]
    clean = tmp_path / "clean.csv"
    assert main(["validate", str(filled), "--out", str(clean)]) == 0
    assert "wrote 3 accepted row(s)" in capsys.readouterr().out
    header = clean.read_text("utf-8").splitlines()[0]
    assert header.startswith("Identifier,Title,Description,Currency,Amount Awarded,Award Date")
    df = load_ledger(clean)  # the on-disk schema, provenance column included
    assert df["identifier"].tolist() == ["HM-2019-001", "HM-2019-002", "ZC-2020-001"]
    assert df["village_code"].tolist()[0] == "440606006006"
    assert df["amount"].tolist() == [125000.0, 80000.0, 50000.0]
    assert df["award_date"].dt.strftime("%Y-%m-%d").fillna("").tolist() == ["", "2019-11-01", ""]
    assert (df["provenance"] == "official").all()


@pytest.mark.slow
def test_clean_ledger_runs_the_data_audit(tmp_path):
    towns = ["大良街道", "容桂街道", "伦教街道", "勒流街道", "陈村镇", "均安镇", "杏坛镇", "龙江镇", "乐从镇", "北滘镇"]
    rows = [
        [f"ZC-{k:03d}", "项目", f"机构{k % 5}", towns[k % 10], "", "众创共善", "", 20000 + 1000 * k, 2019 + k % 3, None]
        + ["official"]
        for k in range(24)
    ]
    filled = fill(tmp_path / "ledger_template.xlsx", rows)
    clean = tmp_path / "clean.csv"
    assert main(["validate", str(filled), "--out", str(clean)]) == 0
    done = cli("run", "--only", "01_data_audit", "--set", f"ledger_path={clean}", "--outputs", str(tmp_path / "o"))
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]


def test_html_report_escapes_and_lists_every_problem(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(
        "项目编号,资助金额,所属镇街,年度,计划,数据来源\n"
        "A1,1000,<script>alert(1)</script>,2020,众创共善,official\n"
        "A2,-5,火星<b>,2020,众创共善,official\n",
        "utf-8",
    )
    rep = validate_ledger(path)
    page = render_html(rep, "zh")
    assert "<script>" not in page and "<b>" not in page and "&lt;script&gt;" in page
    assert not re.search(r"<(link|img|iframe)|https?://", page)  # self-contained, offline
    rows = re.findall(r'<tr class="error">(.*?)</tr>', page)
    assert len(rows) == len(rep.errors) == 3
    cells = [re.findall(r"<td[^>]*>(.*?)</td>", r) for r in rows]
    assert [(c[2], c[3], html.unescape(c[4])) for c in cells] == [
        ("2", "所属镇街", "<script>alert(1)</script>"),
        ("3", "所属镇街", "火星<b>"),
        ("3", "资助金额", "-5"),
    ]
    assert "问题清单" in page and "自动修正" in page
    en = render_html(rep, "en")
    assert 'lang="en"' in en and "What is wrong" in en and "问题清单" not in en


def test_validate_cli_writes_html_in_english(tmp_path, capsys):
    path = tmp_path / "ok.csv"
    path.write_text("项目编号,资助金额,所属镇街,年度,计划,数据来源\nA1,1000,大良,2020,众创共善,official\n", "utf-8")
    out = tmp_path / "r" / "report.html"
    assert main(["validate", str(path), "--html", str(out), "--language", "en"]) == 0
    page = out.read_text("utf-8")
    assert "The ledger can be used: no errors." in page and "No problems found." in page

"""The validator's messages: one catalogue per language, and a Chinese report with no English sentences in it.

Every problem and fix is built from a key and parameters (``messages/en.yaml``, ``messages/zh.yaml``).  English
stays the default (errors raised into notebooks, the terminal); ``validate --language zh`` and the HTML report
(Chinese by default) show the same problems, on the same rows and columns, in Chinese.
"""

from __future__ import annotations

import html
import pickle
import re
from pathlib import Path

import yaml
from openpyxl import Workbook

from shunde_workbook.cli import main
from shunde_workbook.data import validate_ledger
from shunde_workbook.data.ledger.messages import MESSAGES_DIR, Msg
from shunde_workbook.data.ledger.outputs import render_html
from shunde_workbook.data.schema import TO_DISK

from helpers import assert_same_keys_and_placeholders

SRC = Path(__file__).resolve().parents[1] / "src" / "shunde_workbook" / "data"
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "ledgers"
MANY = FIXTURES / "many_problems.csv"
XLS = FIXTURES / "ledger_2019.xls"
HAN = re.compile(r"[\u3400-\u9fff]")
#: Words allowed in Chinese text: product and format names, and the codes a user types (--provenance official).
CODES = {"Excel", "WPS", "CSV", "UTF", "xlsx", "xls", "SUM", "CNY", "Python", "unit"}
CODES |= {"provenance", "published", "official", "simulated", "programme", "year"}  # column names typed in --fill
CODES |= {"Giving", "GBP"}  # the 360Giving Standard; a currency code in an example


def _yaml(lang: str) -> dict[str, str]:
    """The catalogue as written in the files (main file and area files; not through the loader under test)."""
    out: dict[str, str] = {}
    for path in [MESSAGES_DIR / f"{lang}.yaml", *sorted(MESSAGES_DIR.glob(f"*/{lang}.yaml"))]:
        out.update(yaml.safe_load(path.read_text(encoding="utf-8")) or {})
    return out


def test_catalogues_have_the_same_keys_and_placeholders():
    assert_same_keys_and_placeholders(_yaml("zh"), _yaml("en"))


def test_every_key_named_in_the_code_is_in_the_catalogue():
    code = "\n".join(
        p.read_text(encoding="utf-8") for p in [*(SRC / "ledger").glob("*.py"), SRC.parent / "cli" / "validate.py"]
    )
    used = set(re.findall(r'Msg\(\s*"([^"]+)"', code))
    assert len(used) > 60  # the scan finds the messages
    assert not used - set(_yaml("en")), f"keys missing from the catalogue: {sorted(used - set(_yaml('en')))}"
    # keys built from data: one per programme, separator, village problem
    for key in ("year.before.众创共善", "year.before.和美社区", "sep.tabs", "village.ambiguous"):
        assert key in _yaml("zh")


def test_zh_catalogue_has_no_english_words():
    for key, text in _yaml("zh").items():
        bare = re.sub(r"--[\w-]+", "", re.sub(r"\{[^}]*\}", "", text))  # placeholders and command-line options
        words = set(re.findall(r"[A-Za-z]{2,}", bare)) - CODES - {"GB", "GBK", "ELF"}
        words -= {"PDF", "NUL", "MB", "zip", "BOM", "NBS"} if key.startswith(("read.", "village.")) else set()
        assert not words, f"{key}: English words {words} in zh.yaml"


def test_a_message_is_english_by_default_and_shown_in_chinese_on_request():
    en, zh = _yaml("en"), _yaml("zh")
    msg = Msg("read.extra_cells", cells=5, width=4)
    assert msg == en["read.extra_cells"].format(cells=5, width=4) and isinstance(msg, str)
    assert msg.text("zh") == zh["read.extra_cells"].format(cells=5, width=4)
    nested = Msg("read.cannot", cause=Msg("read.no_file"))  # a message inside a message follows the language
    assert nested.text("zh") == zh["read.cannot"].format(cause=zh["read.no_file"])
    again = pickle.loads(pickle.dumps(nested))
    assert again == nested and again.text("zh") == nested.text("zh")


def office_workbook(tmp_path: Path) -> Path:
    """Two year sheets laid out for people, a hidden sheet and a notes sheet, with layout problems of every kind."""
    wb = Workbook()
    ws = wb.active
    ws.title = "2019年"
    ws.append(["2019年和美社区计划资助项目汇总表"])
    ws.merge_cells("A1:H1")
    ws.append(["填报单位：某基金会", None, None, None, None, None, "单位：万元"])
    ws.append(["序号", "项目名称", "申报单位", "所属镇街", "服务村居", "资助领域", "资助金额", "计划"])
    ws.append([1, "长者探访", "某社工服务中心", "容桂街道", "", "社区照顾", 12.5, "和美社区"])  # row 4
    ws.append([2, "社区议事", "某社区基金会", "北滘镇", "", "社区发展", "１２．５", "和美社区"])  # row 5
    ws.append([3, "邻里互助", "某社区基金会", None, "", "社区发展", 3, "和美社区"])  # row 6 (town merged from 5)
    ws.merge_cells("D5:D6")
    ws.append(["小计", None, None, None, None, None, 99])  # row 7: wrong
    ws.append([4, "长者饭堂", "某慈善会", "乐从镇", "", "社区照顾", "=2+3", "和美社区"])  # row 8: no cached value
    ws.append(["合计", None, None, None, None, None, "=SUM(G4:G8)"])  # row 9: no cached value
    ws.append(["备注：金额以万元计"])  # row 10
    two = wb.create_sheet("2020年第二批")
    two.append(["序号", "项目名称", "所属镇街", "资助金额", "计划"])
    two.append([1, "社区营造", "火星镇", 5000, "众创共善"])
    two.append([1, "青少年成长", "大良街道", -5, "众创共善"])
    hidden = wb.create_sheet("旧表")
    hidden.append(["序号", "项目名称", "所属镇街", "资助金额", "计划"])
    hidden.sheet_state = "hidden"
    wb.create_sheet("说明").append(["本表由某基金会填报"])
    path = tmp_path / "office.xlsx"
    wb.save(path)
    return path


def _cells(page: str, cls: str) -> list[list[str]]:
    rows = re.findall(rf'<tr class="{cls}">(.*?)</tr>', page, re.S)
    return [[html.unescape(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", r, re.S)] for r in rows]


def _fix_rows(page: str) -> list[list[str]]:
    """(sheet, column, example, count, why) of each fix row (a grouped fix's row list left out)."""
    cells = r"<td>(.*?)</td><td>(.*?)</td><td>(.*?)</td><td class=\"num\">(\d+)</td><td>(.*?)(?:<details>|</td></tr>)"
    return [[html.unescape(c) for c in r] for r in re.findall(r'<tr class="fix">' + cells, page, re.S)]


def _english(text: str, echoed: list[str]) -> set[str]:
    """English words left in ``text`` once values echoed from the file (and column codes) are taken out."""
    for e in sorted({e for e in echoed if e}, key=len, reverse=True):
        text = text.replace(e, " ")
    text = re.sub(r"--[\w-]+", " ", text)  # command-line options
    return set(re.findall(r"[A-Za-z]{2,}", text)) - CODES


def test_chinese_html_report_has_no_english_sentences(tmp_path):
    columns = list(TO_DISK.values())
    for path in (MANY, office_workbook(tmp_path), XLS):
        rep = validate_ledger(path)
        page = render_html(rep, "zh")
        problems = _cells(page, "error") + _cells(page, "warning")
        assert len(problems) == len(rep.errors) + len(rep.warnings) > 0
        for issue, (_, sheet, row, column, _value, what, todo) in zip(rep.errors + rep.warnings, problems, strict=True):
            assert (sheet, row) == (issue.sheet, str(issue.row or ""))  # rows reported exactly as in English
            echoed = [issue.value, issue.suggestion or "", str(path), path.stem, sheet, *columns]
            left = _english(" ".join((column, what, todo)), echoed)
            assert not left, f"{path.name} row {row}: English {left} in {what!r} / {todo!r}"
        fixes = _fix_rows(page)
        assert len(fixes) == len(rep.fixes)
        for (sheet, column, _example, _count, why), fix in zip(fixes, rep.fixes, strict=True):
            echoed = [fix.original, fix.normalised, str(path), sheet, *columns]
            left = _english(" ".join((column, why)), echoed)
            assert not left, f"{path.name}: English {left} in fix {why!r} of column {column!r}"
        for line in re.findall(r"<li>(.*?)</li>", page):  # sheets, and how the columns were read
            line = re.sub(r"“[^”]*”", " ", html.unescape(line))  # headers as written in the file
            assert not _english(line, [s.split("'")[1] for s in rep.sheets if "'" in s] + columns), line


def test_office_workbook_problems_are_reported_on_their_rows(tmp_path):
    rep = validate_ledger(office_workbook(tmp_path))
    assert [(e.sheet, e.row, e.column) for e in rep.errors] == [
        ("2019年", 3, "provenance"),
        ("2019年", 7, "资助金额"),  # 小计 99 万元 against 12.5 + 12.5 + 3
        ("2019年", 8, "资助金额"),  # formula without a cached value
        ("2019年", 9, "资助金额"),  # 合计 formula without a cached value
        ("2020年第二批", 1, "provenance"),
        ("2020年第二批", 2, "所属镇街"),
        ("2020年第二批", 3, "资助金额"),
    ]
    assert "28.00 万元" not in rep.errors[1].message and "280,000.00 元" in rep.errors[1].message
    assert [w.sheet for w in rep.warnings] == ["2020年第二批"]  # 序号 not unique: identifiers made from rows
    zh = render_html(rep, "zh")
    assert "“旧表”未读取：隐藏的工作表" in zh and "“说明”未读取" in zh


def test_cli_prints_english_by_default_and_chinese_on_request(tmp_path, capsys):
    assert main(["validate", str(MANY)]) == 1
    english = capsys.readouterr().out
    assert "outside Shunde" in english and "在顺德以外" not in english
    report = tmp_path / "r.html"
    assert main(["validate", str(MANY), "--language", "zh", "--html", str(report)]) == 1
    chinese = capsys.readouterr().out
    assert "在顺德以外" in chinese and "outside Shunde" not in chinese and "校验报告已写入" in chinese
    assert "在顺德以外" in report.read_text("utf-8")
    assert main(["validate", str(MANY), "--html", str(report)]) == 1  # the page stays Chinese, the list English
    assert "wrote the validation report" in capsys.readouterr().out and "在顺德以外" in report.read_text("utf-8")
    where = re.compile(rf"^{re.escape(str(MANY))}:(\d+)", re.M)
    assert where.findall(chinese) == where.findall(english) and len(where.findall(english)) == len(
        validate_ledger(MANY).errors
    )

"""A data-entry workbook for grant staff: ``shunde-workbook template ledger_template.xlsx``.

Sheets: 台账 (the data, with Excel data validation: drop-downs for 镇街, 村(社区) filtered by the chosen 镇街, 计划,
资助领域 filtered by the chosen 计划 and 年度,
and 数据来源; amounts > 0; years within the programmes' life; dates), 填写说明 (instructions) and a hidden
列表 sheet holding the lists.  The headers are aliases the validator knows (``data/README.md``), so a filled-in
template validates without header warnings.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from shunde_workbook.data import reference
from shunde_workbook.data.schema import PROGRAMME_FIRST_YEAR, PROGRAMMES, PROVENANCES

#: (header, width, note shown when the cell is selected)
COLUMNS = (
    ("项目编号", 16, "每个项目一个编号，不可重复，例如 HM-2019-001"),
    ("项目名称", 28, "项目名称"),
    ("申报单位", 28, "承接项目的社会组织全称"),
    ("所属镇街", 12, "从下拉列表选择镇街"),
    ("村(社区)", 18, "先选镇街，再从下拉列表选择村(社区)；镇街层面的项目留空"),
    ("计划", 12, "众创共善 或 和美社区"),
    ("资助领域", 20, "该计划当年的领域"),
    ("资助金额（元）", 14, "以元为单位的数字，大于 0，不要写“万”"),
    ("年度", 8, "资助年度，例如 2019"),
    ("签约日期", 12, "日期，例如 2019-03-15（可留空）"),
    ("数据来源", 12, "official = 机构内部台账；published = 公开发布"),
)
ROWS = 2000

INSTRUCTIONS = [
    "顺德资助台账填写模板",
    "",
    "1. 在“台账”表中每行填写一个资助项目，不要合并单元格，不要插入合计行。",
    "2. 镇街、村(社区)、计划、领域、数据来源请从下拉列表选择；村(社区)列表按所选镇街筛选。",
    "3. 资助金额以“元”为单位填写数字（例如 125000），不要写“12.5万”。",
    "4. 年度填写四位数字；签约日期可留空。",
    "5. 填好后保存为 .xlsx，运行：shunde-workbook validate 台账.xlsx --html 校验报告.html",
    "6. 没有错误后：shunde-workbook validate 台账.xlsx --out clean.csv，",
    "   再运行：shunde-workbook run --set ledger_path=clean.csv",
    "",
    "列名与 data/README.md 中“Accepted input headers”的对应关系：",
    "项目编号 → Identifier；项目名称 → Title；申报单位 → Recipient Org:Name；所属镇街 → town_code；",
    "村(社区) → village_code；计划 → programme；资助领域 → field；资助金额（元） → Amount Awarded；",
    "年度 → year；签约日期 → Award Date；数据来源 → provenance。",
]


def field_lists() -> dict[str, list[str]]:
    """Name → fields of each programme and year ('和美社区_2019' → its four fields), up to this year.

    Years after the last one in programme_fields.csv use the last listed year's fields (as the validator does).
    """
    pf = reference.load_programme_fields()
    out: dict[str, list[str]] = {}
    for p in PROGRAMMES:
        rows = pf[pf["programme"] == p]
        last = int(rows["year"].max())
        for y in range(PROGRAMME_FIRST_YEAR[p], max(last, date.today().year) + 1):
            fields = rows.loc[rows["year"] == min(y, last), "field"].tolist()
            if fields:
                out[f"{p}_{y}"] = fields
    return out


def put_field_lists(put_list, first_col: int) -> int:
    """One named list per programme and year, for the 资助领域 drop-down; returns the next free column."""
    col = first_col
    for name, fields in field_lists().items():
        put_list(col, name, fields, name)
        col += 1
    return col


def write_template(path: str | Path) -> Path:
    """Write the data-entry workbook to ``path`` and return it."""
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter, quote_sheetname
    from openpyxl.workbook.defined_name import DefinedName
    from openpyxl.worksheet.datavalidation import DataValidation

    path = Path(path)
    wb = Workbook()
    data = wb.active
    data.title = "台账"
    notes = wb.create_sheet("填写说明")
    lists = wb.create_sheet("列表")
    lists.sheet_state = "hidden"

    towns = reference.load_towns()
    villages = reference.load_villages()
    fields = sorted(set(reference.load_programme_fields()["field"]))
    q = quote_sheetname(lists.title)

    def put_list(col: int, title: str, values: list[str], name: str) -> str:
        lists.cell(1, col, title)
        for k, v in enumerate(values, start=2):
            lists.cell(k, col, v)
        letter = get_column_letter(col)
        ref = f"{q}!${letter}$2:${letter}${len(values) + 1}"
        wb.defined_names[name] = DefinedName(name, attr_text=ref)
        return name

    put_field_lists(put_list, 6 + len(towns))  # after the per-town 村(社区) lists
    put_list(1, "镇街", towns["town"].tolist(), "镇街列表")
    put_list(2, "计划", list(PROGRAMMES), "计划列表")
    put_list(3, "领域", fields, "领域列表")
    put_list(4, "数据来源", [p for p in PROVENANCES if p != "simulated"], "来源列表")
    put_list(5, "全部村(社区)", villages["name"].tolist(), "全部村居")
    for k, (code, town) in enumerate(zip(towns["town_code"], towns["town"], strict=True)):
        names = villages.loc[villages["town_code"] == code, "name"].tolist()
        put_list(6 + k, town, names, town)  # a name per town: INDIRECT(<town cell>) gives its villages

    bold, fill = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
    for c, (header, width, note) in enumerate(COLUMNS, start=1):
        cell = data.cell(1, c, header)
        cell.font, cell.fill = bold, fill
        cell.comment = Comment(note, "shunde-workbook")
        data.column_dimensions[get_column_letter(c)].width = width
    data.freeze_panes = "A2"

    last = ROWS + 1
    col = {h: get_column_letter(i) for i, (h, _, _) in enumerate(COLUMNS, start=1)}
    first_year = min(PROGRAMME_FIRST_YEAR.values())

    def rule(dv: DataValidation, header: str, prompt: str) -> None:
        dv.error, dv.errorTitle, dv.prompt, dv.showErrorMessage, dv.showInputMessage = (
            prompt,
            "输入有误",
            prompt,
            True,
            True,
        )
        dv.add(f"{col[header]}2:{col[header]}{last}")
        data.add_data_validation(dv)

    rule(DataValidation(type="list", formula1="=镇街列表", allow_blank=True), "所属镇街", "请从列表选择镇街")
    town_cell = f"${col['所属镇街']}2"
    rule(
        DataValidation(type="list", formula1=f'=IF({town_cell}="",全部村居,INDIRECT({town_cell}))', allow_blank=True),
        "村(社区)",
        "请先选镇街，再选村(社区)",
    )
    rule(DataValidation(type="list", formula1="=计划列表", allow_blank=False), "计划", "众创共善 或 和美社区")
    prog_cell, year_cell = f"${col['计划']}2", f"${col['年度']}2"
    rule(
        DataValidation(
            type="list",
            formula1=f'=IF(OR({prog_cell}="",{year_cell}=""),领域列表,INDIRECT({prog_cell}&"_"&{year_cell}))',
            allow_blank=True,
        ),
        "资助领域",
        "请先选计划并填年度，再从列表选择该计划当年的领域",
    )
    rule(DataValidation(type="list", formula1="=来源列表", allow_blank=False), "数据来源", "official 或 published")
    rule(
        DataValidation(type="decimal", operator="greaterThan", formula1="0", allow_blank=False),
        "资助金额（元）",
        "金额必须是大于 0 的数字（元）",
    )
    rule(
        DataValidation(type="whole", operator="between", formula1=str(first_year), formula2=str(date.today().year)),
        "年度",
        f"年度须在 {first_year}–{date.today().year} 之间（众创共善自 2017 年，和美社区自 2018 年）",
    )
    rule(
        DataValidation(type="date", operator="greaterThanOrEqual", formula1="DATE(2017,1,1)", allow_blank=True),
        "签约日期",
        "请填写日期，例如 2019-03-15",
    )
    for k, line in enumerate(INSTRUCTIONS, start=1):
        notes.cell(k, 1, line).font = Font(bold=k == 1, size=14 if k == 1 else 11)
    notes.column_dimensions["A"].width = 100
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path

"""The grant-ledger schema: on-disk 360Giving headers, in-memory names, header aliases, programmes.

See data/README.md for the data dictionary.  Everything here is plain data so
that the README, the validator and the simulator use one definition.
"""

from __future__ import annotations

import re
import unicodedata

from shunde_workbook.units import YUAN_PER

# (in-memory snake_case name, on-disk header: 360Giving standard + project extensions)
COLUMNS: list[tuple[str, str]] = [
    ("identifier", "Identifier"),
    ("title", "Title"),
    ("description", "Description"),
    ("currency", "Currency"),
    ("amount", "Amount Awarded"),
    ("award_date", "Award Date"),
    ("funder", "Funding Org:Name"),
    ("recipient_id", "Recipient Org:Identifier"),
    ("recipient_name", "Recipient Org:Name"),
    ("programme_title", "Grant Programme:Title"),
    ("location_name", "Beneficiary Location:Name"),
    ("location_code", "Beneficiary Location:Geographic Code"),
    ("programme", "programme"),
    ("field", "field"),
    ("year", "year"),
    ("town_code", "town_code"),
    ("village_code", "village_code"),
    ("provenance", "provenance"),
]
FRAME_COLUMNS = [c for c, _ in COLUMNS]
DISK_COLUMNS = [h for _, h in COLUMNS]
TO_DISK = dict(COLUMNS)
TO_FRAME = {h: c for c, h in COLUMNS}

# Alternative headers accepted on input (compared after header_key()).
HEADER_ALIASES: dict[str, list[str]] = {
    "identifier": [
        "项目编号",
        "编号",
        "项目id",
        "项目代码",
        "grant id",
        "grantid",
        "id",
        "reference",
        "grant reference",
    ],
    "title": ["项目名称", "名称", "project", "project name", "项目"],
    "description": ["项目简介", "项目描述", "描述", "简介", "内容"],
    "currency": ["币种", "货币"],
    "amount": ["资助金额", "金额", "资助额", "项目金额", "资助额度", "amount", "grant amount"],
    "award_date": ["签约日期", "资助日期", "立项日期", "日期", "date"],
    "funder": ["资助方", "资助机构", "出资方", "funder", "funding org"],
    "recipient_id": ["机构编号", "机构代码", "统一社会信用代码", "recipient id"],
    "recipient_name": [
        "申报机构",
        "承接机构",
        "执行机构",
        "申报单位",
        "承接单位",
        "机构名称",
        "社会组织",
        "单位名称",
        "申报机构名称",
        "recipient",
        "recipient org",
        "organisation",
        "organization",
    ],
    "programme_title": ["资助批次", "批次", "计划名称", "grant programme", "batch"],
    "location_name": ["服务地点", "受益地区", "服务区域", "beneficiary location"],
    "location_code": ["区划代码", "地区代码", "统计用区划代码", "geographic code"],
    "programme": ["计划", "项目类别", "资助计划", "所属计划", "programme", "program"],
    "field": ["领域", "板块", "版块", "资助领域", "资助方向", "项目领域", "field", "section"],
    "year": ["年度", "年份", "资助年度", "year"],
    "town_code": ["镇街代码", "town code"],
    "village_code": ["村居代码", "村(社区)代码", "village code"],
    "provenance": ["数据来源", "数据性质", "来源类型", "provenance"],
    "town": ["所属镇街", "镇街名称", "镇街", "镇(街)", "镇(街道)", "镇街道", "街镇", "镇", "town"],
    "village": [
        "村(社区)",
        "所属村(社区)",
        "村居",
        "所属村居",
        "服务村居",
        "服务村(居)",
        "服务村(社区)",
        "村社区",
        "村/社区",
        "村名",
        "村名称",
        "村居名称",
        "社区名称",
        "村(社区)名称",
        "社区",
        "村",
        "village",
    ],
}

#: Traditional → Simplified characters met in ledger headers and place names (a small, stated table).
_T2S = str.maketrans(
    "資額號編稱單區鎮劃計領類別機構項報請屬圍務點幣種貨來數據題簡內簽約時間鄉會員廣東順總達撥準實際預萬與關係聯絡電話備註說團體織組範標對戶農補貼專義審發範邊倫樂從龍壇陳滘臺灣僑衛們"
    "這個為產業經濟環護區歲費額縣轄線圖書館業務營運",
    "资额号编称单区镇划计领类别机构项报请属围务点币种货来数据题简内签约时间乡会员广东顺总达拨准实际预万与关系联络电话备注说团体织组范标对户农补贴专义审发范边伦乐从龙坛陈滘台湾侨卫们"
    "这个为产业经济环护区岁费额县辖线图书馆业务营运",
)


def simplified(text: str) -> str:
    """Traditional characters of the table above made Simplified ('資助金額' → '资助金额')."""
    return text.translate(_T2S)


_UNIT_IN_HEADER = re.compile(r"^(?P<base>.*?)[(\[](?P<unit>万元|元|万|人民币元|rmb|cny)[)\]]$")


def header_key(header: object) -> tuple[str, str | None]:
    """Normalise a header for lookup; returns (key, unit declared in the header or None).

    '资助金额（万元）' → ('资助金额', '万元');  'Amount Awarded' → ('amount awarded', None).
    """
    text = unicodedata.normalize("NFKC", str(header)).replace("\ufeff", "")
    text = re.sub(r"\s+", " ", text).strip().lower()
    unit = None
    m = _UNIT_IN_HEADER.match(text.replace(" ", ""))
    if m:
        text = m.group("base")
        unit = {"万": "万元", "人民币元": "元", "rmb": "元", "cny": "元"}.get(m.group("unit"), m.group("unit"))
    for sep in ("/", "_"):
        for u in ("万元", "元"):
            if text.endswith(sep + u):
                text, unit = text[: -len(sep + u)], u
    return text.replace(" ", "") if not text.isascii() else text, unit


def _build_header_lookup() -> dict[str, str]:
    lookup: dict[str, str] = {}
    for role, disk in COLUMNS:
        lookup[header_key(disk)[0]] = role
        lookup[header_key(role)[0]] = role
    for role, aliases in HEADER_ALIASES.items():
        for a in aliases:
            lookup.setdefault(header_key(a)[0], role)
    return lookup


HEADER_LOOKUP = _build_header_lookup()

# ----------------------------------------------------------------------------- programmes

PROGRAMMES = ("众创共善", "和美社区")
PROGRAMME_FIRST_YEAR = {"众创共善": 2017, "和美社区": 2018}
FUNDERS = {"众创共善": "佛山市顺德区社会创新中心", "和美社区": "广东省德胜社区慈善基金会"}
PROGRAMME_TITLES = {"众创共善": "众创共善计划", "和美社区": "和美社区计划"}
PROGRAMME_ALIASES = {
    "众创共善": [
        "众创共善",
        "众创",
        "众创共善计划",
        "顺德众创共善计划",
        "顺德区众创共善计划",
        "zhongchuang",
        "zhongchuanggongshan",
        "zcgs",
    ],
    "和美社区": [
        "和美社区",
        "和美",
        "和美社区计划",
        "德胜和美社区计划",
        "和美社区资助计划",
        "hemei",
        "hemeishequ",
        "hmsq",
    ],
}
PROVENANCES = ("published", "official", "simulated")
PROVENANCE_ALIASES = {
    "published": ["published", "公开", "公开资料", "公布", "媒体"],
    "official": ["official", "官方", "官方数据", "政府", "基金会"],
    "simulated": ["simulated", "simulation", "sim", "模拟", "模拟数据", "仿真"],
}
CURRENCY_ALIASES = ["cny", "rmb", "人民币", "元", "¥"]
UNITS = {u: YUAN_PER[u] for u in ("元", "万元")}  # the units a ledger's amounts may be given in
UNIT_ALIASES = {"元": "元", "yuan": "元", "cny": "元", "万元": "万元", "万": "万元", "wan": "万元", "10k": "万元"}

_QUOTES = re.compile(r"[\"'“”‘’「」『』《》〈〉·・•\s]")


def label_key(value: object) -> str:
    """Key for comparing programme/field labels: NFKC, no quotes/middle dots/spaces, lower-case."""
    text = unicodedata.normalize("NFKC", str(value))
    return _QUOTES.sub("", text).lower()


PROGRAMME_LOOKUP = {label_key(a): p for p, aliases in PROGRAMME_ALIASES.items() for a in aliases}
PROVENANCE_LOOKUP = {label_key(a): p for p, aliases in PROVENANCE_ALIASES.items() for a in aliases}


def normalise_unit(unit: str | None) -> str | None:
    """'万' → '万元', 'yuan' → '元'; None stays None; ValueError for an unknown unit."""
    if unit is None:
        return None
    key = unicodedata.normalize("NFKC", str(unit)).strip().lower()
    if key not in UNIT_ALIASES:
        raise ValueError(f"unknown unit {unit!r}; use 元 or 万元")
    return UNIT_ALIASES[key]

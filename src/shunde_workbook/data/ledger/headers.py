"""What a header means: its role, the unit and currency written in it, and whether the 360Giving Standard knows it.

    recognise("提前下达金额(万元)")  → Header(role="amount", unit="万元", how="qualified", qualifier="提前下达")
    recognise("資助金額")            → Header(role="amount", how="alias")         (Traditional characters)
    recognise("Amount (GBP)")        → Header(role="amount", currency="GBP")
    recognise("Recipient Org:Charity Number") → Header(role=None, how="standard")  (kept, not unknown)

A header is read as a role only by a stated rule: an exact alias (``schema.HEADER_ALIASES``, an on-disk header or a
role name), or, for Chinese headers, a known alias at its end after a qualifier that does not change what the
amount is (``提前下达金额``, ``核定资助金额``; not ``申请金额``, the amount applied for).
"""

from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

from shunde_workbook.data.schema import HEADER_ALIASES, HEADER_LOOKUP, header_key, simplified

STANDARD_FILE = Path(__file__).with_name("standard") / "giving360_columns.csv"

#: Words in brackets or after a slash that name a unit of 人民币.
_UNITS = {"万元": "万元", "万": "万元", "元": "元", "人民币元": "元", "人民币": "元", "rmb": "元", "cny": "元"}
_UNITS |= {"人民币万元": "万元", "万元人民币": "万元", "rmb10k": "万元", "¥": "元", "yuan": "元"}
#: Words that name another currency (ISO 4217 code).
CURRENCY_WORDS = {
    "英镑": "GBP", "£": "GBP", "gbp": "GBP", "美元": "USD", "us$": "USD", "$": "USD", "usd": "USD",
    "港元": "HKD", "港币": "HKD", "hk$": "HKD", "hkd": "HKD", "欧元": "EUR", "€": "EUR", "eur": "EUR",
    "澳门元": "MOP", "澳门币": "MOP", "mop": "MOP", "新台币": "TWD", "twd": "TWD", "日元": "JPY", "jpy": "JPY",
}  # fmt: skip
_BRACKET = re.compile(r"^(?P<base>.*?)\s*[(\[【](?P<inner>[^()\[\]【】]+)[)\]】]$")
_IN_CURRENCY = re.compile(r"^(?P<base>.*?)\s+in\s+(?P<inner>[a-z]{3}|£|\$|€)$")
_INDEX = re.compile(r":\d+:")
#: Qualifiers that make a column something else than the role its last word names (so no role is guessed):
#: 申请金额 is the amount applied for, 开始日期 a start date, not the award date.
_OTHER = {
    "amount": ("申请", "申报", "拨付", "已拨", "配套", "自筹", "累计", "剩余", "总", "预算", "到位"),
    "award_date": ("开始", "结束", "截止", "完成", "申请", "申报", "出生", "拨付", "更新", "修改"),
    "year": ("成立", "出生", "注册"),
}
#: The shortest alias a header may end with to be read with a qualifier in front.
_MIN_SUFFIX = 2


@dataclass(frozen=True)
class Header:
    """A header's reading.

    ``how``: 'alias' (an exact known header), 'qualified' (a known header after a qualifier), 'standard' (a
    360Giving column this workbook does not use), 'serial' (序号) or None (unknown).
    """

    role: str | None
    unit: str | None = None
    currency: str | None = None
    how: str | None = None
    qualifier: str = ""


@cache
def standard_columns() -> frozenset[str]:
    """The 360Giving flat column titles (lower-case), read from ``standard/giving360_columns.csv``."""
    with STANDARD_FILE.open(encoding="utf-8") as fh:
        rows = csv.DictReader(line for line in fh if not line.startswith("#"))
        return frozenset(r["column"].strip().lower() for r in rows)


def is_standard(header: str) -> bool:
    """Whether ``header`` is a 360Giving column ('Beneficiary Location:0:Name' counts as '…:Name')."""
    text = re.sub(r"\s+", " ", unicodedata.normalize("NFKC", str(header))).strip().lower()
    return _INDEX.sub(":", text) in standard_columns()


def _unit_or_currency(inner: str) -> tuple[str | None, str | None] | None:
    key = re.sub(r"\s+", "", inner.lower())
    if key in _UNITS:
        return _UNITS[key], "CNY"
    if key in CURRENCY_WORDS:
        return None, CURRENCY_WORDS[key]
    for word, code in CURRENCY_WORDS.items():  # '万英镑', '英镑元'
        if not word.isascii() and word in key:
            return ("万元" if key.startswith("万") else None), code
    return None


def _split_unit(text: str) -> tuple[str, str | None, str | None]:
    """(header without its unit, unit, currency) for '金额（万元）', '金额/万元', 'Amount (GBP)', 'Amount in GBP'."""
    for pattern in (_BRACKET, _IN_CURRENCY):
        m = pattern.match(text)
        if m:
            found = _unit_or_currency(m.group("inner"))
            if found is not None:
                return m.group("base").strip(), found[0], found[1]
    for sep in ("/", "_", "-"):
        for word in ("万元", "元"):
            if text.endswith(sep + word):
                return text[: -len(sep + word)], _UNITS[word], "CNY"
    return text, None, None


@cache
def _suffix_aliases() -> list[tuple[str, str]]:
    """(alias key, role) of the Chinese aliases, longest first, for reading a header after a qualifier."""
    pairs = {header_key(a)[0]: r for r, names in HEADER_ALIASES.items() for a in names if not a.isascii()}
    return sorted(((k, r) for k, r in pairs.items() if len(k) >= _MIN_SUFFIX), key=lambda kr: -len(kr[0]))


@lru_cache(maxsize=4096)
def recognise(header: str, serial_keys: frozenset[str] = frozenset()) -> Header:
    """The reading of one header (see the module docstring)."""
    text = simplified(unicodedata.normalize("NFKC", str(header)).replace("\ufeff", ""))
    text = _INDEX.sub(":", re.sub(r"\s+", " ", text).strip())  # 'Beneficiary Location:0:Name' → '…:Name'
    if not text:
        return Header(None)
    base, unit, currency = _split_unit(text)
    key = header_key(base)[0]
    if key in serial_keys:
        return Header("serial", how="serial")
    role = HEADER_LOOKUP.get(key)
    if role is not None:
        return Header(role, unit, currency, "alias")
    if is_standard(text):
        return Header(None, how="standard")
    if not key.isascii():
        for alias, role in _suffix_aliases():
            if key.endswith(alias) and len(key) > len(alias):
                qualifier = key[: -len(alias)]
                if any(w in qualifier for w in _OTHER.get(role, ())):
                    return Header(None)
                return Header(role, unit, currency, "qualified", qualifier)
    return Header(None, unit, currency)

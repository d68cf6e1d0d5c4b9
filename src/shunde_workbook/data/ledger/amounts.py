"""Grant amounts: '12.5万', '1,200元', '￥3,000', full-width digits; bare numbers in the declared unit.

parse_amount("12.5万") == 125000.0
"""

from __future__ import annotations

import re
import unicodedata

import numpy as np
import pandas as pd

from shunde_workbook.data.ledger.messages import Msg
from shunde_workbook.data.schema import UNITS, normalise_unit

MAX_PLAUSIBLE_GRANT = 1e9  # 10亿元 for one grant is surely a unit or typing error

_AMOUNT_RE = re.compile(r"^(?P<num>[+-]?\d+(?:\.\d+)?)(?P<unit>万元|万|元)?$")
_APPROX_RE = re.compile(r"^(?:约|大约|近|超|逾|超过|不少于|~|≈)|(?:左右|以上|多|余)(?:万元|万|元)?$")
_MULTI_RE = re.compile(r"\d\s*(?:/|、|,|;|~|～|至|到|或|\+|-)\s*[\d约]")
_CURRENCY_PREFIX = re.compile(
    r"^(?:¥|rmb|cny|人民币|hk\$|us\$|£|€|\$)\s*", re.IGNORECASE
)  # the currency is checked apart
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?:\D|$))")


def _parse_amount_text(text: str, factor: float) -> tuple[float, str | None, str]:
    """Slow path for one cell: returns (amount in 元, error or None, unit source 'cell'|'declared')."""
    s = unicodedata.normalize("NFKC", text).strip()
    if not s:
        return np.nan, Msg("amount.empty"), "declared"
    t = _THOUSANDS.sub("", _CURRENCY_PREFIX.sub("", s))
    t = re.sub(r"\s+", "", t)
    m = _AMOUNT_RE.match(t)
    if not m:
        if _APPROX_RE.search(s):
            return np.nan, Msg("amount.approximate"), "declared"
        if _MULTI_RE.search(s):
            return np.nan, Msg("amount.several"), "declared"
        return np.nan, Msg("amount.not_number"), "declared"
    unit = m.group("unit") or ""
    mult = UNITS["万元"] if unit.startswith("万") else 1.0 if unit == "元" else factor
    return float(m.group("num")) * mult, None, "cell" if unit else "declared"


def parse_amounts(values: pd.Series, unit: str | None = None) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Vectorised amount parsing.

    Returns (amount in 元 as float, error message or None, how) where how is 'number' (a plain number in
    the declared unit), 'text' (text such as '1,200' or '￥3,000' in the declared unit) or 'cell unit'
    (the cell says 万/万元/元, which wins over the declared unit).  Bare numbers are in the declared unit
    (元 if none is declared).  Plain numbers take a C-speed path; only the other cells are parsed one
    distinct value at a time.
    """
    factor = UNITS[normalise_unit(unit) or "元"]
    values = values.astype(object)
    num = pd.to_numeric(values, errors="coerce").astype(float)
    amount = num * factor
    how = pd.Series("number", index=values.index, dtype=object)
    err = pd.Series(None, index=values.index, dtype=object)
    slow = num.isna()
    if slow.any():
        sv = values[slow].astype(str)
        table = {u: _parse_amount_text(u, factor) for u in pd.unique(sv)}
        res = sv.map(table)
        amount[slow] = [r[0] for r in res]
        err[slow] = [r[1] for r in res]
        how[slow] = ["cell unit" if r[2] == "cell" else "text" for r in res]
    amount = amount.round(2)
    ok = err.isna()
    err[ok & (amount <= 0)] = Msg("amount.not_positive")
    err[ok & (amount > MAX_PLAUSIBLE_GRANT)] = Msg("amount.too_large")
    amount[err.notna()] = np.nan
    return amount, err, how


def parse_amount(text: object, unit: str | None = None) -> float:
    """Parse one amount to 元: parse_amount('12.5万') == 125000.0. Raises ValueError if ambiguous/invalid."""
    amount, err, _ = parse_amounts(pd.Series([str(text)], dtype=object), unit)
    if pd.notna(err.iloc[0]):
        raise ValueError(f"{text!r}: {err.iloc[0]}")
    return float(amount.iloc[0])

"""Award dates and years as spreadsheet users write them (2018-10-30, 2018年10月30日, 2019年, 2019.0)."""

from __future__ import annotations

import re
import unicodedata

import numpy as np
import pandas as pd

#: Excel date serials accepted (1954-10-04 … 2118-12-06); day 0 is 1899-12-30.
SERIAL_RANGE = (20_000, 80_000)
_EXCEL_EPOCH = pd.Timestamp("1899-12-30")


def _one_date(text: str) -> pd.Timestamp:
    t = unicodedata.normalize("NFKC", text).strip()
    t = re.sub(r"[T ]\d{1,2}:\d{2}(:\d{2})?.*$", "", t)
    t = re.sub(r"[年月/.]", "-", t).replace("日", "").strip("-")
    if re.fullmatch(r"\d{4}-\d{1,2}", t):  # 2019年3月: the first of the month
        t += "-1"
    return pd.to_datetime(t, format="%Y-%m-%d", errors="coerce")


def excel_serials(raw: pd.Series) -> pd.Series:
    """Whole numbers that are Excel date serials (43770 → 2019-11-01) as dates, else NaT."""
    num = pd.to_numeric(raw, errors="coerce")
    ok = (num % 1 == 0) & num.between(*SERIAL_RANGE)
    out = pd.Series(pd.NaT, index=raw.index, dtype="datetime64[ns]")
    if ok.any():
        out[ok] = _EXCEL_EPOCH + pd.to_timedelta(num[ok], unit="D")
    return out


def parse_dates(raw: pd.Series) -> pd.Series:
    """Dates: ISO at C speed, other spellings once per distinct value.

    Accepted: 2018-10-30, 2018年10月30日, 2018/10/30, 2019.03.15, 2019年3月 (the 1st), with or without a time.
    Excel serials are not converted here (see :func:`excel_serials`).
    """
    out = pd.to_datetime(raw, format="%Y-%m-%d", errors="coerce").astype("datetime64[ns]")
    slow = out.isna() & raw.ne("")
    if slow.any():
        out[slow] = raw[slow].map({u: _one_date(u) for u in pd.unique(raw[slow])})
    return out


def _one_year(text: str) -> float:
    m = re.fullmatch(r"(\d{4})(?:年|\.0+)?", unicodedata.normalize("NFKC", text).strip())
    return float(m.group(1)) if m else np.nan


def parse_years(raw: pd.Series) -> pd.Series:
    """Four-digit years as float (NaN when not a year); 2019年 and 2019.0 per distinct value."""
    year = pd.to_numeric(raw, errors="coerce").astype(float)
    year[(year % 1 != 0) | (year < 1000) | (year > 9999)] = np.nan
    slow = year.isna() & raw.ne("")
    if slow.any():
        year[slow] = raw[slow].map({u: _one_year(u) for u in pd.unique(raw[slow])})
    return year

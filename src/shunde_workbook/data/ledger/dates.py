"""Award dates and years as spreadsheet users write them (2018-10-30, 2018年10月30日, 2019年, 2019.0)."""

from __future__ import annotations

import re
import unicodedata

import numpy as np
import pandas as pd


def _one_date(text: str) -> pd.Timestamp:
    t = unicodedata.normalize("NFKC", text).strip()
    t = re.sub(r"[T ]\d{1,2}:\d{2}(:\d{2})?.*$", "", t)
    t = re.sub(r"[年月/.]", "-", t).replace("日", "")
    return pd.to_datetime(t, format="%Y-%m-%d", errors="coerce")


def parse_dates(raw: pd.Series) -> pd.Series:
    """ISO dates at C speed; other spellings (2018年10月30日, 2018/10/30, with a time) per distinct value."""
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

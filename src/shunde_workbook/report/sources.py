"""The sources behind every report, for the closing "Data and methods" section (words from the catalogue)."""

from __future__ import annotations

import pandas as pd

from shunde_workbook.narrative.provenance import is_mixed_simulated, is_simulated, mix_detail
from shunde_workbook.narrative.text import join_names, status_label, tr
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
    names = [towns.loc[c, "town" if lang == "zh" else "name_en"] for c in codes if c in towns.index]
    return tr("src.population_missing", lang, towns=join_names(names, lang)) if names else ""


def source_list(lang: str, statuses: dict, facts: pd.DataFrame | None = None, mix: dict | None = None) -> list[dict]:
    """Sources and caveats in ``lang``: a list of {"label": text, "sources": [citation or URL, ...]}.

    The ledger and boundary lines follow ``statuses`` (e.g. ledger "simulated", "official" or
    "mixed: official, simulated"; ``mix`` from :func:`~shunde_workbook.narrative.provenance.ledger_mix`).
    """
    out = []
    if is_simulated(statuses):
        out.append({"label": tr("src.ledger_simulated", lang), "sources": ["data/README.md"]})
    elif is_mixed_simulated(statuses):
        detail = mix_detail(mix, lang) if mix else status_label(statuses["ledger"], lang)
        out.append({"label": tr("src.ledger_mixed", lang, detail=detail), "sources": ["data/README.md"]})
    else:
        out.append(
            {
                "label": tr("src.ledger_real", lang, status=status_label(statuses.get("ledger", "unknown"), lang)),
                "sources": [],
            }
        )
    facts = facts if facts is not None else pd.read_csv(REFERENCE / "published_facts.csv", dtype=str)
    out.append({"label": tr("src.facts", lang), "sources": list(dict.fromkeys(facts["source"].dropna()))})
    out.append({"label": tr("src.codes", lang), "sources": _unique_sources(REFERENCE / "villages.csv")})
    out.append(
        {
            "label": tr("src.population", lang, missing=_missing_population(lang)),
            "sources": _unique_sources(REFERENCE / "town_population.csv"),
        }
    )
    out.append({"label": tr("src.areas", lang), "sources": _unique_sources(REFERENCE / "towns.csv", "area_source")})
    if statuses.get("boundaries") == "approximate":
        out.append({"label": tr("src.boundaries_approx", lang), "sources": ["shapefiles/README.md"]})
    elif statuses.get("boundaries") == "official":
        out.append({"label": tr("src.boundaries_official", lang), "sources": []})
    out.append({"label": tr("src.font", lang), "sources": []})
    return out


# Hosts by kind of source.  Encyclopedias and their mirrors are weak: a figure resting on one is marked.
OFFICIAL_HOSTS = ("gov.cn", "stats.gov.cn", "shundecf.org")
PRESS_HOSTS = ("southcn.com", "sina.com.cn", "shundecity.com", "xy178.com", "sdlib.com.cn", "nfapp", "163.com")
ENCYCLOPEDIA_HOSTS = (
    "wikipedia.org",
    "kfd.me",
    "newton.com.tw",
    "cryer.org.uk",
    "vansd.ca",
    "baike.com",
    "baike.baidu.com",
    "bkwk.cn",
)
DATASET_HOSTS = ("citypopulation.de", "geonames.org", "github.com", "npmjs.com", "pypi.org")
WEAK_KINDS = ("encyclopedia",)


def source_kind(source: str) -> str:
    """The kind of a cited source: official, press, encyclopedia (incl. mirrors), dataset or other.

    A mirror of a press page (``mirror https://…``) stays press; URLs are judged by their host.
    """
    from urllib.parse import urlparse

    text = str(source).strip()
    lowered = text.lower()
    if lowered.startswith("nbs ") or "统计用区划代码" in text or lowered.endswith((".md", ".csv")):
        return "dataset"
    match = next((w for w in text.replace("(", " ").split() if w.startswith(("http://", "https://"))), "")
    first = lowered.split()[0] if lowered.split() else ""
    host = urlparse(match.rstrip(".,;)")).netloc.lower() if match else (first if "." in first else "")
    for kind, hosts in (
        ("encyclopedia", ENCYCLOPEDIA_HOSTS),
        ("official", OFFICIAL_HOSTS),
        ("press", PRESS_HOSTS),
        ("dataset", DATASET_HOSTS),
    ):
        if host and any(host == h or host.endswith("." + h) or h in host for h in hosts):
            return kind
    if any(w in text for w in ("南方Plus", "顺德城市网", "新浪")):
        return "press"
    if "统计局" in text or "政府" in text:
        return "official"
    return "other"


def is_weak(source: str) -> bool:
    """True for an encyclopedia or a mirror of one."""
    return source_kind(source) in WEAK_KINDS

"""Compare a ledger's aggregates with the published figures in published_facts.csv.

    table = reconcile(load_ledger(), load_facts())

One output row per fact, never dropped.  status is
* ``pass`` / ``fail``: the ledger can speak to the fact and meets / misses it;
* ``not applicable``: the fact is not something a grant ledger records (outcomes, applications, the trust
  corpus, 2024 closures…), or the ledger does not cover the period (the note says which).

Qualifiers (column ``qualifier``, from the facts file):
* exact        ledger == published (amounts to the 元);
* approx       |ledger − published| ≤ APPROX_TOLERANCE × published (±0.5 %);
* lower_bound  ledger ≥ published ("超1000万", "每年超200个").
Plan facts (metric planned_*) are compared only when the ledger holds the *full* year for every programme
concerned (see complete_years), else not applicable.  planned_projects_min/_max are read as the two ends
of the published range (ledger ≥ min, ledger ≤ max).  A plan 'fail' means the outturn differs from the
plan, not that the data are wrong.

Periods: '2017-2022' and 'each year' → years 2017–2022 (each programme from its first year);
'2018 batch 1' → rows whose Grant Programme:Title contains '2018年第一批', else 和美社区 rows dated
2018-10-30; '2023 Q1' → rows titled '…2023年第一季度', else 和美社区 rows of 2023 dated on/before
2023-06-05; '2018 to 2023-06-05' → rows dated on/before 2023-06-05 (undated rows of 2018–2022 included).
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from shunde_workbook.data import reference
from shunde_workbook.data.schema import PROGRAMME_FIRST_YEAR, PROGRAMMES
from shunde_workbook.units import WAN

APPROX_TOLERANCE = 0.005
RECONCILE_COLUMNS = [
    "fact_id",
    "programme",
    "period",
    "metric",
    "unit",
    "published",
    "ledger",
    "difference",
    "qualifier",
    "status",
    "source",
    "note",
]
PASS, FAIL, NA = "pass", "fail", "not applicable"
BATCH1_MARK, BATCH1_DATE = "2018年第一批", pd.Timestamp("2018-10-30")
Q1_MARK, Q1_END = "2023年第一季度", pd.Timestamp("2023-06-05")

NOT_IN_LEDGER = {
    "applications": "applications received; a ledger lists funded grants only",
    "town_governments_signing": "signatory town governments, not beneficiary locations",
    "trust_corpus": "endowment of the charitable trust, not grants",
    "foundation_registered": "registration date of the foundation, not a grant figure",
    "projects_closed": "2024 project closures; a ledger records awards, not closures",
    "projects_rated_excellent": "2024 evaluation ratings; not recorded in a ledger",
    "villages_doing_community_building": "outcome of funded work (社区营造实践); not recorded per grant",
    "community_building_demo_sites": "outcome of funded work (示范点); not recorded per grant",
    "elderly_service_centres_supported": "centres supported is an outcome count; not recorded per grant",
    "kangyuan_centres_supported": "centres supported is an outcome count; not recorded per grant",
    "village_culture_festivals": "festivals cultivated is an outcome count; not recorded per grant",
    "gengshan_shortlisted_projects": "耕善计划 showcase selection, not grants",
    "gengshan_outstanding_service_projects": "耕善计划 showcase award, not grants",
    "microgrant_cap_example": "cap of one community's 2024 micro-grant scheme, not a grant of either programme",
}
LEDGER_METRICS = {
    "amount_granted",
    "projects_funded",
    "villages_covered",
    "social_orgs_running_projects",
    "planned_funding",
    "planned_projects_min",
    "planned_projects_max",
}


def _programmes(label: str) -> list[str] | None:
    if "predecessor" in label:
        return None
    found = [p for p in PROGRAMMES if p in label]
    return found or None


#: The ledger columns the reconciliation reads.
LEDGER_COLUMNS = (
    "programme",
    "year",
    "award_date",
    "field",
    "amount",
    "programme_title",
    "recipient_id",
    "recipient_name",
    "village_code",
)


def infer_complete_years(ledger: pd.DataFrame) -> dict[str, set[int]]:
    """The programme-years the ledger covers completely.

    A programme-year counts as complete if the ledger has that programme in a later year, or an award dated
    on or after 1 October of that year.
    """
    out: dict[str, set[int]] = {}
    for p in PROGRAMMES:
        sub = ledger[ledger["programme"] == p]
        years = set(sub["year"].astype(int))
        done = set()
        for y in years:
            later = any(z > y for z in years)
            dates = sub.loc[sub["year"] == y, "award_date"]
            late = bool((dates >= pd.Timestamp(f"{y}-10-01")).any()) if dates.notna().any() else False
            if later or late:
                done.add(y)
        out[p] = done
    return out


def _status(qualifier: str, metric: str, published: float, value: float, tol: float) -> str:
    if metric == "planned_projects_min":
        return PASS if value >= published else FAIL
    if metric == "planned_projects_max":
        return PASS if value <= published else FAIL
    if qualifier == "exact":
        return PASS if np.isclose(value, published, rtol=0, atol=1e-6) else FAIL
    if qualifier == "approx":
        return PASS if abs(value - published) <= tol * abs(published) + 1e-9 else FAIL
    if qualifier == "lower_bound":
        return PASS if value >= published else FAIL
    raise ValueError(f"unknown qualifier {qualifier!r}")


def reconcile(
    ledger_df: pd.DataFrame,
    facts_df: pd.DataFrame | None = None,
    *,
    complete_years: dict[str, set[int]] | None = None,
    approx_tolerance: float = APPROX_TOLERANCE,
) -> pd.DataFrame:
    """One row per fact with columns RECONCILE_COLUMNS (amounts in 万元, like the facts file)."""
    facts = reference.load_facts() if facts_df is None else facts_df.copy()
    if "fact_id" not in facts.columns:
        facts.insert(0, "fact_id", [f"F{i:02d}" for i in range(1, len(facts) + 1)])
    led = ledger_df[[c for c in LEDGER_COLUMNS if c in ledger_df.columns]]  # rows are filtered often: no free text
    complete = infer_complete_years(led) if complete_years is None else complete_years
    present = {p: set(led.loc[led["programme"] == p, "year"].astype(int)) for p in PROGRAMMES}
    rows = []
    for f in facts.itertuples(index=False):
        metric = str(f.metric)
        m = re.fullmatch(r"(?P<base>[a-z_]+)(?:\[(?P<field>.+)\])?", metric)
        base, field = (m.group("base"), m.group("field")) if m else (metric, None)
        published = pd.to_numeric(pd.Series([f.value]), errors="coerce").iloc[0]
        row = {
            "fact_id": f.fact_id,
            "programme": f.programme,
            "period": str(f.period),
            "metric": metric,
            "unit": f.unit,
            "published": published,
            "ledger": np.nan,
            "difference": np.nan,
            "qualifier": f.qualifier,
            "status": NA,
            "source": f.source,
            "note": "",
        }
        if pd.isna(published):
            row["note"] = f"published value {f.value!r}; "
        progs = _programmes(str(f.programme))
        if base in NOT_IN_LEDGER:
            row["note"] += NOT_IN_LEDGER[base]
        elif progs is None:
            row["note"] += "2016 predecessor competition; the ledger's scope starts with 众创共善 in 2017"
        elif base not in LEDGER_METRICS:
            row["note"] += f"metric {base!r} has no ledger equivalent"
        else:
            value, note = _ledger_value(led, progs, str(f.period), base, field, complete, present)
            row["note"] += note
            if value is not None:
                row["ledger"] = value
                row["difference"] = value - published
                row["status"] = _status(str(f.qualifier), base, published, value, approx_tolerance)
                if base.startswith("planned"):
                    row["note"] = (row["note"] + "; " if row["note"] else "") + "plan vs outturn"
        rows.append(row)
    out = pd.DataFrame(rows, columns=RECONCILE_COLUMNS)
    return out


def _ledger_value(led, progs, period, base, field, complete, present):
    """(value or None, note)."""
    sub = led[led["programme"].isin(progs)]
    if field is not None:
        sub = sub[sub["field"] == field]
    names = "+".join(progs)

    # --- choose rows for the period
    if period in ("2017-2022", "each year"):
        missing = [
            f"{p} {y}" for p in progs for y in range(max(2017, PROGRAMME_FIRST_YEAR[p]), 2023) if y not in present[p]
        ]
        if missing:
            return None, "ledger does not cover " + ", ".join(missing)
        sub = sub[sub["year"].between(2017, 2022)]
    elif re.fullmatch(r"\d{4}", period):
        y = int(period)
        if base.startswith("planned"):
            incomplete = [p for p in progs if y not in complete.get(p, set())]
            if incomplete:
                return None, f"plan; ledger lacks full-year {y} data for " + ", ".join(incomplete)
        elif any(y not in present[p] for p in progs):
            return None, f"ledger has no {names} rows for {y}"
        sub = sub[sub["year"] == y]
    elif period == "2018 batch 1":
        titled = sub["programme_title"].fillna("").str.contains(BATCH1_MARK, regex=False)
        sub = sub[titled] if titled.any() else sub[sub["award_date"] == BATCH1_DATE]
        if sub.empty and not (
            led["programme_title"].fillna("").str.contains(BATCH1_MARK, regex=False).any()
            or (led["award_date"] == BATCH1_DATE).any()
        ):
            return (
                None,
                f"no rows marked as 2018 batch 1 ('{BATCH1_MARK}' in Grant Programme:Title or dated 2018-10-30)",
            )
    elif period == "2023 Q1":
        q1 = _q1_rows(led)
        if not q1.any():
            return None, f"no 2023 Q1 rows ('{Q1_MARK}' in Grant Programme:Title or dated 2023-01-01..2023-06-05)"
        sub = sub[q1.loc[sub.index]]
    elif period == "2018 to 2023-06-05":
        missing = [f"{p} {y}" for p in progs for y in range(PROGRAMME_FIRST_YEAR[p], 2023) if y not in present[p]]
        if missing:
            return None, "ledger does not cover " + ", ".join(missing)
        if not _q1_rows(led[led["programme"].isin(progs)]).any():
            return None, "cumulative figure includes 2023 Q1; ledger has no 2023 Q1 rows"
        dated = sub["award_date"].notna()
        keep = (dated & (sub["award_date"] <= Q1_END)) | (~dated & sub["year"].between(2018, 2022))
        note = f"{int((~dated & keep).sum())} undated 2018–2022 row(s) included" if (~dated & keep).any() else ""
        sub = sub[keep]
        return _metric(sub, base, period), note
    else:
        return None, f"period {period!r} not understood"
    return _metric(sub, base, period), ""


def _q1_rows(led: pd.DataFrame) -> pd.Series:
    titled = led["programme_title"].fillna("").str.contains(Q1_MARK, regex=False)
    if titled.any():
        return titled
    return (led["programme"] == "和美社区") & (led["year"] == 2023) & (led["award_date"] <= Q1_END)


def _metric(sub: pd.DataFrame, base: str, period: str) -> float:
    if base in ("amount_granted", "planned_funding"):
        return float(sub["amount"].sum()) / WAN
    if base in ("projects_funded", "planned_projects_min", "planned_projects_max"):
        return float(len(sub))
    if base == "villages_covered":
        return float(sub["village_code"].dropna().nunique())
    if base == "social_orgs_running_projects":
        org = sub["recipient_id"].fillna(sub["recipient_name"])
        per_year = org.groupby(sub["year"]).nunique()
        return float(per_year.min()) if len(per_year) else 0.0
    raise ValueError(base)  # pragma: no cover


def format_table(table: pd.DataFrame) -> str:
    """Plain-text rendering for the CLI."""
    show = table.copy()
    for c in ("published", "ledger", "difference"):
        show[c] = show[c].map(lambda v: "" if pd.isna(v) else f"{v:,.2f}".rstrip("0").rstrip("."))
    cols = [
        "fact_id",
        "programme",
        "period",
        "metric",
        "published",
        "ledger",
        "difference",
        "qualifier",
        "status",
        "note",
    ]
    return show[cols].to_string(index=False)

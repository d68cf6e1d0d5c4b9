"""The quantities findings are graded on that are not town sums: counts, growth, village Theil, the top field.

:func:`ledger_counts` counts one ledger's records (grants, organisations, villages funded, the best-funded
field): exact on complete records, so every uncertainty draw repeats them, while each simulator seed
(and each counterfactual seed) has its own.  :func:`draw_extras` adds the per-draw growth, village Theil
and town ranks of :mod:`shunde_workbook.metrics.ledger_draws` to a dict of draws.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from shunde_workbook.metrics import ledger_draws as ld
from shunde_workbook.metrics.recall import Recall

__all__ = ["draw_extras", "ledger_counts", "stack_counts", "unit_villages"]

_THEIL = Recall()


def unit_villages(villages: pd.DataFrame) -> pd.DataFrame:
    """The 2021 村(社区) the village Theil weighs equally (``code``, ``town_code``), as ``studies.fairness``."""
    return villages[villages["in_nbs_2021"].astype(int) == 1][["code", "town_code"]].astype(str)


def ledger_counts(ledger: pd.DataFrame, towns: pd.DataFrame, villages: pd.DataFrame) -> dict:
    """Exact counts of one ledger, each an array with one row: district (1,) or by town (1, T).

    ``total_grants``, ``n_orgs``, ``villages_funded`` (distinct village codes), ``top_field`` (programme and
    field joined by ``|``, object), ``top_field_share``, ``grants`` by town, ``coverage`` by town (villages
    funded / units), ``unfunded_villages`` by town (listed villages with no grant), ``town_orgs`` by town
    (organisations with a grant there).
    """
    codes = ledger["village_code"].astype("string").fillna("").str.strip()
    funded = ledger.loc[(codes != "").to_numpy(), ["town_code", "village_code"]]
    by_field = ledger.groupby(["programme", "field"])["amount"].sum().sort_values(ascending=False)
    total = float(ledger["amount"].sum())
    per_town = funded.groupby("town_code")["village_code"].nunique().reindex(towns.index).fillna(0)
    granted = set(codes[codes != ""].unique())
    hit = villages["code"].astype(str).isin(granted)  # not villages.assign(...): copying the table is slow
    unfunded = (~hit).groupby(villages["town_code"].astype(str)).sum().reindex(towns.index).fillna(0)
    top = by_field.index[0] if len(by_field) else ("", "")
    return {
        "total_grants": np.array([float(len(ledger))]),
        "n_orgs": np.array([float(ledger["recipient_name"].nunique())]),
        "villages_funded": np.array([float(codes[codes != ""].nunique())]),
        "top_field": np.array([f"{top[0]}|{top[1]}"], dtype=object),
        "top_field_share": np.array([float(by_field.iloc[0]) / total if len(by_field) and total else np.nan]),
        "grants": ledger.groupby("town_code").size().reindex(towns.index).fillna(0).to_numpy(float)[None, :],
        "coverage": (per_town / towns["village_units"]).to_numpy(dtype=float)[None, :],
        "unfunded_villages": unfunded.to_numpy(dtype=float)[None, :],
        "town_orgs": ledger.groupby("town_code")["recipient_name"]
        .nunique()
        .reindex(towns.index)
        .fillna(0)
        .to_numpy(dtype=float)[None, :],
    }


def stack_counts(parts: list[dict]) -> dict:
    """One dict with the rows of each :func:`ledger_counts` dict in ``parts``."""
    return {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}


def repeat_counts(counts: dict, draws: int) -> dict:
    """The counts of one ledger repeated in each of ``draws`` rows (exact: the draws do not change them)."""
    return {k: np.repeat(v, draws, axis=0) for k, v in counts.items()}


def draw_extras(out: dict, grants, village_town) -> dict:
    """Add growth, village Theil and town ranks to ``out``; return it.

    Keys: ``cagr``, ``theil_total``, ``theil_village_between``, ``theil_between_share``, ``rank_amount``.
    """
    out["cagr"] = ld.cagr(grants.by_year, grants.years)
    out.update(_THEIL(ld.theil_villages, grants.by_village, village_town))  # once per bootstrap in a sweep
    out["rank_amount"] = ld.rank_desc(out["amount"])
    return out


def add_means(out: dict) -> dict:
    """Add ``mean_grant`` (total money / grants) once the counts are in ``out``; return it."""
    with np.errstate(invalid="ignore", divide="ignore"):
        out["mean_grant"] = out["total_amount"] / out["total_grants"]
    return out

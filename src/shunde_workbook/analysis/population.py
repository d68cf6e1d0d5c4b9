"""Town populations anchored to the 2020 census district total.

Only one town (北滘) has a 2020 census count; the others have official estimates (B) or
undated encyclopedia figures (C), and 均安 has none.  Those figures sum to 2,777,454 over nine
towns, while the 2020 census counts 3,229,090 residents in the district.  This module turns
each town's own figures into a range for its 2020 resident population and then makes the ten
towns add up to the census total, in the point estimate and in every Monte Carlo draw.

The method (documented with its reasons in data/README.md, "Census-anchored populations"):

1. **Dates.**  Every person count in ``town_population_sources.csv`` carries the dates it may
   describe (``as_of_from``, ``as_of_to``; ``scripts/build_reference.py``).  The district grew
   2.75 % a year between the 2010 and 2020 censuses; a town's own growth since its figure is
   unknown, so it is allowed anything from none to 1.5 times that rate (北滘, the one town
   counted in both censuses, grew 1.24 times as fast).  Figures dated after the census are
   taken as they are.
2. **Prior range per town** (the central 90 % of a two-piece uniform, median = ``centre``):

   * grade A (census): fixed;
   * ``centre`` = the chosen figure brought forward at the district rate from the middle of its
     date window;
   * the range spans ``centre`` ± the grade's half-width (B ±5 %, C ±15 %) and every comparable
     figure of the town (常住 or unspecified totals), from the figure itself (no growth) to the
     figure grown at the fast rate from the earliest day it may describe.  So the older a
     figure, the wider and the higher its range: an undated one may be ten years old;
   * 户籍 + 流动 counted on the same day, where both exist, caps the range (杏坛): residents are
     either registered in the town or registered there as floating population;
   * a town with no figure (均安): the median residents per 村(社区) of the others' centres ×
     its 村(社区), ±30 %.
3. **Anchoring.**  The difference between the census total and the sum of the towns is shared
   in proportion to each town's prior variance (A: none).  For normal priors this is exactly
   the distribution of the towns given their sum; here it is the documented approximation.  The
   point estimate anchors the centres; each draw anchors a draw from the priors.

    from shunde_workbook.analysis import population
    table = population.census_anchored(towns)              # point, prior range, weight per town
    pop = population.draws(towns, 1000, np.random.default_rng(1))   # rows sum to the census
    pop = uncertainty.population_draws(inp.towns, params)   # the run's own draws (as the reports)
    population.intervals(towns)                              # point, lo, hi per town
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from shunde_workbook import paths
from shunde_workbook.errors import InputError

__all__ = [
    "COMPARABLE_METRICS",
    "GRADE_HALF_WIDTH",
    "IMPUTED_HALF_WIDTH",
    "anchor",
    "census_anchored",
    "district_census",
    "draws",
    "intervals",
    "is_anchored",
    "load_sources",
    "ranges",
    "town_priors",
]

DISTRICT = "顺德区(全区)"
CENSUS_DATE = "2020-11-01"
EARLIER_CENSUS_DATE = "2010-11-01"
#: Relative half-width of the prior around the centre, by grade (A is fixed).
GRADE_HALF_WIDTH = {"A": 0.0, "B": 0.05, "C": 0.15}
IMPUTED_HALF_WIDTH = 0.30
#: A town's growth since its figure is unknown: from none to this multiple of the district's rate
#: (北滘, the one town counted in both censuses, grew 1.24 times as fast as the district).
FAST_GROWTH = 1.5
COMPARABLE_METRICS = ("resident_population", "total_population_unspecified")
#: Columns that ``census_anchored`` adds to a town table (``population`` becomes the anchored point).
MODEL_COLUMNS = (
    "pop_figure",
    "pop_dates",
    "pop_centre",
    "pop_prior_lo",
    "pop_prior_hi",
    "pop_weight",
    "pop_note",
    "pop_half_width",
)


def decimal_year(date: str) -> float:
    """``"2020-11-01"`` → 2020.83 (day of the year over the year's length)."""
    ts = pd.Timestamp(date)
    length = 366 if ts.is_leap_year else 365
    return ts.year + (ts.day_of_year - 1) / length


def load_sources(path: str | Path | None = None) -> pd.DataFrame:
    """``town_population_sources.csv`` with ``value`` numeric and the date window as decimal years.

    Adds ``from_year`` and ``to_year`` (NaN where the row has no ``as_of_from``/``as_of_to``).
    """
    path = Path(path) if path is not None else paths.REFERENCE / "town_population_sources.csv"
    out = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    out["value"] = pd.to_numeric(out["value"], errors="coerce")
    for col, name in (("as_of_from", "from_year"), ("as_of_to", "to_year")):
        dates = out[col] if col in out.columns else pd.Series("", index=out.index)
        out[name] = [decimal_year(d) if d else np.nan for d in dates]
    return out


def district_census(sources: pd.DataFrame) -> dict:
    """The district's 2020 census total, its source, and the annual growth since the 2010 census.

    Returns
    -------
    dict
        ``total``, ``date``, ``source``, ``total_2010``, ``growth`` (annual rate between the two
        census counts restated in the same bulletin) and ``source_2010``.
    """
    rows = sources[(sources["town"] == DISTRICT) & (sources["metric"] == "resident_population")]
    now = rows[rows["year"].str.startswith(CENSUS_DATE) & rows["definition"].str.contains("census")]
    then = rows[rows["year"].str.startswith(EARLIER_CENSUS_DATE) & rows["definition"].str.contains("bulletin")]
    if now.empty or then.empty:
        raise InputError(
            "population_basis=census_anchored needs the district's 2020 and 2010 census totals "
            f"({DISTRICT}, resident_population, {CENSUS_DATE} and {EARLIER_CENSUS_DATE}) in "
            "town_population_sources.csv; they are missing. Restore the file from data/reference/, "
            "or use population_basis=best_available (the published figures, not anchored)."
        )
    total, total_2010 = float(now["value"].iloc[0]), float(then["value"].iloc[0])
    years = decimal_year(CENSUS_DATE) - decimal_year(EARLIER_CENSUS_DATE)
    return {
        "total": total,
        "date": CENSUS_DATE,
        "source": str(now["source"].iloc[0]),
        "total_2010": total_2010,
        "source_2010": str(then["source"].iloc[0]),
        "growth": (total / total_2010) ** (1 / years) - 1,
    }


def _forward(value, year, census_year: float, growth: float):
    """``value`` counted at ``year`` brought to the census date (figures after it stay as they are)."""
    return value * (1 + growth) ** np.maximum(0.0, census_year - year)


def _window(town_rows: pd.DataFrame, figure: float, year_text: str, census_year: float) -> tuple[float, float, str]:
    """The date window of a town's chosen figure, in decimal years and as text.

    From its row in the sources, else parsed from ``year_text`` (a date; a year; anything else
    counts as undated, 2010–2020).
    """
    match = town_rows[(town_rows["value"] == figure) & town_rows["from_year"].notna()]
    if len(match):
        r = match.iloc[0]
        text = r["as_of_from"] if r["as_of_from"] == r["as_of_to"] else f"{r['as_of_from']} – {r['as_of_to']}"
        return float(r["from_year"]), float(r["to_year"]), text
    text = str(year_text or "")
    day = re.match(r"(\d{4}-\d{2}-\d{2})", text)
    if day:
        return decimal_year(day.group(1)), decimal_year(day.group(1)), day.group(1)
    years = [int(y) for y in re.findall(r"(?<!\d)(19\d\d|20\d\d)(?!\d)", text)]
    if len(years) == 1 and not text.lower().startswith("n.d"):
        return float(years[0]), float(years[0]) + 1.0, str(years[0])
    return decimal_year(EARLIER_CENSUS_DATE), census_year, f"{EARLIER_CENSUS_DATE} – {CENSUS_DATE}"


def town_priors(towns: pd.DataFrame, sources: pd.DataFrame, census: dict) -> pd.DataFrame:
    """Each town's prior: ``centre``, 90 % range ``lo``–``hi`` and how it was made.

    Parameters
    ----------
    towns : pandas.DataFrame
        Indexed by town code: ``town``, ``population`` (the chosen published figure, NaN if none),
        ``pop_grade``, ``pop_year``, ``village_units``.
    sources : pandas.DataFrame
        :func:`load_sources`.
    census : dict
        :func:`district_census`.

    Returns
    -------
    pandas.DataFrame
        Indexed like ``towns``: ``figure``, ``centre``, ``lo``, ``hi``, ``age`` (years from the
        middle of the figure's window to the census), ``dates`` (the window as text), ``note``
        (``fixed``, ``dated``, ``dated_bound`` or ``imputed``: how the range was made; key
        ``popnote.<note>`` in the catalogue) and ``h`` (the grade's half-width).
    """
    cy, g = decimal_year(CENSUS_DATE), census["growth"]
    figure = pd.to_numeric(towns["population"], errors="coerce").astype(float)
    grade = towns.get("pop_grade", pd.Series("", index=towns.index)).fillna("").astype(str)
    rows = {}
    for code in towns.index:
        f, gr = figure[code], grade[code]
        mine = sources[sources["town"] == str(towns.at[code, "town"])]
        if not np.isfinite(f):
            continue
        y0, y1, dates = _window(mine, f, towns.at[code, "pop_year"] if "pop_year" in towns else "", cy)
        if gr == "A":
            rows[code] = {
                "figure": f,
                "centre": f,
                "lo": f,
                "hi": f,
                "age": 0.0,
                "dates": dates,
                "note": "fixed",
                "h": 0,
            }
            continue
        centre = float(_forward(f, (y0 + y1) / 2, cy, g))
        h = GRADE_HALF_WIDTH.get(gr, GRADE_HALF_WIDTH["C"])
        lows, highs = [centre * (1 - h)], [centre * (1 + h)]
        comparable = mine[mine["metric"].isin(COMPARABLE_METRICS) & mine["from_year"].notna()]
        for _, r in comparable.iterrows():
            lows.append(float(r["value"]))  # the town may not have grown at all
            highs.append(float(_forward(r["value"], r["from_year"], cy, FAST_GROWTH * g)))
        if not ((comparable["value"] == f).any()):  # a figure of the user's own table
            lows.append(f)
            highs.append(float(_forward(f, y0, cy, FAST_GROWTH * g)))
        note, hi = "dated", max(highs)
        bound = _registered_plus_floating(mine)
        if bound is not None:  # 常住 ≤ 户籍 + 流动 (residents are registered here or registered as floating)
            hi = min(hi, max(centre, float(_forward(bound[0], bound[1], cy, FAST_GROWTH * g))))
            note = "dated_bound"
        age = max(0.0, cy - (y0 + y1) / 2)
        rows[code] = {
            "figure": f,
            "centre": centre,
            "lo": min(lows),
            "hi": hi,
            "age": age,
            "dates": dates,
            "note": note,
            "h": h,
        }
    columns = ["figure", "centre", "lo", "hi", "age", "dates", "note", "h"]
    out = pd.DataFrame.from_dict(rows, orient="index", columns=columns)
    out = out.reindex(towns.index)
    missing = out["centre"].isna()
    if missing.any():
        units = towns["village_units"].astype(float)
        per_unit = float((out["centre"] / units).median())
        centre = per_unit * units[missing]
        out.loc[missing, "centre"] = centre
        out.loc[missing, "lo"] = centre * (1 - IMPUTED_HALF_WIDTH)
        out.loc[missing, "hi"] = centre * (1 + IMPUTED_HALF_WIDTH)
        out.loc[missing, "age"] = np.nan
        out.loc[missing, "dates"] = ""
        out.loc[missing, "note"] = "imputed"
        out.loc[missing, "h"] = IMPUTED_HALF_WIDTH
    return out


def _registered_plus_floating(rows: pd.DataFrame) -> tuple[float, float] | None:
    """户籍 + 流动 counted on the same dates, with that date (the earliest of the window), or None."""
    reg = rows[rows["metric"] == "registered_population"]
    flo = rows[rows["metric"] == "floating_population"]
    for _, r in reg.iterrows():
        same = flo[(flo["as_of_from"] == r["as_of_from"]) & (flo["as_of_to"] == r["as_of_to"])]
        if len(same) and np.isfinite(r["from_year"]):
            return float(r["value"] + same["value"].iloc[0]), float(r["from_year"])
    return None


def anchor(values, weights, total: float) -> np.ndarray:
    """Add ``weights × (total − row sum)`` to each row, so every row sums to ``total``.

    Parameters
    ----------
    values : array-like (D, T) or (T,)
    weights : array-like (T,)
        Non-negative, summing to 1; a town with weight 0 keeps its value.
    total : float

    Examples
    --------
    >>> anchor([[1.0, 2.0, 3.0]], [0.0, 0.25, 0.75], 10.0).tolist()
    [[1.0, 3.0, 6.0]]
    """
    x = np.asarray(values, dtype=float)
    w = np.asarray(weights, dtype=float)
    return x + w * (total - x.sum(axis=-1, keepdims=True))


def census_anchored(towns: pd.DataFrame, sources: pd.DataFrame | None = None) -> pd.DataFrame:
    """The town table with ``population`` replaced by the census-anchored point estimate.

    Parameters
    ----------
    towns : pandas.DataFrame
        The town table with the published figures (``inputs.town_table(..., "best_available")``).
    sources : pandas.DataFrame, optional
        :func:`load_sources` (default: ``data/reference/town_population_sources.csv``).

    Returns
    -------
    pandas.DataFrame
        ``towns`` with ``population`` = the anchored point (sums to the census total) and
        :data:`MODEL_COLUMNS`: ``pop_figure`` (the published figure), ``pop_dates`` (the days it
        may describe), ``pop_centre``, ``pop_prior_lo``, ``pop_prior_hi`` (the prior),
        ``pop_weight`` (share of the census residual the town takes), ``pop_note`` and
        ``pop_half_width`` (see :func:`town_priors`).  ``attrs["census"]`` holds :func:`district_census`.
    """
    from shunde_workbook.geo.names import TOWN_CODES

    missing, extra = sorted(set(TOWN_CODES) - set(towns.index)), sorted(set(towns.index) - set(TOWN_CODES))
    if missing or extra:
        problem = "lacks " + ", ".join(missing) if missing else "has towns outside the district: " + ", ".join(extra)
        raise InputError(
            "population_basis=census_anchored shares the district's census total among its 10 towns, but the "
            f"town table {problem}. Use population_basis=best_available for another set of towns."
        )
    sources = load_sources() if sources is None else sources
    census = district_census(sources)
    prior = town_priors(towns, sources, census)
    var = ((prior["hi"] - prior["lo"]) / 2) ** 2
    free = float(var.sum())
    fixed = prior.loc[var == 0, "centre"].sum()
    if free == 0 or fixed >= census["total"]:
        why = "every town is fixed" if free == 0 else f"the fixed towns alone have {fixed:,.0f}"
        raise InputError(
            f"population_basis=census_anchored: the towns cannot add up to the census total {census['total']:,.0f} "
            f"({why}). Use population_basis=best_available to use the figures as published."
        )
    weight = var / free
    out = towns.copy()
    out["pop_figure"] = pd.to_numeric(towns["population"], errors="coerce")
    out["population"] = anchor(prior["centre"].to_numpy(), weight.to_numpy(), census["total"])
    out["pop_centre"] = prior["centre"]
    out["pop_prior_lo"] = prior["lo"]
    out["pop_prior_hi"] = prior["hi"]
    out["pop_weight"] = weight
    out["pop_note"] = prior["note"]
    out["pop_dates"] = prior["dates"]
    out["pop_half_width"] = prior["h"]
    out.attrs["census"] = census
    return out


def is_anchored(towns: pd.DataFrame) -> bool:
    """True when ``towns`` comes from :func:`census_anchored`."""
    return "pop_weight" in towns.columns


def draws(towns: pd.DataFrame, n: int, rng: np.random.Generator, scale: float = 1.0) -> np.ndarray:
    """Populations (n, towns) from the priors, each row anchored to the census total.

    Each town is drawn from a two-piece uniform with median ``pop_centre`` whose central 90 % is
    ``pop_prior_lo``–``pop_prior_hi`` (half the draws below the centre, half above), ``scale``
    times as wide; each row is then anchored (:func:`anchor`) to the sum of ``population``, the
    census total.  ``scale`` 0 gives the point estimate in every row.
    """
    if not is_anchored(towns):
        raise ValueError("population.draws: the town table is not census-anchored (use census_anchored first)")
    m = towns["pop_centre"].to_numpy(dtype=float)
    lo = m - scale * (m - towns["pop_prior_lo"].to_numpy(dtype=float))
    hi = m + scale * (towns["pop_prior_hi"].to_numpy(dtype=float) - m)
    u = rng.random((int(n), len(m)))
    x = np.where(u < 0.5, m - (0.5 - u) / 0.45 * (m - lo), m + (u - 0.5) / 0.45 * (hi - m))
    total = float(towns["population"].sum())
    out = anchor(x, towns["pop_weight"].to_numpy(dtype=float), total)
    if (out <= 0).any():
        bad = list(towns.index[(out <= 0).any(axis=0)])
        raise ValueError(
            f"population.draws: population_uncertainty {scale} lets populations reach zero for {bad}; "
            "use a smaller population_uncertainty"
        )
    return out


def ranges(towns: pd.DataFrame, pop: np.ndarray, level: float = 0.9) -> pd.DataFrame:
    """``point``, ``lo``, ``hi``, ``basis`` per town from anchored draws ``pop`` (as ``population_ranges``)."""
    q = (1 - level) / 2
    return pd.DataFrame(
        {
            "point": towns["population"].astype(float),
            "lo": np.quantile(pop, q, axis=0),
            "hi": np.quantile(pop, 1 - q, axis=0),
            "basis": "census-anchored (" + towns["pop_note"].astype(str) + ")",
        },
        index=towns.index,
    )


def intervals(
    towns: pd.DataFrame, n: int = 1000, seed: int = 2023, scale: float = 1.0, level: float = 0.9
) -> pd.DataFrame:
    """``point``, ``lo``, ``hi`` of each town's anchored population (central ``level`` of ``n`` draws).

    The draws use the first stream of ``SeedSequence(seed)``, as :func:`analysis.evidence.evidence`
    does, so with the run's ``draws`` and ``uncertainty_seed`` these are the reports' intervals.
    """
    rng = np.random.default_rng(np.random.SeedSequence(seed).spawn(3)[0])
    return ranges(towns, draws(towns, n, rng, scale), level)[["point", "lo", "hi"]]


def sum_check(towns: pd.DataFrame, pop: np.ndarray) -> pd.DataFrame:
    """The audit's sum check: census total, sum of the published figures, sum of the estimates.

    Rows ``census_total``, ``published_sum``, ``estimate_sum`` (machine names, ``popsum.<item>`` in
    the catalogue); columns ``towns`` (how many), ``persons``, ``difference`` (from the census) and
    ``source``; ``attrs["max_draw_difference"]``: the largest |row sum − census| over the draws ``pop``.
    """
    census = towns.attrs.get("census") or district_census(load_sources())
    figures = towns["pop_figure"].dropna()
    out = pd.DataFrame(
        {
            "towns": [len(towns), len(figures), int(towns["population"].notna().sum())],
            "persons": [census["total"], float(figures.sum()), float(towns["population"].sum())],
            "source": [census["source"], "data/reference/town_population.csv", "data/README.md"],
        },
        index=pd.Index(["census_total", "published_sum", "estimate_sum"], name="item"),
    )
    out.insert(2, "difference", out["persons"] - census["total"])
    out[["persons", "difference"]] = out[["persons", "difference"]].round(3) + 0.0  # persons; no -0.0
    out.attrs["max_draw_difference"] = float(np.abs(np.asarray(pop).sum(axis=1) - census["total"]).max())
    return out

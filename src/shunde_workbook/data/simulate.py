"""SIMULATED grant ledger, calibrated to the published aggregates in published_facts.csv.

No grant-level records of either programme are public.  This module invents a
ledger whose *aggregates* match every published figure it can speak to (checked
by reconcile.reconcile) and whose *splits* (by year, town, village, organisation,
amount) come from a documented model, not from observation.  Every row carries
provenance=simulated, a title starting 【模拟】 and an invented recipient
("模拟社会组织 037").  Never present numbers derived from it as findings.

    df = simulate_ledger(seed=2023)            # in-memory, loader column names
    write_simulated("data/raw/grants_simulated.csv", seed=2023)   # 360Giving headers, byte-reproducible

Model (all knobs are keyword arguments of simulate_ledger, defaults in DEFAULTS):
* project counts: totals fixed by the facts; split by year with ``zc_year_weights`` /
  ``hm_year_weights`` (largest-remainder rounding);
* 和美社区 2018 = batch 1 (published: 43 projects, 1,000万, field counts, signed 2018-10-30, in the
  six signing towns) + a modelled batch 2 so that 2018 meets the 约2000万 plan (assumption plan = outturn);
  2023 Q1 = 60 projects signed 2023-06-05 (field counts ``hm_q1_field_counts``, amounts
  ``hm_q1_field_amounts_wan``);
* amounts: log-normal(0, ``amount_sigma``) × field multiplier, scaled to each calibrated total and
  rounded to 100 元 (the rounding residual goes to the largest grant of the group);
* places: village weight = town weight / units in town, town weight = ``town_weight_population`` ×
  population share + (1 − that) × unit-count share (均安 has no population figure: imputed as the median
  population per unit of the other towns × its units); every 2021 村(社区) is given at least one grant in
  2017–2022; 和美社区 uses exactly ``hm_villages`` (168) of them; 琴湖 (2023 list only) is never used;
* organisations: a fixed pool of ``n_orgs`` invented names with Zipf weights (exponent
  ``org_concentration``); each year max(``min_active_orgs``, ``active_share`` × projects) of them are
  active and each active organisation runs at least one project that year.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from shunde_workbook import paths
from shunde_workbook.data import reference
from shunde_workbook.data.schema import (
    DISK_COLUMNS,
    FRAME_COLUMNS,
    FUNDERS,
    PROGRAMME_TITLES,
    TO_DISK,
)
from shunde_workbook.metrics.rounding import apportion
from shunde_workbook.units import WAN

ZC, HM = "众创共善", "和美社区"
HM_BATCH1_TITLE = "和美社区计划 2018年第一批"
HM_BATCH1_DATE = "2018-10-30"
HM_Q1_TITLE = "和美社区计划 2023年第一季度"
HM_Q1_DATE = "2023-06-05"
HM_BATCH1_TOWNS = ("容桂", "伦教", "陈村", "北滘", "龙江", "均安")  # signing towns (published, fact F25)
DEFAULT_OUTPUT = paths.RAW / "grants_simulated.csv"

DEFAULTS: dict = {
    "zc_year_weights": {2017: 0.160, 2018: 0.160, 2019: 0.165, 2020: 0.165, 2021: 0.170, 2022: 0.180},
    "hm_year_weights": {2019: 0.22, 2020: 0.24, 2021: 0.26, 2022: 0.28},
    "hm_2018_batch2_projects": 44,
    "hm_q1_field_counts": {"社区照顾": 21, "社区营造": 21, "教育发展": 9, "公益创新": 9},
    "hm_q1_field_amounts_wan": {"社区照顾": 430, "社区营造": 420, "教育发展": 110, "公益创新": 100},
    "amount_sigma": 0.6,
    "field_amount_multipliers": {"社会服务设施建设": 2.0, "行业支持": 0.8},
    "zc_village_share": 0.85,
    "zc_cover_every_village": True,
    "hm_villages": 168,
    "town_weight_population": 0.5,
    "n_orgs": 400,
    "org_concentration": 1.0,
    "min_active_orgs": 210,
    "active_share": 0.75,
    "round_to": 100,
}


# ---------------------------------------------------------------------------- the steps


def simulate_ledger(seed: int = 2023, **knobs) -> pd.DataFrame:
    """Return a SIMULATED ledger (columns schema.FRAME_COLUMNS, dtypes as load_ledger returns).

    Keyword knobs override DEFAULTS (see module docstring).  Unknown knobs raise TypeError.
    The steps draw from one random generator in a fixed order, so a seed gives the same ledger.
    """
    villages = reference.load_villages(include_2023_only=False)  # the 205 of the 2021 list
    return finish_frame(simulate_rows(seed, **knobs), seed, reference.load_towns(), villages)


def simulate_rows(seed: int = 2023, **knobs) -> pd.DataFrame:
    """The rows of :func:`simulate_ledger`, in its order, without the labels :func:`finish_frame` adds.

    Columns ``programme, year, group, field, programme_title, award_date, amount, town_code,
    village_code`` ("" for a town-level grant), ``recipient_id, recipient_name``.  The same random
    draws as :func:`simulate_ledger`, so every total and count over these rows is the ledger's: the seed
    ensembles (``analysis.recompute``) aggregate these rows and skip the labelling.
    """
    k = _knobs(knobs)
    rng = np.random.default_rng(seed)
    targets = _targets(k)
    df = project_rows(rng, targets, reference.load_programme_fields(), k)
    df["amount"] = draw_amounts(rng, df, targets, k)
    df["award_date"] = draw_award_dates(rng, df)
    villages = reference.load_villages(include_2023_only=False)  # the 205 of the 2021 list
    df["town_code"], df["village_code"] = draw_places(rng, df, villages, reference.load_towns(), k)
    df["recipient_id"], df["recipient_name"] = draw_organisations(rng, df, k)
    return in_ledger_order(df)


def _knobs(knobs: dict) -> dict:
    """DEFAULTS overridden by ``knobs``; TypeError for an unknown knob."""
    unknown = set(knobs) - set(DEFAULTS)
    if unknown:
        raise TypeError(f"unknown knob(s): {sorted(unknown)}; known: {sorted(DEFAULTS)}")
    return {**DEFAULTS, **knobs}


@dataclass(frozen=True)
class Targets:
    """Calibration targets: project counts and amounts (万元) per group of rows, from published_facts.csv.

    Groups: ``zc`` (众创共善 2017–2022), ``hm_b1`` (和美社区 2018 batch 1, published), ``hm_b2`` (modelled
    2018 batch 2), ``hm_1922`` (和美社区 2019–2022) and ``hm_q1`` (和美社区 2023 Q1, by field).
    """

    zc_projects: int
    hm_b1_fields: dict[str, int]  # published project counts by field
    hm_b2_projects: int
    hm_1922_projects: int
    hm_q1_fields: dict[str, int]
    wan: dict[str, float]  # group (zc, hm_b1, hm_b2, hm_1922) -> amount in 万元
    hm_q1_wan: dict[str, float]  # field -> amount in 万元


def _targets(k: dict) -> Targets:
    """:func:`calibration_targets` of the published facts, computed once per distinct target knobs."""
    key = repr([k["hm_2018_batch2_projects"], k["hm_q1_field_counts"], k["hm_q1_field_amounts_wan"]])
    if key not in _TARGETS:
        _TARGETS[key] = calibration_targets(reference.load_facts(), k)
    return _TARGETS[key]


_TARGETS: dict[str, Targets] = {}


def _fact(facts: pd.DataFrame, programme: str, period: str, metric: str) -> float:
    row = facts[(facts.programme == programme) & (facts.period == period) & (facts.metric == metric)]
    if len(row) != 1:
        raise KeyError((programme, period, metric))
    return float(row.value.iloc[0])


def calibration_targets(facts: pd.DataFrame, k: dict) -> Targets:
    """What the published figures leave for each group once the published batches are taken out."""
    both_projects = int(_fact(facts, "众创共善+和美社区", "2017-2022", "projects_funded"))
    both_wan = _fact(facts, "众创共善+和美社区", "2017-2022", "amount_granted")
    hm_cum_projects = int(_fact(facts, HM, "2018 to 2023-06-05", "projects_funded"))
    hm_cum_wan = _fact(facts, HM, "2018 to 2023-06-05", "amount_granted")
    hm_q1_projects = int(_fact(facts, HM, "2023 Q1", "projects_funded"))
    b1_projects = int(_fact(facts, HM, "2018 batch 1", "projects_funded"))
    b1_wan = _fact(facts, HM, "2018 batch 1", "amount_granted")
    hm_2018_plan_wan = _fact(facts, HM, "2018", "planned_funding")
    b1_fields = {
        f: int(_fact(facts, HM, "2018 batch 1", f"projects_funded[{f}]"))
        for f in ("教育发展", "社区照顾", "文化保育", "社区发展", "行业支持")
    }
    assert sum(b1_fields.values()) == b1_projects
    q1_counts = dict(k["hm_q1_field_counts"])
    assert sum(q1_counts.values()) == hm_q1_projects, "hm_q1_field_counts must sum to the published 60"
    q1_wan = dict(k["hm_q1_field_amounts_wan"])

    hm_2018_22_projects = hm_cum_projects - hm_q1_projects
    hm_b2 = int(k["hm_2018_batch2_projects"])
    hm_1922 = hm_2018_22_projects - b1_projects - hm_b2
    zc_projects = both_projects - hm_2018_22_projects
    hm_1922_wan = hm_cum_wan - hm_2018_plan_wan - sum(q1_wan.values())
    hm_2018_22_wan = hm_cum_wan - sum(q1_wan.values())
    zc_wan = both_wan - hm_2018_22_wan
    if min(hm_1922, zc_projects, hm_1922_wan, zc_wan) <= 0:
        raise ValueError("knobs leave no room for the remaining projects/amounts")
    wan = {"zc": zc_wan, "hm_b1": b1_wan, "hm_b2": hm_2018_plan_wan - b1_wan, "hm_1922": hm_1922_wan}
    return Targets(zc_projects, b1_fields, hm_b2, hm_1922, q1_counts, wan, q1_wan)


def project_rows(rng: np.random.Generator, t: Targets, fields: pd.DataFrame, k: dict) -> pd.DataFrame:
    """One row per project: programme, year, group, field, programme_title, award_date (published batches only).

    Counts by year: largest-remainder split of each total by ``zc_year_weights`` / ``hm_year_weights``.
    Fields: 众创共善 by a Dirichlet draw over the year's fields; 和美社区 in the mix of 2018 batch 1.
    """
    cols: dict[str, list] = {c: [] for c in ("programme", "year", "group", "field", "programme_title", "award_date")}

    def add(programme, year, group, field_list, title, date=None):
        n = len(field_list)
        for c, v in zip(cols, (programme, year, group, None, title, date), strict=True):
            cols[c].extend(field_list if c == "field" else [v] * n)

    by_year: dict[tuple, list] = {}
    for prog, yr, f in zip(fields["programme"], fields["year"], fields["field"], strict=True):
        by_year.setdefault((prog, int(yr)), []).append(f)

    def fields_for(programme, year):
        return by_year.get((programme, int(year)), [])

    for year, n in apportion(t.zc_projects, k["zc_year_weights"]).items():
        fl = fields_for(ZC, year)
        probs = rng.dirichlet(np.full(len(fl), 5.0))
        add(ZC, year, "zc", rng.choice(fl, size=n, p=probs).tolist(), f"{PROGRAMME_TITLES[ZC]} {year}年")
    b1_fields = t.hm_b1_fields
    add(HM, 2018, "hm_b1", [f for f, c in b1_fields.items() for _ in range(c)], HM_BATCH1_TITLE, HM_BATCH1_DATE)
    mix = np.array([b1_fields[f] for f in b1_fields], dtype=float)
    mix /= mix.sum()
    add(
        HM,
        2018,
        "hm_b2",
        rng.choice(list(b1_fields), size=t.hm_b2_projects, p=mix).tolist(),
        f"{PROGRAMME_TITLES[HM]} 2018年",
    )
    for year, n in apportion(t.hm_1922_projects, k["hm_year_weights"]).items():
        fl = fields_for(HM, year)
        p = np.array([b1_fields.get(f, mix.mean()) for f in fl], dtype=float)
        add(HM, year, "hm_1922", rng.choice(fl, size=n, p=p / p.sum()).tolist(), f"{PROGRAMME_TITLES[HM]} {year}年")
    add(HM, 2023, "hm_q1", [f for f, c in t.hm_q1_fields.items() for _ in range(c)], HM_Q1_TITLE, HM_Q1_DATE)
    return pd.DataFrame(cols)


def _amounts(
    rng: np.random.Generator, n: int, total_yuan: int, multipliers: np.ndarray, sigma: float, round_to: int
) -> np.ndarray:
    """N positive amounts (multiples of round_to) summing exactly to total_yuan."""
    w = rng.lognormal(0.0, sigma, n) * multipliers
    a = np.round(w / w.sum() * total_yuan / round_to).astype(np.int64) * round_to
    a = np.maximum(a, round_to)
    a[np.argmax(a)] += total_yuan - a.sum()
    assert a.sum() == total_yuan and (a > 0).all()
    return a


def draw_amounts(rng: np.random.Generator, df: pd.DataFrame, t: Targets, k: dict) -> np.ndarray:
    """Amounts in 元 (float): each group's (和美 2023 Q1: each field's) total split log-normally."""
    mult_map = k["field_amount_multipliers"]
    fields, groups = df["field"].to_numpy(dtype=object), df["group"].to_numpy(dtype=object)
    mult = np.array([mult_map.get(f, 1.0) for f in fields], dtype=float)
    amount = np.zeros(len(df), dtype=np.int64)
    sig, rt = float(k["amount_sigma"]), int(k["round_to"])
    for group, wan in t.wan.items():
        m = groups == group
        amount[m] = _amounts(rng, int(m.sum()), int(round(wan * WAN)), mult[m], sig, rt)
    for f, wan in t.hm_q1_wan.items():
        m = (groups == "hm_q1") & (fields == f)
        amount[m] = _amounts(rng, int(m.sum()), int(round(wan * WAN)), mult[m], sig, rt)
    return amount.astype(float)


def draw_award_dates(rng: np.random.Generator, df: pd.DataFrame) -> pd.Series:
    """Published batches keep their signing dates; other rows get a uniform day (batch 2: late 2018)."""
    given = df["award_date"]
    todo = given.isna().to_numpy()
    days = np.full(len(df), np.datetime64("NaT"), dtype="datetime64[D]")
    days[~todo] = given[~todo].to_numpy(dtype=str).astype("datetime64[D]")
    groups, years = df["group"].to_numpy(dtype=object), df["year"].to_numpy(dtype=np.int64)
    for group, year in sorted(set(zip(groups[todo], years[todo], strict=True))):  # groupby's order
        idx = np.flatnonzero(todo & (groups == group) & (years == year))
        if group == "hm_b2":
            lo, hi = np.datetime64("2018-11-15"), np.datetime64("2018-12-28")
        else:
            lo, hi = np.datetime64(f"{year}-03-01"), np.datetime64(f"{year}-12-20")
        days[idx] = lo + rng.integers(0, int((hi - lo).astype(int)) + 1, size=len(idx))
    return pd.Series(days.astype("datetime64[ns]"), index=df.index, name="award_date")


_TOWN_WEIGHTS: dict[float, pd.Series] = {}  # draw_places' memory: share -> town_weights(share)


def town_weights(population_share: float = 0.5) -> pd.Series:
    """Modelled town weights (index town_code): blend of population share and 2021 unit-count share."""
    towns = reference.load_towns().set_index("town_code")
    pop = reference.load_population().set_index("town_code")["population"].astype(float)
    units = towns["n_village_units_2021"].astype(float)
    per_unit = (pop / units).median()
    pop = pop.fillna(units * per_unit)  # 均安: imputed, see module docstring
    w = population_share * pop / pop.sum() + (1 - population_share) * units / units.sum()
    return w / w.sum()


@dataclass(frozen=True)
class _VillagePool:
    """The 2021 村(社区): codes, town codes and modelled weights (town weight / units in the town)."""

    codes: np.ndarray
    towns: np.ndarray
    weights: np.ndarray

    def pick(self, rng: np.random.Generator, pool: np.ndarray, size: int) -> np.ndarray:
        """``size`` positions drawn from ``pool`` with replacement, in proportion to the weights."""
        p = self.weights[pool] / self.weights[pool].sum()
        return rng.choice(pool, size=size, replace=True, p=p)


def draw_places(
    rng: np.random.Generator, df: pd.DataFrame, villages: pd.DataFrame, towns: pd.DataFrame, k: dict
) -> tuple[np.ndarray, np.ndarray]:
    """(town_code, village_code or "") per row.

    和美社区 rows are village-level except 行业支持; 众创共善 rows with probability ``zc_village_share``.
    Town-level rows get a town by town weight (2018 batch 1: one of the signing towns).
    """
    share = float(k["town_weight_population"])
    if share not in _TOWN_WEIGHTS:
        _TOWN_WEIGHTS[share] = town_weights(share)
    tw = _TOWN_WEIGHTS[share]
    vtown = villages["town_code"].to_numpy(dtype=object)
    towns_of, units = np.unique(vtown, return_counts=True)
    per_village = dict(zip(towns_of, tw.reindex(towns_of).to_numpy() / units, strict=True))
    pool = _VillagePool(
        villages["code"].to_numpy(), villages["town_code"].to_numpy(), np.array([per_village[t] for t in vtown])
    )
    n = len(df)
    programme, field = df["programme"].to_numpy(dtype=object), df["field"].to_numpy(dtype=object)
    is_hm = programme == HM
    village_level = np.where(is_hm, field != "行业支持", rng.random(n) < k["zc_village_share"])
    b1 = df["group"].to_numpy(dtype=object) == "hm_b1"
    short_to_code = dict(zip(towns.short_name, towns.town_code, strict=False))
    b1_towns = {short_to_code[s] for s in HM_BATCH1_TOWNS}
    village = np.full(n, "", dtype=object)
    _hemei_villages(rng, village, pool, is_hm & village_level, b1, b1_towns, int(k["hm_villages"]))
    _zhongchuang_villages(rng, village, pool, ~is_hm & village_level, bool(k["zc_cover_every_village"]))
    town = _town_codes(rng, village, b1, b1_towns, tw)
    return town, village


def _hemei_villages(
    rng: np.random.Generator,
    village: np.ndarray,
    pool: _VillagePool,
    rows: np.ndarray,
    b1: np.ndarray,
    b1_towns: set,
    hm_villages: int,
) -> None:
    """Fill ``village`` for 和美社区's village-level ``rows``.

    Exactly ``hm_villages`` villages are used, each at least once; 2018 batch 1 only in the signing towns.
    """
    codes = pool.codes
    hm_set = rng.choice(len(codes), size=hm_villages, replace=False, p=pool.weights / pool.weights.sum())
    b1_pool = hm_set[np.array([pool.towns[i] in b1_towns for i in hm_set])]
    rows_b1v = np.flatnonzero(b1 & rows)
    village[rows_b1v] = codes[pool.pick(rng, b1_pool, len(rows_b1v))]
    covered = set(village[rows_b1v])
    todo = [i for i in hm_set if codes[i] not in covered]
    rng.shuffle(todo)
    perm = rng.permutation(np.flatnonzero(rows & ~b1))
    village[perm[: len(todo)]] = codes[todo]
    rest = perm[len(todo) :]
    village[rest] = codes[pool.pick(rng, hm_set, len(rest))]


def _zhongchuang_villages(
    rng: np.random.Generator, village: np.ndarray, pool: _VillagePool, rows: np.ndarray, cover_all: bool = True
) -> None:
    """Fill ``village`` for 众创共善's village-level ``rows``: every 2021 village at least once.

    ``cover_all`` is the knob ``zc_cover_every_village``; off, every row draws its village by weight.
    """
    codes = pool.codes
    rows_zcv = rng.permutation(np.flatnonzero(rows))
    allv = rng.permutation(len(codes)) if cover_all else np.array([], dtype=int)
    village[rows_zcv[: len(allv)]] = codes[allv]
    rest = rows_zcv[len(allv) :]
    village[rest] = codes[pool.pick(rng, np.arange(len(codes)), len(rest))]


def _town_codes(
    rng: np.random.Generator, village: np.ndarray, b1: np.ndarray, b1_towns: set, tw: pd.Series
) -> np.ndarray:
    """The village's town; rows without a village draw a town by weight (batch 1: a signing town)."""
    town = np.full(len(village), "", dtype=object)
    has_v = village != ""
    town[has_v] = [c[:9] for c in village[has_v]]
    # ``rng.choice(codes, p=p)`` once per row, in row order, draws one uniform ``u`` and returns
    # ``codes[searchsorted(cdf, u, "right")]`` with ``cdf = cumsum(p) / cumsum(p)[-1]``: the same, vectorised
    rows = np.flatnonzero(~has_v)
    u = rng.random(len(rows))
    choices = np.array(sorted(b1_towns))
    for codes, p, pick in (
        (choices, tw[choices].to_numpy() / tw[choices].sum(), b1[rows]),
        (tw.index.to_numpy(), tw.to_numpy(), ~b1[rows]),
    ):
        cdf = p.cumsum()
        cdf /= cdf[-1]
        town[rows[pick]] = codes[cdf.searchsorted(u[pick], side="right")]
    return town


def draw_organisations(rng: np.random.Generator, df: pd.DataFrame, k: dict) -> tuple[list[str], list[str]]:
    """(recipient_id, recipient_name) per row.

    A Zipf-weighted pool of ``n_orgs`` invented organisations; each year's active organisations each run at
    least one project.
    """
    n_orgs = int(k["n_orgs"])
    org_w = 1.0 / np.arange(1, n_orgs + 1) ** float(k["org_concentration"])
    org_w /= org_w.sum()
    org = np.zeros(len(df), dtype=np.int64)
    years = df["year"].to_numpy()
    for year in np.unique(years):
        idx = rng.permutation(np.flatnonzero(years == year))
        ny = len(idx)
        active_n = min(ny, n_orgs, max(int(k["min_active_orgs"]), int(round(ny * k["active_share"]))))
        active = rng.choice(n_orgs, size=active_n, replace=False, p=org_w)
        org[idx[:active_n]] = active
        extra = ny - active_n
        if extra:
            pa = org_w[active] / org_w[active].sum()
            org[idx[active_n:]] = rng.choice(active, size=extra, replace=True, p=pa)
    width = max(3, len(str(n_orgs)))
    number = np.array([f"{o + 1:0{width}d}" for o in range(n_orgs)], dtype=object)[org]
    return list("SIM-ORG-" + number), list("模拟社会组织 " + number)


def in_ledger_order(df: pd.DataFrame) -> pd.DataFrame:
    """The rows sorted as the ledger lists them (year, 众创共善 first, date, town, village, amount), renumbered."""

    def rank(col):  # strings by code point (the order pandas sorts them in)
        return np.unique(df[col].to_numpy(dtype=str), return_inverse=True)[1]

    keys = [df["amount"].to_numpy(), rank("village_code"), rank("town_code"), df["award_date"].to_numpy()]
    keys += [df["programme"].to_numpy(dtype=object) == HM, df["year"].to_numpy()]
    return df.take(np.lexsort(keys)).reset_index(drop=True)  # stable: ties keep the drawing order


def finish_frame(df: pd.DataFrame, seed: int, towns: pd.DataFrame, villages: pd.DataFrame) -> pd.DataFrame:
    """Sort, number and label the rows (identifiers, 【模拟】 titles, SIMULATED description, locations)."""
    df = in_ledger_order(df)
    seq = np.arange(1, len(df) + 1)
    prefix = np.where(df["programme"] == HM, "HM", "ZC")
    df["identifier"] = [f"SIM-{p}-{y}-{s:05d}" for p, y, s in zip(prefix, df["year"], seq, strict=False)]
    df["title"] = [f"【模拟】{f}项目 #{s:05d}" for f, s in zip(df["field"], seq, strict=False)]
    df["description"] = (
        f"【模拟数据 SIMULATED】非真实资助记录；按公开汇总数据校准的模型生成 (seed={seed})；"
        "仅供演示与测试，不得作为研究发现引用。"
    )
    df["currency"] = "CNY"
    df["funder"] = df["programme"].map(FUNDERS)
    towns_name = dict(zip(towns.town_code, towns.town, strict=False))
    vnames = dict(zip(villages.code, villages.name, strict=False))
    df["location_name"] = df["town_code"].map(towns_name) + df["village_code"].map(vnames).fillna("")
    df["location_code"] = np.where(df["village_code"] != "", df["village_code"], df["town_code"])
    df["provenance"] = "simulated"
    df["year"] = df["year"].astype("int64")
    df["village_code"] = df["village_code"].replace("", np.nan)
    df = df[FRAME_COLUMNS].copy()
    for c in FRAME_COLUMNS:
        if c not in ("amount", "award_date", "year"):
            df[c] = df[c].astype("str")
    return df


def to_disk_frame(df: pd.DataFrame) -> pd.DataFrame:
    """In-memory ledger → on-disk 360Giving columns (amount as integer 元 when whole, dates ISO)."""
    out = df[FRAME_COLUMNS].copy()
    whole = np.all(np.mod(out["amount"].to_numpy(), 1) == 0)
    out["amount"] = out["amount"].astype("int64") if whole else out["amount"].round(2)
    out["award_date"] = out["award_date"].dt.strftime("%Y-%m-%d")
    out["village_code"] = out["village_code"].fillna("")
    out = out.rename(columns=TO_DISK)
    return out[DISK_COLUMNS]


def write_simulated(path: str | Path | None = None, seed: int = 2023, **knobs) -> Path:
    """Write the simulated ledger as UTF-8 CSV with 360Giving headers; same seed → byte-identical file."""
    path = Path(path) if path is not None else DEFAULT_OUTPUT
    path.parent.mkdir(parents=True, exist_ok=True)
    data = to_disk_frame(simulate_ledger(seed, **knobs)).to_csv(index=False, lineterminator="\n")
    path.write_bytes(data.encode("utf-8"))
    return path

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
from functools import cache
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
from shunde_workbook.data.simulate_places import (  # noqa: F401 - HM_BATCH1_TOWNS, town_weights: re-exported
    HM_BATCH1_TOWNS,
    draw_places,
    per_distinct,
    place_codes,
    town_weights,
)
from shunde_workbook.metrics.rounding import apportion
from shunde_workbook.units import WAN

ZC, HM = "众创共善", "和美社区"
HM_BATCH1_TITLE = "和美社区计划 2018年第一批"
HM_BATCH1_DATE = "2018-10-30"
HM_Q1_TITLE = "和美社区计划 2023年第一季度"
HM_Q1_DATE = "2023-06-05"
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
    village_code`` ("" for a town-level grant), ``recipient_id, recipient_name``: a frame of
    :func:`simulate_columns`.
    """
    return rows_frame(simulate_columns(seed, **knobs), int(_knobs(knobs)["n_orgs"]))


def simulate_columns(seed: int = 2023, **knobs) -> dict[str, np.ndarray]:
    """The rows of :func:`simulate_rows` as numpy arrays, in the ledger's order, without a DataFrame.

    Keys ``programme, group, field, programme_title`` (object), ``year`` (int64), ``award_date``
    (datetime64[D]), ``amount`` (float, 元), ``town_code``, ``village_code`` (object, "" for a town-level
    grant), ``town``, ``village`` (int64: positions in ``simulate_places.place_codes``, village -1 for a
    town-level grant) and ``org`` (int64: the organisation's number − 1, see :func:`org_labels`).  The same random
    draws as :func:`simulate_ledger`, so every total and count over these rows is the ledger's: the seed
    ensembles (``analysis.ensemble_rows``) aggregate these arrays and skip the frame and the labels.
    """
    k = _knobs(knobs)
    rng = np.random.default_rng(seed)
    targets = _targets(k)
    cols = project_columns(rng, targets, _fields_by_year(), k)
    cols["amount"] = draw_amounts(rng, cols, targets, k)
    cols["award_date"] = award_days(rng, cols)
    cols["town"], cols["village"] = draw_places(rng, cols, k)
    town_codes, village_codes = place_codes(k["town_weight_population"])
    cols["town_code"], cols["village_code"] = town_codes[cols["town"]], village_codes[cols["village"]]
    ranks = code_ranks(village_codes)[cols["village"]], code_ranks(town_codes)[cols["town"]]  # of the few codes
    cols["org"] = draw_organisations(rng, cols["year"], k)
    order = ledger_order(cols, *ranks)
    return {c: v[order] for c, v in cols.items()}


def rows_frame(cols: dict, n_orgs: int) -> pd.DataFrame:
    """The frame of :func:`simulate_rows` from :func:`simulate_columns`' arrays (organisations named)."""
    ids, names = org_labels(cols["org"], n_orgs)
    frame = {c: cols[c] for c in ("programme", "year", "group", "field", "programme_title")}
    frame["award_date"] = cols["award_date"].astype("datetime64[ns]")
    frame.update({c: cols[c] for c in ("amount", "town_code", "village_code")})
    return pd.DataFrame({**frame, "recipient_id": ids, "recipient_name": names})


def forget() -> None:
    """Forget the set-up this process remembers (targets, splits by year, places); for from-scratch timing."""
    from shunde_workbook.data import simulate_places

    _TARGETS.clear()
    _APPORTIONED.clear()
    _fields_by_year.cache_clear()
    simulate_places._PLACES.clear()
    simulate_places._CODES.clear()


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


def _by_year(fields: pd.DataFrame) -> dict[tuple, list]:
    """(programme, year) -> the year's fields, in the order of programme_fields.csv."""
    by_year: dict[tuple, list] = {}
    for prog, yr, f in zip(fields["programme"], fields["year"], fields["field"], strict=True):
        by_year.setdefault((prog, int(yr)), []).append(f)
    return by_year


@cache
def _fields_by_year() -> dict[tuple, list]:
    return _by_year(reference.load_programme_fields())


def project_rows(rng: np.random.Generator, t: Targets, fields: pd.DataFrame, k: dict) -> pd.DataFrame:
    """:func:`project_columns` as a frame, the fields read from ``fields`` (programme_fields.csv)."""
    return pd.DataFrame(project_columns(rng, t, _by_year(fields), k))


def project_columns(rng: np.random.Generator, t: Targets, by_year: dict, k: dict) -> dict[str, np.ndarray]:
    """One row per project: programme, year, group, field, programme_title, award_date (published batches only).

    Counts by year: largest-remainder split of each total by ``zc_year_weights`` / ``hm_year_weights``.
    Fields: 众创共善 by a Dirichlet draw over the year's fields; 和美社区 in the mix of 2018 batch 1.
    ``by_year``: (programme, year) -> the year's fields.
    """
    segments: list[tuple] = []  # (programme, year, group, title, date, fields of the rows)

    def add(programme, year, group, fields, title, date=None):
        segments.append((programme, year, group, title, date, np.asarray(fields, dtype=object)))

    def drawn(names: list, n: int, p) -> np.ndarray:  # rng.choice(names, n, p=p), as indices then names
        return np.array(names, dtype=object)[rng.choice(len(names), size=n, p=p)]

    for year, n in _apportion(t.zc_projects, k["zc_year_weights"]).items():
        fl = by_year.get((ZC, int(year)), [])
        probs = rng.dirichlet(np.full(len(fl), 5.0))
        add(ZC, year, "zc", drawn(fl, n, probs), f"{PROGRAMME_TITLES[ZC]} {year}年")
    b1_fields = t.hm_b1_fields
    add(HM, 2018, "hm_b1", [f for f, c in b1_fields.items() for _ in range(c)], HM_BATCH1_TITLE, HM_BATCH1_DATE)
    mix = np.array([b1_fields[f] for f in b1_fields], dtype=float)
    mix /= mix.sum()
    add(HM, 2018, "hm_b2", drawn(list(b1_fields), t.hm_b2_projects, mix), f"{PROGRAMME_TITLES[HM]} 2018年")
    for year, n in _apportion(t.hm_1922_projects, k["hm_year_weights"]).items():
        fl = by_year.get((HM, int(year)), [])
        p = np.array([b1_fields.get(f, mix.mean()) for f in fl], dtype=float)
        add(HM, year, "hm_1922", drawn(fl, n, p / p.sum()), f"{PROGRAMME_TITLES[HM]} {year}年")
    add(HM, 2023, "hm_q1", [f for f, c in t.hm_q1_fields.items() for _ in range(c)], HM_Q1_TITLE, HM_Q1_DATE)
    sizes = [len(seg[5]) for seg in segments]
    row_segment = np.repeat(np.arange(len(segments)), sizes)
    out = {}
    for i, c in enumerate(("programme", "year", "group", "programme_title", "award_date")):
        out[c] = np.array([seg[i] for seg in segments], dtype=object)[row_segment]
    out["field"] = np.concatenate([seg[5] for seg in segments]) if segments else np.zeros(0, dtype=object)
    out["year"] = out["year"].astype(np.int64)
    return {c: out[c] for c in ("programme", "year", "group", "field", "programme_title", "award_date")}


def _apportion(total: int, weights: dict) -> dict:
    """``apportion(total, weights)``, computed once per process for each distinct split."""
    key = (int(total), tuple(weights.items()))
    if key not in _APPORTIONED:
        _APPORTIONED[key] = apportion(total, weights)
    return _APPORTIONED[key]


_APPORTIONED: dict[tuple, dict] = {}


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


def draw_amounts(rng: np.random.Generator, rows, t: Targets, k: dict) -> np.ndarray:
    """Amounts in 元 (float): each group's (和美 2023 Q1: each field's) total split log-normally.

    ``rows``: columns ``field`` and ``group`` (arrays or a frame).
    """
    mult_map = k["field_amount_multipliers"]
    fields, groups = np.asarray(rows["field"], dtype=object), np.asarray(rows["group"], dtype=object)
    field_code, field_names = pd.factorize(fields)
    mult = np.array([mult_map.get(f, 1.0) for f in field_names], dtype=float)[field_code]
    group_code, group_names = pd.factorize(groups)

    def rows_of(codes: np.ndarray, names: np.ndarray, name: str) -> np.ndarray:  # == name, on the codes
        where = np.flatnonzero(names == name)
        return codes == where[0] if len(where) else np.zeros(len(codes), dtype=bool)

    amount = np.zeros(len(fields), dtype=np.int64)
    sig, rt = float(k["amount_sigma"]), int(k["round_to"])
    for group, wan in t.wan.items():
        m = rows_of(group_code, group_names, group)
        amount[m] = _amounts(rng, int(m.sum()), int(round(wan * WAN)), mult[m], sig, rt)
    q1 = rows_of(group_code, group_names, "hm_q1")
    for f, wan in t.hm_q1_wan.items():
        m = q1 & rows_of(field_code, field_names, f)
        amount[m] = _amounts(rng, int(m.sum()), int(round(wan * WAN)), mult[m], sig, rt)
    return amount.astype(float)


def draw_award_dates(rng: np.random.Generator, df: pd.DataFrame) -> pd.Series:
    """:func:`award_days` as a datetime64[ns] Series on ``df``'s index."""
    days = award_days(rng, df)
    return pd.Series(days.astype("datetime64[ns]"), index=df.index, name="award_date")


def award_days(rng: np.random.Generator, rows) -> np.ndarray:
    """Published batches keep their signing dates; other rows get a uniform day (batch 2: late 2018).

    ``rows``: columns ``award_date`` (the published date or missing), ``group`` and ``year``; datetime64[D].
    """
    given = np.asarray(rows["award_date"], dtype=object)
    todo = pd.isna(given)
    days = np.full(len(given), np.datetime64("NaT"), dtype="datetime64[D]")
    days[~todo] = given[~todo].astype(str).astype("datetime64[D]")
    group_code, groups = pd.factorize(np.asarray(rows["group"], dtype=object))
    years = np.asarray(rows["year"], dtype=np.int64)
    first = int(years.min(initial=0))
    span = int(years.max(initial=0)) - first + 1
    pairs = np.unique(group_code[todo] * span + (years[todo] - first))  # distinct (group, year)
    # in groupby's order: by group name, then year
    for group, year, g in sorted((groups[p // span], first + int(p % span), p // span) for p in pairs):
        idx = np.flatnonzero(todo & (group_code == g) & (years == year))
        if group == "hm_b2":
            lo, hi = np.datetime64("2018-11-15"), np.datetime64("2018-12-28")
        else:
            lo, hi = np.datetime64(f"{year}-03-01"), np.datetime64(f"{year}-12-20")
        days[idx] = lo + rng.integers(0, int((hi - lo).astype(int)) + 1, size=len(idx))
    return days


def draw_organisations(rng: np.random.Generator, years: np.ndarray, k: dict) -> np.ndarray:
    """The organisation of each row (0 .. ``n_orgs`` − 1; ``years``: each row's year).

    A Zipf-weighted pool of ``n_orgs`` invented organisations; each year's active organisations each run at
    least one project.
    """
    n_orgs = int(k["n_orgs"])
    org_w = 1.0 / np.arange(1, n_orgs + 1) ** float(k["org_concentration"])
    org_w /= org_w.sum()
    org = np.zeros(len(years), dtype=np.int64)
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
    return org


def org_labels(org: np.ndarray, n_orgs: int) -> tuple[list[str], list[str]]:
    """(recipient_id, recipient_name) of organisations ``org`` (0-based): "SIM-ORG-037", "模拟社会组织 037"."""
    width = max(3, len(str(n_orgs)))
    number = np.array([f"{o + 1:0{width}d}" for o in range(n_orgs)], dtype=object)[org]
    return list("SIM-ORG-" + number), list("模拟社会组织 " + number)


def code_ranks(values) -> np.ndarray:
    """Rank of each string among the distinct ``values`` by code point (the order pandas sorts them in)."""
    codes, distinct = pd.factorize(np.asarray(values, dtype=object))
    order = sorted(range(len(distinct)), key=lambda i: str(distinct[i]))
    rank = np.empty(len(distinct), dtype=np.int64)
    rank[order] = np.arange(len(distinct))
    return rank[codes]


def ledger_order(rows, village_rank: np.ndarray | None = None, town_rank: np.ndarray | None = None) -> np.ndarray:
    """The permutation that sorts ``rows`` (arrays or a frame) as the ledger lists them.

    Year, 众创共善 first, date, town, village, amount; stable: ties keep the drawing order.  The ranks of the
    village and town codes (:func:`code_ranks`) may be given, when they are known without the strings.
    """
    village_rank = code_ranks(rows["village_code"]) if village_rank is None else village_rank
    town_rank = code_ranks(rows["town_code"]) if town_rank is None else town_rank
    keys = [np.asarray(rows["amount"]), village_rank, town_rank, np.asarray(rows["award_date"])]
    keys += [np.asarray(rows["programme"], dtype=object) == HM, np.asarray(rows["year"])]
    return np.lexsort(keys)


def in_ledger_order(df: pd.DataFrame) -> pd.DataFrame:
    """The rows sorted as the ledger lists them (:func:`ledger_order`), renumbered."""
    return df.take(ledger_order(df)).reset_index(drop=True)


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

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

from pathlib import Path

import numpy as np
import pandas as pd

from shunde_workbook import paths

from shunde_workbook.data import reference
from shunde_workbook.data.schema import DISK_COLUMNS, FRAME_COLUMNS, FUNDERS, PROGRAMME_TITLES, TO_DISK

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
    "hm_villages": 168,
    "town_weight_population": 0.5,
    "n_orgs": 400,
    "org_concentration": 1.0,
    "min_active_orgs": 210,
    "active_share": 0.75,
    "round_to": 100,
}


# ---------------------------------------------------------------------------- helpers


def _fact(facts: pd.DataFrame, programme: str, period: str, metric: str) -> float:
    row = facts[(facts.programme == programme) & (facts.period == period) & (facts.metric == metric)]
    if len(row) != 1:
        raise KeyError((programme, period, metric))
    return float(row.value.iloc[0])


def _largest_remainder(total: int, weights: dict) -> dict:
    keys = list(weights)
    w = np.array([weights[k] for k in keys], dtype=float)
    raw = w / w.sum() * total
    base = np.floor(raw).astype(int)
    order = np.argsort(-(raw - base), kind="stable")
    base[order[: total - base.sum()]] += 1
    return dict(zip(keys, base.tolist()))


def _amounts(rng: np.random.Generator, n: int, total_yuan: int, multipliers: np.ndarray, sigma: float,
             round_to: int) -> np.ndarray:
    """n positive amounts (multiples of round_to) summing exactly to total_yuan."""
    w = rng.lognormal(0.0, sigma, n) * multipliers
    a = np.round(w / w.sum() * total_yuan / round_to).astype(np.int64) * round_to
    a = np.maximum(a, round_to)
    a[np.argmax(a)] += total_yuan - a.sum()
    assert a.sum() == total_yuan and (a > 0).all()
    return a


def town_weights(population_share: float = 0.5) -> pd.Series:
    """Modelled town weights (index town_code): blend of population share and 2021 unit-count share."""
    towns = reference.load_towns().set_index("town_code")
    pop = reference.load_population().set_index("town_code")["population"].astype(float)
    units = towns["n_village_units_2021"].astype(float)
    per_unit = (pop / units).median()
    pop = pop.fillna(units * per_unit)  # 均安: imputed, see module docstring
    w = population_share * pop / pop.sum() + (1 - population_share) * units / units.sum()
    return w / w.sum()


# ---------------------------------------------------------------------------- main


def simulate_ledger(seed: int = 2023, **knobs) -> pd.DataFrame:
    """Return a SIMULATED ledger (columns schema.FRAME_COLUMNS, dtypes as load_ledger returns).

    Keyword knobs override DEFAULTS (see module docstring).  Unknown knobs raise TypeError.
    """
    unknown = set(knobs) - set(DEFAULTS)
    if unknown:
        raise TypeError(f"unknown knob(s): {sorted(unknown)}; known: {sorted(DEFAULTS)}")
    k = {**DEFAULTS, **knobs}
    rng = np.random.default_rng(seed)
    facts = reference.load_facts()
    fields = reference.load_programme_fields()
    villages = reference.load_villages(include_2023_only=False)  # the 205 of the 2021 list
    towns = reference.load_towns()
    short_to_code = dict(zip(towns.short_name, towns.town_code))

    # ---- calibration targets, read from published_facts.csv
    both_projects = int(_fact(facts, "众创共善+和美社区", "2017-2022", "projects_funded"))
    both_wan = _fact(facts, "众创共善+和美社区", "2017-2022", "amount_granted")
    hm_cum_projects = int(_fact(facts, HM, "2018 to 2023-06-05", "projects_funded"))
    hm_cum_wan = _fact(facts, HM, "2018 to 2023-06-05", "amount_granted")
    hm_q1_projects = int(_fact(facts, HM, "2023 Q1", "projects_funded"))
    b1_projects = int(_fact(facts, HM, "2018 batch 1", "projects_funded"))
    b1_wan = _fact(facts, HM, "2018 batch 1", "amount_granted")
    hm_2018_plan_wan = _fact(facts, HM, "2018", "planned_funding")
    b1_fields = {f: int(_fact(facts, HM, "2018 batch 1", f"projects_funded[{f}]"))
                 for f in ("教育发展", "社区照顾", "文化保育", "社区发展", "行业支持")}
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

    # ---- rows: (programme, year, group, field, programme_title, date or None)
    rows: list[dict] = []

    def add(programme, year, group, field_list, title, date=None):
        for f in field_list:
            rows.append({"programme": programme, "year": year, "group": group, "field": f,
                         "programme_title": title, "award_date": date})

    def fields_for(programme, year):
        return fields[(fields.programme == programme) & (fields.year == year)]["field"].tolist()

    # 众创共善 2017-2022
    for year, n in _largest_remainder(zc_projects, k["zc_year_weights"]).items():
        fl = fields_for(ZC, year)
        probs = rng.dirichlet(np.full(len(fl), 5.0))
        add(ZC, year, "zc", rng.choice(fl, size=n, p=probs).tolist(), f"{PROGRAMME_TITLES[ZC]} {year}年")
    # 和美社区 2018 batch 1 (published counts by field)
    add(HM, 2018, "hm_b1", [f for f, c in b1_fields.items() for _ in range(c)], HM_BATCH1_TITLE, HM_BATCH1_DATE)
    mix = np.array([b1_fields[f] for f in b1_fields], dtype=float)
    mix /= mix.sum()
    add(HM, 2018, "hm_b2", rng.choice(list(b1_fields), size=hm_b2, p=mix).tolist(), f"{PROGRAMME_TITLES[HM]} 2018年")
    for year, n in _largest_remainder(hm_1922, k["hm_year_weights"]).items():
        fl = fields_for(HM, year)
        p = np.array([b1_fields.get(f, mix.mean()) for f in fl], dtype=float)
        add(HM, year, "hm_1922", rng.choice(fl, size=n, p=p / p.sum()).tolist(), f"{PROGRAMME_TITLES[HM]} {year}年")
    add(HM, 2023, "hm_q1", [f for f, c in q1_counts.items() for _ in range(c)], HM_Q1_TITLE, HM_Q1_DATE)
    df = pd.DataFrame(rows)
    n = len(df)

    # ---- amounts
    mult_map = k["field_amount_multipliers"]
    mult = df["field"].map(lambda f: mult_map.get(f, 1.0)).to_numpy(dtype=float)
    amount = np.zeros(n, dtype=np.int64)
    sig, rt = float(k["amount_sigma"]), int(k["round_to"])
    targets = {
        "zc": zc_wan, "hm_b1": b1_wan, "hm_b2": hm_2018_plan_wan - b1_wan, "hm_1922": hm_1922_wan,
    }
    for group, wan in targets.items():
        m = (df["group"] == group).to_numpy()
        amount[m] = _amounts(rng, int(m.sum()), int(round(wan * 10_000)), mult[m], sig, rt)
    for f, wan in q1_wan.items():
        m = ((df["group"] == "hm_q1") & (df["field"] == f)).to_numpy()
        amount[m] = _amounts(rng, int(m.sum()), int(round(wan * 10_000)), mult[m], sig, rt)
    df["amount"] = amount.astype(float)

    # ---- dates for modelled rows
    dates = df["award_date"].copy()
    for (group, year), idx in df[dates.isna()].groupby(["group", "year"]).groups.items():
        if group == "hm_b2":
            lo, hi = pd.Timestamp("2018-11-15"), pd.Timestamp("2018-12-28")
        else:
            lo, hi = pd.Timestamp(f"{year}-03-01"), pd.Timestamp(f"{year}-12-20")
        offs = rng.integers(0, (hi - lo).days + 1, size=len(idx))
        dates[idx] = [(lo + pd.Timedelta(days=int(o))).strftime("%Y-%m-%d") for o in offs]
    df["award_date"] = pd.to_datetime(dates, format="%Y-%m-%d").astype("datetime64[ns]")

    # ---- places
    tw = town_weights(float(k["town_weight_population"]))
    units = villages.groupby("town_code").size()
    vweight = (villages["town_code"].map(tw) / villages["town_code"].map(units)).to_numpy()
    vcodes = villages["code"].to_numpy()
    vtown = villages["town_code"].to_numpy()
    village = np.full(n, "", dtype=object)
    town = np.full(n, "", dtype=object)
    is_hm = (df["programme"] == HM).to_numpy()
    village_level = np.where(is_hm, (df["field"] != "行业支持").to_numpy(), rng.random(n) < k["zc_village_share"])

    # 和美社区: exactly hm_villages villages
    hm_set = rng.choice(len(vcodes), size=int(k["hm_villages"]), replace=False, p=vweight / vweight.sum())
    b1_towns = {short_to_code[s] for s in HM_BATCH1_TOWNS}
    b1 = (df["group"] == "hm_b1").to_numpy()
    in_b1_towns = np.array([vtown[i] in b1_towns for i in hm_set])
    b1_pool = hm_set[in_b1_towns]

    def pick(pool: np.ndarray, size: int, replace=True) -> np.ndarray:
        p = vweight[pool] / vweight[pool].sum()
        return rng.choice(pool, size=size, replace=replace, p=p)

    rows_b1v = np.flatnonzero(b1 & village_level)
    village[rows_b1v] = vcodes[pick(b1_pool, len(rows_b1v))]
    rows_hmv = np.flatnonzero(is_hm & ~b1 & village_level)
    covered = set(village[rows_b1v])
    todo = [i for i in hm_set if vcodes[i] not in covered]
    rng.shuffle(todo)
    perm = rng.permutation(rows_hmv)
    village[perm[: len(todo)]] = vcodes[todo]
    rest = perm[len(todo):]
    village[rest] = vcodes[pick(hm_set, len(rest))]

    # 众创共善: every 2021 village at least once
    rows_zcv = rng.permutation(np.flatnonzero(~is_hm & village_level))
    allv = rng.permutation(len(vcodes))
    village[rows_zcv[: len(allv)]] = vcodes[allv]
    rest = rows_zcv[len(allv):]
    village[rest] = vcodes[pick(np.arange(len(vcodes)), len(rest))]

    has_v = village != ""
    town[has_v] = [c[:9] for c in village[has_v]]
    town_rows = np.flatnonzero(~has_v)
    tcodes = tw.index.to_numpy()
    for i in town_rows:  # a few hundred rows
        if b1[i]:
            choices = np.array(sorted(b1_towns))
            town[i] = rng.choice(choices, p=tw[choices].to_numpy() / tw[choices].sum())
        else:
            town[i] = rng.choice(tcodes, p=tw.to_numpy())
    df["town_code"] = town
    df["village_code"] = village

    # ---- organisations
    n_orgs = int(k["n_orgs"])
    org_w = 1.0 / np.arange(1, n_orgs + 1) ** float(k["org_concentration"])
    org_w /= org_w.sum()
    org = np.zeros(n, dtype=np.int64)
    for year, idx in df.groupby("year").groups.items():
        idx = rng.permutation(np.asarray(idx))
        ny = len(idx)
        active_n = min(ny, n_orgs, max(int(k["min_active_orgs"]), int(round(ny * k["active_share"]))))
        active = rng.choice(n_orgs, size=active_n, replace=False, p=org_w)
        org[idx[:active_n]] = active
        extra = ny - active_n
        if extra:
            pa = org_w[active] / org_w[active].sum()
            org[idx[active_n:]] = rng.choice(active, size=extra, replace=True, p=pa)
    width = max(3, len(str(n_orgs)))
    df["recipient_id"] = [f"SIM-ORG-{o + 1:0{width}d}" for o in org]
    df["recipient_name"] = [f"模拟社会组织 {o + 1:0{width}d}" for o in org]

    # ---- order, identifiers and text
    df["_p"] = np.where(is_hm, 1, 0)
    df = df.sort_values(["year", "_p", "award_date", "town_code", "village_code", "amount"],
                        kind="stable").reset_index(drop=True)
    seq = np.arange(1, len(df) + 1)
    prefix = np.where(df["programme"] == HM, "HM", "ZC")
    df["identifier"] = [f"SIM-{p}-{y}-{s:05d}" for p, y, s in zip(prefix, df["year"], seq)]
    df["title"] = [f"【模拟】{f}项目 #{s:05d}" for f, s in zip(df["field"], seq)]
    df["description"] = (f"【模拟数据 SIMULATED】非真实资助记录；按公开汇总数据校准的模型生成 (seed={seed})；"
                         "仅供演示与测试，不得作为研究发现引用。")
    df["currency"] = "CNY"
    df["funder"] = df["programme"].map(FUNDERS)
    towns_name = dict(zip(towns.town_code, towns.town))
    vnames = dict(zip(villages.code, villages.name))
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

"""Where the SIMULATED grants go: town weights, village pools and the place of every row.

One step of :mod:`shunde_workbook.data.simulate` (see its docstring for the model).  The functions take
the rows' columns as numpy arrays (or a DataFrame's columns) and draw from the simulator's generator, in
the simulator's order.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from shunde_workbook.data import reference

HM = "和美社区"
HM_BATCH1_TOWNS = ("容桂", "伦教", "陈村", "北滘", "龙江", "均安")  # signing towns (published, fact F25)


def per_distinct(values, fn, dtype=object) -> np.ndarray:
    """``fn(value)`` for each of ``values``, called once per distinct value (hashed, as ``pd.factorize``)."""
    codes, distinct = pd.factorize(np.asarray(values, dtype=object))
    return np.array([fn(v) for v in distinct], dtype=dtype)[codes]


def town_weights(population_share: float = 0.5) -> pd.Series:
    """Modelled town weights (index town_code): blend of population share and 2021 unit-count share."""
    towns = reference.load_towns().set_index("town_code")
    pop = reference.load_population().set_index("town_code")["population"].astype(float)
    units = towns["n_village_units_2021"].astype(float)
    per_unit = (pop / units).median()
    pop = pop.fillna(units * per_unit)  # 均安: imputed, see data.simulate
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


def _places(share: float) -> tuple:
    """(town weights, village pool, town code by short name) for ``share``, built once per process."""
    if share not in _PLACES:
        tw = town_weights(share)
        villages = reference.load_villages(include_2023_only=False)  # the 205 of the 2021 list
        vtown = villages["town_code"].to_numpy(dtype=object)
        towns_of, units = np.unique(vtown, return_counts=True)
        per_village = dict(zip(towns_of, tw.reindex(towns_of).to_numpy() / units, strict=True))
        pool = _VillagePool(villages["code"].to_numpy(dtype=object), vtown, np.array([per_village[t] for t in vtown]))
        towns = reference.load_towns()
        _PLACES[share] = (tw, pool, dict(zip(towns.short_name, towns.town_code, strict=False)))
    return _PLACES[share]


_PLACES: dict[float, tuple] = {}  # draw_places' memory: share -> _places(share)


def place_codes(share: float = 0.5) -> tuple[np.ndarray, np.ndarray]:
    """(town codes, village codes + "") that :func:`draw_places`' positions index (village -1: "").

    ``share``: the knob ``town_weight_population`` of the draw.
    """
    share = float(share)
    tw, pool, _ = _places(share)
    if share not in _CODES:
        _CODES[share] = (tw.index.to_numpy(dtype=object), np.append(pool.codes, ""))
    return _CODES[share]


_CODES: dict[float, tuple] = {}


def draw_places(rng: np.random.Generator, rows, k: dict) -> tuple[np.ndarray, np.ndarray]:
    """(town, village) per row, as positions in :func:`place_codes` (village -1: a town-level grant).

    ``rows``: columns ``programme``, ``field``, ``group``.  和美社区 rows are village-level except 行业支持;
    众创共善 rows with probability ``zc_village_share``.  Town-level rows get a town by town weight (2018
    batch 1: one of the signing towns).  Villages: the 205 of the 2021 list, weighted by town weight /
    units in the town; a village's town is the one its code starts with.
    """
    tw, pool, short_to_code = _places(float(k["town_weight_population"]))
    programme, field = np.asarray(rows["programme"], dtype=object), np.asarray(rows["field"], dtype=object)
    n = len(programme)
    is_hm = programme == HM
    village_level = np.where(is_hm, field != "行业支持", rng.random(n) < k["zc_village_share"])
    b1 = np.asarray(rows["group"], dtype=object) == "hm_b1"
    b1_towns = {short_to_code[s] for s in HM_BATCH1_TOWNS}
    village = np.full(n, -1, dtype=np.int64)
    _hemei_villages(rng, village, pool, is_hm & village_level, b1, b1_towns, int(k["hm_villages"]))
    _zhongchuang_villages(rng, village, pool, ~is_hm & village_level, bool(k["zc_cover_every_village"]))
    position = {c: i for i, c in enumerate(tw.index)}
    village_town = np.array([position[c[:9]] for c in pool.codes], dtype=np.int64)
    return _town_codes(rng, village, b1, b1_towns, tw, village_town), village


def _hemei_villages(
    rng: np.random.Generator,
    village: np.ndarray,
    pool: _VillagePool,
    rows: np.ndarray,
    b1: np.ndarray,
    b1_towns: set,
    hm_villages: int,
) -> None:
    """Fill ``village`` (positions in the pool) for 和美社区's village-level ``rows``.

    Exactly ``hm_villages`` villages are used, each at least once; 2018 batch 1 only in the signing towns.
    """
    hm_set = rng.choice(len(pool.codes), size=hm_villages, replace=False, p=pool.weights / pool.weights.sum())
    b1_pool = hm_set[np.isin(pool.towns[hm_set], list(b1_towns))]
    rows_b1v = np.flatnonzero(b1 & rows)
    village[rows_b1v] = pool.pick(rng, b1_pool, len(rows_b1v))
    covered = set(village[rows_b1v].tolist())
    todo = [i for i in hm_set if int(i) not in covered]
    rng.shuffle(todo)
    perm = rng.permutation(np.flatnonzero(rows & ~b1))
    village[perm[: len(todo)]] = np.array(todo, dtype=np.int64)
    rest = perm[len(todo) :]
    village[rest] = pool.pick(rng, hm_set, len(rest))


def _zhongchuang_villages(
    rng: np.random.Generator, village: np.ndarray, pool: _VillagePool, rows: np.ndarray, cover_all: bool = True
) -> None:
    """Fill ``village`` (positions in the pool) for 众创共善's village-level ``rows``: every village at least once.

    ``cover_all`` is the knob ``zc_cover_every_village``; off, every row draws its village by weight.
    """
    n = len(pool.codes)
    rows_zcv = rng.permutation(np.flatnonzero(rows))
    allv = rng.permutation(n) if cover_all else np.array([], dtype=np.int64)
    village[rows_zcv[: len(allv)]] = allv
    rest = rows_zcv[len(allv) :]
    village[rest] = pool.pick(rng, np.arange(n), len(rest))


def _town_codes(
    rng: np.random.Generator,
    village: np.ndarray,
    b1: np.ndarray,
    b1_towns: set,
    tw: pd.Series,
    village_town: np.ndarray,
) -> np.ndarray:
    """Each row's town as a position in ``tw.index``.

    A row with a village (``village`` >= 0) is in that village's town (``village_town``: the town
    position of each village of the pool); the others draw a town by weight (batch 1: a signing town).
    """
    town = np.full(len(village), -1, dtype=np.int64)
    has_v = village >= 0
    town[has_v] = village_town[village[has_v]]
    # ``rng.choice(codes, p=p)`` once per row, in row order, draws one uniform ``u`` and returns
    # ``codes[searchsorted(cdf, u, "right")]`` with ``cdf = cumsum(p) / cumsum(p)[-1]``: the same, vectorised
    rows = np.flatnonzero(~has_v)
    u = rng.random(len(rows))
    position = {c: i for i, c in enumerate(tw.index)}
    choices = np.array([position[c] for c in sorted(b1_towns)], dtype=np.int64)
    w = tw.to_numpy()
    for positions, p, pick in (
        (choices, w[choices] / w[choices].sum(), b1[rows]),
        (np.arange(len(w)), w, ~b1[rows]),
    ):
        cdf = p.cumsum()
        cdf /= cdf[-1]
        town[rows[pick]] = positions[cdf.searchsorted(u[pick], side="right")]
    return town

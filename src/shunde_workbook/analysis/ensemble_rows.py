"""Totals and counts of simulated rows straight from their arrays: the seed ensembles' fast path.

A seed ensemble needs, per simulated ledger, only what ``uncertainty.grant_totals`` and
``quantities.ledger_counts`` return.  :class:`RowAggregator` computes the same from the arrays of
``data.simulate.simulate_columns`` (no frame, no labels, no groupby), bit for bit:

* money sums are bin counts of whole 元 (floats below 2**53), so they are exact in any order;
* organisations are numbered by first appearance in the ledger's row order, as ``pd.factorize`` numbers
  their names, so the columns of ``org_totals`` come in the same order;
* the best-funded field is picked by the same ``sort_values`` call on the same sums, so ties break alike.

``tests/test_simulate_fast_path.py`` checks each result against the frame path.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from shunde_workbook.analysis.uncertainty import GrantDraws, _bin, _cells, _sum

__all__ = ["RowAggregator", "scope_mask"]


def scope_mask(cols: dict, programmes, year_start: int, year_end: int, fields=(), coded=None) -> np.ndarray:
    """The rows ``inputs.filter_ledger`` keeps (programmes, years ``year_start``..``year_end``, fields).

    ``coded``: ``pd.factorize`` of the programme and field columns, when already made.
    """
    prog, field = coded or (pd.factorize(cols["programme"]), pd.factorize(cols["field"]))
    keep = _isin(*prog, programmes) & (cols["year"] >= year_start) & (cols["year"] <= year_end)
    if fields:
        keep &= _isin(*field, fields)
    return keep


def _isin(codes: np.ndarray, distinct: np.ndarray, allowed) -> np.ndarray:
    """Rows (``pd.factorize``'d: ``codes``, ``distinct``) whose value is in ``allowed``."""
    allowed = set(allowed)
    return np.array([v in allowed for v in distinct] + [False], dtype=bool)[codes]


def _positions(values: np.ndarray, index: dict, missing: int) -> np.ndarray:
    """Position of each value in ``index`` (value -> position), ``missing`` when absent.

    Looked up once per distinct value (``pd.factorize`` hashes the rows).
    """
    codes, distinct = pd.factorize(values)
    return np.array([index.get(v, missing) for v in distinct] + [missing], dtype=np.int64)[codes]


def _first_seen(codes: np.ndarray) -> tuple[np.ndarray, int]:
    """Codes renumbered 0.. in order of first appearance (as ``pd.factorize``), and how many there are."""
    _, first, inverse = np.unique(codes, return_index=True, return_inverse=True)
    rank = np.empty(len(first), dtype=np.int64)
    rank[np.argsort(first)] = np.arange(len(first))
    return rank[inverse], len(first)


def _distinct_per(group: np.ndarray, item: np.ndarray, n_groups: int) -> np.ndarray:
    """Distinct ``item`` (codes >= 0) per ``group`` (0..n_groups-1; larger groups dropped), as floats."""
    width = int(item.max(initial=0)) + 1
    pairs = np.unique(group * width + item)
    return np.bincount(pairs // width, minlength=n_groups + 1)[:n_groups].astype(float)


def _sorted_ranks(distinct: np.ndarray) -> tuple[np.ndarray, list]:
    """Rank of each of ``distinct`` by code point (pandas' order; -1, a missing value, last), and the sorted."""
    names = sorted(distinct)
    rank = {v: i for i, v in enumerate(names)}
    return np.array([rank[v] for v in distinct] + [len(names)], dtype=np.int64), names


def _by_field(prog: tuple, field: tuple, keep: np.ndarray, amount: np.ndarray) -> tuple[np.ndarray, list]:
    """Money by (programme, field) of the rows ``keep``, in ``groupby(["programme", "field"])``'s order.

    ``prog``, ``field``: ``pd.factorize`` of the columns.  Also returns the "programme|field" labels.
    """
    p_rank, programmes = _sorted_ranks(prog[1])
    f_rank, fields = _sorted_ranks(field[1])
    width = len(fields) + 1
    groups, group = np.unique(p_rank[prog[0][keep]] * width + f_rank[field[0][keep]], return_inverse=True)
    labels = [f"{programmes[g // width]}|{fields[g % width]}" for g in groups]
    return np.bincount(group, weights=amount, minlength=len(groups)), labels


class RowAggregator:
    """``grant_totals`` and ``ledger_counts`` of simulated rows for one town table, village table and plan.

    Parameters
    ----------
    towns : DataFrame
        The run's town table (index town_code, column ``village_units``).
    villages : DataFrame
        The run's village table (``code``, ``town_code``): what ``unfunded_villages`` counts.
    programmes : list
        Programme order of ``by_programme``.
    vcodes : list
        Village codes whose money ``by_village`` totals.
    """

    def __init__(self, towns: pd.DataFrame, villages: pd.DataFrame, programmes: list, vcodes: list):
        self.n_towns = len(towns.index)
        self.town_pos = {str(t): i for i, t in enumerate(towns.index)}
        self.programmes = list(programmes)
        self.prog_pos = {p: i for i, p in enumerate(self.programmes)}
        self.vcodes = list(vcodes)
        self.vcode_pos = {str(v): i for i, v in enumerate(self.vcodes)}
        self.units = towns["village_units"].to_numpy(dtype=float)
        self.listed = villages["code"].astype(str).to_numpy(dtype=object)
        self.listed_town = _positions(villages["town_code"].astype(str).to_numpy(dtype=object), self.town_pos, -1)

    def aggregate(self, cols: dict, places: tuple, scope: tuple, rule=None) -> tuple[GrantDraws, dict]:
        """(``uncertainty.grant_totals``, ``quantities.ledger_counts``) of the rows in ``scope`` (one draw).

        ``places``: the simulator's (town codes, village codes + "") that ``cols["town"]`` and
        ``cols["village"]`` index (``data.simulate_places.place_codes``); ``scope``: the arguments of
        :func:`scope_mask`; ``rule``: rows kept of those, from their ``year`` and ``programme`` (a
        ``counterfactual.ROW_RULES`` mask).
        """
        prog, field = pd.factorize(cols["programme"]), pd.factorize(cols["field"])
        keep = scope_mask(cols, *scope, coded=(prog, field))
        if rule is not None:
            keep[keep] = rule(cols["year"][keep], cols["programme"][keep])
        town = self._town_lut(places[0])[cols["town"][keep]]
        village = cols["village"][keep]  # -1: a town-level grant
        org, n_org = _first_seen(cols["org"][keep])
        amount = cols["amount"][keep].astype(float)
        programme = np.array([self.prog_pos.get(p, len(self.programmes)) for p in prog[1]] + [len(self.programmes)])
        idx = np.arange(len(amount))[None, :]
        a = amount[idx]
        cell, n_cells, shape = _cells(town, programme[prog[0][keep]], self.n_towns, len(programme) - 1)
        by, orgs = _sum(idx, cell, n_cells, org, n_org, a, 1)
        years, year = np.unique(cols["year"][keep], return_inverse=True)
        vill = _positions(places[1], self.vcode_pos, len(self.vcodes))[village]  # "" (-1): none of vcodes
        totals = GrantDraws(
            shape(by),
            orgs,
            list(self.programmes),
            _bin(idx, year, len(years), a, 1),
            [int(y) for y in years],
            _bin(idx, vill, len(self.vcodes), a, 1),
            list(self.vcodes),
        )
        by_field = _by_field(prog, field, keep, amount)
        return totals, self._counts(town, org, n_org, amount, village, places[1], by_field)

    def _town_lut(self, codes: np.ndarray) -> np.ndarray:
        return np.array([self.town_pos.get(str(c), self.n_towns) for c in codes], dtype=np.int64)

    def _counts(self, town, org, n_org, amount, village, village_codes, by_field) -> dict:
        funded = village >= 0
        granted = set(village_codes[np.unique(village[funded])])
        by_field, labels = by_field
        total = float(amount.sum())
        top = pd.Series(by_field).sort_values(ascending=False).index[0] if len(by_field) else None
        hit = np.array([c in granted for c in self.listed], dtype=bool)
        unfunded = np.bincount(self.listed_town[~hit & (self.listed_town >= 0)], minlength=self.n_towns)
        return {
            "total_grants": np.array([float(len(amount))]),
            "n_orgs": np.array([float(n_org)]),
            "villages_funded": np.array([float(len(granted))]),
            "top_field": np.array([labels[top] if top is not None else "|"], dtype=object),
            "top_field_share": np.array([float(by_field[top]) / total if top is not None and total else np.nan]),
            "grants": np.bincount(town, minlength=self.n_towns + 1)[: self.n_towns].astype(float)[None, :],
            "coverage": (_distinct_per(town[funded], village[funded], self.n_towns) / self.units)[None, :],
            "unfunded_villages": unfunded[: self.n_towns].astype(float)[None, :],
            "town_orgs": _distinct_per(town, org, self.n_towns)[None, :],
        }

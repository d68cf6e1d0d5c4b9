"""Inputs and tables shared by the notebooks: load, filter, aggregate by town.

Amounts are kept in 元 throughout; :func:`in_unit` converts for display.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from shunde_workbook.analysis.ledger_facts import LedgerFacts, run_file
from shunde_workbook.analysis.run_cache import entry, once
from shunde_workbook.data.cache import in_run_cache, read_ledger
from shunde_workbook.data.ledger.outputs import read_partial
from shunde_workbook.errors import InputError
from shunde_workbook.params import resolve_path, scope_of
from shunde_workbook.units import WAN

MIN_GRANTS = 10  # below this, distribution measures say nothing


@dataclass
class Inputs:
    """Everything a notebook reads, already checked.

    Inside a run, :func:`load_inputs` leaves in the run's cache what it can and reads it again on first use:
    the filtered ``ledger`` when another kernel has already worked out its :attr:`facts`, and
    ``full_ledger`` when the filtered ledger is a table of its own (most reports never use it).
    """

    ledger: pd.DataFrame  # filtered by programmes, years and fields
    full_ledger: pd.DataFrame
    towns: pd.DataFrame  # index town_code
    villages: pd.DataFrame
    boundaries: object | None
    statuses: dict = field(default_factory=dict)
    params: dict = field(default_factory=dict)
    #: The evidence's input draws, kept with these inputs (``analysis.input_draws.memo_for``); a copy made
    #: with ``dataclasses.replace`` starts with an empty one.
    draws_memo: dict = field(default_factory=dict, init=False, repr=False, compare=False)
    #: The ledger file :func:`load_inputs` read ``full_ledger`` from; a copy starts without it (see
    #: :meth:`read_from`).
    source: Path | None = field(default=None, init=False, repr=False, compare=False)
    #: The reconciliation of ``full_ledger`` (``analysis.reconciled``), as ``(key, table)``.
    reconciled_memo: tuple | None = field(default=None, init=False, repr=False, compare=False)

    def __getattr__(self, name: str):
        # Called only for attributes not set: a ledger left in the run's cache is read on first use.
        held = self.__dict__
        if name == "full_ledger" and held.get("source") is not None:
            full = held["full_ledger"] = held["_source_table"] = read_ledger(self.source)
            return full
        if name == "ledger" and held.get("source") is not None and "_scope" in held:
            rows = _scoped(lambda: self.full_ledger, self.source, held["_scope"], shared=True)
            held["ledger"] = held["_scoped_table"] = rows
            return rows
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def read_from(self) -> Path | None:
        """The ledger file whose validated table ``full_ledger`` is (None once another table is assigned).

        Results about that table may be shared through the run's cache (``analysis.reconciled``).
        """
        held = self.__dict__.get("full_ledger")
        if self.source is None or (held is not None and held is not self.__dict__.get("_source_table")):
            return None
        return self.source

    def run_scope(self) -> tuple | None:
        """The scope under which the run's cache keeps this ledger's rows, while ``ledger`` is that table.

        None outside a run and once another table is assigned; the rows need not have been read.
        """
        held = self.__dict__
        rows = held.get("ledger")
        if self.source is not None and "_scope" in held and (rows is None or rows is held.get("_scoped_table")):
            return held["_scope"]
        return None

    def ledger_key(self) -> object:
        """``ledger``, or :meth:`run_scope` while it names it: a key for memos that does not read the rows.

        Memos keyed by the tables (``analysis.input_draws.memo_for``, :attr:`facts`) use it.
        """
        return self.run_scope() or self.ledger

    @property
    def facts(self) -> LedgerFacts:
        """What the reports read of the ledger besides its rows (:class:`~.ledger_facts.LedgerFacts`).

        Those :func:`load_inputs` found, while ``ledger`` and ``full_ledger`` are its tables; worked out
        from the tables otherwise.  A table edited in place is not seen: assign an edited copy instead.
        """
        key = (self.ledger_key(), self.read_from() or self.full_ledger)
        memo = self.__dict__.get("_facts_memo")
        if memo is None or memo[0] is not key[0] or memo[1] is not key[1]:
            memo = self.__dict__["_facts_memo"] = (*key, LedgerFacts.of(self.full_ledger, self.ledger))
        return memo[2]

    @property
    def data_date(self) -> str:
        """The ledger's year range, e.g. "2017–2022"."""
        return self.facts.data_date


def in_unit(amount_yuan, unit: str):
    """元 → the display unit (元 or 万元)."""
    return amount_yuan / WAN if unit == "万元" else amount_yuan


#: ``population_basis`` values: census-anchored estimates (default), the published figures, grades A/B only.
POPULATION_BASES = ("census_anchored", "best_available", "official_only")


def town_table(towns_path, population_path, basis: str = "census_anchored") -> pd.DataFrame:
    """One row per town: names, village units, population with its grade and source, extra user columns.

    ``basis`` decides ``population``: ``census_anchored`` (default) the estimate of
    :func:`analysis.population.census_anchored` (all towns, summing to the 2020 census total, with
    the published figure kept in ``pop_figure``); ``best_available`` the published figure of any
    grade (均安: none); ``official_only`` grades A/B only.  ``pop_basis`` records the basis.
    """
    towns = pd.read_csv(resolve_path(towns_path), dtype={"town_code": str}, encoding="utf-8-sig")
    if "town_code" not in towns.columns:
        raise InputError(f"{towns_path}: the town table needs a 'town_code' column (NBS 9 digits).")
    pop = pd.read_csv(resolve_path(population_path), dtype={"town_code": str, "grade": str}, encoding="utf-8-sig")
    pop = pop.rename(columns={"grade": "pop_grade", "source": "pop_source", "year": "pop_year"})
    out = towns.merge(
        pop[["town_code", "population", "pop_grade", "pop_year", "pop_source"]],
        on="town_code",
        how="left",
        suffixes=("_town_table", ""),
    )
    if "n_village_units_2021" in out.columns and "village_units" not in out.columns:
        out["village_units"] = out["n_village_units_2021"]
    out["pop_grade"] = out["pop_grade"].fillna("")
    return with_basis(out.set_index("town_code"), basis)


def with_basis(towns: pd.DataFrame, basis: str) -> pd.DataFrame:
    """The town table with its published figures (``town_table(..., "best_available")``) put on ``basis``."""
    if basis not in POPULATION_BASES:
        raise InputError(f"population_basis must be one of {', '.join(POPULATION_BASES)}, got {basis!r}")
    if towns.get("pop_basis", pd.Series("best_available")).ne("best_available").any():
        raise ValueError("with_basis: the town table is already on another population basis")
    out = towns.copy()
    if basis == "official_only":
        out.loc[~out["pop_grade"].isin(["A", "B"]), "population"] = float("nan")
    elif basis == "census_anchored":
        from shunde_workbook.analysis.population import census_anchored

        out = census_anchored(out)
    out["pop_basis"] = basis
    return out


def filter_ledger(ledger: pd.DataFrame, programmes, year_start: int, year_end: int, fields=()) -> pd.DataFrame:
    """The ledger rows of ``programmes`` in ``year_start``..``year_end`` (and ``fields`` when given)."""
    keep = ledger["programme"].isin(programmes) & ledger["year"].between(year_start, year_end)
    if fields:
        keep &= ledger["field"].isin(fields)
    if keep.all():  # the default scope: share the rows (copy-on-write keeps the two apart) instead of copying
        return ledger.copy(deep=False)
    return ledger[keep]


def describe_once(full: pd.DataFrame, ledger_path: Path, scope: tuple) -> None:
    """Keep ``full``'s rows in ``scope`` and its facts in the run's cache, as the first kernel would.

    For the runner, which has just validated the ledger: the kernels then read them instead of the first
    one unpickling the whole ledger to work them out while the others wait.
    """
    from shunde_workbook.analysis.run_cache import store

    target = run_file(ledger_path, scope)
    if target is not None and not full.empty:
        store(LedgerFacts.of(full, _scoped(lambda: full, ledger_path, scope, True)), target)


def _scoped(full, ledger_path: Path, scope: tuple, shared: bool) -> pd.DataFrame:
    """``filter_ledger(full(), *scope)``; when ``shared`` (the run validated this ledger), filtered once per run.

    The first kernel keeps the rows in the run's cache, under the file's hash and the scope; the others read them.
    """
    cached = run_file(ledger_path, scope, "scoped") if shared else None
    # all rows: shared with the full ledger, nothing to keep
    return once(cached, lambda: filter_ledger(full(), *scope), keep=lambda rows: len(rows) < len(full()))


def load_inputs(params: dict, boundaries: bool = True, min_grants: int = MIN_GRANTS) -> Inputs:
    """Load and check the ledger, town table, villages and boundaries named in ``params``.

    ``min_grants``: fewer matching grants is an error (distribution measures say nothing on fewer than
    :data:`MIN_GRANTS`); the data audit passes 1, since it reports what it can on any ledger.

    Inside a run, the ledger's :attr:`Inputs.facts` are worked out by the first kernel; the others check
    the ledger with them and leave its rows in the run's cache until something reads them.
    """
    from shunde_workbook.data.reference import load_villages

    ledger_path = resolve_path(params["ledger_path"])
    scope = scope_of(params)
    shared = in_run_cache(ledger_path)
    tables: dict = {}

    def rows() -> tuple[pd.DataFrame, pd.DataFrame]:  # the full ledger and its rows in the scope, read here
        if not tables:
            full = read_ledger(ledger_path)
            if full.empty:
                raise InputError(
                    f"The ledger {ledger_path} has no grant rows, so there is nothing to analyse. "
                    "Check that the file is the intended export and that its rows passed validation "
                    "(run: shunde-workbook validate FILE)."
                )
            tables["full"], tables["scoped"] = full, _scoped(lambda: full, ledger_path, scope, shared)
        return tables["full"], tables["scoped"]

    cached = run_file(ledger_path, scope) if shared else None
    facts = once(cached, lambda: LedgerFacts.of(*rows()))  # a ledger without rows raises: nothing stored
    if facts.scoped_rows < max(1, min_grants):
        raise InputError(
            f"Only {facts.scoped_rows} grant(s) in {ledger_path.name} match programmes={params.get('programmes')}, "
            f"years {params.get('year_start')}–{params.get('year_end')}, fields={params.get('fields') or 'all'}; "
            f"at least {MIN_GRANTS} are needed for distribution measures to mean anything. "
            "Widen the year range or programmes, or supply a fuller ledger."
        )
    basis = params.get("population_basis", "census_anchored")
    named = (params["towns_path"], params["population_path"])  # as given: messages name them so
    files = [resolve_path(p) for p in named]  # the town table, once per run, keyed by the files' bytes
    published = once(entry("towns", *files), lambda: town_table(*named, "best_available"))
    _check_towns(facts, set(published.index), f"the towns table {params['towns_path']}", rows, ledger_path)
    # after the coverage check, whose message is the clearer one
    towns = once(entry("towns", *files, basis), lambda: with_basis(published, basis))
    gdf = None
    if boundaries:
        from shunde_workbook.geo.boundaries import load_boundaries

        where = resolve_path(params["boundaries_path"])
        # read and checked once per run: pyogrio and GDAL load only in the kernel that reads the file
        gdf = once(entry("boundaries", where, *files, basis), lambda: load_boundaries(where, towns.reset_index()))
        if "town_code" in gdf.columns:
            codes = set(gdf["town_code"].astype(str))
            _check_towns(facts, codes, f"the boundaries {params['boundaries_path']}", rows, ledger_path)
    statuses = {"ledger": facts.status, "towns": "published", "population": basis}
    partial = read_partial(ledger_path)  # written by validate --out --partial: rows with errors were left out
    if partial:
        statuses["ledger_partial"] = f"{partial['left_out']}/{partial.get('rows', '?')}"
    if gdf is not None:
        statuses["boundaries"] = "approximate" if bool(gdf["approx"].any()) else "official"
    inp = Inputs(tables.get("scoped"), tables.get("full"), towns, load_villages(), gdf, statuses, dict(params))
    inp.source = ledger_path
    inp.__dict__.update(_scope=scope, _source_table=tables.get("full"), _scoped_table=tables.get("scoped"))
    if not shared:
        del inp._scope  # no run cache: the rows were read here and stay
    elif not tables:  # another kernel worked out the facts: the rows are read when asked for
        del inp.ledger, inp.full_ledger, inp._source_table, inp._scoped_table
    elif facts.scoped_rows < facts.rows:  # the run keeps it: read again only if asked for
        del inp.full_ledger, inp._source_table
    inp._facts_memo = (inp.ledger_key(), inp.read_from() or inp.full_ledger, facts)  # reads no rows
    return inp


def _check_towns(facts: LedgerFacts, known: set, where: str, rows, ledger_path) -> None:
    """:func:`check_coverage` of the ledger's town codes, reading its rows only to name what is missing."""
    if not set(facts.town_codes) <= known:
        check_coverage(rows()[0], known, where, ledger_path)


def check_coverage(ledger: pd.DataFrame, known: set, where: str, ledger_path) -> None:
    """Raise InputError naming every ledger town not in ``known``: its grants would silently drop out.

    Parameters
    ----------
    ledger : the full ledger (``town_code``, ``amount``, optionally ``location_name``).
    known : town codes covered by the towns table or the boundaries.
    where : how to name that table in the message.
    ledger_path : the ledger file, for the message.
    """
    codes = ledger["town_code"].astype("string").fillna("").str.strip()
    missing = codes[~codes.isin(known) & (codes != "")]
    if missing.empty:
        return
    parts = []
    for code, rows in ledger.loc[missing.index].groupby(missing):
        names = rows["location_name"].dropna().astype(str).unique()[:1] if "location_name" in rows else []
        label = f"{code} ({names[0]})" if len(names) else str(code)
        parts.append(f"{label}: {len(rows):,} grant(s), {rows['amount'].sum() / WAN:,.1f}万元")
    total = ledger["amount"].sum()
    share = ledger.loc[missing.index, "amount"].sum() / total if total else 0.0
    raise InputError(
        f"The ledger {Path(str(ledger_path)).name} has grants in town(s) missing from {where}: "
        + "; ".join(parts[:20])
        + (f"; and {len(parts) - 20} more" if len(parts) > 20 else "")
        + f". Left out, {share:.1%} of the money would silently disappear from every town share. "
        "Add the town(s) to that table, or correct town_code in the ledger."
    )


def town_summary(ledger: pd.DataFrame, towns: pd.DataFrame) -> pd.DataFrame:
    """Per town: amount, grants, villages funded, shares of money, people and units, per-head figures."""
    return summary_of(town_totals(ledger), towns)


def town_totals(ledger: pd.DataFrame) -> dict[str, pd.Series]:
    """What :func:`town_summary` reads from the rows: per town, amount, grants and 村(社区) funded."""
    g = ledger.groupby("town_code")
    villages = ledger[["town_code", "village_code"]].dropna(subset=["village_code"])
    villages = villages[villages["village_code"].astype(str).str.len() > 0]
    return {
        "amount": g["amount"].sum(),
        "grants": g.size(),
        "villages_funded": villages.groupby("town_code")["village_code"].nunique(),
    }


def summary_of(totals: dict[str, pd.Series], towns: pd.DataFrame) -> pd.DataFrame:
    """:func:`town_summary` from the ledger's :func:`town_totals`."""
    out = pd.DataFrame(index=towns.index)
    out["town"] = towns["town"]
    out["name_en"] = towns["name_en"]
    out["amount"] = totals["amount"].reindex(out.index).fillna(0.0)
    out["grants"] = totals["grants"].reindex(out.index).fillna(0).astype(int)
    out["villages_funded"] = totals["villages_funded"].reindex(out.index).fillna(0)
    out["village_units"] = towns["village_units"]
    out["population"] = towns["population"]
    out["pop_grade"] = towns["pop_grade"]
    out["amount_share"] = out["amount"] / out["amount"].sum()
    has_pop = out["population"].notna()
    out["pop_share"] = out["population"] / out.loc[has_pop, "population"].sum()
    out["unit_share"] = out["village_units"] / out["village_units"].sum()
    out["per_resident"] = out["amount"] / out["population"]
    out["per_unit"] = out["amount"] / out["village_units"]
    out["coverage"] = out["villages_funded"] / out["village_units"]
    out["rank_amount"] = out["amount"].rank(ascending=False, method="min").astype(int)
    out["rank_per_resident"] = out["per_resident"].rank(ascending=False, method="min")
    return out


def coverage_by_year(ledger: pd.DataFrame, towns: pd.DataFrame) -> pd.DataFrame:
    """Share of each town's 村(社区) with at least one grant, per year (towns × years)."""
    v = ledger[["town_code", "year", "village_code"]]
    v = v[v["village_code"].notna() & (v["village_code"].astype(str) != "")]
    funded = v.groupby(["town_code", "year"])["village_code"].nunique().unstack("year")
    funded = funded.reindex(towns.index).fillna(0)
    return funded.div(towns["village_units"], axis=0)


def by_year(ledger: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Totals, counts, mean and median grant by year and ``by`` columns, with year-on-year growth."""
    g = ledger.groupby(["year", *by])["amount"]
    out = g.agg(amount="sum", grants="size", mean="mean", median="median").reset_index()
    out["growth"] = out.groupby(by)["amount"].pct_change() if by else out["amount"].pct_change()
    return out

"""Grade every finding and attach the 90 % interval of its numbers, from its declaration.

:func:`assess` takes the findings a report built from its study results and the run's
:class:`~shunde_workbook.analysis.evidence.Evidence`.  What each sentence states is declared once, in
:data:`~shunde_workbook.narrative.claims.DECLARATIONS` (keyed by the sentence's catalogue key): every
number, the quantity it is graded on, and the orderings it states.  From that alone each finding gets

* a grade (:mod:`~shunde_workbook.narrative.grades`): the share of draws (or simulator seeds, and
  counterfactual seeds for ``built-in``) in which *every* number and ordering of the sentence holds;
* the interval of each number declared with ``interval=True``, from the very quantity it is graded on
  (a ratio's own interval for a stated ratio);
* a confidence (``high``/``medium``/``low``) from the grades of its inputs, shown beside the likelihood:
  published or A-grade is high, B-grade or assumed weights medium, C-grade, imputed or simulated low.

A finding whose sentence has no declaration (a data gap such as a town without a population figure) is
not graded: it is a caveat, never a key finding.
"""

from __future__ import annotations

import pandas as pd

from shunde_workbook.metrics.montecarlo import LEVEL as LEVEL  # the level of every interval shown
from shunde_workbook.narrative import claims
from shunde_workbook.narrative.grades import Grade, causes_for, grade, published_matches, setting_for

NUMERIC_TOLERANCE = claims.NUMERIC_TOLERANCE
_ALL_PROGRAMMES = ("众创共善", "和美社区")
#: Quantities computed with every town's population (a share's denominator): their confidence is the
#: weakest population grade of the run.  ``per_resident`` uses only the named towns' own figures.
_POPULATION_WIDE = ("pop_share", "gini", "theil_between", "cv_per_resident", "need", "distance", "alloc_", "shift_")
_WEIGHTED = ("need", "distance", "alloc_need_weighted", "alloc_floor_plus_need", "shift_need", "shift_floor")
CONFIDENCE = ("high", "medium", "low")
_LEDGER_HEDGES = ("simulated", "partly_simulated")


def _covers_published_scope(params: dict) -> bool:
    """True when the run covers what the 2017–2022 district facts describe (both programmes, every field)."""
    return (
        set(params.get("programmes", _ALL_PROGRAMMES)) == set(_ALL_PROGRAMMES)
        and params.get("year_start", 2017) == 2017
        and params.get("year_end", 2022) == 2022
        and not params.get("fields")
    )


def _pop_grade(towns: pd.DataFrame, codes) -> str:
    """The weakest population grade among ``codes`` ('' = imputed or missing counts as weakest)."""
    grades = towns.loc[list(codes), "pop_grade"].fillna("").astype(str) if len(codes) else pd.Series([], dtype=str)
    return "C" if any(g not in ("A", "B") for g in grades) else ("B" if "B" in set(grades) else "A")


def confidence(dec: claims.Declaration, f, statuses: dict, towns: pd.DataFrame, published: bool) -> str:
    """How much confidence a finding's inputs deserve: ``high``, ``medium`` or ``low`` (module docstring)."""
    if published or dec.exact:
        return "high"
    levels = ["high"]
    ledger = str(statuses.get("ledger", ""))
    if dec.ledger and "simulated" in ledger:
        levels.append("low")
    with_pop = towns.index[towns["population"].notna()] if "population" in towns else towns.index
    for n in claims.graded_numbers(dec, f.values).values():
        m = n.metric.format(**f.meta)
        if m.startswith(_POPULATION_WIDE):
            g = _pop_grade(towns, with_pop) if len(with_pop) else "C"
        elif m == "per_resident":
            g = _pop_grade(towns, [f.meta[k] for k in (n.town, n.over) if k])
        else:
            g = "A"
        levels.append({"A": "high", "B": "medium"}.get(g, "low"))
        if m.startswith(_WEIGHTED):
            levels.append("medium")  # need weights are a matter of judgement
    if statuses.get("boundaries") == "approximate" and "approximate" in f.hedges:
        levels.append("medium")
    return max(levels, key=CONFIDENCE.index)


class _Lazy(dict):
    """Setting -> holds with it neutralised, computed only when :func:`grade` asks (in the causes' order).

    A setting with several neutral values removes the pattern if any of them does: the weakest is kept.
    """

    def __init__(self, compute, settings):
        super().__init__()
        self._compute, self._settings = compute, list(settings)

    def items(self):
        for s in self._settings:
            variants = self._compute(s)
            if variants:
                yield s, min(variants, key=lambda h: h.mean())


def _grade_one(dec, f, evidence, simulated: bool, published: bool, brk: bool) -> Grade:
    if published:
        return grade(published=True)
    if dec.exact:
        return Grade("robust", 1.0, 0, "exact")
    towns = evidence.towns

    def on(d):
        return claims.holds(dec, d, f.values, f.meta, towns)

    if simulated and dec.ledger and evidence.ensemble is not None:
        setting = setting_for(dec.kind)
        by_seed = on(evidence.ensemble)
        cf = _Lazy(lambda s: [on(v) for v in evidence.counterfactual(s)], causes_for(dec.kind))
        return grade(ledger_simulated=True, holds_by_seed=by_seed, setting=setting, counterfactuals=cf)
    return grade(holds=on(evidence.draws), break_in_series=brk and dec.series_break)


def assess(
    findings: list, results: dict, evidence, statuses: dict, reconciliation: pd.DataFrame | None, params: dict, **kw
) -> list:
    """Grade ``findings`` in place, attach intervals and confidence; return them.

    Parameters
    ----------
    findings : list of Finding
        As built by :mod:`~shunde_workbook.narrative.statements` (``Finding.key`` names the sentence).
    results : dict
        ``{study: result dict}`` the findings were built from; intervals are recorded under ``"evidence"``.
    evidence : Evidence
        Draws (and, for a simulated ledger, the seed and counterfactual ensembles) for the same inputs.
    statuses : dict
        Provenance of the inputs (``Inputs.statuses``).
    reconciliation : DataFrame or None
        ``data.reconcile.reconcile`` of the full ledger, for ``published`` grades.
    params : dict
        The run's parameters (which programmes, years and fields the findings cover).
    towns : DataFrame, optional (keyword)
        The town table, for the confidence of population-based numbers.
    ledger : DataFrame, optional (keyword)
        The run's ledger, to detect a break in the yearly series.
    series_break : bool, optional (keyword)
        Whether that break is there, when known without the rows (it wins over ``ledger``).
    """
    simulated = statuses.get("ledger") == "simulated"
    towns_df = kw.get("towns")
    if "series_break" in kw:  # known without the rows (``Inputs.facts``)
        brk = bool(kw["series_break"])
    else:
        from shunde_workbook.analysis.ledger_facts import series_break

        brk = series_break(kw["ledger"]) if kw.get("ledger") is not None else False
    for f in findings:
        dec = claims.declaration(f.key)
        if dec is None:
            continue
        published = dec.published_input or (
            bool(dec.facts)
            and reconciliation is not None
            and _covers_published_scope(params)
            and published_matches(reconciliation, dec.facts)
        )
        f.grade = _grade_one(dec, f, evidence, simulated, published, brk)
        if published:  # a published fact is true whatever the ledger: no simulated-data caution
            f.hedges = [h for h in f.hedges if h not in _LEDGER_HEDGES]
        if towns_df is not None:
            f.confidence = confidence(dec, f, statuses, towns_df, published)
        if brk and dec.series_break:
            f.flags = sorted({*f.flags, "b"})
        _intervals(dec, f, evidence, results)
    return findings


def _intervals(dec, f, evidence, results: dict) -> None:
    """The 90 % interval of each number declared with ``interval=True``, from its own quantity."""
    for key, n in claims.graded_numbers(dec, f.values).items():
        if not n.interval:
            continue
        metric = n.metric.format(**f.meta)
        if n.town is None and n.over is None and n.sign == 1:
            lo, hi = evidence.interval(metric, level=LEVEL)
        else:
            from shunde_workbook.metrics.montecarlo import interval

            lo, hi = interval(claims.quantity(evidence.draws, n, f.meta, evidence.towns), LEVEL)
        if not (hi > lo):  # exact on complete records, or fixed inputs: no sampling interval to show
            continue
        slug = "_".join([f.id.replace(".", "_"), *(str(v) for k, v in f.meta.items() if not k.endswith("_sign"))])
        f.values[key].lo, f.values[key].hi = float(lo), float(hi)
        f.values[key].interval_source = f"evidence.{slug}.{key}"
        results.setdefault("evidence", {}).setdefault(slug, {})[key] = {"lo": float(lo), "hi": float(hi)}


def _needs_draws(finding) -> bool:
    """Whether the grade or intervals of ``finding`` depend on the draws (else a point-only evidence will do)."""
    dec = claims.declaration(finding.key)
    return dec is not None and not dec.exact and not dec.published_input


def grade_label(g: Grade | None, lang: str) -> str:
    """The badge text of a grade ('' when ungraded)."""
    return g.label(lang) if g is not None else ""


def grade_findings(findings: list, results: dict, inp, params: dict, evidence=None) -> list:
    """Grade a report's findings on the run's inputs: draw the evidence, reconcile, :func:`assess`.

    Parameters
    ----------
    findings : list of Finding
    results : dict
        ``{study: result dict}`` the findings were built from.
    inp : Inputs
    params : dict
        The run's parameters (need weights, floor share and the uncertainty knobs, where declared).
    evidence : Evidence, optional
        Reuse evidence already drawn for the same inputs.
    """
    from shunde_workbook.analysis import evidence as draws
    from shunde_workbook.analysis.reconciled import reconciled

    table = reconciled(inp)
    ev = evidence or draws.for_params(inp, params, point_only=not any(map(_needs_draws, findings)), reconciled=table)
    brk = inp.facts.series_break
    return assess(findings, results, ev, inp.statuses, table, params, towns=inp.towns, series_break=brk)

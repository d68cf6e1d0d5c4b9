"""The policy brief's two evidence figures: the 2023 allocations against the need weights, and a tornado.

Built here, not in the notebook: the population share of the need weights, the allocations in 万元 and the
uncertainty model of the one-at-a-time spread (population as published, never imputed).
"""

from __future__ import annotations

from shunde_workbook.analysis import in_unit


def population_weight(need_weights: dict) -> float:
    """The population's share of the need weights (0 when the weights leave population out).

    >>> population_weight({"population": 0.6, "village_units": 0.4}), population_weight({"village_units": 1})
    (0.6, 0.0)
    """
    total = sum(float(w) for w in need_weights.values())
    return float(need_weights.get("population", 0.0)) / total if total else 0.0


def brief_evidence_figures(results: dict, inp, params: dict, labels, rep) -> tuple:
    """(sensitivity, tornado): each town's 2023 allocation as the population weight moves, and what moves the Gini.

    Parameters
    ----------
    results : the brief's study results (``scenarios`` is used).
    inp : the run's inputs.
    params : the run's parameters (need weights, floor share, uncertainty knobs).
    labels : town names in the report's language, indexed by town code.
    rep : the :class:`~shunde_workbook.report.presenter.Report` (language, simulated stamp).
    """
    from shunde_workbook.analysis import evidence, uncertainty
    from shunde_workbook.narrative.text import tr
    from shunde_workbook.report import evidence_charts

    lang = rep.lang
    table = in_unit(evidence_charts.allocation_sensitivity_table(results["scenarios"]["plan_total"], inp.towns), "万元")
    sensitivity = evidence_charts.allocation_sensitivity(
        table, labels, population_weight(params["need_weights"]), lang, rep.stamped(("population", "villages", "plan"))
    )
    model = uncertainty.UncertaintyModel.from_params({**params, "impute_missing_population": False})
    spread = evidence.one_at_a_time(inp, params["need_weights"], "gini", params["floor_share"], model)
    tornado = evidence_charts.tornado(
        spread,
        lang,
        rep.simulated,
        metric_label=tr("brief.tornado.metric", lang),
        labels={k: tr(f"brief.tornado.{k}", lang) for k in spread.index},
    )
    return sensitivity, tornado

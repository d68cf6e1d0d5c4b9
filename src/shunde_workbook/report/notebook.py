"""What every report notebook does first, and its maps, so a notebook keeps only what it teaches.

``params, inp, rep = setup(globals())`` right after the ``parameters`` cell: the parameters as a dict, the
inputs (ledger, towns, boundaries with their provenance) and the :class:`~shunde_workbook.report.Report`.
"""

from __future__ import annotations


def setup(namespace: dict, name: str = "", **load) -> tuple:
    """The parameters, inputs and report of a notebook, from its namespace (``globals()``).

    Parameters
    ----------
    namespace : the notebook's globals, holding the ``parameters`` cell's names.
    name : the report's name when the runner gives none (an interactive session); default: ``report``.
    load : options of :func:`~shunde_workbook.analysis.load_inputs` (e.g. ``min_grants=1`` for the audit).

    Returns
    -------
    (params, inp, rep) : the parameters (dict), :class:`~shunde_workbook.analysis.Inputs`, the ``Report``.
    """
    from shunde_workbook.analysis import load_inputs
    from shunde_workbook.params import collect
    from shunde_workbook.report.presenter import Report

    _inline_figures()
    params = collect(namespace)
    inp = load_inputs(params, **load)
    report = namespace.get("report_name") or name or "report"
    rep = Report(report, params.get("language", "zh"), namespace.get("output_dir", ""), inp.statuses, mix=inp.facts.mix)
    return params, inp, rep


def _inline_figures() -> None:
    """``%matplotlib inline`` when running in IPython (nothing elsewhere)."""
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython is a dependency
        return
    shell = get_ipython()
    if shell is not None:
        shell.run_line_magic("matplotlib", "inline")


def town_map(rep, gdf, column: str, inputs: tuple = ("ledger",), **options):
    """A choropleth of ``column`` in the report's language, stamped when it uses a simulated ledger.

    The approximate-boundaries caption comes with the boundaries (``choropleth``); ``inputs``: what the
    mapped values use (``Report.stamped``); ``options`` are ``choropleth``'s (scheme, k, breaks, unit,
    title, legend_title, cmap).
    """
    from shunde_workbook.narrative.text import tr
    from shunde_workbook.report.maps import choropleth

    mark = tr("common.simulated_stamp", rep.lang) if rep.stamped(inputs) else None
    return choropleth(gdf, column, language=rep.lang, stamp=mark, **options)

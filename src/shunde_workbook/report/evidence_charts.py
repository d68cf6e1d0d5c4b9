"""Charts about the strength of the evidence.

How allocations move with the need weights, and which input's uncertainty moves a headline metric most.

Drawing uses the house style and CJK font of :mod:`shunde_workbook.report.charts`, and every figure on a
simulated ledger carries :func:`~shunde_workbook.report.charts.stamp`.  The one computation,
:func:`allocation_sensitivity_table`, only strings together the existing metric functions.
"""

from __future__ import annotations

import warnings

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from shunde_workbook import metrics
from shunde_workbook.analysis.studies import fill_need_by_units
from shunde_workbook.narrative.text import tr, unit_label
from shunde_workbook.report.charts import stamp, style
from shunde_workbook.report.printsize import tighten


def _amount_label(unit: str, lang: str) -> str:
    return (
        tr("columns.amount", lang) + tr("common.sep.open", lang) + unit_label(unit, lang) + tr("common.sep.close", lang)
    )


def allocation_sensitivity_table(
    plan_total: float,
    towns: pd.DataFrame,
    grid=None,
    *,
    other: str = "village_units",
    population_col: str = "population",
    units_col: str = "village_units",
    rule: str = "need_weighted",
    floor_share: float = 0.3,
) -> pd.DataFrame:
    """Each town's allocation of ``plan_total`` as the population weight of the need index goes 0 → 1.

    At weight ``w`` the need index is ``metrics.need_index(towns, {population: w, other: 1 - w})``;
    towns without a need score (no population figure) get their share of 村(社区), as in
    :func:`shunde_workbook.analysis.studies.scenarios`; the plan is then split by ``rule``.

    Parameters
    ----------
    plan_total : float
        Amount to allocate, in the unit the table should use (e.g. 5900 万元).
    towns : pandas.DataFrame
        One row per town with ``population_col``, ``units_col`` and ``other``.
    grid : array-like, optional
        Population weights in [0, 1]; default 0, 0.05, …, 1.
    other : str, default "village_units"
        The column that takes the rest of the weight.
    rule : {"need_weighted", "floor_plus_need"}
        Allocation rule (:func:`metrics.need_weighted` or :func:`metrics.floor_plus_formula`).
    floor_share : float
        Floor fraction for ``"floor_plus_need"``.

    Returns
    -------
    pandas.DataFrame
        Index ``population_weight`` (the grid), columns = towns, each row summing to ``plan_total``.
    """
    if rule not in ("need_weighted", "floor_plus_need"):
        raise ValueError(
            f"allocation_sensitivity_table: rule must be 'need_weighted' or 'floor_plus_need', got {rule!r}"
        )
    weights = np.linspace(0.0, 1.0, 21) if grid is None else np.asarray(grid, dtype=float)
    if weights.ndim != 1 or weights.size == 0 or not np.all((weights >= 0) & (weights <= 1)):
        raise ValueError("allocation_sensitivity_table: grid must be a non-empty list of weights in [0, 1]")
    rows = {}
    for w in weights:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", metrics.MissingDataWarning)
            need = metrics.need_index(towns, {population_col: float(w), other: 1.0 - float(w)})
        need = fill_need_by_units(need, towns[units_col])
        if rule == "need_weighted":
            rows[float(w)] = metrics.need_weighted(plan_total, need)
        else:
            rows[float(w)] = metrics.floor_plus_formula(plan_total, floor_share, need)
    out = pd.DataFrame(rows).T
    out.index.name = "population_weight"
    out.columns.name = towns.index.name
    return out


def allocation_sensitivity(
    table: pd.DataFrame, labels: pd.Series, user_weight: float, lang: str, simulated: bool, *, unit: str = "万元"
):
    """Lines: each town's 2023 allocation against the population weight of the need index.

    ``table`` as from :func:`allocation_sensitivity_table` (values in ``unit``); ``labels`` maps town
    codes to names in ``lang``.  The user's weight is marked by a vertical line; each line is named at
    its right end (direct labels, spread apart where lines end close together), so no legend is needed.
    """
    style()
    fig, ax = plt.subplots(figsize=(9.2, 4.8))
    at_user = table.apply(lambda col: np.interp(user_weight, table.index.to_numpy(), col.to_numpy()))
    order = at_user.sort_values(ascending=False).index
    colours = plt.get_cmap("tab10")
    for i, town in enumerate(order):
        ax.plot(table.index, table[town], color=colours(i % 10), lw=1.8, label=str(labels.get(town, town)))
    _label_line_ends(ax, table, order, labels, colours)
    ax.axvline(user_weight, color="#333", ls="--", lw=1)
    ax.annotate(  # above the frame: inside it, the label would sit on a town's line
        tr("charts.evidence.your_choice", lang, w=user_weight),
        xy=(user_weight, 1.0),
        xycoords=("data", "axes fraction"),
        xytext=(0, 3),
        textcoords="offset points",
        ha="center",
        va="bottom",
        fontsize=9,
        color="#333",
        annotation_clip=False,
    )
    ax.set_xlim(float(table.index.min()), float(table.index.max()))
    ticks = np.linspace(0, 1, 6)
    names = [f"{t:.1f}" for t in ticks]
    by_units, by_population = tr("charts.evidence.by_units", lang), tr("charts.evidence.by_population", lang)
    names[0], names[-1] = f"0\n{by_units}", f"1\n{by_population}"
    ax.set_xticks(ticks, names)
    ax.set_xlabel(tr("charts.evidence.pop_weight", lang))
    ax.set_ylabel(_amount_label(unit, lang))
    ax.yaxis.set_major_formatter(matplotlib.ticker.StrMethodFormatter("{x:,.0f}"))
    stamp(fig, simulated, lang)
    tighten(fig)
    return fig


def spread_apart(values, gap: float) -> np.ndarray:
    """``values`` moved as little as possible so that neighbours are at least ``gap`` apart (order kept).

    >>> spread_apart([0.0, 0.1, 0.15, 5.0], 1.0).round(2).tolist()
    [-0.92, 0.08, 1.08, 5.0]
    """
    v = np.asarray(values, dtype=float)
    order = np.argsort(v, kind="stable")
    # Pool adjacent groups that overlap; each group is centred on the mean of its members (least squares).
    groups: list[list[int]] = []
    for idx in order:
        groups.append([idx])
        while len(groups) > 1:
            a, b = groups[-2], groups[-1]
            top_a = v[a].mean() + gap * (len(a) - 1) / 2
            bottom_b = v[b].mean() - gap * (len(b) - 1) / 2
            if bottom_b - top_a >= gap:
                break
            groups[-2:] = [a + b]
    out = np.empty_like(v)
    for g in groups:
        centre = v[g].mean()
        for k, idx in enumerate(g):
            out[idx] = centre + gap * (k - (len(g) - 1) / 2)
    return out


def _label_line_ends(ax, table: pd.DataFrame, order, labels, colours) -> None:
    """Name each line at its right end, in its colour, labels spread apart so none overlap."""
    ends = table.iloc[-1][list(order)].to_numpy(dtype=float)
    fig = ax.figure
    tighten(fig)
    y0, y1 = ax.get_ylim()
    axes_pt = ax.get_position().height * fig.get_size_inches()[1] * 72
    # 20 pt between label centres at the drawn size: about 11 pt or more once redrawn narrower for print
    placed = spread_apart(ends, gap=20 * (y1 - y0) / axes_pt)
    x_end = float(table.index.max())
    for i, (town, y, y_text) in enumerate(zip(order, ends, placed, strict=True)):
        ax.annotate(
            str(labels.get(town, town)),
            xy=(x_end, y),
            xytext=(x_end + 0.03 * (x_end - float(table.index.min())), y_text),
            textcoords="data",
            va="center",
            ha="left",
            fontsize=8.5,
            color=colours(i % 10),
            annotation_clip=False,
            arrowprops={"arrowstyle": "-", "color": colours(i % 10), "lw": 0.6, "shrinkA": 0, "shrinkB": 1},
        )


def tornado(
    table: pd.DataFrame,
    lang: str,
    simulated: bool,
    *,
    metric_label: str | None = None,
    labels=None,
    number_format: str = "{:.3f}",
):
    """Tornado chart: how far a headline metric moves when each input alone varies.

    Parameters
    ----------
    table : pandas.DataFrame
        One row per input (index: input name), columns ``low`` and ``high`` (the metric's range when only
        that input varies) and ``point`` (the metric's point value, the same on every row).
    lang : {"zh", "en"}
    simulated : bool
        Stamp the figure as built on simulated data.
    metric_label : str, optional
        Name of the metric, for the axis label.
    labels : mapping, optional
        Input name → label in ``lang``.
    number_format : str
        Format of the values written at the bar ends.

    Returns
    -------
    matplotlib.figure.Figure
        One bar per input, widest swing at the top, and a vertical line at the point value.
    """
    missing = {"low", "high", "point"} - set(table.columns)
    if missing:
        raise ValueError(f"tornado: table needs columns low, high and point; missing {sorted(missing)}")
    style()
    t = table.assign(swing=(table["high"] - table["low"]).abs()).sort_values("swing", ascending=True)
    names = [str((labels or {}).get(i, i)) for i in t.index]
    lo = np.minimum(t["low"], t["high"]).to_numpy()
    hi = np.maximum(t["low"], t["high"]).to_numpy()
    point = float(table["point"].iloc[0])
    # Each input's name is written above its bar, not as a tick label beside it, so the bars keep the
    # figure's width when it is redrawn half a page wide for print (report.printsize).
    fig, ax = plt.subplots(figsize=(8, 0.9 * len(t) + 1.2))
    fig.print_max_aspect = 1.2  # one row per input: redrawn for print, it keeps the height its rows need
    y = np.arange(len(t), dtype=float)
    ax.barh(y, hi - lo, left=lo, color="#0b6e69", alpha=0.85, height=0.4)
    ax.axvline(point, color="#c0392b", lw=1.2)
    for yi, a, b, name in zip(y, lo, hi, names, strict=True):
        if number_format.format(a) == number_format.format(b):  # no swing: one value, said in words
            ax.plot([a], [yi], marker="|", ms=10, color="#0b6e69")
            text = tr("charts.evidence.no_change", lang, v=number_format.format(a))
            ax.text(b, yi, "  " + text, va="center", ha="left", fontsize=8.5)
        else:
            ax.text(a, yi, number_format.format(a) + " ", va="center", ha="right", fontsize=8.5)
            ax.text(b, yi, " " + number_format.format(b), va="center", ha="left", fontsize=8.5)
        ax.text(
            0.0,
            yi + 0.24,
            name,
            transform=ax.get_yaxis_transform(),
            va="bottom",
            ha="left",
            fontsize=9,
            bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.85, "pad": 0.5},
        )
    ax.set_yticks([])
    ax.set_ylim(-0.5, len(t) - 0.1)
    span = max(hi.max(), point) - min(lo.min(), point)
    pad = 0.3 * span if span > 0 else 1.0  # room for the values written at the bar ends
    ax.set_xlim(min(lo.min(), point) - pad, max(hi.max(), point) + pad)
    ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(4))
    metric = metric_label or tr("charts.evidence.metric", lang)
    ax.set_xlabel(tr("charts.evidence.range_of", lang, metric=metric))
    point_text = tr("charts.evidence.point", lang, v=number_format.format(point))
    ax.set_title(point_text, fontsize=9, loc="left", color="#c0392b")
    ax.grid(axis="y", visible=False)
    stamp(fig, simulated, lang)
    tighten(fig)
    return fig

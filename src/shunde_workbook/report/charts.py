"""Seaborn/matplotlib charts for the notebooks (drawing only; no computation).

Every chart built on a simulated ledger carries a visible stamp saying so.  Seaborn (and the
``scipy.stats`` it imports) loads only when a chart drawn with it is made (:func:`_sns`); the others
take the same house style from :mod:`~shunde_workbook.report.theme`.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

from shunde_workbook.narrative.text import field_label, programme_label, rule_label, tr, unit_label  # noqa: E402
from shunde_workbook.report.fonts import use_cjk_font  # noqa: E402
from shunde_workbook.report.printsize import tighten  # noqa: E402
from shunde_workbook.report.theme import apply_whitegrid  # noqa: E402

PALETTE = {"众创共善": "#0b6e69", "和美社区": "#e07b39"}


def style() -> None:
    """House style: seaborn's whitegrid theme (without importing seaborn) with the packaged CJK font."""
    apply_whitegrid()
    use_cjk_font()
    plt.rcParams.update({"figure.dpi": 100, "savefig.dpi": 150})


def _sns():
    """seaborn, imported on first use by a chart that draws with it, in the house style."""
    import seaborn as sns

    sns.set_theme(style="whitegrid", context="notebook")
    style()
    return sns


def _amount_axis(unit: str, lang: str) -> str:
    return tr("charts.axis_unit", lang, label=tr("columns.amount", lang), unit=unit_label(unit, lang))


def stamp(fig, simulated: bool, lang: str) -> None:
    """Mark a figure built on simulated data, bottom right, in red."""
    if simulated:
        fig.text(
            0.99,
            0.005,
            tr("common.simulated_stamp", lang),
            ha="right",
            va="bottom",
            fontsize=8.5,
            color="#b03a2e",
            alpha=0.9,
        )


def funding_by_year(table: pd.DataFrame, unit: str, lang: str, simulated: bool):
    """Stacked bars: amount per year by programme (``table``: year, programme, amount in display unit)."""
    style()
    wide = table.pivot_table(index="year", columns="programme", values="amount", aggfunc="sum").fillna(0)
    fig, ax = plt.subplots(figsize=(8, 4.2))
    bottom = None
    for prog in wide.columns:
        ax.bar(
            wide.index.astype(str),
            wide[prog],
            bottom=bottom,
            label=programme_label(prog, lang),
            color=PALETTE.get(prog),
        )
        bottom = wide[prog] if bottom is None else bottom + wide[prog]
    ax.set_xlabel(tr("columns.year", lang))
    ax.set_ylabel(_amount_axis(unit, lang))
    ax.legend(title=tr("columns.programme", lang), frameon=False)
    ax.yaxis.set_major_formatter(matplotlib.ticker.StrMethodFormatter("{x:,.0f}"))
    stamp(fig, simulated, lang)
    tighten(fig)
    return fig


def field_shares(table: pd.DataFrame, lang: str, simulated: bool):
    """Each field's share of its programme's money per year (``table``: year, programme, field, share)."""
    sns = _sns()
    progs = list(dict.fromkeys(table["programme"]))
    fig, axes = plt.subplots(1, len(progs), figsize=(5.2 * len(progs), 4.2), squeeze=False)
    for ax, prog in zip(axes[0], progs, strict=False):
        sub = table[table["programme"] == prog].copy()
        sub["label"] = sub["field"].map(lambda f: field_label(f, lang))
        sns.lineplot(data=sub, x="year", y="share", hue="label", marker="o", ax=ax)
        ax.set_title(programme_label(prog, lang))
        ax.set_xlabel(tr("columns.year", lang))
        ax.set_ylabel(tr("columns.share", lang))
        ax.yaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0))
        ax.legend(
            title=tr("columns.field", lang),
            fontsize=7.5,
            title_fontsize=8,
            frameon=False,
            loc="upper left",
            bbox_to_anchor=(0, -0.18),
            ncol=2,
        )
    stamp(fig, simulated, lang)
    tighten(fig)
    return fig


def share_comparison(summary: pd.DataFrame, labels: pd.Series, lang: str, simulated: bool):
    """Dot plot per town: share of funding vs share of population vs share of villages."""
    sns = _sns()
    cols = ["amount_share", "pop_share", "unit_share"]
    long = summary[cols].assign(label=labels).melt(id_vars="label", var_name="measure", value_name="share")
    long["measure"] = long["measure"].map(lambda m: tr(f"columns.{m}", lang))
    order = summary.sort_values("amount_share", ascending=False).index
    fig, ax = plt.subplots(figsize=(8, 4.6))
    sns.stripplot(
        data=long,
        y="label",
        x="share",
        hue="measure",
        order=labels.loc[order],
        size=9,
        jitter=False,
        ax=ax,
        palette=["#0b6e69", "#e07b39", "#7f8c8d"],
    )
    ax.set_xlabel(tr("columns.share", lang))
    ax.set_ylabel("")
    ax.xaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0))
    ax.legend(title="", frameon=False, loc="lower right")
    stamp(fig, simulated, lang)
    tighten(fig)
    return fig


def coverage_heatmap(coverage: pd.DataFrame, labels: pd.Series, lang: str, simulated: bool):
    """Towns × years heat map of the share of 村(社区) funded."""
    sns = _sns()
    fig, ax = plt.subplots(figsize=(8, 4.6))
    data = coverage.copy()
    data.index = labels.loc[data.index]
    sns.heatmap(
        data,
        annot=True,
        fmt=".0%",
        cmap="YlGnBu",
        vmin=0,
        vmax=1,
        ax=ax,
        cbar_kws={"label": tr("columns.coverage", lang), "format": matplotlib.ticker.PercentFormatter(1.0)},
    )
    ax.set_xlabel(tr("columns.year", lang))
    ax.set_ylabel("")
    stamp(fig, simulated, lang)
    tighten(fig)
    return fig


def lorenz(curve: pd.DataFrame, gini: float, lang: str, simulated: bool, labels=None, figsize=(5.0, 4.6)):
    """Population-weighted Lorenz curve with the equality line and the Gini in the legend.

    ``figsize``: the brief draws it flatter, to keep its two pages.
    """
    style()
    fig, ax = plt.subplots(figsize=figsize)
    x, y = curve["cum_population_share"], curve["cum_amount_share"]
    ax.plot([0, 1], [0, 1], color="#7f8c8d", ls="--", lw=1, label=tr("charts.equality", lang))
    ax.plot(x, y, marker="o", color="#0b6e69", label=tr("charts.lorenz", lang, gini=f"{gini:.3f}"))
    ax.fill_between(x, x, y, color="#0b6e69", alpha=0.12)
    ax.set_xlabel(tr("charts.cum_population", lang))
    ax.set_ylabel(tr("charts.cum_funding", lang))
    ax.xaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0))
    ax.yaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0))
    ax.legend(frameon=False, loc="upper left")
    stamp(fig, simulated, lang)
    tighten(fig)
    return fig


def distance_bars(distance: pd.Series, labels: pd.Series, lang: str, simulated: bool, missing_note: str = ""):
    """Horizontal bars of (actual − target) / target per town; NaN shown as 'no data'."""
    style()
    d = distance.sort_values()
    fig, ax = plt.subplots(figsize=(7.5, 4.4))
    colors = ["#c0392b" if v < 0 else "#0b6e69" for v in d.fillna(0)]
    ax.barh(labels.loc[d.index], d.fillna(0), color=colors)
    for i, (_code, v) in enumerate(d.items()):
        if pd.isna(v):
            ax.text(0, i, "  " + tr("common.no_data", lang), va="center", fontsize=9, color="#7f8c8d")
    ax.axvline(0, color="#333", lw=0.8)
    ax.xaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0))
    ax.set_xlabel(tr("charts.distance_axis", lang))
    if missing_note:
        ax.set_title(missing_note, fontsize=9, loc="left")
    stamp(fig, simulated, lang)
    tighten(fig)
    return fig


def scenario_bars(table: pd.DataFrame, labels: pd.Series, unit: str, lang: str, simulated: bool):
    """Grouped bars: allocation per town under each rule (``table``: towns × rules by machine name, display unit)."""
    sns = _sns()
    table = table.rename(columns=lambda r: rule_label(r, lang))
    long = table.assign(label=labels.loc[table.index]).melt(id_vars="label", var_name="rule", value_name="amount")
    fig, ax = plt.subplots(figsize=(9, 4.8))
    sns.barplot(data=long, x="label", y="amount", hue="rule", ax=ax, palette="Set2")
    ax.set_xlabel("")
    ax.set_ylabel(_amount_axis(unit, lang))
    ax.legend(title="", frameon=False, fontsize=8, ncol=3)
    ax.yaxis.set_major_formatter(matplotlib.ticker.StrMethodFormatter("{x:,.0f}"))
    plt.setp(ax.get_xticklabels(), rotation=0)
    stamp(fig, simulated, lang)
    tighten(fig)
    return fig


def town_trend(town: pd.DataFrame, district_mean: pd.Series, unit: str, lang: str, simulated: bool, name: str):
    """A town's amount per year by programme, with the district's per-town mean as a line."""
    fig = funding_by_year(town, unit, lang, simulated=False)
    ax = fig.axes[0]
    ax.plot(
        district_mean.index.astype(str),
        district_mean.values,
        color="#333",
        marker="o",
        lw=1.5,
        label=tr("charts.district_mean", lang),
    )
    ax.legend(frameon=False)
    ax.set_title(name)
    stamp(fig, simulated, lang)
    return fig


def field_bars(table: pd.DataFrame, unit: str, lang: str, simulated: bool):
    """Horizontal bars of amount by field, largest first, coloured by programme (``table``: field, programme, amount).

    Drawn with matplotlib alone: the ten town profiles draw no other seaborn chart, and importing seaborn (with
    ``scipy.stats``) cost each of them about 0.9 s.
    """
    from matplotlib.patches import Patch

    style()
    t = table.sort_values("amount", ascending=False, kind="stable")
    fig, ax = plt.subplots(figsize=(7.5, 0.35 * len(t) + 1.5))
    rows = range(len(t))
    ax.barh(rows, t["amount"], height=0.8, color=[PALETTE.get(p, "#777777") for p in t["programme"]])
    ax.set_yticks(rows, [field_label(f, lang) for f in t["field"]])
    ax.set_ylim(len(t) - 0.5, -0.5)  # the largest at the top
    ax.grid(False, axis="y")
    ax.set_ylabel("")
    ax.set_xlabel(_amount_axis(unit, lang))
    shown = [p for p in PALETTE if p in set(t["programme"])]  # same order as the other charts
    ax.legend(
        [Patch(color=PALETTE[p]) for p in shown], [programme_label(p, lang) for p in shown], title="", frameon=False
    )
    stamp(fig, simulated, lang)
    tighten(fig)
    return fig


def relabel_highlight_legend(fig, lang: str) -> None:
    """Turn a two-class 0/1 map legend into "this town / other towns"."""
    ax = fig.axes[0]
    legend = ax.get_legend()
    if legend is None:
        return
    handles = legend.legend_handles[:2]
    labels = [tr("charts.other_towns", lang), tr("charts.this_town", lang)]
    legend.remove()
    ax.legend(handles, labels, loc="lower right", frameon=True, fontsize=9)

"""Town-level choropleth maps (drawing only; no computation of the figures).

:func:`choropleth` returns a stand-alone :class:`matplotlib.figure.Figure`
with an Agg canvas: fixed size and dpi, no pyplot state and no interactive
backend, so the PNG is the same in a notebook, in exported HTML and on disk.
"""

from __future__ import annotations

import math
import re
import warnings

import numpy as np
import pandas as pd
import shapely
from matplotlib import colormaps, patheffects
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Patch, Rectangle

from shunde_workbook.geo.names import normalise_town
from shunde_workbook.narrative.text import LANGS, town_label, tr
from shunde_workbook.report.fonts import use_cjk_font

__all__ = ["choropleth", "CAPTION", "NO_DATA"]


class _QuietCanvas(FigureCanvasAgg):
    """An Agg canvas that renders only when the figure is saved or shown.

    geopandas' ``plot`` asks for a redraw (``draw_idle``) after every layer; on an Agg canvas that is a
    full render of the figure so far, two or three per map, which nothing ever looks at.
    """

    def draw_idle(self, *args, **kwargs) -> None:
        """Nothing: the figure is drawn when it is saved."""


SCHEMES = ("quantiles", "fisher_jenks", "equal_interval", "user_defined")
CAPTION = {lang: tr("charts.map_approx_caption", lang) for lang in LANGS}  # words from narrative/catalogue
NO_DATA = {lang: tr("common.no_data", lang) for lang in LANGS}
FIGSIZE = (7.2, 7.6)
DPI = 150
_HATCH = "////"
_EDGE = "#4d4d4d"


# --------------------------------------------------------------------------
# classification and legend text
# --------------------------------------------------------------------------
def user_defined(y: np.ndarray, breaks) -> tuple[np.ndarray, np.ndarray]:
    """(class index per value, upper bounds) for given class upper bounds, as ``mapclassify.UserDefined``.

    A value belongs to the first class whose upper bound it does not exceed; the largest value closes
    a last class when it lies above every bound.  Plain numpy, so a map with fixed classes (the town
    profile's locator) does not import mapclassify and scikit-learn.
    """
    bins = np.asarray(sorted(float(b) for b in breaks), float)
    if bins[-1] < y.max():
        bins = np.append(bins, y.max())
    return np.searchsorted(bins, y, side="left"), bins


def quantiles(y: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """(class index per value, upper bounds) of ``k`` quantile classes, as ``mapclassify.Quantiles(y, k)``.

    The same percentiles (``100 / k`` apart, the last capped at 100), each interpolated as
    ``scipy.stats.scoreatpercentile`` does, repeated bounds dropped; values are placed as for
    :func:`user_defined`.  Plain numpy: importing mapclassify (with scipy.stats and scikit-learn) cost
    each report with a quantile map about 1.5 s.  ``tests/test_light_kernels.py`` checks it against mapclassify.
    """
    ordered = np.sort(y)
    w = 100.0 / k
    p = np.arange(w, 100 + w, w)
    if p[-1] > 100.0:
        p[-1] = 100.0
    bounds = []
    for pct in p:
        idx = pct / 100.0 * (len(ordered) - 1)
        i = int(idx)
        if i == idx:
            bounds.append(np.add.reduce(ordered[i : i + 1] * np.array(1)) / 1.0)
        else:
            weights = np.array([(i + 1 - idx), (idx - i)], float)
            bounds.append(np.add.reduce(ordered[i : i + 2] * weights) / weights.sum())
    bins = np.unique(np.array(bounds))
    return np.searchsorted(bins, y, side="left"), bins


def _classify(values: pd.Series, scheme: str, k: int, breaks):
    """Return (class index per valid value, upper bounds); mapclassify (imported here) for the other schemes."""
    if scheme not in SCHEMES:
        raise ValueError(f"scheme must be one of {SCHEMES}, not {scheme!r}")
    y = values.to_numpy(float)
    if scheme == "user_defined":
        if breaks is None or len(breaks) == 0:
            raise ValueError("scheme='user_defined' needs breaks=[upper bound of each class, ...]")
        return user_defined(y, breaks)
    distinct = len(np.unique(y))
    k_used = max(1, min(int(k), distinct))
    if k_used < k:
        warnings.warn(
            f"choropleth: only {distinct} distinct value(s), so {k_used} class(es) instead of k={k}.",
            UserWarning,
            stacklevel=3,
        )
    if k_used == 1:
        return np.zeros(len(y), int), np.array([y.max()])
    if scheme == "quantiles":
        return quantiles(y, k_used)
    import mapclassify  # and scikit-learn: only for a map classified with fisher_jenks or equal_interval

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        c = mapclassify.classify(y, scheme, k=k_used)
    return np.asarray(c.yb), np.asarray(c.bins, float)


def _decimals(numbers) -> int:
    """Fewest decimals (0-4) that keep the class bounds distinct and meaningful."""
    finite = [abs(v) for v in numbers if np.isfinite(v)]
    top = max(finite, default=0)
    d = 0 if top >= 100 else 1 if top >= 1 else 2
    while d < 4 and len({f"{v:.{d}f}" for v in numbers}) < len(set(numbers)):
        d += 1
    return d


def _range_labels(lowest: float, bins: np.ndarray, language: str = "zh") -> list[str]:
    d = _decimals([lowest, *bins])

    def fmt(v: float) -> str:
        text = f"{abs(v):,.{d}f}"
        return ("\u2212" if v < 0 and text.strip("0.,") else "") + text  # a true minus, never a hyphen

    labels = []
    for i, upper in enumerate(bins):
        lower = lowest if i == 0 else bins[i - 1]
        if i == 0 and lowest > upper:
            labels.append(f"≤ {fmt(upper)}")
        elif fmt(lower) == fmt(upper):
            labels.append(fmt(upper))
        else:
            labels.append(tr("common.format.range", language, a=fmt(lower), b=fmt(upper)))
    return labels


# --------------------------------------------------------------------------
# map furniture
# --------------------------------------------------------------------------
def _town_label(row, language: str) -> str:
    code = None
    for col in ("town_code", "town", "name_en", "name"):
        if col in row.index and pd.notna(row[col]):
            code = normalise_town(row[col])
            if code:
                break
    if code is None:
        return str(row.get("town", row.name))
    return town_label(code, language, short=True)


def _label_point(geom) -> tuple[float, float]:
    """Most interior point of the (largest part of the) polygon."""
    parts = shapely.get_parts(geom)
    part = max(parts, key=lambda g: g.area)
    p = shapely.ops.polylabel(part, tolerance=max(math.sqrt(part.area) / 200, 1e-9))
    return p.x, p.y


def _declutter(fig, texts, ax, rounds: int = 30) -> None:
    """Nudge overlapping labels apart vertically (a few pixels at a time)."""
    renderer = fig.canvas.get_renderer()
    to_data = ax.transData.inverted()
    for _ in range(rounds):
        moved = False
        boxes = [t.get_window_extent(renderer).expanded(1.08, 1.15) for t in texts]
        for i in range(len(texts)):
            for j in range(i + 1, len(texts)):
                if not boxes[i].overlaps(boxes[j]):
                    continue
                lo, hi = (i, j) if boxes[i].y0 <= boxes[j].y0 else (j, i)
                shift = (min(boxes[lo].y1, boxes[hi].y1) - max(boxes[lo].y0, boxes[hi].y0)) / 2 + 1
                for idx, sign in ((lo, -1), (hi, 1)):
                    x, y = texts[idx].get_position()
                    px, py = ax.transData.transform((x, y))
                    texts[idx].set_position(to_data.transform((px, py + sign * shift)))
                moved = True
        if not moved:
            return


def _two_lines(text: str, longest: int = 60) -> str:
    r"""``text`` broken after the separator nearest its middle when it is long (the map may print narrow).

    >>> _two_lines("甲乙丙，丁戊己", longest=8)
    '甲乙丙，\n丁戊己'
    """
    if sum(2 if ord(c) > 0x2E80 else 1 for c in text) <= longest:  # a CJK character is two wide
        return text
    cuts = [m.end() for m in re.finditer(r"，|——|；|; |, | — |\) ", text)]
    if not cuts:
        return text
    cut = min(cuts, key=lambda i: abs(i - len(text) / 2))
    return text[:cut].rstrip() + "\n" + text[cut:].lstrip()


def _nice_length(width_m: float) -> float:
    target = width_m / 5
    for km in (0.5, 1, 2, 5, 10, 20, 50):
        if km * 1000 >= target:
            return km * 1000
    return 100_000.0


def _scale_bar(ax) -> None:
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    length = _nice_length(x1 - x0)
    h = (y1 - y0) * 0.012
    bx, by = x0 + (x1 - x0) * 0.04, y0 + (y1 - y0) * 0.05
    half = length / 2
    for k, colour in enumerate(("#222222", "white")):
        ax.add_patch(
            Rectangle(
                (bx + k * half, by),
                half,
                h,
                facecolor=colour,
                edgecolor="#222222",
                linewidth=0.8,
                zorder=6,
                gid="scale-bar",
            )
        )
    km = length / 1000
    for frac, text in ((0, "0"), (0.5, f"{km / 2:g}"), (1, f"{km:g} km")):
        ax.text(
            bx + frac * length,
            by + h * 1.6,
            text,
            ha="center" if frac < 1 else "left",
            va="bottom",
            fontsize=8,
            zorder=6,
            gid="scale-bar-text",
        )


def _north_arrow(ax) -> None:
    """Arrow pointing up (grid north of UTM 49N, within 1° of true north here) with an N above it."""
    ax.annotate(
        "",
        xy=(0.94, 0.93),
        xytext=(0.94, 0.83),
        xycoords="axes fraction",
        textcoords="axes fraction",
        gid="north-arrow",
        arrowprops={"arrowstyle": "-|>,head_length=0.8,head_width=0.4", "color": "#222222", "linewidth": 1.6},
    )
    ax.text(0.94, 0.935, "N", transform=ax.transAxes, ha="center", va="bottom", fontsize=11, gid="north-arrow-n")


# --------------------------------------------------------------------------
# public
# --------------------------------------------------------------------------
def choropleth(
    gdf,
    column: str,
    *,
    language: str = "zh",
    scheme: str = "quantiles",
    k: int = 5,
    breaks=None,
    unit: str = "万元",
    title: str | None = None,
    ax=None,
    cmap: str = "YlGnBu",
    legend_title: str | None = None,
    stamp: str | None = None,
) -> Figure:
    """Draw a classed town map of ``gdf[column]``.

    The legend hangs below the map (so no town hides under it, whatever size the map is printed at), the
    approximate-boundaries caption below the legend, and ``stamp`` (e.g. the simulated-data mark) below
    that, right-aligned.

    Parameters
    ----------
    gdf : GeoDataFrame
        Town polygons (e.g. from :func:`~.boundaries.load_boundaries`) with a
        ``town_code`` or town-name column; reprojected to EPSG:32649 if
        geographic.  An ``approx`` column that is true adds the caption.
    column : str
        Numeric column to map; NaN towns are hatched as "无数据"/"No data".
    language : {"zh", "en"}
        Short Chinese names (大良) or pinyin (Daliang) for labels and legend.
    scheme : {"quantiles", "fisher_jenks", "equal_interval", "user_defined"}
        mapclassify scheme; ``user_defined`` uses ``breaks`` (class upper bounds).
    k : int
        Number of classes; lowered (with a warning) to the number of distinct values.
    breaks : sequence of float, optional
        Class upper bounds for ``user_defined``.
    unit : str
        Shown in the legend title, e.g. "万元" or "元/人".
    title, legend_title : str, optional
        Map title; legend heading (default: ``column``), the unit is appended.
    stamp : str, optional
        A mark written under everything else, in red (``report.town_map`` passes the simulated-data stamp).
    ax : matplotlib Axes, optional
        Draw into this axes instead of a new 7.2 x 7.6 in, 150 dpi figure.
    cmap : str
        Matplotlib colormap name.

    Returns
    -------
    matplotlib.figure.Figure
    """
    if language not in CAPTION:
        raise ValueError(f"language must be 'zh' or 'en', not {language!r}")
    if column not in gdf.columns:
        raise KeyError(f"column {column!r} not in the GeoDataFrame (columns: {list(gdf.columns)})")
    use_cjk_font()
    if gdf.crs is None:
        raise ValueError("choropleth needs a GeoDataFrame with a CRS (use load_boundaries)")
    if gdf.crs.is_geographic:
        gdf = gdf.to_crs("EPSG:32649")

    if ax is None:
        fig = Figure(figsize=FIGSIZE, dpi=DPI)
        _QuietCanvas(fig)
        ax = fig.add_axes((0.02, 0.02, 0.96, 0.90))  # legend, caption and stamp hang below (saved "tight")
    else:
        fig = ax.figure
        if not isinstance(fig.canvas, FigureCanvasAgg):
            _QuietCanvas(fig)

    values = pd.to_numeric(gdf[column], errors="coerce")
    valid = values.notna().to_numpy()
    handles = []
    if valid.any():
        yb, bins = _classify(values[valid], scheme, k, breaks)
        cm = colormaps[cmap]
        colours = [cm(0.6)] if len(bins) == 1 else [cm(0.12 + 0.83 * i / (len(bins) - 1)) for i in range(len(bins))]
        face = np.empty(len(gdf), dtype=object)
        face[np.flatnonzero(valid)] = [colours[c] for c in yb]
        gdf[valid].plot(ax=ax, color=list(face[valid]), edgecolor="white", linewidth=0.8, zorder=2)
        for colour, label in zip(colours, _range_labels(float(values[valid].min()), bins, language), strict=False):
            handles.append(Patch(facecolor=colour, edgecolor="#999999", linewidth=0.5, label=label))
    if (~valid).any():
        gdf[~valid].plot(ax=ax, facecolor="#f4f4f4", edgecolor="#8c8c8c", hatch=_HATCH, linewidth=0.4, zorder=2)
        handles.append(
            Patch(facecolor="#f4f4f4", edgecolor="#8c8c8c", hatch=_HATCH, linewidth=0.4, label=NO_DATA[language])
        )
    gdf.boundary.plot(ax=ax, color=_EDGE, linewidth=0.7, zorder=3)

    ax.set_aspect("equal")
    ax.set_axis_off()
    x0, y0, x1, y1 = gdf.total_bounds
    pad_x, pad_y = (x1 - x0) * 0.04, (y1 - y0) * 0.04
    ax.set_xlim(x0 - pad_x, x1 + pad_x)
    ax.set_ylim(y0 - pad_y * 3, y1 + pad_y)

    halo = [patheffects.withStroke(linewidth=3, foreground="white")]
    texts = []
    for (_, row), geom in zip(gdf.iterrows(), gdf.geometry, strict=False):
        x, y = _label_point(geom)
        texts.append(
            ax.text(
                x,
                y,
                _town_label(row, language),
                ha="center",
                va="center",
                fontsize=10,
                color="#111111",
                zorder=5,
                path_effects=halo,
                gid="town-label",
            )
        )
    ax.apply_aspect()  # the map's frame at its final limits: the labels are nudged apart in it
    _declutter(fig, texts, ax)

    sep, close = tr("common.sep.open", language), tr("common.sep.close", language)
    heading = f"{legend_title or column}{sep}{unit}{close}" if unit else (legend_title or column)
    below = ax  # the lowest element so far: the caption and the stamp go under it
    if handles:
        leg = ax.legend(
            handles=handles,
            title=heading,
            loc="upper center",
            bbox_to_anchor=(0.5, -0.01),
            ncols=min(2, len(handles)),
            fontsize=8.5,
            title_fontsize=9,
            frameon=True,
            framealpha=0.9,
            edgecolor="#cccccc",
        )
        leg.set_zorder(7)
        below = leg
    _scale_bar(ax)
    _north_arrow(ax)
    if title:
        ax.set_title(title, fontsize=13, pad=6)
    if "approx" in gdf.columns and gdf["approx"].astype(bool).any():
        below = _hang_below(ax, below, _two_lines(CAPTION[language]), "center", 4, 8, "#333333", "approx-caption")
    if stamp:
        _hang_below(ax, below, stamp, "right", 3, 8.5, "#b03a2e", "stamp", alpha=0.9)
    return fig


def _hang_below(ax, anchor, text: str, ha: str, gap_pt: float, size: float, colour: str, gid: str, **style):
    """``text`` under ``anchor`` (an artist), ``gap_pt`` points lower, centred on or right-aligned with ``ax``."""
    return ax.annotate(
        text,
        xy=({"center": 0.5, "right": 1.0}[ha], 0.0),
        xycoords=(ax, anchor),
        xytext=(0, -gap_pt),
        textcoords="offset points",
        ha=ha,
        va="top",
        fontsize=size,
        color=colour,
        gid=gid,
        annotation_clip=False,
        **style,
    )

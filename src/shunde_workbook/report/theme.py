"""The house chart style, without importing seaborn.

The charts use seaborn's ``whitegrid`` theme (``sns.set_theme(style="whitegrid", context="notebook")``).
Importing seaborn costs a kernel about half a second of CPU, most of it ``scipy.stats``, so a report
that draws no seaborn chart (the fairness report, the evidence charts) sets the same matplotlib
settings from this copy instead.  ``tests/test_light_kernels.py`` checks that the copy equals what the
pinned seaborn sets, so a seaborn upgrade that changes its theme fails the suite rather than the look.

One setting is left out: ``image.cmap = "rocket"`` names a colormap that only exists once seaborn is
imported; no chart drawn without seaborn shows an image with the default colormap.
"""

from __future__ import annotations

#: ``sns.axes_style("whitegrid") | sns.plotting_context("notebook")`` of seaborn 0.13, without ``image.cmap``.
WHITEGRID_RC = {
    "axes.axisbelow": True,
    "axes.edgecolor": ".8",
    "axes.facecolor": "white",
    "axes.grid": True,
    "axes.labelcolor": ".15",
    "axes.labelsize": 12,
    "axes.linewidth": 1.25,
    "axes.spines.bottom": True,
    "axes.spines.left": True,
    "axes.spines.right": True,
    "axes.spines.top": True,
    "axes.titlesize": 12,
    "figure.facecolor": "white",
    "font.family": ["sans-serif"],
    "font.sans-serif": ["Arial", "DejaVu Sans", "Liberation Sans", "Bitstream Vera Sans", "sans-serif"],
    "font.size": 12,
    "grid.color": ".8",
    "grid.linestyle": "-",
    "grid.linewidth": 1,
    "legend.fontsize": 11,
    "legend.title_fontsize": 12,
    "lines.linewidth": 1.5,
    "lines.markersize": 6,
    "lines.solid_capstyle": "round",
    "patch.edgecolor": "w",
    "patch.force_edgecolor": True,
    "patch.linewidth": 1,
    "text.color": ".15",
    "xtick.bottom": False,
    "xtick.color": ".15",
    "xtick.direction": "out",
    "xtick.labelsize": 11,
    "xtick.major.size": 6,
    "xtick.major.width": 1.25,
    "xtick.minor.size": 4,
    "xtick.minor.width": 1,
    "xtick.top": False,
    "ytick.color": ".15",
    "ytick.direction": "out",
    "ytick.labelsize": 11,
    "ytick.left": False,
    "ytick.major.size": 6,
    "ytick.major.width": 1.25,
    "ytick.minor.size": 4,
    "ytick.minor.width": 1,
    "ytick.right": False,
}

#: seaborn's ``deep`` palette: the colour cycle ``set_theme`` sets.
DEEP = ("#4c72b0", "#dd8452", "#55a868", "#c44e52", "#8172b3", "#937860", "#da8bc3", "#8c8c8c", "#ccb974", "#64b5cd")

#: The colour codes ``set_theme`` remaps (``set_color_codes("deep")``): b g r m y c k.
COLOR_CODES = {
    "b": "#4c72b0",
    "g": "#55a868",
    "r": "#c44e52",
    "m": "#8172b3",
    "y": "#ccb974",
    "c": "#64b5cd",
    "k": (0.1, 0.1, 0.1),
}


def apply_whitegrid() -> None:
    """Set matplotlib as ``sns.set_theme(style="whitegrid", context="notebook")`` does (bar ``image.cmap``)."""
    import matplotlib as mpl
    from cycler import cycler

    mpl.rcParams.update(WHITEGRID_RC)
    mpl.rcParams["axes.prop_cycle"] = cycler("color", [mpl.colors.to_rgb(c) for c in DEEP])
    for code, colour in COLOR_CODES.items():
        mpl.colors.colorConverter.colors[code] = mpl.colors.to_rgb(colour)

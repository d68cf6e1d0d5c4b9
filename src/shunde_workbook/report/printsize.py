"""Figures sized for print, so that their labels print at the size they were drawn.

A figure drawn 8 inches wide and printed 60 mm wide prints its 10 pt labels at 3 pt.  Here a figure
meant for a cell of a printed page is redrawn at that cell's width before it is saved, so it prints at
scale 1: every label keeps its point size (the house style uses 8 pt and more).  The page's print CSS
then shows each image at its physical width (``--print-w``, never more than the cell).
"""

from __future__ import annotations

import io
import struct
import warnings

TEXT_MM = 186.0  # A4 (210 mm) less the 12 mm side margins of the reports' @page rule (report.css)
GAP_MM = 5.0  # the gap between figures of a grid in print (report.css: .sw-figgrid column-gap)
MM_PER_IN = 25.4


def cell_widths_mm(n: int, widths: list[float] | None = None) -> list[float]:
    """Printed width of each of ``n`` grid cells (``widths``: relative widths; default equal)."""
    widths = list(widths or [1.0] * n)
    if len(widths) != n:
        raise ValueError(f"cell_widths_mm: {len(widths)} widths for {n} columns")
    usable = TEXT_MM - GAP_MM * (n - 1)
    return [usable * w / sum(widths) for w in widths]


def png_width_px(png: bytes) -> int:
    """The width in pixels of a PNG (from its header)."""
    return struct.unpack(">I", png[16:20])[0]


def save_png(fig, dpi: int, width_mm: float | None = None) -> bytes:
    """``fig`` as PNG bytes; with ``width_mm``, redrawn so the saved image is that wide at ``dpi``.

    :func:`fit_for_print`, then :func:`render_png` inside the box it returns.
    """
    return render_png(fig, dpi, fit_for_print(fig, dpi, width_mm))


def render_png(fig, dpi: int, box) -> bytes:
    """``fig`` rendered as PNG at ``dpi``, cropped to ``box`` (inches, or ``"tight"``)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, bbox_inches=box, facecolor="white")
    return buf.getvalue()


def tighten(fig) -> None:
    """``fig.tight_layout()``, without leaving a layout engine on the figure.

    ``Figure.tight_layout`` leaves a placeholder engine behind, and ``savefig`` draws a figure with an
    engine once more before it renders it, even in a box given in inches (:func:`fit_for_print`); the
    engine's own ``execute`` lays the figure out the same way and leaves none.
    """
    from matplotlib.layout_engine import TightLayoutEngine

    TightLayoutEngine().execute(fig)


def fit_for_print(fig, dpi: int, width_mm: float | None = None):
    """Redraw ``fig`` for a print cell ``width_mm`` wide; return the box ``savefig`` crops it to at ``dpi``.

    The figure keeps its font sizes (a narrower figure loses less height than width, so labels keep room,
    up to 0.75 × the width, or ``fig.print_max_aspect`` when the figure sets it);
    ``bbox_inches="tight"`` may crop margins or
    take in a legend outside the axes, so the size is corrected (at most three times) until the image is
    within 1.5% of ``width_mm``.

    The box (inches, padded as ``bbox_inches="tight"`` pads it) is the one measured last, so saving the
    figure in it (PNG and SVG) skips the layout pass ``"tight"`` would make again for each file; it is
    ``"tight"`` when the figure changed after it was measured.
    """
    if not width_mm:  # a figure with a layout engine is drawn by savefig first anyway: a box saves nothing
        return "tight" if fig.get_layout_engine() is not None else tight_box(fig, dpi)
    cap_text(fig)
    wrap_wide_text(fig, width_mm)
    for _ in range(3):
        box = tight_box(fig, dpi)
        got_mm = box.width * MM_PER_IN
        if abs(got_mm - width_mm) <= 0.015 * width_mm:
            return box
        w, h = fig.get_size_inches()
        k = width_mm / got_mm
        # Narrower: a chart's height shrinks less (square root), so labels keep room between them;
        # a map (axes of equal aspect) keeps its proportions.
        keep = k >= 1 or any(ax.get_aspect() == 1.0 for ax in fig.axes)
        # a chart: at most 0.75 × its width, unless it says otherwise (a tornado's height grows with its rows)
        height = h * k if keep else min(h * k**0.5, getattr(fig, "print_max_aspect", 0.75) * w * k)
        fig.set_size_inches(w * k, height)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # tight_layout may warn for axes it cannot fit; the result stands
            tighten(fig)
    return "tight"


def tight_width_mm(fig, dpi: int) -> float:
    """The width ``fig`` saves at with ``bbox_inches="tight"`` at ``dpi``, in mm, without rendering it."""
    return tight_box(fig, dpi).width * MM_PER_IN


def tight_box(fig, dpi: int):
    """The box (inches) ``fig`` saves in with ``bbox_inches="tight"`` at ``dpi``, without rendering it.

    The same steps as ``savefig``: a draw without rendering (layout, text positions), the tight box of
    everything drawn, and the ``savefig.pad_inches`` pad on each side.  A render at print size costs
    about ten times as much.
    """
    import matplotlib as mpl

    drawn_at = fig.dpi
    fig.set_dpi(dpi)
    try:
        fig.draw_without_rendering()
        box = fig.get_tightbbox(fig.canvas.get_renderer())
    finally:
        fig.set_dpi(drawn_at)
    return box.padded(mpl.rcParams["savefig.pad_inches"])


def cap_text(fig, largest: float = 9.5, smallest: float = 8.5) -> None:
    """Bring every text of ``fig`` between ``smallest`` and ``largest`` points.

    A figure drawn for the screen at 11-13 pt crowds itself when redrawn at a print cell's width;
    8.5 pt leaves room: printed at 94% of its drawn size (a legend wider than its cell) a label is still 8 pt.
    """
    from matplotlib.text import Text

    for text in fig.findobj(Text):
        size = text.get_fontsize()
        if text.get_text() and size > largest:
            text.set_fontsize(max(largest, smallest))
        elif text.get_text() and size < smallest:
            text.set_fontsize(smallest)


def wrap_wide_text(fig, width_mm: float, share: float = 0.75) -> None:
    """Break any text of ``fig`` wider than ``share`` of ``width_mm`` into lines (an axis label, a caption).

    A long English axis label has a fixed width: left whole, it keeps a figure from getting narrow and
    the plot shrinks to nothing beside it.
    """
    import textwrap

    from matplotlib.text import Text

    renderer = fig.canvas.get_renderer()
    limit = width_mm / MM_PER_IN * fig.dpi * share
    # A legend inside a small plot: its entries wrap at half the width, so it does not hang outside the axes.
    for ax in fig.axes:
        legend = ax.get_legend()
        if legend is not None and legend.get_window_extent(renderer).width > 0.6 * limit:
            for text in legend.get_texts():
                words = text.get_text()
                n = max(8, int(len(words) * 0.45 * limit / max(text.get_window_extent(renderer).width, 1)))
                text.set_text(textwrap.fill(words, n, break_long_words=True))
    for text in fig.findobj(Text):
        words = text.get_text()
        if not words or not text.get_visible():
            continue
        wide = text.get_window_extent(renderer).width
        if wide > limit:
            longest = max(len(line) for line in words.split("\n"))
            n = max(8, int(longest * limit / wide))
            text.set_text("\n".join(textwrap.fill(line, n, break_long_words=True) for line in words.split("\n")))


def physical_mm(png: bytes, dpi: int) -> float:
    """The width at which ``png`` prints at scale 1 (its labels at their drawn size), in mm."""
    return round(png_width_px(png) / dpi * MM_PER_IN, 1)

"""Print-size figures: the width a figure saves at is predicted without rendering it, and hits its print cell."""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from shunde_workbook.report import charts  # noqa: E402
from shunde_workbook.report.printsize import (  # noqa: E402
    MM_PER_IN,
    fit_for_print,
    png_width_px,
    render_png,
    save_png,
    tight_width_mm,
    tighten,
)

DPI = 150


def _bars():
    t = pd.DataFrame({"field": [f"f{i}" for i in range(8)], "programme": ["众创共善"] * 5 + ["和美社区"] * 3})
    return charts.field_bars(t.assign(amount=range(8, 0, -1)), "万元", "zh", True)


def _outside_legend():
    fig, ax = plt.subplots(figsize=(6, 3))
    for i in range(3):
        ax.plot([0, 1], [i, i + 1], label=f"a rather long series name {i}")
    ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1))  # hangs outside the axes: the tight box takes it in
    ax.set_xlabel("a label wider than usual, to widen the box " * 2)
    return fig


def _rendered_mm(fig) -> float:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI, bbox_inches="tight", facecolor="white")
    return png_width_px(buf.getvalue()) / DPI * MM_PER_IN


@pytest.mark.parametrize("make", [_bars, _outside_legend])
def test_the_predicted_width_is_the_rendered_one_within_a_pixel(make):
    fig = make()
    drawn_at = fig.dpi
    predicted = tight_width_mm(fig, DPI)
    assert fig.dpi == drawn_at, "the figure's dpi was not restored"
    one_pixel = MM_PER_IN / DPI
    assert abs(predicted - _rendered_mm(fig)) <= one_pixel
    plt.close(fig)


@pytest.mark.parametrize("width_mm", [58.7, 90.5, 186.0])
def test_a_chart_redrawn_for_a_print_cell_is_that_wide(width_mm):
    # (a figure whose fixed-width texts cannot fit may stop short after three corrections: that is the contract)
    fig = _bars()
    png = save_png(fig, DPI, width_mm)
    got = png_width_px(png) / DPI * MM_PER_IN
    assert abs(got - width_mm) <= 0.015 * width_mm + MM_PER_IN / DPI, (got, width_mm)  # 1.5 %, plus a pixel
    plt.close(fig)


def _pixels(png: bytes):
    import numpy as np
    from PIL import Image

    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), dtype=int)


def test_tighten_lays_out_as_tight_layout_and_leaves_no_engine():
    laid = []
    for tidy in (lambda f: f.tight_layout(), tighten):
        fig = _outside_legend()
        tidy(fig)
        laid.append([x for ax in fig.axes for x in ax.get_position().bounds])
        engine = fig.get_layout_engine()
        plt.close(fig)
    assert laid[0] == pytest.approx(laid[1], abs=1e-9)
    assert engine is None, "no placeholder engine: savefig would draw the figure once more for it"


@pytest.mark.parametrize("width_mm", [None, 90.5])
def test_the_box_fit_for_print_returns_crops_as_tight_does_with_one_draw_less(width_mm, monkeypatch):
    from matplotlib.figure import Figure

    fig = _bars()
    box = fit_for_print(fig, DPI, width_mm)
    assert box != "tight", "the box of the last measure, as the figure stands"
    draws = []
    real_draw = Figure.draw
    monkeypatch.setattr(Figure, "draw", lambda self, r: draws.append(1) or real_draw(self, r))
    in_box = render_png(fig, DPI, box)
    assert len(draws) == 1, "rendered in its box, the figure is drawn once"
    tight = render_png(fig, DPI, "tight")
    assert len(draws) == 3, "with bbox_inches='tight' savefig draws it twice"
    a, b = _pixels(in_box), _pixels(tight)
    assert a.shape == b.shape, "the same crop, to the pixel"
    assert abs(a - b).max() <= 2, "the same image (0-255 per channel; 2 allows for rounding)"
    plt.close(fig)

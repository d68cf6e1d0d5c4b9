"""Print-size figures: the width a figure saves at is predicted without rendering it, and hits its print cell."""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from shunde_workbook.report import charts  # noqa: E402
from shunde_workbook.report.printsize import MM_PER_IN, png_width_px, save_png, tight_width_mm  # noqa: E402

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

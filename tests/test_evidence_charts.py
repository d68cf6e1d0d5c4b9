"""Evidence charts: the allocation-sensitivity table and its chart, and the tornado chart."""

from __future__ import annotations

import warnings

import matplotlib
import numpy as np
import pandas as pd
import pytest

from shunde_workbook.analysis.inputs import town_table
from shunde_workbook.narrative.text import tr
from shunde_workbook.report import evidence_charts as ec

PLAN = 5900.0  # 万元


@pytest.fixture(scope="module")
def towns() -> pd.DataFrame:
    return town_table("data/reference/towns.csv", "data/reference/town_population.csv", "best_available")


@pytest.fixture(scope="module")
def table(towns) -> pd.DataFrame:
    return ec.allocation_sensitivity_table(PLAN, towns, np.linspace(0, 1, 11))


def test_rows_sum_to_the_plan_at_every_weight(table, towns):
    assert list(table.index) == pytest.approx(list(np.linspace(0, 1, 11)))
    assert list(table.columns) == list(towns.index)
    np.testing.assert_allclose(table.sum(axis=1), PLAN, rtol=1e-12)
    assert (table >= 0).all().all()


def test_endpoints_are_pure_village_and_pure_population_shares(table, towns):
    units = towns["village_units"].to_numpy(dtype=float)
    pop = towns["population"].to_numpy(dtype=float)
    np.testing.assert_allclose(table.loc[0.0].to_numpy(), PLAN * units / units.sum(), rtol=1e-12)
    # All by population: a town with no population figure keeps its share of 村(社区), the rest goes per resident.
    missing = np.isnan(pop)
    assert missing.sum() == 1
    expected = np.empty_like(pop)
    expected[missing] = PLAN * units[missing] / units.sum()
    rest = PLAN - expected[missing].sum()
    expected[~missing] = rest * pop[~missing] / pop[~missing].sum()
    np.testing.assert_allclose(table.loc[1.0].to_numpy(), expected, rtol=1e-12)


def test_floor_rule_keeps_the_floor_and_the_total(towns):
    t = ec.allocation_sensitivity_table(PLAN, towns, [0.0, 0.5, 1.0], rule="floor_plus_need", floor_share=0.3)
    np.testing.assert_allclose(t.sum(axis=1), PLAN, rtol=1e-12)
    assert (t.to_numpy() >= 0.3 * PLAN / len(towns) - 1e-9).all()
    with pytest.raises(ValueError, match="grid"):
        ec.allocation_sensitivity_table(PLAN, towns, [0.5, 1.5])
    with pytest.raises(ValueError, match="rule"):
        ec.allocation_sensitivity_table(PLAN, towns, rule="historical")


def _texts(fig) -> list[str]:
    return [t.get_text() for t in fig.findobj(matplotlib.text.Text)]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_sensitivity_chart_lines_marker_and_direct_labels(table, towns, lang):
    labels = towns["town"] if lang == "zh" else towns["name_en"]
    fig = ec.allocation_sensitivity(table, labels, 0.6, lang, simulated=True)
    ax = fig.axes[0]
    assert isinstance(fig, matplotlib.figure.Figure)
    assert len(ax.lines) == len(towns) + 1  # one per town and the user's weight
    assert any(np.allclose(line.get_xdata(), 0.6) for line in ax.lines)
    assert ax.get_legend() is None  # each line is named at its end instead (readable in print)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a missing CJK glyph would warn here
        fig.canvas.draw()
    named = {t.get_text(): t for t in ax.texts if t.get_text() in set(labels)}
    assert set(named) == set(labels)
    right = ax.get_window_extent().x1
    assert all(t.get_window_extent().x0 >= right - 1 for t in named.values())  # beside the line ends
    assert tr("simulated_stamp", lang) in _texts(fig)
    matplotlib.pyplot.close(fig)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_tornado_sorts_by_swing(lang):
    t = pd.DataFrame(
        {"low": [0.11, 0.10, 0.119], "high": [0.14, 0.16, 0.122]}, index=["population", "grants", "weights"]
    ).assign(point=0.12)
    fig = ec.tornado(t, lang, simulated=False, metric_label="Gini", labels={"grants": "资助记录"})
    ax = fig.axes[0]
    bars = ax.patches
    assert len(bars) == 3
    # Widest swing at the top: y rises with swing; each input is named above its bar, not as a tick label.
    names = {"weights", "population", "资助记录"}
    order = [x.get_text() for x in sorted(ax.texts, key=lambda x: x.get_position()[1]) if x.get_text() in names]
    assert order == ["weights", "population", "资助记录"]
    assert not [label.get_text() for label in ax.get_yticklabels() if label.get_text()]
    widths = [b.get_width() for b in sorted(bars, key=lambda b: b.get_y())]
    assert widths == pytest.approx([0.003, 0.03, 0.06])
    assert min(b.get_x() for b in bars) == pytest.approx(0.10)
    assert any(np.allclose(line.get_xdata(), 0.12) for line in ax.lines)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fig.canvas.draw()
    assert tr("simulated_stamp", lang) not in _texts(fig)
    matplotlib.pyplot.close(fig)
    with pytest.raises(ValueError, match="point"):
        ec.tornado(t.drop(columns="point"), lang, simulated=False)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_tornado_printed_half_a_page_wide_keeps_its_labels_apart(lang):
    """Redrawn 72 mm wide (the brief's print cell), no text overlaps another, and no name overlaps a bar."""
    from shunde_workbook.report.printsize import save_png

    t = pd.DataFrame(
        {"low": [0.077, 0.083, 0.091, 0.097], "high": [0.139, 0.132, 0.132, 0.097]},
        index=["Population (range by grade)", "Grant records (stratified bootstrap)", "Simulator seeds", "weights"],
    ).assign(point=0.097)
    fig = ec.tornado(t, lang, simulated=True, metric_label="Gini")
    save_png(fig, 150, 72.0)
    renderer = fig.canvas.get_renderer()
    ax = fig.axes[0]
    texts = [(x.get_text(), x.get_window_extent(renderer)) for x in ax.texts if x.get_text()]
    clashes = [(a, b) for i, (a, ba) in enumerate(texts) for b, bb in texts[i + 1 :] if ba.overlaps(bb)]
    assert not clashes, clashes
    names = [(s, box) for s, box in texts if s in set(t.index)]
    assert len(names) == len(t)
    bars = [b.get_window_extent(renderer) for b in ax.patches]
    assert not [s for s, box in names for bar in bars if box.overlaps(bar)]
    # an input that does not move the metric is said to make no change (one value, not "0.097 0.097")
    texts = [x.get_text() for x in ax.texts]
    assert tr("evidence_chart.no_change", lang, v="0.097") in [s.strip() for s in texts]
    matplotlib.pyplot.close(fig)

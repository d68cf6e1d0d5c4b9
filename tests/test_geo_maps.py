"""choropleth (geo.maps): structure of the rendered figure."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from matplotlib import font_manager
from matplotlib.collections import PatchCollection
from matplotlib.figure import Figure
from PIL import Image

from shunde_workbook.geo.boundaries import load_boundaries
from shunde_workbook.report.fonts import cjk_font_path
from shunde_workbook.report.maps import choropleth

ROOT = Path(__file__).resolve().parents[1]
TOWNS_SHP = ROOT / "shapefiles" / "shunde_towns_approx.shp"
SHORT_ZH = {"伦教", "勒流", "大良", "容桂", "陈村", "北滘", "乐从", "龙江", "杏坛", "均安"}
PINYIN = {"Lunjiao", "Leliu", "Daliang", "Ronggui", "Chencun", "Beijiao", "Lecong", "Longjiang", "Xingtan", "Jun'an"}


@pytest.fixture(scope="module")
def towns():
    gdf = load_boundaries(TOWNS_SHP)
    # test values (not real data); 陈村 has none
    gdf["funding"] = [1250.5, 830.0, 4200.0, 3100.0, np.nan, 2750.0, 980.0, 1640.0, 560.0, 21000.0]
    return gdf


def texts_with_gid(fig, gid):
    return [t for t in fig.findobj(lambda a: hasattr(a, "get_gid") and a.get_gid() == gid)]


def test_zh_png_structure(towns, tmp_path):
    fig = choropleth(towns, "funding", language="zh", unit="万元", title="测试")
    assert isinstance(fig, Figure) and fig.dpi == 150
    out = tmp_path / "map.png"
    fig.savefig(out, dpi=150)
    w, h = Image.open(out).size
    assert (w, h) == (round(fig.get_figwidth() * 150), round(fig.get_figheight() * 150))

    ax = fig.axes[0]
    labels = texts_with_gid(fig, "town-label")
    assert len(labels) == 10 and {t.get_text() for t in labels} == SHORT_ZH
    # each label sits inside its own town
    for t, geom in zip(labels, towns.geometry, strict=False):
        from shapely.geometry import Point

        assert geom.contains(Point(t.get_position()))
    # Chinese text resolves to the bundled Noto CJK font (no tofu from a fallback font)
    assert Path(font_manager.findfont(labels[0].get_fontproperties())).resolve() == cjk_font_path().resolve()

    caption = texts_with_gid(fig, "approx-caption")
    assert len(caption) == 1 and "近似" in caption[0].get_text()
    legend = ax.get_legend()
    assert "万元" in legend.get_title().get_text()
    entries = [t.get_text() for t in legend.get_texts()]
    assert entries[-1] == "无数据"
    assert "21,000" in entries[-2]  # thousands separator on the top class bound
    assert any(p.get_hatch() for p in legend.get_patches())
    hatched = [c for c in ax.collections if isinstance(c, PatchCollection) and c.get_hatch()]
    assert len(hatched) == 1 and len(hatched[0].get_paths()) == 1  # one town (陈村) without data
    assert texts_with_gid(fig, "scale-bar") and any("km" in t.get_text() for t in texts_with_gid(fig, "scale-bar-text"))
    assert texts_with_gid(fig, "north-arrow") and texts_with_gid(fig, "north-arrow-n")[0].get_text() == "N"


def test_en_labels_caption_and_legend(towns):
    fig = choropleth(
        towns, "funding", language="en", unit="yuan per person", scheme="fisher_jenks", k=3, legend_title="Funding"
    )
    labels = {t.get_text() for t in texts_with_gid(fig, "town-label")}
    assert labels == PINYIN
    assert texts_with_gid(fig, "approx-caption")[0].get_text().startswith("Approximate town boundaries")
    legend = fig.axes[0].get_legend()
    assert legend.get_title().get_text() == "Funding (yuan per person)"
    assert [t.get_text() for t in legend.get_texts()][-1] == "No data"
    assert len(legend.get_texts()) == 3 + 1


def test_no_caption_for_official_boundaries(towns):
    official = towns.assign(approx=False)
    fig = choropleth(official, "funding")
    assert not texts_with_gid(fig, "approx-caption")


def test_k_is_capped_by_distinct_values(towns):
    two = towns.assign(v=[1.0, 1.0, 2.0, 2.0, 1.0, 2.0, 1.0, 2.0, 1.0, 2.0])
    with pytest.warns(UserWarning, match="2 class"):
        fig = choropleth(two, "v", k=5)
    assert len(fig.axes[0].get_legend().get_texts()) == 2


def test_user_defined_breaks(towns):
    fig = choropleth(towns, "funding", scheme="user_defined", breaks=[1000, 3000, 25000], unit="元/人")
    legend = fig.axes[0].get_legend()
    entries = [t.get_text() for t in legend.get_texts()]
    assert entries[:3] == ["560 – 1,000", "1,000 – 3,000", "3,000 – 25,000"]
    assert "元/人" in legend.get_title().get_text()
    with pytest.raises(ValueError, match="breaks"):
        choropleth(towns, "funding", scheme="user_defined")


def test_bad_arguments(towns):
    with pytest.raises(ValueError, match="scheme"):
        choropleth(towns, "funding", scheme="jenks_magic")
    with pytest.raises(ValueError, match="language"):
        choropleth(towns, "funding", language="fr")
    with pytest.raises(KeyError):
        choropleth(towns, "nope")


def test_draws_into_given_axes(towns):
    fig = Figure(figsize=(4, 4), dpi=100)
    ax = fig.add_subplot()
    assert choropleth(towns, "funding", ax=ax) is fig
    assert len(texts_with_gid(fig, "town-label")) == 10


@pytest.mark.parametrize("width_mm", [58.7, 186.0])
def test_legend_caption_and_stamp_hang_below_the_map_at_any_print_width(towns, width_mm):
    """No town hides under the legend: legend, caption and stamp stack below the map, none overlapping."""
    from shunde_workbook.report.printsize import save_png

    fig = choropleth(towns, "funding", language="zh", unit="万元", title="测试", stamp="模拟数据")
    save_png(fig, 150, width_mm)  # redrawn at the print cell's width (a third of A4, or all of it)
    renderer = fig.canvas.get_renderer()
    ax = fig.axes[0]
    map_box = ax.get_window_extent(renderer)
    legend = ax.get_legend().get_window_extent(renderer)
    caption = texts_with_gid(fig, "approx-caption")[0].get_window_extent(renderer)
    mark = texts_with_gid(fig, "stamp")[0].get_window_extent(renderer)
    assert legend.y1 <= map_box.y0 + 1, (legend, map_box)
    assert caption.y1 <= legend.y0 + 1 and mark.y1 <= caption.y0 + 1, (legend, caption, mark)


def test_the_map_is_rendered_once_when_saved_not_after_every_layer(towns, monkeypatch):
    """geopandas asks for a redraw after each layer it plots; the map's canvas renders only when saved."""
    import io

    from matplotlib.backends.backend_agg import FigureCanvasAgg

    renders = []
    real = FigureCanvasAgg.draw
    monkeypatch.setattr(FigureCanvasAgg, "draw", lambda self: renders.append(1) or real(self))
    gappy = towns.assign(funding=towns["funding"].where(towns.index % 3 != 0))  # three layers: data, gaps, edges
    fig = choropleth(gappy, "funding", language="zh", unit="万元")
    assert renders == [], "no render while the layers are plotted"
    fig.savefig(io.BytesIO(), format="png")
    assert renders == [1]

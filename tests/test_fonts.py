"""Chinese text renders with the packaged Noto Sans CJK SC face, not a fallback."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib import font_manager  # noqa: E402

from shunde_workbook.report.fonts import CJK_FAMILY, cjk_font_path, use_cjk_font  # noqa: E402


def test_font_comes_from_the_pypi_package():
    path = cjk_font_path()
    assert path.exists() and "noto_cjk_sans_otc" in str(path)
    assert "site-packages" in str(path) or "dist-packages" in str(path)


def test_chinese_resolves_to_noto_sc_and_has_glyphs():
    assert use_cjk_font() == CJK_FAMILY
    found = font_manager.findfont(font_manager.FontProperties(family=CJK_FAMILY), fallback_to_default=False)
    assert found == str(cjk_font_path())
    from matplotlib.ft2font import FT2Font

    face = FT2Font(found)
    for ch in "顺德区大良容桂伦教勒流陈村北滘乐从龙江杏坛均安万元":
        assert face.get_char_index(ord(ch)) != 0, ch


def test_rendering_chinese_emits_no_missing_glyph_warning(recwarn):
    use_cjk_font()
    fig, ax = plt.subplots()
    ax.set_title("顺德区各镇街资助（万元）")
    fig.canvas.draw()
    plt.close(fig)
    assert not [w for w in recwarn if "missing from font" in str(w.message)]

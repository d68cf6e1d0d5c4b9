"""Pages carry their own CJK font: a WOFF subset of Noto Sans CJK SC with exactly the page's characters."""

from __future__ import annotations

import base64
import io
import re

import pytest
from fontTools.ttLib import TTFont

from shunde_workbook.report import webfonts
from shunde_workbook.report.webfonts import STYLE_ID, common_characters, embed_fonts, embedded_characters

PAGE = """<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>顺德报告</title>
<style>body { font-family: "Noto Sans CJK SC", sans-serif; }</style></head>
<body><h1>众创共善计划 &amp; 和美社区</h1><p>勒流街道 &#x9F99;&#27743;镇 per resident 5,900万元</p>
<img src="data:image/png;base64,iVBORw0KGgo="/></body></html>"""


def _font(page: str) -> TTFont:
    data = re.search(r"data:font/woff;base64,([A-Za-z0-9+/=]+)", page).group(1)
    return TTFont(io.BytesIO(base64.b64decode(data)))


def test_the_font_covers_every_character_of_the_page_and_little_more():
    out = embed_fonts(PAGE)
    covered = embedded_characters(out)
    text = "顺德报告众创共善计划和美社区勒流街道龙江镇per resident 5,900万元&"
    assert set(text) <= covered, f"missing from the subset: {set(text) - covered}"
    cjk = {c for c in covered if "\u4e00" <= c <= "\u9fff"}
    assert cjk == {c for c in text if "\u4e00" <= c <= "\u9fff"}, "the subset holds CJK characters the page lacks"
    assert "龙" in covered and "江" in covered, "character references (&#x9F99; &#27743;) are decoded"


def test_the_font_is_woff_named_as_the_stylesheets_ask_and_small():
    out = embed_fonts(PAGE)
    font = _font(out)
    assert font.flavor == "woff"
    assert "glyf" in font and "CFF " not in font, (
        "TrueType outlines: Chromium names them in PDFs (CFF prints as Type 3)"
    )
    assert font["name"].getDebugName(1) == "Noto Sans CJK SC"
    size = len(re.search(r"base64,([A-Za-z0-9+/=]+)\) format\(\"woff\"\)", out).group(1)) * 3 // 4
    assert size < 60_000, f"a page of 30 CJK characters embeds {size} bytes of font"
    assert '@font-face { font-family: "Noto Sans CJK SC"' in out


def test_the_block_goes_last_in_head_and_embedding_twice_keeps_one():
    once = embed_fonts(PAGE)
    assert once.index(f'<style id="{STYLE_ID}">') > once.index('font-family: "Noto Sans CJK SC", sans-serif')
    twice = embed_fonts(once.replace("和美社区", "和美社区 北滘"))
    assert twice.count(f'<style id="{STYLE_ID}">') == 1
    assert {"北", "滘"} <= embedded_characters(twice), "a re-embedded page gets a subset for its new text"


def test_a_fragment_without_head_gets_the_font_after_its_doctype():
    out = embed_fonts("<!DOCTYPE html><p>大良</p>")
    assert out.startswith("<!DOCTYPE html><style id=")
    assert {"大", "良"} <= embedded_characters(out)
    assert embedded_characters("<p>no font</p>") is None


def test_also_widens_the_subset_so_pages_that_change_share_one_font():
    common = common_characters("zh")
    assert "顺" in common and "滘" in common  # catalogue text and the town names
    a = embed_fonts("<html><head></head><body>状态：运行中</body></html>", also=common)
    b = embed_fonts("<html><head></head><body>状态：完成</body></html>", also=common)
    assert _font(a).getBestCmap() == _font(b).getBestCmap()


def test_a_cache_folder_keeps_the_subset_between_processes(tmp_path, monkeypatch):
    """The index is rewritten by every run: its subset is read back, not cut again; a damaged file is cut again."""
    page = "<html><head></head><body>顺德 资助</body></html>"
    first = webfonts.embed_fonts(page, cache=tmp_path)
    (saved,) = tmp_path.glob("cjk-*.woff")
    assert saved.read_bytes().startswith(b"wOFF")

    def no_cutting(characters):
        raise AssertionError("the subset was cut again although it is in the cache folder")

    monkeypatch.setattr(webfonts, "subset_font", no_cutting)
    assert webfonts.embed_fonts(page, cache=tmp_path) == first
    monkeypatch.undo()
    saved.write_bytes(b"not a font")
    assert webfonts.embed_fonts(page, cache=tmp_path) == first and saved.read_bytes().startswith(b"wOFF")
    (tmp_path / "cjk-0123.woff2").write_bytes(b"wOF2 from an earlier version")
    for k in range(webfonts.KEEP_SUBSETS + 3):  # other pages: the folder keeps only the newest few
        webfonts.embed_fonts(page.replace("资助", chr(0x4E00 + k)), cache=tmp_path)
    assert len(list(tmp_path.glob("cjk-*.woff"))) == webfonts.KEEP_SUBSETS
    assert not list(tmp_path.glob("cjk-*.woff2")), "subsets of earlier versions are removed"


def _outlines(font: TTFont) -> dict[str, tuple]:
    glyf, cmap = font["glyf"], font.getBestCmap()
    return {
        chr(cp): (glyf[name].getCoordinates(glyf)[0].array.tolist(), font["hmtx"][name]) for cp, name in cmap.items()
    }


def test_a_page_cut_from_the_base_font_draws_what_a_cut_from_the_collection_draws(monkeypatch):
    """Pages are cut from one TrueType base per process; a page bringing new characters widens the base."""
    monkeypatch.setattr(webfonts, "_BASE", None)
    text = "顺德 勒流 5,900万元 ▲ 龘"
    direct = TTFont(str(webfonts.cjk_font_path()), fontNumber=webfonts._face_index())
    from fontTools import subset

    subsetter = subset.Subsetter(webfonts._options())
    subsetter.populate(text=text)
    subsetter.subset(direct)
    webfonts.to_truetype(direct)
    via_base = TTFont(io.BytesIO(webfonts.subset_font.__wrapped__(text)))
    assert _outlines(via_base) == _outlines(direct)
    assert "龘" not in webfonts._base_characters() and "龘" in webfonts._BASE[0], "the base was widened"
    before = webfonts._BASE
    webfonts.subset_font.__wrapped__("勒流 ▼")
    assert webfonts._BASE is before, "characters already in the base do not cut it again"


def test_a_run_cuts_the_common_base_once_and_every_process_reads_it(monkeypatch, tmp_path):
    """The first process of a run cuts the base into the run's cache; the others (workers, runner) read it."""
    from shunde_workbook.data.cache import CACHE_ENV

    text = "顺德 勒流 5,900万元"
    monkeypatch.delenv(CACHE_ENV, raising=False)
    monkeypatch.setattr(webfonts, "_BASE", None)

    def drawn(woff: bytes) -> dict:  # what the subset draws (integer TrueType outlines), not its bytes
        return _outlines(TTFont(io.BytesIO(woff)))

    outside = drawn(webfonts.subset_font.__wrapped__(text))  # outside a run: cut here, nothing written
    monkeypatch.setenv(CACHE_ENV, str(tmp_path))
    monkeypatch.setattr(webfonts, "_BASE", None)
    assert drawn(webfonts.subset_font.__wrapped__(text)) == outside
    kept = list(tmp_path.glob("fontbase-*.ttf"))
    # the file is what this process cut: it draws the same outlines (no bytes compared)
    assert len(kept) == 1
    assert _outlines(TTFont(str(kept[0]))) == _outlines(TTFont(io.BytesIO(webfonts._BASE[1])))
    assert set(webfonts._base_characters()) == webfonts._BASE[0], "the shared base holds the common characters only"

    def no_cut(chars):
        raise AssertionError("a second process of the run cut the base again")

    monkeypatch.setattr(webfonts, "_BASE", None)  # as in another process of the run
    monkeypatch.setattr(webfonts, "_cut", no_cut)
    assert drawn(webfonts.subset_font.__wrapped__(text)) == outside
    with pytest.raises(AssertionError, match="cut the base again"):  # a page with new characters widens its copy
        webfonts.subset_font.__wrapped__("龘")

"""Pages carry their own font: the Noto Sans CJK face, cut down to the page's characters, as WOFF.

A machine without a CJK system font draws Chinese as boxes unless the page brings the font along.
:func:`embed_fonts` takes a finished HTML page and returns it with an ``@font-face`` rule whose source
is a ``data:`` URL: the pinned Noto Sans CJK SC face (``noto-cjk-sans-otc``) subset with fontTools to
exactly the characters the page holds (Latin included, so English pages look the same everywhere),
with TrueType outlines, as WOFF.  The rule uses the family name the stylesheets already ask for first,
``Noto Sans CJK SC``, and a web font shadows an installed font of the same name, so every page looks
the same with or without the font installed.  Printing such a page to PDF embeds the subset too.
A small script (``assets/webfont_loader.js``) hands the same bytes to the FontFace API as well: a
browser whose fontconfig knows no font at all often fails the ``@font-face`` rule alone.

Every page the workbook writes passes through :func:`embed_fonts` once, just before it is written.
"""

from __future__ import annotations

import base64
import html as html_lib
import io
import re
from functools import lru_cache
from pathlib import Path

from shunde_workbook.report.fonts import CJK_FAMILY, cjk_font_path

STYLE_ID = "sw-embedded-font"
KEEP_SUBSETS = 8  # subsets kept in a cache folder (cached_subset)
_BLOCK = re.compile(rf'<style id="{STYLE_ID}">.*?</style>\n?(<script id="{STYLE_ID}-loader">.*?</script>\n?)?', re.S)
# the same font through the FontFace API: a browser whose fontconfig knows no font at all often fails
# the @font-face rule alone (see the script's comment)
_LOADER = (Path(__file__).parent / "assets" / "webfont_loader.js").read_text(encoding="utf-8")
# JupyterLab's stylesheet draws text in its own font variables (system-ui first): point them at the page
# font.  Code keeps its monospace font; Chinese inside it falls back to the page font.
_PAGE_RULES = (
    f':root {{ --jp-content-font-family: "{CJK_FAMILY}", system-ui, sans-serif; '
    f'--jp-ui-font-family: "{CJK_FAMILY}", system-ui, sans-serif; }}\n'
    "pre, code, kbd, samp, .highlight pre, .cm-content, .jp-OutputArea-output pre"
    f' {{ font-family: var(--jp-code-font-family, monospace), "{CJK_FAMILY}", monospace; }}'
)


@lru_cache(maxsize=1)
def _face_index() -> int:
    """Index of the Simplified Chinese face (``Noto Sans CJK SC``) in the font collection."""
    from fontTools.ttLib import TTCollection

    with TTCollection(str(cjk_font_path()), lazy=True) as collection:
        for i, font in enumerate(collection.fonts):
            if font["name"].getDebugName(1) == CJK_FAMILY:
                return i
    raise LookupError(f"{CJK_FAMILY} is not in {cjk_font_path()}")


def page_characters(page: str) -> str:
    """The characters a page can show: every character of its text, entities decoded, sorted.

    Markup and embedded images add nothing but ASCII, which is in the subset anyway.
    """
    chars = set(html_lib.unescape(page)) | set(" -0123456789")
    return "".join(sorted(c for c in chars if c.isprintable() or c in "\u00a0\u3000"))


#: Blocks every page draws from besides its text: ASCII, Latin-1, Greek, punctuation, arrows, number
#: forms, shapes (▲▼), CJK and full-width punctuation.  Kept in the base font (:func:`_base_font`).
BASE_BLOCKS = (
    (0x20, 0x7E),
    (0xA0, 0xFF),
    (0x391, 0x3C9),
    (0x2010, 0x205E),
    (0x2150, 0x218B),
    (0x2190, 0x21FF),
    (0x25A0, 0x25FF),
    (0x2600, 0x26FF),
    (0x3000, 0x303F),
    (0xFF01, 0xFF5E),
)
_BASE: tuple[frozenset, bytes] | None = None  # (characters, TrueType bytes) of this process's base font


def _options(hinting: bool = False):
    """The subsetter's options; ``hinting`` keeps the hints (the base cut: :func:`to_truetype` drops them)."""
    from fontTools import subset

    options = subset.Options()
    options.hinting = hinting
    options.layout_features = []  # kerning and alternates add a third to the size for no visible gain
    options.name_IDs = [0, 1, 2, 3, 4, 5, 6]
    options.notdef_outline = True
    return options


def _base_characters() -> set[str]:
    """The blocks, both languages' catalogues, every reference table (villages, sources' titles) and the code.

    The code (the package's modules and the notebooks) because analyst editions show it: a character
    only there (陳 in ``data.schema``'s table of traditional forms) would otherwise make every worker
    cut its base again, about a second each.
    """
    from shunde_workbook.paths import NOTEBOOKS, REFERENCE

    chars = {chr(cp) for lo, hi in BASE_BLOCKS for cp in range(lo, hi + 1)}
    chars |= _file_characters(sorted(REFERENCE.glob("*.csv")))
    package = Path(__file__).resolve().parents[1]
    chars |= {
        c
        for c in _file_characters([*sorted(package.rglob("*.py")), *sorted(NOTEBOOKS.glob("*.ipynb"))])
        if c.isprintable()
    }
    return chars | set(common_characters("zh") + common_characters("en"))


def _base_font(characters: str) -> bytes:
    """A TrueType cut of the face holding ``characters`` and every common one, as uncompressed bytes.

    Cutting from the whole collection (65,000 CFF glyphs) and converting the outlines takes about a
    second; a page's subset is then cut from this base in a few hundredths of a second.  The common
    base is cut once per run (:func:`_shared_base`); a process widens its own copy (cuts again) when a
    page brings characters it lacks.  A page's subset is the same whatever base it is cut from.
    """
    global _BASE
    if _BASE is None:
        _BASE = _shared_base()
    need = set(characters)
    if not need <= _BASE[0]:
        chars = frozenset(need | _BASE[0])
        _BASE = (chars, _cut(chars))
    return _BASE[1]


def warm_base() -> None:
    """Cut (or read) this run's base font now, so that the first page to embed the font finds it ready.

    The runner calls it while the zygote imports the libraries (a core idle otherwise); without the
    CJK font it does nothing, and the pages say so as they would have.
    """
    try:
        _base_font("")
    except OSError:
        pass


def _shared_base() -> tuple[frozenset, bytes]:
    """The base of the common characters: cut by the first process of a run, read by the others.

    Kept in the run's cache folder (``data.cache.run_folder``; the runner, its workers and their kernels
    share it), keyed by the characters, the font file and fontTools' version; cut here outside a run.
    """
    import hashlib

    from shunde_workbook.data.cache import computing, run_folder

    chars = frozenset(_base_characters())
    folder = run_folder()
    if folder is None:
        return chars, _cut(chars)
    key = f"{_font_ident()}|{''.join(sorted(chars))}"
    path = folder / f"fontbase-{hashlib.sha256(key.encode('utf-8')).hexdigest()[:24]}.ttf"
    with computing(path):  # the other processes of the run wait, then read it
        try:
            return chars, path.read_bytes()
        except OSError:
            pass
        data = _cut(chars)
        _keep(path, data, "fontbase-*.ttf", 1)
    return chars, data


def _cut(chars: frozenset) -> bytes:
    from fontTools import subset
    from fontTools.ttLib import TTFont

    font = TTFont(str(cjk_font_path()), fontNumber=_face_index(), lazy=True, recalcBBoxes=False)
    font.recalcTimestamp = False
    try:
        # The CFF hints go with the CFF outlines in to_truetype: removing them first took a fifth of the
        # cut's time for the same bytes.
        subsetter = subset.Subsetter(_options(hinting=True))
        subsetter.populate(text="".join(sorted(chars)))
        subsetter.subset(font)
        to_truetype(font)
        buf = io.BytesIO()
        font.save(buf)
    finally:
        font.close()
    return buf.getvalue()


@lru_cache(maxsize=64)
def subset_font(characters: str) -> bytes:
    """The Noto Sans CJK SC face cut down to ``characters``, as WOFF bytes (TrueType outlines, zlib).

    Glyph names, hinting and layout features the pages do not use are dropped; the ``name`` table
    keeps the family name, so browsers and ``pdffonts`` report it as Noto Sans CJK SC.  WOFF, not WOFF2:
    WOFF2's Brotli pass took ten times as long as the cut for a fifth fewer bytes (a few KB a page).
    """
    from fontTools import subset
    from fontTools.ttLib import TTFont

    font = TTFont(io.BytesIO(_base_font(characters)), lazy=True, recalcBBoxes=False, recalcTimestamp=False)
    subsetter = subset.Subsetter(_options())
    subsetter.populate(text=characters)
    subsetter.subset(font)
    buf = io.BytesIO()
    font.flavor = "woff"
    font.save(buf)
    return buf.getvalue()


def to_truetype(font) -> None:
    """Convert a CFF-flavoured font to TrueType outlines in place (cubic to quadratic curves).

    Chromium prints CFF web fonts into PDFs as nameless Type 3 glyph procedures; TrueType outlines are
    embedded as a named font (``pdffonts`` lists the Noto face), with the text still selectable.
    """
    from fontTools.pens.cu2quPen import Cu2QuPen
    from fontTools.pens.ttGlyphPen import TTGlyphPen
    from fontTools.ttLib import newTable

    if "CFF " not in font:
        return
    order = font.getGlyphOrder()
    glyph_set = font.getGlyphSet()
    glyphs = {}
    for name in order:
        pen = TTGlyphPen(glyph_set)
        glyph_set[name].draw(Cu2QuPen(pen, max_err=1.0, reverse_direction=True))
        glyphs[name] = pen.glyph()
    font["loca"] = newTable("loca")
    glyf = font["glyf"] = newTable("glyf")
    glyf.glyphOrder = order
    glyf.glyphs = glyphs
    for tag in ("CFF ", "VORG"):
        if tag in font:
            del font[tag]
    maxp = font["maxp"]
    maxp.tableVersion = 0x00010000
    for field in (
        "maxZones",
        "maxTwilightPoints",
        "maxStorage",
        "maxFunctionDefs",
        "maxInstructionDefs",
        "maxStackElements",
        "maxSizeOfInstructions",
        "maxComponentElements",
    ):
        setattr(maxp, field, 0)
    maxp.maxZones = 1
    maxp.maxComponentDepth = 0
    post = font["post"]
    post.formatType, post.extraNames, post.mapping = 2.0, [], {}
    post.glyphOrder = order
    font["head"].indexToLocFormat = 0
    font["head"].glyphDataFormat = 0
    font.sfntVersion = "\x00\x01\x00\x00"
    font.recalcBBoxes = True  # glyf and head bounding boxes from the new outlines


def cached_subset(characters: str, folder: Path | None) -> bytes:
    """:func:`subset_font`, kept in ``folder`` (when given) by the characters and the font file.

    For pages rewritten by every run, even one where nothing changed (the index): a fresh process would
    first cut the base font (about a second).  A missing, unreadable or damaged file is cut again; a failed
    write is ignored.  Subsets of earlier versions (``cjk-*.woff2``) are removed.
    """
    if folder is None:
        return subset_font(characters)
    import hashlib

    ident = f"{_font_ident()}|{characters}"
    path = Path(folder) / f"cjk-{hashlib.sha256(ident.encode('utf-8')).hexdigest()[:32]}.woff"
    try:
        data = path.read_bytes()
        if data.startswith(b"wOFF"):
            return data
    except OSError:
        pass
    data = subset_font(characters)
    _keep(path, data, "cjk-*.woff", KEEP_SUBSETS)  # the newest few are enough: a page's characters change slowly
    for old in path.parent.glob("cjk-*.woff2"):
        old.unlink(missing_ok=True)
    return data


def _font_ident() -> str:
    """The font file and fontTools' version, for the names of kept cuts (the face is found in the file)."""
    from fontTools import version as fonttools_version

    font = cjk_font_path()
    return f"{font.name}|{font.stat().st_size}|{fonttools_version}"


def _keep(path: Path, data: bytes, pattern: str, keep: int) -> None:
    """Write ``data`` to ``path`` atomically and keep the ``keep`` newest files of ``pattern`` beside it.

    A failed write is ignored: the cut is made again next time.
    """
    import os

    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_bytes(data)
        os.replace(tmp, path)
        kept = sorted(path.parent.glob(pattern), key=lambda p: p.stat().st_mtime)
        for old in kept[:-keep]:
            old.unlink(missing_ok=True)
    except OSError:
        tmp.unlink(missing_ok=True)


def font_face_css(characters: str, cache: Path | None = None) -> str:
    """The ``<style>`` block that embeds the subset font (an ``@font-face`` rule) for ``characters``.

    ``cache``: a folder that keeps the subset between processes (:func:`cached_subset`).
    """
    data = base64.b64encode(cached_subset(characters, cache)).decode("ascii")
    return (
        f'<style id="{STYLE_ID}">@font-face {{ font-family: "{CJK_FAMILY}"; font-style: normal; '
        f'font-weight: 400; font-display: block; src: url(data:font/woff;base64,{data}) format("woff"); }}\n'
        f"{_PAGE_RULES}</style>\n"
        f'<script id="{STYLE_ID}-loader">{_LOADER}</script>\n'
    )


def embed_fonts(page: str, also: str = "", cache: Path | None = None) -> str:
    """``page`` with the CJK font it needs embedded (subset to its characters, WOFF).

    ``also``: more characters to include, e.g. the other edition of the same report, so that both
    editions share one subset (cut once per process).
    ``cache``: a folder that keeps the subset between processes, for pages every run rewrites.
    Idempotent: a page that already carries an embedded font gets a fresh one for its current text.
    The block goes last in ``<head>`` (or first when there is no head), after the page's own styles:
    they name ``Noto Sans CJK SC`` first, and its rules for the notebook font variables win.
    """
    page = _BLOCK.sub("", page)
    block = font_face_css(page_characters(page + _BLOCK.sub("", also)), cache)
    head = page.lower().rfind("</head>")
    if head >= 0:
        return page[:head] + block + page[head:]
    doctype = re.match(r"\s*<!DOCTYPE[^>]*>", page, re.I)
    at = doctype.end() if doctype else 0
    return page[:at] + block + page[at:]


def embed_fonts_in_file(path) -> None:
    """Embed the font into an HTML file written by code below the report layer (e.g. the validation report)."""
    import os

    path = Path(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(embed_fonts(path.read_text(encoding="utf-8")), encoding="utf-8")
    os.replace(tmp, path)


def common_characters(lang: str) -> str:
    """Every character of the reader-text catalogues of ``lang`` and of the town and village tables.

    Pages that are rewritten often (the index, after each report) pass these as ``also``: their
    character set then stays the same from one rewrite to the next and the subset is cut only once.
    """
    from shunde_workbook.narrative.text import CATALOGUE_DIR
    from shunde_workbook.paths import REFERENCE

    return "".join(sorted(_file_characters([*sorted(CATALOGUE_DIR.rglob(f"{lang}.yaml")), REFERENCE / "towns.csv"])))


def _file_characters(paths) -> set[str]:
    """Every character of the readable ``paths`` (UTF-8, a BOM dropped); unreadable files add nothing."""
    chars: set[str] = set()
    for path in paths:
        try:
            chars |= set(path.read_text(encoding="utf-8-sig"))
        except OSError:
            continue
    return chars


def embedded_characters(page: str) -> set[str] | None:
    """The characters covered by the font embedded in ``page`` (None when there is none); for checks."""
    from fontTools.ttLib import TTFont

    m = re.search(r"data:font/woff;base64,([A-Za-z0-9+/=]+)", page)
    if not m:
        return None
    font = TTFont(io.BytesIO(base64.b64decode(m.group(1))))
    return {chr(cp) for cp in font.getBestCmap()}

"""Chinese-capable fonts for matplotlib, taken from a PyPI package.

The Noto Sans CJK collection ships in ``noto-cjk-sans-otc`` (SIL OFL).  We
register it with matplotlib's font manager at run time; nothing is written
into matplotlib's install folder and no system font is relied on.
"""

from __future__ import annotations

from pathlib import Path

CJK_FAMILY = "Noto Sans CJK SC"


def cjk_font_path() -> Path:
    """Path of the Noto Sans CJK collection inside the installed package."""
    import noto_cjk_sans_otc

    return Path(str(noto_cjk_sans_otc.FONT_PATH))


def use_cjk_font() -> str:
    """Register Noto Sans CJK SC and make it matplotlib's default sans-serif.

    Returns the family name.  Safe to call more than once.
    """
    import matplotlib as mpl
    from matplotlib import font_manager

    if CJK_FAMILY not in {f.name for f in font_manager.fontManager.ttflist}:
        font_manager.fontManager.addfont(str(cjk_font_path()))
    mpl.rcParams["font.family"] = "sans-serif"
    sans = [CJK_FAMILY] + [f for f in mpl.rcParams["font.sans-serif"] if f != CJK_FAMILY]
    mpl.rcParams["font.sans-serif"] = sans
    mpl.rcParams["axes.unicode_minus"] = False
    return CJK_FAMILY

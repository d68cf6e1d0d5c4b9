"""The HTML export lifts the embedded images out while nbconvert renders and re-parses the page.

nbconvert's HTML exporter parses and re-serialises the whole rendered page with BeautifulSoup; the
report's base64 images are most of its bytes.  The page must come out exactly as if they had stayed.
"""

from __future__ import annotations

import base64
import io

import nbformat
import pytest

from shunde_workbook.publish import export


def _png(seed: int) -> str:
    from PIL import Image

    img = Image.new("RGB", (64, 48), (seed * 40 % 256, 90, 160))
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return base64.b64encode(buf.getvalue() * 4).decode()  # long enough to be lifted


def _notebook() -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    html = f'<figure><img alt="a map" src="data:image/png;base64,{_png(1)}"/><figcaption>图 1</figcaption></figure>'
    nb.cells = [
        nbformat.v4.new_markdown_cell("# 顺德"),
        nbformat.v4.new_code_cell(
            "show()",
            outputs=[
                nbformat.v4.new_output("display_data", {"text/html": html, "text/plain": "<figure>"}),
                nbformat.v4.new_output("display_data", {"image/png": _png(2), "text/plain": "<Figure>"}),
                nbformat.v4.new_output(
                    "display_data", {"text/html": '<img alt="tiny" src="data:image/png;base64,AAAA"/>'}
                ),
            ],
        ),
    ]
    return nb


@pytest.mark.parametrize("edition", ["policy", "analyst"])
def test_the_page_is_the_one_nbconvert_renders_with_the_images_in_place(edition, monkeypatch):
    nb = _notebook()
    lifted = export.to_html(nb, edition, "顺德", "zh")
    monkeypatch.setattr(export, "_lift_images", lambda nb: {})
    whole = export.to_html(nb, edition, "顺德", "zh")
    assert lifted == whole
    assert _png(1) in lifted and _png(2) in lifted and "base64,AAAA" in lifted


def test_lifting_leaves_the_callers_notebook_alone_and_tokens_nowhere():
    nb = _notebook()
    before = nbformat.writes(nb)
    page = export.to_html(nb, "policy", "顺德", "zh")
    assert nbformat.writes(nb) == before
    copy = nbformat.from_dict(nb)
    lifted = export._lift_images(copy)
    assert len(lifted) == 2, "the two long images, not the short one"
    token = next(iter(lifted))
    assert token in nbformat.writes(copy) and token[:16] not in page

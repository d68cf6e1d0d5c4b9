"""Export an executed notebook to the two HTML editions with nbconvert.

* policy edition: no code, no prompts, no stderr: narrative, figures, tables;
* analyst edition: everything, code included.

Both use the ``shunde`` template (the lab template minus every CDN script),
so a report opens offline with its images embedded.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import nbformat
from nbconvert import HTMLExporter
from nbconvert.preprocessors import Preprocessor, TagRemovePreprocessor

from shunde_workbook.narrative.text import tr
from shunde_workbook.publish.site import pdf_name  # the index links the PDF too, without importing nbconvert

TEMPLATES = Path(__file__).parent / "templates"
ANALYST_ONLY_TAG = "analyst-only"


class DropStderr(Preprocessor):
    """Remove stderr streams and warnings from the policy edition."""

    def preprocess_cell(self, cell, resources, index):
        """Drop the stderr streams of ``cell`` (warnings meant for the analyst)."""
        if cell.cell_type == "code":
            cell.outputs = [o for o in cell.outputs if not (o.output_type == "stream" and o.name == "stderr")]
        return cell, resources


# Analyst-only pieces of HTML outputs: the technical parameter line and simulator setting names.
TECHNICAL = re.compile(r'<div class="sw-meta sw-technical">.*?</div>|\s?<span class="sw-setting">[^<]*</span>', re.S)


class DropTechnical(Preprocessor):
    """Remove the analyst-only technical parameter line (``sw-technical``) from HTML outputs."""

    def preprocess_cell(self, cell, resources, index):
        """Strip the technical line from every HTML output of a code cell."""
        if cell.cell_type == "code":
            for out in cell.outputs:
                data = out.get("data", {})
                if "text/html" in data:
                    html = data["text/html"]
                    html = "".join(html) if isinstance(html, list) else html
                    data["text/html"] = TECHNICAL.sub("", html)
        return cell, resources


@cache
def _exporter(edition: str, language: str) -> HTMLExporter:
    policy = edition == "policy"
    exporter = HTMLExporter(
        # nbconvert takes ISO 639-1 codes only (it falls back to "en" for "zh-CN"); the embedded font is SC anyway
        language_code=tr("common.format.html_lang", language).split("-")[0],
        template_name="shunde",
        extra_template_basedirs=[str(TEMPLATES)],
        exclude_input=policy,
        exclude_input_prompt=policy,
        exclude_output_prompt=policy,
        embed_images=True,
    )
    if policy:
        exporter.register_preprocessor(TagRemovePreprocessor(remove_cell_tags={ANALYST_ONLY_TAG}), enabled=True)
        exporter.register_preprocessor(DropStderr(), enabled=True)
        exporter.register_preprocessor(DropTechnical(), enabled=True)
    return exporter


def to_html(nb: nbformat.NotebookNode, edition: str, title: str, language: str = "zh") -> str:
    """Render ``nb`` as the ``policy`` or ``analyst`` edition."""
    if edition not in ("policy", "analyst"):
        raise ValueError(f"edition must be 'policy' or 'analyst', not {edition!r}")
    nb = nbformat.from_dict(nb)  # the preprocessors edit in place; keep the caller's copy intact
    nb.metadata["title"] = title
    lifted = _lift_images(nb)
    body, _ = _exporter(edition, language).from_notebook_node(nb)
    return _put_back(body, lifted)


# An embedded image's base64 payload in an HTML output (``data:image/png;base64,…``), long enough to lift.
_DATA_URI = re.compile(r"(data:image/[\w.+-]+;base64,)([A-Za-z0-9+/=]{256,})")
_IMAGE_TYPES = ("image/png", "image/jpeg", "image/gif")


def _lift_images(nb: nbformat.NotebookNode) -> dict[str, str]:
    """Replace the base64 images of ``nb``'s outputs by short tokens, in place; return {token: payload}.

    nbconvert's HTML exporter renders the page, then parses and re-serialises all of it with
    BeautifulSoup; the images are most of its bytes (about 70% of a report), so the export handles
    tokens and :func:`_put_back` restores the images afterwards, for the same page.
    """
    import secrets

    stem, lifted = f"swk{secrets.token_hex(6)}i", {}  # the shape of _TOKEN

    def token(payload: str) -> str:
        key = f"{stem}{len(lifted)}e"
        lifted[key] = payload
        return key

    for cell in nb.cells:
        for out in cell.get("outputs", []) if cell.cell_type == "code" else []:
            data = out.get("data", {})
            html = data.get("text/html")
            if html:
                html = "".join(html) if isinstance(html, list) else html
                data["text/html"] = _DATA_URI.sub(lambda m: m.group(1) + token(m.group(2)), html)
            for kind in _IMAGE_TYPES:
                if isinstance(data.get(kind), str) and len(data[kind]) >= 256:
                    data[kind] = token(data[kind])
    return lifted


_TOKEN = re.compile(r"swk[0-9a-f]{12}i\d+e")


def _put_back(body: str, lifted: dict[str, str]) -> str:
    """``body`` with every token of :func:`_lift_images` replaced by its image (other text left as it is)."""
    return _TOKEN.sub(lambda m: lifted.get(m.group(0), m.group(0)), body) if lifted else body


# ------------------------------------------------------------------ the brief as PDF
from shunde_workbook.publish.browser import PDF_REPORTS, chromium, no_chromium_hint  # noqa: E402,F401

PDF_TIMEOUT = 120  # seconds for Chromium to print one report


def write_pdf(report: str, html_path: Path, language: str) -> Path | None:
    """Print the policy edition of ``report`` to A4 PDF next to it (the brief only); return its path.

    Uses headless Chromium's ``--print-to-pdf``: the same engine the browser tests use, so the
    print CSS of the reports (A4, headings kept with what follows) is what the PDF shows.  Returns
    None for other reports or when no Chromium is installed (a note goes to stderr).  The PDF is
    written to a temporary file and moved into place; the other language's PDF is removed so the
    folder never holds a brief that disagrees with its HTML.
    """
    import os
    import subprocess
    import sys
    import tempfile

    if report not in PDF_REPORTS:
        return None
    browser = chromium()
    if browser is None:  # the runner says once, at the end, how to get it (no_chromium_hint)
        return None
    html_path = Path(html_path)
    final = html_path.with_name(pdf_name(report, language))
    tmp = final.with_name(f".{final.name}.{os.getpid()}.tmp")
    # One browser process first: about 0.4 GB instead of 1.2 GB (RSS summed over Chromium's
    # processes) and faster; the usual multi-process browser only if that prints nothing, twice
    # (a Chromium whose fontconfig knows no font at all sometimes crashes while printing).
    for lean in (["--single-process", "--no-zygote"], [], []):
        with tempfile.TemporaryDirectory(prefix="swk-chromium-") as profile:
            cmd = [
                browser,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-pdf-header-footer",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-extensions",
                "--disable-sync",
                *lean,
                f"--user-data-dir={profile}",
                f"--print-to-pdf={tmp}",
                html_path.resolve().as_uri(),
            ]
            try:
                subprocess.run(cmd, capture_output=True, timeout=PDF_TIMEOUT, check=False)
            except (OSError, subprocess.TimeoutExpired) as exc:
                print(f"note: {report}: printing the PDF failed ({type(exc).__name__})", file=sys.stderr)
                tmp.unlink(missing_ok=True)
                return None
        if tmp.exists() and tmp.stat().st_size > 0:
            break
    if not tmp.exists() or tmp.stat().st_size == 0:
        print(f"note: {report}: chromium wrote no PDF", file=sys.stderr)
        tmp.unlink(missing_ok=True)
        return None
    os.replace(tmp, final)
    for other in html_path.parent.glob(f"{report}*.pdf"):
        if other != final:
            other.unlink(missing_ok=True)
    return final

"""Export an executed notebook to the two HTML editions with nbconvert.

* policy edition: no code, no prompts, no stderr: narrative, figures, tables;
* analyst edition: everything, code included.

Both use the ``shunde`` template (the lab template minus every CDN script),
so a report opens offline with its images embedded.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import nbformat
from nbconvert import HTMLExporter
from nbconvert.preprocessors import Preprocessor, TagRemovePreprocessor

TEMPLATES = Path(__file__).parent / "templates"
ANALYST_ONLY_TAG = "analyst-only"


class DropStderr(Preprocessor):
    """Remove stderr streams and warnings from the policy edition."""

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type == "code":
            cell.outputs = [o for o in cell.outputs if not (o.output_type == "stream" and o.name == "stderr")]
        return cell, resources


@cache
def _exporter(edition: str, language: str) -> HTMLExporter:
    policy = edition == "policy"
    exporter = HTMLExporter(
        language_code="zh" if language == "zh" else "en",  # lets browsers pick Simplified Chinese glyphs
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
    return exporter


def to_html(nb: nbformat.NotebookNode, edition: str, title: str, language: str = "zh") -> str:
    """Render ``nb`` as the ``policy`` or ``analyst`` edition."""
    if edition not in ("policy", "analyst"):
        raise ValueError(f"edition must be 'policy' or 'analyst', not {edition!r}")
    nb = nbformat.from_dict(nb)  # the preprocessors edit in place; keep the caller's copy intact
    nb.metadata["title"] = title
    body, _ = _exporter(edition, language).from_notebook_node(nb)
    return body

"""Narrative: the words a report says about its results.

text        Reader-facing text by key (``tr``), from the YAML catalogues in ``catalogue/`` (zh.yaml, en.yaml).
findings    ``Finding`` and ``Value``: a sentence template and the traced numbers that fill it; money formatting.
statements  The findings each study's results support, ranked and hedged.
provenance  Banners, caveats and source lines that follow the provenance of the inputs.
labels      Translated table columns and values, need weights, plan totals.
grades      How strong the evidence behind a finding is: published, robust, uncertain, built-in, noise.
assess      Grade every finding and attach the 90 % interval of its numbers (``grade_findings``).
"""

from __future__ import annotations

import importlib

# Importing this package is cheap (as for ``shunde_workbook.geo``): the names load on first use, so the
# runner's index page can use ``narrative.text`` without the pandas that ``labels`` and ``statements`` need.
_EXPORTS = {
    "labels": None,
    "provenance": None,
    "statements": None,
    "grade_findings": "assess",
    "Finding": "findings",
    "Value": "findings",
    "fmt_money": "findings",
    "rule_label": "text",
    "status_label": "text",
    "template": "text",
    "town_label": "text",
    "town_labels": "text",
    "tr": "text",
    "unit_label": "text",
}

__all__ = [
    "Finding",
    "Value",
    "fmt_money",
    "grade_findings",
    "labels",
    "provenance",
    "rule_label",
    "statements",
    "status_label",
    "template",
    "town_label",
    "town_labels",
    "tr",
    "unit_label",
]


def __getattr__(name: str):
    if name in _EXPORTS:
        module = _EXPORTS[name]
        if module is None:  # a submodule exported as itself
            return importlib.import_module(f"{__name__}.{name}")
        return getattr(importlib.import_module(f"{__name__}.{module}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

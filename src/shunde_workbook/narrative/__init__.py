"""Narrative: the words a report says about its results.

text        Reader-facing text by key (``tr``), from the YAML catalogues in ``catalogue/`` (zh.yaml, en.yaml).
findings    ``Finding`` and ``Value``: a sentence template and the traced numbers that fill it; money formatting.
statements  The findings each study's results support, ranked and hedged.
provenance  Banners, caveats and source lines that follow the provenance of the inputs.
labels      Translated table columns and values, need weights, plan totals.
grades      How strong the evidence behind a finding is: published, robust, uncertain, built-in, noise.
assess      Grade every finding and attach the 90 % interval of its numbers (``grade_findings``).
"""

from shunde_workbook.narrative import labels, provenance, statements
from shunde_workbook.narrative.assess import grade_findings
from shunde_workbook.narrative.findings import Finding, Value, fmt_money
from shunde_workbook.narrative.text import rule_label, status_label, template, tr, unit_label

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
    "tr",
    "unit_label",
]

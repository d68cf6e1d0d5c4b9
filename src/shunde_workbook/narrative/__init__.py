"""Narrative: the words a report says about its results.

text        Reader-facing text by key, in Chinese and English.
findings    ``Finding`` and ``Value``: a sentence template and the traced numbers that fill it.
statements  The findings each study's results support, ranked and hedged.
"""

from shunde_workbook.narrative import statements
from shunde_workbook.narrative.findings import Finding, Value
from shunde_workbook.narrative.text import rule_label, tr, unit_label

__all__ = ["Finding", "Value", "rule_label", "statements", "tr", "unit_label"]

"""Analysis: load a run's inputs and compute each report's results.

inputs   ``load_inputs`` reads and checks the ledger, town table, villages and boundaries named in the parameters.
studies  One function per report (overview, distribution, fairness, scenarios, profile) returning plain results.
"""

from shunde_workbook.analysis import studies
from shunde_workbook.analysis.inputs import Inputs, in_unit, load_inputs, town_summary

__all__ = ["Inputs", "in_unit", "load_inputs", "studies", "town_summary"]

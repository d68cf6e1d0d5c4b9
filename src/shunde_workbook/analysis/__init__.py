"""Analysis: load a run's inputs and compute each report's results.

inputs   ``load_inputs`` reads and checks the ledger, town table, villages and boundaries named in the parameters.
population  Town populations anchored to the 2020 census district total, with their draws.
studies  One function per report (overview, distribution, fairness, scenarios, profile) returning plain results.
"""

from shunde_workbook.analysis import population, studies
from shunde_workbook.analysis.inputs import Inputs, in_unit, load_inputs, town_summary

__all__ = ["Inputs", "in_unit", "load_inputs", "population", "studies", "town_summary"]

"""Shunde funding workbook: shared code behind the notebooks.

Notebooks stay thin; everything they compute, draw or check lives here.  The packages read as the data flow
(imports only point down it; ``tests/test_architecture.py`` checks):

errors, paths, units   the error family, the project's folders, money units
metrics                pure metric functions, rounding, checked numbers
data, geo              inputs (ledgers, reference tables, simulation) and geometry
params                 parameter specs: the runner ↔ notebook contract
analysis               load_inputs and one study function per report
narrative              reader text, findings and their grades
report, results        what a notebook shows; the results store (writer and reader)
publish                HTML and PDF export, the index page, templates
runner                 the engine that runs the notebooks and commits their outputs
experiments            compare two runs, sweep many parameter sets
cli                    the ``shunde-workbook`` command
"""

__version__ = "0.1.0"

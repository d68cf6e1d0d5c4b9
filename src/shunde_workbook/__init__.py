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

import sys as _sys

__version__ = "0.1.0"


def _stopped_early(signum, _frame):  # pragma: no cover - runs in the command only
    """SIGINT/SIGTERM before a command took over its signals: say so and leave, without a traceback."""
    import os
    import signal

    os.write(2, f"\nStopped by {signal.Signals(signum).name}.\n".encode())
    os._exit(128 + signum)


# Started as the command (``shunde-workbook``, or ``python -m shunde_workbook.cli``, during whose import
# argv[0] is "-m"), not imported by other code: from the first line, a signal ends it without a traceback.
if _sys.argv and (_sys.argv[0].endswith("shunde-workbook") or _sys.argv[0] == "-m"):
    import signal as _signal

    for _sig in (_signal.SIGINT, _signal.SIGTERM):
        _signal.signal(_sig, _stopped_early)

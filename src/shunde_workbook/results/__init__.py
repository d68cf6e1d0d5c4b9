"""The results store: every number a report cites, as tidy rows, written in the kernel and read across runs.

writer  ``<outputs>/results/<report>.csv``: rows of the findings and tables a report shows
        (called by :class:`~shunde_workbook.report.presenter.Report`).
reader  :func:`load` the rows of one or many runs as one table, stamped with each run's id and parameter hash.
"""

from shunde_workbook.results.reader import load, param_hash, read_measures, run_id, stamp

__all__ = ["load", "param_hash", "read_measures", "run_id", "stamp"]

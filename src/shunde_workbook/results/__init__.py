"""The results store: every number a report cites, as tidy rows, written in the kernel and read across runs.

writer  ``<outputs>/results/<report>.csv``: rows of the findings and tables a report shows
        (called by :class:`~shunde_workbook.report.presenter.Report`).
reader  :func:`load` the rows of one or many runs as one table, stamped with each run's id and parameter hash.
ids     :func:`run_id`, the run that wrote an outputs folder.

The names load on first use, so that ``run_id`` does not bring pandas into a pool worker.
"""

import importlib

_EXPORTS = {"load": "reader", "param_hash": "reader", "read_measures": "reader", "run_id": "ids", "stamp": "reader"}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    if name in _EXPORTS:
        return getattr(importlib.import_module(f"{__name__}.{_EXPORTS[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

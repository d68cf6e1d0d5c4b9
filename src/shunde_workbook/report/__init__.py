"""Report: what a notebook shows a reader.

presenter  ``Report``: title block, banner, contents, findings, figures, tables, data and methods.
charts     Seaborn/matplotlib figures with the simulated-data stamp.
maps       ``choropleth``: classed town maps with the approximate-boundaries caption.
fonts      The CJK font used in every figure.
sources    The list of sources closing each report.
table      ``Table``: machine column names with label keys and units, translated only when shown.
display_tables  The table each report shows, built from its study results (no language).
notebook   ``setup(globals())`` (params, inputs, report) and ``town_map`` (a stamped choropleth).

Names load on first use, so ``shunde_workbook.report.presenter`` helpers do not pull in matplotlib.
"""

from __future__ import annotations

import importlib

_EXPORTS = {
    "Report": "presenter",
    "charts": None,
    "choropleth": "maps",
    "display_tables": None,
    "setup": "notebook",
    "town_map": "notebook",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    module = importlib.import_module(f"{__name__}.{_EXPORTS[name] or name}")
    return module if _EXPORTS[name] is None else getattr(module, name)

"""Shunde funding workbook: shared code behind the notebooks.

Notebooks stay thin; everything they compute, draw or check lives here.
"""

__version__ = "0.1.0"

"""Town geography for the workbook: datum conversion, names and boundaries (no drawing).

Submodules
----------
gcj02       GCJ-02 <-> WGS84 conversion (numpy + shapely).
names       The 10 towns and ``normalise_town`` / ``suggest_town`` (stdlib only).
build       ``build_geo``: approximate town polygons from citable inputs.
boundaries  ``load_boundaries`` and ``BoundaryError``.

Importing this package is cheap: the heavy submodules load on first use, so
``from shunde_workbook.geo.names import normalise_town`` pulls in no pandas.
"""

from __future__ import annotations

import importlib

_EXPORTS = {
    "wgs84_to_gcj02": "gcj02",
    "gcj02_to_wgs84": "gcj02",
    "geometry_wgs84_to_gcj02": "gcj02",
    "geometry_gcj02_to_wgs84": "gcj02",
    "normalise_town": "names",
    "suggest_town": "names",
    "TOWNS": "names",
    "build_geo": "build",
    "load_boundaries": "boundaries",
    "BoundaryError": "boundaries",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    if name in _EXPORTS:
        module = importlib.import_module(f"{__name__}.{_EXPORTS[name]}")
        return getattr(module, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

"""Plain helpers shared by the tests (fixtures live in ``conftest.py``)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
UTM = "EPSG:32649"  # metres, for distances on the Pearl River Delta


def cli(*args: str, timeout: float = 600) -> subprocess.CompletedProcess:
    """Run the ``shunde-workbook`` command as a user would."""
    exe = Path(sys.executable).with_name("shunde-workbook")
    return subprocess.run([str(exe), *args], capture_output=True, text=True, timeout=timeout, cwd=ROOT)


def assert_same_boundaries(a: gpd.GeoDataFrame, b: gpd.GeoDataFrame, metres: float = 1.0, rel: float = 1e-6) -> None:
    """Assert two boundary layers agree within a stated tolerance, not byte for byte.

    Floating-point geometry differs between machines in its last bits, and a
    polygon may gain or lose a vertex that lies on a straight edge.  So the
    check is geometric: the same attributes (numbers to ``rel``), and each
    pair of shapes within ``metres`` of each other (Hausdorff distance, in UTM)
    with areas equal to ``rel``.
    """
    assert list(a.columns) == list(b.columns)
    assert len(a) == len(b)
    left, right = pd.DataFrame(a.drop(columns="geometry")), pd.DataFrame(b.drop(columns="geometry"))
    pd.testing.assert_frame_equal(left, right, check_exact=False, rtol=rel)
    ga, gb = a.to_crs(UTM).geometry.to_numpy(), b.to_crs(UTM).geometry.to_numpy()
    assert np.all(shapely.hausdorff_distance(ga, gb) <= metres)
    np.testing.assert_allclose(shapely.area(ga), shapely.area(gb), rtol=rel)

"""The boundary build holds on any machine: a 1e-12 change of its input stays within the test tolerance.

A different CPU, libm or GEOS build changes the last bits of the build's
floating-point work.  This simulates that by perturbing the build's inputs
(the seats and the outline) by 1e-12 and comparing with the committed files
the way the suite does (tests/helpers.py: assert_same_boundaries), and checks
that the comparison still fails on a real change.
"""

from __future__ import annotations

import json
import shutil

import geopandas as gpd
import pandas as pd
import pytest

from shunde_workbook.geo.build import build_geo

from helpers import ROOT, assert_same_boundaries

SOURCE = ROOT / "shapefiles" / "source"
TOWNS_SHP = ROOT / "shapefiles" / "shunde_towns_approx.shp"
OUTLINE_SHP = ROOT / "shapefiles" / "shunde_district_outline.shp"
UTM = "EPSG:32649"


def _nudge(value, k: int):
    """``value`` scaled by 1 ± 1e-12 (the sign alternates with ``k``; nested lists all alike, keeping rings closed)."""
    if isinstance(value, list):
        return [_nudge(v, k) for v in value]
    return value * (1 + (1e-12 if k % 2 else -1e-12))


def test_build_from_inputs_perturbed_by_1e_12_matches_the_committed_files_within_tolerance(tmp_path):
    src = tmp_path / "src"
    shutil.copytree(SOURCE, src)
    seats = pd.read_csv(src / "towns_seats.csv", dtype=str)
    for col in ("seat_lon", "seat_lat"):
        moved = [_nudge(float(v), i) for i, v in enumerate(seats[col])]
        assert all(m != float(v) for m, v in zip(moved, seats[col], strict=True))  # the change is representable
        seats[col] = [repr(m) for m in moved]
    seats.to_csv(src / "towns_seats.csv", index=False)
    outline = src / "shunde_district_outline_gcj02.geojson"
    geo = json.loads(outline.read_text("utf-8"))
    geo["coordinates"] = _nudge(geo["coordinates"], 1)
    outline.write_text(json.dumps(geo), encoding="utf-8")

    result = build_geo(tmp_path / "out", src)
    assert_same_boundaries(gpd.read_file(result["towns_path"]), gpd.read_file(TOWNS_SHP))
    assert_same_boundaries(gpd.read_file(result["outline_path"]), gpd.read_file(OUTLINE_SHP))


def test_the_tolerance_comparison_still_rejects_a_real_change():
    committed = gpd.read_file(TOWNS_SHP)
    assert_same_boundaries(committed, committed.copy())
    moved = committed.to_crs(UTM)
    moved.loc[0, "geometry"] = moved.geometry[0].buffer(3.0)  # one town grows by 3 m all round
    with pytest.raises(AssertionError):
        assert_same_boundaries(committed, moved.to_crs(committed.crs))

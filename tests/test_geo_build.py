"""The committed approximate town boundaries and their build (geo.build)."""

from __future__ import annotations

import itertools
import json
import re
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from shunde_workbook.cli import main
from shunde_workbook.errors import BoundaryError
from shunde_workbook.geo.build import build_geo

from helpers import assert_same_boundaries

ROOT = Path(__file__).resolve().parents[1]
SHP = ROOT / "shapefiles"
SOURCE = SHP / "source"
TOWNS_SHP = SHP / "shunde_towns_approx.shp"
OUTLINE_SHP = SHP / "shunde_district_outline.shp"
UTM = "EPSG:32649"
SHARED = ROOT.parent / "shared" / "reference"


@pytest.fixture(scope="module")
def towns() -> gpd.GeoDataFrame:
    return gpd.read_file(TOWNS_SHP).to_crs(UTM)


@pytest.fixture(scope="module")
def outline() -> shapely.Geometry:
    return shapely.union_all(gpd.read_file(OUTLINE_SHP).to_crs(UTM).geometry.values)


@pytest.fixture(scope="module")
def published() -> pd.Series:
    """Published area per town code, straight from the source tables."""
    seats = pd.read_csv(SOURCE / "towns_seats.csv", dtype={"town_code": str})
    extra = pd.read_csv(SOURCE / "town_area_sources.csv")
    extra = extra[extra["metric"] == "area"].set_index("town")["value"].astype(float)
    area = seats["published_area_km2"].astype(float).fillna(seats["town"].map(extra))
    return pd.Series(area.to_numpy(), index=seats["town_code"])


def test_files_and_fields(towns):
    for ext in ("shp", "shx", "dbf", "prj", "cpg"):
        assert (SHP / f"shunde_towns_approx.{ext}").exists()
        assert (SHP / f"shunde_district_outline.{ext}").exists()
    assert (SHP / "shunde_towns_approx.cpg").read_text().strip() == "UTF-8"
    raw = gpd.read_file(TOWNS_SHP)
    assert raw.crs.to_epsg() == 4326
    assert {"town_code", "town", "name_en", "area_km2", "approx", "method", "source"} <= set(raw.columns)
    assert sorted(raw["town_code"]) == [
        "440606003",
        "440606004",
        "440606005",
        "440606006",
        "440606101",
        "440606102",
        "440606103",
        "440606104",
        "440606105",
        "440606106",
    ]
    assert "大良街道" in set(raw["town"]) and "Jun'an" in set(raw["name_en"])
    assert (raw["approx"] == 1).all()
    assert raw["source"].str.contains("GeoNames").all() and raw["source"].str.contains("cnmaps").all()


def test_published_areas_present_for_all_towns(published):
    assert published.notna().all() and len(published) == 10
    assert published["440606102"] == 92.11  # 北滘, from town_area_sources.csv


def test_cell_areas_within_3pct_of_scaled_targets(towns, outline, published):
    targets = published / published.sum() * outline.area / 1e6
    built = pd.Series(towns.area.to_numpy() / 1e6, index=towns["town_code"])
    err = (built / targets[built.index] - 1).abs()
    assert err.max() < 0.03, err
    # the scaling is small: published areas already sum to within 1% of the outline
    assert abs(published.sum() / (outline.area / 1e6) - 1) < 0.01


def test_area_field_is_the_measured_area(towns):
    np.testing.assert_allclose(towns["area_km2"], towns.area / 1e6, atol=0.002)


def test_cells_tile_the_outline(towns, outline):
    union = shapely.union_all(towns.geometry.values)
    assert abs(union.area / outline.area - 1) < 0.001
    assert union.symmetric_difference(outline).area < 0.001 * outline.area
    for a, b in itertools.combinations(towns.geometry, 2):
        assert a.intersection(b).area < 0.01e6


def test_every_seat_inside_its_own_cell(towns):
    seats = pd.read_csv(SOURCE / "towns_seats.csv", dtype={"town_code": str}).set_index("town_code")
    pts = gpd.GeoSeries(gpd.points_from_xy(seats["seat_lon"], seats["seat_lat"]), index=seats.index, crs=4326).to_crs(
        UTM
    )
    for code, geom in zip(towns["town_code"], towns.geometry, strict=False):
        assert geom.contains(pts[code]), code
        others = [g for c, g in zip(towns["town_code"], towns.geometry, strict=False) if c != code]
        assert not any(g.contains(pts[code]) for g in others)


def test_cells_are_valid_single_polygons(towns):
    assert towns.is_valid.all()
    assert (towns.geom_type == "Polygon").all()


def test_outline_was_converted_from_gcj02(outline):
    raw = gpd.read_file(SOURCE / "shunde_district_outline_gcj02.geojson").set_crs(4326, allow_override=True)
    gcj_as_is = raw.to_crs(UTM).geometry.union_all()
    shift = outline.centroid.distance(gcj_as_is.centroid)
    assert 400 < shift < 800  # the GCJ-02 offset was removed
    assert abs(gcj_as_is.area / outline.area - 1) < 0.001  # same shape, just moved


def test_source_copies_match_shared_reference():
    if not SHARED.exists():
        pytest.skip("shared reference folder not present")
    # Copies of input files, not generated output: the same text (line endings aside, which git may
    # convert on checkout), and the outline as the same JSON (coordinates parsed from the same digits).
    seats, shared = (SOURCE / "towns_seats.csv"), (SHARED / "towns.csv")
    assert seats.read_text(encoding="utf-8").splitlines() == shared.read_text(encoding="utf-8").splitlines()
    name = "shunde_district_outline_gcj02.geojson"
    outline = [json.loads((folder / name).read_text(encoding="utf-8")) for folder in (SOURCE, SHARED)]
    assert outline[0] == outline[1]


def test_readme_table_matches_committed_shapefile(towns):
    text = (SHP / "README.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\|\s*(440606\d{3})\s*\|[^|]*\|\s*([\d.]+)\s*\|\s*([\d.]+)\s*\|\s*([\d.]+)\s*\|", text, re.M)
    assert len(rows) == 10
    built = dict(zip(towns["town_code"], towns.area / 1e6, strict=False))
    for code, _pub, _target, built_txt in rows:
        assert float(built_txt) == pytest.approx(built[code], abs=0.002)


def _build(dest: Path) -> gpd.GeoDataFrame:
    result = build_geo(dest, SOURCE)
    assert result["towns_path"].exists() and result["outline_path"].exists()
    return gpd.read_file(result["towns_path"])


def test_build_is_deterministic_and_reproduces_committed_files(tmp_path):
    t0 = time.perf_counter()
    a = _build(tmp_path / "a")
    b = _build(tmp_path / "b")
    assert time.perf_counter() - t0 < 60
    # Two builds on one machine, and a build against the committed files (made on another machine),
    # agree within 1 m and 1e-6 of each area: floating-point geometry is not compared byte for byte.
    for other in (b, gpd.read_file(TOWNS_SHP)):
        assert_same_boundaries(a, other)
    assert_same_boundaries(gpd.read_file(tmp_path / "a" / "shunde_district_outline.shp"), gpd.read_file(OUTLINE_SHP))
    # the build is self-contained: it copied its inputs next to its outputs
    assert (tmp_path / "a" / "source" / "towns_seats.csv").exists()


def test_build_rejects_a_seat_outside_the_outline(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    for f in SOURCE.iterdir():
        if f.is_file():
            (src / f.name).write_bytes(f.read_bytes())
    seats = pd.read_csv(src / "towns_seats.csv", dtype=str)
    seats.loc[0, "seat_lon"] = "113.6"  # east of the district, in Guangzhou's Nansha
    seats.to_csv(src / "towns_seats.csv", index=False)
    with pytest.raises(BoundaryError, match="outside the district outline") as err:
        build_geo(tmp_path / "out", src)
    assert "towns_seats.csv" in str(err.value) and "seat_lon" in str(err.value)  # the file and what to check


def test_build_geo_command_reports_bad_reference_data_without_a_traceback(tmp_path, capsys):
    src = tmp_path / "src"
    src.mkdir()
    for f in SOURCE.iterdir():
        if f.is_file():
            (src / f.name).write_bytes(f.read_bytes())
    seats = pd.read_csv(src / "towns_seats.csv", dtype=str)
    seats.loc[0, "seat_lon"] = "113.6"
    seats.to_csv(src / "towns_seats.csv", index=False)
    code = main(["build-geo", "--out", str(tmp_path / "out"), "--reference", str(src)])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("error: ") and "outside the district outline" in err and "Traceback" not in err

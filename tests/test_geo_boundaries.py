"""load_boundaries and the town-name helpers (geo.boundaries, geo.names)."""

from __future__ import annotations

import shutil
import subprocess
import sys
import warnings
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Polygon

from shunde_workbook.geo.boundaries import BoundaryError, load_boundaries
from shunde_workbook.geo.gcj02 import geometry_wgs84_to_gcj02
from shunde_workbook.geo.names import TOWN_CODES, normalise_town, suggest_town

ROOT = Path(__file__).resolve().parents[1]
TOWNS_SHP = ROOT / "shapefiles" / "shunde_towns_approx.shp"

# code -> full name, typed in here from the NBS code list (not read from the code under test)
EXPECTED = {
    "440606003": "伦教街道",
    "440606004": "勒流街道",
    "440606005": "大良街道",
    "440606006": "容桂街道",
    "440606101": "陈村镇",
    "440606102": "北滘镇",
    "440606103": "乐从镇",
    "440606104": "龙江镇",
    "440606105": "杏坛镇",
    "440606106": "均安镇",
}


@pytest.fixture(scope="module")
def source() -> gpd.GeoDataFrame:
    return gpd.read_file(TOWNS_SHP)


def write(gdf: gpd.GeoDataFrame, path: Path) -> Path:
    gdf.to_file(path)
    return path


# ----------------------------------------------------------------- names
@pytest.mark.parametrize(
    "name, code",
    [
        ("大良", "440606005"),
        ("大良街道", "440606005"),
        ("大良镇", "440606005"),
        ("Daliang", "440606005"),
        ("da liang", "440606005"),
        ("DALIANG", "440606005"),
        ("顺德区大良街道", "440606005"),
        ("Jun'an", "440606106"),
        ("Junan", "440606106"),
        ("jun an", "440606106"),
        ("Jun’an", "440606106"),
        ("容奇", "440606006"),
        ("桂洲", "440606006"),
        ("容桂", "440606006"),
        ("勒流镇", "440606004"),
        ("伦教镇", "440606003"),
        ("Lunjiao Subdistrict", "440606003"),
        ("440606102", "440606102"),
        (440606102, "440606102"),
        ("北滘", "440606102"),
    ],
)
def test_normalise_town_aliases(name, code):
    assert normalise_town(name) == code


@pytest.mark.parametrize("name", ["大梁", "广州", "", None, float("nan"), "Foshan", "440606999"])
def test_normalise_town_rejects_non_towns(name):
    assert normalise_town(name) is None


def test_every_code_maps_to_itself_and_the_table_is_complete():
    assert sorted(TOWN_CODES) == sorted(EXPECTED)
    for code, name in EXPECTED.items():
        assert normalise_town(name) == code


@pytest.mark.parametrize(
    "typo, best",
    [
        ("大梁街道", "大良街道"),
        ("北窖镇", "北滘镇"),
        ("Dailang", "Daliang"),
        ("Ronggei", "Ronggui"),
        ("杏檀", "杏坛镇"),
    ],
)
def test_suggest_town(typo, best):
    assert suggest_town(typo) == best


def test_names_module_does_not_import_pandas():
    code = "import sys, shunde_workbook.geo.names as n; assert n.normalise_town('大良'); print('pandas' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# ----------------------------------------------------------------- happy paths
def test_loads_committed_file(source):
    gdf = load_boundaries(TOWNS_SHP)
    assert gdf.crs.to_epsg() == 32649
    assert list(gdf.columns[:4]) == ["town_code", "town", "name_en", "approx"]
    assert dict(zip(gdf["town_code"], gdf["town"], strict=False)) == EXPECTED
    assert gdf["approx"].dtype == bool and gdf["approx"].all()
    assert "area_km2" in gdf.columns  # other source columns are kept
    assert (gdf.area / 1e6).sum() == pytest.approx(806.6, abs=0.5)


def test_alias_join_on_names_without_codes(source, tmp_path):
    spellings = {
        "440606003": "伦教镇",
        "440606004": "Leliu",
        "440606005": "大良",
        "440606006": "容奇",
        "440606101": "陈村",
        "440606102": "北滘镇",
        "440606103": "lecong",
        "440606104": "龙江",
        "440606105": "杏坛",
        "440606106": "Junan",
    }
    gdf = source[["town_code", "geometry"]].copy()
    gdf["name"] = gdf["town_code"].map(spellings)
    gdf = gdf.drop(columns="town_code").iloc[::-1]  # reversed order too
    path = write(gdf, tmp_path / "by_name.geojson")
    out = load_boundaries(path)
    assert dict(zip(out["town_code"], out["town"], strict=False)) == EXPECTED
    assert out.loc[out["town_code"] == "440606006", "name"].item() == "容奇"  # source column kept
    # each geometry stayed with its own town
    ref = source.set_index("town_code").to_crs(32649).geometry
    for code, geom in zip(out["town_code"], out.geometry, strict=False):
        assert geom.symmetric_difference(ref[code]).area < 1.0
    assert not out["approx"].any()  # no approx column, not our file name


def test_projected_gpkg_and_approx_column(source, tmp_path):
    path = write(source.to_crs(3857), tmp_path / "towns.gpkg")
    out = load_boundaries(path, crs="EPSG:4547")
    assert out.crs.to_epsg() == 4547
    assert out["approx"].all()


def test_towns_table_selects_and_joins(tmp_path):
    towns = pd.DataFrame({"town": ["大良街道", "容桂街道"], "population": [1, 2]})
    out = load_boundaries(TOWNS_SHP, towns=towns)
    assert out["town_code"].tolist() == ["440606005", "440606006"]
    assert out["population"].tolist() == [1, 2]


# ----------------------------------------------------------------- errors
def test_missing_town(source, tmp_path):
    path = write(source[~source["town_code"].isin(["440606105", "440606106"])], tmp_path / "missing.gpkg")
    with pytest.raises(BoundaryError) as err:
        load_boundaries(path)
    msg = str(err.value)
    assert "missing 2 town" in msg and "杏坛镇" in msg and "均安镇" in msg and str(path) in msg


def test_duplicate_town(source, tmp_path):
    gdf = source.drop(columns="town_code").copy()
    gdf.loc[gdf["town"] == "均安镇", "town"] = "大良"  # two rows now name 大良
    path = write(gdf, tmp_path / "dup.gpkg")
    with pytest.raises(BoundaryError, match="more than one feature for: 大良街道") as err:
        load_boundaries(path)
    assert "dissolve" in str(err.value)


def test_unknown_name_suggests_closest(source, tmp_path):
    gdf = source[["town", "geometry"]].copy()
    gdf.loc[gdf["town"] == "大良街道", "town"] = "大梁街道"
    path = write(gdf, tmp_path / "typo.geojson")
    with pytest.raises(BoundaryError) as err:
        load_boundaries(path)
    msg = str(err.value)
    assert "'大梁街道'" in msg and "did you mean 大良街道" in msg


def test_no_town_column(source, tmp_path):
    path = write(source[["area_km2", "geometry"]], tmp_path / "anon.gpkg")
    with pytest.raises(BoundaryError, match="no town_code column"):
        load_boundaries(path)


def test_missing_crs(tmp_path):
    for ext in ("shp", "shx", "dbf", "cpg"):
        shutil.copy(TOWNS_SHP.with_suffix(f".{ext}"), tmp_path / f"noprj.{ext}")
    with pytest.raises(BoundaryError, match="no coordinate reference system") as err:
        load_boundaries(tmp_path / "noprj.shp")
    assert ".prj" in str(err.value)


@pytest.mark.parametrize("keep", [0.5, 0.02])
def test_truncated_shapefile(tmp_path, keep):
    for ext in ("shp", "shx", "dbf", "prj", "cpg"):
        shutil.copy(TOWNS_SHP.with_suffix(f".{ext}"), tmp_path / f"cut.{ext}")
    shp = tmp_path / "cut.shp"
    data = shp.read_bytes()
    shp.write_bytes(data[: int(len(data) * keep)])
    with pytest.raises(BoundaryError, match="truncated or corrupt"):
        load_boundaries(shp)


def test_garbage_and_missing_files(tmp_path):
    bad = tmp_path / "bad.geojson"
    bad.write_text('{"type": "FeatureColl', encoding="utf-8")
    with pytest.raises(BoundaryError, match="could not be read"):
        load_boundaries(bad)
    with pytest.raises(BoundaryError, match="does not exist"):
        load_boundaries(tmp_path / "nope.shp")


def test_gcj02_mislabelled_as_wgs84(source, tmp_path):
    gcj = source.copy()
    gcj["geometry"] = geometry_wgs84_to_gcj02(source.geometry.values)
    path = write(gcj, tmp_path / "gcj.gpkg")
    with pytest.raises(BoundaryError, match="GCJ-02") as err:
        load_boundaries(path)
    assert "geometry_gcj02_to_wgs84" in str(err.value)
    # a subset of towns is caught as well
    subset = write(gcj.iloc[:3], tmp_path / "gcj3.gpkg")
    with pytest.raises(BoundaryError, match="GCJ-02"):
        load_boundaries(subset, towns=pd.DataFrame({"town_code": gcj["town_code"].iloc[:3]}))


def test_wrong_crs_label(source, tmp_path):
    shifted = source.copy()
    shifted["geometry"] = source.geometry.translate(xoff=1.0)  # ~100 km east
    path = write(shifted, tmp_path / "elsewhere.gpkg")
    with pytest.raises(BoundaryError, match="does not line up"):
        load_boundaries(path)


def test_repairable_geometry_warns(source, tmp_path):
    gdf = source.copy()
    ring = list(gdf.geometry.iloc[2].exterior.coords)
    (x0, y0), (x1, y1) = ring[0], ring[1]
    mx, my = (x0 + x1) / 2, (y0 + y1) / 2
    length = ((x1 - x0) ** 2 + (y1 - y0) ** 2) ** 0.5
    tx, ty = (x1 - x0) / length * 0.0005, (y1 - y0) / length * 0.0005  # along the edge
    nx, ny = ty, -tx  # across it
    # a small bow-tie on one edge of 大良街道: A -> ahead+out -> behind+out -> B crosses itself
    loop = [(mx + tx + nx, my + ty + ny), (mx - tx + nx, my - ty + ny)]
    bad = Polygon([ring[0], *loop, *ring[1:]])
    assert not bad.is_valid
    gdf.loc[2, "geometry"] = bad
    path = write(gdf, tmp_path / "invalid.gpkg")
    with pytest.warns(UserWarning, match="repaired invalid geometry.*大良街道"):
        out = load_boundaries(path)
    assert out.is_valid.all()


def test_unrepairable_geometry_raises(source, tmp_path):
    gdf = source.copy()
    gdf.loc[2, "geometry"] = Polygon([(113.2, 22.8), (113.3, 22.9), (113.3, 22.8), (113.2, 22.9)])  # bow-tie
    path = write(gdf, tmp_path / "bowtie.gpkg")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(BoundaryError, match="cannot be repaired safely"):
            load_boundaries(path)

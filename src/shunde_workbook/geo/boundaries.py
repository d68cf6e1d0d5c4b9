"""Load town boundaries from any OGR file and check them before use.

Every notebook calls :func:`load_boundaries`; it accepts our approximate
``shapefiles/shunde_towns_approx.shp`` or an official file dropped in later
(shp, gpkg, geojson, ...) as long as it carries a ``town_code`` column or a
column of town names in any spelling :func:`~.names.normalise_town` knows.
Problems raise :class:`BoundaryError` with one readable paragraph.
"""

from __future__ import annotations

import struct
import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from shunde_workbook.errors import BoundaryError
from shunde_workbook.geo.gcj02 import gcj02_to_wgs84, geometry_gcj02_to_wgs84, geometry_wgs84_to_gcj02
from shunde_workbook.geo.names import TOWN_CODES, normalise_town, suggest_town, town_by_code

__all__ = ["BoundaryError", "load_boundaries", "gcj02_to_wgs84", "geometry_gcj02_to_wgs84"]

_NAME_COLUMNS = ("town_code", "code", "town", "name", "town_name", "name_zh", "name_en", "镇街", "镇街名称", "名称")
_MAX_REPAIR_CHANGE = 0.01
_GCJ_MIN_OUTSIDE = 0.005  # share of area outside the WGS84 outline before we suspect GCJ-02


def _fail(path, problem: str, suggestion: str) -> BoundaryError:
    return BoundaryError(f"Boundary file {path}: {problem} {suggestion}")


def _default_outline() -> Path:
    from shunde_workbook.geo.build import OUTLINE_FILE
    from shunde_workbook.paths import SHAPEFILES

    return SHAPEFILES / OUTLINE_FILE


# --------------------------------------------------------------------------
# reading
# --------------------------------------------------------------------------
def _check_shp_length(path: Path) -> None:
    """Compare a .shp header's declared length with the file size."""
    data = path.read_bytes()[:28]
    if len(data) < 28 or struct.unpack(">i", data[:4])[0] != 9994:
        raise _fail(
            path,
            "is not a valid shapefile (bad or missing .shp header).",
            "Re-export it from the original GIS software or copy it again.",
        )
    declared = struct.unpack(">i", data[24:28])[0] * 2
    actual = path.stat().st_size
    if declared != actual:
        raise _fail(
            path,
            f"is truncated or corrupt: its header declares {declared} bytes but the file has {actual}.",
            "Copy the complete .shp (with its .shx, .dbf and .prj) again.",
        )


def _read(path: Path) -> gpd.GeoDataFrame:
    if not path.exists():
        raise _fail(path, "does not exist.", "Check the boundaries_path parameter (shp, gpkg and geojson all work).")
    if path.suffix.lower() == ".shp":
        _check_shp_length(path)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            gdf = gpd.read_file(path, engine="pyogrio")
    except Exception as exc:  # pyogrio/GDAL raise several classes
        raise _fail(
            path,
            f"could not be read ({type(exc).__name__}: {exc}).",
            "Make sure it is a complete OGR-readable file (shp with .shx/.dbf/.prj, gpkg or geojson).",
        ) from exc
    if len(gdf) == 0:
        raise _fail(path, "contains no features.", "Point boundaries_path at the file holding the 10 town polygons.")
    missing_geom = gdf.geometry.isna() | gdf.geometry.is_empty
    if missing_geom.any():
        raise _fail(
            path,
            f"has {int(missing_geom.sum())} feature(s) without geometry (rows {list(np.flatnonzero(missing_geom))}); "
            "the file may be truncated or corrupt.",
            "Copy or export the file again.",
        )
    if gdf.crs is None:
        raise _fail(
            path,
            "has no coordinate reference system (e.g. a shapefile without its .prj).",
            "Add the .prj, or set it with gdf.set_crs('EPSG:4326') and save again "
            "if the coordinates are WGS84 lon/lat.",
        )
    return gdf


# --------------------------------------------------------------------------
# joining
# --------------------------------------------------------------------------
def _key_column(gdf: pd.DataFrame, path) -> str:
    """The column naming the towns: town_code if present, else the best name column."""
    if "town_code" in gdf.columns:
        return "town_code"
    # first known name column with any recognisable town, then any other text column
    best = None
    candidates = [c for c in _NAME_COLUMNS if c in gdf.columns]
    candidates += [
        c
        for c in gdf.columns
        if c not in candidates and c != gdf.geometry.name and not pd.api.types.is_numeric_dtype(gdf[c])
    ]
    for col in candidates:
        if any(normalise_town(v) is not None for v in gdf[col]):
            best = col
            break
    if best is None:
        cols = [c for c in gdf.columns if c != gdf.geometry.name]
        raise _fail(
            path,
            f"has no town_code column and no column of Shunde town names (columns: {cols}).",
            "Add a town_code column with the NBS 9-digit codes (e.g. 440606005 for 大良街道) "
            "or a column of town names.",
        )
    return best


def _town_codes(gdf: pd.DataFrame, col: str, path) -> pd.Series:
    codes = gdf[col].map(normalise_town)
    bad = gdf.loc[codes.isna(), col].tolist()
    if bad:
        hints = "; ".join(f"{v!r} (did you mean {suggest_town(v) or 'none close'}?)" for v in bad)
        raise _fail(
            path,
            f"has unknown town name(s) in column {col!r}: {hints}.",
            "Fix the spelling or use the NBS town_code; valid names: "
            + ", ".join(town_by_code(c).name for c in TOWN_CODES)
            + ".",
        )
    return codes


def _expected_codes(towns: pd.DataFrame | None) -> list[str]:
    if towns is None:
        return list(TOWN_CODES)
    col = "town_code" if "town_code" in towns.columns else "town"
    return [normalise_town(v) for v in towns[col]]


def _check_set(codes: pd.Series, expected: list[str], path) -> None:
    dup = sorted(codes[codes.duplicated()].unique())
    if dup:
        names = [f"{town_by_code(c).name} ({c})" for c in dup]
        raise _fail(
            path,
            f"has more than one feature for: {', '.join(names)}.",
            "Dissolve the file by town first (e.g. gdf.dissolve('town_code')) so each town is one row.",
        )
    missing = [c for c in expected if c not in set(codes)]
    if missing:
        names = [f"{town_by_code(c).name} ({c})" for c in missing]
        raise _fail(
            path,
            f"is missing {len(missing)} town(s): {', '.join(names)}.",
            "Every notebook maps all towns; add the missing polygons or use the approximate file "
            "shapefiles/shunde_towns_approx.shp.",
        )


# --------------------------------------------------------------------------
# geometry checks
# --------------------------------------------------------------------------
def _repair(gdf: gpd.GeoDataFrame, codes: pd.Series, path, crs) -> gpd.GeoDataFrame:
    invalid = ~gdf.geometry.is_valid
    if not invalid.any():
        return gdf
    fixed = gdf.geometry.copy()
    fixed[invalid] = shapely.make_valid(gdf.geometry[invalid].values)
    # keep only the polygonal part (make_valid may add stray lines/points)
    fixed[invalid] = [
        shapely.union_all(shapely.get_parts(g)[shapely.get_type_id(shapely.get_parts(g)) == 3]) for g in fixed[invalid]
    ]
    before = gdf.geometry[invalid].to_crs(crs).area  # shapely area of an invalid shape is its signed ring sum
    after = gpd.GeoSeries(fixed[invalid], crs=gdf.crs).to_crs(crs).area
    report = []
    for idx in gdf.index[invalid]:
        name = town_by_code(codes[idx]).name
        reason = shapely.is_valid_reason(gdf.geometry[idx])
        change = abs(after[idx] - before[idx]) / max(abs(before[idx]), after[idx], 1e-9)
        if not fixed[idx].is_valid or fixed[idx].is_empty or change > _MAX_REPAIR_CHANGE:
            raise _fail(
                path,
                f"has an invalid polygon for {name} ({reason}) that cannot be repaired safely "
                f"(repair changes its area by {change:.1%}).",
                "Fix the geometry in a GIS (e.g. QGIS 'Fix geometries') and save again.",
            )
        report.append(f"{name}: {reason}, area change {change:.3%}")
    warnings.warn(
        f"Boundary file {path}: repaired invalid geometry with shapely.make_valid — " + "; ".join(report),
        UserWarning,
        stacklevel=3,
    )
    out = gdf.copy()
    out[gdf.geometry.name] = fixed
    return out


def _check_datum(gdf: gpd.GeoDataFrame, path, outline_path: Path | None) -> None:
    """Raise if the data look like GCJ-02 coordinates labelled as WGS84.

    Compares how much of the file's area falls outside the WGS84 district
    outline with how much falls outside the same outline shifted to GCJ-02
    (about 630 m east-south-east around Shunde).  Works for subsets of towns.
    """
    if outline_path is None or not Path(outline_path).exists():
        return
    wgs = shapely.union_all(gpd.read_file(outline_path).to_crs("EPSG:4326").geometry.values)
    gcj = geometry_wgs84_to_gcj02(wgs)
    union = shapely.union_all(gdf.to_crs("EPSG:4326").geometry.values)
    u, w, g = gpd.GeoSeries([union, wgs, gcj], crs="EPSG:4326").to_crs("EPSG:32649").values
    out_w = u.difference(w).area / u.area
    out_g = u.difference(g).area / u.area
    if out_w > _GCJ_MIN_OUTSIDE and out_g < 0.5 * out_w:
        shift = w.centroid.distance(g.centroid)
        raise _fail(
            path,
            f"looks like GCJ-02 (Chinese web-map) coordinates labelled as {gdf.crs.name}: "
            f"{out_w:.1%} of its area lies outside the WGS84 district outline but only {out_g:.1%} outside "
            f"the outline shifted to GCJ-02 (a {shift:.0f} m offset here).",
            "Convert it to WGS84 first, e.g. gdf.geometry = shunde_workbook.geo.gcj02."
            "geometry_gcj02_to_wgs84(gdf.geometry.values) on lon/lat coordinates, then save and load again.",
        )
    if out_w > 0.5:
        raise _fail(
            path,
            f"does not line up with Shunde: {out_w:.0%} of its area lies outside the district outline "
            f"(declared CRS: {gdf.crs.name}).",
            "Check that the .prj / CRS matches the coordinates (a projected file labelled as lon/lat, or the reverse, "
            "is the usual cause).",
        )


# --------------------------------------------------------------------------
# public
# --------------------------------------------------------------------------
def _is_approx(gdf: pd.DataFrame, path: Path) -> pd.Series:
    from shunde_workbook.geo.build import METHOD, TOWNS_FILE

    if "approx" in gdf.columns:
        flag = gdf["approx"].map(lambda v: str(v).strip().lower() in {"1", "1.0", "true", "yes", "y"})
        return flag.astype(bool)
    ours = path.name == TOWNS_FILE or ("method" in gdf.columns and (gdf["method"] == METHOD).any())
    return pd.Series(bool(ours), index=gdf.index)


def load_boundaries(
    path,
    towns: pd.DataFrame | None = None,
    crs="EPSG:32649",
    *,
    outline_path=None,
    check_datum: bool = True,
) -> gpd.GeoDataFrame:
    """Read town polygons from any OGR file, join them to the 10 towns, check them.

    Parameters
    ----------
    path : str or Path
        Shapefile, GeoPackage, GeoJSON... with a ``town_code`` column or a
        column of town names (大良, 大良街道, 大良镇, Daliang, 容奇 ...).
    towns : DataFrame, optional
        Towns table with ``town_code`` (or ``town``); sets which towns must
        be present (others in the file are dropped) and its other columns
        are joined on.  Default: all 10 towns.
    crs : str
        Projected CRS of the result (default UTM 49N, metres).
    outline_path : str or Path, optional
        WGS84 district outline for the GCJ-02 check; default
        ``shapefiles/shunde_district_outline.shp``.
    check_datum : bool
        Run the GCJ-02-mislabelled-as-WGS84 check.

    Returns
    -------
    GeoDataFrame
        One row per town in ``town_code`` order, in ``crs``, with
        ``town_code``, ``town`` (full Chinese name), ``name_en``, ``approx``
        (bool), ``geometry`` and the file's other columns (a source column
        that clashes keeps its values as ``<name>_src``).

    Raises
    ------
    BoundaryError
        Unreadable/corrupt file, no CRS, unknown/duplicate/missing towns,
        unrepairable geometry, or GCJ-02 data labelled as WGS84.
    """
    path = Path(path)
    gdf = _read(path)
    key = _key_column(gdf, path)
    codes = _town_codes(gdf, key, path)
    expected = _expected_codes(towns)
    _check_set(codes, expected, path)
    gdf = _repair(gdf, codes, path, crs)
    if check_datum:
        _check_datum(gdf, path, outline_path or _default_outline())

    if towns is not None:  # keep only the towns asked for
        keep = codes.isin(expected)
        gdf, codes = gdf[keep], codes[keep]
    approx = _is_approx(gdf, path)
    geom = gdf.geometry.to_crs(crs)
    extra = pd.DataFrame(gdf.drop(columns=[gdf.geometry.name]))
    canonical = {
        "town_code": codes.astype(str),
        "town": codes.map(lambda c: town_by_code(c).name),
        "name_en": codes.map(lambda c: town_by_code(c).name_en),
        "approx": approx,
    }
    for col in canonical:
        if col in extra.columns:
            same = extra[col].astype(str).equals(canonical[col].astype(str))
            if col == "approx" or same:
                extra = extra.drop(columns=col)
            else:
                extra = extra.rename(columns={col: f"{col}_src"})
    out = gpd.GeoDataFrame({**canonical, **{c: extra[c] for c in extra.columns}}, geometry=geom.values, crs=crs)
    if towns is not None:
        add = towns.copy()
        add["town_code"] = _expected_codes(towns)
        add = add[["town_code"] + [c for c in add.columns if c not in out.columns]]
        out = out.merge(add, on="town_code", how="left")
    return out.sort_values("town_code").reset_index(drop=True)

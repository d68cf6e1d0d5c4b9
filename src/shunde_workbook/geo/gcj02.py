"""GCJ-02 <-> WGS84 coordinate conversion.

GCJ-02 ("Mars coordinates") is the obfuscated datum that Chinese web maps
(Amap/Gaode, Tencent, Google China) use.  The forward transform below is the
widely published algorithm (Krasovsky ellipsoid constants and the polynomial
plus sine-series offset), written here from the formula; the inverse is a
fixed-point iteration on the forward transform, accurate to well under a
millimetre after convergence.

All functions take and return **(lon, lat)** in decimal degrees, i.e. x then
y, the same order as shapely and GeoJSON.  Points outside China's bounding box
are returned unchanged, as the published algorithm does.
"""

from __future__ import annotations

import numpy as np
import shapely

__all__ = [
    "wgs84_to_gcj02",
    "gcj02_to_wgs84",
    "geometry_wgs84_to_gcj02",
    "geometry_gcj02_to_wgs84",
    "out_of_china",
]

_A = 6378245.0  # Krasovsky 1940 semi-major axis used by GCJ-02
_EE = 0.00669342162296594323  # Krasovsky eccentricity squared


def out_of_china(lon, lat):
    """True where a point lies outside the box in which GCJ-02 applies."""
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    return (lon < 72.004) | (lon > 137.8347) | (lat < 0.8293) | (lat > 55.8271)


def _offset(lon, lat):
    """GCJ-02 minus WGS84 offset (dlon, dlat) in degrees at WGS84 (lon, lat)."""
    x = lon - 105.0
    y = lat - 35.0
    pi = np.pi
    common = (20.0 * np.sin(6.0 * x * pi) + 20.0 * np.sin(2.0 * x * pi)) * 2.0 / 3.0
    dlat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * np.sqrt(np.abs(x))
    dlat = dlat + common
    dlat = dlat + (20.0 * np.sin(y * pi) + 40.0 * np.sin(y / 3.0 * pi)) * 2.0 / 3.0
    dlat = dlat + (160.0 * np.sin(y / 12.0 * pi) + 320.0 * np.sin(y * pi / 30.0)) * 2.0 / 3.0
    dlon = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * np.sqrt(np.abs(x))
    dlon = dlon + common
    dlon = dlon + (20.0 * np.sin(x * pi) + 40.0 * np.sin(x / 3.0 * pi)) * 2.0 / 3.0
    dlon = dlon + (150.0 * np.sin(x / 12.0 * pi) + 300.0 * np.sin(x / 30.0 * pi)) * 2.0 / 3.0
    rad = np.radians(lat)
    magic = 1.0 - _EE * np.sin(rad) ** 2
    sqrt_magic = np.sqrt(magic)
    dlat = dlat * 180.0 / ((_A * (1.0 - _EE)) / (magic * sqrt_magic) * pi)
    dlon = dlon * 180.0 / (_A / sqrt_magic * np.cos(rad) * pi)
    return dlon, dlat


def wgs84_to_gcj02(lon, lat):
    """Convert WGS84 (lon, lat) to GCJ-02.

    Parameters
    ----------
    lon, lat : float or array-like
        WGS84 longitude and latitude in degrees.

    Returns
    -------
    (lon, lat) : tuple of float or numpy arrays
        GCJ-02 coordinates; unchanged outside China.
    """
    lon_a = np.asarray(lon, dtype=float)
    lat_a = np.asarray(lat, dtype=float)
    dlon, dlat = _offset(lon_a, lat_a)
    outside = out_of_china(lon_a, lat_a)
    out_lon = np.where(outside, lon_a, lon_a + dlon)
    out_lat = np.where(outside, lat_a, lat_a + dlat)
    if np.ndim(lon) == 0 and np.ndim(lat) == 0:
        return float(out_lon), float(out_lat)
    return out_lon, out_lat


def gcj02_to_wgs84(lon, lat, *, tol: float = 1e-11, max_iter: int = 50):
    """Convert GCJ-02 (lon, lat) to WGS84 by iterating the forward transform.

    Solves ``wgs84_to_gcj02(w) == g`` with the fixed-point update
    ``w <- w - (wgs84_to_gcj02(w) - g)``; the offset varies slowly, so this
    converges to ``tol`` degrees (about 1 micrometre) in a few steps.

    Parameters
    ----------
    lon, lat : float or array-like
        GCJ-02 longitude and latitude in degrees.
    tol : float
        Stop when every coordinate moves less than this (degrees).
    max_iter : int
        Hard cap on iterations.

    Returns
    -------
    (lon, lat) : tuple of float or numpy arrays
        WGS84 coordinates; unchanged outside China.
    """
    g_lon = np.asarray(lon, dtype=float)
    g_lat = np.asarray(lat, dtype=float)
    w_lon, w_lat = g_lon.copy(), g_lat.copy()
    for _ in range(max_iter):
        dlon, dlat = _offset(w_lon, w_lat)
        err_lon = w_lon + dlon - g_lon
        err_lat = w_lat + dlat - g_lat
        w_lon = w_lon - err_lon
        w_lat = w_lat - err_lat
        if np.all(np.abs(err_lon) < tol) and np.all(np.abs(err_lat) < tol):
            break
    outside = out_of_china(g_lon, g_lat)
    w_lon = np.where(outside, g_lon, w_lon)
    w_lat = np.where(outside, g_lat, w_lat)
    if np.ndim(lon) == 0 and np.ndim(lat) == 0:
        return float(w_lon), float(w_lat)
    return w_lon, w_lat


def _coords_fn(fn):
    def apply(xy: np.ndarray) -> np.ndarray:
        x, y = fn(xy[:, 0], xy[:, 1])
        return np.column_stack([x, y])

    return apply


def geometry_wgs84_to_gcj02(geom):
    """Shapely geometry (or array of them) from WGS84 to GCJ-02, vertex by vertex."""
    return shapely.transform(geom, _coords_fn(wgs84_to_gcj02))


def geometry_gcj02_to_wgs84(geom):
    """Shapely geometry (or array of them) from GCJ-02 to WGS84, vertex by vertex."""
    return shapely.transform(geom, _coords_fn(gcj02_to_wgs84))

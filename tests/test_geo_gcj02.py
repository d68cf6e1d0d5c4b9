"""GCJ-02 <-> WGS84 conversion (shunde_workbook.geo.gcj02)."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from pyproj import Geod

from shunde_workbook.geo.gcj02 import (
    gcj02_to_wgs84,
    geometry_gcj02_to_wgs84,
    geometry_wgs84_to_gcj02,
    wgs84_to_gcj02,
)

GEOD = Geod(ellps="WGS84")

# Test vectors published with the eviltransform library (googollee/eviltransform,
# MIT licence, file python/test.py, "TESTS" list: wgsLat, wgsLng, gcjLat, gcjLng).
# Independent of this code base: they come from that project's implementation.
EVILTRANSFORM_VECTORS = [
    (31.1774276, 121.5272106, 31.17530398364597, 121.531541859215),  # Shanghai
    (22.543847, 113.912316, 22.540796131694766, 113.9171764808363),  # Shenzhen
    (39.911954, 116.377817, 39.91334545536069, 116.38404722455657),  # Beijing
]


def metres(lon1, lat1, lon2, lat2):
    return GEOD.inv(lon1, lat1, lon2, lat2)[2]


@pytest.mark.parametrize("wlat, wlon, glat, glon", EVILTRANSFORM_VECTORS)
def test_forward_matches_published_vectors(wlat, wlon, glat, glon):
    lon, lat = wgs84_to_gcj02(wlon, wlat)
    assert lon == pytest.approx(glon, abs=1e-7)
    assert lat == pytest.approx(glat, abs=1e-7)


@pytest.mark.parametrize("wlat, wlon, glat, glon", EVILTRANSFORM_VECTORS)
def test_inverse_recovers_published_wgs84_point(wlat, wlon, glat, glon):
    lon, lat = gcj02_to_wgs84(glon, glat)
    assert metres(lon, lat, wlon, wlat) < 0.01


@settings(max_examples=300, deadline=None)
@given(lon=st.floats(73.0, 135.0), lat=st.floats(18.0, 53.0))
def test_round_trip_under_one_metre_anywhere_in_china(lon, lat):
    g_lon, g_lat = wgs84_to_gcj02(lon, lat)
    back_lon, back_lat = gcj02_to_wgs84(g_lon, g_lat)
    assert metres(lon, lat, back_lon, back_lat) < 1.0


def test_vectorised_matches_scalar_and_round_trips():
    rng = np.random.default_rng(0)
    lon = rng.uniform(113.0, 113.4, 500)
    lat = rng.uniform(22.65, 23.0, 500)
    g_lon, g_lat = wgs84_to_gcj02(lon, lat)
    assert g_lon.shape == (500,)
    assert wgs84_to_gcj02(lon[7], lat[7]) == pytest.approx((g_lon[7], g_lat[7]), abs=1e-12)
    b_lon, b_lat = gcj02_to_wgs84(g_lon, g_lat)
    assert max(metres(lon, lat, b_lon, b_lat)) < 0.01


def test_shift_around_shunde_is_hundreds_of_metres():
    # The GCJ-02 offset near Shunde is commonly quoted as roughly half a kilometre.
    g_lon, g_lat = wgs84_to_gcj02(113.2, 22.85)
    assert 400 < metres(113.2, 22.85, g_lon, g_lat) < 800
    assert g_lon > 113.2  # the offset is eastward here


def test_outside_china_is_unchanged():
    assert wgs84_to_gcj02(2.35, 48.85) == (2.35, 48.85)
    assert gcj02_to_wgs84(-74.0, 40.7) == (-74.0, 40.7)


def test_geometry_helpers_convert_every_vertex():
    poly = shapely.box(113.1, 22.8, 113.2, 22.9)
    gcj = geometry_wgs84_to_gcj02(poly)
    coords = shapely.get_coordinates(poly)
    expect = np.column_stack(wgs84_to_gcj02(coords[:, 0], coords[:, 1]))
    np.testing.assert_allclose(shapely.get_coordinates(gcj), expect)
    back = geometry_gcj02_to_wgs84(gcj)
    np.testing.assert_allclose(shapely.get_coordinates(back), coords, atol=1e-9)

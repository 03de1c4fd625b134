"""Projecting many geometries at once gives what projecting each one gives."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely import Point, box, equals_exact

from app.gis.crs import CRSError, to_metric, to_metric_all

# around Pontianak, in degrees
lon = st.floats(109.25, 109.45)
lat = st.floats(-0.15, 0.05)
size = st.floats(1e-6, 1e-3)


@settings(max_examples=50, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.builds(Point, lon, lat),
            st.builds(lambda x, y, w, h: box(x, y, x + w, y + h), lon, lat, size, size),
        ),
        max_size=30,
    )
)
def test_all_at_once_equals_one_by_one(geoms: list) -> None:  # type: ignore[type-arg]
    together = to_metric_all(geoms, 32749)
    assert len(together) == len(geoms)
    for one, many in zip(geoms, together, strict=True):
        assert equals_exact(to_metric(one, 32749), many, tolerance=1e-6)


def test_degrees_are_refused_all_at_once_too() -> None:
    with pytest.raises(CRSError):
        to_metric_all([Point(109.3, -0.05)], 4326)

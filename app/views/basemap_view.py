"""The basemap layer a page's map gets: tile addresses and attribution in the reader's language."""

from __future__ import annotations

from typing import Protocol

from flask import url_for
from flask_babel import gettext as _

from app.views.maps import BasemapLayer


class _Source(Protocol):
    illustrative: bool
    attribution: str


def _template(endpoint: str, city_slug: str) -> str:
    url = url_for(endpoint, z="ZZ", x="XX", y="YY", city=city_slug)
    return url.replace("ZZ", "{z}").replace("XX", "{x}").replace("YY", "{y}")


def basemap_layer(city_slug: str, source: _Source | None) -> BasemapLayer | None:
    """The city's basemap for :func:`app.views.maps.base_map`, or ``None`` when it has none.

    An illustrative basemap (the demo) says so in the map's attribution, in the reader's language.
    """
    if source is None:
        return None
    attribution = source.attribution
    if source.illustrative:
        attribution = _("Peta dasar ilustrasi (bukan survei)") + " · " + attribution
    return BasemapLayer(
        tiles_url=_template("tiles.basemap_tile", city_slug),
        labels_url=_template("tiles.basemap_labels", city_slug),
        attribution=attribution,
        name=_("Peta dasar"),
        online_name=_("Peta daring"),
        script_url=url_for("static", filename="js/basemap.js"),
    )

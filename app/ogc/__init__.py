"""OGC API – Features (Part 1: Core, GeoJSON, HTML, OpenAPI 3.0) and vector tiles.

Built like pygeoapi: the functions in :mod:`app.ogc.core` and :mod:`app.ogc.tiles` know nothing of
Flask. They take a plain request description and return ``(headers, status, content)``;
``app/routes/ogc.py`` and ``app/routes/tiles.py`` only adapt Flask's request and response to them.
:mod:`app.ogc.provider` holds the PostGIS queries (GeoAlchemy2 expressions, JSON written by
PostGIS); :mod:`app.ogc.params` parses query parameters and raises :class:`OgcError` on bad input.
"""

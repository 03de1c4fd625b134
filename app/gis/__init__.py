"""PetaLapak's geometry engine.

Pure functions over shapely geometries in a city's metric CRS. Nothing in this package imports
Flask, SQLAlchemy, GeoAlchemy2 or the app's models: the web layer and the services project stored
EPSG:4326 geometry into the metric CRS (see :mod:`app.gis.crs`), call in here, and convert back.
"""

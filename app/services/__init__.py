"""Services: the layer between routes/CLI and the engine.

Services take a SQLAlchemy session and plain arguments (never the request), project geometry to
the city's metric CRS, call :mod:`app.gis`, write rows, and commit once per operation.
"""

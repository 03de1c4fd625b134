"""Print-outs for the crew: layout maps split along the corridor, and vendor check-in lists.

Pure like :mod:`app.gis`: plain data and shapely geometry in a metric CRS in, PDF bytes out. No
Flask, no database; :mod:`app.services.printing` loads the data and the routes pass translated
labels in.
"""

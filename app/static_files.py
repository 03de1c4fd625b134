"""Static files served gzip-compressed from memory.

Flask-Compress leaves streamed file responses alone, and a CFD planner on a phone connection
should not download Leaflet uncompressed: the app's static assets are few and never change
between deployments, so each is compressed once and kept.
"""

from __future__ import annotations

import gzip
import mimetypes
from functools import lru_cache
from pathlib import Path

from flask import Flask, Response, abort, make_response, request
from werkzeug.security import safe_join

COMPRESSIBLE = {".js", ".css", ".svg", ".json", ".html", ".txt", ".map"}
#: Vendored assets are versioned by their path; a day of caching is safe for both kinds.
MAX_AGE_S = 24 * 3600


@lru_cache(maxsize=256)
def _compressed(path: str, mtime_ns: int) -> bytes:
    return gzip.compress(Path(path).read_bytes(), compresslevel=9, mtime=0)


def init_static_gzip(app: Flask) -> None:
    """Replace the static view with one that answers gzip when the browser accepts it."""
    plain = app.view_functions["static"]

    def static(filename: str) -> Response:
        folder = app.static_folder
        full = safe_join(folder, filename) if folder else None
        if full is None:
            abort(404)
        path = Path(full)
        if (
            path.suffix not in COMPRESSIBLE
            or not path.is_file()
            or "gzip" not in request.headers.get("Accept-Encoding", "")
        ):
            return make_response(plain(filename=filename))
        stat = path.stat()
        etag = f'"{stat.st_mtime_ns:x}-{stat.st_size:x}-gz"'
        if request.if_none_match.contains(etag.strip('"')):
            return Response(status=304, headers={"ETag": etag})
        body = _compressed(str(path), stat.st_mtime_ns)
        mimetype = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        resp = Response(body, mimetype=mimetype)
        resp.headers["Content-Encoding"] = "gzip"
        resp.headers["Vary"] = "Accept-Encoding"
        resp.headers["ETag"] = etag
        resp.headers["Cache-Control"] = f"public, max-age={MAX_AGE_S}"
        return resp

    app.view_functions["static"] = static

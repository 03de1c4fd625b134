"""Photos people send (a street report, an application's stall): re-encoded, kept private.

A photo is decoded with Pillow, turned upright, shrunk, and written again as a fresh JPEG: only
the pixels survive (no EXIF, no GPS position, no maker notes). The file goes under a folder of
the instance directory, outside the web root, with a random name; pages serve it only to staff.
"""

from __future__ import annotations

import io
import secrets
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError

from app.services.errors import ServiceError

__all__ = ["MAX_PIXELS", "store_photo", "stored_photo"]

#: Decoded pixels a photo may have (a 60 MP camera); more is refused before decoding.
MAX_PIXELS = 60_000_000


def store_photo(photo: bytes, photo_dir: Path, *, max_bytes: int, max_side_px: int) -> str:
    """Re-encode ``photo`` as a JPEG without EXIF under ``photo_dir``; return its file name."""
    if len(photo) > max_bytes:
        mb = max(1, max_bytes // (1024 * 1024))
        raise ServiceError(
            f"Foto terlalu besar (paling besar {mb} MB).",
            f"The photo is too large (at most {mb} MB).",
        )
    try:
        with Image.open(io.BytesIO(photo)) as image:
            if image.width * image.height > MAX_PIXELS:
                raise ServiceError("Foto terlalu besar.", "The photo is too large.")
            upright = ImageOps.exif_transpose(image).convert("RGB")
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError, ValueError) as exc:
        raise ServiceError(
            "Berkas ini bukan foto yang dapat dibaca (JPEG atau PNG).",
            "This file is not a photo that can be read (JPEG or PNG).",
        ) from exc
    upright.thumbnail((max_side_px, max_side_px))
    photo_dir.mkdir(parents=True, exist_ok=True)
    name = f"{secrets.token_hex(16)}.jpg"
    # A fresh image carries no EXIF, GPS or maker notes: only the pixels are written.
    upright.save(photo_dir / name, format="JPEG", quality=85)
    return name


def stored_photo(name: str | None, photo_dir: Path) -> Path | None:
    """The stored photo called ``name`` under ``photo_dir``, if there is one (no path tricks)."""
    if not name or "/" in name or "\\" in name or ".." in name:
        return None
    path = photo_dir / name
    return path if path.is_file() else None

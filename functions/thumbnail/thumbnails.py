"""A thumbnail of a stored image: at most 320 pixels a side, same format, first frame only.

The images it reads were decoded and re-encoded by the API function when they were uploaded (only PNG,
JPEG, GIF and WebP, within size bounds), so this only has to shrink them; it still opens only those four
formats and refuses one over the API's pixel bound, so a file written to the bucket by other means cannot
make it decode a decompression bomb.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

MAX_SIDE = 320
MAX_PIXELS = 40_000_000  # the API function's bound on uploads
_FORMATS = {"PNG": "image/png", "JPEG": "image/jpeg", "GIF": "image/gif", "WEBP": "image/webp"}


class NotAnImage(ValueError):
    """The object is not an image this blog stores (or is larger than any it accepts)."""


@dataclass(frozen=True, slots=True)
class Thumbnail:
    data: bytes
    content_type: str
    width: int
    height: int


def make_thumbnail(data: bytes) -> Thumbnail:
    """Shrink ``data`` to fit :data:`MAX_SIDE` (an image already that small is re-encoded as it is)."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    try:
        image = Image.open(io.BytesIO(data), formats=list(_FORMATS))
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as error:
        raise NotAnImage(f"not a PNG, JPEG, GIF or WebP image: {error}") from error
    with image:
        kind = "JPEG" if image.format == "MPO" else str(image.format)
        width, height = image.size
        if width * height > MAX_PIXELS:
            raise NotAnImage(f"{width} by {height} pixels is more than any upload the API accepts")
        try:
            frame = ImageOps.exif_transpose(image)  # decodes the first frame
        except (OSError, ValueError, SyntaxError, EOFError) as error:
            raise NotAnImage(f"cannot be decoded: {error}") from error
    frame.thumbnail((MAX_SIDE, MAX_SIDE))
    if kind == "JPEG" and frame.mode not in ("L", "RGB"):
        frame = frame.convert("RGB")
    out = io.BytesIO()
    frame.save(out, format=kind, **({"quality": 85} if kind in ("JPEG", "WEBP") else {}))
    return Thumbnail(out.getvalue(), _FORMATS[kind], frame.width, frame.height)

"""Uploaded images, decoded and re-encoded: only pixels are stored, never the bytes a client sent.

Magic bytes say what a file starts with, not what it is: ``GIF89a`` followed by ``/*``, a script and ``*/``
is a valid GIF and valid JavaScript, and a PNG may carry HTML in a text chunk or after its end. So an upload
is decoded by Pillow (only as PNG, JPEG, GIF or WebP), every frame in full, within size bounds checked from
its header before any pixel is decoded; then a new file is written from the pixels alone, in the same
format: no metadata, comments, colour profiles or trailing bytes survive. EXIF orientation is applied to the
pixels first, so photos keep their orientation.

Pillow is imported on the first upload, so reading posts never loads it.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from PIL.Image import Image as PillowImage

# A 40-megapixel photo decodes to 120 MB of RGB: well inside the function's memory. A side of at most 8,192
# pixels also keeps a GIF's header bytes (its width and height) from spelling text such as "/*".
MAX_PIXELS = 40_000_000
MAX_SIDE = 8_192
MAX_FRAMES = 500
JPEG_QUALITY = 90
WEBP_QUALITY = 90

_FORMATS = {"PNG": "image/png", "JPEG": "image/jpeg", "GIF": "image/gif", "WEBP": "image/webp"}


class ImageRejected(ValueError):
    """An upload that is not an image this blog stores; ``status`` and ``code`` are the API's answer."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code


@dataclass(frozen=True, slots=True)
class CleanImage:
    """A re-encoded image: its bytes and media type."""

    data: bytes
    content_type: str


def _frames(image: PillowImage) -> list[PillowImage]:
    """Every frame, decoded, without metadata (``info`` is where Pillow keeps comments, profiles and
    EXIF, and what it writes back): only a transparent colour, which is pixels, is kept."""
    from PIL import ImageSequence

    frames = []
    for frame in ImageSequence.Iterator(image):
        pixels = frame.copy()  # decodes the frame
        transparency = frame.info.get("transparency")
        pixels.info = {} if transparency is None else {"transparency": transparency}
        frames.append(pixels)
    return frames


def _durations(image: PillowImage) -> list[int]:
    from PIL import ImageSequence

    return [int(frame.info.get("duration", 100)) for frame in ImageSequence.Iterator(image)]


def _encode(image: PillowImage, kind: str) -> bytes:
    from PIL import ImageOps

    out = io.BytesIO()
    if kind == "JPEG":
        pixels = ImageOps.exif_transpose(image)  # a copy with orientation applied
        pixels.info = {}
        if pixels.mode not in ("L", "RGB", "CMYK"):
            pixels = pixels.convert("RGB")
        pixels.save(out, format="JPEG", quality=JPEG_QUALITY)
        return out.getvalue()
    animated = getattr(image, "n_frames", 1) > 1
    durations = _durations(image) if animated else []
    frames = _frames(image)
    first = frames[0]
    options: dict[str, Any] = {}
    if animated:
        options = {
            "save_all": True,
            "append_images": frames[1:],
            "duration": durations,
            "loop": int(image.info.get("loop", 0)),
        }
    if kind == "PNG":
        if first.mode == "P":
            # A palette image keeps its colours as RGBA: no palette or transparency chunk is copied over.
            frames = [frame.convert("RGBA") for frame in frames]
            for frame in frames:
                frame.info = {}
            first = frames[0]
            if animated:
                options["append_images"] = frames[1:]
        first.save(out, format="PNG", **options)
    elif kind == "GIF":
        first.save(out, format="GIF", **options)
    else:
        first.save(out, format="WEBP", quality=WEBP_QUALITY, **options)
    return out.getvalue()


def clean_image(data: bytes) -> CleanImage:
    """Decode ``data`` and re-encode it; raise :class:`ImageRejected` for anything that is not a bounded
    PNG, JPEG, GIF or WebP image."""
    from PIL import Image, UnidentifiedImageError

    expected = ", ".join(_FORMATS.values())
    try:
        image = Image.open(io.BytesIO(data), formats=list(_FORMATS))
    except Image.DecompressionBombError as error:
        raise ImageRejected(422, "image_too_large", f"the image has too many pixels: {error}") from error
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as error:
        raise ImageRejected(415, "unsupported_image", f"the body is not a {expected} image") from error
    with image:
        # Pillow calls a JPEG with a multi-picture extension (some cameras write one) MPO: its first
        # picture is the photo, and is what is kept.
        kind = "JPEG" if image.format == "MPO" else str(image.format)
        width, height = image.size
        frames = 1 if kind == "JPEG" else getattr(image, "n_frames", 1)
        too_wide = max(width, height) > MAX_SIDE
        if too_wide or width * height * frames > MAX_PIXELS or frames > MAX_FRAMES:
            raise ImageRejected(
                422,
                "image_too_large",
                f"the image is {width} by {height} pixels in {frames} frame(s); at most {MAX_SIDE} pixels "
                f"a side, {MAX_PIXELS} pixels in all and {MAX_FRAMES} frames are accepted",
            )
        try:
            encoded = _encode(image, kind)
        except (OSError, ValueError, SyntaxError, EOFError, Image.DecompressionBombError) as error:
            raise ImageRejected(
                415, "corrupt_image", f"the body looks like {_FORMATS[kind]} but cannot be decoded: {error}"
            ) from error
    return CleanImage(data=encoded, content_type=_FORMATS[kind])

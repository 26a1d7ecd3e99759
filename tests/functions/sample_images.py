"""Real images for the blog's tests, made with Pillow: well-formed ones, and the hostile kinds an upload
must not get through as they are (polyglots, metadata payloads, decompression bombs, truncated files)."""

from __future__ import annotations

import io

from PIL import Image, ImageSequence
from PIL.PngImagePlugin import PngInfo

PAYLOAD = b"<html><script>alert(document.domain)</script></html>"


def _gradient(width: int, height: int, mode: str = "RGB") -> Image.Image:
    image = Image.new("RGB", (width, height))
    image.putdata(
        [
            ((x * 255) // max(width - 1, 1), (y * 255) // max(height - 1, 1), 128)
            for y in range(height)
            for x in range(width)
        ]
    )
    return image.convert(mode) if mode != "RGB" else image


def encode(image: Image.Image, kind: str, **options: object) -> bytes:
    out = io.BytesIO()
    image.save(out, format=kind, **options)
    return out.getvalue()


def png(width: int = 16, height: int = 12) -> bytes:
    return encode(_gradient(width, height), "PNG")


def jpeg(width: int = 16, height: int = 12) -> bytes:
    return encode(_gradient(width, height), "JPEG", quality=95)


def gif(width: int = 16, height: int = 12) -> bytes:
    return encode(_gradient(width, height, "P"), "GIF")


def webp(width: int = 16, height: int = 12) -> bytes:
    return encode(_gradient(width, height), "WEBP", quality=90)


def animated_gif(frames: int = 3) -> bytes:
    images = [Image.new("RGB", (8, 8), color=(index * 80, 0, 255 - index * 80)) for index in range(frames)]
    return encode(images[0], "GIF", save_all=True, append_images=images[1:], duration=80, loop=0)


def gif_javascript_polyglot() -> bytes:
    """The classic GIF/JS polyglot: the width bytes spell ``/*``, so ``GIF89a/*...*/=alert(1);`` is a script.

    Its width is 0x2A2F = 10,799 pixels (one row: a small file) and the script closes after the trailer.
    """
    image = Image.new("P", (0x2A2F, 1))
    data = encode(image, "GIF")
    assert data[6:8] == b"/*"
    return data + b"*/=alert(document.domain);"


def gif_with_html_comment() -> bytes:
    return encode(_gradient(16, 12, "P"), "GIF", comment=PAYLOAD)


def png_with_html_chunk_and_trailer() -> bytes:
    info = PngInfo()
    info.add_text("Comment", PAYLOAD.decode())
    return encode(_gradient(16, 12), "PNG", pnginfo=info) + PAYLOAD


def jpeg_with_html_comment_and_exif() -> bytes:
    exif = Image.Exif()
    exif[0x010E] = PAYLOAD.decode()  # ImageDescription
    return encode(_gradient(16, 12), "JPEG", comment=PAYLOAD, exif=exif.tobytes())


def rotated_jpeg() -> bytes:
    """A 20x10 JPEG whose EXIF says "rotate 90°" (Orientation 6): it shows as 10x20."""
    exif = Image.Exif()
    exif[0x0112] = 6
    return encode(_gradient(20, 10), "JPEG", exif=exif.tobytes())


def decompression_bomb() -> bytes:
    """8,000 x 8,000 one-bit pixels (64 megapixels) compressed to a few kilobytes."""
    return encode(Image.new("1", (8000, 8000)), "PNG")


def too_wide() -> bytes:
    return encode(Image.new("L", (8193, 1)), "PNG")


def truncated_png() -> bytes:
    data = png(64, 64)
    return data[: len(data) // 2]


def decode(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def frame_count(data: bytes) -> int:
    return sum(1 for _ in ImageSequence.Iterator(Image.open(io.BytesIO(data))))

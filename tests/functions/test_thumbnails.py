"""The thumbnail function's image code: every format the blog stores, shrunk, and nothing else decoded."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from . import sample_images
from .conftest import ROOT, load_module

thumbnails = load_module("blog_thumbnails", ROOT / "functions" / "thumbnail" / "thumbnails.py")


@pytest.mark.parametrize(
    ("data", "kind", "content_type"),
    [
        (sample_images.png(1000, 500), "PNG", "image/png"),
        (sample_images.jpeg(500, 1000), "JPEG", "image/jpeg"),
        (sample_images.gif(640, 640), "GIF", "image/gif"),
        (sample_images.webp(800, 400), "WEBP", "image/webp"),
    ],
)
def test_thumbnail_fits_320_pixels_in_the_same_format(data: bytes, kind: str, content_type: str) -> None:
    thumbnail = thumbnails.make_thumbnail(data)
    image = Image.open(io.BytesIO(thumbnail.data))
    assert image.format == kind
    assert thumbnail.content_type == content_type
    assert max(image.size) == 320
    assert image.size == (thumbnail.width, thumbnail.height)


def test_small_images_keep_their_size() -> None:
    thumbnail = thumbnails.make_thumbnail(sample_images.png(16, 12))
    assert (thumbnail.width, thumbnail.height) == (16, 12)


def test_an_animated_gif_gives_its_first_frame() -> None:
    thumbnail = thumbnails.make_thumbnail(sample_images.animated_gif())
    assert getattr(Image.open(io.BytesIO(thumbnail.data)), "n_frames", 1) == 1


@pytest.mark.parametrize("data", [sample_images.PAYLOAD, b"", b"GIF89a", sample_images.png()[:40]])
def test_what_is_no_image_is_refused(data: bytes) -> None:
    with pytest.raises(thumbnails.NotAnImage):
        thumbnails.make_thumbnail(data)


def test_an_image_over_the_upload_bound_is_refused_before_decoding() -> None:
    # A 1-bit PNG of 8,000 x 8,000 pixels: tiny on disk, 64 megapixels decoded.
    out = io.BytesIO()
    Image.new("1", (8000, 8000)).save(out, format="PNG")
    with pytest.raises(thumbnails.NotAnImage, match="more than any upload the API accepts"):
        thumbnails.make_thumbnail(out.getvalue())

"""Where the site's generated files live in the images bucket: the feed, the sitemap and thumbnails.

The FeedFunction writes ``site/feed.xml`` and ``site/sitemap.xml`` when posts change, the ThumbnailFunction
writes ``thumbnails/<slug>/<id>`` beside each uploaded ``posts/<slug>/<id>``, and the web function serves
them; the CleanupFunction removes the images (and their thumbnails) no post points at any more.
"""

from __future__ import annotations

FEED_KEY = "site/feed.xml"
SITEMAP_KEY = "site/sitemap.xml"
IMAGE_PREFIX = "posts/"
THUMBNAIL_PREFIX = "thumbnails/"
FEED_TYPE = "application/atom+xml; charset=utf-8"
SITEMAP_TYPE = "application/xml; charset=utf-8"


def thumbnail_key(image_key: str) -> str:
    """The thumbnail's key for the image stored under ``image_key`` (``posts/a/1`` -> ``thumbnails/a/1``)."""
    if not image_key.startswith(IMAGE_PREFIX):
        raise ValueError(f"{image_key!r} is not a post image's key (it starts with {IMAGE_PREFIX!r})")
    return THUMBNAIL_PREFIX + image_key[len(IMAGE_PREFIX) :]


def image_key_of(thumbnail: str) -> str:
    """The image a thumbnail was made from (``thumbnails/a/1`` -> ``posts/a/1``)."""
    if not thumbnail.startswith(THUMBNAIL_PREFIX):
        raise ValueError(f"{thumbnail!r} is not a thumbnail's key (it starts with {THUMBNAIL_PREFIX!r})")
    return IMAGE_PREFIX + thumbnail[len(THUMBNAIL_PREFIX) :]

"""The blog's nightly cleanup: images (and thumbnails) no post points at any more are deleted.

A post's image is replaced or deleted with its post, but a failed delete, or an upload whose post changed
meanwhile, can leave an object behind. Every night this lists the images bucket's ``posts/`` and
``thumbnails/`` and deletes what no post references, sparing anything written in the last hour (an upload
under way stores its image before the post points at it). "Now" is the schedule's own time, so a late or
repeated run decides the same way.
"""

from __future__ import annotations

import logging
import os
from datetime import timedelta

from blog_posts import IMAGE_PREFIX, THUMBNAIL_PREFIX, ImageStore, PostRepository, image_key_of

from lambda_micro import App
from lambda_micro.events import ScheduledEvent

GRACE = timedelta(hours=1)

app = App(__name__)
logger = logging.getLogger(__name__)
posts = PostRepository.from_environment()
store = ImageStore.from_environment()
handler = app.lambda_handler


def referenced_images() -> set[str]:
    """The image key of every post that has one."""
    keys: set[str] = set()
    page = posts.list(limit=100)
    while True:
        keys.update(post.image.key for post in page.posts if post.image is not None)
        if page.next is None:
            return keys
        page = posts.list(limit=100, after=page.next)


@app.schedule(os.environ["CLEANUP_SCHEDULE"])
def remove_orphan_images(event: ScheduledEvent) -> dict[str, int]:
    """Delete the unreferenced images and thumbnails older than :data:`GRACE`; return the counts."""
    keep = referenced_images()
    cutoff = event.time - GRACE
    deleted = kept = 0
    for prefix in (IMAGE_PREFIX, THUMBNAIL_PREFIX):
        for key, written in store.listing(prefix):
            image = key if prefix == IMAGE_PREFIX else image_key_of(key)
            if image in keep or written > cutoff:
                kept += 1
                continue
            store.delete(key)
            deleted += 1
    logger.info("cleanup: %d objects deleted, %d kept", deleted, kept)
    return {"deleted": deleted, "kept": kept}

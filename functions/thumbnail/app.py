"""Thumbnails of the blog's images: each image uploaded under ``posts/`` gets one under ``thumbnails/``.

A lambda_micro app with no routes, on the images bucket's ``ObjectCreated`` notifications for the
``posts/`` prefix (template.yaml), so writing a thumbnail, under another prefix, never invokes it again.
The bucket's name comes from the event: this function's template entry names the bucket nowhere else
(its role's access is the separate ThumbnailAccess policy), which keeps CloudFormation free of a circular
dependency between the bucket and the function it notifies. Pillow is this function's own requirement.
"""

from __future__ import annotations

import logging

import boto3
from blog_posts import IMAGE_PREFIX, ImageNotFound, ImageStore, thumbnail_key
from thumbnails import NotAnImage, make_thumbnail

from lambda_micro import App
from lambda_micro.events import S3Object

app = App(__name__)
logger = logging.getLogger(__name__)
s3 = boto3.client("s3")
handler = app.lambda_handler


@app.on_s3(events=["ObjectCreated:*"], prefix=IMAGE_PREFIX)
def image_uploaded(obj: S3Object) -> None:
    """Write the thumbnail of the uploaded image (a file that is no image is logged and left alone)."""
    store = ImageStore(obj.bucket, s3)
    try:
        thumbnail = make_thumbnail(store.get(obj.key))
    except ImageNotFound:
        logger.info("s3://%s/%s is gone already: no thumbnail", obj.bucket, obj.key)
        return
    except NotAnImage as error:
        # Retrying would fail the same way: say so once, and do not fail the invocation.
        logger.warning("no thumbnail for s3://%s/%s: %s", obj.bucket, obj.key, error)
        return
    store.put(thumbnail_key(obj.key), thumbnail.data, thumbnail.content_type)
    logger.info("thumbnail of %s: %d by %d", obj.key, thumbnail.width, thumbnail.height)

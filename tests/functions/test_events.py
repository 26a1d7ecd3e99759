"""The blog's event-driven functions end to end on moto: the feed from the posts table's stream, thumbnails
from S3 notifications, the nightly cleanup, delivered by the test kit as on AWS."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
from PIL import Image

from lambda_micro.testing import scheduled_event
from lambda_micro.testing.plugin import AwsResources

from . import sample_images
from .atom_check import ATOM, check_atom, check_sitemap
from .conftest import header, objects
from .test_api import create, send_json

PHOTO = sample_images.png(800, 600)
# What a browser's <img> asks for: API Gateway decodes the binary answer only for an Accept it lists.
IMAGE_ACCEPT = {"Accept": "image/avif,image/webp,image/*,*/*;q=0.8"}


def upload(api: Any, slug: str, data: bytes = PHOTO) -> None:
    response = api.put(f"/api/posts/{slug}/image", body=data, headers={"Content-Type": "image/png"})
    assert response.status_code == 200, response.text


def test_a_new_post_reaches_the_feed_and_the_sitemap(aws: AwsResources, api: Any, web: Any) -> None:
    assert web.get("/feed.xml").status_code == 404  # nothing written yet
    create(api, "first", title="First <post>", body="Hello **world** & more")
    create(api, "second", title="Second")
    deliveries = aws.deliver()
    assert [str(d).split(",")[0] for d in deliveries] == ["DynamoDB PostsTable → FeedFunction 2 records"]
    response = web.get("/feed.xml")
    assert response.status_code == 200
    assert header(response, "Content-Type") == "application/atom+xml; charset=utf-8"
    feed = check_atom(response.data)
    entries = feed.findall(ATOM + "entry")
    assert [entry.findtext(ATOM + "title") for entry in entries] == ["Second", "First <post>"]
    root = aws.template.functions["FeedFunction"].environment["SITE_URL"]  # type: ignore[union-attr]
    assert entries[1].findtext(ATOM + "id") == f"{root}posts/first"
    assert "<strong>world</strong>" in (entries[1].findtext(ATOM + "content") or "")
    sitemap = web.get("/sitemap.xml")
    assert header(sitemap, "Content-Type") == "application/xml; charset=utf-8"
    assert check_sitemap(sitemap.data) == [root, f"{root}posts/second", f"{root}posts/first"]
    assert '<link rel="alternate" type="application/atom+xml"' in web.get("/").text


def test_edits_and_deletions_rewrite_the_feed(aws: AwsResources, api: Any, web: Any) -> None:
    create(api, "kept")
    create(api, "dropped")
    aws.deliver()
    response = send_json(
        api, "PATCH", "/api/posts/kept", {"title": "Kept, renamed"}, headers={"If-Match": '"1"'}
    )
    assert response.status_code == 200, response.text
    assert api.delete("/api/posts/dropped", headers={"If-Match": '"1"'}).status_code == 204
    aws.deliver()
    feed = check_atom(web.get("/feed.xml").data)
    assert [entry.findtext(ATOM + "title") for entry in feed.findall(ATOM + "entry")] == ["Kept, renamed"]


def test_feed_etag_makes_readers_poll_cheaply(aws: AwsResources, api: Any, web: Any) -> None:
    create(api, "cached")
    aws.deliver()
    first = web.get("/feed.xml")
    etag = header(first, "ETag")
    assert etag
    assert web.get("/feed.xml", headers={"If-None-Match": etag}).status_code == 304


def test_an_uploaded_image_gets_a_thumbnail(aws: AwsResources, api: Any, web: Any, bucket: str) -> None:
    create(api, "pictured")
    upload(api, "pictured")
    # Until the thumbnail exists, the page shows the image itself.
    before = web.get("/posts/pictured/thumbnail", headers=IMAGE_ACCEPT)
    assert Image.open(io.BytesIO(before.data)).size == (800, 600)
    deliveries = aws.deliver()
    assert "S3 ImagesBucket → ThumbnailFunction 1 record" in [str(d).split(",")[0] for d in deliveries]
    thumbnails = [key for key in objects(bucket) if key.startswith("thumbnails/")]
    assert thumbnails == [
        key.replace("posts/", "thumbnails/", 1) for key in objects(bucket) if key.startswith("posts/")
    ]
    after = web.get("/posts/pictured/thumbnail", headers=IMAGE_ACCEPT)
    assert after.status_code == 200
    assert header(after, "Content-Type") == "image/png"
    assert Image.open(io.BytesIO(after.data)).size == (320, 240)
    assert 'class="thumbnail"' in web.get("/").text


def test_a_file_that_is_no_image_gets_no_thumbnail(aws: AwsResources, bucket: str) -> None:
    boto3.client("s3").put_object(Bucket=bucket, Key="posts/x/not-an-image", Body=sample_images.PAYLOAD)
    deliveries = [d for d in aws.deliver() if d.function_id == "ThumbnailFunction"]
    assert [(d.records, d.failed) for d in deliveries] == [(1, 0)]  # logged, not retried
    assert objects(bucket) == ["posts/x/not-an-image"]


def _put(bucket: str, key: str) -> None:
    boto3.client("s3").put_object(Bucket=bucket, Key=key, Body=b"x")


def test_cleanup_deletes_only_old_images_no_post_uses(
    aws: AwsResources, api: Any, function_client: Any, bucket: str
) -> None:
    create(api, "kept")
    upload(api, "kept")
    aws.deliver()
    kept = [key for key in objects(bucket) if key.startswith(("posts/", "thumbnails/"))]
    for orphan in ("posts/gone/1", "thumbnails/gone/1", "posts/kept/replaced", "thumbnails/kept/replaced"):
        _put(bucket, orphan)
    cleanup = function_client("CleanupFunction")
    name = aws.template.functions["CleanupFunction"].environment["CLEANUP_SCHEDULE"]  # type: ignore[union-attr]
    now = datetime.now(UTC)
    # Within the hour after they were written nothing is deleted: an upload may be under way.
    assert cleanup.invoke_event(scheduled_event(name, scheduler=True, time=now)) == {"deleted": 0, "kept": 6}
    later = scheduled_event(name, scheduler=True, time=now + timedelta(hours=2))
    assert cleanup.invoke_event(later) == {"deleted": 4, "kept": 2}
    assert [key for key in objects(bucket) if not key.startswith("site/")] == sorted(kept)


def test_cleanup_runs_on_its_schedule(aws: AwsResources) -> None:
    delivery = aws.trigger("CleanupFunction.Nightly")
    assert delivery.error is None
    assert delivery.result == {"deleted": 0, "kept": 0}

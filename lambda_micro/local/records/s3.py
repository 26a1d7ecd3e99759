"""S3 event notifications, as Lambda receives them (``s3_event``)."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import datetime
from typing import Any
from urllib.parse import quote_plus

from ._common import DEFAULT_REGION, iso_time, md5_hex, new_id

__all__ = ["s3_event", "s3_record"]


def s3_record(
    bucket: str = "my-bucket",
    key: str = "example.txt",
    *,
    event_name: str = "ObjectCreated:Put",
    size: int | None = 1024,
    etag: str | None = None,
    version_id: str | None = None,
    event_time: datetime | None = None,
    configuration_id: str | None = None,
    region: str = DEFAULT_REGION,
    source_ip: str = "127.0.0.1",
) -> dict[str, Any]:
    """One record: ``key`` is URL-encoded as S3 does (``my photo.jpg`` -> ``my+photo.jpg``). A removal
    (``ObjectRemoved:*``) carries no size or ETag."""
    event_name = event_name.removeprefix("s3:")
    obj: dict[str, Any] = {"key": quote_plus(key, safe="/"), "sequencer": secrets.token_hex(9).upper()}
    if not event_name.startswith("ObjectRemoved"):
        obj["size"] = size if size is not None else 0
        obj["eTag"] = etag or md5_hex(key)
    if version_id is not None:
        obj["versionId"] = version_id
    return {
        "eventVersion": "2.1",
        "eventSource": "aws:s3",
        "awsRegion": region,
        "eventTime": iso_time(event_time),
        "eventName": event_name,
        "userIdentity": {"principalId": "AWS:AIDAINPONIXQXHT3IKHL2"},
        "requestParameters": {"sourceIPAddress": source_ip},
        "responseElements": {
            "x-amz-request-id": secrets.token_hex(8).upper(),
            "x-amz-id-2": secrets.token_urlsafe(48),
        },
        "s3": {
            "s3SchemaVersion": "1.0",
            "configurationId": configuration_id or new_id(),
            "bucket": {
                "name": bucket,
                "ownerIdentity": {"principalId": "A3I5XTEXAMAI3E"},
                "arn": f"arn:aws:s3:::{bucket}",
            },
            "object": obj,
        },
    }


def s3_event(
    bucket: str = "my-bucket", key: str | Iterable[str] = "example.txt", **options: Any
) -> dict[str, Any]:
    """An S3 event for ``key`` (or one record per key of a list); ``options`` go to :func:`s3_record`."""
    keys = [key] if isinstance(key, str) else list(key)
    return {"Records": [s3_record(bucket, item, **options) for item in keys]}

"""Post images in S3. Uploads are checked by decoding them where they are received (the API function)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import TYPE_CHECKING

import boto3
from botocore.exceptions import ClientError

from .settings import require_env

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

MAX_IMAGE_BYTES = 5 * 1024 * 1024
ALLOWED_IMAGE_TYPES = ("image/png", "image/jpeg", "image/gif", "image/webp")


class ImageNotFound(LookupError):
    """No object under this key (a post pointing at a deleted object)."""


class ImageStore:
    """Image bytes in one S3 bucket. Each upload gets a fresh key, so a failed write never clobbers the
    image a post currently points at."""

    def __init__(self, bucket: str, client: S3Client) -> None:
        self.bucket = bucket
        self._s3 = client

    @classmethod
    def from_environment(cls) -> ImageStore:
        """The store for the bucket named by ``IMAGES_BUCKET``."""
        return cls(require_env("IMAGES_BUCKET"), boto3.client("s3"))

    def put(self, key: str, data: bytes, content_type: str) -> None:
        """Store ``data`` under ``key``."""
        self._s3.put_object(Bucket=self.bucket, Key=key, Body=data, ContentType=content_type)

    def get(self, key: str) -> bytes:
        """Return the bytes stored under ``key``; raise :class:`ImageNotFound` if there are none."""
        try:
            return self._s3.get_object(Bucket=self.bucket, Key=key)["Body"].read()
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
                raise ImageNotFound(key) from error
            raise

    def delete(self, key: str) -> None:
        """Delete ``key`` (deleting a missing key is not an error in S3)."""
        self._s3.delete_object(Bucket=self.bucket, Key=key)

    def listing(self, prefix: str) -> Iterator[tuple[str, datetime]]:
        """Every key under ``prefix`` with when it was last written, page by page."""
        paginator = self._s3.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=self.bucket, Prefix=prefix):
            for entry in page.get("Contents", []):
                yield entry["Key"], entry["LastModified"]

"""Opaque pagination cursors made from DynamoDB's LastEvaluatedKey.

A cursor is base64url(JSON) of the two values that identify a position in the by-date index (the post's
slug and creation time). Decoding validates it strictly, so a tampered or truncated cursor is rejected
with :class:`InvalidCursor` instead of reaching DynamoDB as a malformed ExclusiveStartKey.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import dataclass

from .model import MAX_SLUG_LENGTH, SLUG_PATTERN

# created_at as the repository writes it: UTC, microseconds, "Z".
TIMESTAMP_PATTERN = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z")
MAX_CURSOR_LENGTH = 256
_CURSOR_VERSION = 1


class InvalidCursor(ValueError):
    """A pagination cursor that this API did not produce."""


@dataclass(frozen=True, slots=True)
class Position:
    """A position in the by-date index: the last post of the previous page."""

    slug: str
    created_at: str


def encode_cursor(position: Position) -> str:
    """Encode a position as an opaque, URL-safe cursor."""
    document = {"v": _CURSOR_VERSION, "s": position.slug, "c": position.created_at}
    raw = json.dumps(document, separators=(",", ":"), sort_keys=True).encode("utf-8")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def decode_cursor(cursor: str) -> Position:
    """Decode a cursor made by :func:`encode_cursor`; raise :class:`InvalidCursor` for anything else."""
    if not cursor or len(cursor) > MAX_CURSOR_LENGTH:
        raise InvalidCursor("cursor is empty or too long")
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        document = json.loads(raw.decode("utf-8"))
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise InvalidCursor("cursor is not one this API produced") from exc
    if not isinstance(document, dict) or set(document) != {"v", "s", "c"} or document["v"] != _CURSOR_VERSION:
        raise InvalidCursor("cursor is not one this API produced")
    slug, created_at = document["s"], document["c"]
    if not (
        isinstance(slug, str)
        and len(slug) <= MAX_SLUG_LENGTH
        and SLUG_PATTERN.fullmatch(slug)
        and isinstance(created_at, str)
        and TIMESTAMP_PATTERN.fullmatch(created_at)
    ):
        raise InvalidCursor("cursor is not one this API produced")
    return Position(slug=slug, created_at=created_at)

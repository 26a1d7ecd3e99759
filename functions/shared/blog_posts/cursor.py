"""Opaque pagination cursors, signed with the app's secret key.

A cursor is ``base64url(JSON).base64url(HMAC-SHA256)`` of the two values that identify a position in the
by-date index (the post's slug and creation time). Decoding checks the signature before anything else, so a
forged, tampered or truncated cursor is rejected with :class:`InvalidCursor` without its content being
parsed, and only positions this API handed out reach DynamoDB as an ExclusiveStartKey.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import re
from dataclasses import dataclass

from .model import MAX_SLUG_LENGTH, SLUG_PATTERN

# created_at as the repository writes it: UTC, microseconds, "Z".
TIMESTAMP_PATTERN = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z")
MAX_CURSOR_LENGTH = 320
_CURSOR_VERSION = 2
# Keeps these signatures apart from anything else signed with the same key (the session cookie).
_PURPOSE = b"blog_posts.cursor\x00"
_SIGNATURE_BYTES = 16


class InvalidCursor(ValueError):
    """A pagination cursor that this API did not produce."""


@dataclass(frozen=True, slots=True)
class Position:
    """A position in the by-date index: the last post of the previous page."""

    slug: str
    created_at: str


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class Cursors:
    """Encodes and decodes the cursors of one app, signed with its ``key``."""

    def __init__(self, key: str | bytes) -> None:
        if not key:
            raise ValueError("cursors need a secret key to sign them")
        self._key = key.encode("utf-8") if isinstance(key, str) else key

    def _sign(self, payload: bytes) -> bytes:
        return hmac.new(self._key, _PURPOSE + payload, hashlib.sha256).digest()[:_SIGNATURE_BYTES]

    def encode(self, position: Position) -> str:
        """An opaque, URL-safe cursor for ``position``."""
        document = {"v": _CURSOR_VERSION, "s": position.slug, "c": position.created_at}
        payload = json.dumps(document, separators=(",", ":"), sort_keys=True).encode("utf-8")
        return f"{_b64(payload)}.{_b64(self._sign(payload))}"

    def decode(self, cursor: str) -> Position:
        """The position in a cursor made by :meth:`encode` with this key; :class:`InvalidCursor` otherwise."""
        if not cursor or len(cursor) > MAX_CURSOR_LENGTH or not cursor.isascii():
            raise InvalidCursor("cursor is empty, too long or not one this API produced")
        encoded_payload, dot, encoded_signature = cursor.partition(".")
        try:
            payload, signature = _unb64(encoded_payload), _unb64(encoded_signature)
        except (binascii.Error, ValueError) as exc:
            raise InvalidCursor("cursor is not one this API produced") from exc
        if not dot or not hmac.compare_digest(signature, self._sign(payload)):
            raise InvalidCursor("cursor is not one this API produced (its signature does not match)")
        # Signed by us, so well formed; checked all the same, as a key shared with an older format could be.
        try:
            document = json.loads(payload.decode("utf-8"))
        except ValueError as exc:
            raise InvalidCursor("cursor is not one this API produced") from exc
        if not isinstance(document, dict) or set(document) != {"v", "s", "c"}:
            raise InvalidCursor("cursor is not one this API produced")
        if document["v"] != _CURSOR_VERSION:
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

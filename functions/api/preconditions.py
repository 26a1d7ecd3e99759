"""Entity tags in ``If-Match`` and ``If-None-Match``, parsed strictly (RFC 9110, section 8.8.3).

werkzeug's parser is lenient: it takes an unquoted ``1`` for the tag ``"1"``. Here a header is ``*`` or a
comma-separated list of quoted tags, each optionally weak (``W/"1"``); anything else is an error that names
the header. Writes compare strongly, so a weak tag never matches for ``If-Match`` (section 13.1.1); reads
compare weakly (``If-None-Match``, section 13.1.2). A post's entity tag is its version, quoted.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from blog_posts import Post, VersionConflict, is_version
from http_errors import ApiError

from lambda_micro import request

# One list member: optional weakness, then a quoted opaque tag (etagc: 0x21, 0x23-0x7E, obs-text).
_ENTITY_TAG = re.compile(r'[ \t]*(W/)?"([\x21\x23-\x7e\x80-\xff]*)"[ \t]*')
_BLANK_MEMBER = re.compile(r"[ \t]*,")
_MAX_HEADER_LENGTH = 1024


class MalformedEntityTags(ValueError):
    """A conditional header that is neither ``*`` nor a list of quoted entity tags."""


@dataclass(frozen=True, slots=True)
class EntityTags:
    """A parsed ``If-Match``/``If-None-Match``: ``star``, or ``tags`` as ``(weak, opaque)`` pairs."""

    star: bool
    tags: tuple[tuple[bool, str], ...]

    def matches_strongly(self, opaque: str) -> bool:
        """``If-Match``: true for ``*`` or a strong tag equal to ``opaque``."""
        return self.star or any(not weak and tag == opaque for weak, tag in self.tags)

    def matches_weakly(self, opaque: str) -> bool:
        """``If-None-Match``: true for ``*`` or any tag, weak or not, equal to ``opaque``."""
        return self.star or any(tag == opaque for _, tag in self.tags)


def parse_entity_tags(header: str, value: str) -> EntityTags:
    """Parse the value of conditional header ``header``; raise :class:`MalformedEntityTags` naming it."""
    problem = f'{header} must be "*" or quoted entity tags separated by commas, such as "3" or W/"3"'
    if len(value) > _MAX_HEADER_LENGTH:
        raise MalformedEntityTags(f"{header} is longer than {_MAX_HEADER_LENGTH} characters")
    if value.strip(" \t") == "*":
        return EntityTags(star=True, tags=())
    tags: list[tuple[bool, str]] = []
    position, end = 0, len(value)
    # Member by member (a tag may itself contain commas); empty members (", ,") are ignored, as RFC 9110
    # section 5.6.1 asks.
    while position < end:
        blank = _BLANK_MEMBER.match(value, position)
        if blank is not None and blank.end() > position:
            position = blank.end()
            continue
        match = _ENTITY_TAG.match(value, position)
        if match is None:
            raise MalformedEntityTags(problem)
        tags.append((match.group(1) is not None, match.group(2)))
        position = match.end()
        if position < end:
            if value[position] != ",":
                raise MalformedEntityTags(problem)
            position += 1
    if not tags:
        raise MalformedEntityTags(problem)
    return EntityTags(star=False, tags=tuple(tags))


def entity_tags(header: str) -> EntityTags | None:
    """The request's ``If-Match`` or ``If-None-Match``, parsed strictly (None when absent or empty); 400
    naming the header when it is malformed."""
    value = request.headers.get(header)
    if value is None or not value.strip(" \t"):
        return None
    try:
        return parse_entity_tags(header, value)
    except MalformedEntityTags as error:
        raise ApiError(400, "invalid_precondition", str(error), fields={header: str(error)}) from error


def expected_version(post: Post, body: Mapping[str, Any] | None, *, required: bool) -> int | None:
    """The version the client based its change on, from If-Match or the body's ``version``.

    Checked here against ``post`` so a stale client gets 412 before anything is written; the write itself
    is conditional on the same version, which closes the race with a concurrent writer. If-Match compares
    strongly: a weak tag (``W/"1"``) never matches.
    """
    if_match = entity_tags("If-Match")
    if if_match is not None:
        if if_match.star:
            return None if not required else post.version
        if not if_match.matches_strongly(str(post.version)):
            raise ApiError(
                412,
                "precondition_failed",
                f"the post is at version {post.version} (ETag {post.etag}), not the one in If-Match",
            )
        return post.version
    version = body.get("version") if body is not None else None
    if version is not None:
        if not is_version(version):
            raise ApiError(
                422, "validation_failed", "invalid version", fields={"version": "must be a positive integer"}
            )
        if version != post.version:
            raise ApiError(
                412, "precondition_failed", f"the post is at version {post.version}, not {version}"
            )
        return version
    if required:
        raise ApiError(
            428,
            "precondition_required",
            "send If-Match with the post's ETag (or the post's version in the body) so a concurrent change "
            "is not overwritten",
        )
    return None


def conflict(error: VersionConflict) -> ApiError:
    """The 412 for a conditional write that lost the race."""
    return ApiError(
        412,
        "precondition_failed",
        f"the post changed meanwhile: it is at version {error.current.version}, not {error.expected_version}",
    )

"""Posts: the value type, and validation of what users send."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TypeGuard

from .rendering import MAX_BODY_LENGTH, BodyTooComplex, render

SLUG_PATTERN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
MAX_SLUG_LENGTH = 80
MAX_TITLE_LENGTH = 200
# Versions count a post's changes; one that does not fit in a JSON number exactly is not one we made.
MAX_VERSION = 2**53 - 1
BODY_FORMATS = ("markdown", "text")
# Slugs that would collide with the web pages' own URLs (/posts/new).
RESERVED_SLUGS = frozenset({"new"})


@dataclass(frozen=True, slots=True)
class Image:
    """A post's image: where it is stored in S3 and what it is."""

    key: str
    content_type: str
    size: int


@dataclass(frozen=True, slots=True)
class Author:
    """Who wrote a post: the identity's stable subject (Cognito's ``sub``) and a name to show."""

    sub: str
    name: str


@dataclass(frozen=True, slots=True)
class Post:
    """One stored post. ``version`` starts at 1 and grows by one with every change."""

    slug: str
    title: str
    body: str
    format: str
    created_at: str
    updated_at: str
    version: int
    image: Image | None = None
    # Rendered when the post was written (see rendering.py); None in posts stored before that, and ``html``
    # None for plain text, which is escaped when shown.
    html: str | None = None
    excerpt: str | None = None
    # Who created the post (None for posts from before the blog had authors).
    author: Author | None = None

    @property
    def etag(self) -> str:
        """The strong entity tag of this version of the post (quoted, as in the ETag header)."""
        return f'"{self.version}"'


@dataclass(frozen=True, slots=True)
class PostInput:
    """Validated fields for creating or replacing a post, with the body rendered for storage."""

    slug: str
    title: str
    body: str
    format: str
    html: str | None
    excerpt: str


class ValidationError(ValueError):
    """Input that does not make a valid post; ``fields`` maps each bad field to a message."""

    def __init__(self, fields: Mapping[str, str]) -> None:
        self.fields = dict(fields)
        super().__init__("; ".join(f"{name}: {message}" for name, message in self.fields.items()))


def slugify(title: str) -> str:
    """Derive a URL slug from a title: ASCII letters and digits joined by single hyphens."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")
    return slug[:MAX_SLUG_LENGTH].rstrip("-")


def parse_version(text: str) -> int | None:
    """A version written in decimal ASCII digits (from a form field), or None for anything else.

    ``str.isdigit`` is not enough: "²" is a digit to it and not to ``int``, and 5,000 digits are too many
    for ``int`` to parse (and for DynamoDB to store).
    """
    if not 1 <= len(text) <= len(str(MAX_VERSION)) or not text.isascii() or not text.isdigit():
        return None
    version = int(text)
    return version if 1 <= version <= MAX_VERSION else None


def is_version(value: object) -> TypeGuard[int]:
    """True for a JSON value that can be a post's version (an integer in range, not a bool)."""
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= MAX_VERSION


def _unpaired_surrogate(text: str) -> int | None:
    """The index of the first lone surrogate in ``text`` (JSON can carry "\\ud800"; UTF-8 cannot)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as error:
        return error.start
    return None


def _check_slug(slug: str) -> str | None:
    if not slug:
        return "is required"
    if len(slug) > MAX_SLUG_LENGTH:
        return f"must be at most {MAX_SLUG_LENGTH} characters"
    if not SLUG_PATTERN.fullmatch(slug):
        return "may contain only lower-case letters, digits and single hyphens between them"
    if slug in RESERVED_SLUGS:
        return f"'{slug}' is reserved"
    return None


def is_valid_slug(slug: str) -> bool:
    """True when ``slug`` could name a post (so a lookup is worth making)."""
    return _check_slug(slug) is None


def validate_post(
    data: Mapping[str, Any],
    *,
    partial: bool = False,
    current: Post | None = None,
    derive_slug: bool = True,
) -> PostInput:
    """Validate post fields from a form or a JSON document and return them cleaned.

    ``partial`` (PATCH) takes missing fields from ``current``. Without a slug, one is derived from the
    title when ``derive_slug`` is true. Raises :class:`ValidationError` naming every bad field at once.
    """
    errors: dict[str, str] = {}

    def text_field(name: str, maximum: int, *, strip: bool) -> str:
        if name not in data or data[name] is None:
            if partial and current is not None:
                return str(getattr(current, name))
            errors[name] = "is required"
            return ""
        value = data[name]
        if not isinstance(value, str):
            errors[name] = "must be a string"
            return ""
        surrogate = _unpaired_surrogate(value)
        if surrogate is not None:
            code_point = ord(value[surrogate])
            errors[name] = f"contains an unpaired surrogate (U+{code_point:04X} at character {surrogate})"
            return ""
        if strip:
            value = value.strip()
        if not value.strip():
            errors[name] = "must not be empty"
        elif len(value) > maximum:
            errors[name] = f"must be at most {maximum} characters"
        return value

    title = text_field("title", MAX_TITLE_LENGTH, strip=True)
    body = text_field("body", MAX_BODY_LENGTH, strip=False)

    raw_format = data.get("format")
    if raw_format is None or raw_format == "":
        body_format = current.format if (partial and current is not None) else "markdown"
    elif not isinstance(raw_format, str) or raw_format not in BODY_FORMATS:
        errors["format"] = f"must be one of: {', '.join(BODY_FORMATS)}"
        body_format = "markdown"
    else:
        body_format = raw_format

    raw_slug = data.get("slug")
    if current is not None:
        # The slug is the post's key: it cannot change once the post exists.
        slug = current.slug
        if raw_slug not in (None, "", current.slug):
            errors["slug"] = "cannot be changed"
    elif raw_slug is None or raw_slug == "":
        slug = slugify(title) if derive_slug and title else ""
        problem = _check_slug(slug)
        if problem and "title" not in errors:
            errors["slug"] = f"could not be derived from the title ({problem}); give one"
    elif not isinstance(raw_slug, str):
        errors["slug"] = "must be a string"
        slug = ""
    else:
        slug = raw_slug.strip()
        problem = _check_slug(slug)
        if problem:
            errors["slug"] = problem

    rendered = None
    if "body" not in errors and "format" not in errors:
        try:
            rendered = render(body, body_format)
        except BodyTooComplex as error:
            errors["body"] = str(error)
    if errors or rendered is None:
        raise ValidationError(errors)
    return PostInput(
        slug=slug, title=title, body=body, format=body_format, html=rendered.html, excerpt=rendered.excerpt
    )

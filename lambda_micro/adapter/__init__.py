"""PLACEHOLDER (being replaced by the adapter work): the public signatures only."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

__all__ = ["UnsupportedEvent", "make_handler", "response"]


class UnsupportedEvent(Exception):  # noqa: N818 - public name fixed by the API
    """Raised for an event that is not an HTTP event of a known source."""


def make_handler(
    wsgi_app: Callable[..., Iterable[bytes]],
    *,
    base_path: str | None = None,
    text_mime_types: Iterable[str] | None = None,
    reraise: bool = False,
) -> Callable[[dict[str, Any], Any], dict[str, Any]]:
    raise NotImplementedError


def response(
    app: Callable[..., Iterable[bytes]],
    event: dict[str, Any],
    context: Any,
    base64_content_types: Iterable[str] | None = None,
) -> dict[str, Any]:
    raise NotImplementedError

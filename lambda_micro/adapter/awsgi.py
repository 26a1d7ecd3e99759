"""A drop-in for aws-wsgi's ``awsgi.response``: ``from lambda_micro.adapter import response``."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .handler import LambdaHandler, WSGIApp

__all__ = ["response"]


def response(
    app: WSGIApp,
    event: dict[str, Any],
    context: Any,
    base64_content_types: Iterable[str] | None = None,
) -> dict[str, Any]:
    """Run ``app`` for ``event`` and return the proxy result, like ``awsgi.response``.

    Every source is supported (not only REST), with the behaviour of ``make_handler``; the media types in
    ``base64_content_types`` are always base64-encoded, on top of the automatic decision. The environ also
    carries ``awsgi.event`` and ``awsgi.context`` for code written against aws-wsgi.
    """
    handler = LambdaHandler(app, always_binary=base64_content_types, awsgi_keys=True)
    return handler(event, context)

"""A Lambda Function URL's event: the payload 2.0 shape on ``<url-id>.lambda-url.<region>.on.aws``."""

from __future__ import annotations

from typing import Any

from .api_gateway import v2_shape
from .request import DEFAULT_URL_ID, EventRequest

__all__ = ["function_url_event"]


def function_url_event(request: EventRequest) -> dict[str, Any]:
    """The event a Function URL sends (stage ``$default``; the path as sent, not decoded)."""
    domain = request.domain_name or f"{request.api_id or DEFAULT_URL_ID}.lambda-url.{request.region}.on.aws"
    return v2_shape(request, domain=domain, is_url=True)

"""Which service sent an event: classify once, by the keys each source always sends (contract item 1)."""

from __future__ import annotations

from typing import Any, Final, Literal

__all__ = ["ALB", "HTTP_V1", "HTTP_V2", "REST", "SOURCES", "URL", "V2_SOURCES", "Source", "infer_source"]

#: The HTTP event sources the adapter knows.
Source = Literal["rest", "http-1.0", "http-2.0", "url", "alb"]

REST: Final = "rest"  #: API Gateway REST API, payload 1.0.
HTTP_V1: Final = "http-1.0"  #: API Gateway HTTP API with payload format 1.0.
HTTP_V2: Final = "http-2.0"  #: API Gateway HTTP API with payload format 2.0.
URL: Final = "url"  #: Lambda Function URL (the payload 2.0 shape).
ALB: Final = "alb"  #: Application Load Balancer target (single- or multi-value headers).

SOURCES: Final[tuple[Source, ...]] = (REST, HTTP_V1, HTTP_V2, URL, ALB)
#: The sources that send the payload 2.0 shape (``rawPath``, ``cookies``) and take a 2.0 result.
V2_SOURCES: Final[frozenset[Source]] = frozenset((HTTP_V2, URL))


def infer_source(event: Any) -> Source | None:
    """Return the source of ``event``, or ``None`` when it is not an HTTP event.

    Order matters: an ALB event also has ``httpMethod``, and a payload 2.0 event may carry a ``version``
    without ``httpMethod``. Never raises, whatever ``event`` is.
    """
    if not isinstance(event, dict):
        return None
    if "methodArn" in event or "routeArn" in event:
        # A Lambda authorizer's input (REST or HTTP API) copies the request's method, path and headers,
        # but it asks for a policy, not a response: never run the app for it.
        return None
    request_context = event.get("requestContext")
    version = event.get("version")
    if isinstance(request_context, dict):
        if "elb" in request_context:
            return ALB
        if version == "2.0" and "http" in request_context:
            domain = request_context.get("domainName")
            if isinstance(domain, str) and ".lambda-url." in domain:
                return URL
            return HTTP_V2
    if "httpMethod" in event:
        return HTTP_V1 if version == "1.0" else REST
    return None

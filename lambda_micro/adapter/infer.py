"""Which service sent an event: classify once, by the keys each source always sends (contract items 1, 38).

The contract items cited by number (``item 29``) are those of docs/ADAPTER-CONTRACT.md.
"""

from __future__ import annotations

from typing import Any, Final, Literal

__all__ = [
    "ALB",
    "EDGE",
    "HTTP_V1",
    "HTTP_V2",
    "LATTICE_V1",
    "LATTICE_V2",
    "REST",
    "SOURCES",
    "URL",
    "V2_SOURCES",
    "Source",
    "infer_source",
]

#: The HTTP event sources the adapter knows.
Source = Literal["rest", "http-1.0", "http-2.0", "url", "alb", "lattice-1.0", "lattice-2.0", "edge"]

REST: Final = "rest"  #: API Gateway REST API, payload 1.0.
HTTP_V1: Final = "http-1.0"  #: API Gateway HTTP API with payload format 1.0.
HTTP_V2: Final = "http-2.0"  #: API Gateway HTTP API with payload format 2.0.
URL: Final = "url"  #: Lambda Function URL (the payload 2.0 shape).
ALB: Final = "alb"  #: Application Load Balancer target (single- or multi-value headers).
LATTICE_V1: Final = "lattice-1.0"  #: Amazon VPC Lattice target group, event structure version 1.
LATTICE_V2: Final = "lattice-2.0"  #: Amazon VPC Lattice target group, event structure version 2.
EDGE: Final = "edge"  #: Lambda@Edge viewer-request or origin-request trigger of a CloudFront distribution.

SOURCES: Final[tuple[Source, ...]] = (REST, HTTP_V1, HTTP_V2, URL, ALB, LATTICE_V1, LATTICE_V2, EDGE)
#: The sources that send the payload 2.0 shape (``rawPath``, ``cookies``) and take a 2.0 result.
V2_SOURCES: Final[frozenset[Source]] = frozenset((HTTP_V2, URL))
# The Lambda@Edge triggers that carry a request to answer (the response triggers carry the origin's).
_EDGE_REQUEST_TRIGGERS: Final = frozenset(("viewer-request", "origin-request"))


def infer_source(event: Any) -> Source | None:
    """Return the source of ``event``, or ``None`` when it is not an HTTP event.

    Order matters: an ALB event also has ``httpMethod``, and a payload 2.0 event may carry a ``version``
    without ``httpMethod``. Never raises, whatever ``event`` is.
    """
    if not isinstance(event, dict):
        return None
    request_context = event.get("requestContext")
    version = event.get("version")
    # A Lambda authorizer's input (REST or HTTP API) copies the request's method, path and headers, but it
    # asks for a policy, not a response: never run the app for it. Checked where it would match, so the
    # load balancer's events pay nothing for it.
    if isinstance(request_context, dict):
        if "elb" in request_context:
            return ALB
        if version == "2.0" and "http" in request_context:
            if "routeArn" in event:
                return None  # an HTTP API authorizer's input
            domain = request_context.get("domainName")
            if isinstance(domain, str) and ".lambda-url." in domain:
                return URL
            return HTTP_V2
        if "connectionId" in request_context:
            # An API Gateway WebSocket event; some samples also carry httpMethod and path (item 46).
            return None
    elif "apiPath" in event and "path" not in event:
        # A Bedrock Agent action-group call (no requestContext): httpMethod + apiPath, never a path (item 46).
        return None
    if "httpMethod" in event:
        if "methodArn" in event:
            return None  # a REST (or HTTP API payload 1.0) authorizer's input
        return HTTP_V1 if version == "1.0" else REST
    # Past this point no event of the sources above matches: the checks cost them nothing.
    if "method" in event:
        if version == "2.0":
            return LATTICE_V2
        if "raw_path" in event:
            return LATTICE_V1
        return None
    records = event.get("Records")
    if type(records) is list and records and isinstance(records[0], dict):
        cf = records[0].get("cf")
        if isinstance(cf, dict) and isinstance(cf.get("request"), dict) and "response" not in cf:
            config = cf.get("config")
            trigger = config.get("eventType") if isinstance(config, dict) else None
            if trigger is None or (type(trigger) is str and trigger in _EDGE_REQUEST_TRIGGERS):
                return EDGE
    return None

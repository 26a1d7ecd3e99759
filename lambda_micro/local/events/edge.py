"""Lambda@Edge's events: CloudFront's viewer-request and origin-request triggers.

The event is AWS's documented structure ("Lambda@Edge event structure"): ``Records[0].cf`` with the
distribution's ``config`` (domain name, id, ``eventType``, ``requestId``) and the ``request``: ``clientIp``,
``headers`` as lower-cased names mapped to lists of ``{"key", "value"}`` (one entry per occurrence, the
client's spelling in ``key``), ``method``, the raw ``querystring`` (no ``?``) and the percent-encoded
``uri``. With the trigger's "include body" option the ``body`` object carries the body base64-encoded
(``inputTruncated`` when it was cut at what CloudFront exposes, ``action`` ``read-only``). A viewer request
has the viewer's headers as sent (and Host); an origin request those an origin request policy forwarding
every viewer header passes, plus what CloudFront adds (X-Forwarded-For, Via, CloudFront-Forwarded-Proto,
its own User-Agent when the viewer sent none) and the ``origin`` it would go to.
"""

from __future__ import annotations

import base64
from typing import Any, Final

from lambda_micro.local.cloudfront import (
    DEFAULT_DISTRIBUTION_ID,
    EXPOSED_BODY_LIMIT,
    TRIGGERS,
    cloudfront_request_id,
    distribution_domain,
    edge_host,
)

from . import _common as c
from .request import EventRequest

__all__ = ["edge_event"]

# Headers CloudFront sets on an origin request itself, whatever the viewer sent.
_SET_FOR_ORIGIN: Final = frozenset(("x-forwarded-for", "via", "cloudfront-forwarded-proto"))


def edge_event(request: EventRequest) -> dict[str, Any]:
    """The event of a Lambda@Edge ``request.edge_trigger`` (viewer-request or origin-request)."""
    trigger = request.edge_trigger
    if trigger not in TRIGGERS:
        raise ValueError(f"unknown Lambda@Edge trigger {trigger!r}; use one of {', '.join(TRIGGERS)}")
    if request.authorizer is not None:
        raise ValueError("a CloudFront distribution has no authorizer context")
    distribution_id = request.api_id or DEFAULT_DISTRIBUTION_ID
    distribution_domain_name = distribution_domain(distribution_id)
    pairs = c.with_cookie_header(request.headers, request.cookies)
    if not c.has_header(pairs, "Host"):
        pairs.insert(0, ("Host", request.domain_name or distribution_domain_name))
    if trigger == "origin-request":
        forwarded_for = c.get_header(pairs, "X-Forwarded-For")
        pairs = [pair for pair in pairs if pair[0].lower() not in _SET_FOR_ORIGIN]
        if not c.has_header(pairs, "User-Agent"):
            pairs.append(("User-Agent", "Amazon CloudFront"))
        pairs += [
            (
                "X-Forwarded-For",
                f"{forwarded_for}, {request.source_ip}" if forwarded_for else request.source_ip,
            ),
            ("Via", f"2.0 {edge_host(request.request_id)} (CloudFront)"),
            ("CloudFront-Forwarded-Proto", request.scheme or "https"),
        ]
    headers: dict[str, list[dict[str, str]]] = {}
    for name, value in pairs:
        headers.setdefault(name.lower(), []).append({"key": name, "value": value})
    cf_request: dict[str, Any] = {}
    if request.include_body:
        data = request.body or b""
        exposed = EXPOSED_BODY_LIMIT[trigger]
        cf_request["body"] = {
            "action": "read-only",
            "data": base64.b64encode(data[:exposed]).decode("ascii"),
            "encoding": "base64",
            "inputTruncated": len(data) > exposed,
        }
    cf_request.update(
        {
            "clientIp": request.source_ip,
            "headers": headers,
            "method": request.method,
            "querystring": request.query,
            "uri": request.path,
        }
    )
    if trigger == "origin-request":
        cf_request["origin"] = _origin()
    config = {
        "distributionDomainName": distribution_domain_name,
        "distributionId": distribution_id,
        "eventType": trigger,
        "requestId": cloudfront_request_id(request.request_id),
    }
    return {"Records": [{"cf": {"config": config, "request": cf_request}}]}


def _origin() -> dict[str, Any]:
    """Where an origin request would go: a custom origin on https (an origin request always names one)."""
    return {
        "custom": {
            "customHeaders": {},
            "domainName": "origin.example.com",
            "keepaliveTimeout": 5,
            "path": "",
            "port": 443,
            "protocol": "https",
            "readTimeout": 30,
            "sslProtocols": ["TLSv1.2"],
        }
    }

"""An Application Load Balancer's event for a Lambda target (single- or multi-value headers)."""

from __future__ import annotations

from typing import Any

from . import _common as c
from .request import EventRequest

__all__ = ["alb_event"]


def alb_event(request: EventRequest) -> dict[str, Any]:
    """The event a load balancer sends; ``request.multi_value_headers`` is the target group's setting."""
    if request.authorizer is not None:
        raise ValueError("an Application Load Balancer has no authorizer context")
    scheme = request.scheme or "http"
    port = request.port or (443 if scheme == "https" else 80)
    domain = request.domain_name or f"lambda-alb-123456789.{request.region}.elb.amazonaws.com"
    # The load balancer lower-cases header names.
    pairs = [(name.lower(), value) for name, value in c.with_cookie_header(request.headers, request.cookies)]
    pairs = c.integration_headers(request, pairs, domain=domain, port=port, scheme=scheme, lower=True)
    body, is_base64 = c.body_field(
        request.body, base64_encode=c.passed_as_base64(request.body, c.get_header(pairs, "content-type"))
    )
    target_group = c.short_hash(domain, 16)
    event: dict[str, Any] = {
        "requestContext": {
            "elb": {
                "targetGroupArn": (
                    f"arn:aws:elasticloadbalancing:{request.region}:{request.account_id}:targetgroup/"
                    f"lambda-target/{target_group}"
                )
            }
        },
        "httpMethod": request.method,
        "path": request.path,
    }
    # The load balancer forwards query values still percent-encoded.
    query = c.encoded_query(request.query)
    if request.multi_value_headers:
        event["multiValueQueryStringParameters"] = c.multi(query)
        event["multiValueHeaders"] = c.multi(pairs)
    else:
        # Without multi-value headers the load balancer keeps the last value of a repeated key.
        event["queryStringParameters"] = dict(query)
        event["headers"] = dict(pairs)
    event["body"] = body if body is not None else ""
    event["isBase64Encoded"] = is_base64
    return event

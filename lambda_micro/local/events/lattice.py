"""VPC Lattice's events for a Lambda target group: event structure versions 1 and 2.

Both are AWS's documented structures ("Lambda functions as targets in VPC Lattice"): version 1 is
snake_case with one string per header (the service joins repeats with commas) and per query parameter;
version 2 is camelCase, with a ``requestContext`` (service network, service, target group, caller identity,
region, time in microseconds) and a list of strings per header and per query parameter, as AWS's
documentation and its Go and Java event types give them. The path carries the raw query string
(``/orders?page=2``), as Powertools, which reads both fields, documents VPC Lattice to send it; the
parameter map holds the decoded values beside it. VPC Lattice adds the ``x-forwarded-*`` headers, the
``x-amzn-lattice-*`` ones naming the network, the target and (with IAM auth) the caller, and lower-cases
header names. A body that is not text arrives base64-encoded, by the load balancer's rule.
"""

from __future__ import annotations

from typing import Any, Final

from . import _common as c
from .request import EventRequest

__all__ = ["DEFAULT_SERVICE_ID", "lattice_v1_event", "lattice_v2_event"]

#: The service id of the events (``svc-`` and 17 hex digits), when ``api_id`` does not give one.
DEFAULT_SERVICE_ID: Final = "svc-0a40eebed65f8d69c"
_SERVICE_NAME: Final = "lambda-service"
_SERVICE_NETWORK_ID: Final = "sn-0bf3f2882e9cc805a"
_SOURCE_VPC: Final = "vpc-0b8276c84697e7339"
# Headers VPC Lattice sets itself and strips from incoming requests, so a client cannot spoof them.
_SERVICE_HEADERS: Final = ("x-amzn-lattice-", "x-amzn-source-vpc")


def lattice_v1_event(request: EventRequest) -> dict[str, Any]:
    """The event a target group with event structure version 1 sends (snake_case, string values)."""
    parts = _Parts(request)
    headers: dict[str, str] = {}
    for name, value in parts.headers:
        headers[name] = f"{headers[name]},{value}" if name in headers else value
    body, is_base64 = parts.body
    return {
        "raw_path": parts.target,
        "method": request.method,
        "headers": headers,
        "query_string_parameters": {name: ",".join(values) for name, values in parts.query.items()},
        "body": body if body is not None else "",
        "is_base64_encoded": is_base64,
    }


def lattice_v2_event(request: EventRequest) -> dict[str, Any]:
    """The event a target group with event structure version 2 sends (camelCase, list values)."""
    parts = _Parts(request)
    body, is_base64 = parts.body
    event: dict[str, Any] = {
        "version": "2.0",
        "path": parts.target,
        "method": request.method,
        "headers": c.multi(parts.headers),
    }
    if parts.query:
        event["queryStringParameters"] = parts.query
    event["body"] = body if body is not None else ""
    event["isBase64Encoded"] = is_base64
    event["requestContext"] = {
        "serviceNetworkArn": parts.service_network_arn,
        "serviceArn": parts.service_arn,
        "targetGroupArn": parts.target_group_arn,
        "identity": parts.identity,
        "region": request.region,
        "timeEpoch": str(int(request.time.timestamp() * 1_000_000)),
    }
    return event


class _Parts:
    """What both structure versions carry, computed once from the request."""

    def __init__(self, request: EventRequest) -> None:
        service_id = request.api_id or DEFAULT_SERVICE_ID
        prefix = f"arn:aws:vpc-lattice:{request.region}:{request.account_id}:"
        self.service_arn = f"{prefix}service/{service_id}"
        self.service_network_arn = f"{prefix}servicenetwork/{_SERVICE_NETWORK_ID}"
        self.target_group_arn = f"{prefix}targetgroup/tg-{c.short_hash(service_id, 17)}"
        vpc_arn = f"arn:aws:ec2:{request.region}:{request.account_id}:vpc/{_SOURCE_VPC}"
        self.identity = _identity(request, vpc_arn)
        scheme = request.scheme or "https"
        domain = request.domain_name or (
            f"{_SERVICE_NAME}-{service_id.removeprefix('svc-')}.{c.short_hash(service_id, 7)}"
            f".vpc-lattice-svcs.{request.region}.on.aws"
        )
        pairs = [
            (name.lower(), value)
            for name, value in c.with_cookie_header(request.headers, request.cookies)
            if not name.lower().startswith(_SERVICE_HEADERS)
        ]
        pairs = c.integration_headers(
            request,
            pairs,
            domain=domain,
            port=request.port or (443 if scheme == "https" else 80),
            scheme=scheme,
            lower=True,
        )
        pairs += [
            ("x-amzn-source-vpc", _SOURCE_VPC),
            ("x-amzn-lattice-network", f"SourceVpcArn={vpc_arn}"),
            (
                "x-amzn-lattice-target",
                f"ServiceArn={self.service_arn};ServiceNetworkArn={self.service_network_arn};"
                f"TargetGroupArn={self.target_group_arn}",
            ),
        ]
        if self.identity["type"] == "AWS_IAM":
            fields = {
                "Principal": "principal",
                "PrincipalOrgID": "principalOrgID",
                "SessionName": "sessionName",
            }
            pairs.append(
                (
                    "x-amzn-lattice-identity",
                    ";".join(
                        f"{key}={self.identity[field]}"
                        for key, field in fields.items()
                        if field in self.identity
                    ),
                )
            )
        self.headers = pairs
        self.target = request.path + (f"?{request.query}" if request.query else "")
        self.query = c.multi(c.decoded_query(request.query))
        self.body = c.body_field(
            request.body, base64_encode=c.passed_as_base64(request.body, c.get_header(pairs, "content-type"))
        )


def _identity(request: EventRequest, vpc_arn: str) -> dict[str, Any]:
    """``requestContext.identity``: the source VPC, and the IAM caller when the service network authorises."""
    identity: dict[str, Any] = {"sourceVpcArn": vpc_arn, "type": "NONE"}
    if request.authorizer is None:
        return identity
    kind, value = request.authorizer
    if kind != "iam":
        raise ValueError("VPC Lattice authorises with IAM only (authorizer={'iam': {...}})")
    principal = str(value.get("userArn") or "")
    identity["type"] = "AWS_IAM"
    identity["principal"] = principal
    if value.get("principalOrgId"):
        identity["principalOrgID"] = str(value["principalOrgId"])
    if ":assumed-role/" in principal:
        identity["sessionName"] = principal.rpartition("/")[2]
    return identity

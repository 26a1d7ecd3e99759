"""Exceptions of the adapter: one public type for non-HTTP events, private ones for malformed input.

The contract items cited by number (``item 29``) are those of docs/ADAPTER-CONTRACT.md.
"""

from __future__ import annotations

from typing import Any

__all__ = ["BadEvent", "ResponseTooLarge", "UnsupportedEvent"]

_SOURCES = (
    "API Gateway (REST or HTTP API), an Application Load Balancer, a Lambda Function URL, "
    "VPC Lattice or a Lambda@Edge request trigger"
)


class UnsupportedEvent(Exception):
    """Raised for an event that is not an HTTP event of a known source.

    The message names what was received (the kind of event when it is a known look-alike, the event's
    top-level keys, or its type when it is not an object), never the values: events carry cookies and
    Authorization headers.
    """

    @classmethod
    def for_event(cls, event: Any) -> UnsupportedEvent:
        """Build the exception for ``event``, naming its kind, its keys (or its type)."""
        if isinstance(event, dict):
            keys = sorted(str(key) for key in event)
            shown = ", ".join(keys[:20]) + (", ..." if len(keys) > 20 else "")
            received = f"an object with keys [{shown}]" if keys else "an empty object"
            kind = _look_alike(event)
            if kind:
                received = f"{kind}, {received}"
        elif isinstance(event, list) and event and all(_is_appsync_resolver(item) for item in event):
            received = f"a list of {len(event)} AWS AppSync resolver events (a batch invoke)"
        else:
            received = f"a value of type {type(event).__name__}"
        return cls(f"Not an HTTP event from {_SOURCES}: received {received}.")


def _look_alike(event: dict[str, Any]) -> str:
    """Name the events that carry HTTP-like fields but are no request to answer (contract item 46)."""
    request_context = event.get("requestContext")
    if isinstance(request_context, dict) and "connectionId" in request_context:
        return "an API Gateway WebSocket event (requestContext.connectionId)"
    if "apiPath" in event and "httpMethod" in event:
        return "an Amazon Bedrock Agent action-group event (httpMethod and apiPath, no path)"
    if "actionGroup" in event and "function" in event:
        return "an Amazon Bedrock Agent function event (actionGroup and function)"
    if _is_appsync_resolver(event):
        return "an AWS AppSync resolver event (arguments and the field resolved)"
    info = event.get("info")
    if isinstance(info, dict) and "channel" in info and "operation" in info:
        return "an AWS AppSync Events event (info.channel)"
    if "authorizationToken" in event and "requestHeaders" in event:
        return "an AWS AppSync Lambda authorizer event (authorizationToken)"
    records = event.get("Records")
    if type(records) is list and records and isinstance(records[0], dict):
        cf = records[0].get("cf")
        if isinstance(cf, dict) and "response" in cf:
            return "a Lambda@Edge response trigger's event (Records[0].cf.response)"
    return ""


def _is_appsync_resolver(event: Any) -> bool:
    if not isinstance(event, dict) or "arguments" not in event:
        return False
    info = event.get("info")
    return "fieldName" in event or (isinstance(info, dict) and "fieldName" in info)


class BadEvent(Exception):
    """An HTTP event whose ``field`` is missing, null where required, of the wrong type or undecodable.

    ``status`` is the HTTP status of the answer: 400, or 413 for a body the service truncated.
    """

    def __init__(self, field: str, problem: str, status: int = 400) -> None:
        super().__init__(f"invalid event field {field!r}: {problem}")
        self.field = field
        self.problem = problem
        self.status = status


class ResponseTooLarge(Exception):
    """The proxy result would exceed the payload limit of Lambda (6 MB), of the load balancer (1 MB) or
    of Lambda@Edge (40 KB for a viewer request, 1 MB for an origin request)."""

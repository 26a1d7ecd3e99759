"""Lambda authorizers: the event API Gateway sends them, and what their answer means.

Events, as AWS documents them ("Input to an API Gateway Lambda authorizer", "Working with AWS Lambda
authorizers for HTTP APIs") and as Powertools' parser models describe them (``ApiGatewayAuthorizerToken``,
``ApiGatewayAuthorizerRequest``, ``ApiGatewayAuthorizerRequestV2``):

- REST ``TOKEN``: ``{"type": "TOKEN", "authorizationToken", "methodArn"}``;
- REST ``REQUEST``: the proxy event without its body, plus ``type`` and ``methodArn``;
- HTTP API format 1.0: the payload 1.0 event without its body, plus ``version``, ``type``, ``methodArn``,
  and ``identitySource``/``authorizationToken`` (the identity values joined with commas);
- HTTP API format 2.0: the payload 2.0 event without its body, plus ``type``, ``routeArn`` and
  ``identitySource`` (a list).

Answers: an IAM policy (``principalId``, ``policyDocument``, optional ``context``) evaluated against the
request's ARN (:mod:`.policy`), or, for an HTTP API with ``EnableSimpleResponses``, ``{"isAuthorized":
bool, "context": {...}}``. Anything else is the authorizer's failure: a 500.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from lambda_micro.local.exchange import GatewayRequest
from lambda_micro.local.sam.auth_model import LambdaAuthorizer

from .policy import PolicyError, statements

__all__ = ["Answer", "authorizer_event", "identity_values", "parse_answer"]

# Context variables an identity source may name, by payload: where each sits in the event.
_V2_CONTEXT = {"httpMethod": ("http", "method"), "sourceIp": ("http", "sourceIp"), "path": ("http", "path")}


def _context_value(name: str, event: Mapping[str, Any]) -> str | None:
    node: Any = event.get("requestContext") or {}
    path = _V2_CONTEXT.get(name) if "http" in node else None
    for part in path or name.split("."):
        node = node.get(part) if isinstance(node, Mapping) else None
    if node is None and name in ("sourceIp", "identity.sourceIp"):  # REST keeps it under identity
        node = (event.get("requestContext") or {}).get("identity", {}).get("sourceIp")
    return None if node is None or isinstance(node, Mapping | list) else str(node)


def identity_values(
    config: LambdaAuthorizer, request: GatewayRequest, event: Mapping[str, Any]
) -> list[str | None]:
    """The identity source values in SAM's order (headers, query strings, stage variables, context).

    A missing or empty value is ``None``: API Gateway then answers 401 without invoking the authorizer.
    """
    values: list[str | None] = [request.header(name) or None for name in config.identity.headers]
    query = parse_qsl(request.query, keep_blank_values=True)
    for name in config.identity.query_strings:
        values.append(next((value for key, value in query if key == name and value), None))
    variables = request.stage_variables or {}
    values.extend(variables.get(name) or None for name in config.identity.stage_variables)
    values.extend(_context_value(name, event) for name in config.identity.context)
    return values


def authorizer_event(
    config: LambdaAuthorizer, integration_event: Mapping[str, Any], values: Sequence[str], arn: str
) -> dict[str, Any]:
    """The event the authorizer receives; ``integration_event`` is the request in the authorizer's format."""
    if config.api_kind == "rest" and config.payload == "TOKEN":
        return {"type": "TOKEN", "authorizationToken": values[0] if values else "", "methodArn": arn}
    event = {key: value for key, value in integration_event.items() if key not in ("body", "isBase64Encoded")}
    context = dict(event.get("requestContext") or {})
    context.pop("authorizer", None)
    event["requestContext"] = context
    if config.api_kind == "rest":
        return {"type": "REQUEST", "methodArn": arn, **event}
    if config.payload_format_version == "1.0":
        joined = ",".join(values)
        event.pop("version", None)
        head = {"version": "1.0", "type": "REQUEST", "methodArn": arn}
        return {**head, "identitySource": joined, "authorizationToken": joined, **event}
    event.pop("version", None)
    return {"version": "2.0", "type": "REQUEST", "routeArn": arn, "identitySource": list(values), **event}


@dataclass(frozen=True)
class Answer:
    """An authorizer's answer: a policy document, or a simple response's verdict; and its context."""

    principal_id: str | None
    context: Mapping[str, Any]
    policy: Mapping[str, Any] | None = None
    authorized: bool | None = None  # a simple response


def parse_answer(config: LambdaAuthorizer, result: object) -> Answer:
    """Read the authorizer's result; :class:`PolicyError` when API Gateway would not accept it."""
    if not isinstance(result, Mapping):
        raise PolicyError(f"the authorizer returned {type(result).__name__}, not an object")
    context = result.get("context") or {}
    if not isinstance(context, Mapping):
        raise PolicyError(f"context must be an object, got {context!r}")
    principal = result.get("principalId")
    if config.simple_responses:
        authorized = result.get("isAuthorized")
        if not isinstance(authorized, bool):
            raise PolicyError(f"a simple response needs isAuthorized true or false, got {authorized!r}")
        return Answer(principal_id=None, context=context, authorized=authorized)
    if config.api_kind == "rest" and (not isinstance(principal, str) or not principal):
        raise PolicyError(f"principalId must be a non-empty string, got {principal!r}")
    if principal is not None and not isinstance(principal, str):
        raise PolicyError(f"principalId must be a string, got {principal!r}")
    policy = result.get("policyDocument")
    statements(policy)  # validates it
    assert isinstance(policy, Mapping)
    return Answer(principal_id=principal, context=context, policy=policy)

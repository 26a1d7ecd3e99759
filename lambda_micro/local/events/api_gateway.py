"""API Gateway's events: REST APIs (payload 1.0) and HTTP APIs (payload 1.0 and 2.0).

Each builder takes one :class:`~.request.EventRequest` and returns the event as AWS documents it, with a
full ``requestContext`` (request id, time, epoch, source IP, stage, domain, API id). A REST API
base64-encodes the request bodies whose Content-Type matches its ``BinaryMediaTypes``; an HTTP API every
body that is not text (:func:`._common.passed_as_base64`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import unquote

from lambda_micro.local.apigw import media_type_matches
from lambda_micro.local.routing import path_parameter_values

from . import _common as c
from .request import DEFAULT_API_ID, EventRequest

__all__ = ["http_v1_event", "http_v2_event", "rest_event", "v2_shape"]


def _domain(request: EventRequest) -> str:
    return (
        request.domain_name
        or f"{request.api_id or DEFAULT_API_ID}.execute-api.{request.region}.amazonaws.com"
    )


def _scheme_port(request: EventRequest) -> tuple[str, int]:
    scheme = request.scheme or "https"
    return scheme, request.port or (443 if scheme == "https" else 80)


def _path_parameters(request: EventRequest, *, decode: bool) -> Mapping[str, str] | None:
    if request.path_parameters is not None:
        return request.path_parameters or None
    if request.resource is None or request.resource == "$default":
        return None
    # Derived from the route with the gateway's own matcher (None when the path does not match): a REST API
    # keeps their percent-encoding, HTTP APIs and Function URLs decode them.
    return path_parameter_values(request.resource, request.path, decode=decode) or None


def _route_key(request: EventRequest) -> str:
    if request.route_key:
        return request.route_key
    return f"{request.method} {request.resource}" if request.resource else "$default"


def rest_event(request: EventRequest) -> dict[str, Any]:
    """A REST API's proxy event (payload 1.0)."""
    return _v1_event(request, rest=True)


def http_v1_event(request: EventRequest) -> dict[str, Any]:
    """An HTTP API's event with payload format 1.0."""
    return _v1_event(request, rest=False)


def _v1_event(request: EventRequest, *, rest: bool) -> dict[str, Any]:
    domain = _domain(request)
    scheme, port = _scheme_port(request)
    pairs = c.integration_headers(request, request.headers, domain=domain, port=port, scheme=scheme)
    content_type = c.get_header(pairs, "Content-Type")
    if rest:
        encode = media_type_matches(content_type, request.binary_media_types)
    else:
        encode = c.passed_as_base64(request.body, content_type)
    body, is_base64 = c.body_field(request.body, base64_encode=encode)
    multi_headers = c.multi(c.with_cookie_header(pairs, request.cookies))
    # A REST API keeps the last value of a repeated header or parameter; an HTTP API (payload 1.0) joins them
    # with commas, as in AWS's examples ("header2": "value1,value2").
    if rest:
        single_headers = {name: values[-1] for name, values in multi_headers.items()}
    else:
        single_headers = {name: ",".join(values) for name, values in multi_headers.items()}
    stage = request.stage
    if rest:
        in_path = request.stage_in_path
        if in_path is None:
            in_path = ".execute-api." in domain.split(":", 1)[0]
        stage_prefix = f"/{stage}" if stage != "$default" and in_path else ""
    else:
        stage_prefix = f"/{stage}" if stage != "$default" else ""
    # The event's ``path`` excludes the stage on a REST API and stays percent-encoded; an HTTP API forwards
    # the stage-prefixed path, decoded (as in payload 2.0's ``rawPath``).
    event_path = request.path if rest else stage_prefix + unquote(request.path)
    multi_query = c.multi(c.decoded_query(request.query))
    api_id = request.api_id or domain.split(".", 1)[0]
    identity: dict[str, Any] = {
        "cognitoIdentityPoolId": None,
        "accountId": None,
        "cognitoIdentityId": None,
        "caller": None,
        "sourceIp": request.source_ip,
        "principalOrgId": None,
        "accessKey": None,
        "cognitoAuthenticationType": None,
        "cognitoAuthenticationProvider": None,
        "userArn": None,
        "userAgent": c.get_header(pairs, "User-Agent") or "",
        "user": None,
    }
    if not rest:
        identity["apiKey"] = None
        identity["apiKeyId"] = None
    elif request.api_key is not None:
        identity["apiKey"], identity["apiKeyId"] = request.api_key
    authorizer = _v1_authorizer(request, identity, rest=rest)
    resource_path = request.resource or unquote(request.path)
    request_context: dict[str, Any] = {
        "resourceId": c.short_hash(resource_path) if rest else None,
        "resourcePath": resource_path,
        "httpMethod": request.method,
        "extendedRequestId": c.extended_id(request.request_id),
        "requestTime": c.clf_time(request.time),
        "path": stage_prefix + request.path if rest else event_path,
        "accountId": request.account_id,
        "protocol": request.protocol,
        "stage": stage,
        "domainPrefix": domain.split(".", 1)[0],
        "requestTimeEpoch": c.epoch_ms(request.time),
        "requestId": request.request_id,
        "identity": identity,
        "domainName": domain,
        "apiId": api_id,
    }
    if rest:
        request_context["deploymentId"] = c.short_hash(api_id)
    else:
        request_context["routeKey"] = _route_key(request)
    if authorizer is not None:
        request_context["authorizer"] = authorizer
    path_parameters = _path_parameters(request, decode=not rest)
    event: dict[str, Any] = {} if rest else {"version": "1.0"}
    event.update(
        {
            "resource": resource_path,
            "path": event_path,
            "httpMethod": request.method,
            "headers": single_headers,
            "multiValueHeaders": multi_headers,
            "queryStringParameters": {
                name: values[-1] if rest else ",".join(values) for name, values in multi_query.items()
            }
            or None,
            "multiValueQueryStringParameters": multi_query or None,
            "pathParameters": dict(path_parameters) if path_parameters else None,
            "stageVariables": dict(request.stage_variables) if request.stage_variables else None,
            "requestContext": request_context,
            "body": body,
            "isBase64Encoded": is_base64,
        }
    )
    return event


def _v1_authorizer(request: EventRequest, identity: dict[str, Any], *, rest: bool) -> dict[str, Any] | None:
    if request.authorizer is None:
        return None
    kind, value = request.authorizer
    if kind == "claims":
        authorizer: dict[str, Any] = {"claims": dict(value)}
        if not rest:
            authorizer["scopes"] = None
        return authorizer
    if kind == "jwt":
        return {"claims": dict(value.get("claims") or {}), "scopes": value.get("scopes")}
    if kind == "lambda":
        if not rest:
            return {"lambda": dict(value)}
        context = dict(value)
        principal = str(context.pop("principalId", "user"))
        authorizer = {"principalId": principal, "integrationLatency": context.pop("integrationLatency", 0)}
        authorizer.update(context)
        return authorizer
    # iam: API Gateway fills the caller into the identity
    identity.update(
        {
            "accessKey": value.get("accessKey"),
            "accountId": value.get("accountId"),
            "caller": value.get("callerId"),
            "user": value.get("userId"),
            "userArn": value.get("userArn"),
        }
    )
    return None


def http_v2_event(request: EventRequest) -> dict[str, Any]:
    """An HTTP API's event with payload format 2.0."""
    return v2_shape(request, domain=_domain(request), is_url=False)


def v2_shape(request: EventRequest, *, domain: str, is_url: bool) -> dict[str, Any]:
    """The payload 2.0 shape, shared by HTTP APIs and Function URLs (``is_url``)."""
    scheme, port = _scheme_port(request)
    pairs = c.integration_headers(request, request.headers, domain=domain, port=port, scheme=scheme)
    body, is_base64 = c.body_field(
        request.body, base64_encode=c.passed_as_base64(request.body, c.get_header(pairs, "Content-Type"))
    )
    # Payload 2.0 lower-cases header names, joins repeats with commas and moves Cookie into ``cookies``.
    headers: dict[str, str] = {}
    cookie_values: list[str] = []
    for name, value in pairs:
        lowered = name.lower()
        if lowered == "cookie":
            cookie_values.extend(part.strip() for part in value.split(";") if part.strip())
            continue
        headers[lowered] = f"{headers[lowered]},{value}" if lowered in headers else value
    cookie_values.extend(request.cookies)
    # An HTTP API's path arrives decoded; a Function URL's as sent.
    raw_path = request.path if is_url else unquote(request.path)
    stage = "$default" if is_url else request.stage
    if stage != "$default":
        raw_path = f"/{stage}{raw_path}"
    route_key = (request.route_key or "$default") if is_url else _route_key(request)
    request_context: dict[str, Any] = {
        "accountId": request.account_id if not is_url or request.authorizer is not None else "anonymous",
        "apiId": request.api_id or domain.split(".", 1)[0],
        "domainName": domain,
        "domainPrefix": domain.split(".", 1)[0],
        "http": {
            "method": request.method,
            "path": raw_path,
            "protocol": request.protocol,
            "sourceIp": request.source_ip,
            "userAgent": c.get_header(pairs, "User-Agent") or "",
        },
        "requestId": request.request_id,
        "routeKey": route_key,
        "stage": stage,
        "time": c.clf_time(request.time),
        "timeEpoch": c.epoch_ms(request.time),
    }
    authorizer = _v2_authorizer(request, is_url=is_url)
    if authorizer is not None:
        request_context["authorizer"] = authorizer
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": route_key,
        "rawPath": raw_path,
        "rawQueryString": request.query,
    }
    if cookie_values:
        event["cookies"] = cookie_values
    event["headers"] = headers
    query_pairs = c.decoded_query(request.query)
    if query_pairs:
        event["queryStringParameters"] = {
            name: ",".join(values) for name, values in c.multi(query_pairs).items()
        }
    event["requestContext"] = request_context
    path_parameters = _path_parameters(request, decode=True)
    if path_parameters:
        event["pathParameters"] = dict(path_parameters)
    if request.stage_variables:
        event["stageVariables"] = dict(request.stage_variables)
    if body is not None:
        event["body"] = body
    event["isBase64Encoded"] = is_base64
    return event


def _v2_authorizer(request: EventRequest, *, is_url: bool) -> dict[str, Any] | None:
    if request.authorizer is None:
        return None
    kind, value = request.authorizer
    if is_url and kind != "iam":
        raise ValueError("a Function URL only has IAM authorization (authorizer={'iam': {...}})")
    if kind == "claims":
        return {"jwt": {"claims": dict(value), "scopes": None}}
    if kind == "jwt":
        return {"jwt": {"claims": dict(value.get("claims") or {}), "scopes": value.get("scopes")}}
    if kind == "lambda":
        return {"lambda": dict(value)}
    return {"iam": dict(value)}

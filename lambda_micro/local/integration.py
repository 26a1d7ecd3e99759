"""Route → event: the one function that turns a matched request into the event its route's source sends."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from lambda_micro.adapter.infer import EDGE

from .events import EventRequest, event_for
from .events.authorizers import authorizer_kind
from .exchange import GatewayRequest
from .routing import Match, Miss, RouteTable
from .sam import SamTemplate

__all__ = ["function_event", "request_event"]

#: Request headers API Gateway does not forward: the connection's own, and the ones it sets itself.
_NOT_FORWARDED = frozenset(
    {"connection", "keep-alive", "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade",
     "x-forwarded-proto", "x-forwarded-port", "x-forwarded-for", "content-length"}
)  # fmt: skip


def _forwarded_headers(request: GatewayRequest, source: str) -> tuple[tuple[str, str], ...]:
    """The request's headers as API Gateway forwards them: the client's IP appended to ``X-Forwarded-For``.

    A client's ``X-Forwarded-Proto``/``-Port`` are replaced (the event builder adds the real ones) and
    hop-by-hop headers stay with the connection: the body reaches the function whole, so a
    ``Transfer-Encoding: chunked`` would only mislead the app into reading nothing. CloudFront shows a
    viewer request's ``X-Forwarded-For`` as the viewer sent it (the Lambda@Edge builder adds the client's
    IP where CloudFront does, on an origin request).
    """
    headers = [(k, v) for k, v in request.headers if k.lower() not in _NOT_FORWARDED]
    forwarded_for = [v for k, v in request.headers if k.lower() == "x-forwarded-for"]
    if source == EDGE:
        headers += [("X-Forwarded-For", value) for value in forwarded_for]
    else:
        headers.append(("X-Forwarded-For", ", ".join([*forwarded_for, request.client_address])))
    return tuple(headers)


def request_event(
    request: GatewayRequest,
    match: Match,
    request_id: str,
    *,
    region: str = "us-east-1",
    authorizer: tuple[str, Mapping[str, Any]] | None = None,
    api_key: tuple[str, str] | None = None,
    source: str | None = None,
) -> dict[str, Any]:
    """The event the matched route's source sends for ``request``: the one ``route → event`` function.

    ``authorizer`` is what the route's authorizer granted (``(kind, value)``; default: the request's own
    ``authorizer=`` block), ``api_key`` the request's API key ``(value, id)``, ``source`` another payload
    format than the route's (a Lambda authorizer's input).
    """
    route = match.route
    source = source or route.source
    host = request.header("Host")
    domain_name = host.rsplit(":", 1)[0] if host and not host.endswith("]") else host
    event_request = EventRequest(
        method=request.method.upper(),
        path=match.path,
        query=request.query,
        headers=_forwarded_headers(request, source),
        body=request.body or None,  # no body is null in the event, as API Gateway sends it
        source=source,  # type: ignore[arg-type]  # RouteLike keeps the protocol loose
        stage=route.stage,
        # Under the stage prefix the request is on the API's own URL; otherwise the host says.
        stage_in_path=True if match.stage_prefix else None,
        resource=match.resource,
        path_parameters=match.path_parameters if not match.catch_all else None,
        route_key=match.route_key,
        authorizer=authorizer if authorizer is not None else authorizer_kind(request.authorizer),
        api_key=api_key,
        source_ip=request.client_address,
        domain_name=domain_name,
        binary_media_types=tuple(getattr(route, "binary_media_types", ())),
        stage_variables=request.stage_variables,
        request_id=request_id,
        api_id=getattr(route, "physical_api_id", None),
        region=region,
        scheme=request.scheme,
        port=request.port,
        protocol=request.protocol,
        multi_value_headers=bool(getattr(route, "multi_value_headers", False)),
        edge_trigger=getattr(route, "edge_trigger", "viewer-request"),
        include_body=bool(getattr(route, "include_body", True)),
    )
    return event_for(event_request)


def function_event(
    template: SamTemplate,
    function_id: str,
    request: GatewayRequest | None = None,
) -> dict[str, Any]:
    """The event ``function_id`` receives for ``request`` through its own routes, as API Gateway sends it.

    Without ``request``: a GET to the function's first GET (or ANY) route, path parameters filled with
    their names (``/posts/{slug}`` → ``/posts/slug``). The event uses the API's ``execute-api`` host.
    Raises ``ValueError`` when the function has no API route or none of its routes matches ``request``.
    """
    function = template.function(function_id)
    if not function.routes:
        raise ValueError(f"{function_id} has no Api or HttpApi event; pass an event with --event")
    if request is None:
        route = next((r for r in function.routes if r.method.upper() in ("GET", "ANY")), function.routes[0])
        method = "GET" if route.method.upper() in ("GET", "ANY") else route.method.upper()
        if route.is_default_route:
            path = "/"
        else:
            segments = [s[1:-1].rstrip("+") if s.startswith("{") else s for s in route.path.split("/")]
            path = "/".join(segments) or "/"
        request = GatewayRequest(method, path, headers=(("Accept", "*/*"), ("User-Agent", "lambda-micro")))
    outcome = RouteTable(function.routes).match(request.method, request.path)
    if isinstance(outcome, Miss):
        routes = ", ".join(f"{r.method} {r.path}" for r in function.routes)
        raise ValueError(
            f"{function_id} has no route for {request.method} {request.path} (its routes: {routes})"
        )
    if request.header("Host") is None:
        api_id = getattr(outcome.route, "physical_api_id", None) or "a1b2c3d4e5"
        host = f"{api_id}.execute-api.{template.region}.amazonaws.com"
        request = replace(request, headers=(("Host", host), *request.headers))
    return request_event(request, outcome, str(uuid.uuid4()), region=template.region)

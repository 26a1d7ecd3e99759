"""Events and a Lambda context for the benchmark (runs inside the benchmark virtualenv).

The project's own event builder (``lambda_micro.testing.build_event``) is used when it is importable;
otherwise the realistic samples in bench/events/ (full requestContext) are filled in here. Either way
every stack gets the same event for a (payload format, route), except Chalice, whose REST events name the
route's own API Gateway resource (``/users/{user_id}``): ``chalice deploy`` creates one resource per route.
"""

from __future__ import annotations

import copy
import importlib
import json
import os
import uuid
from typing import Any, NamedTuple
from urllib.parse import quote

EVENTS_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "events")
_SAMPLES = {"1.0": "rest-1.0.json", "2.0": "http-2.0.json", "alb": "alb.json"}

ECHO_DOCUMENT = {
    "id": "0f8fad5b-d9cb-469f-a165-70867728950e",
    "kind": "order",
    "items": [
        {"sku": f"SKU-{i:04d}", "name": f"Item number {i}", "quantity": i % 5 + 1, "price": 9.5 + i}
        for i in range(12)
    ],
    "note": "Leave at the door, please.",
}
ECHO_BODY = json.dumps(ECHO_DOCUMENT)

# Sent with every request (on top of what API Gateway / the load balancer add themselves).
_BROWSER_HEADERS = {
    "Accept": "*/*",
    "Accept-Encoding": "gzip, deflate, br",
    "User-Agent": "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
}

# route -> (method, path, query, body, REST resource template for per-route resources, path parameters)
REQUESTS: dict[str, tuple[str, str, dict[str, str], str | None, str, dict[str, str] | None]] = {
    "hello": ("GET", "/", {}, None, "/", None),
    "user": ("GET", "/users/42", {"verbose": "1"}, None, "/users/{user_id}", {"user_id": "42"}),
    "echo": ("POST", "/echo", {}, ECHO_BODY, "/echo", None),
    "page": ("GET", "/page/alice", {}, None, "/page/{name}", {"name": "alice"}),
    "bin": ("GET", "/bin", {}, None, "/bin", None),
    "missing": ("GET", "/missing", {}, None, "/{proxy+}", {"proxy": "missing"}),
}


class LambdaContext:
    """The attributes and method the Lambda Python runtime's context object has."""

    function_name = "bench-function"
    function_version = "$LATEST"
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:bench-function"
    memory_limit_in_mb = "512"
    log_group_name = "/aws/lambda/bench-function"
    log_stream_name = "2026/11/24/[$LATEST]0123456789abcdef0123456789abcdef"
    identity = None
    client_context = None

    def __init__(self) -> None:
        self.aws_request_id = str(uuid.UUID(int=0x123456789ABCDEF))

    def get_remaining_time_in_millis(self) -> int:
        return 30_000


def _proxy(path: str) -> tuple[str, dict[str, str] | None]:
    # A SAM function behind `/{proxy+}` (plus `/` for the root), the usual deployment of a WSGI app.
    if path == "/":
        return "/", None
    return "/{proxy+}", {"proxy": path[1:]}


class Request(NamedTuple):
    """One HTTP request, as the event of a payload format ``source`` carries it."""

    source: str
    method: str
    path: str
    query: dict[str, str]
    body: str | None
    headers: dict[str, str]
    resource: str
    path_parameters: dict[str, str] | None


def _from_sample(request: Request) -> dict[str, Any]:
    source, method, path, query, body, headers, resource, path_parameters = request
    with open(os.path.join(EVENTS_DIR, _SAMPLES[source]), encoding="utf-8") as sample:
        event: dict[str, Any] = json.load(sample)
    raw_query = "&".join(f"{quote(k)}={quote(v)}" for k, v in query.items())
    if source == "2.0":
        event["rawPath"] = path
        event["rawQueryString"] = raw_query
        event["headers"].update({k.lower(): v for k, v in headers.items()})
        if body is not None:
            event["headers"]["content-length"] = str(len(body.encode()))
            event["body"] = body
        if query:
            event["queryStringParameters"] = dict(query)
        event["requestContext"]["http"]["method"] = method
        event["requestContext"]["http"]["path"] = path
        return event
    if source == "alb":
        event["httpMethod"] = method
        event["path"] = path
        # ALB passes query values as they came on the wire (still percent-encoded).
        event["queryStringParameters"] = {quote(k): quote(v) for k, v in query.items()}
        event["headers"].update({k.lower(): v for k, v in headers.items()})
        if body is not None:
            event["headers"]["content-length"] = str(len(body.encode()))
            event["body"] = body
        return event
    event["resource"] = resource
    event["path"] = path
    event["httpMethod"] = method
    event["headers"].update(headers)
    event["multiValueHeaders"].update({k: [v] for k, v in headers.items()})
    if body is not None:
        event["body"] = body
    if query:
        event["queryStringParameters"] = dict(query)
        event["multiValueQueryStringParameters"] = {k: [v] for k, v in query.items()}
    event["pathParameters"] = path_parameters
    context = event["requestContext"]
    context["resourcePath"] = resource
    context["httpMethod"] = method
    context["path"] = f"/{context['stage']}{path}"
    return event


def _from_kit(build_event: Any, request: Request) -> dict[str, Any]:
    kwargs: dict[str, Any] = {
        "payload": request.source,
        "query": request.query or None,
        "headers": request.headers,
        "body": request.body,
    }
    if request.source == "1.0":
        kwargs.update(resource=request.resource, path_parameters=request.path_parameters, stage="Prod")
    event: dict[str, Any] = build_event(request.method, request.path, **kwargs)
    return event


def _kit_builder() -> Any:
    for module_name in ("lambda_micro.testing", "lambda_micro.local.events"):
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            continue
        build_event = getattr(module, "build_event", None)
        if callable(build_event):
            return build_event
    return None


def build_events(builder: str = "auto") -> tuple[str, dict[str, dict[str, dict[str, dict[str, Any]]]]]:
    """Every event the benchmark sends: ``{resources: {source: {route: event}}}``.

    ``resources`` is ``proxy`` (a `/{proxy+}` resource, what SAM deploys for a WSGI app) or ``per-route``
    (Chalice). Returns the name of the builder used and the events.
    """
    kit = _kit_builder() if builder in {"auto", "kit"} else None
    if builder == "kit" and kit is None:
        raise RuntimeError("lambda_micro.testing.build_event is not available")
    used = "the project's event builder (build_event)" if kit is not None else "bench/events/*.json samples"
    events: dict[str, dict[str, dict[str, dict[str, Any]]]] = {}
    for resources in ("proxy", "per-route"):
        by_source: dict[str, dict[str, dict[str, Any]]] = {}
        for source in _SAMPLES:
            by_route: dict[str, dict[str, Any]] = {}
            for route, (method, path, query, body, route_resource, route_params) in REQUESTS.items():
                headers = dict(_BROWSER_HEADERS)
                if body is not None:
                    headers["Content-Type"] = "application/json"
                if resources == "per-route":
                    resource, path_parameters = route_resource, route_params
                else:
                    resource, path_parameters = _proxy(path)
                request = Request(source, method, path, query, body, headers, resource, path_parameters)
                by_route[route] = _from_kit(kit, request) if kit is not None else _from_sample(request)
            by_source[source] = by_route
        events[resources] = by_source
    return used, copy.deepcopy(events)

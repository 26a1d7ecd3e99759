"""From a request, the event: one builder per source, and ``build_event`` for hand-written requests."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, Final
from urllib.parse import quote, urlencode

from lambda_micro.adapter.infer import (
    ALB,
    EDGE,
    HTTP_V1,
    HTTP_V2,
    LATTICE_V1,
    LATTICE_V2,
    REST,
    SOURCES,
    URL,
    Source,
)

from .alb import alb_event
from .api_gateway import http_v1_event, http_v2_event, rest_event
from .authorizers import authorizer_kind
from .edge import edge_event
from .function_url import function_url_event
from .lattice import lattice_v1_event, lattice_v2_event
from .request import DEFAULT_ACCOUNT_ID, DEFAULT_REGION, EventRequest

__all__ = [
    "BUILDERS",
    "PAYLOADS",
    "CookiesArg",
    "HeadersArg",
    "QueryArg",
    "build_event",
    "default_stage",
    "edge_trigger_for",
    "encode_path",
    "event_for",
    "source_for_payload",
]

#: The ``payload=`` spellings of the test kit: shorthand for a source (see :func:`source_for_payload`).
PAYLOADS: Final = (
    "1.0",
    "2.0",
    "alb",
    "alb-multi",
    "url",
    "lattice-1.0",
    "lattice-2.0",
    "edge",
    "edge-origin",
)
# The sources without stages (no ``stage=``): everything but API Gateway's.
_STAGELESS: Final = frozenset((LATTICE_V1, LATTICE_V2, EDGE))

QueryArg = str | Mapping[str, str | Sequence[str]] | Sequence[tuple[str, str]] | None
HeadersArg = Mapping[str, str] | Iterable[tuple[str, str]] | None
CookiesArg = Mapping[str, str] | Sequence[str] | None

#: One builder per event source (the adapter's vocabulary, :data:`lambda_micro.adapter.infer.SOURCES`).
BUILDERS: Final[Mapping[Source, Callable[[EventRequest], dict[str, Any]]]] = {
    REST: rest_event,
    HTTP_V1: http_v1_event,
    HTTP_V2: http_v2_event,
    URL: function_url_event,
    ALB: alb_event,
    LATTICE_V1: lattice_v1_event,
    LATTICE_V2: lattice_v2_event,
    EDGE: edge_event,
}

# What a browser leaves unescaped in a path; "%" stays so that an already-encoded path is kept as is.
_PATH_SAFE: Final = "/%:@!$&'()*+,;=-._~"


def event_for(request: EventRequest) -> dict[str, Any]:
    """The event ``request.source`` sends to Lambda for ``request``."""
    builder = BUILDERS.get(request.source)
    if builder is None:
        raise ValueError(f"no event builder for source {request.source!r}; sources: {', '.join(BUILDERS)}")
    return builder(request)


def source_for_payload(
    payload: str, *, stage: str | None = None, api_kind: str | None = None
) -> tuple[Source, bool]:
    """``(source, multi_value_headers)`` for a ``payload=`` spelling, or a source name given as is.

    ``"1.0"`` is a REST API, or an HTTP API on payload 1.0 with ``api_kind="http"`` or stage ``$default``;
    ``"2.0"`` an HTTP API; ``"alb"``/``"alb-multi"`` a load balancer without/with multi-value headers;
    ``"url"`` a Function URL; ``"lattice-1.0"``/``"lattice-2.0"`` a VPC Lattice target group (event structure
    version 1 or 2); ``"edge"``/``"edge-origin"`` a Lambda@Edge viewer-request/origin-request trigger
    (:func:`edge_trigger_for`). VPC Lattice and CloudFront have no stages: a named ``stage`` is a
    ``ValueError``.
    """
    source, multi_value = _source_for_payload(payload, stage=stage, api_kind=api_kind)
    if source in _STAGELESS and stage not in (None, "$default"):
        what = "a Lambda@Edge trigger" if source == EDGE else "a VPC Lattice target group"
        raise ValueError(f"{what} has no stages (got stage={stage!r})")
    return source, multi_value


def edge_trigger_for(payload: str) -> str:
    """The Lambda@Edge trigger of a ``payload=`` spelling: ``"edge-origin"`` is an origin request."""
    return "origin-request" if payload == "edge-origin" else "viewer-request"


def _source_for_payload(payload: str, *, stage: str | None, api_kind: str | None) -> tuple[Source, bool]:
    if payload == "1.0":
        if api_kind not in (None, "rest", "http"):
            raise ValueError(f"api_kind must be 'rest' or 'http', got {api_kind!r}")
        http = api_kind == "http" or (api_kind is None and stage == "$default")
        return (HTTP_V1 if http else REST), False
    if payload == "2.0":
        return HTTP_V2, False
    if payload == "alb-multi":
        return ALB, True
    if payload == "edge-origin":
        return EDGE, False
    if payload in SOURCES:
        return payload, False
    raise ValueError(
        f"unknown payload {payload!r}; use one of {', '.join(PAYLOADS)} (or a source: {', '.join(SOURCES)})"
    )


def default_stage(source: Source) -> str:
    """A REST API's implicit stage is ``Prod``; every other source has ``$default``."""
    return "Prod" if source == REST else "$default"


def encode_path(path: str) -> str:
    """The path as it travels on the wire: non-ASCII and unsafe characters percent-encoded, escapes kept."""
    return quote(path if path.startswith("/") else "/" + path, safe=_PATH_SAFE)


def raw_query(query: QueryArg, path_query: str | None) -> str:
    if query is None:
        query = path_query or ""
    if isinstance(query, str):
        return query.lstrip("?")
    items = query.items() if isinstance(query, Mapping) else query
    pairs: list[tuple[str, str]] = []
    for name, value in items:
        values = [value] if isinstance(value, str) else list(value)
        pairs.extend((str(name), str(item)) for item in values)
    return urlencode(pairs, quote_via=quote, safe="")


def header_pairs(headers: HeadersArg) -> tuple[tuple[str, str], ...]:
    """Headers as ``(name, value)`` pairs; a ``TypeError`` names a pair that is not two strings."""
    if headers is None:
        return ()
    items = headers.items() if isinstance(headers, Mapping) else headers
    pairs = []
    for name, value in items:
        if not isinstance(name, str) or not isinstance(value, str):
            raise TypeError(f"header names and values must be str, got {name!r}: {value!r}")
        pairs.append((name, value))
    return tuple(pairs)


def cookie_strings(cookies: CookiesArg) -> tuple[str, ...]:
    """``name=value`` strings from a mapping or a list."""
    if cookies is None:
        return ()
    if isinstance(cookies, Mapping):
        return tuple(f"{name}={value}" for name, value in cookies.items())
    return tuple(str(cookie) for cookie in cookies)


def _timestamp(now: datetime | float | None) -> datetime:
    if now is None:
        return datetime.now(UTC)
    if isinstance(now, datetime):
        return now if now.tzinfo is not None else now.replace(tzinfo=UTC)
    return datetime.fromtimestamp(now, UTC)


def build_event(
    method: str,
    path: str,
    *,
    payload: str = "2.0",
    query: QueryArg = None,
    headers: HeadersArg = None,
    body: bytes | str | None = None,
    cookies: CookiesArg = None,
    stage: str | None = None,
    resource: str | None = None,
    path_parameters: Mapping[str, str] | None = None,
    route_key: str | None = None,
    authorizer: Mapping[str, Any] | None = None,
    source_ip: str = "127.0.0.1",
    domain_name: str | None = None,
    binary_media_types: Iterable[str] = (),
    stage_variables: Mapping[str, str] | None = None,
    request_id: str | None = None,
    now: datetime | float | None = None,
    api_kind: str | None = None,
    api_id: str | None = None,
    region: str = DEFAULT_REGION,
    account_id: str = DEFAULT_ACCOUNT_ID,
    scheme: str | None = None,
    port: int | None = None,
    protocol: str = "HTTP/1.1",
    include_body: bool = True,
) -> dict[str, Any]:
    """The Lambda event for one hand-written HTTP request: a convenience over :func:`event_for`.

    ``payload`` is a :data:`PAYLOADS` spelling or a source (``"rest"``, ``"http-1.0"``, ``"http-2.0"``,
    ``"url"``, ``"alb"``, ``"lattice-1.0"``, ``"lattice-2.0"``, ``"edge"``; see :func:`source_for_payload`).
    ``path`` is the request path as a client sends it (``/posts/caf%C3%A9`` or ``/posts/café``; a ``?query``
    suffix is used when ``query`` is not given).
    ``query`` is a raw query string, a mapping whose values are strings or lists of strings, or a list of
    pairs. ``headers`` is a mapping or a list of pairs (repeats allowed). ``stage`` defaults to ``"Prod"``
    for a REST API and ``"$default"`` otherwise. ``resource``, ``path_parameters`` and ``route_key``
    describe the matched route (the gateway knows it). ``domain_name`` defaults to the API's
    ``execute-api`` host (or the Function URL's host); on that host a REST event's ``requestContext.path``
    starts with ``/{stage}``. ``now`` fixes the request time. ``include_body`` is a Lambda@Edge trigger's
    "include body" option (off: the event has no ``body``; CloudFront's own default is off, the kit's on so
    that a function reading bodies sees them). For VPC Lattice ``api_id`` is the service's id; for
    Lambda@Edge the distribution's, and ``domain_name`` the Host the viewer used.
    """
    source, multi_value = source_for_payload(payload, stage=stage, api_kind=api_kind)
    raw_path, has_query, path_query = path.partition("?")
    data = body.encode("utf-8") if isinstance(body, str) else (bytes(body) if body is not None else None)
    request = EventRequest(
        method=method.upper(),
        path=encode_path(raw_path),
        query=raw_query(query, path_query if has_query else None),
        headers=header_pairs(headers),
        body=data,
        cookies=cookie_strings(cookies),
        source=source,
        stage="$default" if source == URL else (stage or default_stage(source)),
        resource=resource,
        path_parameters=path_parameters,
        route_key=route_key,
        authorizer=authorizer_kind(authorizer),
        source_ip=source_ip,
        domain_name=domain_name,
        binary_media_types=tuple(binary_media_types),
        stage_variables=stage_variables,
        request_id=request_id or str(uuid.uuid4()),
        time=_timestamp(now),
        api_id=api_id,
        region=region,
        account_id=account_id,
        scheme=scheme,
        port=port,
        protocol=protocol,
        multi_value_headers=multi_value,
        edge_trigger=edge_trigger_for(payload),
        include_body=include_body,
    )
    return event_for(request)

"""Check a handler's result the way its event source would, and decode it.

API Gateway answers ``502 Bad Gateway`` ("Malformed Lambda proxy response") for a REST result with an
unknown key, a non-integer ``statusCode``, a non-string ``body`` or bad base64; an ALB, a Function URL and
VPC Lattice have their own rules, and CloudFront validates a Lambda@Edge function's response object (a
string ``status``, ``{"key", "value"}`` header lists, ``bodyEncoding``, no header it refuses, its size
limit per trigger) and answers 502 otherwise. That surfaces only in production unless the tests check it.
:func:`parse_result` raises :class:`InvalidResult` (an ``AssertionError``, so pytest shows it as a failed
check) naming the problem, and otherwise returns the HTTP response the client would get.
"""

from __future__ import annotations

import binascii
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from lambda_micro.adapter.edge import _dropped as _cloudfront_refuses
from lambda_micro.adapter.infer import ALB, EDGE, HTTP_V2, LATTICE_V1, LATTICE_V2, URL
from lambda_micro.adapter.result import EDGE_ORIGIN_LIMIT, EDGE_VIEWER_LIMIT

from .events import edge_trigger_for, source_for_payload

__all__ = ["HttpResult", "InvalidResult", "parse_result"]

_REST_KEYS: Final = frozenset({"statusCode", "headers", "multiValueHeaders", "body", "isBase64Encoded"})
_ALB_KEYS: Final = _REST_KEYS | {"statusDescription"}
_V2_KEYS: Final = frozenset({"statusCode", "headers", "cookies", "body", "isBase64Encoded"})
# VPC Lattice's documented response: one string per header, no multi-value map.
_LATTICE_KEYS: Final = _ALB_KEYS - {"multiValueHeaders"}
# CloudFront's response object for a generated response.
_EDGE_KEYS: Final = frozenset({"status", "statusDescription", "headers", "body", "bodyEncoding"})
_EDGE_LIMITS: Final = {"edge": EDGE_VIEWER_LIMIT, "edge-origin": EDGE_ORIGIN_LIMIT}


class InvalidResult(AssertionError):
    """A handler result the event source would reject (API Gateway answers 502 for it)."""


@dataclass(frozen=True)
class HttpResult:
    """The HTTP response a client receives for a valid result."""

    status: int
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""
    is_base64_encoded: bool = False

    def header(self, name: str) -> str | None:
        """The first value of header ``name`` (case-insensitive), or None."""
        lowered = name.lower()
        return next((value for key, value in self.headers if key.lower() == lowered), None)


def _fail(payload: str, message: str) -> InvalidResult:
    source = {
        "1.0": "API Gateway (payload 1.0)",
        "2.0": "API Gateway HTTP API (payload 2.0)",
        "url": "the Function URL",
        "alb": "the load balancer",
        "alb-multi": "the load balancer",
        "lattice-1.0": "VPC Lattice",
        "lattice-2.0": "VPC Lattice",
        "edge": "CloudFront (viewer request)",
        "edge-origin": "CloudFront (origin request)",
    }[payload]
    return InvalidResult(f"invalid Lambda result, {source} would reject it: {message}")


def _status(result: Mapping[str, Any], payload: str) -> int:
    if "statusCode" not in result:
        raise _fail(payload, "statusCode is missing")
    status = result["statusCode"]
    if isinstance(status, bool) or not isinstance(status, int):
        raise _fail(payload, f"statusCode must be an int, got {type(status).__name__} {status!r}")
    if not 100 <= status <= 599:
        raise _fail(payload, f"statusCode {status} is not an HTTP status (100-599)")
    return status


def _headers(result: Mapping[str, Any], payload: str, *, multi_allowed: bool) -> list[tuple[str, str]]:
    headers = result.get("headers")
    multi = result.get("multiValueHeaders") if multi_allowed else None
    pairs: list[tuple[str, str]] = []
    if headers is not None:
        if not isinstance(headers, Mapping):
            raise _fail(payload, f"headers must be an object, got {type(headers).__name__}")
        for name, value in headers.items():
            if not isinstance(value, str):
                raise _fail(
                    payload, f"header {name!r} must be a string, got {type(value).__name__} {value!r}"
                )
    if multi is not None:
        if not isinstance(multi, Mapping):
            raise _fail(payload, f"multiValueHeaders must be an object, got {type(multi).__name__}")
        for name, values in multi.items():
            if not isinstance(values, list) or not all(isinstance(value, str) for value in values):
                raise _fail(payload, f"multiValueHeaders[{name!r}] must be a list of strings, got {values!r}")
    # API Gateway merges both maps; for a name in both, the multi-value list wins.
    multi_names = {name.lower() for name in (multi or {})}
    for name, value in (headers or {}).items():
        if name.lower() not in multi_names:
            pairs.append((name, value))
    for name, values in (multi or {}).items():
        pairs.extend((name, value) for value in values)
    _check_latin1(pairs, payload)
    return pairs


def _check_keys(result: Mapping[str, Any], allowed: frozenset[str], payload: str) -> None:
    unknown = sorted(set(result) - allowed)
    if unknown:
        raise _fail(
            payload,
            f"unknown key{'' if len(unknown) == 1 else 's'} {', '.join(map(repr, unknown))}; "
            f"allowed: {', '.join(sorted(allowed))}",
        )


def _check_latin1(pairs: list[tuple[str, str]], payload: str) -> None:
    for name, value in pairs:
        try:
            value.encode("latin-1")
        except UnicodeEncodeError:
            raise _fail(payload, f"header {name!r} has a value that is not latin-1: {value!r}") from None


def _body(result: Mapping[str, Any], payload: str) -> tuple[bytes, bool]:
    body = result.get("body")
    is_base64 = result.get("isBase64Encoded", False)
    if is_base64 is None:
        is_base64 = False
    if not isinstance(is_base64, bool):
        raise _fail(payload, f"isBase64Encoded must be a bool, got {type(is_base64).__name__} {is_base64!r}")
    if body is None:
        return b"", is_base64
    if not isinstance(body, str):
        raise _fail(payload, f"body must be a string, got {type(body).__name__}")
    if is_base64:
        try:
            return binascii.a2b_base64(body.encode("ascii"), strict_mode=True), True
        except (binascii.Error, UnicodeEncodeError) as exc:
            raise _fail(payload, f"isBase64Encoded is true but body is not valid base64 ({exc})") from None
    return body.encode("utf-8"), False


def _check_json(result: object, payload: str) -> int:
    """The size of ``result`` as JSON; an ``InvalidResult`` when it is not JSON-serialisable."""
    try:
        return len(json.dumps(result))
    except (TypeError, ValueError) as exc:
        raise _fail(
            payload, f"the result is not JSON-serialisable (Lambda's Runtime.MarshalError): {exc}"
        ) from None


def parse_result(
    result: object,
    source: str,
    *,
    multi_value_headers: bool = False,
    edge_trigger: str | None = None,
    limit: int | None = None,
) -> HttpResult:
    """Validate ``result`` for an event ``source`` (``"rest"``, ``"http-1.0"``, ``"http-2.0"``, ``"url"``,
    ``"alb"`` with its ``multi_value_headers`` setting, ``"lattice-1.0"``, ``"lattice-2.0"``, ``"edge"``
    with its ``edge_trigger``; or a ``payload=`` spelling: ``"1.0"``, ``"2.0"``, ``"alb-multi"``,
    ``"edge-origin"``).

    Returns the status, the header pairs (``Set-Cookie`` included, in order) and the decoded body; raises
    :class:`InvalidResult` naming the problem for a result the source would reject; ``limit`` is the
    largest result in bytes (Lambda's 6 MB for the gateway: Lambda itself refuses a larger one; a
    Lambda@Edge result has CloudFront's smaller limit of its trigger besides).
    """
    kind, multi = source_for_payload(source)
    if kind == ALB:
        payload = "alb-multi" if multi or multi_value_headers else "alb"
    elif kind == EDGE:
        trigger = edge_trigger or edge_trigger_for(source)
        payload = "edge-origin" if trigger == "origin-request" else "edge"
    elif kind in (LATTICE_V1, LATTICE_V2):
        payload = kind
    else:
        payload = {HTTP_V2: "2.0", URL: "url"}.get(kind, "1.0")
    size = _check_json(result, payload)
    if limit is not None and size > limit:
        raise _fail(
            payload,
            f"the result is {size} bytes, over Lambda's response limit of {limit} bytes "
            "(Function.ResponseSizeTooLarge)",
        )

    if kind == EDGE:
        return _edge_result(result, payload)
    if payload in ("2.0", "url"):
        if not isinstance(result, Mapping) or "statusCode" not in result:
            # HTTP APIs and Function URLs treat any other JSON value as a 200 with that JSON as the body.
            data = json.dumps(result).encode("utf-8")
            return HttpResult(200, [("Content-Type", "application/json")], data)
        status = _status(result, payload)
        headers = _headers(result, payload, multi_allowed=False)
        cookies = result.get("cookies")
        if cookies is not None:
            if not isinstance(cookies, list) or not all(isinstance(cookie, str) for cookie in cookies):
                raise _fail(payload, f"cookies must be a list of strings, got {cookies!r}")
            headers.extend(("Set-Cookie", cookie) for cookie in cookies)
        body, is_base64 = _body(result, payload)
        return HttpResult(status, headers, body, is_base64)

    if not isinstance(result, Mapping):
        raise _fail(payload, f"the result must be an object with statusCode, got {type(result).__name__}")
    lattice = kind in (LATTICE_V1, LATTICE_V2)
    allowed = _ALB_KEYS if payload.startswith("alb") else _LATTICE_KEYS if lattice else _REST_KEYS
    _check_keys(result, allowed, payload)
    status = _status(result, payload)
    if "statusDescription" in allowed:
        description = result.get("statusDescription")
        if description is not None:
            if not isinstance(description, str):
                raise _fail(payload, f"statusDescription must be a string, got {description!r}")
            if not description.startswith(f"{status} ") and description != str(status):
                raise _fail(
                    payload, f"statusDescription {description!r} does not start with the status code {status}"
                )
    headers = _headers(result, payload, multi_allowed="multiValueHeaders" in allowed)
    if payload == "alb-multi" and result.get("headers") and "multiValueHeaders" not in result:
        raise _fail(payload, "multi-value headers are enabled: the result must use multiValueHeaders")
    if payload == "alb" and "multiValueHeaders" in result:
        raise _fail(payload, "multi-value headers are not enabled: the result must use headers")
    body, is_base64 = _body(result, payload)
    return HttpResult(status, headers, body, is_base64)


def _edge_result(result: object, payload: str) -> HttpResult:
    """CloudFront's checks of a Lambda@Edge function's generated response (its 502 "failed validation")."""
    if not isinstance(result, Mapping):
        raise _fail(payload, f"the result must be a response object with status, got {type(result).__name__}")
    if "status" not in result:
        if "uri" in result and "method" in result:
            raise _fail(
                payload,
                "the function returned the request: CloudFront would send it on to the origin, and the "
                "local gateway has none; return a response object (status, headers, body) instead",
            )
        raise _fail(payload, "status is missing")
    _check_keys(result, _EDGE_KEYS, payload)
    status = result["status"]
    if not isinstance(status, str) or not (status.isascii() and status.isdigit() and len(status) == 3):
        raise _fail(payload, f"status must be a string of three digits ('200'), got {status!r}")
    code = int(status)
    if not 200 <= code <= 599:
        raise _fail(payload, f"status {code}: CloudFront accepts 200 to 599 from a function")
    description = result.get("statusDescription")
    if description is not None and not isinstance(description, str):
        raise _fail(payload, f"statusDescription must be a string, got {description!r}")
    pairs = _edge_headers(result.get("headers"), payload)
    encoding = result.get("bodyEncoding", "text")
    if encoding not in ("text", "base64"):
        raise _fail(payload, f"bodyEncoding must be 'text' or 'base64', got {encoding!r}")
    body = result.get("body")
    if code == 204 and "body" in result:
        raise _fail(payload, "a 204 response has a body key: CloudFront refuses it, even an empty one")
    data = b""
    if body is not None:
        if not isinstance(body, str):
            raise _fail(payload, f"body must be a string, got {type(body).__name__}")
        data, _ = _body({"body": body, "isBase64Encoded": encoding == "base64"}, payload)
    size = len(json.dumps(result, ensure_ascii=False).encode("utf-8", "surrogatepass"))
    if size > _EDGE_LIMITS[payload]:
        trigger = "an origin request" if payload == "edge-origin" else "a viewer request"
        raise _fail(
            payload,
            f"the result is {size} bytes, over Lambda@Edge's limit of {_EDGE_LIMITS[payload]} bytes for "
            f"{trigger} (headers and body)",
        )
    return HttpResult(code, pairs, data, encoding == "base64")


def _edge_headers(headers: object, payload: str) -> list[tuple[str, str]]:
    """The pairs of CloudFront's header map: lower-case names, each a list of ``{"key", "value"}``."""
    if headers is None:
        return []
    if not isinstance(headers, Mapping):
        raise _fail(payload, f"headers must be an object, got {type(headers).__name__}")
    pairs: list[tuple[str, str]] = []
    for name, entries in headers.items():
        if not isinstance(name, str) or name != name.lower():
            raise _fail(payload, f"header name {name!r} must be lower-case (the spelling goes in 'key')")
        if _cloudfront_refuses(name):
            raise _fail(
                payload,
                f"header {name!r} is one CloudFront refuses from a function (read-only or disallowed)",
            )
        if not isinstance(entries, list):
            raise _fail(
                payload,
                f"headers[{name!r}] must be a list of {{'key', 'value'}} objects, "
                f"got {type(entries).__name__}",
            )
        for entry in entries:
            if (
                not isinstance(entry, Mapping)
                or not isinstance(entry.get("value"), str)
                or set(entry) - {"key", "value"}
            ):
                raise _fail(
                    payload, f"headers[{name!r}] entries must be {{'key': str, 'value': str}}, got {entry!r}"
                )
            key = entry.get("key", name)
            if not isinstance(key, str) or key.lower() != name:
                raise _fail(
                    payload, f"headers[{name!r}] has an entry whose key {key!r} is another header's name"
                )
            pairs.append((key, entry["value"]))
    _check_latin1(pairs, payload)
    return pairs

"""Helpers for the adapter tests: realistic events loaded from tests/events (with keyword overrides), a
recording WSGI app, and a strict checker of proxy results per source.

Imported as ``adapter_kit`` (conftest.py registers it; the tests run with ``--import-mode=importlib``)."""

from __future__ import annotations

import base64
import copy
import json
from collections.abc import Callable, Iterable, Iterator
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import quote

EVENTS = Path(__file__).resolve().parent.parent / "events"
DELETE = object()  # marks a field to remove in load_event overrides

REST_KEYS = {"statusCode", "body", "headers", "multiValueHeaders", "isBase64Encoded", "cookies"}
V2_KEYS = {"statusCode", "body", "headers", "isBase64Encoded", "cookies"}
ALB_KEYS = {"statusCode", "statusDescription", "body", "headers", "multiValueHeaders", "isBase64Encoded"}
# VPC Lattice's response: AWS's documentation and its Go and Java event types (one string per header).
LATTICE_KEYS = {"statusCode", "statusDescription", "body", "headers", "isBase64Encoded"}
# CloudFront's response object for a generated response ("Lambda@Edge: generating HTTP responses").
EDGE_KEYS = {"status", "statusDescription", "headers", "body", "bodyEncoding"}
# Response headers CloudFront refuses from a function: disallowed, or read-only in request triggers.
EDGE_REFUSED = {
    "connection",
    "expect",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "proxy-connection",
    "trailer",
    "upgrade",
    "x-accel-buffering",
    "x-accel-charset",
    "x-accel-limit-rate",
    "x-accel-redirect",
    "x-cache",
    "x-forwarded-proto",
    "x-real-ip",
    "content-length",
    "host",
    "transfer-encoding",
    "via",
}
EDGE_REFUSED_PREFIXES = ("x-amz-cf-", "x-amzn-", "x-edge-")


@cache
def _fixture(name: str) -> str:
    return (EVENTS / f"{name}.json").read_text(encoding="utf-8")


def load_event(name: str, /, *, rc: dict[str, Any] | None = None, **fields: Any) -> dict[str, Any]:
    """A fresh copy of tests/events/<name>.json with top-level ``fields`` replaced (``DELETE`` removes one)
    and ``rc`` merged into requestContext (dotted keys reach nested objects: ``{"http.method": "HEAD"}``)."""
    event: dict[str, Any] = json.loads(_fixture(name))
    for key, value in fields.items():
        if value is DELETE:
            event.pop(key, None)
        else:
            event[key] = copy.deepcopy(value)
    for dotted, value in (rc or {}).items():
        target = event["requestContext"]
        *parents, last = dotted.split(".")
        for parent in parents:
            target = target[parent]
        if value is DELETE:
            target.pop(last, None)
        else:
            target[last] = copy.deepcopy(value)
    return event


class ClosingBody:
    """An app iterable that records ``close()`` (PEP 3333 requires the server to call it)."""

    def __init__(self, chunks: Iterable[bytes], *, fail_at: int | None = None) -> None:
        self._chunks = list(chunks)
        self._fail_at = fail_at
        self.closed = False

    def __iter__(self) -> Iterator[bytes]:
        for index, chunk in enumerate(self._chunks):
            if index == self._fail_at:
                raise RuntimeError("boom while iterating")
            yield chunk

    def close(self) -> None:
        self.closed = True


class RecordingApp:
    """A WSGI app that records the environ and the request body it saw, and answers as configured."""

    def __init__(
        self,
        status: str = "200 OK",
        headers: Iterable[tuple[str, str]] = (("Content-Type", "text/plain; charset=utf-8"),),
        body: bytes | Iterable[bytes] = b"ok",
    ) -> None:
        self.status = status
        self.headers = list(headers)
        self.chunks = [body] if isinstance(body, bytes) else list(body)
        self.environ: dict[str, Any] = {}
        self.body = b""
        self.calls = 0
        self.iterable: ClosingBody | None = None

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> ClosingBody:
        self.calls += 1
        self.environ = environ
        # Read as PEP 3333 lets an app: CONTENT_LENGTH bytes (wsgiref.validate refuses a bare read()).
        self.body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        start_response(self.status, list(self.headers))
        self.iterable = ClosingBody(self.chunks)
        return self.iterable


def result_body(result: dict[str, Any]) -> bytes:
    """The body bytes a client would receive."""
    if "status" in result:  # CloudFront's response object
        body = result.get("body", "")
        encoded = result.get("bodyEncoding") == "base64"
        return base64.b64decode(body, validate=True) if encoded else body.encode("utf-8")
    body = result["body"]
    return base64.b64decode(body, validate=True) if result["isBase64Encoded"] else body.encode("utf-8")


def result_status(result: dict[str, Any]) -> int:
    """The status code a client would receive."""
    return int(result["status"]) if "status" in result else int(result["statusCode"])


def result_headers(result: dict[str, Any]) -> list[tuple[str, str]]:
    """All response headers (lower-cased names) as a client would see them, Set-Cookie included."""
    pairs: list[tuple[str, str]] = []
    if "status" in result:  # CloudFront's response object
        for name, entries in result["headers"].items():
            pairs.extend((name, entry["value"]) for entry in entries)
        return pairs
    for name, values in (result.get("multiValueHeaders") or {}).items():
        pairs.extend((name.lower(), value) for value in values)
    for name, value in (result.get("headers") or {}).items():
        pairs.append((name.lower(), value))
    pairs.extend(("set-cookie", cookie) for cookie in result.get("cookies") or ())
    return pairs


def check_result(result: Any, source: str) -> dict[str, Any]:
    """Validate ``result`` as the service of ``source`` would, strictly; return it."""
    assert isinstance(result, dict), result
    json.dumps(result)  # the runtime must be able to serialise it
    if source == "edge":
        return _check_edge(result)
    code = result["statusCode"]
    assert type(code) is int, code
    assert 100 <= code <= 599, code
    assert isinstance(result["body"], str)
    assert type(result["isBase64Encoded"]) is bool
    if result["isBase64Encoded"]:
        base64.b64decode(result["body"], validate=True)
    if source in ("rest", "http-1.0"):
        assert set(result) <= REST_KEYS, set(result) - REST_KEYS
        assert "statusDescription" not in result
        _check_multi(result.get("multiValueHeaders", {}))
    elif source in ("lattice-1.0", "lattice-2.0"):
        assert set(result) <= LATTICE_KEYS, set(result) - LATTICE_KEYS
        assert result["statusDescription"].startswith(f"{code} ")
        _check_single(result["headers"])
    elif source in ("http-2.0", "url"):
        assert set(result) <= V2_KEYS, set(result) - V2_KEYS
        _check_single(result.get("headers", {}))
        assert not any(name.lower() == "set-cookie" for name in result.get("headers", {}))
        cookies = result.get("cookies", [])
        assert isinstance(cookies, list)
        assert all(isinstance(cookie, str) for cookie in cookies)
    else:
        assert set(result) <= ALB_KEYS, set(result) - ALB_KEYS
        assert ("headers" in result) != ("multiValueHeaders" in result)
        description = result["statusDescription"]
        assert isinstance(description, str)
        assert description.startswith(f"{code} ")
        assert len(description) > 4
        if "headers" in result:
            _check_single(result["headers"])
        else:
            _check_multi(result["multiValueHeaders"])
    return result


def _check_edge(result: dict[str, Any]) -> dict[str, Any]:
    assert set(result) <= EDGE_KEYS, set(result) - EDGE_KEYS
    status = result["status"]
    assert isinstance(status, str)
    assert status.isdigit()
    assert 200 <= int(status) <= 599, status  # CloudFront answers an error for any other status
    assert isinstance(result["statusDescription"], str)
    assert not result["statusDescription"].startswith(status)  # the reason alone
    headers = result["headers"]
    assert isinstance(headers, dict)
    for name, entries in headers.items():
        assert name == name.lower(), name
        assert name not in EDGE_REFUSED, name
        assert not name.startswith(EDGE_REFUSED_PREFIXES), name
        assert isinstance(entries, list)
        assert entries
        for entry in entries:
            assert set(entry) == {"key", "value"}
            assert entry["key"].lower() == name
            assert isinstance(entry["value"], str)
    if "body" in result:
        assert status != "204"  # CloudFront refuses a 204 with a body, even an empty one
        assert isinstance(result["body"], str)
        assert result["body"]
        assert result["bodyEncoding"] in ("text", "base64")
        if result["bodyEncoding"] == "base64":
            base64.b64decode(result["body"], validate=True)
    else:
        assert "bodyEncoding" not in result
    return result


def _check_multi(headers: Any) -> None:
    assert isinstance(headers, dict)
    for name, values in headers.items():
        assert isinstance(name, str)
        assert isinstance(values, list)
        assert values
        assert all(isinstance(value, str) for value in values)


def _check_single(headers: Any) -> None:
    assert isinstance(headers, dict)
    assert all(isinstance(name, str) and isinstance(value, str) for name, value in headers.items())


def check_edge_event(event: Any) -> dict[str, Any]:
    """Validate a Lambda@Edge request event against the structure AWS documents ("Lambda@Edge event
    structure"; Powertools has no parser model for it); return it."""
    assert set(event) == {"Records"}
    [record] = event["Records"]
    assert set(record) == {"cf"}
    cf = record["cf"]
    assert set(cf) == {"config", "request"}
    config = cf["config"]
    assert set(config) == {"distributionDomainName", "distributionId", "eventType", "requestId"}
    assert all(isinstance(value, str) for value in config.values())
    assert config["eventType"] in ("viewer-request", "origin-request")
    request = cf["request"]
    required = {"clientIp", "headers", "method", "querystring", "uri"}
    assert required <= set(request) <= required | {"body", "origin"}
    assert all(isinstance(request[key], str) for key in required - {"headers"})
    assert request["uri"].startswith("/")
    for name, entries in request["headers"].items():
        assert name == name.lower()
        for entry in entries:
            assert set(entry) <= {"key", "value"}
            assert "value" in entry
            assert entry.get("key", name).lower() == name
    if "body" in request:
        body = request["body"]
        assert set(body) == {"action", "data", "encoding", "inputTruncated"}
        assert body["action"] in ("read-only", "replace")
        assert body["encoding"] in ("base64", "text")
        assert type(body["inputTruncated"]) is bool
    if "origin" in request:
        assert config["eventType"] == "origin-request"
        assert len(request["origin"]) == 1
        assert set(request["origin"]) <= {"custom", "s3"}
    return event


# --- one HTTP request encoded as each service would send it (the property tests' event builders) ---


def grouped(pairs: list[tuple[str, str]]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for key, value in pairs:
        out.setdefault(key, []).append(value)
    return out


def body_fields(body: bytes | None) -> dict[str, Any]:
    if body is None:
        return {"body": None, "isBase64Encoded": False}
    try:
        return {"body": body.decode("utf-8"), "isBase64Encoded": False}
    except UnicodeDecodeError:
        return {"body": base64.b64encode(body).decode(), "isBase64Encoded": True}


def make_event(
    kind: str,
    *,
    method: str,
    path: str,
    query: list[tuple[str, str]],
    headers: list[tuple[str, str]],
    cookies: list[tuple[str, str]],
    body: bytes | None,
) -> dict[str, Any]:
    """Encode one HTTP request as the service of ``kind`` would."""
    cookie_pairs = [f"{name}={value}" for name, value in cookies]
    encoded_path = quote(path, safe="/")
    multi_headers = grouped(headers)
    if cookie_pairs and kind not in ("http-2.0", "url"):
        multi_headers["cookie"] = ["; ".join(cookie_pairs)]
    if kind.startswith("lattice"):
        return lattice_event(kind, method, encoded_path, query, multi_headers, body)
    if kind == "edge":
        return edge_event(method, encoded_path, query, multi_headers, body)
    if kind in ("http-2.0", "url"):
        raw_query = "&".join(quote(key, safe="") + "=" + quote(value, safe="") for key, value in query)
        fixture = "http_v2_default_stage" if kind == "http-2.0" else "function_url"
        event = load_event(
            fixture,
            rawPath=path if kind == "http-2.0" else encoded_path,
            rawQueryString=raw_query,
            headers={
                "host": "example.com",
                **{name: ",".join(values) for name, values in multi_headers.items()},
            },
            cookies=cookie_pairs or DELETE,
            queryStringParameters={key: ",".join(values) for key, values in grouped(query).items()} or DELETE,
            rc={"http.method": method, "http.path": path},
            **body_fields(body),
        )
        event.pop("body") if body is None else None
        return event
    single_headers = {name: values[-1] for name, values in multi_headers.items()}
    if kind in ("alb", "alb-multi"):
        encoded_query = [(quote(key, safe=""), quote(value, safe="")) for key, value in query]
        event = load_event(
            "alb_single" if kind == "alb" else "alb_multi",
            httpMethod=method,
            path=encoded_path,
            **body_fields(body if body is not None else b""),  # the load balancer sends "" for no body
        )
        if kind == "alb":
            event["queryStringParameters"] = {
                key: values[-1] for key, values in grouped(encoded_query).items()
            }
            event["headers"] = {"host": "example.com", **single_headers}
        else:
            event["multiValueQueryStringParameters"] = grouped(encoded_query)
            event["multiValueHeaders"] = {"host": ["example.com"], **multi_headers}
        return event
    fixture = "rest_execute_api_stage" if kind == "rest" else "http_v1"
    stage = "Prod" if kind == "rest" else "dev"
    return load_event(
        fixture,
        httpMethod=method,
        path=encoded_path if kind == "rest" else "/dev" + path,
        resource="/{proxy+}",
        pathParameters={"proxy": path[1:]} if len(path) > 1 else None,
        headers={"Host": "example.com", **single_headers},
        multiValueHeaders={"Host": ["example.com"], **multi_headers},
        queryStringParameters={key: values[-1] for key, values in grouped(query).items()} or None,
        multiValueQueryStringParameters=grouped(query) or None,
        rc={
            "path": f"/{stage}{encoded_path}" if kind == "rest" else f"/dev{path}",
            "stage": stage,
            "httpMethod": method,
        },
        **body_fields(body),
    )


def lattice_event(  # noqa: PLR0917 - make_event's inputs, passed on
    kind: str,
    method: str,
    encoded_path: str,
    query: list[tuple[str, str]],
    multi_headers: dict[str, list[str]],
    body: bytes | None,
) -> dict[str, Any]:
    """Version 1: one string per header (repeats comma-joined) and per query key (the last value);
    version 2: the documented lists of values."""
    fields = body_fields(body if body is not None else b"")
    host = {"host": "orders-0a40eebed65f8d69c.7d67968.vpc-lattice-svcs.eu-central-1.on.aws"}
    if kind == "lattice-1.0":
        return load_event(
            "lattice_v1",
            method=method,
            raw_path=encoded_path,
            headers={
                "x-forwarded-for": "10.0.12.34",
                **host,
                **{k: ",".join(v) for k, v in multi_headers.items()},
            },
            query_string_parameters={key: values[-1] for key, values in grouped(query).items()},
            body=fields["body"],
            is_base64_encoded=fields["isBase64Encoded"],
        )
    return load_event(
        "lattice_v2_list_values",
        method=method,
        path=encoded_path,
        headers={"x-forwarded-for": ["10.0.12.34"], **{k: [v] for k, v in host.items()}, **multi_headers},
        queryStringParameters=grouped(query),
        **fields,
    )


def edge_event(
    method: str,
    encoded_path: str,
    query: list[tuple[str, str]],
    multi_headers: dict[str, list[str]],
    body: bytes | None,
) -> dict[str, Any]:
    """An origin-request event (one that may include the body), as CloudFront builds it."""
    event = load_event("edge_origin_request")
    request = event["Records"][0]["cf"]["request"]
    request["method"] = method
    request["uri"] = encoded_path
    request["querystring"] = "&".join(
        quote(key, safe="") + "=" + quote(value, safe="") for key, value in query
    )
    request["headers"] = {
        "host": [{"key": "Host", "value": "origin.example.com"}],
        **{
            name: [{"key": name, "value": value} for value in values]
            for name, values in multi_headers.items()
        },
    }
    if body is None:
        del request["body"]
    else:
        encoded = base64.b64encode(body).decode()
        request["body"] = {
            "action": "read-only",
            "data": encoded,
            "encoding": "base64",
            "inputTruncated": False,
        }
    return event

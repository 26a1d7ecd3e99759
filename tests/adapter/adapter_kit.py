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

EVENTS = Path(__file__).resolve().parent.parent / "events"
DELETE = object()  # marks a field to remove in load_event overrides

REST_KEYS = {"statusCode", "body", "headers", "multiValueHeaders", "isBase64Encoded", "cookies"}
V2_KEYS = {"statusCode", "body", "headers", "isBase64Encoded", "cookies"}
ALB_KEYS = {"statusCode", "statusDescription", "body", "headers", "multiValueHeaders", "isBase64Encoded"}


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
        self.body = environ["wsgi.input"].read()
        start_response(self.status, list(self.headers))
        self.iterable = ClosingBody(self.chunks)
        return self.iterable


def result_body(result: dict[str, Any]) -> bytes:
    """The body bytes a client would receive."""
    body = result["body"]
    return base64.b64decode(body, validate=True) if result["isBase64Encoded"] else body.encode("utf-8")


def result_headers(result: dict[str, Any]) -> list[tuple[str, str]]:
    """All response headers (lower-cased names) as a client would see them, Set-Cookie included."""
    pairs: list[tuple[str, str]] = []
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

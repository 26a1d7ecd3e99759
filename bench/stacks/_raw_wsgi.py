"""A raw WSGI app (no framework) serving the six routes: what the adapter-only comparison wraps."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qs

from ._shared import (
    BINARY,
    BINARY_TYPE,
    HTML_TYPE,
    TEXT_TYPE,
    render_page,
    user_payload,
)

StartResponse = Callable[[str, list[tuple[str, str]]], Any]


def _answer(start_response: StartResponse, status: str, content_type: str, body: bytes) -> list[bytes]:
    start_response(status, [("Content-Type", content_type), ("Content-Length", str(len(body)))])
    return [body]


def app(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
    method = environ["REQUEST_METHOD"]
    path = environ.get("PATH_INFO", "")
    if method == "GET":
        if path == "/":
            return _answer(start_response, "200 OK", TEXT_TYPE, b"hello")
        if path.startswith("/users/") and path.count("/") == 2:
            verbose = parse_qs(environ.get("QUERY_STRING", "")).get("verbose") == ["1"]
            body = json.dumps(user_payload(path[7:], verbose)).encode()
            return _answer(start_response, "200 OK", "application/json", body)
        if path.startswith("/page/") and path.count("/") == 2:
            return _answer(start_response, "200 OK", HTML_TYPE, render_page(path[6:]).encode())
        if path == "/bin":
            return _answer(start_response, "200 OK", BINARY_TYPE, BINARY)
    elif method == "POST" and path == "/echo":
        length = int(environ.get("CONTENT_LENGTH") or 0)
        document = json.loads(environ["wsgi.input"].read(length))
        return _answer(start_response, "200 OK", "application/json", json.dumps(document).encode())
    return _answer(start_response, "404 Not Found", "text/plain; charset=utf-8", b"Not Found")

"""The floor: a hand-written handler that reads the event and returns the proxy result dict directly.

No framework, no WSGI: the least work that still answers all six routes correctly on REST 1.0, HTTP API 2.0
and ALB events. jinja2 is imported on the first page render, as a careful hand-written handler would.
"""

from __future__ import annotations

import base64
import json
from typing import Any

from ._shared import (
    BINARY,
    BINARY_TYPE,
    HTML_TYPE,
    TEXT_TYPE,
    render_page,
    user_payload,
)

_JSON_TYPE = "application/json"
_REASONS = {200: "200 OK", 404: "404 Not Found"}


def _result(event: dict[str, Any], status: int, content_type: str, body: str | bytes) -> dict[str, Any]:
    is_binary = isinstance(body, bytes)
    result: dict[str, Any] = {
        "statusCode": status,
        "headers": {"Content-Type": content_type},
        "body": base64.b64encode(body).decode("ascii") if isinstance(body, bytes) else body,
        "isBase64Encoded": is_binary,
    }
    if "elb" in event.get("requestContext", ()):
        result["statusDescription"] = _REASONS[status]
    return result


def _request(event: dict[str, Any]) -> tuple[str, str, dict[str, str]]:
    if event.get("version") == "2.0":
        http = event["requestContext"]["http"]
        return http["method"], event["rawPath"], event.get("queryStringParameters") or {}
    return event["httpMethod"], event["path"], event.get("queryStringParameters") or {}


def _body(event: dict[str, Any]) -> str:
    body = event.get("body") or ""
    if event.get("isBase64Encoded"):
        return base64.b64decode(body).decode("utf-8")
    return str(body)


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    method, path, query = _request(event)
    if method == "GET":
        if path == "/":
            return _result(event, 200, TEXT_TYPE, "hello")
        if path.startswith("/users/") and path.count("/") == 2:
            user = user_payload(path[7:], query.get("verbose") == "1")
            return _result(event, 200, _JSON_TYPE, json.dumps(user))
        if path.startswith("/page/") and path.count("/") == 2:
            return _result(event, 200, HTML_TYPE, render_page(path[6:]))
        if path == "/bin":
            return _result(event, 200, BINARY_TYPE, BINARY)
    elif method == "POST" and path == "/echo":
        return _result(event, 200, _JSON_TYPE, json.dumps(json.loads(_body(event))))
    return _result(event, 404, _JSON_TYPE, '{"message": "Not Found"}')

"""Correctness of one proxy result, checked before anything is timed: a fast wrong answer does not count."""

from __future__ import annotations

import base64
import binascii
import json
import os
import sys
from typing import Any

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from _events import ECHO_DOCUMENT
from stacks._shared import BINARY, ITEMS, TEMPLATE_DIR, TEMPLATE_NAME, user_payload


def _expected_page() -> str:
    import jinja2

    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATE_DIR), autoescape=True)
    return env.get_template(TEMPLATE_NAME).render(name="alice", items=ITEMS)


_EXPECTED: dict[str, str] = {}


def _headers(result: dict[str, Any]) -> dict[str, str]:
    headers: dict[str, str] = {}
    for name, values in (result.get("multiValueHeaders") or {}).items():
        headers[name.lower()] = ", ".join(values)
    for name, value in (result.get("headers") or {}).items():
        headers[name.lower()] = value
    return headers


def _body(result: dict[str, Any], problems: list[str]) -> bytes:
    body = result.get("body")
    if body is None:
        return b""
    if not isinstance(body, str):
        problems.append(f"body is {type(body).__name__}, not str")
        return b""
    if result.get("isBase64Encoded"):
        try:
            return base64.b64decode(body, validate=True)
        except (binascii.Error, ValueError):
            problems.append("isBase64Encoded but body is not base64")
            return b""
    return body.encode("utf-8")


def check(route: str, source: str, result: object) -> list[str]:
    """Problems with ``result`` as the answer to ``route`` for payload ``source`` (empty: correct)."""
    problems: list[str] = []
    if not isinstance(result, dict):
        return [f"result is {type(result).__name__}, not a dict"]
    try:
        json.dumps(result)
    except (TypeError, ValueError) as exc:
        problems.append(f"result is not JSON-serialisable ({exc})")
    status = result.get("statusCode")
    if isinstance(status, str) and status.isdigit():
        status = int(status)  # API Gateway accepts a numeric string
    if not isinstance(status, int):
        return [*problems, f"statusCode is {result.get('statusCode')!r}"]
    if source == "alb" and not isinstance(result.get("statusDescription", ""), str):
        problems.append("statusDescription is not a string")
    headers = _headers(result)
    # API Gateway (REST and HTTP APIs) answers `application/json` when the result names no Content-Type;
    # a load balancer sends none.
    content_type = headers.get("content-type", "" if source == "alb" else "application/json")
    body = _body(result, problems)
    expected_status = 404 if route == "missing" else 200
    if status != expected_status:
        return [*problems, f"status {status}, expected {expected_status}"]
    if route == "hello":
        if not content_type.startswith("text/plain"):
            problems.append(f"content-type {content_type!r}")
        if body != b"hello":
            problems.append(f"body {body[:40]!r}")
    elif route in {"user", "echo"}:
        if not content_type.startswith("application/json"):
            problems.append(f"content-type {content_type!r}")
        expected = user_payload("42", verbose=True) if route == "user" else ECHO_DOCUMENT
        try:
            document = json.loads(body)
        except ValueError:
            problems.append(f"body is not JSON: {body[:40]!r}")
        else:
            if document != expected:
                problems.append(f"JSON {document!r:.80} differs from the expected document")
    elif route == "page":
        if "page" not in _EXPECTED:
            _EXPECTED["page"] = _expected_page()
        if not content_type.startswith("text/html"):
            problems.append(f"content-type {content_type!r}")
        if body.decode("utf-8", "replace").strip() != _EXPECTED["page"].strip():
            problems.append("page body differs from the template rendered with jinja2")
    elif route == "bin":
        if content_type != "application/octet-stream":
            problems.append(f"content-type {content_type!r}")
        if not result.get("isBase64Encoded"):
            problems.append("binary body not base64-encoded")
        if body != BINARY:
            problems.append(f"binary body differs ({len(body)} bytes, expected {len(BINARY)})")
    return problems

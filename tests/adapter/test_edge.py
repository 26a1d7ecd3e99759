"""Contract section J: Lambda@Edge viewer-request and origin-request triggers (items 41-45)."""

from __future__ import annotations

import base64
import json
import logging
from collections.abc import Callable
from typing import Any

import pytest
from adapter_kit import (
    RecordingApp,
    check_edge_event,
    check_result,
    load_event,
    result_body,
    result_headers,
)
from werkzeug.wrappers.request import Request

from lambda_micro.adapter import make_handler
from lambda_micro.adapter.result import reason_phrase


def edge_event(name: str = "edge_viewer_request", **request_fields: Any) -> dict[str, Any]:
    """A copy of an Edge fixture with fields of ``Records[0].cf.request`` replaced (None removes one)."""
    event = load_event(name)
    request = event["Records"][0]["cf"]["request"]
    for key, value in request_fields.items():
        if value is None:
            request.pop(key, None)
        else:
            request[key] = value
    return event


def with_trigger(event: dict[str, Any], trigger: str | None) -> dict[str, Any]:
    config = event["Records"][0]["cf"]["config"]
    if trigger is None:
        del config["eventType"]
    else:
        config["eventType"] = trigger
    return event


def run(event: dict[str, Any], app: RecordingApp | None = None, **options: Any) -> dict[str, Any]:
    app = app or RecordingApp()
    make_handler(app, **options)(event, None)
    return app.environ


def call(event: dict[str, Any], app: Callable[..., Any]) -> dict[str, Any]:
    return check_result(make_handler(app)(event, None), "edge")


# --- item 41: the request -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["edge_viewer_request", "edge_origin_request"])
def test_j41_fixtures_follow_the_documented_event_structure(name: str) -> None:
    check_edge_event(load_event(name))


def test_j41_viewer_request_reaches_the_app_as_sent() -> None:
    event = load_event("edge_viewer_request")
    environ = run(event)
    request = Request(environ)
    assert (request.method, request.path, environ["SCRIPT_NAME"]) == ("GET", "/posts/hello-world", "")
    assert request.args.to_dict() == {"page": "2", "tag": "café"}
    assert environ["QUERY_STRING"] == "page=2&tag=caf%C3%A9"  # as CloudFront received it
    assert request.url == "https://blog.example.com/posts/hello-world?page=2&tag=café"  # werkzeug's IRI
    assert environ["SERVER_PORT"] == "443"
    assert environ["REMOTE_ADDR"] == "203.0.113.178"
    assert request.cookies.to_dict() == {"theme": "light", "session": "8f14e45f"}
    assert environ["HTTP_ACCEPT_LANGUAGE"] == "en-GB,en;q=0.8"
    assert environ["SERVER_PROTOCOL"] == "HTTP/1.1"
    assert environ["lambda.request_context"] == event["Records"][0]["cf"]["config"]
    assert environ["lambda.event"] is event
    assert environ["lambda.stage_variables"] == {}


def test_j41_origin_request_reaches_the_app_as_sent() -> None:
    app = RecordingApp()
    environ = run(load_event("edge_origin_request"), app)
    assert (environ["REQUEST_METHOD"], environ["PATH_INFO"], environ["QUERY_STRING"]) == (
        "POST",
        "/api/posts",
        "",
    )
    assert environ["REMOTE_ADDR"] == "2001:db8:85a3::8a2e:370:7334"
    assert environ["SERVER_NAME"] == "origin.example.com"  # the Host CloudFront sends the origin
    assert environ["CONTENT_TYPE"] == "application/json"
    assert json.loads(app.body) == {"title": "Hello, world"}
    assert environ["CONTENT_LENGTH"] == str(len(app.body))


def test_j41_uri_is_decoded_once_and_non_ascii_query_encoded() -> None:
    request = Request(run(edge_event(uri="/files/caf%C3%A9/a%2520b", querystring="q=é&r=1")))
    assert request.path == "/files/café/a%20b"
    assert request.query_string == b"q=%C3%A9&r=1"


def test_j41_viewer_scheme_from_cloudfront_forwarded_proto() -> None:
    headers = {"cloudfront-forwarded-proto": [{"key": "CloudFront-Forwarded-Proto", "value": "http"}]}
    environ = run(edge_event(headers=headers))
    assert (environ["wsgi.url_scheme"], environ["SERVER_PORT"]) == ("http", "80")


def test_j41_without_host_the_distribution_domain_names_the_server() -> None:
    environ = run(edge_event(headers={}))
    assert environ["SERVER_NAME"] == "d111111abcdef8.cloudfront.net"


def test_j41_header_entries_without_key_use_the_name() -> None:
    environ = run(edge_event(headers={"x-trace": [{"value": "1"}, {"value": "2"}], "x-none": None}))
    assert environ["HTTP_X_TRACE"] == "1, 2"
    assert "HTTP_X_NONE" not in environ


def test_j41_empty_uri_is_the_root_and_base_path_applies() -> None:
    assert run(edge_event(uri=""))["PATH_INFO"] == "/"
    environ = run(edge_event(uri="/blog/posts/x"), base_path="/blog")
    assert (environ["SCRIPT_NAME"], environ["PATH_INFO"]) == ("/blog", "/posts/x")


def test_j41_absent_optional_fields() -> None:
    app = RecordingApp()
    event = edge_event(querystring=None, headers=None, clientIp=None)
    del event["Records"][0]["cf"]["config"]
    result = call(event, app)
    assert result["status"] == "200"
    assert (app.environ["QUERY_STRING"], app.environ["SERVER_NAME"]) == ("", "localhost")
    assert "REMOTE_ADDR" not in app.environ
    assert app.environ["lambda.request_context"] == {}


MALFORMED = [
    ({"method": ["GET"]}, "Records[0].cf.request.method"),
    ({"method": "GÉT"}, "Records[0].cf.request.method"),
    ({"uri": 5}, "Records[0].cf.request.uri"),
    ({"uri": "posts"}, "Records[0].cf.request.uri"),
    ({"querystring": 1}, "Records[0].cf.request.querystring"),
    ({"headers": "host"}, "Records[0].cf.request.headers"),
    ({"headers": {"host": "example.com"}}, "Records[0].cf.request.headers"),
    ({"headers": {"host": ["example.com"]}}, "Records[0].cf.request.headers"),
    ({"headers": {"host": [{"key": "Host", "value": 1}]}}, "Records[0].cf.request.headers"),
    ({"clientIp": "unknown"}, "Records[0].cf.request.clientIp"),
    ({"body": "e30="}, "Records[0].cf.request.body"),
]


@pytest.mark.parametrize(("fields", "field"), MALFORMED)
def test_j41_malformed_field_is_a_400_naming_it(fields: dict[str, Any], field: str) -> None:
    app = RecordingApp()
    result = call(edge_event(**fields), app)
    assert (result["status"], result["statusDescription"]) == ("400", "Bad Request")
    assert repr(field) in result_body(result).decode()
    assert app.calls == 0


def test_j41_malformed_config_is_a_400() -> None:
    event = load_event("edge_viewer_request")
    event["Records"][0]["cf"]["config"] = "viewer-request"
    result = call(event, RecordingApp())
    assert result["status"] == "400"
    assert "Records[0].cf.config" in result_body(result).decode()


# --- item 42: the body ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            {"action": "read-only", "data": base64.b64encode(b"\x00\xff").decode(), "encoding": "base64"},
            b"\x00\xff",
        ),
        (
            {"action": "read-only", "data": "café", "encoding": "text", "inputTruncated": False},
            "café".encode(),
        ),
        ({"data": "aGk="}, b"hi"),  # CloudFront exposes the body base64-encoded: the default
        ({"action": "read-only", "data": "", "encoding": "base64", "inputTruncated": False}, b""),
        ({"action": "read-only", "inputTruncated": False}, b""),
    ],
)
def test_j42_body_is_decoded_by_its_encoding(body: dict[str, Any], expected: bytes) -> None:
    app = RecordingApp()
    run(edge_event("edge_origin_request", body=body), app)
    assert app.body == expected
    assert app.environ["CONTENT_LENGTH"] == str(len(expected))


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"data": "%%%", "encoding": "base64"}, "body.data"),
        ({"data": 1, "encoding": "base64"}, "body.data"),
        ({"data": "aGk=", "encoding": "gzip"}, "body.encoding"),
    ],
)
def test_j42_undecodable_body_is_a_400(body: dict[str, Any], field: str) -> None:
    result = call(edge_event("edge_origin_request", body=body), RecordingApp())
    assert result["status"] == "400"
    assert field in result_body(result).decode()


@pytest.mark.parametrize(("trigger", "limit"), [("viewer-request", "40 KB"), ("origin-request", "1 MB")])
def test_j42_truncated_body_is_a_413_never_a_partial_request(trigger: str, limit: str) -> None:
    body = {"action": "read-only", "data": "aGk=", "encoding": "base64", "inputTruncated": True}
    app = RecordingApp()
    result = call(with_trigger(edge_event("edge_origin_request", body=body), trigger), app)
    assert (result["status"], result["statusDescription"]) == ("413", reason_phrase(413))
    message = result_body(result).decode()
    assert "inputTruncated" in message
    assert limit in message
    assert app.calls == 0


# --- item 43: the result --------------------------------------------------------------------------------


def test_j43_result_is_cloudfront_response_object() -> None:
    app = RecordingApp(
        headers=[("Content-Type", "text/html; charset=utf-8"), ("X-Frame-Options", "DENY")], body=b"<p>hi</p>"
    )
    result = call(load_event("edge_viewer_request"), app)
    assert result == {
        "status": "200",
        "statusDescription": "OK",
        "headers": {
            "content-type": [{"key": "Content-Type", "value": "text/html; charset=utf-8"}],
            "x-frame-options": [{"key": "X-Frame-Options", "value": "DENY"}],
        },
        "body": "<p>hi</p>",
        "bodyEncoding": "text",
    }


def test_j43_custom_reason_phrase_is_the_status_description() -> None:
    result = call(load_event("edge_viewer_request"), RecordingApp(status="299 Custom Thing"))
    assert (result["status"], result["statusDescription"]) == ("299", "Custom Thing")
    result = call(load_event("edge_viewer_request"), RecordingApp(status="299"))
    assert result["statusDescription"] == "Unknown"


def test_j43_repeated_headers_are_entries_of_one_list_in_order() -> None:
    headers = [
        ("Set-Cookie", "a=1; Path=/"),
        ("set-cookie", "b=2; Expires=Wed, 09 Jun 2021 10:18:14 GMT"),
        ("Vary", "Accept"),
    ]
    result = call(load_event("edge_viewer_request"), RecordingApp(headers=headers))
    assert result["headers"]["set-cookie"] == [
        {"key": "Set-Cookie", "value": "a=1; Path=/"},
        {"key": "Set-Cookie", "value": "b=2; Expires=Wed, 09 Jun 2021 10:18:14 GMT"},
    ]
    assert result["headers"]["vary"] == [{"key": "Vary", "value": "Accept"}]


def test_j43_binary_body_is_base64_encoded() -> None:
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(32))
    result = call(
        load_event("edge_origin_request"), RecordingApp(headers=[("Content-Type", "image/png")], body=png)
    )
    assert result["bodyEncoding"] == "base64"
    assert result_body(result) == png


@pytest.mark.parametrize(
    ("status", "method"), [("204 No Content", "GET"), ("200 OK", "HEAD"), ("304 Not Modified", "GET")]
)
def test_j43_no_body_key_without_a_body(status: str, method: str) -> None:
    # CloudFront answers 502 to a 204 that carries a body, even an empty string.
    result = call(edge_event(method=method), RecordingApp(status=status, body=b"ignored"))
    assert "body" not in result
    assert "bodyEncoding" not in result


@pytest.mark.parametrize("status", ["101 Switching Protocols", "199 Early", "600 Beyond", "999 Nope"])
def test_j43_status_outside_200_599_is_a_logged_500(status: str, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.ERROR, logger="lambda_micro.adapter"):
        result = call(load_event("edge_viewer_request"), RecordingApp(status=status))
    assert result["status"] == "500"
    assert "200 to 599" in caplog.text


def test_j43_app_error_is_a_500_response_object() -> None:
    def broken(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        raise RuntimeError("boom")

    result = call(load_event("edge_origin_request"), broken)
    assert (result["status"], result["statusDescription"]) == ("500", "Internal Server Error")
    assert result_body(result) == b"Internal Server Error"


# --- item 44: headers CloudFront refuses ----------------------------------------------------------------


def test_j44_headers_cloudfront_refuses_are_dropped() -> None:
    refused = [
        ("Content-Length", "2"),
        ("Connection", "keep-alive"),
        ("Keep-Alive", "timeout=5"),
        ("Transfer-Encoding", "chunked"),
        ("Upgrade", "h2c"),
        ("Via", "1.1 app"),
        ("X-Cache", "Miss"),
        ("X-Forwarded-Proto", "https"),
        ("X-Real-IP", "10.0.0.1"),
        ("X-Amzn-RequestId", "abc"),
        ("X-Amz-Cf-Id", "abc"),
        ("X-Edge-Location", "FRA"),
        ("X-Accel-Redirect", "/internal"),
    ]
    kept = [("Content-Type", "text/plain"), ("Cache-Control", "max-age=60"), ("X-Request-Id", "42")]
    for trigger in ("viewer-request", "origin-request"):
        event = with_trigger(load_event("edge_viewer_request"), trigger)
        result = call(event, RecordingApp(headers=[*refused, *kept], body=b"ok"))
        assert sorted(result["headers"]) == ["cache-control", "content-type", "x-request-id"]
        assert result_body(result) == b"ok"


def test_j44_dropped_header_memo_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    from lambda_micro.adapter import edge as edge_module

    monkeypatch.setattr(edge_module, "_DROPPED_MEMO", {})
    monkeypatch.setattr(edge_module, "_MEMO_LIMIT", 1)
    headers = [("Content-Type", "text/plain"), ("Via", "1.1 app"), ("X-Kept", "1")]
    for _ in range(2):
        result = call(load_event("edge_viewer_request"), RecordingApp(headers=headers))
        assert sorted(result["headers"]) == ["content-type", "x-kept"]
    assert edge_module._DROPPED_MEMO == {"content-type": False}


# --- item 45: size limits -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("trigger", "size", "status"),
    [
        ("viewer-request", 30 * 1024, "200"),
        ("viewer-request", 41 * 1024, "502"),
        (None, 41 * 1024, "502"),  # trigger unknown: the smaller, viewer limit
        ("origin-request", 41 * 1024, "200"),
        ("origin-request", 1024 * 1024, "502"),
    ],
)
def test_j45_generated_response_size_limit_of_the_trigger(
    trigger: str | None, size: int, status: str, caplog: pytest.LogCaptureFixture
) -> None:
    event = with_trigger(load_event("edge_viewer_request"), trigger)
    app = RecordingApp(headers=[("Content-Type", "text/plain")], body=b"x" * size)
    with caplog.at_level(logging.ERROR, logger="lambda_micro.adapter"):
        result = call(event, app)
    assert result["status"] == status
    if status == "502":
        assert "Lambda@Edge's limit" in caplog.text
        assert result_body(result) == b"Bad Gateway: response too large"


def test_j45_json_escapes_count_toward_the_viewer_limit() -> None:
    body = b'"' * (24 * 1024)  # 24 KB of quotes: 48 KB once escaped in the result
    result = call(
        load_event("edge_viewer_request"),
        RecordingApp(headers=[("Content-Type", "application/json")], body=body),
    )
    assert result["status"] == "502"


def test_j45_header_wrapping_counts_toward_the_viewer_limit() -> None:
    headers = [("Content-Type", "text/plain")] + [("X-Pad", "v")] * 1200  # ~40 KB of {"key", "value"}
    result = call(load_event("edge_viewer_request"), RecordingApp(headers=headers, body=b"x"))
    assert result["status"] == "502"


def test_j45_flask_app_at_the_edge() -> None:
    from flask import Flask, redirect, request, url_for

    flask_app = Flask(__name__)

    @flask_app.get("/posts/<slug>")
    def post(slug: str) -> Any:
        return redirect(url_for("post", slug=slug.upper(), page=request.args["page"]))

    result = call(load_event("edge_viewer_request"), flask_app)
    assert result["status"] == "302"
    assert ("location", "/posts/HELLO-WORLD?page=2") in result_headers(result)

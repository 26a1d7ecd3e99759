"""Contract section E: the request body."""

from __future__ import annotations

import base64

import pytest
from adapter_kit import RecordingApp, check_result, load_event

from lambda_micro.adapter import make_handler


@pytest.mark.parametrize("method", ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD"])
def test_e23_base64_body_decoded_for_every_method(method: str) -> None:
    app = RecordingApp()
    event = load_event("alb_multi", httpMethod=method)
    make_handler(app)(event, None)
    assert app.body == bytes(range(256))
    assert app.environ["CONTENT_LENGTH"] == "256"


def test_e23_content_length_is_decoded_length() -> None:
    app = RecordingApp()
    make_handler(app)(load_event("http_v2_jwt_authorizer"), None)
    assert app.body == '{"title": "Grüße"}'.encode()
    assert app.environ["CONTENT_LENGTH"] == str(len(app.body))


def test_e23_str_body_is_utf8() -> None:
    app = RecordingApp()
    make_handler(app)(load_event("rest_cognito_authorizer"), None)
    assert app.body == '{"title": "Grüße", "body": "Hello"}'.encode()


@pytest.mark.parametrize(
    "name", ["rest_execute_api_stage", "http_v2_named_stage", "alb_single", "function_url"]
)
def test_e23_null_or_absent_body_is_empty(name: str) -> None:
    app = RecordingApp()
    make_handler(app)(load_event(name, body=None), None)
    assert app.body == b""
    assert app.environ["CONTENT_LENGTH"] == "0"


def test_e23_sam_generated_base64_bodies() -> None:
    for name in ("sam_generate_rest", "sam_generate_http_v2", "sam_generate_alb"):
        app = RecordingApp()
        make_handler(app)(load_event(name), None)
        assert app.body == b'{"test":"body"}'


@pytest.mark.parametrize(
    ("name", "source"),
    [
        ("rest_execute_api_stage", "rest"),
        ("http_v2_default_stage", "http-2.0"),
        ("alb_multi", "alb"),
        ("alb_single", "alb"),
        ("function_url", "url"),
        ("http_v1", "http-1.0"),
    ],
)
@pytest.mark.parametrize("body", ["not base64!", "YW=j", "abc", "ä"])
def test_e23_invalid_base64_is_a_400_for_the_source(name: str, source: str, body: str) -> None:
    app = RecordingApp()
    result = check_result(make_handler(app)(load_event(name, body=body, isBase64Encoded=True), None), source)
    assert result["statusCode"] == 400
    assert app.calls == 0
    assert "body" in result["body"]
    if source == "alb":
        assert result["statusDescription"] == "400 Bad Request"
        assert ("multiValueHeaders" in result) == (name == "alb_multi")


def test_e23_valid_base64_of_binary() -> None:
    app = RecordingApp()
    payload = b"\x89PNG\r\n\x1a\n\x00\xff"
    event = load_event("function_url", body=base64.b64encode(payload).decode(), isBase64Encoded=True)
    make_handler(app)(event, None)
    assert app.body == payload

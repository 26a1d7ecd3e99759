"""parse_result: results are checked as strictly as API Gateway and ALB check them."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from lambda_micro.local.results import HttpResult, InvalidResult, parse_result


def test_parse_result_rest_merges_headers_and_decodes_body() -> None:
    result = parse_result(
        {
            "statusCode": 201,
            "headers": {"Content-Type": "text/plain", "Vary": "ignored"},
            "multiValueHeaders": {"Set-Cookie": ["a=1", "b=2"], "Vary": ["Accept", "Cookie"]},
            "body": "héllo",
            "isBase64Encoded": False,
        },
        "1.0",
    )
    assert result.status == 201
    assert result.headers == [
        ("Content-Type", "text/plain"),
        ("Set-Cookie", "a=1"),
        ("Set-Cookie", "b=2"),
        ("Vary", "Accept"),
        ("Vary", "Cookie"),
    ]
    assert result.body == "héllo".encode()
    assert result.header("content-type") == "text/plain"
    assert result.header("missing") is None


def test_parse_result_base64_body() -> None:
    png = b"\x89PNG\x00"
    result = parse_result(
        {"statusCode": 200, "body": base64.b64encode(png).decode(), "isBase64Encoded": True}, "1.0"
    )
    assert result.body == png
    assert result.is_base64_encoded


@pytest.mark.parametrize("payload", ["1.0", "alb", "alb-multi"])
@pytest.mark.parametrize(
    ("result", "message"),
    [
        ({"statusCode": 200, "extra": 1}, "unknown key 'extra'"),
        ({"statusCode": "200"}, "statusCode must be an int, got str '200'"),
        ({"statusCode": True}, "statusCode must be an int"),
        ({"statusCode": 700}, "not an HTTP status"),
        ({"body": "x"}, "statusCode is missing"),
        ({"statusCode": 200, "body": {"a": 1}}, "body must be a string, got dict"),
        ({"statusCode": 200, "body": "***", "isBase64Encoded": True}, "not valid base64"),
        ({"statusCode": 200, "body": "", "isBase64Encoded": "true"}, "isBase64Encoded must be a bool"),
        ({"statusCode": 200, "headers": {"X-Count": 1}}, "header 'X-Count' must be a string"),
        ({"statusCode": 200, "headers": ["a"]}, "headers must be an object"),
        ({"statusCode": 200, "headers": {"X": "é✓"}}, "not latin-1"),
        ("hello", "must be an object with statusCode, got str"),
        ({"statusCode": 200, "body": b"x"}, "not JSON-serialisable"),
    ],
)
def test_parse_result_rejects_what_the_source_rejects(payload: str, result: Any, message: str) -> None:
    with pytest.raises(InvalidResult, match="invalid Lambda result") as info:
        parse_result(result, payload)
    assert message in str(info.value)
    assert isinstance(info.value, AssertionError)


def test_parse_result_rest_multi_value_shapes() -> None:
    with pytest.raises(InvalidResult, match=r"multiValueHeaders\['X'\] must be a list of strings"):
        parse_result({"statusCode": 200, "multiValueHeaders": {"X": "a"}}, "1.0")
    with pytest.raises(InvalidResult, match="multiValueHeaders must be an object"):
        parse_result({"statusCode": 200, "multiValueHeaders": []}, "1.0")
    with pytest.raises(InvalidResult, match="unknown key"):
        parse_result({"statusCode": 200, "cookies": ["a=1"]}, "1.0")
    with pytest.raises(InvalidResult, match="unknown key"):
        parse_result({"statusCode": 200, "statusDescription": "200 OK"}, "1.0")
    assert parse_result({"statusCode": 204, "body": None, "isBase64Encoded": None}, "1.0") == HttpResult(204)


def test_parse_result_alb_status_description_and_modes() -> None:
    ok = parse_result(
        {"statusCode": 200, "statusDescription": "200 OK", "headers": {"A": "1"}, "body": "x"}, "alb"
    )
    assert ok.status == 200
    assert ok.headers == [("A", "1")]
    with pytest.raises(InvalidResult, match="does not start with the status code 200"):
        parse_result({"statusCode": 200, "statusDescription": "404 Not Found"}, "alb")
    with pytest.raises(InvalidResult, match="statusDescription must be a string"):
        parse_result({"statusCode": 200, "statusDescription": 200}, "alb")
    with pytest.raises(InvalidResult, match="must use multiValueHeaders"):
        parse_result({"statusCode": 200, "headers": {"A": "1"}}, "alb-multi")
    with pytest.raises(InvalidResult, match="must use headers"):
        parse_result({"statusCode": 200, "multiValueHeaders": {"A": ["1"]}}, "alb")
    multi = parse_result(
        {"statusCode": 200, "multiValueHeaders": {"Set-Cookie": ["a=1", "b=2"]}}, "alb-multi"
    )
    assert multi.headers == [("Set-Cookie", "a=1"), ("Set-Cookie", "b=2")]


@pytest.mark.parametrize("payload", ["2.0", "url"])
def test_parse_result_v2_cookies_and_lenient_shapes(payload: str) -> None:
    result = parse_result(
        {"statusCode": 302, "headers": {"Location": "/x"}, "cookies": ["a=1; Path=/", "b=2"], "body": ""},
        payload,
    )
    assert result.status == 302
    assert result.headers == [("Location", "/x"), ("Set-Cookie", "a=1; Path=/"), ("Set-Cookie", "b=2")]
    # Without statusCode the HTTP API answers 200 with the JSON of whatever was returned.
    assert parse_result({"message": "hi"}, payload) == HttpResult(
        200, [("Content-Type", "application/json")], b'{"message": "hi"}'
    )
    assert parse_result("hello", payload).body == b'"hello"'
    assert parse_result(None, payload).body == b"null"
    with pytest.raises(InvalidResult, match="cookies must be a list of strings"):
        parse_result({"statusCode": 200, "cookies": "a=1"}, payload)
    with pytest.raises(InvalidResult, match="statusCode must be an int"):
        parse_result({"statusCode": "200"}, payload)
    with pytest.raises(InvalidResult, match="not valid base64"):
        parse_result({"statusCode": 200, "body": "%%", "isBase64Encoded": True}, payload)


def test_parse_result_unknown_payload() -> None:
    with pytest.raises(ValueError, match="unknown payload"):
        parse_result({}, "3.0")

"""parse_result for VPC Lattice and Lambda@Edge: what each service accepts, and what it rejects, named."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from lambda_micro import App, Response
from lambda_micro.adapter import make_handler
from lambda_micro.adapter.result import EDGE_ORIGIN_LIMIT, EDGE_VIEWER_LIMIT
from lambda_micro.local.events import build_event
from lambda_micro.local.results import InvalidResult, parse_result

# -- VPC Lattice ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("source", ["lattice-1.0", "lattice-2.0"])
def test_parse_result_lattice_accepts_the_documented_response(source: str) -> None:
    result = parse_result(
        {
            "statusCode": 201,
            "statusDescription": "201 Created",
            "headers": {"Content-Type": "application/json", "Set-Cookie": "a=1", "SET-COOKIE": "b=2"},
            "body": '{"id": 7}',
            "isBase64Encoded": False,
        },
        source,
    )
    assert result.status == 201
    assert result.headers == [
        ("Content-Type", "application/json"),
        ("Set-Cookie", "a=1"),
        ("SET-COOKIE", "b=2"),
    ]
    assert result.body == b'{"id": 7}'
    png = parse_result(
        {"statusCode": 200, "body": base64.b64encode(b"\x89PNG").decode(), "isBase64Encoded": True}, source
    )
    assert png.body == b"\x89PNG"
    assert png.is_base64_encoded


@pytest.mark.parametrize("source", ["lattice-1.0", "lattice-2.0"])
@pytest.mark.parametrize(
    ("result", "message"),
    [
        ({"statusCode": 200, "multiValueHeaders": {"X": ["1"]}}, "unknown key 'multiValueHeaders'"),
        ({"statusCode": 200, "cookies": ["a=1"]}, "unknown key 'cookies'"),
        ({"statusCode": "200"}, "statusCode must be an int, got str '200'"),
        ({"statusCode": 99}, "not an HTTP status"),
        ({"body": "x"}, "statusCode is missing"),
        ({"statusCode": 200, "statusDescription": "OK"}, "does not start with the status code 200"),
        ({"statusCode": 200, "statusDescription": 200}, "statusDescription must be a string"),
        ({"statusCode": 200, "headers": {"X": ["1", "2"]}}, "header 'X' must be a string, got list"),
        ({"statusCode": 200, "body": {"a": 1}}, "body must be a string, got dict"),
        ({"statusCode": 200, "body": "***", "isBase64Encoded": True}, "not valid base64"),
        ({"statusCode": 200, "isBase64Encoded": "false"}, "isBase64Encoded must be a bool"),
        (["statusCode", 200], "the result must be an object with statusCode, got list"),
    ],
)
def test_parse_result_lattice_rejects(source: str, result: Any, message: str) -> None:
    with pytest.raises(InvalidResult, match="VPC Lattice would reject it") as caught:
        parse_result(result, source)
    assert message in str(caught.value)


# -- Lambda@Edge ---------------------------------------------------------------------------------------------


def edge(**fields: Any) -> dict[str, Any]:
    return {"status": "200", "statusDescription": "OK", "headers": {}, **fields}


@pytest.mark.parametrize("payload", ["edge", "edge-origin"])
def test_parse_result_edge_accepts_cloudfronts_response_object(payload: str) -> None:
    result = parse_result(
        edge(
            status="302",
            statusDescription="Found",
            headers={
                "location": [{"key": "Location", "value": "/there"}],
                "set-cookie": [{"key": "Set-Cookie", "value": "a=1"}, {"key": "set-cookie", "value": "b=2"}],
                "cache-control": [{"value": "no-store"}],  # "key" is optional: the name stands for it
            },
            body="moved",
            bodyEncoding="text",
        ),
        payload,
    )
    assert result.status == 302
    assert result.headers == [
        ("Location", "/there"),
        ("Set-Cookie", "a=1"),
        ("set-cookie", "b=2"),
        ("cache-control", "no-store"),
    ]
    assert result.body == b"moved"
    binary = parse_result(edge(body=base64.b64encode(b"\x00\xff").decode(), bodyEncoding="base64"), payload)
    assert binary.body == b"\x00\xff"
    assert binary.is_base64_encoded
    bare = parse_result({"status": "204"}, payload)
    assert (bare.status, bare.headers, bare.body) == (204, [], b"")


@pytest.mark.parametrize(
    ("result", "message"),
    [
        (edge(status=200), "status must be a string of three digits ('200'), got 200"),
        (edge(status="2OO"), "status must be a string of three digits"),
        (edge(status="²００"), "status must be a string of three digits"),
        (edge(status="199"), "status 199: CloudFront accepts 200 to 599"),
        (edge(status="600"), "status 600: CloudFront accepts 200 to 599"),
        ({"statusCode": 200, "body": "x"}, "status is missing"),
        (edge(isBase64Encoded=True), "unknown key 'isBase64Encoded'"),
        (edge(statusDescription=404), "statusDescription must be a string"),
        (edge(headers=[["x", "1"]]), "headers must be an object, got list"),
        (
            edge(headers={"X-Custom": [{"key": "X-Custom", "value": "1"}]}),
            "header name 'X-Custom' must be lower-case",
        ),
        (
            edge(headers={"x-custom": "1"}),
            "headers['x-custom'] must be a list of {'key', 'value'} objects, got str",
        ),
        (edge(headers={"x-custom": ["1"]}), "headers['x-custom'] entries must be {'key': str, 'value': str}"),
        (edge(headers={"x-custom": [{"key": "X-Custom", "value": 1}]}), "entries must be {'key': str"),
        (edge(headers={"x-custom": [{"key": "X", "value": "1", "extra": 1}]}), "entries must be {'key': str"),
        (edge(headers={"x-custom": [{"key": "X-Other", "value": "1"}]}), "key 'X-Other' is another header's"),
        (edge(headers={"x-custom": [{"key": "X-Custom", "value": "é✓"}]}), "not latin-1"),
        (edge(body=42), "body must be a string, got int"),
        (edge(body="x", bodyEncoding="gzip"), "bodyEncoding must be 'text' or 'base64', got 'gzip'"),
        (edge(body="***", bodyEncoding="base64"), "not valid base64"),
        (edge(status="204", body=""), "a 204 response has a body key"),
        ("hello", "the result must be a response object with status, got str"),
    ],
)
def test_parse_result_edge_rejects(result: Any, message: str) -> None:
    with pytest.raises(InvalidResult, match=r"CloudFront \(viewer request\) would reject it") as caught:
        parse_result(result, "edge")
    assert message in str(caught.value)


@pytest.mark.parametrize(
    "name",
    ["connection", "content-length", "host", "transfer-encoding", "via", "x-forwarded-proto", "x-real-ip",
     "x-amz-cf-pop", "x-amzn-requestid", "x-edge-location", "x-accel-redirect", "if-none-match"],
)  # fmt: skip
def test_parse_result_edge_rejects_the_headers_cloudfront_refuses(name: str) -> None:
    with pytest.raises(InvalidResult, match=f"header '{name}' is one CloudFront refuses"):
        parse_result(edge(headers={name: [{"key": name, "value": "x"}]}), "edge")


def test_parse_result_edge_returned_request_is_named() -> None:
    event = build_event("GET", "/", payload="edge")
    with pytest.raises(InvalidResult, match="the function returned the request: CloudFront would send it on"):
        parse_result(event["Records"][0]["cf"]["request"], "edge")


@pytest.mark.parametrize(
    ("payload", "limit", "trigger"),
    [
        ("edge", EDGE_VIEWER_LIMIT, "a viewer request"),
        ("edge-origin", EDGE_ORIGIN_LIMIT, "an origin request"),
    ],
)
def test_parse_result_edge_size_limit_of_the_trigger(payload: str, limit: int, trigger: str) -> None:
    overhead = len('{"status": "200", "statusDescription": "OK", "headers": {}, "body": ""}')
    assert parse_result(edge(body="a" * (limit - overhead)), payload).status == 200
    with pytest.raises(InvalidResult, match=f"over Lambda@Edge's limit of {limit} bytes for {trigger}"):
        parse_result(edge(body="a" * (limit - overhead + 1)), payload)
    # UTF-8 bytes count (the runtime sends JSON unescaped), and so does the {"key", "value"} wrapping.
    with pytest.raises(InvalidResult, match="over Lambda@Edge's limit"):
        parse_result(edge(body="é" * ((limit - overhead) // 2 + 1)), payload)
    many = {f"x-h{i}": [{"key": f"X-H{i}", "value": "v"}] for i in range(limit // 30)}
    with pytest.raises(InvalidResult, match="over Lambda@Edge's limit"):
        parse_result(edge(headers=many), payload)


def test_parse_result_edge_trigger_keyword_matches_the_spelling() -> None:
    big = edge(body="a" * EDGE_VIEWER_LIMIT)
    assert parse_result(big, "edge", edge_trigger="origin-request").status == 200
    assert parse_result(big, "edge-origin").status == 200
    with pytest.raises(InvalidResult, match="viewer request"):
        parse_result(big, "edge", edge_trigger="viewer-request")


@pytest.mark.parametrize("payload", ["lattice-1.0", "lattice-2.0", "edge", "edge-origin"])
def test_parse_result_accepts_what_the_adapter_answers(payload: str) -> None:
    """Every result the adapter builds for these sources passes the checks (both sides of one contract)."""
    app = App(__name__)

    @app.get("/")
    def index() -> Response:
        response = Response(b"\x89PNG\x00", mimetype="image/png")
        response.set_cookie("a", "1")
        response.set_cookie("b", "2")
        response.headers["Content-Length"] = "5"  # CloudFront refuses it: the adapter drops it for Edge
        return response

    result = make_handler(app)(build_event("GET", "/", payload=payload), None)
    parsed = parse_result(result, payload)
    assert parsed.status == 200
    assert parsed.body == b"\x89PNG\x00"
    assert [v for k, v in parsed.headers if k.lower() == "set-cookie"] == ["a=1; Path=/", "b=2; Path=/"]

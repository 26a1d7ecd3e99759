"""build_event: every payload is well formed by AWS's own event models, and carries what was sent."""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, quote, unquote

import pytest
from aws_lambda_powertools.utilities.parser.models import (
    AlbModel,
    APIGatewayProxyEventModel,
    APIGatewayProxyEventV2Model,
    LambdaFunctionUrlModel,
)
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from lambda_micro.local.events import (
    build_event,
    cognito_authorizer,
    iam_authorizer,
    is_text_content_type,
    jwt_authorizer,
    lambda_authorizer,
    path_parameter_values,
)

NOW = datetime(2020, 3, 12, 19, 3, 58, 390000, tzinfo=UTC)

MODELS: dict[str, type[BaseModel]] = {
    "1.0": APIGatewayProxyEventModel,
    "2.0": APIGatewayProxyEventV2Model,
    "alb": AlbModel,
    "url": LambdaFunctionUrlModel,
}


def _validate(event: dict[str, Any], payload: str) -> None:
    if payload == "alb-multi":
        # AlbModel only describes single-value mode; multi-value mode has the multi-value maps instead.
        assert "headers" not in event
        assert "queryStringParameters" not in event
        single = dict(event)
        single["headers"] = {name: values[-1] for name, values in event.pop("multiValueHeaders").items()}
        single["queryStringParameters"] = {
            name: values[-1] for name, values in event.pop("multiValueQueryStringParameters").items()
        }
        single.pop("multiValueHeaders", None)
        single.pop("multiValueQueryStringParameters", None)
        AlbModel.model_validate(single)
        return
    MODELS[payload].model_validate(event)


@pytest.mark.parametrize("payload", ["1.0", "2.0", "alb", "alb-multi", "url"])
@pytest.mark.parametrize("method", ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"])
def test_build_event_validates_against_aws_models(payload: str, method: str) -> None:
    event = build_event(
        method,
        "/posts/hello world",
        payload=payload,
        query={"q": ["a", "b"], "page": "2"},
        headers=[("Content-Type", "application/json"), ("Accept", "text/html"), ("Accept", "*/*")],
        body=b'{"title": "x"}' if method in ("POST", "PUT", "PATCH") else None,
        cookies={"session": "abc"},
        now=NOW,
    )
    _validate(event, payload)


@pytest.mark.parametrize("payload", ["1.0", "2.0"])
@pytest.mark.parametrize(
    "authorizer",
    [
        cognito_authorizer({"sub": "u-1", "email": "a@example.com"}),
        jwt_authorizer({"sub": "u-1"}, ["posts/write"]),
        lambda_authorizer({"tenant": "acme", "level": 3}, principal_id="u-1"),
        iam_authorizer(),
    ],
)
def test_build_event_authorizers_validate(payload: str, authorizer: dict[str, Any]) -> None:
    _validate(build_event("GET", "/", payload=payload, authorizer=authorizer), payload)
    _validate(build_event("GET", "/", payload=payload, stage="$default", authorizer=authorizer), payload)


def test_build_event_rest_shape() -> None:
    event = build_event(
        "get",
        "/posts/caf%C3%A9",
        payload="1.0",
        query="tag=a%2Bb&tag=c&empty=&flag",
        headers={"User-Agent": "curl/8", "Cookie": "a=1"},
        cookies=["b=2"],
        resource="/posts/{slug}",
        path_parameters={"slug": "café"},
        stage_variables={"env": "test"},
        request_id="c6af9ac6-7b61-11e6-9a41-93e8deadbeef",
        now=NOW,
    )
    assert event["httpMethod"] == "GET"
    assert "version" not in event  # REST APIs do not send one
    assert event["resource"] == "/posts/{slug}"
    assert event["path"] == "/posts/caf%C3%A9"
    assert event["pathParameters"] == {"slug": "café"}
    assert event["stageVariables"] == {"env": "test"}
    assert event["queryStringParameters"] == {"tag": "c", "empty": "", "flag": ""}
    assert event["multiValueQueryStringParameters"] == {"tag": ["a+b", "c"], "empty": [""], "flag": [""]}
    assert event["headers"]["Cookie"] == "a=1; b=2"
    assert event["multiValueHeaders"]["User-Agent"] == ["curl/8"]
    assert event["headers"]["Host"] == "a1b2c3d4e5.execute-api.us-east-1.amazonaws.com"
    assert event["headers"]["X-Forwarded-Proto"] == "https"
    assert event["headers"]["X-Forwarded-Port"] == "443"
    assert event["headers"]["X-Forwarded-For"] == "127.0.0.1"
    assert event["headers"]["X-Amzn-Trace-Id"].startswith("Root=1-5e6a879e-")
    assert event["body"] is None
    assert event["isBase64Encoded"] is False
    context = event["requestContext"]
    assert context["stage"] == "Prod"
    assert context["path"] == "/Prod/posts/caf%C3%A9"
    assert context["resourcePath"] == "/posts/{slug}"
    assert context["httpMethod"] == "GET"
    assert context["requestTime"] == "12/Mar/2020:19:03:58 +0000"
    assert context["requestTimeEpoch"] == 1584039838390
    assert context["requestId"] == "c6af9ac6-7b61-11e6-9a41-93e8deadbeef"
    assert context["extendedRequestId"]
    assert context["identity"]["sourceIp"] == "127.0.0.1"
    assert context["identity"]["userAgent"] == "curl/8"
    assert context["domainName"] == "a1b2c3d4e5.execute-api.us-east-1.amazonaws.com"
    assert context["domainPrefix"] == context["apiId"] == "a1b2c3d4e5"
    assert context["accountId"] == "123456789012"
    assert context["protocol"] == "HTTP/1.1"


def test_build_event_rest_custom_domain_has_no_stage_in_path() -> None:
    event = build_event("GET", "/x", payload="1.0", stage="v1", domain_name="api.example.com")
    assert event["requestContext"]["path"] == "/x"
    assert event["requestContext"]["stage"] == "v1"
    assert event["headers"]["Host"] == "api.example.com"
    local = build_event("GET", "/x", payload="1.0", domain_name="127.0.0.1:3000", scheme="http")
    assert local["headers"]["Host"] == "127.0.0.1:3000"
    assert local["headers"]["X-Forwarded-Port"] == "80"
    assert local["requestContext"]["domainName"] == "127.0.0.1:3000"


def test_build_event_http_api_payload_1_0() -> None:
    event = build_event("GET", "/items", payload="1.0", stage="$default", resource="/items")
    assert event["version"] == "1.0"
    assert event["requestContext"]["stage"] == "$default"
    assert event["requestContext"]["routeKey"] == "GET /items"
    assert event["path"] == "/items"
    named = build_event("GET", "/items", payload="1.0", stage="dev", api_kind="http")
    assert named["version"] == "1.0"
    assert named["path"] == "/dev/items"
    binary = build_event(
        "POST", "/b", payload="1.0", stage="$default", body=b"\x89PNG", headers={"Content-Type": "image/png"}
    )
    assert binary["isBase64Encoded"] is True
    assert base64.b64decode(binary["body"]) == b"\x89PNG"
    with pytest.raises(ValueError, match="api_kind"):
        build_event("GET", "/", payload="1.0", api_kind="grpc")


def test_build_event_rest_base64_only_for_binary_media_types() -> None:
    png = b"\x89PNG\r\n\x1a\n\x00\x00"
    as_text = build_event("POST", "/u", payload="1.0", body=png, headers={"Content-Type": "image/png"})
    assert as_text["isBase64Encoded"] is False  # API Gateway treats it as text without BinaryMediaTypes
    encoded = build_event(
        "POST",
        "/u",
        payload="1.0",
        body=png,
        headers={"Content-Type": "image/png"},
        binary_media_types=["image/*"],
    )
    assert encoded["isBase64Encoded"] is True
    assert base64.b64decode(encoded["body"]) == png
    everything = build_event(
        "POST",
        "/u",
        payload="1.0",
        body="{}",
        headers={"Content-Type": "application/json"},
        binary_media_types=["*/*"],
    )
    assert everything["isBase64Encoded"] is True


def test_build_event_v2_shape() -> None:
    event = build_event(
        "POST",
        "/posts/caf%C3%A9",
        query="a=1&a=2&e=1%2C2",
        headers=[
            ("X-Custom", "1"),
            ("x-custom", "2"),
            ("Cookie", "a=1; b=2"),
            ("Content-Type", "text/plain"),
        ],
        cookies={"c": "3"},
        body="héllo",
        resource="/posts/{slug}",
        path_parameters={"slug": "café"},
        now=NOW,
    )
    assert event["version"] == "2.0"
    assert event["rawPath"] == "/posts/café"  # HTTP APIs hand over the decoded path
    assert event["rawQueryString"] == "a=1&a=2&e=1%2C2"
    assert event["queryStringParameters"] == {"a": "1,2", "e": "1,2"}
    assert event["headers"]["x-custom"] == "1,2"
    assert "cookie" not in event["headers"]
    assert event["cookies"] == ["a=1", "b=2", "c=3"]
    assert event["headers"]["content-length"] == str(len("héllo".encode()))
    assert event["body"] == "héllo"
    assert event["isBase64Encoded"] is False
    assert event["routeKey"] == "POST /posts/{slug}"
    assert event["pathParameters"] == {"slug": "café"}
    context = event["requestContext"]
    assert context["routeKey"] == "POST /posts/{slug}"
    assert context["http"] == {
        "method": "POST",
        "path": "/posts/café",
        "protocol": "HTTP/1.1",
        "sourceIp": "127.0.0.1",
        "userAgent": "",
    }
    assert context["time"] == "12/Mar/2020:19:03:58 +0000"
    assert context["timeEpoch"] == 1584039838390
    assert context["stage"] == "$default"
    assert context["domainName"].endswith(".execute-api.us-east-1.amazonaws.com")


def test_build_event_v2_named_stage_and_defaults() -> None:
    event = build_event("GET", "/x", stage="dev")
    assert event["rawPath"] == "/dev/x"
    assert event["requestContext"]["http"]["path"] == "/dev/x"
    assert event["routeKey"] == "$default"
    assert "queryStringParameters" not in event
    assert "cookies" not in event
    assert "body" not in event
    assert event["rawQueryString"] == ""


def test_build_event_v2_base64_for_non_text() -> None:
    binary = build_event("POST", "/u", body=b"\x00\x01", headers={"Content-Type": "application/octet-stream"})
    assert binary["isBase64Encoded"] is True
    assert base64.b64decode(binary["body"]) == b"\x00\x01"
    no_type = build_event("POST", "/u", body="plain")
    assert no_type["isBase64Encoded"] is True
    bad_utf8 = build_event("POST", "/u", body=b"\xff", headers={"Content-Type": "text/plain"})
    assert bad_utf8["isBase64Encoded"] is True
    json_body = build_event("POST", "/u", body="{}", headers={"Content-Type": "application/vnd.api+json"})
    assert json_body["isBase64Encoded"] is False


def test_build_event_query_from_path_and_pairs() -> None:
    assert build_event("GET", "/x?a=1&b=2")["rawQueryString"] == "a=1&b=2"
    assert build_event("GET", "/x?a=1", query={"b": "2"})["rawQueryString"] == "b=2"
    pairs = build_event("GET", "/x", query=[("a", "1 2"), ("a", "é")])
    assert pairs["rawQueryString"] == "a=1%202&a=%C3%A9"
    assert pairs["queryStringParameters"] == {"a": "1 2,é"}


def test_build_event_alb_single_and_multi() -> None:
    single = build_event(
        "GET",
        "/lambda",
        payload="alb",
        query="x=foo%3Dbar&x=second&y=%20",
        headers=[("Accept", "a"), ("Accept", "b"), ("User-Agent", "ua")],
        now=NOW,
    )
    assert single["requestContext"]["elb"]["targetGroupArn"].startswith(
        "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/"
    )
    assert single["queryStringParameters"] == {"x": "second", "y": "%20"}
    assert single["headers"]["accept"] == "b"
    assert single["headers"]["x-forwarded-proto"] == "http"
    assert single["headers"]["x-forwarded-port"] == "80"
    assert single["body"] == ""
    assert single["isBase64Encoded"] is False
    assert "multiValueHeaders" not in single
    multi = build_event(
        "GET",
        "/lambda",
        payload="alb-multi",
        query="x=foo%3Dbar&x=second",
        headers=[("Accept", "a"), ("Accept", "b")],
    )
    assert multi["multiValueQueryStringParameters"] == {"x": ["foo%3Dbar", "second"]}
    assert multi["multiValueHeaders"]["accept"] == ["a", "b"]
    assert "headers" not in multi
    with pytest.raises(ValueError, match="no authorizer"):
        build_event("GET", "/", payload="alb", authorizer=cognito_authorizer({}))


def test_build_event_function_url() -> None:
    event = build_event("GET", "/a%20b", payload="url", query="q=1", now=NOW)
    context = event["requestContext"]
    assert context["domainName"].endswith(".lambda-url.us-east-1.on.aws")
    assert context["domainPrefix"] == context["apiId"] == context["domainName"].split(".")[0]
    assert context["stage"] == "$default"
    assert context["routeKey"] == "$default"
    assert context["accountId"] == "anonymous"
    assert event["rawPath"] == "/a%20b"
    assert event["headers"]["host"] == context["domainName"]
    iam = build_event("GET", "/", payload="url", authorizer=iam_authorizer(account_id="111122223333"))
    assert iam["requestContext"]["authorizer"]["iam"]["accountId"] == "111122223333"
    assert iam["requestContext"]["accountId"] == "123456789012"
    with pytest.raises(ValueError, match="only has IAM"):
        build_event("GET", "/", payload="url", authorizer=jwt_authorizer({}))


def test_build_event_authorizer_contexts() -> None:
    claims = {"sub": "u-1", "cognito:username": "ada"}
    rest = build_event("GET", "/", payload="1.0", authorizer={"claims": claims})
    assert rest["requestContext"]["authorizer"] == {"claims": claims}
    v2 = build_event("GET", "/", authorizer={"claims": claims})
    assert v2["requestContext"]["authorizer"] == {"jwt": {"claims": claims, "scopes": None}}
    jwt = build_event("GET", "/", authorizer=jwt_authorizer(claims, ["read"]))
    assert jwt["requestContext"]["authorizer"]["jwt"] == {"claims": claims, "scopes": ["read"]}
    lam_rest = build_event(
        "GET", "/", payload="1.0", authorizer=lambda_authorizer({"tenant": "acme"}, principal_id="p")
    )
    assert lam_rest["requestContext"]["authorizer"] == {
        "principalId": "p",
        "integrationLatency": 0,
        "tenant": "acme",
    }
    lam_v2 = build_event("GET", "/", authorizer={"lambda": {"tenant": "acme"}})
    assert lam_v2["requestContext"]["authorizer"] == {"lambda": {"tenant": "acme"}}
    iam_rest = build_event("GET", "/", payload="1.0", authorizer=iam_authorizer())
    assert iam_rest["requestContext"]["identity"]["userArn"] == "arn:aws:iam::123456789012:user/example-user"
    with pytest.raises(ValueError, match="unknown authorizer kind 'oauth'"):
        build_event("GET", "/", authorizer={"oauth": {}})
    with pytest.raises(ValueError, match="takes one of"):
        build_event("GET", "/", authorizer={"claims": {}, "jwt": {}})


def test_build_event_rejects_bad_arguments() -> None:
    with pytest.raises(ValueError, match="unknown payload 'v3'"):
        build_event("GET", "/", payload="v3")
    with pytest.raises(TypeError, match="header names and values must be str"):
        build_event("GET", "/", headers={"X-Count": 1})  # type: ignore[dict-item]


def test_build_event_time_and_ids() -> None:
    first = build_event("GET", "/", now=0.0)
    assert first["requestContext"]["time"] == "01/Jan/1970:00:00:00 +0000"
    assert first["requestContext"]["timeEpoch"] == 0
    naive = build_event("GET", "/", payload="1.0", now=datetime(2015, 4, 9, 12, 34, 56))
    assert naive["requestContext"]["requestTime"] == "09/Apr/2015:12:34:56 +0000"
    assert (
        build_event("GET", "/")["requestContext"]["requestId"]
        != build_event("GET", "/")["requestContext"]["requestId"]
    )


def test_is_text_content_type() -> None:
    for text in (
        "text/html; charset=utf-8",
        "application/json",
        "application/problem+json",
        "image/svg+xml",
        "application/x-www-form-urlencoded",
        "application/xml",
        "application/vnd.api+json",
        "application/x-ndjson",
        "TEXT/CSV",
    ):
        assert is_text_content_type(text), text
    for binary in (None, "", "image/png", "application/octet-stream", "multipart/form-data; boundary=x"):
        assert not is_text_content_type(binary), binary


def test_path_parameter_values() -> None:
    assert path_parameter_values("/posts/{slug}", "/posts/caf%C3%A9") == {"slug": "café"}
    assert path_parameter_values("/{proxy+}", "/a/b/c") == {"proxy": "a/b/c"}
    assert path_parameter_values("/", "/") == {}
    assert path_parameter_values("/posts/{slug}", "/posts/a/b") is None
    assert path_parameter_values("/{proxy+}", "/") is None


# -- properties ---------------------------------------------------------------------------------------

PATH_TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="/?#%"),
    min_size=1,
    max_size=12,
)
NAMES = st.text(alphabet="abcdefghijklmnopqrstuvwxyz-", min_size=1, max_size=10).filter(
    lambda s: s.strip("-")
)
VALUES = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=12)


@settings(max_examples=150, deadline=None)
@given(
    segments=st.lists(PATH_TEXT, min_size=1, max_size=4),
    payload=st.sampled_from(["1.0", "2.0", "alb", "url"]),
)
def test_build_event_path_round_trips(segments: list[str], payload: str) -> None:
    path = "/" + "/".join(segments)
    event = build_event("GET", quote(path), payload=payload)
    if payload == "2.0":
        assert event["rawPath"] == path
    else:
        assert unquote(event["path" if payload in ("1.0", "alb") else "rawPath"]) == path
    _validate(event, payload)


@settings(max_examples=150, deadline=None)
@given(
    pairs=st.lists(st.tuples(NAMES, VALUES), max_size=5), payload=st.sampled_from(["1.0", "2.0", "alb-multi"])
)
def test_build_event_query_round_trips(pairs: list[tuple[str, str]], payload: str) -> None:
    event = build_event("GET", "/", payload=payload, query=pairs)
    expected: dict[str, list[str]] = {}
    for name, value in pairs:
        expected.setdefault(name, []).append(value)
    if payload == "1.0":
        assert (event["multiValueQueryStringParameters"] or {}) == expected
    elif payload == "2.0":
        assert parse_qsl(event["rawQueryString"], keep_blank_values=True) == pairs
    else:
        decoded = {k: [unquote(v) for v in vs] for k, vs in event["multiValueQueryStringParameters"].items()}
        assert decoded == expected


@settings(max_examples=150, deadline=None)
@given(
    headers=st.lists(
        st.tuples(
            NAMES.map(lambda s: "X-" + s),
            st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=10),
        ),
        max_size=5,
    ),
    payload=st.sampled_from(["1.0", "2.0", "alb-multi"]),
)
def test_build_event_headers_round_trip(headers: list[tuple[str, str]], payload: str) -> None:
    event = build_event("GET", "/", payload=payload, headers=headers)
    for name, _ in headers:
        values = [v for n, v in headers if n.lower() == name.lower()]
        if payload == "2.0":
            assert event["headers"][name.lower()] == ",".join(values)
        elif payload == "1.0":
            got = [v for n, vs in event["multiValueHeaders"].items() if n.lower() == name.lower() for v in vs]
            assert got == values
        else:
            assert event["multiValueHeaders"][name.lower()] == values


@settings(max_examples=150, deadline=None)
@given(
    body=st.one_of(st.binary(max_size=64), st.text(max_size=64)),
    content_type=st.sampled_from(["application/json", "text/plain", "image/png", "application/octet-stream"]),
    payload=st.sampled_from(["1.0", "2.0", "alb", "url"]),
)
def test_build_event_body_round_trips(body: bytes | str, content_type: str, payload: str) -> None:
    event = build_event(
        "POST",
        "/",
        payload=payload,
        body=body,
        headers={"Content-Type": content_type},
        binary_media_types=["image/png", "application/octet-stream"],
    )
    data = body.encode() if isinstance(body, str) else body
    received = base64.b64decode(event["body"]) if event["isBase64Encoded"] else event["body"].encode()
    if event["isBase64Encoded"] or payload != "1.0":
        assert received == data
    else:  # REST treats non-binary types as UTF-8 text, as API Gateway does
        assert received == data.decode("utf-8", errors="replace").encode()
    _validate(event, payload)


def test_build_event_derives_path_parameters_from_the_resource() -> None:
    rest = build_event(
        "GET", "/posts/caf%C3%A9/comments/3", payload="1.0", resource="/posts/{slug}/comments/{id}"
    )
    assert rest["pathParameters"] == {"slug": "caf%C3%A9", "id": "3"}  # REST keeps the encoding
    http_v1 = build_event(
        "GET", "/posts/caf%C3%A9", payload="1.0", stage="$default", resource="/posts/{slug}"
    )
    assert http_v1["pathParameters"] == {"slug": "café"}  # HTTP APIs decode
    proxy = build_event("GET", "/static/css/site.css", resource="/static/{proxy+}")
    assert proxy["pathParameters"] == {"proxy": "css/site.css"}
    assert proxy["routeKey"] == "GET /static/{proxy+}"
    assert build_event("GET", "/other", payload="1.0", resource="/posts/{slug}")["pathParameters"] is None
    explicit = build_event(
        "GET", "/posts/x", payload="1.0", resource="/posts/{slug}", path_parameters={"slug": "y"}
    )
    assert explicit["pathParameters"] == {"slug": "y"}


def test_build_event_http_api_1_0_joins_repeated_values() -> None:
    event = build_event(
        "GET",
        "/my/path",
        payload="1.0",
        stage="$default",
        query="p=1&p=2&q=x",
        headers=[("H", "a"), ("H", "b")],
    )
    assert event["headers"]["H"] == "a,b"
    assert event["multiValueHeaders"]["H"] == ["a", "b"]
    assert event["queryStringParameters"] == {"p": "1,2", "q": "x"}
    assert event["multiValueQueryStringParameters"] == {"p": ["1", "2"], "q": ["x"]}

"""build_event for VPC Lattice (v1, v2) and Lambda@Edge: AWS's documented structures, checked by Powertools'
models (Lattice) and the documented Lambda@Edge structure, and round-tripped through the adapter."""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, quote

import pytest
from adapter_kit import RecordingApp, check_edge_event
from aws_lambda_powertools.utilities.parser.models import VpcLatticeModel, VpcLatticeV2Model
from hypothesis import given, settings
from hypothesis import strategies as st

from lambda_micro.adapter import make_handler
from lambda_micro.local.cloudfront import EXPOSED_BODY_LIMIT, CloudFrontFront, cloudfront_request_id
from lambda_micro.local.events import EventRequest, build_event, event_for, iam_authorizer, jwt_authorizer

from .strategies import HEADER_VALUE, NAME, SEGMENT, VALUE

NOW = datetime(2023, 10, 3, 11, 12, 23, 569073, tzinfo=UTC)
METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]
# The fields of requestContext in AWS's documentation of event structure version 2.
LATTICE_CONTEXT = {"serviceNetworkArn", "serviceArn", "targetGroupArn", "identity", "region", "timeEpoch"}


def lattice_v2_as_powertools_reads_it(event: dict[str, Any]) -> dict[str, Any]:
    """Version 2 with its documented list values (AWS's documentation, its Go and Java types) checked, then
    joined into the strings of Powertools' ``VpcLatticeV2Model`` (its samples carry strings)."""
    joined = dict(event)
    for field in ("headers", "queryStringParameters"):
        if field in event:
            values = event[field]
            assert all(
                isinstance(v, list) and v and all(isinstance(i, str) for i in v) for v in values.values()
            )
            joined[field] = {name: ",".join(items) for name, items in values.items()}
    return joined


def request_kwargs(method: str) -> dict[str, Any]:
    return {
        "query": {"q": ["a b", "c"], "page": "2"},
        "headers": [("Content-Type", "application/json"), ("Accept", "text/html"), ("Accept", "*/*")],
        "body": b'{"title": "x"}' if method in ("POST", "PUT", "PATCH") else None,
        "cookies": {"session": "abc"},
        "now": NOW,
    }


# -- VPC Lattice ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("method", METHODS)
def test_build_event_lattice_v1_validates_against_the_powertools_model(method: str) -> None:
    event = build_event(method, "/orders/hello world", payload="lattice-1.0", **request_kwargs(method))
    model = VpcLatticeModel.model_validate(event)
    assert model.method == method
    assert set(event) == {
        "raw_path",
        "method",
        "headers",
        "query_string_parameters",
        "body",
        "is_base64_encoded",
    }


@pytest.mark.parametrize("method", METHODS)
def test_build_event_lattice_v2_is_the_documented_shape_and_validates(method: str) -> None:
    event = build_event(method, "/orders/hello world", payload="lattice-2.0", **request_kwargs(method))
    model = VpcLatticeV2Model.model_validate(lattice_v2_as_powertools_reads_it(event))
    assert model.version == "2.0"
    assert model.method == method
    assert set(event["requestContext"]) == LATTICE_CONTEXT
    assert model.request_context.time_epoch == 1696331543569073  # microseconds, a string in the event


@pytest.mark.parametrize(
    "authorizer",
    [iam_authorizer(), iam_authorizer(user_arn="arn:aws:sts::123456789012:assumed-role/orders/i-0c7de02a")],
)
def test_build_event_lattice_iam_caller_validates(authorizer: dict[str, Any]) -> None:
    VpcLatticeModel.model_validate(build_event("GET", "/", payload="lattice-1.0", authorizer=authorizer))
    event = build_event("GET", "/", payload="lattice-2.0", authorizer=authorizer)
    VpcLatticeV2Model.model_validate(lattice_v2_as_powertools_reads_it(event))


def test_build_event_lattice_v1_shape() -> None:
    event = build_event(
        "post",
        "/orders/caf%C3%A9",
        payload="lattice-1.0",
        query="tag=a%2Bb&tag=c&flag",
        headers=[
            ("X-Tag", "blue"),
            ("x-tag", "green"),
            ("Cookie", "a=1"),
            ("Content-Type", "image/png"),
            ("X-Amzn-Lattice-Identity", "Principal=spoofed"),  # VPC Lattice strips these from a request
        ],
        cookies=["b=2"],
        body=b"\x89PNG\x00",
        source_ip="10.0.12.34",
        now=NOW,
    )
    assert event["method"] == "POST"
    assert event["raw_path"] == "/orders/caf%C3%A9?tag=a%2Bb&tag=c&flag"  # the raw query in the path
    assert event["query_string_parameters"] == {"tag": "a+b,c", "flag": ""}  # decoded, repeats joined
    headers = event["headers"]
    assert all(name == name.lower() for name in headers)
    assert headers["x-tag"] == "blue,green"  # the service joins repeats with commas
    assert headers["cookie"] == "a=1; b=2"
    assert headers["host"] == "lambda-service-0a40eebed65f8d69c.9055c43.vpc-lattice-svcs.us-east-1.on.aws"
    assert headers["x-forwarded-for"] == "10.0.12.34"
    assert headers["x-forwarded-proto"] == "https"
    assert headers["x-forwarded-port"] == "443"
    assert headers["content-length"] == "5"
    assert headers["x-amzn-source-vpc"] == "vpc-0b8276c84697e7339"
    assert headers["x-amzn-lattice-network"].startswith(
        "SourceVpcArn=arn:aws:ec2:us-east-1:123456789012:vpc/"
    )
    assert headers["x-amzn-lattice-target"].startswith(
        "ServiceArn=arn:aws:vpc-lattice:us-east-1:123456789012:service/svc-0a40eebed65f8d69c;ServiceNetworkArn="
    )
    assert "x-amzn-lattice-identity" not in headers
    assert event["is_base64_encoded"] is True
    assert base64.b64decode(event["body"]) == b"\x89PNG\x00"
    empty = build_event("GET", "/", payload="lattice-1.0")
    assert empty["body"] == ""
    assert empty["is_base64_encoded"] is False
    assert empty["query_string_parameters"] == {}
    assert empty["raw_path"] == "/"


def test_build_event_lattice_v2_shape() -> None:
    event = build_event(
        "GET",
        "/orders",
        payload="lattice-2.0",
        query="status=open&status=shipped&page=2",
        headers=[("X-Tag", "blue"), ("X-Tag", "green"), ("Content-Type", "application/json")],
        body='{"a": 1}',
        api_id="svc-1234567890abcdef0",
        region="eu-central-1",
        domain_name="orders.internal.example.com",
        now=NOW,
    )
    assert list(event)[:4] == ["version", "path", "method", "headers"]
    assert event["path"] == "/orders?status=open&status=shipped&page=2"
    assert event["queryStringParameters"] == {"status": ["open", "shipped"], "page": ["2"]}
    assert event["headers"]["x-tag"] == ["blue", "green"]
    assert event["headers"]["host"] == ["orders.internal.example.com"]
    assert event["body"] == '{"a": 1}'
    assert event["isBase64Encoded"] is False
    context = event["requestContext"]
    assert (
        context["serviceArn"] == "arn:aws:vpc-lattice:eu-central-1:123456789012:service/svc-1234567890abcdef0"
    )
    assert context["region"] == "eu-central-1"
    assert context["timeEpoch"] == "1696331543569073"
    assert context["identity"] == {
        "sourceVpcArn": "arn:aws:ec2:eu-central-1:123456789012:vpc/vpc-0b8276c84697e7339",
        "type": "NONE",
    }
    [target] = event["headers"]["x-amzn-lattice-target"]
    assert target == (
        f"ServiceArn={context['serviceArn']};ServiceNetworkArn={context['serviceNetworkArn']};"
        f"TargetGroupArn={context['targetGroupArn']}"
    )
    assert "queryStringParameters" not in build_event("GET", "/", payload="lattice-2.0")


def test_build_event_lattice_iam_caller_identity() -> None:
    role = "arn:aws:sts::123456789012:assumed-role/orders-client/i-0c7de02a688bde9f7"
    authorizer = iam_authorizer(user_arn=role)
    authorizer["iam"]["principalOrgId"] = "o-50dc6c495c"
    event = build_event("GET", "/", payload="lattice-2.0", authorizer=authorizer)
    identity = event["requestContext"]["identity"]
    assert identity["type"] == "AWS_IAM"
    assert identity["principal"] == role
    assert identity["principalOrgID"] == "o-50dc6c495c"
    assert identity["sessionName"] == "i-0c7de02a688bde9f7"
    assert event["headers"]["x-amzn-lattice-identity"] == [
        f"Principal={role};PrincipalOrgID=o-50dc6c495c;SessionName=i-0c7de02a688bde9f7"
    ]
    user = build_event("GET", "/", payload="lattice-1.0", authorizer=iam_authorizer())
    assert (
        user["headers"]["x-amzn-lattice-identity"] == "Principal=arn:aws:iam::123456789012:user/example-user"
    )
    with pytest.raises(ValueError, match="VPC Lattice authorises with IAM only"):
        build_event("GET", "/", payload="lattice-2.0", authorizer=jwt_authorizer({"sub": "u"}))


@pytest.mark.parametrize("payload", ["lattice-1.0", "lattice-2.0", "edge", "edge-origin"])
def test_build_event_lattice_and_edge_have_no_stages(payload: str) -> None:
    with pytest.raises(ValueError, match="has no stages"):
        build_event("GET", "/", payload=payload, stage="Prod")
    assert build_event("GET", "/", payload=payload, stage="$default")


# -- Lambda@Edge ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("payload", ["edge", "edge-origin"])
@pytest.mark.parametrize("include_body", [True, False])
@pytest.mark.parametrize("method", METHODS)
def test_build_event_edge_follows_the_documented_structure(
    payload: str, include_body: bool, method: str
) -> None:
    event = build_event(
        method, "/posts/hello world", payload=payload, include_body=include_body, **request_kwargs(method)
    )
    check_edge_event(event)
    request = event["Records"][0]["cf"]["request"]
    assert ("body" in request) is include_body
    assert ("origin" in request) is (payload == "edge-origin")
    assert event["Records"][0]["cf"]["config"]["eventType"] == (
        "origin-request" if payload == "edge-origin" else "viewer-request"
    )


def test_build_event_edge_viewer_request_shape() -> None:
    event = build_event(
        "POST",
        "/posts/caf%C3%A9",
        payload="edge",
        query="page=2&tag=caf%C3%A9",
        headers=[
            ("User-Agent", "curl/8"),
            ("Accept", "text/html"),
            ("accept", "*/*"),
            ("X-Forwarded-For", "198.51.100.7"),
        ],
        cookies={"session": "8f14e45f"},
        body=b"title=Hi",
        source_ip="203.0.113.178",
        request_id="c6af9ac6-7b61-11e6-9a41-93e8deadbeef",
    )
    cf = event["Records"][0]["cf"]
    assert cf["config"] == {
        "distributionDomainName": "d73e606ecc7fc1.cloudfront.net",
        "distributionId": "EDFDVBD6EXAMPLE",
        "eventType": "viewer-request",
        "requestId": cloudfront_request_id("c6af9ac6-7b61-11e6-9a41-93e8deadbeef"),
    }
    assert len(cf["config"]["requestId"]) == 56
    request = cf["request"]
    assert request["method"] == "POST"
    assert request["uri"] == "/posts/caf%C3%A9"
    assert request["querystring"] == "page=2&tag=caf%C3%A9"  # raw, no "?"
    assert request["clientIp"] == "203.0.113.178"
    headers = request["headers"]
    assert headers["host"] == [{"key": "Host", "value": "d73e606ecc7fc1.cloudfront.net"}]
    assert headers["accept"] == [{"key": "Accept", "value": "text/html"}, {"key": "accept", "value": "*/*"}]
    assert headers["cookie"] == [{"key": "Cookie", "value": "session=8f14e45f"}]
    assert headers["x-forwarded-for"] == [{"key": "X-Forwarded-For", "value": "198.51.100.7"}]  # as sent
    assert "via" not in headers  # CloudFront adds it on the way to the origin, not before
    assert request["body"] == {
        "action": "read-only",
        "data": base64.b64encode(b"title=Hi").decode(),
        "encoding": "base64",
        "inputTruncated": False,
    }
    get = build_event("GET", "/", payload="edge", domain_name="blog.example.com", api_id="E2QWRUHEXAMPLE")
    get_cf = get["Records"][0]["cf"]
    assert get_cf["request"]["headers"]["host"] == [{"key": "Host", "value": "blog.example.com"}]
    assert get_cf["request"]["body"]["data"] == ""
    assert get_cf["config"]["distributionId"] == "E2QWRUHEXAMPLE"
    assert get_cf["config"]["distributionDomainName"].endswith(".cloudfront.net")
    assert (
        "body"
        not in build_event("GET", "/", payload="edge", include_body=False)["Records"][0]["cf"]["request"]
    )


def test_build_event_edge_origin_request_adds_what_cloudfront_adds() -> None:
    event = build_event(
        "GET",
        "/api/posts",
        payload="edge-origin",
        headers={
            "X-Forwarded-For": "198.51.100.7",
            "Via": "1.1 proxy",
            "CloudFront-Forwarded-Proto": "gopher",
        },
        source_ip="2001:db8:85a3::8a2e:370:7334",
        scheme="http",
    )
    request = event["Records"][0]["cf"]["request"]
    headers = {name: [entry["value"] for entry in entries] for name, entries in request["headers"].items()}
    assert headers["x-forwarded-for"] == ["198.51.100.7, 2001:db8:85a3::8a2e:370:7334"]
    assert headers["via"] == [headers["via"][0]]
    assert headers["via"][0].startswith("2.0 ")
    assert headers["via"][0].endswith(".cloudfront.net (CloudFront)")
    assert headers["cloudfront-forwarded-proto"] == ["http"]  # the viewer's scheme, never the client's header
    assert headers["user-agent"] == ["Amazon CloudFront"]  # the viewer sent none
    assert request["origin"]["custom"]["protocol"] == "https"
    assert request["clientIp"] == "2001:db8:85a3::8a2e:370:7334"


@pytest.mark.parametrize(
    ("payload", "trigger"), [("edge", "viewer-request"), ("edge-origin", "origin-request")]
)
def test_build_event_edge_body_over_what_cloudfront_exposes_is_truncated(payload: str, trigger: str) -> None:
    limit = EXPOSED_BODY_LIMIT[trigger]
    whole = build_event("POST", "/u", payload=payload, body=b"a" * limit)["Records"][0]["cf"]["request"][
        "body"
    ]
    assert whole["inputTruncated"] is False
    assert len(base64.b64decode(whole["data"])) == limit
    cut = build_event("POST", "/u", payload=payload, body=b"a" * (limit + 1))["Records"][0]["cf"]["request"][
        "body"
    ]
    assert cut["inputTruncated"] is True
    assert base64.b64decode(cut["data"]) == b"a" * limit


def test_build_event_edge_has_no_authorizer() -> None:
    with pytest.raises(ValueError, match="no authorizer context"):
        build_event("GET", "/", payload="edge", authorizer=iam_authorizer())


def test_build_event_edge_origin_request_keeps_the_viewers_host_and_user_agent() -> None:
    headers = {"Host": "blog.example.com", "User-Agent": "curl/8"}
    request = build_event("GET", "/", payload="edge-origin", headers=headers)["Records"][0]["cf"]["request"]
    assert request["headers"]["host"] == [{"key": "Host", "value": "blog.example.com"}]
    assert request["headers"]["user-agent"] == [{"key": "User-Agent", "value": "curl/8"}]


def test_edge_triggers_other_than_requests_are_refused() -> None:
    # A response trigger carries the origin's answer, not a request to answer (adapter contract item 46).
    with pytest.raises(ValueError, match="unknown Lambda@Edge trigger 'viewer-response'"):
        event_for(EventRequest(source="edge", edge_trigger="viewer-response"))
    with pytest.raises(ValueError, match="unknown Lambda@Edge trigger 'origin-response'"):
        CloudFrontFront("origin-response")


def test_event_for_names_a_source_without_a_builder() -> None:
    with pytest.raises(ValueError, match="no event builder for source 'sqs'; sources: rest, "):
        event_for(EventRequest(source="sqs"))  # type: ignore[arg-type]


# -- round trip through the adapter --------------------------------------------------------------------------

IPS = st.sampled_from(["203.0.113.178", "10.0.12.34", "2001:db8:85a3::8a2e:370:7334"])


@settings(max_examples=150, deadline=None)
@given(
    payload=st.sampled_from(["lattice-1.0", "lattice-2.0", "edge", "edge-origin"]),
    method=st.sampled_from(METHODS),
    segments=st.lists(SEGMENT, min_size=1, max_size=3),
    query=st.lists(st.tuples(NAME, VALUE), max_size=4),
    headers=st.dictionaries(NAME.map(lambda n: "x-t-" + n), HEADER_VALUE, max_size=3),
    body=st.binary(max_size=64),
    content_type=st.sampled_from(
        ["application/octet-stream", "text/plain; charset=utf-8", "application/json"]
    ),
    source_ip=IPS,
    scheme=st.sampled_from(["https", "http"]),
)
def test_built_events_reach_the_app_exactly_as_sent(  # noqa: PLR0917 - hypothesis draws each argument
    payload: str,
    method: str,
    segments: list[str],
    query: list[tuple[str, str]],
    headers: dict[str, str],
    body: bytes,
    content_type: str,
    source_ip: str,
    scheme: str,
) -> None:
    path = "/" + "/".join(segments)
    event = build_event(
        method,
        quote(path),
        payload=payload,
        query=query,
        headers={**headers, "Content-Type": content_type},
        body=body,
        source_ip=source_ip,
        scheme=scheme,
    )
    app = RecordingApp()
    result = make_handler(app)(event, None)
    assert app.calls == 1, result
    environ = app.environ
    assert environ["REQUEST_METHOD"] == method
    assert environ["PATH_INFO"].encode("latin-1").decode("utf-8") == path
    assert parse_qsl(environ["QUERY_STRING"], keep_blank_values=True) == query
    for name, value in headers.items():
        assert environ["HTTP_" + name.upper().replace("-", "_")] == value
    assert environ["CONTENT_TYPE"] == content_type
    assert app.body == body
    assert environ["REMOTE_ADDR"] == source_ip
    # A viewer request carries no scheme: CloudFront's viewer connection is https; the others say it.
    assert environ["wsgi.url_scheme"] == ("https" if payload == "edge" else scheme)

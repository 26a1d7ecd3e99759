"""Contract section A: recognising the event."""

from __future__ import annotations

from typing import Any

import pytest
from adapter_kit import DELETE, RecordingApp, check_result, load_event

from lambda_micro.adapter import UnsupportedEvent, infer_source, make_handler

FIXTURE_SOURCES = {
    "rest_execute_api_stage": "rest",
    "rest_custom_domain_base_path": "rest",
    "rest_console_test": "rest",
    "rest_cognito_authorizer": "rest",
    "rest_lambda_authorizer": "rest",
    "sam_generate_rest": "rest",
    "sam_local_rest": "rest",
    "http_v1": "http-1.0",
    "sam_local_http_v1": "http-1.0",
    "http_v2_default_stage": "http-2.0",
    "http_v2_named_stage": "http-2.0",
    "http_v2_jwt_authorizer": "http-2.0",
    "sam_generate_http_v2": "http-2.0",
    "sam_local_http_v2": "http-2.0",
    "function_url": "url",
    "alb_single": "alb",
    "alb_multi": "alb",
    "sam_generate_alb": "alb",
}


@pytest.mark.parametrize(("name", "source"), FIXTURE_SOURCES.items())
def test_a1_every_fixture_is_classified_by_its_source(name: str, source: str) -> None:
    assert infer_source(load_event(name)) == source


def test_a1_elb_wins_over_http_method() -> None:
    event = load_event("alb_single", version="1.0")
    assert "httpMethod" in event
    assert infer_source(event) == "alb"


def test_a1_version_2_needs_request_context_http() -> None:
    event = load_event("http_v2_default_stage", rc={"http": DELETE})
    assert infer_source(event) is None


def test_a1_function_url_is_told_apart_by_its_domain() -> None:
    event = load_event("function_url", rc={"domainName": "h7tp4p1.execute-api.eu-central-1.amazonaws.com"})
    assert infer_source(event) == "http-2.0"


def test_a1_version_1_with_http_method_is_http_api_payload_1() -> None:
    assert infer_source(load_event("rest_execute_api_stage", version="1.0")) == "http-1.0"
    assert infer_source(load_event("http_v1", version=DELETE)) == "rest"


SQS = {
    "Records": [
        {
            "messageId": "059f36b4-87a3-44ab-83d2-661975830a7d",
            "receiptHandle": "AQEBwJnKyrHigUMZj6rYigCgxlaS3SLy0a",
            "body": "test",
            "attributes": {"ApproximateReceiveCount": "1", "SentTimestamp": "1545082649183"},
            "messageAttributes": {},
            "md5OfBody": "098f6bcd4621d373cade4e832627b4f6",
            "eventSource": "aws:sqs",
            "eventSourceARN": "arn:aws:sqs:eu-central-1:123456789012:my-queue",
            "awsRegion": "eu-central-1",
        }
    ]
}
SCHEDULE = {
    "version": "0",
    "id": "53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa",
    "detail-type": "Scheduled Event",
    "source": "aws.events",
    "account": "123456789012",
    "time": "2024-11-24T08:00:00Z",
    "region": "eu-central-1",
    "resources": ["arn:aws:events:eu-central-1:123456789012:rule/warmer"],
    "detail": {},
}


@pytest.mark.parametrize(
    ("event", "named"),
    [
        (SQS, "Records"),
        (SCHEDULE, "detail-type"),
        ({"warmer": True, "concurrency": 3}, "warmer"),
        ({}, "empty object"),
        ([1, 2], "list"),
        (None, "NoneType"),
        ("ping", "str"),
        ({"version": "2.0", "requestContext": None}, "requestContext"),
    ],
)
def test_a2_non_http_event_raises_unsupported_event_naming_what_came(event: Any, named: str) -> None:
    handler = make_handler(RecordingApp())
    with pytest.raises(UnsupportedEvent, match=named) as caught:
        handler(event, None)
    assert not isinstance(caught.value, (KeyError, TypeError))


@pytest.mark.parametrize(
    ("name", "named"),
    [("sam_generate_request_authorizer", "methodArn"), ("http_v2_authorizer_request", "routeArn")],
)
def test_a2_lambda_authorizer_input_is_not_an_http_request(name: str, named: str) -> None:
    # An authorizer's event carries httpMethod (REST) or requestContext.http (HTTP API 2.0) like a proxy
    # event; answering it with a proxy result would be an invalid authorizer response.
    event = load_event(name)
    assert infer_source(event) is None
    app = RecordingApp()
    with pytest.raises(UnsupportedEvent, match=named):
        make_handler(app)(event, None)
    assert app.calls == 0


def test_a2_unsupported_event_message_names_keys_not_values() -> None:
    with pytest.raises(UnsupportedEvent) as caught:
        make_handler(RecordingApp())({"Authorization": "Bearer secret-token"}, None)
    assert "Authorization" in str(caught.value)
    assert "secret-token" not in str(caught.value)


def test_a2_unsupported_event_lists_at_most_twenty_keys() -> None:
    with pytest.raises(UnsupportedEvent, match=r"k00, .*k19, \.\.\.\]"):
        make_handler(RecordingApp())({f"k{index:02}": index for index in range(30)}, None)


NULLABLE_V1 = [
    "headers",
    "multiValueHeaders",
    "queryStringParameters",
    "multiValueQueryStringParameters",
    "pathParameters",
    "stageVariables",
    "body",
    "requestContext",
]


@pytest.mark.parametrize("field", NULLABLE_V1)
@pytest.mark.parametrize("how", ["null", "absent"])
def test_a3_rest_optional_fields_null_or_absent(field: str, how: str) -> None:
    app = RecordingApp()
    event = load_event("rest_execute_api_stage", **{field: None if how == "null" else DELETE})
    result = check_result(make_handler(app)(event, None), "rest")
    assert result["statusCode"] == 200
    assert app.environ["PATH_INFO"] == "/posts/hello-world"
    if field == "requestContext":
        assert app.environ["lambda.request_context"] == {}
        assert app.environ["SCRIPT_NAME"] == ""  # no stage known


@pytest.mark.parametrize(
    "field", ["headers", "queryStringParameters", "pathParameters", "stageVariables", "body", "cookies"]
)
def test_a3_http_v2_optional_fields_null(field: str) -> None:
    app = RecordingApp()
    result = check_result(
        make_handler(app)(load_event("http_v2_jwt_authorizer", **{field: None}), None), "http-2.0"
    )
    assert result["statusCode"] == 200
    assert app.environ["lambda.stage_variables"] == {}


@pytest.mark.parametrize("field", ["headers", "multiValueHeaders", "queryStringParameters", "body"])
def test_a3_alb_optional_fields_null(field: str) -> None:
    app = RecordingApp()
    result = check_result(make_handler(app)(load_event("alb_multi", **{field: None}), None), "alb")
    assert result["statusCode"] == 200


def test_a3_console_test_event_with_nulls_everywhere() -> None:
    app = RecordingApp()
    result = check_result(make_handler(app)(load_event("rest_console_test"), None), "rest")
    assert result["statusCode"] == 200
    environ = app.environ
    assert environ["QUERY_STRING"] == ""
    assert environ["CONTENT_LENGTH"] == "0"
    assert app.body == b""
    assert environ["SERVER_NAME"] == "testPrefix.testDomainName"
    assert environ["REMOTE_ADDR"] == "test-invoke-source-ip"
    assert not [key for key in environ if key.startswith("HTTP_")]
    assert environ["lambda.stage_variables"] == {}

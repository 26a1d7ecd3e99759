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
    "rest_no_context_path": "rest",
    "lattice_v1": "lattice-1.0",
    "lattice_v2": "lattice-2.0",
    "lattice_v2_list_values": "lattice-2.0",
    "edge_viewer_request": "edge",
    "edge_origin_request": "edge",
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
    # The console sends the placeholder "test-invoke-source-ip" for the address: none is known (item 49).
    assert "REMOTE_ADDR" not in environ
    assert not [key for key in environ if key.startswith("HTTP_")]
    assert environ["lambda.stage_variables"] == {}


# --- item 38: VPC Lattice and Lambda@Edge ---------------------------------------------------------------


def test_h38_lattice_versions_are_told_apart_by_their_keys() -> None:
    # Version 1: snake_case raw_path; version 2: version "2.0" and no requestContext.http.
    assert infer_source(load_event("lattice_v2", version="1.0")) is None  # neither shape
    assert infer_source(load_event("lattice_v1", raw_path=DELETE)) is None
    assert infer_source({"method": "GET", "raw_path": "/"}) == "lattice-1.0"
    assert infer_source({"version": "2.0", "method": "GET", "path": "/"}) == "lattice-2.0"
    # An HTTP API 2.0 event is recognised before: its requestContext.http decides.
    assert infer_source(load_event("http_v2_default_stage", method="GET")) == "http-2.0"


@pytest.mark.parametrize("trigger", ["viewer-request", "origin-request", None])
def test_h38_edge_request_triggers_are_recognised(trigger: str | None) -> None:
    event = load_event("edge_viewer_request")
    config = event["Records"][0]["cf"]["config"]
    if trigger is None:
        del config["eventType"]
    else:
        config["eventType"] = trigger
    assert infer_source(event) == "edge"


@pytest.mark.parametrize(
    "mutate",
    [
        lambda cf: cf["config"].update(eventType="origin-response"),
        lambda cf: cf["config"].update(eventType="viewer-response"),
        lambda cf: cf["config"].update(eventType=["viewer-request"]),
        lambda cf: cf.update(response={"status": "200"}),
        lambda cf: cf.pop("request"),
        lambda cf: cf.update(request="GET /"),
        lambda cf: cf.update(config="viewer-request"),
    ],
)
def test_h38_edge_response_triggers_and_broken_records_are_not_requests(mutate: Any) -> None:
    event = load_event("edge_viewer_request")
    mutate(event["Records"][0]["cf"])
    source = infer_source(event)
    if isinstance(event["Records"][0]["cf"].get("config"), str):
        assert source == "edge"  # the request is there; the handler answers 400 for the config
    else:
        assert source is None


@pytest.mark.parametrize("records", [[], [1], [{"cf": "x"}], [{"eventSource": "aws:sqs"}], "x", None])
def test_h38_records_of_other_shapes_are_not_edge_events(records: Any) -> None:
    assert infer_source({"Records": records}) is None


# --- item 46: look-alikes are never answered as HTTP -----------------------------------------------------

BEDROCK_FUNCTION = {
    "messageVersion": "1.0",
    "agent": {"name": "claims-agent", "id": "8ZXY0W8P1H", "alias": "TSTALIASID", "version": "DRAFT"},
    "inputText": "Which claims are pending?",
    "sessionId": "123456789012345",
    "actionGroup": "ClaimManagementActionGroup",
    "function": "list_pending_claims",
    "parameters": [],
    "sessionAttributes": {},
    "promptSessionAttributes": {},
}
WEBSOCKET_MESSAGE = {
    "requestContext": {
        "routeKey": "sendmessage",
        "messageId": "BFHPhfCWIAMCKlQ=",
        "eventType": "MESSAGE",
        "extendedRequestId": "BFHPhFe3IAMF95g=",
        "requestTime": "24/Nov/2024:11:35:24 +0000",
        "messageDirection": "IN",
        "stage": "prod",
        "connectedAt": 1732447924553,
        "requestTimeEpoch": 1732447924561,
        "identity": {"sourceIp": "198.51.100.23"},
        "requestId": "BFHPhFe3IAMF95g=",
        "domainName": "gy415nuibc.execute-api.eu-central-1.amazonaws.com",
        "connectionId": "BFHPhfCWIAMCKlQ=",
        "apiId": "gy415nuibc",
    },
    "body": '{"action": "sendmessage", "data": "hello"}',
    "isBase64Encoded": False,
}
APPSYNC_EVENTS = {
    "identity": None,
    "result": None,
    "request": {"headers": {"host": "example.appsync-api.eu-central-1.amazonaws.com"}, "domainName": None},
    "info": {
        "channel": {"path": "/default/posts", "segments": ["default", "posts"]},
        "channelNamespace": {"name": "default"},
        "operation": "PUBLISH",
    },
    "error": None,
    "prev": None,
    "stash": {},
    "outErrors": [],
    "events": [{"payload": {"title": "hi"}, "id": "1"}],
}
APPSYNC_AUTHORIZER = {
    "authorizationToken": "ExampleAuthToken123123123",
    "requestContext": {
        "apiId": "aaaaaa123123123example123",
        "accountId": "123456789012",
        "requestId": "f4081827-1111-4444-5555-5cf4695f339f",
        "queryString": "query { getPost(id: 42) { title } }",
        "operationName": "getPost",
        "variables": {},
    },
    "requestHeaders": {"host": "example.appsync-api.eu-central-1.amazonaws.com"},
}


@pytest.mark.parametrize(
    ("event", "named"),
    [
        (load_event("bedrock_agent_action_group"), "Bedrock Agent action-group event"),
        (BEDROCK_FUNCTION, "Bedrock Agent function event"),
        (load_event("apigw_websocket_connect"), "WebSocket event"),
        (WEBSOCKET_MESSAGE, "WebSocket event"),
        (load_event("appsync_resolver"), "AppSync resolver event"),
        ([load_event("appsync_resolver"), load_event("appsync_resolver")], "2 AWS AppSync resolver events"),
        (APPSYNC_EVENTS, "AppSync Events event"),
        (APPSYNC_AUTHORIZER, "AppSync Lambda authorizer event"),
        (load_event("edge_origin_response"), "Lambda@Edge response trigger"),
    ],
)
def test_k46_look_alikes_raise_unsupported_event_naming_what_came(event: Any, named: str) -> None:
    assert infer_source(event) is None
    app = RecordingApp()
    with pytest.raises(UnsupportedEvent, match=named) as caught:
        make_handler(app)(event, None)
    assert app.calls == 0
    message = str(caught.value)
    assert "VPC Lattice" in message
    for secret in ("+W5xw47OHh3OTFsWKjGu9Q==", "ExampleAuthToken123123123", "social number and vat"):
        assert secret not in message


def test_k46_bedrock_rule_needs_the_path_a_rest_event_always_has_absent() -> None:
    # Bedrock sends no requestContext and no path; an event with a path is REST whatever else it carries.
    event = load_event("bedrock_agent_action_group")
    assert infer_source(event) is None
    assert infer_source({**event, "path": "/claims/20/send-reminders"}) == "rest"

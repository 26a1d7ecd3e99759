"""Malformed HTTP events (contract items 2, 3 and 23): a 400 shaped for the source, naming the field."""

from __future__ import annotations

from typing import Any

import pytest
from adapter_kit import RecordingApp, check_result, load_event

from lambda_micro.adapter import make_handler

CASES = [
    ("rest_execute_api_stage", "rest", {"httpMethod": None}, "httpMethod"),
    ("rest_execute_api_stage", "rest", {"httpMethod": ""}, "httpMethod"),
    ("rest_execute_api_stage", "rest", {"path": 5}, "path"),
    ("rest_execute_api_stage", "rest", {"path": None}, "path"),
    ("rest_execute_api_stage", "rest", {"headers": ["a"], "multiValueHeaders": None}, "headers"),
    ("rest_execute_api_stage", "rest", {"headers": {"a": 1}, "multiValueHeaders": None}, "headers"),
    ("rest_execute_api_stage", "rest", {"multiValueHeaders": {"a": "x"}}, "multiValueHeaders"),
    ("rest_execute_api_stage", "rest", {"multiValueHeaders": {"a": [1]}}, "multiValueHeaders"),
    ("rest_execute_api_stage", "rest", {"multiValueHeaders": {"a": ["x", None]}}, "multiValueHeaders"),
    ("rest_execute_api_stage", "rest", {"multiValueHeaders": "x"}, "multiValueHeaders"),
    ("rest_execute_api_stage", "rest", {"multiValueQueryStringParameters": {"a": "1"}}, "multiValueQuery"),
    ("rest_execute_api_stage", "rest", {"multiValueQueryStringParameters": {"a": [1]}}, "multiValueQuery"),
    (
        "rest_execute_api_stage",
        "rest",
        {"multiValueQueryStringParameters": None, "queryStringParameters": {"a": 1}},
        "queryStringParameters",
    ),
    ("rest_execute_api_stage", "rest", {"requestContext": "x"}, "requestContext"),
    ("rest_execute_api_stage", "rest", {"stageVariables": []}, "stageVariables"),
    ("rest_execute_api_stage", "rest", {"body": 12}, "body"),
    ("rest_execute_api_stage", "rest", {"body": {"a": 1}}, "body"),
    ("rest_execute_api_stage", "rest", {"isBase64Encoded": "true", "body": "YQ=="}, "isBase64Encoded"),
    ("http_v2_default_stage", "http-2.0", {"rawPath": None}, "rawPath"),
    ("http_v2_default_stage", "http-2.0", {"rawQueryString": 1}, "rawQueryString"),
    ("http_v2_default_stage", "http-2.0", {"cookies": "a=1"}, "cookies"),
    ("http_v2_default_stage", "http-2.0", {"cookies": [1]}, "cookies"),
    ("http_v2_default_stage", "http-2.0", {"headers": {"a": None, "b": 2}}, "headers"),
    ("function_url", "url", {"rawPath": 3}, "rawPath"),
    ("alb_single", "alb", {"httpMethod": 1}, "httpMethod"),
    ("alb_multi", "alb", {"multiValueHeaders": {"a": {"b": 1}}}, "multiValueHeaders"),
]


@pytest.mark.parametrize(("name", "source", "fields", "field"), CASES)
def test_a3_malformed_field_is_a_400_naming_it(
    name: str, source: str, fields: dict[str, Any], field: str
) -> None:
    app = RecordingApp()
    result = check_result(make_handler(app)(load_event(name, **fields), None), source)
    assert result["statusCode"] == 400
    assert field in result["body"]
    assert app.calls == 0


@pytest.mark.parametrize(
    ("rc", "field"),
    [({"http": None}, "requestContext.http"), ({"http.method": None}, "requestContext.http.method")],
)
def test_a3_malformed_v2_request_context(rc: dict[str, Any], field: str) -> None:
    event = load_event("http_v2_default_stage", rc=rc)
    if rc == {"http": None}:
        event["requestContext"]["http"] = None
    result = check_result(make_handler(RecordingApp())(event, None), "http-2.0")
    assert result["statusCode"] == 400
    assert field in result["body"]


def test_a3_non_string_key_in_headers_map() -> None:
    event = load_event("alb_single")
    event["headers"][7] = "x"
    result = make_handler(RecordingApp())(event, None)
    assert result["statusCode"] == 400

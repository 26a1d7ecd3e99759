"""App.lambda_handler end to end with realistic API Gateway events (REST payload 1.0 and HTTP API 2.0)."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from lambda_micro import App, request, url_for


class FakeContext:
    function_name = "blog-web"
    function_version = "$LATEST"
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:blog-web"
    memory_limit_in_mb = 256
    aws_request_id = "0d3f6c2a-8b7e-4a1d-9c5b-2e4f6a8c0b1d"
    log_group_name = "/aws/lambda/blog-web"
    log_stream_name = "2024/11/24/[$LATEST]abcdef0123456789"

    def get_remaining_time_in_millis(self) -> int:
        return 29_000


def rest_event(
    method: str, path: str, *, body: str | None = None, headers: dict[str, str] | None = None
) -> dict[str, Any]:
    """A REST API (payload 1.0) proxy event through the execute-api host on stage Prod."""
    all_headers = {
        "Accept": "application/json",
        "Host": "a1b2c3d4e5.execute-api.us-east-1.amazonaws.com",
        "User-Agent": "curl/8.5.0",
        "X-Amzn-Trace-Id": "Root=1-6742d1a0-3f5e2b1c4d6a7e8f9a0b1c2d",
        "X-Forwarded-For": "203.0.113.7",
        "X-Forwarded-Port": "443",
        "X-Forwarded-Proto": "https",
        **(headers or {}),
    }
    return {
        "resource": "/{proxy+}",
        "path": path,
        "httpMethod": method,
        "headers": all_headers,
        "multiValueHeaders": {k: [v] for k, v in all_headers.items()},
        "queryStringParameters": {"verbose": "1"},
        "multiValueQueryStringParameters": {"verbose": ["1"]},
        "pathParameters": {"proxy": path.lstrip("/")},
        "stageVariables": {"table": "posts-prod"},
        "requestContext": {
            "resourceId": "k3x9pl",
            "resourcePath": "/{proxy+}",
            "httpMethod": method,
            "extendedRequestId": "Bq7XGHd0FiAEJbQ=",
            "requestTime": "24/Nov/2024:08:00:00 +0000",
            "path": f"/Prod{path}",
            "accountId": "123456789012",
            "protocol": "HTTP/1.1",
            "stage": "Prod",
            "domainPrefix": "a1b2c3d4e5",
            "requestTimeEpoch": 1732435200000,
            "requestId": "7f3c2a1b-9e8d-4c7b-a6f5-e4d3c2b1a098",
            "identity": {
                "cognitoIdentityPoolId": None,
                "accountId": None,
                "cognitoIdentityId": None,
                "caller": None,
                "sourceIp": "203.0.113.7",
                "principalOrgId": None,
                "accessKey": None,
                "cognitoAuthenticationType": None,
                "cognitoAuthenticationProvider": None,
                "userArn": None,
                "userAgent": "curl/8.5.0",
                "user": None,
            },
            "domainName": "a1b2c3d4e5.execute-api.us-east-1.amazonaws.com",
            "apiId": "a1b2c3d4e5",
        },
        "body": body,
        "isBase64Encoded": False,
    }


def http_v2_event(
    method: str, raw_path: str, *, body: str | None = None, cookies: list[str] | None = None
) -> dict[str, Any]:
    """An HTTP API (payload 2.0) event on the $default stage."""
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": raw_path,
        "rawQueryString": "verbose=1",
        "headers": {
            "accept": "application/json",
            "content-type": "application/json",
            "host": "z9y8x7w6v5.execute-api.us-east-1.amazonaws.com",
            "user-agent": "curl/8.5.0",
            "x-amzn-trace-id": "Root=1-6742d1a0-1a2b3c4d5e6f7a8b9c0d1e2f",
            "x-forwarded-for": "203.0.113.9",
            "x-forwarded-port": "443",
            "x-forwarded-proto": "https",
        },
        "queryStringParameters": {"verbose": "1"},
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "z9y8x7w6v5",
            "domainName": "z9y8x7w6v5.execute-api.us-east-1.amazonaws.com",
            "domainPrefix": "z9y8x7w6v5",
            "http": {
                "method": method,
                "path": raw_path,
                "protocol": "HTTP/1.1",
                "sourceIp": "203.0.113.9",
                "userAgent": "curl/8.5.0",
            },
            "requestId": "Kq1Vbj5YoAMEVxQ=",
            "routeKey": "$default",
            "stage": "$default",
            "time": "24/Nov/2024:08:00:00 +0000",
            "timeEpoch": 1732435200000,
        },
        "isBase64Encoded": False,
    }
    if body is not None:
        event["body"] = body
    if cookies is not None:
        event["cookies"] = cookies
    return event


@pytest.fixture
def lambda_app() -> App:
    app = App(__name__, template_folder=None, static_folder=None)
    app.secret_key = "lambda-test-secret"

    @app.get("/users/<int:user_id>")
    def user(user_id: int) -> dict[str, Any]:
        return {
            "id": user_id,
            "verbose": request.args.get("verbose"),
            "self": url_for("user", user_id=user_id),
            "external": url_for("user", user_id=user_id, _external=True),
            "aws_request_id": request.lambda_context.aws_request_id,
            "api_request_id": (request.request_context or {}).get("requestId"),
            "stage_variables": request.stage_variables,
            "has_event": request.lambda_event is not None,
        }

    @app.post("/echo")
    def echo() -> Any:
        return request.get_json()

    @app.get("/html")
    def html() -> str:
        return "<p>hi</p>"

    @app.get("/bin")
    def binary() -> tuple[bytes, int, dict[str, str]]:
        return bytes(range(256)), 200, {"Content-Type": "application/octet-stream"}

    @app.get("/boom")
    def boom() -> str:
        raise RuntimeError("boom")

    return app


def _headers(result: dict[str, Any]) -> dict[str, str]:
    if "multiValueHeaders" in result:
        return {k.lower(): ", ".join(v) for k, v in result["multiValueHeaders"].items()}
    return {k.lower(): v for k, v in result.get("headers", {}).items()}


def test_lambda_handler_is_a_bound_method_usable_at_module_level(lambda_app: App) -> None:
    handler = lambda_app.lambda_handler
    assert callable(handler)
    assert handler.__self__ is lambda_app


def test_lambda_handler_rest_event_under_stage(lambda_app: App) -> None:
    result = lambda_app.lambda_handler(rest_event("GET", "/users/7"), FakeContext())
    assert result["statusCode"] == 200
    assert _headers(result)["content-type"] == "application/json"
    body = json.loads(result["body"])
    assert body == {
        "id": 7,
        "verbose": "1",
        "self": "/Prod/users/7",
        "external": "https://a1b2c3d4e5.execute-api.us-east-1.amazonaws.com/Prod/users/7",
        "aws_request_id": FakeContext.aws_request_id,
        "api_request_id": "7f3c2a1b-9e8d-4c7b-a6f5-e4d3c2b1a098",
        "stage_variables": {"table": "posts-prod"},
        "has_event": True,
    }


def test_lambda_handler_rest_post_json_and_malformed_json(lambda_app: App) -> None:
    headers = {"Content-Type": "application/json"}
    ok = lambda_app.lambda_handler(
        rest_event("POST", "/echo", body='{"a": [1, 2]}', headers=headers), FakeContext()
    )
    assert (ok["statusCode"], json.loads(ok["body"])) == (200, {"a": [1, 2]})
    bad = lambda_app.lambda_handler(rest_event("POST", "/echo", body="{oops", headers=headers), FakeContext())
    assert bad["statusCode"] == 400
    assert json.loads(bad["body"])["code"] == 400


def test_lambda_handler_rest_404_and_500(lambda_app: App) -> None:
    missing = lambda_app.lambda_handler(rest_event("GET", "/nope"), FakeContext())
    assert missing["statusCode"] == 404
    assert json.loads(missing["body"])["name"] == "Not Found"
    boom = lambda_app.lambda_handler(rest_event("GET", "/boom"), FakeContext())
    assert boom["statusCode"] == 500
    assert "boom" not in boom["body"]


def test_lambda_handler_http_v2_event(lambda_app: App) -> None:
    result = lambda_app.lambda_handler(http_v2_event("GET", "/users/9"), FakeContext())
    assert result["statusCode"] == 200
    body = json.loads(result["body"])
    assert body["self"] == "/users/9"
    assert body["api_request_id"] == "Kq1Vbj5YoAMEVxQ="
    assert body["verbose"] == "1"


def test_lambda_handler_http_v2_post_and_html(lambda_app: App) -> None:
    posted = lambda_app.lambda_handler(http_v2_event("POST", "/echo", body='{"x": true}'), FakeContext())
    assert json.loads(posted["body"]) == {"x": True}
    html = lambda_app.lambda_handler(http_v2_event("GET", "/html"), FakeContext())
    assert html["body"] == "<p>hi</p>"
    assert _headers(html)["content-type"] == "text/html; charset=utf-8"


def test_lambda_handler_binary_body_is_base64(lambda_app: App) -> None:
    result = lambda_app.lambda_handler(http_v2_event("GET", "/bin"), FakeContext())
    assert result["isBase64Encoded"] is True
    assert base64.b64decode(result["body"]) == bytes(range(256))


def test_lambda_handler_session_cookie_round_trip_v2(lambda_app: App) -> None:
    from lambda_micro import session

    @lambda_app.post("/login")
    def login() -> str:
        session["user"] = "ann"
        return "ok"

    @lambda_app.get("/me")
    def me() -> dict[str, Any]:
        return {"user": session.get("user")}

    login_result = lambda_app.lambda_handler(http_v2_event("POST", "/login"), FakeContext())
    (cookie,) = login_result["cookies"]
    assert "Secure" in cookie
    assert "HttpOnly" in cookie
    pair = cookie.split(";")[0]
    me_result = lambda_app.lambda_handler(http_v2_event("GET", "/me", cookies=[pair]), FakeContext())
    assert json.loads(me_result["body"]) == {"user": "ann"}


def test_lambda_handler_reraise_propagates_for_lambda_error_metrics() -> None:
    app = App(__name__, template_folder=None, static_folder=None, reraise=True)

    @app.get("/boom")
    def boom() -> str:
        raise RuntimeError("let Lambda see it")

    with pytest.raises(RuntimeError, match="let Lambda see it"):
        app.lambda_handler(http_v2_event("GET", "/boom"), FakeContext())


def test_lambda_handler_base_path_for_custom_domain() -> None:
    app = App(__name__, template_folder=None, static_folder=None, base_path="v1")

    @app.get("/users/<int:user_id>")
    def user(user_id: int) -> dict[str, str]:
        return {"self": url_for("user", user_id=user_id), "script_root": request.script_root}

    event = rest_event("GET", "/v1/users/5", headers={"Host": "api.example.com"})
    event["resource"] = "/users/{id}"
    event["pathParameters"] = {"id": "5"}
    event["requestContext"]["path"] = "/v1/users/5"
    event["requestContext"]["domainName"] = "api.example.com"
    result = app.lambda_handler(event, FakeContext())
    assert result["statusCode"] == 200
    assert json.loads(result["body"]) == {"self": "/v1/users/5", "script_root": "/v1"}

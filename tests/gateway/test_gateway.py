"""The local gateway over real HTTP: events as API Gateway builds them, results, errors, concurrency, moto."""

from __future__ import annotations

import base64
import concurrent.futures
import json
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest

from lambda_micro.local import apigw
from lambda_micro.local import gateway as gateway_module

from .conftest import ECHO_HANDLER, Live, Project

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\xff\xfe"

# A handler whose behaviour the query string chooses: the failure modes a gateway must translate.
BEHAVE_HANDLER = """
import base64
import time

PNG = base64.b64encode(b"\\x89PNG\\r\\n\\x1a\\n\\x00\\x00\\x00\\rIHDR\\x00\\x00\\x00\\x01\\xff\\xfe").decode()

def handler(event, context):
    query = event.get("queryStringParameters") or {}
    mode = query.get("mode", "ok")
    rest = event.get("version") != "2.0"
    if mode == "raise":
        raise ValueError("boom in the handler")
    if mode == "sleep":
        time.sleep(float(query.get("seconds", "5")))
        return {"statusCode": 200, "body": "late"}
    if mode == "bad":
        return {"statusCode": "200", "body": "x"}
    if mode == "unknown-key":
        return {"statusCode": 200, "body": "x", "extra": 1}
    if mode == "plain":
        return {"statusCode": 201, "body": "no content type"}
    if mode == "string":
        return "just a string"
    if mode == "png":
        headers = {"Content-Type": "image/png"}
        return {"statusCode": 200, "headers": headers, "body": PNG, "isBase64Encoded": True}
    if mode == "cookies":
        if rest:
            return {"statusCode": 200, "multiValueHeaders": {"Set-Cookie": ["a=1; Path=/", "b=2; Path=/"],
                    "Content-Type": ["text/plain"]}, "body": "two cookies"}
        return {"statusCode": 200, "cookies": ["a=1; Path=/", "b=2; Path=/"], "body": "two cookies",
                "headers": {"content-type": "text/plain"}}
    if mode == "empty":
        return {"statusCode": 204, "body": ""}
    return {"statusCode": 200, "headers": {"Content-Type": "text/plain"}, "body": "ok"}
"""

RESOURCES = """\
RestEcho:
  Type: AWS::Serverless::Function
  Properties:
    CodeUri: rest/
    Handler: app.handler
    Environment:
      Variables:
        GREETING: hello-rest
    Events:
      Root:
        Type: Api
        Properties: {Path: /, Method: GET}
      Echo:
        Type: Api
        Properties: {Path: "/echo/{name}", Method: ANY}
      Files:
        Type: Api
        Properties: {Path: "/files/{proxy+}", Method: ANY}
HttpEcho:
  Type: AWS::Serverless::Function
  Properties:
    CodeUri: http/
    Handler: app.handler
    Environment:
      Variables:
        GREETING: hello-http
    Events:
      Item:
        Type: HttpApi
        Properties: {Path: "/api/items/{id}", Method: GET}
      Rest:
        Type: HttpApi
        Properties: {Path: "/api/{proxy+}", Method: ANY}
LegacyEcho:
  Type: AWS::Serverless::Function
  Properties:
    CodeUri: http/
    Handler: app.handler
    Events:
      Legacy:
        Type: HttpApi
        Properties: {Path: /v1/echo, Method: GET, PayloadFormatVersion: "1.0"}
Behave:
  Type: AWS::Serverless::Function
  Properties:
    CodeUri: behave/
    Handler: app.handler
    Timeout: 1
    Events:
      Rest:
        Type: Api
        Properties: {Path: /behave, Method: ANY}
      Http:
        Type: HttpApi
        Properties: {Path: /hbehave, Method: ANY}
"""

GLOBALS_API = """\
Api:
  BinaryMediaTypes: ["image~1png", "application~1octet-stream"]
"""


@pytest.fixture
def live(project: Project, serve: Callable[..., Live]) -> Live:
    project.write("rest/app.py", ECHO_HANDLER)
    project.write("http/app.py", ECHO_HANDLER)
    project.write("behave/app.py", BEHAVE_HANDLER)
    project.write_template(RESOURCES, extra_globals=GLOBALS_API)
    return serve(project.template)


def echoed(reply: Any) -> dict[str, Any]:
    assert reply.status == 200, (reply.status, reply.body)
    return dict(reply.json())


# -- events ------------------------------------------------------------------------------------------------


def test_gateway_rest_event_has_route_path_query_and_multi_value_headers(live: Live) -> None:
    reply = live.get(
        "/echo/caf%C3%A9?a=1&a=2&b=x+y",
        headers=[("X-Multi", "one"), ("X-Multi", "two"), ("Cookie", "s=1; t=2"), ("Accept", "*/*")],
    )
    data = echoed(reply)
    event = data["event"]
    assert event["resource"] == "/echo/{name}"
    assert event["path"] == "/echo/caf%C3%A9"
    assert event["httpMethod"] == "GET"
    assert event["pathParameters"] == {"name": "caf%C3%A9"}
    assert event["multiValueQueryStringParameters"] == {"a": ["1", "2"], "b": ["x y"]}
    assert event["multiValueHeaders"]["X-Multi"] == ["one", "two"]
    assert event["headers"]["Cookie"] == "s=1; t=2"
    assert event["headers"]["X-Forwarded-Proto"] == "http"
    assert event["headers"]["X-Forwarded-Port"] == str(live.server.port)
    assert event["headers"]["X-Forwarded-For"] == "127.0.0.1"
    context = event["requestContext"]
    assert context["stage"] == "Prod"
    assert context["path"] == "/echo/caf%C3%A9"
    assert context["resourcePath"] == "/echo/{name}"
    assert context["identity"]["sourceIp"] == "127.0.0.1"
    assert "version" not in event
    assert event["body"] is None
    assert event["isBase64Encoded"] is False
    # The response carries API Gateway's request id, the one the function saw.
    assert reply.header("x-amzn-RequestId") == context["requestId"] == data["request_id"]
    assert data["env"]["GREETING"] == "hello-rest"
    assert data["function_name"] == live.gateway.state.template.functions["RestEcho"].function_name
    assert 0 < data["remaining_ms"] <= 3000


def test_gateway_rest_stage_prefix_puts_the_stage_in_request_context_path(live: Live) -> None:
    event = echoed(live.get("/Prod/echo/x"))["event"]
    assert event["path"] == "/echo/x"
    assert event["requestContext"]["path"] == "/Prod/echo/x"
    assert event["pathParameters"] == {"name": "x"}


def test_gateway_rest_stage_root_is_the_stage_path_with_a_slash(live: Live) -> None:
    for target in ("/Prod", "/Prod/"):
        event = echoed(live.get(target))["event"]
        assert event["path"] == "/"
        assert event["resource"] == "/"
        assert event["requestContext"]["path"] == "/Prod/"


def test_gateway_rest_greedy_path_and_root(live: Live) -> None:
    event = echoed(live.get("/files/a/b/c.txt"))["event"]
    assert event["resource"] == "/files/{proxy+}"
    assert event["pathParameters"] == {"proxy": "a/b/c.txt"}
    root = echoed(live.get("/"))["event"]
    assert root["resource"] == "/"
    assert root["pathParameters"] is None


def test_gateway_http_api_v2_event(live: Live) -> None:
    reply = live.get("/api/items/42?x=1&x=2&e=1%2C2", headers=[("Cookie", "a=1; b=2"), ("X-Custom", "v")])
    data = echoed(reply)
    event = data["event"]
    assert event["version"] == "2.0"
    assert event["routeKey"] == "GET /api/items/{id}"
    assert event["rawPath"] == "/api/items/42"
    assert event["rawQueryString"] == "x=1&x=2&e=1%2C2"
    assert event["queryStringParameters"] == {"x": "1,2", "e": "1,2"}
    assert event["cookies"] == ["a=1", "b=2"]
    assert event["pathParameters"] == {"id": "42"}
    assert event["headers"]["x-custom"] == "v"
    assert event["requestContext"]["http"]["method"] == "GET"
    assert event["requestContext"]["stage"] == "$default"
    assert reply.header("Apigw-Requestid") == event["requestContext"]["requestId"]
    assert data["env"]["GREETING"] == "hello-http"


def test_gateway_http_api_greedy_and_any(live: Live) -> None:
    event = echoed(live.request("DELETE", "/api/things/7"))["event"]
    assert event["routeKey"] == "ANY /api/{proxy+}"
    assert event["pathParameters"] == {"proxy": "things/7"}


def test_gateway_http_api_payload_1_0_event(live: Live) -> None:
    event = echoed(live.get("/v1/echo?q=1"))["event"]
    assert event["version"] == "1.0"
    assert event["requestContext"]["routeKey"] == "GET /v1/echo"
    assert event["queryStringParameters"] == {"q": "1"}


def test_gateway_rest_binary_request_body_is_base64_for_binary_media_types(live: Live) -> None:
    event = echoed(live.request("POST", "/echo/up", headers={"Content-Type": "image/png"}, body=PNG))["event"]
    assert event["isBase64Encoded"] is True
    assert base64.b64decode(event["body"]) == PNG
    text = echoed(live.request("POST", "/echo/up", headers={"Content-Type": "text/plain"}, body="héllo"))
    assert text["event"]["isBase64Encoded"] is False
    assert text["event"]["body"] == "héllo"


def test_gateway_http_api_binary_request_body_is_base64(live: Live) -> None:
    event = echoed(
        live.request("POST", "/api/upload", headers={"Content-Type": "application/octet-stream"}, body=PNG)
    )["event"]
    assert event["isBase64Encoded"] is True
    assert base64.b64decode(event["body"]) == PNG
    form = echoed(
        live.request(
            "POST",
            "/api/form",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
            body="a=1&b=%20",
        )
    )["event"]
    assert form["isBase64Encoded"] is False
    assert form["body"] == "a=1&b=%20"


def test_gateway_chunked_request_body_reaches_the_function(live: Live) -> None:
    chunks = b"5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"
    reply = live.request(
        "POST",
        "/api/chunked",
        headers=[("Transfer-Encoding", "chunked"), ("Content-Type", "text/plain")],
        body=chunks,
    )
    event = echoed(reply)["event"]
    assert event["body"] == "hello world"
    assert "transfer-encoding" not in event["headers"]
    assert event["headers"]["content-length"] == "11"


# -- results -----------------------------------------------------------------------------------------------


def test_gateway_rest_binary_result_decoded_when_accept_is_a_binary_type(live: Live) -> None:
    reply = live.get("/behave?mode=png", headers={"Accept": "image/png"})
    assert reply.status == 200
    assert reply.body == PNG
    assert reply.header("Content-Type") == "image/png"
    assert reply.header("Content-Length") == str(len(PNG))


def test_gateway_rest_binary_result_stays_base64_when_accept_does_not_match(
    live: Live, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="lambda_micro.local"):
        reply = live.get("/behave?mode=png", headers={"Accept": "text/html,*/*"})
    assert reply.status == 200
    assert base64.b64decode(reply.body) == PNG
    assert "BinaryMediaTypes" in caplog.text


def test_gateway_http_api_binary_result_always_decoded(live: Live) -> None:
    reply = live.get("/hbehave?mode=png", headers={"Accept": "text/html"})
    assert reply.body == PNG


def test_gateway_set_cookie_headers_each_arrive_once(live: Live) -> None:
    for target in ("/behave?mode=cookies", "/hbehave?mode=cookies"):
        reply = live.get(target)
        assert reply.status == 200
        assert reply.header_all("Set-Cookie") == ["a=1; Path=/", "b=2; Path=/"], target
        assert reply.body == b"two cookies"


def test_gateway_rest_adds_json_content_type_when_the_function_sets_none(live: Live) -> None:
    reply = live.get("/behave?mode=plain")
    assert reply.status == 201
    assert reply.header("Content-Type") == "application/json"
    assert reply.body == b"no content type"


def test_gateway_http_api_v2_string_result_is_a_200_json_body(live: Live) -> None:
    reply = live.get("/hbehave?mode=string")
    assert reply.status == 200
    assert reply.json() == "just a string"
    assert reply.header("Content-Type") == "application/json"


def test_gateway_head_sends_headers_without_body(live: Live) -> None:
    get = live.get("/behave")
    head = live.request("HEAD", "/behave")
    assert head.status == 200
    assert head.body == b""
    assert head.header("Content-Length") == get.header("Content-Length") == "2"


def test_gateway_204_has_no_body(live: Live) -> None:
    reply = live.get("/behave?mode=empty")
    assert reply.status == 204
    assert reply.body == b""


# -- API Gateway's own errors ------------------------------------------------------------------------------


def test_gateway_unmatched_paths(live: Live) -> None:
    # Both kinds of API share the port: an unprefixed unknown path gets the HTTP API's 404 ...
    reply = live.get("/nowhere")
    assert (reply.status, reply.body) == (404, b'{"message":"Not Found"}')
    assert reply.header("Content-Type") == "application/json"
    # ... and under the REST API's stage, its 403.
    reply = live.get("/Prod/nowhere")
    assert (reply.status, reply.body) == (403, b'{"message":"Missing Authentication Token"}')
    assert reply.header("x-amzn-ErrorType") == "MissingAuthenticationTokenException"


def test_gateway_rest_only_template_answers_403(project: Project, serve: Callable[..., Live]) -> None:
    project.write("rest/app.py", ECHO_HANDLER)
    project.write_template(
        """\
        Web:
          Type: AWS::Serverless::Function
          Properties:
            CodeUri: rest/
            Handler: app.handler
            Events:
              Root:
                Type: Api
                Properties: {Path: /, Method: GET}
        """
    )
    live = serve(project.template)
    for method, target in (("GET", "/missing"), ("DELETE", "/")):
        reply = live.request(method, target)
        assert (reply.status, reply.body) == (403, b'{"message":"Missing Authentication Token"}'), target


def test_gateway_handler_exception_rest_502_http_500(live: Live, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="lambda_micro.local"):
        rest = live.get("/behave?mode=raise")
        http = live.get("/hbehave?mode=raise")
    assert (rest.status, rest.body) == (502, b'{"message": "Internal server error"}')
    assert (http.status, http.body) == (500, b'{"message":"Internal Server Error"}')
    assert "Behave: the handler raised ValueError: boom in the handler" in caplog.text
    assert "Traceback" in caplog.text


def test_gateway_invalid_result_is_502_with_a_log_line_naming_the_problem(
    live: Live, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="lambda_micro.local"):
        bad = live.get("/behave?mode=bad")
        unknown = live.get("/behave?mode=unknown-key")
    assert (bad.status, bad.body) == (502, b'{"message": "Internal server error"}')
    assert unknown.status == 502
    assert "statusCode must be an int" in caplog.text
    assert "'extra'" in caplog.text


def test_gateway_function_timeout_is_a_function_error(live: Live, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="lambda_micro.local"):
        started = time.perf_counter()
        reply = live.get("/behave?mode=sleep&seconds=6")
        elapsed = time.perf_counter() - started
    assert (reply.status, reply.body) == (502, b'{"message": "Internal server error"}')
    assert 1 <= elapsed < 5  # the function's Timeout is 1 s: the gateway does not wait for it to finish
    assert "Task timed out after 1.00 seconds" in caplog.text
    http = live.get("/hbehave?mode=sleep&seconds=6")
    assert http.status == 500


def test_gateway_integration_timeout_504_rest_503_http(
    live: Live, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setitem(apigw.INTEGRATION_TIMEOUT, "rest", 0.3)
    monkeypatch.setitem(apigw.INTEGRATION_TIMEOUT, "http", 0.3)
    with caplog.at_level(logging.INFO, logger="lambda_micro.local"):
        rest = live.get("/behave?mode=sleep&seconds=0.8")
        http = live.get("/hbehave?mode=sleep&seconds=0.8")
    assert (rest.status, rest.body) == (504, b'{"message": "Endpoint request timed out"}')
    assert (http.status, http.body) == (503, b'{"message":"Service Unavailable"}')
    assert "integration limit" in caplog.text


def test_gateway_logs_one_line_per_request(live: Live, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="lambda_micro.local"):
        live.get("/echo/x?y=1")
        live.get("/nowhere")
    lines = [r.getMessage() for r in caplog.records if r.name == "lambda_micro.local"]
    assert any(line.startswith("GET /echo/x?y=1 RestEcho 200 ") and line.endswith(" ms") for line in lines)
    assert any(line.startswith("GET /nowhere - 404 ") for line in lines)


# -- concurrency -------------------------------------------------------------------------------------------


def test_gateway_serves_concurrently_without_mixing_functions(live: Live) -> None:
    targets = ["/echo/a", "/api/items/1"] * 10

    def fetch(target: str) -> tuple[str, str]:
        data = echoed(live.get(target))
        return target, data["env"]["GREETING"]

    with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(fetch, targets))
    for target, greeting in results:
        assert greeting == ("hello-rest" if target.startswith("/echo") else "hello-http")


def test_gateway_slow_request_does_not_block_others(live: Live, monkeypatch: pytest.MonkeyPatch) -> None:
    slow_started = threading.Event()
    real_invoke = gateway_module.invoke

    def spy(loaded: Any, event: Any, context: Any, **kwargs: Any) -> Any:
        if (event.get("queryStringParameters") or {}).get("mode") == "sleep":
            slow_started.set()
        return real_invoke(loaded, event, context, **kwargs)

    monkeypatch.setattr(gateway_module, "invoke", spy)
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:

        def slow_request() -> tuple[int, float]:
            reply = live.get("/behave?mode=sleep&seconds=0.9")
            return reply.status, time.perf_counter()

        slow = pool.submit(slow_request)
        assert slow_started.wait(10), "the slow request never reached its handler"
        quick = live.get("/echo/fast")
        quick_done = time.perf_counter()
        slow_status, slow_done = slow.result()
    assert (quick.status, slow_status) == (200, 200)
    assert quick_done < slow_done  # answered while the slow one was still running


# -- embedded AWS ------------------------------------------------------------------------------------------

TABLE_HANDLER = """
import json
import os

import boto3

TABLE = boto3.resource("dynamodb").Table(os.environ["TABLE_NAME"])

def handler(event, context):
    item_id = event["pathParameters"]["id"]
    if event["requestContext"]["http"]["method"] == "PUT":
        TABLE.put_item(Item={"id": item_id, "text": event["body"]})
        return {"statusCode": 204}
    item = TABLE.get_item(Key={"id": item_id}).get("Item")
    if item is None:
        return {"statusCode": 404, "body": "no such item"}
    return {"statusCode": 200, "headers": {"content-type": "application/json"}, "body": json.dumps(item)}
"""

TABLE_RESOURCES = """\
Items:
  Type: AWS::Serverless::SimpleTable
Store:
  Type: AWS::Serverless::Function
  Properties:
    CodeUri: store/
    Handler: app.handler
    Environment:
      Variables:
        TABLE_NAME: !Ref Items
    Events:
      Item:
        Type: HttpApi
        Properties: {Path: "/items/{id}", Method: ANY}
"""


def test_gateway_moto_backed_write_then_read(project: Project, serve: Callable[..., Live]) -> None:
    project.write("store/app.py", TABLE_HANDLER)
    project.write_template(TABLE_RESOURCES)
    live = serve(project.template, aws=True)
    assert live.get("/items/1").status == 404
    put = live.request("PUT", "/items/1", headers={"Content-Type": "text/plain"}, body="first post")
    assert put.status == 204
    reply = live.get("/items/1")
    assert reply.status == 200
    assert reply.json() == {"id": "1", "text": "first post"}


# -- functions that do not load ----------------------------------------------------------------------------


def test_gateway_function_that_failed_to_load_answers_502(
    project: Project, serve: Callable[..., Live], caplog: pytest.LogCaptureFixture
) -> None:
    project.write("rest/app.py", ECHO_HANDLER)
    project.write("broken/app.py", "import not_installed_anywhere\n")
    project.write_template(
        """\
        Good:
          Type: AWS::Serverless::Function
          Properties:
            CodeUri: rest/
            Handler: app.handler
            Events:
              Get:
                Type: Api
                Properties: {Path: /good, Method: GET}
        Broken:
          Type: AWS::Serverless::Function
          Properties:
            CodeUri: broken/
            Handler: app.handler
            Events:
              Get:
                Type: Api
                Properties: {Path: /broken, Method: GET}
        """
    )
    live = serve(project.template, strict=False)
    assert set(live.gateway.state.load_errors) == {"Broken"}
    with caplog.at_level(logging.INFO, logger="lambda_micro.local"):
        assert live.get("/broken").status == 502
    assert "not_installed_anywhere" in caplog.text
    assert live.get("/good").status == 200


def test_gateway_reports_its_own_bug_as_500_and_keeps_serving(
    live: Live, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("bug in the gateway")

    monkeypatch.setattr(live.gateway, "handle", broken)
    with caplog.at_level(logging.INFO, logger="lambda_micro.local"):
        reply = live.get("/echo/x")
    assert reply.status == 500
    assert b"bug in the gateway" in reply.body
    monkeypatch.undo()
    assert live.get("/echo/x").status == 200


def test_gateway_event_json_roundtrip_is_valid_for_powertools_models(live: Live) -> None:
    from aws_lambda_powertools.utilities.parser.models import (
        APIGatewayProxyEventModel,
        APIGatewayProxyEventV2Model,
    )

    rest = echoed(
        live.request("POST", "/echo/x?a=1", headers={"Content-Type": "application/json"}, body="{}")
    )
    APIGatewayProxyEventModel.model_validate(rest["event"])
    http = echoed(live.request("POST", "/api/x?a=1", headers={"Content-Type": "application/json"}, body="{}"))
    APIGatewayProxyEventV2Model.model_validate(http["event"])
    assert json.loads(http["event"]["body"]) == {}


# -- a lambda_micro App behind the gateway -----------------------------------------------------------------

APP_FUNCTION = """
from lambda_micro import App, make_response, redirect, request, url_for

app = App(__name__)


@app.route("/")
def home():
    external = url_for("read", _external=True)
    return {"links": url_for("read"), "external": external, "script": request.script_root}


@app.route("/remember", methods=["POST"])
def remember():
    response = make_response(redirect(url_for("read")))
    response.set_cookie("colour", request.form["colour"])
    response.set_cookie("size", "xl")
    return response


@app.route("/read")
def read():
    return {"colour": request.cookies.get("colour"), "size": request.cookies.get("size")}


handler = app.lambda_handler
"""

APP_TEMPLATE = """\
Site:
  Type: AWS::Serverless::Function
  Properties:
    CodeUri: site/
    Handler: app.handler
    Events:
      Root:
        Type: Api
        Properties: {Path: /, Method: ANY}
      Pages:
        Type: Api
        Properties: {Path: "/{proxy+}", Method: ANY}
Api:
  Type: AWS::Serverless::Function
  Properties:
    CodeUri: site/
    Handler: app.handler
    Events:
      All:
        Type: HttpApi
        Properties: {Path: "/v2/{proxy+}", Method: ANY}
"""


def test_gateway_serves_a_lambda_micro_app_with_links_cookies_and_redirects(
    project: Project, serve: Callable[..., Live]
) -> None:
    project.write("site/app.py", APP_FUNCTION)
    project.write_template(APP_TEMPLATE)
    live = serve(project.template)
    port = live.server.port
    # Plain URL: links without a prefix, the external URL on the local host and port over http.
    assert live.get("/").json() == {
        "links": "/read",
        "external": f"http://127.0.0.1:{port}/read",
        "script": "",
    }
    # Under the stage: links keep /Prod, as on the execute-api URL.
    assert live.get("/Prod/").json()["links"] == "/Prod/read"
    # A form post that sets two cookies and redirects; the browser's next request carries them back.
    reply = live.request(
        "POST",
        "/Prod/remember",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        body="colour=blue",
    )
    assert reply.status == 302
    assert reply.header("Location") == "/Prod/read"
    cookies = [value.split(";", 1)[0] for value in reply.header_all("Set-Cookie")]
    assert cookies == ["colour=blue", "size=xl"]
    read = live.get("/Prod/read", headers={"Cookie": "; ".join(cookies)})
    assert read.json() == {"colour": "blue", "size": "xl"}


def test_gateway_serves_a_lambda_micro_app_on_an_http_api(
    project: Project, serve: Callable[..., Live]
) -> None:
    project.write(
        "site/app.py", APP_FUNCTION.replace('"/remember"', '"/v2/remember"').replace('"/read"', '"/v2/read"')
    )
    project.write_template(APP_TEMPLATE)
    live = serve(project.template)
    reply = live.request(
        "POST",
        "/v2/remember",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        body="colour=red",
    )
    assert reply.status == 302
    assert reply.header("Location") == "/v2/read"
    cookies = [value.split(";", 1)[0] for value in reply.header_all("Set-Cookie")]
    assert cookies == ["colour=red", "size=xl"]
    assert live.get("/v2/read", headers=[("Cookie", cookies[0]), ("Cookie", cookies[1])]).json() == {
        "colour": "red",
        "size": "xl",
    }

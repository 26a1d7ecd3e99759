"""One pipeline: the test client and the live gateway give the same answer to the same request.

A table of requests (every payload, binary bodies and results, the stage prefix, API Gateway's own errors
and limits) goes once through ``lambda_micro.testing.Client`` (``LocalGateway.handle`` in-process) and
once over HTTP to ``lambda-micro serve``'s per-API ports; status, headers, body and the event the function
saw must be identical, up to what differs by nature (request ids, times, the connection's port).
"""

from __future__ import annotations

import http.client
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from lambda_micro.local.devserver import DevServer
from lambda_micro.local.loader import LoadedFunction, load_function
from lambda_micro.local.sam import load_template
from lambda_micro.testing import Client

from .conftest import Project

HANDLER = """
import base64
import json

PNG = b"\\x89PNG\\r\\n\\x1a\\n\\x00\\x00\\x00\\rIHDR\\x00\\x00\\x00\\x01\\xff\\xfe"

def handler(event, context):
    query = event.get("queryStringParameters") or {}
    mode = query.get("mode", "echo")
    if mode == "raise":
        raise ValueError("boom")
    if mode == "bad":
        return {"statusCode": "200", "body": "x"}
    if mode == "plain":
        return {"statusCode": 201, "body": "no content type"}
    if mode == "png":
        headers = {"Content-Type": "image/png"}
        body = base64.b64encode(PNG).decode()
        return {"statusCode": 200, "headers": headers, "body": body, "isBase64Encoded": True}
    if mode == "string":
        return "just a string"
    return {"statusCode": 200, "headers": {"Content-Type": "application/json"}, "body": json.dumps(event)}
"""

RESOURCES = """\
Rest:
  Type: AWS::Serverless::Function
  Properties:
    CodeUri: fn/
    Handler: app.handler
    Events:
      Item: {Type: Api, Properties: {Path: "/rest/{id}", Method: ANY}}
      Proxy: {Type: Api, Properties: {Path: "/rest/files/{proxy+}", Method: GET}}
Http:
  Type: AWS::Serverless::Function
  Properties:
    CodeUri: fn/
    Handler: app.handler
    Events:
      Item: {Type: HttpApi, Properties: {Path: "/http/{id}", Method: ANY}}
Http1:
  Type: AWS::Serverless::Function
  Properties:
    CodeUri: fn/
    Handler: app.handler
    Events:
      Item:
        Type: HttpApi
        Properties: {Path: "/v1/{id}", Method: ANY, PayloadFormatVersion: "1.0", ApiId: !Ref V1Api}
V1Api:
  Type: AWS::Serverless::HttpApi
  Properties: {StageName: dev}
"""

GLOBALS = """\
Api:
  BinaryMediaTypes: ["image~1png"]
"""

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\xff\xfe"
HOST = ("Host", "gateway.test")


@dataclass(frozen=True)
class Row:
    function: str
    method: str
    target: str
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""


ROWS = [
    # events of every payload, with repeated headers, a query with repeats and an encoded path
    Row("Rest", "GET", "/rest/caf%C3%A9?a=1&a=2&b=x+y", (("X-Multi", "one"), ("X-Multi", "two"))),
    Row("Http", "GET", "/http/caf%C3%A9?a=1&a=2&b=x+y", (("X-Multi", "one"), ("X-Multi", "two"))),
    Row("Http1", "GET", "/v1/x?a=1&a=2", (("Cookie", "s=1; t=2"),)),
    Row("Http1", "GET", "/dev/v1/x"),  # an HTTP API under its stage
    Row("Rest", "GET", "/Prod/rest/7"),  # the REST API's own URL: requestContext.path has the stage
    Row("Rest", "GET", "/rest/files/a/b/c.txt"),
    Row("Http", "POST", "/http/form", (("Content-Type", "application/x-www-form-urlencoded"),), b"a=1&b=%20"),
    # binary bodies and results: REST's BinaryMediaTypes and its Accept rule
    Row("Rest", "POST", "/rest/up", (("Content-Type", "image/png"),), PNG),
    Row("Rest", "POST", "/rest/up", (("Content-Type", "application/octet-stream"),), b"\x00\x01"),
    Row("Http", "POST", "/http/up", (("Content-Type", "image/png"),), PNG),
    Row("Rest", "GET", "/rest/1?mode=png", (("Accept", "image/png"),)),
    Row("Rest", "GET", "/rest/1?mode=png", (("Accept", "text/html"),)),
    Row("Http", "GET", "/http/1?mode=png"),
    # results API Gateway completes or rejects, and handler failures
    Row("Rest", "GET", "/rest/1?mode=plain"),
    Row("Http", "GET", "/http/1?mode=string"),
    Row("Rest", "GET", "/rest/1?mode=raise"),
    Row("Http", "GET", "/http/1?mode=raise"),
    Row("Http1", "GET", "/v1/1?mode=bad"),
    Row("Rest", "GET", "/rest/1?mode=bad"),
    # API Gateway's own answers: no route, and its quotas
    Row("Rest", "GET", "/nowhere"),
    Row("Rest", "DELETE", "/rest/files/a"),
    Row("Http", "GET", "/nowhere"),
    Row("Rest", "GET", "/rest/1?q=" + "a" * 8200),
    Row("Http", "GET", "/http/1", tuple((f"X-H{i}", "v" * 1000) for i in range(11))),
    Row(
        "Http",
        "POST",
        "/http/1",
        (("Content-Type", "application/octet-stream"),),
        b"\x00" * (5 * 1024 * 1024),
    ),
]

API_OF = {"Rest": "ServerlessRestApi", "Http": "ServerlessHttpApi", "Http1": "V1Api"}
# What differs between two requests by nature: ids, times, and the connection (scheme, port).
_VOLATILE_HEADERS = {"x-amzn-requestid", "apigw-requestid", "date", "server", "content-length", "connection"}
_VOLATILE_EVENT_KEYS = {
    "requestid", "extendedrequestid", "requesttime", "requesttimeepoch", "time", "timeepoch",
    "x-amzn-trace-id", "x-forwarded-port", "x-forwarded-proto",
}  # fmt: skip


def _scrub(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _scrub(v) for k, v in value.items() if k.lower() not in _VOLATILE_EVENT_KEYS}
    if isinstance(value, list):
        return [_scrub(item) for item in value]
    return value


def _answer(status: int, headers: list[tuple[str, str]], body: bytes) -> tuple[Any, ...]:
    kept = sorted((k.lower(), v) for k, v in headers if k.lower() not in _VOLATILE_HEADERS)
    content_type = dict(kept).get("content-type", "")
    shown: Any = body
    if content_type == "application/json" and body.startswith(b'{"resource"'):
        shown = _scrub(json.loads(body))  # a REST event
    elif content_type == "application/json" and body.startswith(b'{"version"'):
        shown = _scrub(json.loads(body))
    return status, kept, shown


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[DevServer, dict[str, Client]]]:
    project = Project(tmp_path_factory.mktemp("pipeline"))
    project.write("fn/app.py", HANDLER)
    project.write_template(RESOURCES, extra_globals=GLOBALS)
    dev = DevServer(project.template, port=0, aws="real", reload=False)
    dev.start()
    template = load_template(project.template)
    loaded: list[LoadedFunction] = []
    clients = {}
    for name, function in template.functions.items():
        loaded.append(load_function(function))
        clients[name] = Client(
            loaded[-1],
            payload=function.routes[0].source,
            stage=function.routes[0].stage,
            routes=function.routes,
            timeout=float(function.timeout),
            function_name=function.function_name,
            propagate_errors=False,
            use_cookies=False,
        )
    yield dev, clients
    dev.stop()
    for function in loaded:
        function.unload()


def _over_http(dev: DevServer, row: Row) -> tuple[Any, ...]:
    host, port = dev.url(API_OF[row.function]).removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=30)
    try:
        conn.putrequest(row.method, row.target, skip_host=True, skip_accept_encoding=True)
        for name, value in (HOST, *row.headers):
            conn.putheader(name, value)
        if row.body:
            conn.putheader("Content-Length", str(len(row.body)))
        conn.endheaders(row.body or None)
        response = conn.getresponse()
        return _answer(response.status, response.getheaders(), response.read())
    finally:
        conn.close()


def _through_client(client: Client, row: Row) -> tuple[Any, ...]:
    response = client.request(row.method, row.target, headers=[HOST, *row.headers], body=row.body or None)
    return _answer(response.status_code, list(response.headers.items()), response.data)


@pytest.mark.parametrize("row", ROWS, ids=[f"{r.function} {r.method} {r.target[:40]}" for r in ROWS])
def test_client_and_live_gateway_answer_identically(
    setup: tuple[DevServer, dict[str, Client]], row: Row
) -> None:
    dev, clients = setup
    live = _over_http(dev, row)
    assert live[0] != 0
    assert _through_client(clients[row.function], row) == live

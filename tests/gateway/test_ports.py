"""Every API on its own port too: the combined port for the browser, each API alone with its own 404/403."""

from __future__ import annotations

import http.client
import json
import random
from collections.abc import Iterator

import pytest

from lambda_micro.local.console import banner
from lambda_micro.local.devserver import DevServer, is_loopback
from lambda_micro.local.server import GatewayStartError

from .conftest import ECHO_HANDLER, Project

RESOURCES = """\
Web:
  Type: AWS::Serverless::Function
  Properties:
    CodeUri: fn/
    Handler: app.handler
    Events:
      Page: {Type: Api, Properties: {Path: /page, Method: GET}}
Api:
  Type: AWS::Serverless::Function
  Properties:
    CodeUri: fn/
    Handler: app.handler
    Events:
      Items: {Type: HttpApi, Properties: {Path: /api/items, Method: GET}}
"""


def get(url: str, path: str) -> tuple[int, bytes]:
    host, port = url.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=10)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


@pytest.fixture
def project_with_two_apis(project: Project) -> Project:
    project.write("fn/app.py", ECHO_HANDLER)
    project.write_template(RESOURCES)
    return project


@pytest.fixture
def dev(project_with_two_apis: Project) -> Iterator[DevServer]:
    server = DevServer(project_with_two_apis.template, port=0, aws="real", reload=False)
    server.start()
    yield server
    server.stop()


def test_each_api_answers_alone_on_its_own_port(dev: DevServer) -> None:
    assert [api for api, _ in dev.listening] == [None, "ServerlessRestApi", "ServerlessHttpApi"]
    rest, http_api = dev.url("ServerlessRestApi"), dev.url("ServerlessHttpApi")
    assert get(rest, "/page")[0] == 200
    assert get(http_api, "/api/items")[0] == 200
    # A path of the other API is unknown here: each API's own answer, as on its execute-api URL.
    assert get(rest, "/api/items") == (403, b'{"message":"Missing Authentication Token"}')
    assert get(http_api, "/page") == (404, b'{"message":"Not Found"}')
    assert get(http_api, "/api/unknown") == (404, b'{"message":"Not Found"}')


def test_the_combined_port_serves_every_api(dev: DevServer) -> None:
    combined = dev.url()
    assert get(combined, "/page")[0] == 200
    assert get(combined, "/api/items")[0] == 200
    assert get(combined, "/nowhere") == (404, b'{"message":"Not Found"}')  # the HTTP API's answer


def test_the_banner_lists_every_port(dev: DevServer) -> None:
    text = banner(dev)
    assert f"ServerlessRestApi (REST API) alone: {dev.url('ServerlessRestApi')}/" in text
    assert f"ServerlessHttpApi (HTTP API) alone: {dev.url('ServerlessHttpApi')}/" in text
    assert f"Listening on {dev.url()}/ for every API" in text


def test_ports_follow_the_combined_port(project_with_two_apis: Project) -> None:
    # Below the ephemeral range, where outgoing connections (boto3's, the tests') take their ports.
    for base in random.sample(range(20000, 30000, 10), 10):
        dev = DevServer(project_with_two_apis.template, port=base, aws="real", reload=False)
        try:
            dev.start()
        except GatewayStartError:
            continue  # one of the three ports is in use: another base
        try:
            assert [port for _, port in dev.listening] == [base, base + 1, base + 2]
        finally:
            dev.stop()
        return
    pytest.fail("no three free consecutive ports in ten tries")


def test_one_api_alone(project_with_two_apis: Project) -> None:
    dev = DevServer(project_with_two_apis.template, port=0, aws="real", reload=False, api="ServerlessHttpApi")
    dev.start()
    try:
        assert [api for api, _ in dev.listening] == ["ServerlessHttpApi"]
        url = dev.url("ServerlessHttpApi")
        status, body = get(url, "/api/items")
        assert status == 200
        assert json.loads(body)["event"]["routeKey"] == "GET /api/items"
        assert get(url, "/page")[0] == 404
        assert "Listening on" in banner(dev)
        assert "for ServerlessHttpApi" in banner(dev)
    finally:
        dev.stop()


def test_an_unknown_api_name_is_a_clear_error(project_with_two_apis: Project) -> None:
    dev = DevServer(project_with_two_apis.template, port=0, aws="real", reload=False, api="Nope")
    with pytest.raises(GatewayStartError, match=r"--api Nope: no API of that name.*ServerlessRestApi"):
        dev.start()
    assert dev.server is None


@pytest.mark.parametrize(
    ("host", "loopback"),
    [("127.0.0.1", True), ("::1", True), ("localhost", True), ("127.0.0.2", True), ("0.0.0.0", False),
     ("192.168.1.4", False), ("example.org", False), ("[::1]", True)],
)  # fmt: skip
def test_is_loopback(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback

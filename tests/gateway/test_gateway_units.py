"""Gateway pieces without a socket: env-vars files, state loading, the WSGI app called directly, servers."""

from __future__ import annotations

import base64
import http.client
import json
import logging
import sys
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from werkzeug.test import Client

from lambda_micro.local.apigw import rest_binary_rule
from lambda_micro.local.envvars import EnvVarsError, apply_env_vars, load_env_vars
from lambda_micro.local.gateway import LocalGateway, function_event, load_state
from lambda_micro.local.loader import FunctionLoadError
from lambda_micro.local.sam import TemplateError, load_template
from lambda_micro.local.server import GatewayStartError, LocalServer

from .conftest import ECHO_HANDLER, Live, Project

TWO_FUNCTIONS = """\
One:
  Type: AWS::Serverless::Function
  Properties:
    CodeUri: one/
    Handler: app.handler
    Environment:
      Variables:
        GREETING: from-template
        OTHER: keep
    Events:
      Any:
        Type: Api
        Properties: {Path: "/one/{rest+}", Method: ANY}
Two:
  Type: AWS::Serverless::Function
  Properties:
    CodeUri: two/
    Handler: app.handler
    Events:
      Default:
        Type: HttpApi
      Create:
        Type: HttpApi
        Properties: {Path: /two, Method: POST}
"""


@pytest.fixture
def two(project: Project) -> Project:
    project.write("one/app.py", ECHO_HANDLER)
    project.write("two/app.py", ECHO_HANDLER)
    project.write_template(TWO_FUNCTIONS)
    return project


# -- env-vars files ----------------------------------------------------------------------------------------


def test_load_env_vars_reads_sam_format_and_stringifies_scalars(tmp_path: Path) -> None:
    path = tmp_path / "env.json"
    path.write_text(json.dumps({"Parameters": {"A": "x", "N": 3, "F": 1.5, "B": True}, "One": {"C": False}}))
    assert load_env_vars(path) == {
        "Parameters": {"A": "x", "N": "3", "F": "1.5", "B": "true"},
        "One": {"C": "false"},
    }


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[1, 2]", "expected an object like"),
        ('{"One": "x"}', "One: expected an object of variables, got str"),
        ('{"One": {"A": null}}', "One.A: expected a string, number or boolean"),
        ('{"One": {"A": [1]}}', "One.A: expected a string, number or boolean"),
        ("{", "not valid JSON"),
    ],
)
def test_load_env_vars_errors_name_file_and_place(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "env.json"
    path.write_text(text)
    with pytest.raises(EnvVarsError, match=message) as info:
        load_env_vars(path)
    assert str(path) in str(info.value)


def test_load_env_vars_missing_file(tmp_path: Path) -> None:
    with pytest.raises(EnvVarsError, match="cannot read"):
        load_env_vars(tmp_path / "absent.json")


def test_apply_env_vars_follows_sam_precedence_and_declared_only(two: Project) -> None:
    function = load_template(two.template).functions["One"]
    env_vars = {"Parameters": {"GREETING": "all", "NEW": "x"}, "One": {"GREETING": "mine"}}
    updated, ignored = apply_env_vars(function, env_vars)
    assert updated.environment == {"GREETING": "mine", "OTHER": "keep"}
    assert ignored == ["NEW"]
    assert function.environment["GREETING"] == "from-template"  # the template's model is left alone
    assert apply_env_vars(function, None) == (function, [])
    assert apply_env_vars(function, {"Two": {"X": "1"}}) == (function, [])


def test_load_state_warns_about_unknown_sections_and_undeclared_variables(
    two: Project, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="lambda_micro.local"):
        state = load_state(two.template, env_vars={"Nope": {"A": "1"}, "One": {"UNDECLARED": "1"}})
    assert "no function 'Nope'" in caplog.text
    assert "One does not declare UNDECLARED" in caplog.text
    assert set(state.functions) == {"One", "Two"}
    assert state.watch_paths == [two.template.resolve(), two.root / "one", two.root / "two"]


def test_load_state_strict_raises_the_loader_error(two: Project) -> None:
    two.write("two/app.py", "raise RuntimeError('import-time failure')\n")
    with pytest.raises(FunctionLoadError, match="import-time failure"):
        load_state(two.template)
    state = load_state(two.template, strict=False)
    assert "import-time failure" in state.load_errors["Two"]


def test_load_state_greedy_not_last_is_a_template_error(project: Project) -> None:
    project.write("one/app.py", ECHO_HANDLER)
    project.write_template(TWO_FUNCTIONS.split("Two:", maxsplit=1)[0].replace("/one/{rest+}", "/{rest+}/x"))
    with pytest.raises(TemplateError, match="greedy"):
        load_state(project.template)


# -- default events for `invoke` ---------------------------------------------------------------------------


def test_default_event_for_greedy_and_default_routes(two: Project) -> None:
    template = load_template(two.template)
    rest = function_event(template, "One")
    assert rest["path"] == "/one/rest"
    assert rest["pathParameters"] == {"rest": "rest"}
    assert rest["httpMethod"] == "GET"
    http = function_event(template, "Two")
    assert http["routeKey"] == "$default"
    assert http["rawPath"] == "/"


def test_default_event_uses_the_route_method_when_no_get(project: Project) -> None:
    project.write("two/app.py", ECHO_HANDLER)
    project.write_template(
        """\
        Two:
          Type: AWS::Serverless::Function
          Properties:
            CodeUri: two/
            Handler: app.handler
            Events:
              Create:
                Type: HttpApi
                Properties: {Path: /two, Method: POST}
        """
    )
    event = function_event(load_template(project.template), "Two")
    assert event["requestContext"]["http"]["method"] == "POST"
    assert event["routeKey"] == "POST /two"


# -- the WSGI app called directly (no raw request line, no raw headers) ------------------------------------


def test_wsgi_app_rebuilds_path_and_headers_from_the_environ(two: Project) -> None:
    client = Client(LocalGateway(load_state(two.template)))
    response = client.get("/one/caf%C3%A9/x?q=1", headers={"X-Thing": "v", "Content-Type": "text/plain"})
    assert response.status_code == 200
    event = json.loads(response.get_data())["event"]
    assert event["path"] == "/one/caf%C3%A9/x"
    assert event["pathParameters"] == {"rest": "caf%C3%A9/x"}
    assert event["queryStringParameters"] == {"q": "1"}
    assert event["headers"]["X-Thing"] == "v"
    assert event["headers"]["Content-Type"] == "text/plain"


def test_wsgi_app_head_and_unknown_status_line(two: Project) -> None:
    gateway = LocalGateway(load_state(two.template))
    client = Client(gateway)
    head = client.head("/one/a")
    assert head.status_code == 200
    assert head.get_data() == b""
    assert int(head.headers["Content-Length"]) > 0


def test_absolute_form_request_target(serve: Callable[..., Live], two: Project) -> None:
    live = serve(two.template)
    conn = http.client.HTTPConnection("127.0.0.1", live.server.port, timeout=10)
    try:
        conn.request("GET", f"{live.url}/one/abs?x=1")
        response = conn.getresponse()
        event = json.loads(response.read())["event"]
    finally:
        conn.close()
    assert event["path"] == "/one/abs"
    assert event["queryStringParameters"] == {"x": "1"}


def test_swap_unloads_the_old_functions_at_once_when_idle(two: Project) -> None:
    gateway = LocalGateway(load_state(two.template))
    old_one = gateway.state.functions["One"]
    previous = gateway.swap(load_state(two.template))
    assert previous.functions["One"] is old_one
    assert old_one.package not in sys.modules
    assert gateway.state.functions["One"].package in sys.modules
    kept = gateway.state.functions["One"]
    gateway.swap(load_state(two.template), unload=False)
    assert kept.package in sys.modules
    kept.unload()


# The handler answers with its module's VERSION, after waiting for the test when told to: the test holds a
# request on the old code while it swaps in the new one. Its late import needs the whole package.
SLOW_HANDLER = """
import threading

VERSION = "{version}"
started = threading.Event()
release = threading.Event()

def handler(event, context):
    if (event.get("queryStringParameters") or {{}}).get("wait"):
        started.set()
        release.wait(10)
    import late
    return {{"statusCode": 200, "body": VERSION + " " + late.VALUE}}
"""


def test_swap_lets_a_request_under_way_finish_on_the_old_code(
    serve: Callable[..., Live], project: Project
) -> None:
    project.write("fn/app.py", SLOW_HANDLER.format(version="old"))
    project.write("fn/late.py", "VALUE = 'late'\n")
    project.write_template(
        """\
        Fn:
          Type: AWS::Serverless::Function
          Properties:
            CodeUri: fn/
            Handler: app.handler
            Timeout: 10
            Events:
              Any: {Type: HttpApi}
        """
    )
    live = serve(project.template)
    old = live.gateway.state.functions["Fn"]
    replies: list[str] = []
    slow = threading.Thread(target=lambda: replies.append(live.get("/x?wait=1").text))
    slow.start()
    assert old.module.started.wait(5)

    project.write("fn/app.py", SLOW_HANDLER.format(version="new"))
    live.gateway.swap(load_state(project.template))
    assert live.get("/x").text == "new late"  # the next request runs the new code
    assert old.package in sys.modules  # ... while the old one still has a request under way

    old.module.release.set()
    slow.join(10)
    assert replies == ["old late"]
    assert old.package not in sys.modules


# -- REST binary rule --------------------------------------------------------------------------------------


def _request(accept: str | None) -> str | None:
    return accept


def testrest_binary_rule() -> None:
    encoded = base64.b64encode(b"\x00\x01").decode()
    result = {"statusCode": 200, "body": encoded, "isBase64Encoded": True}
    assert rest_binary_rule(result, _request("image/png"), ["image/*"]) is result
    assert rest_binary_rule(result, _request("text/html"), ["image/*"]) == {
        **result,
        "isBase64Encoded": False,
    }
    assert rest_binary_rule(result, _request(None), ()) == {**result, "isBase64Encoded": False}
    invalid = {"statusCode": 200, "body": "***", "isBase64Encoded": True}
    assert rest_binary_rule(invalid, _request("text/html"), ()) is invalid  # parse_result names it
    plain = {"statusCode": 200, "body": "x"}
    assert rest_binary_rule(plain, _request(None), ()) is plain
    assert rest_binary_rule("text", _request(None), ()) == "text"


def test_invalid_base64_result_is_502_naming_it(
    project: Project, serve: Callable[..., Live], caplog: pytest.LogCaptureFixture
) -> None:
    project.write(
        "fn/app.py",
        """
        def handler(event, context):
            return {"statusCode": 200, "body": "not base64!", "isBase64Encoded": True}
        """,
    )
    project.write_template(
        """\
        Fn:
          Type: AWS::Serverless::Function
          Properties:
            CodeUri: fn/
            Handler: app.handler
            Events:
              Get:
                Type: Api
                Properties: {Path: /, Method: GET}
        """
    )
    live = serve(project.template)
    with caplog.at_level(logging.INFO, logger="lambda_micro.local"):
        reply = live.get("/", headers={"Accept": "text/html"})
    assert reply.status == 502
    assert "base64" in caplog.text


# -- the HTTP server ---------------------------------------------------------------------------------------


def test_local_server_unknown_host() -> None:
    with pytest.raises(GatewayStartError, match="unknown host"):
        LocalServer(lambda environ, start_response: [], host="no-such-host.invalid", port=0)


def test_local_server_context_manager_and_url(two: Project) -> None:
    gateway = LocalGateway(load_state(two.template))
    with LocalServer(gateway, host="127.0.0.1", port=0) as server:
        assert server.url == f"http://127.0.0.1:{server.port}"
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        conn.request("GET", "/one/x")
        assert conn.getresponse().status == 200
        conn.close()


def test_http_api_named_stage_events_carry_the_stage(project: Project, serve: Callable[..., Live]) -> None:
    project.write("fn/app.py", ECHO_HANDLER)
    project.write_template(
        """\
        Api:
          Type: AWS::Serverless::HttpApi
          Properties:
            StageName: dev
        Fn:
          Type: AWS::Serverless::Function
          Properties:
            CodeUri: fn/
            Handler: app.handler
            Events:
              Get:
                Type: HttpApi
                Properties: {ApiId: !Ref Api, Path: "/items/{id}", Method: GET}
        """
    )
    live = serve(project.template)
    for target in ("/dev/items/1", "/items/1"):
        reply = live.get(target)
        assert reply.status == 200, target
        event = reply.json()["event"]
        assert event["rawPath"] == "/dev/items/1"
        assert event["requestContext"]["stage"] == "dev"
        assert event["pathParameters"] == {"id": "1"}
        assert event["routeKey"] == "GET /items/{id}"
    assert live.get("/dev/nothing").status == 404

"""The ``lambda-micro`` command line: routes, invoke, check, serve (errors, banner, reload, shutdown)."""

from __future__ import annotations

import io
import json
import logging
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from lambda_micro.local.cli import main
from lambda_micro.local.console import banner as render_banner
from lambda_micro.local.devserver import DevServer

from .conftest import ECHO_HANDLER, Project

BASIC = """\
Web:
  Type: AWS::Serverless::Function
  Properties:
    CodeUri: web/
    Handler: app.handler
    Environment:
      Variables:
        GREETING: hi
    Events:
      Post:
        Type: Api
        Properties: {Path: "/posts/{slug}", Method: GET}
      Home:
        Type: Api
        Properties: {Path: /, Method: GET}
Api:
  Type: AWS::Serverless::Function
  Properties:
    CodeUri: api/
    Handler: app.handler
    Events:
      Any:
        Type: HttpApi
        Properties: {Path: "/api/{proxy+}", Method: ANY}
Worker:
  Type: AWS::Serverless::Function
  Properties:
    CodeUri: api/
    Handler: app.handler
"""

RAISING_HANDLER = """
def handler(event, context):
    raise KeyError("missing thing")
"""


@pytest.fixture
def basic(project: Project) -> Project:
    project.write("web/app.py", ECHO_HANDLER)
    project.write("api/app.py", ECHO_HANDLER)
    project.write_template(BASIC)
    return project


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


# -- routes ------------------------------------------------------------------------------------------------


def test_cli_routes_prints_a_table(basic: Project, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "routes", "--template", str(basic.template))
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split() == ["METHOD", "PATH", "FUNCTION", "API", "STAGE", "PAYLOAD", "AUTH"]
    assert lines[1].split() == [
        "GET",
        "/posts/{slug}",
        "Web",
        "REST",
        "ServerlessRestApi",
        "Prod",
        "1.0",
        "-",
    ]
    assert lines[2].split() == ["GET", "/", "Web", "REST", "ServerlessRestApi", "Prod", "1.0", "-"]
    assert lines[3].split() == [
        "ANY",
        "/api/{proxy+}",
        "Api",
        "HTTP",
        "ServerlessHttpApi",
        "$default",
        "2.0",
        "-",
    ]
    assert len(lines) == 4


def test_cli_routes_without_api_events(project: Project, capsys: pytest.CaptureFixture[str]) -> None:
    project.write("api/app.py", ECHO_HANDLER)
    project.write_template(
        """\
        Worker:
          Type: AWS::Serverless::Function
          Properties: {CodeUri: api/, Handler: app.handler}
        """
    )
    code, out, _ = run(capsys, "routes", "--template", str(project.template))
    assert code == 0
    assert "no Api or HttpApi events" in out


# -- errors: one line, exit 2 ------------------------------------------------------------------------------


def test_cli_missing_template_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "routes", "--template", str(tmp_path / "nope.yaml"))
    assert code == 2
    assert err.startswith("lambda-micro: error: ")
    assert "nope.yaml" in err
    assert "does not exist" in err
    assert "Traceback" not in err


def test_cli_broken_template_exits_2_naming_the_line(
    project: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    project.template.write_text("Resources:\n  Web:\n    Type: [unclosed\n")
    code, _, err = run(capsys, "serve", "--template", str(project.template), "--aws", "real", "--no-reload")
    assert code == 2
    assert "template.yaml:" in err
    assert "Traceback" not in err


def test_cli_serve_handler_that_does_not_import_exits_2(
    project: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    project.write("web/app.py", "import definitely_not_a_module_xyz\n")
    project.write_template(BASIC.split("Api:\n", maxsplit=1)[0])
    code, _, err = run(capsys, "serve", "--template", str(project.template), "--port", "0", "--aws", "real")
    assert code == 2
    assert "function Web" in err
    assert "definitely_not_a_module_xyz" in err
    assert "Traceback" not in err


def test_cli_serve_port_in_use_exits_2(basic: Project, capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        code, _, err = run(
            capsys,
            "serve",
            "--template",
            str(basic.template),
            "--port",
            str(port),
            "--aws",
            "real",
            "--no-reload",
        )
    assert code == 2
    assert f"port {port}" in err
    assert "in use" in err


def test_cli_usage_errors_exit_2(basic: Project, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, *[])[0] == 2
    assert run(capsys, "frobnicate")[0] == 2
    code, _, err = run(
        capsys, "routes", "--template", str(basic.template), "--parameter-overrides", "novalue"
    )
    assert code == 2
    assert "KEY=VALUE" in err
    assert run(capsys, "--help")[0] == 0


def test_cli_bad_env_vars_file_exits_2(basic: Project, capsys: pytest.CaptureFixture[str]) -> None:
    env = basic.write("env.json", "{not json")
    code, _, err = run(
        capsys, "invoke", "Web", "--template", str(basic.template), "--env-vars", str(env), "--aws", "real"
    )
    assert code == 2
    assert "env.json: not valid JSON" in err


# -- invoke ------------------------------------------------------------------------------------------------


def test_cli_invoke_default_event_is_a_get_of_the_first_route(
    basic: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "invoke", "Web", "--template", str(basic.template), "--aws", "real")
    assert code == 0
    result = json.loads(out)
    assert result["statusCode"] == 200
    event = json.loads(result["body"])["event"]
    assert event["httpMethod"] == "GET"
    assert event["resource"] == "/posts/{slug}"
    assert event["path"] == "/posts/slug"
    assert event["pathParameters"] == {"slug": "slug"}
    assert event["requestContext"]["path"] == "/Prod/posts/slug"  # the execute-api URL includes the stage
    assert json.loads(result["body"])["env"]["GREETING"] == "hi"


def test_cli_invoke_http_api_default_event(basic: Project, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "invoke", "Api", "--template", str(basic.template), "--aws", "real")
    assert code == 0
    event = json.loads(json.loads(out)["body"])["event"]
    assert event["version"] == "2.0"
    assert event["routeKey"] == "ANY /api/{proxy+}"
    assert event["rawPath"] == "/api/proxy"


def test_cli_invoke_event_from_file_and_stdin(
    basic: Project, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    sqs = {"Records": [{"eventSource": "aws:sqs", "body": "hello"}]}
    path = basic.write("event.json", json.dumps(sqs))
    code, out, _ = run(
        capsys, "invoke", "Worker", "--template", str(basic.template), "--event", str(path), "--aws", "real"
    )
    assert code == 0
    assert json.loads(json.loads(out)["body"])["event"] == sqs
    monkeypatch.setattr(sys, "stdin", io.StringIO(json.dumps({"ping": True})))
    code, out, _ = run(
        capsys, "invoke", "Worker", "--template", str(basic.template), "-e", "-", "--aws", "real"
    )
    assert code == 0
    assert json.loads(json.loads(out)["body"])["event"] == {"ping": True}


def test_cli_invoke_errors(basic: Project, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "invoke", "Nope", "--template", str(basic.template), "--aws", "real")
    assert code == 2
    assert "no function 'Nope'" in err
    code, _, err = run(capsys, "invoke", "Worker", "--template", str(basic.template), "--aws", "real")
    assert code == 2
    assert "Worker has no Api or HttpApi event" in err
    bad = basic.write("bad.json", "[1,")
    code, _, err = run(
        capsys, "invoke", "Worker", "--template", str(basic.template), "--event", str(bad), "--aws", "real"
    )
    assert code == 2
    assert "not valid JSON" in err
    missing = basic.root / "missing.json"
    code, _, err = run(
        capsys,
        "invoke",
        "Worker",
        "--template",
        str(basic.template),
        "--event",
        str(missing),
        "--aws",
        "real",
    )
    assert code == 2
    assert "cannot read it" in err
    code, _, err = run(
        capsys, "routes", "--template", str(basic.template), "--parameter-overrides", "ParameterKey=A"
    )
    assert code == 2
    assert "no ,ParameterValue=" in err


def test_cli_invoke_handler_exception_prints_the_runtime_error_and_exits_1(
    basic: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    basic.write("api/app.py", RAISING_HANDLER)
    code, out, _ = run(capsys, "invoke", "Api", "--template", str(basic.template), "--aws", "real")
    assert code == 1
    error = json.loads(out)
    assert error["errorType"] == "KeyError"
    assert "missing thing" in error["errorMessage"]
    assert any("app.py" in frame for frame in error["stackTrace"])


def test_cli_invoke_timeout_and_marshal_errors(basic: Project, capsys: pytest.CaptureFixture[str]) -> None:
    basic.write(
        "api/app.py",
        """
        import time
        def handler(event, context):
            if event.get("sleep"):
                time.sleep(5)
            return {"value": {1, 2}}
        """,
    )
    with_timeout = "    CodeUri: api/\n    Handler: app.handler\n    Timeout: 1\n    Events:"
    basic.write_template(
        BASIC.replace("    CodeUri: api/\n    Handler: app.handler\n    Events:", with_timeout)
    )
    slow = basic.write("slow.json", '{"sleep": true}')
    code, out, _ = run(
        capsys, "invoke", "Api", "--template", str(basic.template), "--event", str(slow), "--aws", "real"
    )
    assert code == 1
    assert json.loads(out)["errorType"] == "Sandbox.Timedout"
    assert "Task timed out after 1.00 seconds" in json.loads(out)["errorMessage"]
    code, out, _ = run(capsys, "invoke", "Api", "--template", str(basic.template), "--aws", "real")
    assert code == 1
    assert json.loads(out)["errorType"] == "Runtime.MarshalError"


def test_cli_invoke_with_embedded_aws_and_env_vars(
    basic: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    env = basic.write(
        "env.json", json.dumps({"Parameters": {"GREETING": "from-file"}, "Web": {"UNDECLARED": 1}})
    )
    before = dict(os.environ)
    code, out, err = run(capsys, "invoke", "Web", "--template", str(basic.template), "--env-vars", str(env))
    assert code == 0
    body = json.loads(json.loads(out)["body"])
    assert body["env"]["GREETING"] == "from-file"
    assert body["env"]["AWS_ENDPOINT_URL"].startswith("http://127.0.0.1:")
    assert "UNDECLARED" in err  # ignored, as sam local does, and said so
    assert dict(os.environ) == before  # the embedded AWS's variables do not outlive the command


def test_cli_parameter_overrides_both_spellings(project: Project, capsys: pytest.CaptureFixture[str]) -> None:
    project.write("web/app.py", ECHO_HANDLER)
    project.write_template(
        """\
        Web:
          Type: AWS::Serverless::Function
          Properties:
            CodeUri: web/
            Handler: app.handler
            Environment:
              Variables:
                GREETING: !Ref Greeting
            Events:
              Home:
                Type: Api
                Properties: {Path: /, Method: GET}
        """,
        head="Parameters:\n  Greeting:\n    Type: String\n    Default: default\n"
        + "Globals:\n  Function:\n    Runtime: python3.11\n",
    )
    for spelling in ("Greeting=plain", "ParameterKey=Greeting,ParameterValue=plain"):
        code, out, _ = run(
            capsys, "invoke", "Web", "--template", str(project.template), "--aws", "real",
            "--parameter-overrides", spelling,
        )  # fmt: skip
        assert code == 0, spelling
        assert json.loads(json.loads(out)["body"])["env"]["GREETING"] == "plain"


# -- check -------------------------------------------------------------------------------------------------


def test_cli_check_clean_template_exits_0(basic: Project, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "check", "--template", str(basic.template))
    assert code == 0, out + err
    assert "no drift" in out


def test_cli_check_reports_problems_and_exits_1(basic: Project, capsys: pytest.CaptureFixture[str]) -> None:
    basic.write(
        "web/app.py",
        """
        def handler(event, context):
            return {"statusCode": 404, "body": "no such page"}
        """,
    )
    code, out, err = run(capsys, "check", "--template", str(basic.template))
    assert code == 1
    lines = out.splitlines()
    assert len(lines) == 2  # both of Web's routes reach nothing; every problem is printed
    assert all(str(basic.template.resolve()) in line and "Web.Events." in line for line in lines)
    assert "2 problems in" in err


# -- serve: the dev server ---------------------------------------------------------------------------------


def fetch(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def wait_for(predicate: Any, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError("condition not met in time")


COUNTER_HANDLER = """
import os
import boto3

TABLE = boto3.resource("dynamodb").Table(os.environ["TABLE_NAME"])
VERSION = "v1"

def handler(event, context):
    if event["httpMethod"] == "POST":
        TABLE.put_item(Item={"id": "k", "value": event["body"]})
    item = TABLE.get_item(Key={"id": "k"}).get("Item") or {}
    return {"statusCode": 200, "body": VERSION + ":" + item.get("value", "-")}
"""

COUNTER_TEMPLATE = """\
Data:
  Type: AWS::Serverless::SimpleTable
Counter:
  Type: AWS::Serverless::Function
  Properties:
    CodeUri: counter/
    Handler: app.handler
    Environment:
      Variables:
        TABLE_NAME: !Ref Data
    Events:
      Any:
        Type: Api
        Properties: {Path: /, Method: ANY}
"""


def test_dev_server_reloads_code_and_keeps_moto_data(
    project: Project, caplog: pytest.LogCaptureFixture
) -> None:
    app = project.write("counter/app.py", COUNTER_HANDLER)
    project.write_template(COUNTER_TEMPLATE)
    dev = DevServer(project.template, port=0, reload_interval=0.1)
    dev.start()
    try:
        assert dev.server is not None
        url = dev.server.url + "/"
        request = urllib.request.Request(url, data=b"saved", method="POST")
        with urllib.request.urlopen(request, timeout=10) as response:
            assert response.read() == b"v1:saved"
        with caplog.at_level(logging.INFO, logger="lambda_micro.local"):
            app.write_text(COUNTER_HANDLER.replace('VERSION = "v1"', 'VERSION = "v2"'))
            wait_for(lambda: fetch(url) == (200, b"v2:saved"))
        assert "reloaded after a change to" in caplog.text
        banner = render_banner(dev)
        assert "local AWS (moto): http://127.0.0.1:" in banner
        assert "table  Data:" in banner
        assert "ServerlessRestApi also answers under its stage" in banner
    finally:
        dev.stop()
    dev.stop()  # idempotent


def test_dev_server_keeps_serving_when_a_reload_fails(
    project: Project, caplog: pytest.LogCaptureFixture
) -> None:
    app = project.write("web/app.py", ECHO_HANDLER)
    project.write_template(BASIC.split("Api:\n", maxsplit=1)[0])
    dev = DevServer(project.template, port=0, aws="real", reload=False)
    dev.start()
    try:
        assert dev.server is not None
        url = dev.server.url
        good = project.template.read_text()
        with caplog.at_level(logging.INFO, logger="lambda_micro.local"):
            project.template.write_text("Resources: [broken")
            assert dev.reload([project.template]) is False
            assert fetch(url + "/")[0] == 200  # the previous version is still served
            assert "still serving the previous version" in caplog.text
            project.template.write_text(good)
            app.write_text("raise RuntimeError('half-written module')\n")
            assert dev.reload([app]) is True
            assert fetch(url + "/")[0] == 502  # the function is broken now, as it would be on AWS
            assert "half-written module" in caplog.text
            app.write_text(ECHO_HANDLER)
            assert dev.reload([app]) is True
            assert fetch(url + "/")[0] == 200
    finally:
        dev.stop()


def test_dev_server_restores_the_process_environment(basic: Project) -> None:
    environ = {"AWS_PROFILE": "prod", "KEEP": "1"}
    dev = DevServer(basic.template, port=0, reload=False, process_environ=environ)
    dev.start()
    try:
        assert "AWS_PROFILE" not in environ
        assert environ["AWS_ENDPOINT_URL"].startswith("http://127.0.0.1:")
    finally:
        dev.stop()
    assert environ == {"AWS_PROFILE": "prod", "KEEP": "1"}


def test_cli_serve_subprocess_banner_requests_and_sigterm(basic: Project) -> None:
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "lambda_micro.local",
            "serve",
            "--template",
            str(basic.template),
            "--port",
            "0",
        ],
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
        cwd=basic.root,
    )
    try:
        assert process.stderr is not None
        banner: list[str] = []
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            line = process.stderr.readline()
            if not line:
                break
            banner.append(line)
            if line.startswith("Listening on"):
                break
        text = "".join(banner)
        match = re.search(r"Listening on (http://127\.0\.0\.1:\d+)/", text)
        assert match, text
        assert "local AWS (moto): http://127.0.0.1:" in text
        assert "/posts/{slug}" in text
        url = match.group(1)
        status, body = fetch(url + "/posts/hello")
        assert status == 200
        assert json.loads(body)["event"]["pathParameters"] == {"slug": "hello"}
        status, body = fetch(url + "/Prod/posts/hello")
        assert json.loads(body)["event"]["requestContext"]["path"] == "/Prod/posts/hello"
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=15) == 0
        rest = process.stderr.read()
        assert "GET /posts/hello Web 200" in rest
        assert "stopped" in rest
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_cli_serve_in_process_until_sigterm(basic: Project, capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    results: dict[str, Any] = {}
    before = signal.getsignal(signal.SIGTERM)

    def client() -> None:
        try:
            wait_for(lambda: _connectable(port), timeout=20)
            results["home"] = fetch(f"http://127.0.0.1:{port}/")
        finally:
            os.kill(os.getpid(), signal.SIGTERM)

    thread = threading.Thread(target=client)
    thread.start()
    code = main(["serve", "--template", str(basic.template), "--port", str(port), "--no-reload"])
    thread.join()
    _, err = capsys.readouterr()
    assert code == 0
    assert results["home"][0] == 200
    assert f"Listening on http://127.0.0.1:{port}/ for every API (Ctrl+C to quit)" in err
    assert "stopped" in err
    assert signal.getsignal(signal.SIGTERM) == before  # the command's handler is gone again
    assert not _connectable(port)


def _connectable(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def test_cli_routes_refuses_a_greedy_variable_before_the_end(
    basic: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    basic.write_template(BASIC.replace('"/api/{proxy+}"', '"/api/{proxy+}/x"'))
    code, _, err = run(capsys, "routes", "--template", str(basic.template))
    assert code == 2
    assert "greedy path variable must be the last segment" in err


def test_python_dash_m_runs_the_command_line(
    basic: Project, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import importlib

    monkeypatch.setattr(sys, "argv", ["lambda-micro", "routes", "--template", str(basic.template)])
    monkeypatch.delitem(sys.modules, "lambda_micro.local.__main__", raising=False)
    with pytest.raises(SystemExit) as info:
        importlib.import_module("lambda_micro.local.__main__")
    assert info.value.code == 0
    assert "/posts/{slug}" in capsys.readouterr().out


def test_dev_server_reloads_a_template_change(project: Project) -> None:
    project.write("web/app.py", ECHO_HANDLER)
    web_only = BASIC.split("Api:\n", maxsplit=1)[0]
    project.write_template(web_only)
    dev = DevServer(project.template, port=0, aws="real", reload_interval=0.1)
    dev.start()
    try:
        assert dev.server is not None
        url = dev.server.url
        assert fetch(url + "/about")[0] == 403
        project.write_template(
            web_only
            + """\
Extra:
  Type: AWS::Serverless::Function
  Properties:
    CodeUri: web/
    Handler: app.handler
    Events:
      About:
        Type: Api
        Properties: {Path: /about, Method: GET}
"""
        )
        wait_for(lambda: fetch(url + "/about")[0] == 200)
        assert dev.gateway is not None
        assert "Extra" in dev.gateway.state.functions
    finally:
        dev.stop()


def test_cli_leaves_logging_as_it_found_it(basic: Project, capsys: pytest.CaptureFixture[str]) -> None:
    gateway_logger = logging.getLogger("lambda_micro.local")
    before = (list(gateway_logger.handlers), gateway_logger.level, gateway_logger.propagate)
    root_handlers = list(logging.getLogger().handlers)
    assert run(capsys, "routes", "--template", str(basic.template))[0] == 0
    assert (list(gateway_logger.handlers), gateway_logger.level, gateway_logger.propagate) == before
    assert logging.getLogger().handlers == root_handlers

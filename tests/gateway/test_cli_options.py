"""The command line's newer options: --version, ``event``, ``invoke --method/--path/...``, readable
tracebacks, plurals, and the warnings ``serve``/``check``/``invoke`` print (only when something is off)."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
import time
from pathlib import Path

import pytest
from aws_lambda_powertools.utilities.parser.models import (
    AlbModel,
    APIGatewayProxyEventModel,
    APIGatewayProxyEventV2Model,
    LambdaFunctionUrlModel,
)
from pydantic import BaseModel

from lambda_micro import App
from lambda_micro.local.cli import main
from lambda_micro.local.console import DevLogFormatter

from .conftest import ECHO_HANDLER, Project

REPO = Path(__file__).resolve().parents[2]

RESOURCES = """\
Web:
  Type: AWS::Serverless::Function
  Properties:
    CodeUri: web/
    Handler: app.handler
    Events:
      Post: {Type: Api, Properties: {Path: "/posts/{slug}", Method: ANY}}
"""


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def web(project: Project) -> Project:
    project.write("web/app.py", ECHO_HANDLER)
    project.write_template(RESOURCES)
    return project


def test_cli_version(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--version")
    assert code == 0
    assert out.strip() == "lambda-micro 0.1.0"


MODELS: dict[str, type[BaseModel]] = {
    "rest": APIGatewayProxyEventModel,
    "http-1.0": APIGatewayProxyEventModel,
    "http-2.0": APIGatewayProxyEventV2Model,
    "url": LambdaFunctionUrlModel,
    "alb": AlbModel,
}


@pytest.mark.parametrize("source", list(MODELS))
def test_cli_event_prints_a_ready_event(capsys: pytest.CaptureFixture[str], source: str) -> None:
    code, out, _ = run(
        capsys, "event", source, "-X", "POST", "--path", "/posts/x?a=1",
        "-H", "Content-Type: application/json", "-H", "X-Two: b", "--body", '{"k": 1}', "--cookie", "s=1",
    )  # fmt: skip
    assert code == 0
    event = json.loads(out)
    MODELS[source].model_validate(event)  # what AWS sends, by Powertools' models
    assert event["body"] == '{"k": 1}'
    method = (
        event["requestContext"]["http"]["method"] if source in ("http-2.0", "url") else event["httpMethod"]
    )
    assert method == "POST"


def test_cli_event_options(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    data = tmp_path / "body.bin"
    data.write_bytes(b"\x00\x01")
    code, out, _ = run(
        capsys, "event", "rest", "--path", "/posts/caf%C3%A9", "--stage", "dev",
        "--resource", "/posts/{slug}", "--body", f"@{data}", "-H", "Content-Type: application/octet-stream",
    )  # fmt: skip
    assert code == 0
    event = json.loads(out)
    assert event["requestContext"]["stage"] == "dev"
    assert event["pathParameters"] == {"slug": "caf%C3%A9"}
    assert event["body"] == "AAE=" or event["isBase64Encoded"] is False  # REST encodes BinaryMediaTypes only
    code, out, _ = run(capsys, "event", "alb", "--multi-value-headers", "-H", "X: 1", "-H", "X: 2")
    assert json.loads(out)["multiValueHeaders"]["x"] == ["1", "2"]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["event", "rest", "--multi-value-headers"], "--multi-value-headers is an ALB setting"),
        (["event", "rest", "-H", "no colon"], "--header: expected 'Name: value'"),
        (["event", "rest", "--body", "@/nonexistent/file"], "--body @/nonexistent/file: cannot read it"),
        (["event", "alb", "--origin-request"], "--origin-request is a Lambda@Edge setting"),
        (["event", "lattice-2.0", "--no-include-body"], "--no-include-body is a Lambda@Edge setting"),
        (["event", "edge", "--multi-value-headers"], "--multi-value-headers is an ALB setting"),
        (["event", "lattice-1.0", "--stage", "Prod"], "a VPC Lattice target group has no stages"),
        (["event", "edge", "--stage", "Prod"], "a Lambda@Edge trigger has no stages"),
    ],
)
def test_cli_event_bad_options_exit_2(
    capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    code, _, err = run(capsys, *argv)
    assert code == 2
    assert message in err
    assert "Traceback" not in err


def test_cli_event_unknown_source_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "event", "sqs")
    assert code == 2
    assert "invalid choice: 'sqs'" in err


def test_cli_invoke_builds_the_event_from_request_options(
    web: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(
        capsys, "invoke", "Web", "--template", str(web.template), "--aws", "real", "--method", "PUT",
        "--path", "/posts/hello", "--query", "draft=1", "--header", "X-Test: yes", "--body", "text",
    )  # fmt: skip
    assert code == 0, err
    event = json.loads(json.loads(out)["body"])["event"]
    assert event["httpMethod"] == "PUT"
    assert event["resource"] == "/posts/{slug}"
    assert event["pathParameters"] == {"slug": "hello"}
    assert event["queryStringParameters"] == {"draft": "1"}
    assert event["headers"]["X-Test"] == "yes"
    assert event["body"] == "text"
    assert event["requestContext"]["path"] == "/Prod/posts/hello"  # the execute-api URL keeps the stage


def test_cli_invoke_path_no_route_serves(web: Project, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "invoke", "Web", "-t", str(web.template), "--aws", "real", "--path", "/other")
    assert code == 2
    assert "Web has no route for GET /other (its routes: ANY /posts/{slug})" in err


def test_cli_invoke_event_and_request_options_exclude_each_other(
    web: Project, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    event = tmp_path / "event.json"
    event.write_text("{}")
    code, _, err = run(
        capsys, "invoke", "Web", "-t", str(web.template), "--event", str(event), "--path", "/x"
    )
    assert code == 2
    assert "--event and the request options" in err


def test_cli_check_and_invoke_print_no_warning_when_nothing_is_wrong(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, err = run(capsys, "check", "--template", str(REPO / "template.yaml"))
    assert code == 0, err
    assert out.strip().endswith("no drift (5 functions)")
    assert err == ""
    code, out, err = run(
        capsys, "invoke", "ApiFunction", "--template", str(REPO / "template.yaml"), "--path", "/api/posts"
    )
    assert code == 0, err
    assert json.loads(out)["statusCode"] == 200
    assert err == ""


def test_cli_singular_counts(web: Project, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "check", "--template", str(web.template))
    assert code == 0
    assert "no drift (1 function)" in out


def test_dev_log_formatter_shows_the_runtimes_json_record_as_a_traceback(
    caplog: pytest.LogCaptureFixture,
) -> None:
    app = App("formatter_app")

    @app.get("/boom")
    def boom() -> str:
        raise RuntimeError("it broke")

    from lambda_micro.testing import Client

    with caplog.at_level(logging.ERROR):
        assert Client(app, propagate_errors=False).get("/boom").status_code == 500
    record = next(r for r in caplog.records if r.getMessage().startswith('{"level": "ERROR"'))
    json.loads(record.getMessage())  # the runtime still logs one JSON line, as Lambda needs
    text = DevLogFormatter("%(levelname)s %(message)s").format(record)
    assert text.startswith("ERROR Unhandled exception in GET /boom (aws_request_id ")
    assert "Traceback (most recent call last):" in text
    assert text.rstrip().endswith("RuntimeError: it broke")
    assert text.count("\n") > 3
    plain = logging.LogRecord(
        "x", logging.ERROR, __file__, 1, '{"level": "ERROR", "no": "traceback"}', (), None
    )
    assert DevLogFormatter("%(message)s").format(plain) == '{"level": "ERROR", "no": "traceback"}'


def test_cli_serve_warns_on_a_non_loopback_host(web: Project) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "lambda_micro.local", "serve", "-t", str(web.template), "--host", "0.0.0.0",
         "--port", "0", "--aws", "real", "--no-reload"],
        stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        lines = []
        deadline = time.monotonic() + 60
        assert process.stderr is not None
        while time.monotonic() < deadline:
            line = process.stderr.readline()
            lines.append(line)
            if line.startswith("Listening on") or not line:
                break
        text = "".join(lines)
        assert "warning: listening on 0.0.0.0, not loopback" in text
    finally:
        process.terminate()
        process.wait(timeout=30)

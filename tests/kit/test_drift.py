"""check_drift / assert_no_drift: template routes vs the functions' app routes, and handler imports."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from lambda_micro.local.drift import DriftProblem, check_drift
from lambda_micro.local.sam import load_template
from lambda_micro.testing import assert_no_drift

WriteProject = Callable[..., Path]

TEMPLATE = """\
Transform: AWS::Serverless-2016-10-31
Globals:
  Function:
    Runtime: python3.11
    Environment:
      Variables:
        TABLE_NAME: !Ref Posts
Resources:
  Web:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: web
      Handler: app.handler
      Events:
        Root: {Type: Api, Properties: {Path: /, Method: GET}}
        Post: {Type: Api, Properties: {Path: "/posts/{id}", Method: GET}}
        Edit: {Type: Api, Properties: {Path: "/posts/{id}", Method: ANY}}
        Files: {Type: Api, Properties: {Path: "/files/{proxy+}", Method: GET}}
{extra_events}
  Plain:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: plain
      Handler: app.handler
      Events:
        Ok: {Type: HttpApi, Properties: {Path: /ok, Method: GET}}
        Gone: {Type: HttpApi, Properties: {Path: /gone, Method: GET}}
        Crash: {Type: HttpApi, Properties: {Path: /crash, Method: GET}}
        Bad: {Type: Api, Properties: {Path: /bad, Method: GET}}
  Broken:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: broken
      Handler: app.handler
  Posts:
    Type: AWS::Serverless::SimpleTable
"""

WEB = """\
import os

import boto3

from lambda_micro import App

# Reads the table at import: the drift check provides the template's tables on moto.
boto3.client("dynamodb").describe_table(TableName=os.environ["TABLE_NAME"])
app = App(__name__)


@app.route("/")
def index():
    return "home"


@app.route("/posts/<int:id>", methods=["GET", "PUT", "DELETE"])
def post(id):
    return str(id)


@app.route("/files/<path:name>")
def files(name):
    return name
{extra_routes}

handler = app.lambda_handler
"""

PLAIN = """\
import json


def handler(event, context):
    path = event["rawPath"] if "rawPath" in event else event["path"]
    if path == "/crash":
        raise RuntimeError("no database")
    if path == "/bad":
        return {"statusCode": 200, "body": {"not": "a string"}}
    return {"statusCode": 200 if path == "/ok" else 404, "body": ""}
"""


def _project(write_project: WriteProject, *, extra_events: str = "", extra_routes: str = "") -> Path:
    return write_project(
        TEMPLATE.replace("{extra_events}", extra_events),
        {
            "web/app.py": WEB.replace("{extra_routes}", extra_routes),
            "web/static/site.css": "body {}",
            "plain/app.py": PLAIN,
            "broken/app.py": "import not_a_real_dependency_xyz\n",
        },
    )


def _messages(problems: list[DriftProblem]) -> list[str]:
    return [str(problem) for problem in problems]


def test_check_drift_reports_everything_at_once(write_project: WriteProject) -> None:
    path = _project(
        write_project,
        extra_events=(
            '        Missing: {Type: Api, Properties: {Path: "/about", Method: GET}}\n'
            '        WrongMethod: {Type: Api, Properties: {Path: "/", Method: POST}}\n'
            '        EmptyProxy: {Type: Api, Properties: {Path: "/api/{proxy+}", Method: ANY}}'
        ),
        extra_routes=(
            '\n\n@app.route("/admin", methods=["GET", "POST"])\ndef admin():\n    return "admin"\n'
            '\n\n@app.get("/feed.xml")\ndef feed():\n    return "<rss/>"\n'
        ),
    )
    template = load_template(path)
    problems = check_drift(template)
    by_kind: dict[str, list[DriftProblem]] = {}
    for problem in problems:
        by_kind.setdefault(problem.kind, []).append(problem)

    (import_problem,) = by_kind["import"]
    assert import_problem.resource == "Broken"
    assert "not_a_real_dependency_xyz" in import_problem.message
    assert str(import_problem).startswith(f"{path}:")

    unreachable = {(p.resource, p.event_id): p.message for p in by_kind["unreachable-route"]}
    assert unreachable[("Web", "Missing")] == (
        "GET /about reaches no view of the function's app (the app answers 404)"
    )
    assert "has no POST view there (405)" in unreachable[("Web", "WrongMethod")]
    assert "its app has no route under /api/" in unreachable[("Web", "EmptyProxy")]
    assert unreachable[("Plain", "Gone")] == "GET /gone reaches no view of the function (it answers 404)"
    assert unreachable[("Plain", "Crash")] == "GET /crash raised RuntimeError: no database"
    assert ("Web", "Post") not in unreachable
    assert ("Web", "Edit") not in unreachable
    assert ("Web", "Files") not in unreachable
    assert ("Plain", "Ok") not in unreachable
    (invalid,) = by_kind["invalid-result"]
    assert invalid.event_id == "Bad"
    assert "body must be a string" in invalid.message

    undeclared = [p.message for p in by_kind["undeclared-route"]]
    assert len(undeclared) == 2
    assert any(
        m.startswith("app route POST /admin") or m.startswith("app route GET, POST /admin")
        for m in undeclared
    )
    assert any("GET /feed.xml (endpoint 'feed')" in m for m in undeclared)
    assert not any("static" in m for m in undeclared)  # static files may be served elsewhere
    # The line of each event is named, so the problem can be found in the template.
    missing = next(p for p in problems if p.event_id == "Missing")
    assert missing.line is not None
    assert "Missing:" in path.read_text().splitlines()[missing.line - 1]
    assert str(missing) == f"{path}:{missing.line}: Web.Events.Missing: {missing.message}"


def test_check_drift_clean_project(write_project: WriteProject) -> None:
    path = _project(write_project)
    template = load_template(path)
    problems = check_drift(template, functions=["Web"])
    assert problems == []


def test_check_drift_declared_methods_and_any(write_project: WriteProject) -> None:
    # PUT/DELETE /posts/<int:id> are covered by the ANY route; dropping it leaves them undeclared.
    path = _project(write_project)
    text = path.read_text().replace(
        '        Edit: {Type: Api, Properties: {Path: "/posts/{id}", Method: ANY}}\n', ""
    )
    path.write_text(text)
    problems = check_drift(load_template(path), functions=["Web"])
    assert _messages(problems) == [
        f"{problems[0].file}:{problems[0].line}: Web: app route DELETE, PUT /posts/<int:id> "
        "(endpoint 'post') is not declared in the template: "
        "API Gateway answers 403/404 before the function runs"
    ]


def test_check_drift_http_api_default_route_covers_everything(write_project: WriteProject) -> None:
    path = write_project(
        """\
        Resources:
          Fn:
            Type: AWS::Serverless::Function
            Properties:
              CodeUri: fn
              Handler: app.handler
              Runtime: python3.11
              Events:
                All: {Type: HttpApi}
        """,
        {
            "fn/app.py": (
                "from lambda_micro import App\napp = App(__name__)\n\n"
                "@app.route('/a', methods=['GET', 'POST'])\ndef a():\n    return 'a'\n\n"
                "handler = app.lambda_handler\n"
            )
        },
    )
    assert check_drift(load_template(path)) == []


def test_assert_no_drift(write_project: WriteProject, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _project(write_project)
    with pytest.raises(AssertionError, match=r"\d+ drift problems? between .*template.yaml") as info:
        assert_no_drift(path)
    assert "Broken: " in str(info.value)
    assert "  - " in str(info.value)
    clean = write_project(
        "Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n"
        "    Properties: {CodeUri: web, Handler: app.handler, Runtime: python3.11}\n",
        {"web/app.py": "def handler(event, context):\n    return {}\n"},
    )
    monkeypatch.chdir(clean.parent)
    assert_no_drift()

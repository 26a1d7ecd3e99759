"""The pytest plugin: fixtures against small throwaway SAM projects, run with pytester."""

from __future__ import annotations

import textwrap

import pytest

TEMPLATE = """\
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Parameters:
  Stage:
    Type: String
    Default: dev
Globals:
  Function:
    Runtime: python3.11
    Timeout: 20
    Environment:
      Variables:
        TABLE_NAME: !Ref Posts
        BUCKET_NAME: !Ref Media
        STAGE: !Ref Stage
Resources:
  WebFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: functions/web
      Handler: app.handler
      Events:
        Root:
          Type: Api
          Properties: {Path: /, Method: GET}
        Posts:
          Type: Api
          Properties: {Path: "/posts/{id}", Method: ANY}
  ApiFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: functions/api
      Handler: app.handler
      Events:
        Items:
          Type: HttpApi
          Properties: {Path: /items, Method: GET}
  UrlFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: functions/api
      Handler: app.handler
      FunctionUrlConfig: {AuthType: NONE}
  Posts:
    Type: AWS::Serverless::SimpleTable
  Media:
    Type: AWS::S3::Bucket
"""

WEB_APP = """\
import json
import os

import boto3

from lambda_micro import App, jsonify, request

table = boto3.resource("dynamodb").Table(os.environ["TABLE_NAME"])
app = App(__name__)


@app.route("/")
def index():
    return jsonify(stage=os.environ["STAGE"], region=os.environ["AWS_REGION"])


@app.route("/posts/<id>", methods=["GET", "PUT"])
def post(id):
    if request.method == "PUT":
        table.put_item(Item={"id": id, **request.get_json()})
        return jsonify(saved=id), 201
    item = table.get_item(Key={"id": id}).get("Item")
    return (jsonify(item), 200) if item else (jsonify(error="not found"), 404)


handler = app.lambda_handler
"""

API_APP = """\
import json
import os


def handler(event, context):
    return {
        "statusCode": 200,
        "headers": {"Content-Type": "application/json"},
        "body": json.dumps({
            "version": event.get("version"),
            "function": context.function_name,
            "remaining": context.get_remaining_time_in_millis() > 0,
            "domain": event["requestContext"].get("domainName"),
            "bucket": os.environ["BUCKET_NAME"],
        }),
    }
"""

TESTS = """\
import boto3


def test_context(lambda_context):
    assert lambda_context.function_name == "test-function"
    assert lambda_context.get_remaining_time_in_millis() > 0


def test_template(sam_template):
    assert set(sam_template.functions) == {"WebFunction", "ApiFunction", "UrlFunction"}
    assert sam_template.parameters == {"Stage": "dev"}


def test_aws_resources(aws, sam_template):
    assert aws.region == "us-east-1"
    assert aws.table_name("Posts") == sam_template.tables["Posts"].name
    aws.table("Posts").put_item(Item={"id": "1"})
    assert boto3.client("dynamodb").describe_table(TableName=aws.table_name("Posts"))
    aws.bucket("Media").put_object(Key="k", Body=b"v")
    assert aws.client("s3").get_object(Bucket=aws.bucket_name("Media"), Key="k")["Body"].read() == b"v"
    try:
        aws.table("Nope")
    except KeyError as exc:
        assert "tables: Posts" in str(exc)
    else:
        raise AssertionError("expected KeyError")


def test_web_function(function_client, aws):
    client = function_client("WebFunction")
    assert client.payload == "1.0" and client.stage == "Prod"
    assert client.get("/").json == {"stage": "dev", "region": "us-east-1"}
    assert client.put("/posts/7", json={"title": "hi"}).status_code == 201
    assert aws.table("Posts").get_item(Key={"id": "7"})["Item"] == {"id": "7", "title": "hi"}
    assert client.get("/posts/7").json == {"id": "7", "title": "hi"}
    assert client.get("/posts/8").status_code == 404
    assert client.get("/undeclared").status_code == 403


def test_api_function(function_client, sam_template):
    client = function_client("ApiFunction")
    body = client.get("/items").json
    assert body["version"] == "2.0"
    assert body["function"] == sam_template.functions["ApiFunction"].function_name
    assert body["remaining"] is True
    assert body["bucket"] == sam_template.buckets["Media"].name
    assert client.get("/other").status_code == 404
    as_alb = function_client("ApiFunction", payload="alb")
    assert as_alb.get("/anything").json["version"] is None


def test_url_function(function_client):
    body = function_client("UrlFunction").get("/x").json
    assert ".lambda-url." in body["domain"]
"""


@pytest.fixture
def project(pytester: pytest.Pytester) -> pytest.Pytester:
    pytester.makefile(".yaml", template=TEMPLATE)
    (pytester.path / "functions" / "web").mkdir(parents=True)
    (pytester.path / "functions" / "api").mkdir(parents=True)
    (pytester.path / "functions" / "web" / "app.py").write_text(WEB_APP)
    (pytester.path / "functions" / "api" / "app.py").write_text(API_APP)
    return pytester


def test_plugin_fixtures_on_a_sam_project(project: pytest.Pytester) -> None:
    project.makepyfile(test_project=TESTS)
    result = project.runpytest_inprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=6)


def test_plugin_template_option_and_ini(project: pytest.Pytester) -> None:
    (project.path / "template.yaml").rename(project.path / "sam.yaml")
    project.makepyfile(
        test_options="""
        from lambda_micro.testing import assert_no_drift

        def test_template(sam_template):
            assert sam_template.path.name == "sam.yaml"
            assert sam_template.parameters == {"Stage": "prod"}

        def test_drift_uses_the_same_template():
            assert_no_drift()
        """
    )
    project.makeini(
        """
        [pytest]
        lambda_micro_parameter_overrides =
            Stage=prod
        """
    )
    project.runpytest_inprocess("--sam-template", "sam.yaml").assert_outcomes(passed=2)
    project.makeini(
        """
        [pytest]
        lambda_micro_template = sam.yaml
        lambda_micro_parameter_overrides = Stage=prod
        """
    )
    project.runpytest_inprocess().assert_outcomes(passed=2)


def test_plugin_does_not_need_a_template_unless_asked(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_plain="""
        import boto3

        def test_plain():
            assert True

        def test_context(lambda_context):
            assert lambda_context.aws_request_id

        def test_aws_without_template(aws):
            boto3.client("s3").create_bucket(Bucket="free")
            assert aws.tables == {} and aws.buckets == {}

        def test_needs_template(sam_template):
            pass
        """
    )
    result = pytester.runpytest_inprocess()
    result.assert_outcomes(passed=3, errors=1)
    result.stdout.fnmatch_lines(["*no SAM template at*template.yaml*lambda_micro_template*"])


def test_plugin_reports_template_and_load_errors(pytester: pytest.Pytester) -> None:
    pytester.makefile(
        ".yaml",
        template=textwrap.dedent(
            """\
            Resources:
              Fn:
                Type: AWS::Serverless::Function
                Properties: {CodeUri: fn, Handler: app.handler, Runtime: python3.11}
            """
        ),
    )
    (pytester.path / "fn").mkdir()
    (pytester.path / "fn" / "app.py").write_text("raise ImportError('missing dependency')\n")
    pytester.makepyfile(
        test_errors="""
        def test_load(function_client):
            function_client("Fn")

        def test_unknown(function_client):
            function_client("Nope")
        """
    )
    result = pytester.runpytest_inprocess()
    result.assert_outcomes(failed=2)
    # Each line on its own: the inner run may order its two tests either way (a random-order plugin).
    result.stdout.fnmatch_lines(
        ["*function Fn (CodeUri *fn, Handler app.handler): importing module 'app' raised ImportError*"]
    )
    result.stdout.fnmatch_lines(["*no function 'Nope' (functions: Fn)*"])
    (pytester.path / "template.yaml").write_text("Resources:\n  Fn: [\n")
    broken = pytester.runpytest_inprocess()
    broken.assert_outcomes(errors=2)
    broken.stdout.fnmatch_lines(["*template.yaml:*invalid YAML*"])


def test_plugin_bad_override_line(pytester: pytest.Pytester) -> None:
    pytester.makefile(".yaml", template="Parameters:\n  P: {Type: String, Default: a}\nResources: {}\n")
    pytester.makeini("[pytest]\nlambda_micro_parameter_overrides = nonsense\n")
    pytester.makepyfile(test_x="def test_x(sam_template):\n    pass\n")
    result = pytester.runpytest_inprocess()
    assert result.ret != 0
    result.stderr.fnmatch_lines(
        ["*expected Name=Value*"]
    ) if result.stderr.lines else result.stdout.fnmatch_lines(["*expected Name=Value*"])


def test_plugin_restores_the_outer_drift_default(pytester: pytest.Pytester) -> None:
    from lambda_micro.testing import _drift

    before = (_drift._default_template, _drift._default_overrides)
    pytester.makefile(".yaml", template="Resources: {}\n")
    pytester.makepyfile(test_x="def test_x():\n    pass\n")
    pytester.runpytest_inprocess().assert_outcomes(passed=1)
    assert (_drift._default_template, _drift._default_overrides) == before

"""template.yaml: what it declares, that AWS's own tools accept it, and what `sam build` produces."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import boto3
import pytest

from lambda_micro.local.events import build_event
from lambda_micro.testing import assert_no_drift
from lambda_micro.testing.plugin import AwsResources

from .conftest import ROOT, TEMPLATE, load_raw_template

VENV_BIN = Path(sys.executable).parent
RUNTIME = "python3.13"


def tool(name: str) -> str:
    found = VENV_BIN / name
    if found.exists():
        return str(found)
    resolved = shutil.which(name)
    if resolved is None:
        pytest.fail(f"{name} is not installed (it is in the dev dependency group: pip install --group dev)")
    return resolved


@pytest.fixture(scope="module")
def resources() -> dict[str, Any]:
    found: dict[str, Any] = load_raw_template()["Resources"]
    return found


def test_functions_share_runtime_handler_layer_and_storage_names() -> None:
    function_globals = load_raw_template()["Globals"]["Function"]
    assert function_globals["Runtime"] == RUNTIME
    assert function_globals["Handler"] == "app.handler"
    assert function_globals["Layers"] == [{"Ref": "LambdaMicroLayer"}, {"Ref": "BlogPostsLayer"}]
    assert function_globals["Environment"]["Variables"] == {
        "POSTS_TABLE": {"Ref": "PostsTable"},
        "IMAGES_BUCKET": {"Ref": "ImagesBucket"},
        # Signs the web function's session and both functions' pagination cursors.
        "LAMBDA_MICRO_SECRET_KEY": {"Ref": "SessionSecret"},
    }


def test_every_function_opts_in_to_snapstart_on_a_runtime_that_has_it() -> None:
    function_globals = load_raw_template()["Globals"]["Function"]
    major, minor = (int(part) for part in function_globals["Runtime"].removeprefix("python").split("."))
    assert (major, minor) >= (3, 12)  # AWS offers SnapStart for python3.12 and newer
    assert function_globals["SnapStart"] == {"ApplyOn": "PublishedVersions"}
    assert function_globals["AutoPublishAlias"] == "live"  # SnapStart applies to published versions


def test_each_function_has_its_own_folder_and_blog_posts_comes_from_a_layer(
    resources: dict[str, Any],
) -> None:
    for logical_id, folder in (
        ("WebFunction", "web"),
        ("ApiFunction", "api"),
        ("FeedFunction", "feed"),
        ("ThumbnailFunction", "thumbnail"),
        ("CleanupFunction", "cleanup"),
    ):
        code_uri = resources[logical_id]["Properties"]["CodeUri"]
        assert code_uri == f"functions/{folder}/"
        assert (ROOT / code_uri / "app.py").is_file()
        assert (ROOT / code_uri / "requirements.txt").is_file()
        # No copy and no link of the shared package in the function folders: the layer provides it.
        assert not (ROOT / code_uri / "blog_posts").exists()
        assert not (ROOT / code_uri / "blog_posts").is_symlink()
    layer = resources["BlogPostsLayer"]
    assert layer["Type"] == "AWS::Serverless::LayerVersion"
    assert layer["Properties"]["ContentUri"] == "functions/shared/"
    assert layer["Properties"]["CompatibleRuntimes"] == [RUNTIME]
    assert layer["Metadata"]["BuildMethod"] == RUNTIME
    assert (ROOT / "functions" / "shared" / "blog_posts" / "__init__.py").is_file()
    # The makefile layer packaging lambda_micro is unchanged.
    assert resources["LambdaMicroLayer"]["Metadata"]["BuildMethod"] == "makefile"
    assert resources["LambdaMicroLayer"]["Properties"]["ContentUri"] == "layer/"


def test_the_template_model_puts_the_layer_on_each_functions_import_path() -> None:
    from lambda_micro.local.sam import load_template

    template = load_template(TEMPLATE)
    shared = (ROOT / "functions" / "shared").resolve()
    for function in template.functions.values():
        assert [layer.logical_id for layer in function.template_layers] == [
            "LambdaMicroLayer",
            "BlogPostsLayer",
        ]
        assert function.external_layers == ()
        # BuildMethod python3.13: the ContentUri is the import root; the makefile layer adds no folder (the
        # development environment provides lambda_micro).
        assert function.layer_import_paths() == [shared]


def _policy_statements(policies: list[Any]) -> list[Any]:
    return [policy for policy in policies if isinstance(policy, dict) and "Statement" in policy]


def test_policies_are_least_privilege_templates_scoped_to_our_resources(resources: dict[str, Any]) -> None:
    web = resources["WebFunction"]["Properties"]["Policies"]
    api = resources["ApiFunction"]["Properties"]["Policies"]
    assert {"DynamoDBCrudPolicy": {"TableName": {"Ref": "PostsTable"}}} in web
    assert {"S3ReadPolicy": {"BucketName": {"Ref": "ImagesBucket"}}} in web
    assert {"DynamoDBCrudPolicy": {"TableName": {"Ref": "PostsTable"}}} in api
    assert {"S3CrudPolicy": {"BucketName": {"Ref": "ImagesBucket"}}} in api
    (extra,) = _policy_statements(web)
    (statement,) = extra["Statement"]
    assert statement["Action"] == "s3:DeleteObject"
    assert statement["Resource"] == {"Fn::Sub": "arn:${AWS::Partition}:s3:::${ImagesBucket}/*"}
    feed = resources["FeedFunction"]["Properties"]["Policies"]
    cleanup = resources["CleanupFunction"]["Properties"]["Policies"]
    # The event-driven functions read the posts; the feed writes site/ only, the cleanup lists and deletes.
    assert {"DynamoDBReadPolicy": {"TableName": {"Ref": "PostsTable"}}} in feed
    assert {"DynamoDBReadPolicy": {"TableName": {"Ref": "PostsTable"}}} in cleanup
    assert {"S3ReadPolicy": {"BucketName": {"Ref": "ImagesBucket"}}} in cleanup
    ((feed_statement,),) = [extra["Statement"] for extra in _policy_statements(feed)]
    assert (feed_statement["Action"], feed_statement["Resource"]) == (
        "s3:PutObject",
        {"Fn::Sub": "arn:${AWS::Partition}:s3:::${ImagesBucket}/site/*"},
    )
    ((cleanup_statement,),) = [extra["Statement"] for extra in _policy_statements(cleanup)]
    assert cleanup_statement["Action"] == "s3:DeleteObject"
    assert "Policies" not in resources["ThumbnailFunction"]["Properties"]  # see ThumbnailAccess
    text = json.dumps([web, api, feed, cleanup, resources["ThumbnailAccess"]])
    assert '"*"' not in text
    assert 'Action": "s3:*' not in text


def test_web_function_is_on_a_rest_api_with_binary_media_types(resources: dict[str, Any]) -> None:
    api = resources["WebApi"]["Properties"]
    assert api["StageName"] == "Prod"
    assert api["BinaryMediaTypes"] == ["*~1*"]
    events = resources["WebFunction"]["Properties"]["Events"]
    assert {event["Type"] for event in events.values()} == {"Api"}
    assert {(e["Properties"]["Path"], e["Properties"]["Method"]) for e in events.values()} == {
        ("/", "ANY"),
        ("/{proxy+}", "ANY"),
    }


def test_api_function_routes_are_http_api_payload_2(resources: dict[str, Any]) -> None:
    events = resources["ApiFunction"]["Properties"]["Events"].values()
    assert {event["Type"] for event in events} == {"HttpApi"}
    assert {event["Properties"]["PayloadFormatVersion"] for event in events} == {"2.0"}
    assert {(e["Properties"]["Method"], e["Properties"]["Path"]) for e in events} == {
        ("GET", "/api/posts"),
        ("POST", "/api/posts"),
        ("OPTIONS", "/api/posts"),
        ("GET", "/api/posts/{slug}"),
        ("PUT", "/api/posts/{slug}"),
        ("PATCH", "/api/posts/{slug}"),
        ("DELETE", "/api/posts/{slug}"),
        ("OPTIONS", "/api/posts/{slug}"),
        ("GET", "/api/posts/{slug}/image"),
        ("PUT", "/api/posts/{slug}/image"),
        ("OPTIONS", "/api/posts/{slug}/image"),
    }


def test_session_secret_is_noecho_and_required_to_deploy() -> None:
    template = load_raw_template()
    secret = template["Parameters"]["SessionSecret"]
    assert secret["NoEcho"] is True
    assert secret["AllowedPattern"] == "^$|^.{32,}$"
    # Both functions get it from Globals; neither overrides it.
    for function in ("WebFunction", "ApiFunction"):
        properties = template["Resources"][function]["Properties"]
        assert "LAMBDA_MICRO_SECRET_KEY" not in properties.get("Environment", {}).get("Variables", {})
    (assertion,) = template["Rules"]["SessionSecretIsSet"]["Assertions"]
    assert assertion["Assert"] == {"Fn::Not": [{"Fn::Equals": [{"Ref": "SessionSecret"}, ""]}]}


def test_outputs_give_both_api_urls() -> None:
    outputs = load_raw_template()["Outputs"]
    assert "${WebApi}.execute-api" in outputs["WebUrl"]["Value"]["Fn::Sub"]
    assert outputs["WebUrl"]["Value"]["Fn::Sub"].endswith("/Prod/")
    assert "${ServerlessHttpApi}.execute-api" in outputs["ApiUrl"]["Value"]["Fn::Sub"]


def test_template_routes_and_the_apps_agree(aws: AwsResources) -> None:
    """Every template route reaches a view, every view is routed by the template, every Handler imports."""
    assert_no_drift(TEMPLATE)


# --- AWS's tools --------------------------------------------------------------------------------------


@pytest.mark.slow
def test_cfn_lint_accepts_the_template(lambda_tools_env: dict[str, str]) -> None:
    result = subprocess.run(
        [tool("cfn-lint"), str(TEMPLATE)], capture_output=True, text=True, env=lambda_tools_env, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.slow
def test_sam_validate_lint_accepts_the_template(lambda_tools_env: dict[str, str]) -> None:
    result = subprocess.run(
        [tool("sam"), "validate", "--lint", "--template-file", str(TEMPLATE)],
        capture_output=True,
        text=True,
        env=lambda_tools_env,
        check=False,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "is a valid SAM Template" in result.stdout + result.stderr


@pytest.fixture(scope="module")
def build_dir(tmp_path_factory: pytest.TempPathFactory, lambda_tools_env: dict[str, str]) -> Path:
    """`sam build` (no container) of the whole template into a temporary folder, with python3.13."""
    target = tmp_path_factory.mktemp("sam") / "build"
    result = subprocess.run(
        [
            tool("sam"),
            "build",
            "--template-file",
            str(TEMPLATE),
            "--build-dir",
            str(target),
            "--base-dir",
            str(ROOT),
        ],
        capture_output=True,
        text=True,
        env=lambda_tools_env,
        check=False,
        cwd=ROOT,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return target


def _size(folder: Path) -> int:
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file())


def _files(folder: Path) -> set[str]:
    return {path.relative_to(folder).as_posix() for path in folder.rglob("*") if path.is_file()}


@pytest.mark.slow
def test_sam_build_puts_lambda_micro_in_the_layer(build_dir: Path) -> None:
    site = build_dir / "LambdaMicroLayer" / "python"
    files = _files(site)
    for required in (
        "lambda_micro/__init__.py",
        "lambda_micro/app.py",
        "lambda_micro/adapter/__init__.py",
        "werkzeug/__init__.py",
        "jinja2/__init__.py",
        "itsdangerous/__init__.py",
        "markupsafe/__init__.py",
    ):
        assert required in files, required
    # Dev-only parts of lambda_micro stay out of Lambda.
    assert not any(
        name.startswith(("lambda_micro/local/", "lambda_micro/testing/", "bin/")) for name in files
    )
    # Bytecode is compiled ahead (read-only /opt), for the runtime's Python.
    assert any(name.startswith("lambda_micro/__pycache__/__init__.cpython-313") for name in files)


@pytest.mark.slow
def test_sam_build_function_artifacts_hold_only_function_code(build_dir: Path) -> None:
    web = _files(build_dir / "WebFunction")
    api = _files(build_dir / "ApiFunction")
    shared = {
        f"blog_posts/{name}"
        for name in _files(ROOT / "functions" / "shared" / "blog_posts")
        if "__pycache__" not in name and not name.endswith(".pyc")
    }
    assert {"app.py", "forms.py", "templates/base.html", "static/style.css"} <= web
    # The web function ships no package of its own: the Markdown renderer is in the shared layer.
    assert not any(name.endswith("/__init__.py") for name in web)
    own_api = {
        "app.py",
        "http_errors.py",
        "imaging.py",
        "json_input.py",
        "preconditions.py",
        "requirements.txt",
    }
    assert {name for name in api if "/" not in name} == own_api
    assert any(name.startswith("PIL/") for name in api)  # its own requirement, to decode uploaded images
    # Pillow's wheel is for CPython 3.13 and a glibc the python3.13 runtime has (Amazon Linux 2023: 2.34).
    (wheel_info,) = (build_dir / "ApiFunction").glob("pillow-*.dist-info/WHEEL")
    tags = [
        line.split(":", 1)[1].strip()
        for line in wheel_info.read_text().splitlines()
        if line.startswith("Tag:")
    ]
    assert tags, wheel_info
    for tag in tags:
        python_tag, _, platform = tag.split("-")
        assert python_tag == "cp313", tag
        glibc = re.fullmatch(r"manylinux_(\d+)_(\d+)_x86_64", platform) or re.fullmatch(
            r"manylinux2014_x86_64", platform
        )
        assert glibc is not None, tag
        if glibc.groups():
            assert (int(glibc[1]), int(glibc[2])) <= (2, 34), tag
    feed = _files(build_dir / "FeedFunction")
    thumbnail = _files(build_dir / "ThumbnailFunction")
    cleanup = _files(build_dir / "CleanupFunction")
    assert {name for name in feed if "/" not in name} == {"app.py", "atom.py", "requirements.txt"}
    assert {name for name in cleanup if "/" not in name} == {"app.py", "requirements.txt"}
    assert {"app.py", "thumbnails.py", "requirements.txt"} <= thumbnail
    assert any(name.startswith("PIL/") for name in thumbnail)  # Pillow: the thumbnail function's own
    assert not any(name.startswith("PIL/") for name in feed | cleanup | web)
    layer = _files(build_dir / "BlogPostsLayer")
    # The shared package is in its layer, under python/ (/opt/python in Lambda), and in no function, with the
    # renderer and the sanitiser it imports.
    assert {f"python/{name}" for name in shared} <= layer
    for package in ("cmarkgfm", "nh3"):
        assert any(name.startswith(f"python/{package}/") for name in layer), package
    for files in (web, api, feed, thumbnail, cleanup, layer):
        assert not any(name.startswith("blog_posts/") for name in files)
        assert not any("__pycache__" in name or name.endswith(".pyc") for name in files)
        assert not any(name.startswith(("tests/", "lambda_micro/", ".mypy_cache/")) for name in files)
        assert not any(name.endswith(("conftest.py", ".toml", "Makefile")) for name in files)
    # Lambda's limit: a function and its layers, unzipped, at most 250 MB.
    layers = _size(build_dir / "LambdaMicroLayer") + _size(build_dir / "BlogPostsLayer")
    for function in ("WebFunction", "ApiFunction", "FeedFunction", "ThumbnailFunction", "CleanupFunction"):
        assert _size(build_dir / function) + layers < 250 * 1024 * 1024
    built = (build_dir / "template.yaml").read_text(encoding="utf-8")
    assert "CodeUri: WebFunction" in built
    assert "ContentUri: LambdaMicroLayer" in built
    assert "ContentUri: BlogPostsLayer" in built


@pytest.mark.slow
def test_built_web_function_answers_from_its_artifacts_alone(
    build_dir: Path, tmp_path: Path, lambda_python: Path
) -> None:
    """Import the built function with only its folder, the layers and boto3 on sys.path, and invoke it, on
    the runtime's Python (the layers hold its bytecode and its wheels)."""
    event = build_event("GET", "/static/style.css", payload="1.0", stage="Prod", resource="/{proxy+}")
    missing = build_event("GET", "/no/such/page", payload="1.0", stage="Prod", resource="/{proxy+}")
    script = tmp_path / "invoke.py"
    script.write_text(
        "import json, sys\n"
        "import app, lambda_micro, blog_posts\n"
        "events = json.load(sys.stdin)\n"
        "results = [app.handler(event, None) for event in events]\n"
        "import cmarkgfm, nh3\n"
        "from blog_posts.rendering import render_markdown\n"
        "print(json.dumps({'lambda_micro': lambda_micro.__file__, 'blog_posts': blog_posts.__file__,"
        " 'cmarkgfm': cmarkgfm.__file__, 'nh3': nh3.__file__, 'rendered': render_markdown('**x**'),"
        " 'results': results}))\n",
        encoding="utf-8",
    )
    boto_site = Path(boto3.__file__).parent.parent
    env = {
        "PATH": os.environ.get("PATH", ""),
        # As in Lambda: the function's folder, then the layers (merged into /opt/python there); boto3 is
        # the runtime's.
        "PYTHONPATH": os.pathsep.join(
            [
                str(build_dir / "WebFunction"),
                str(build_dir / "LambdaMicroLayer" / "python"),
                str(build_dir / "BlogPostsLayer" / "python"),
                str(boto_site),
            ]
        ),
        "POSTS_TABLE": "posts",
        "IMAGES_BUCKET": "images",
        "LAMBDA_MICRO_SECRET_KEY": "x" * 40,
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        # The build is shared by this module's tests (and Lambda's /var/task and /opt are read-only): no
        # __pycache__ may appear in it, whichever order the tests run in.
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    result = subprocess.run(
        [str(lambda_python), "-S", str(script)],
        input=json.dumps([event, missing]),
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["lambda_micro"].startswith(str(build_dir / "LambdaMicroLayer"))
    assert report["blog_posts"].startswith(str(build_dir / "BlogPostsLayer" / "python"))
    # The renderer and sanitiser the layer installed work from there (wheels for the runtime's platform).
    for package in ("cmarkgfm", "nh3"):
        assert report[package].startswith(str(build_dir / "BlogPostsLayer" / "python")), package
    assert report["rendered"] == "<p><strong>x</strong></p>\n"
    stylesheet, not_found = report["results"]
    assert stylesheet["statusCode"] == 200
    assert ".post-list" in stylesheet["body"]
    assert not_found["statusCode"] == 404
    assert 'id="not-found"' in not_found["body"]


@pytest.mark.slow
@pytest.mark.parametrize(
    ("folder", "files"),
    [
        ("functions/shared", ["blog_posts"]),
        ("functions/web", ["app.py", "forms.py"]),
        ("functions/api", ["app.py", "http_errors.py", "imaging.py", "json_input.py", "preconditions.py"]),
        ("functions/feed", ["app.py", "atom.py"]),
        ("functions/thumbnail", ["app.py", "thumbnails.py"]),
        ("functions/cleanup", ["app.py"]),
    ],
)
def test_function_code_is_mypy_strict_clean(folder: str, files: list[str], tmp_path: Path) -> None:
    """The example code people copy is typed like the framework."""
    result = subprocess.run(
        [
            tool("mypy"),
            "--strict",
            "--python-version",
            "3.13",  # the functions' runtime
            "--ignore-missing-imports",
            "--cache-dir",
            str(tmp_path / "mypy-cache"),
            *files,
        ],
        capture_output=True,
        text=True,
        cwd=ROOT / folder,
        # blog_posts comes from the functions' BlogPostsLayer, whose content is functions/shared.
        env={**os.environ, "MYPYPATH": str(ROOT / "functions" / "shared")},
        check=False,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_api_function_imports_no_template_or_markdown_machinery(tmp_path: Path) -> None:
    """A JSON-only function keeps its cold start small: no jinja2, no Markdown renderer, no sanitiser, no
    image codec at INIT (a write imports the renderer, an image upload Pillow, when they happen)."""
    script = (
        "import sys, app\n"
        "modules = ('jinja2', 'cmarkgfm', 'nh3', 'PIL', 'yaml', 'moto')\n"
        "heavy = sorted(m for m in modules if m in sys.modules)\n"
        "print(','.join(heavy))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        env={
            **os.environ,
            "POSTS_TABLE": "posts",
            "IMAGES_BUCKET": "images",
            "AWS_DEFAULT_REGION": "us-east-1",
            # The function's folder, then its BlogPostsLayer's content (lambda_micro is installed).
            "PYTHONPATH": os.pathsep.join(
                [str(ROOT / "functions" / "api"), str(ROOT / "functions" / "shared")]
            ),
            "PYTHONDONTWRITEBYTECODE": "1",
        },
        cwd=tmp_path,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""


def _transformed(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """template.yaml through the SAM translator, offline, as CloudFormation will run it on deploy."""
    from samtranslator.translator.transform import transform
    from samtranslator.yaml_helper import yaml_parse

    class NoManagedPolicies:
        def load(self) -> dict[str, str]:
            return {}

    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    template = yaml_parse(TEMPLATE.read_text(encoding="utf-8"))
    # sam package replaces local code folders by S3 locations before the transform runs.
    for resource in template["Resources"].values():
        for key in ("CodeUri", "ContentUri"):
            if key in resource.get("Properties", {}):
                resource["Properties"][key] = "s3://bucket/key"
    result: dict[str, Any] = transform(template, {"AWS::Region": "us-east-1"}, NoManagedPolicies())
    return result


def test_transformed_template_keeps_the_rule_and_scopes_every_statement(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    output = _transformed(monkeypatch)
    assert "SessionSecretIsSet" in output["Rules"]
    roles = {
        logical_id: resource
        for logical_id, resource in output["Resources"].items()
        if resource["Type"] == "AWS::IAM::Role"
    }
    basic = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
    managed = {
        "WebFunctionRole": [basic],
        "ApiFunctionRole": [basic],
        # SAM adds the stream-reading role for a DynamoDB event.
        "FeedFunctionRole": [basic, "arn:aws:iam::aws:policy/service-role/AWSLambdaDynamoDBExecutionRole"],
        "ThumbnailFunctionRole": [basic],
        "CleanupFunctionRole": [basic],
        # EventBridge Scheduler's role for the ScheduleV2 event: it may invoke the cleanup function only.
        "CleanupFunctionNightlyRole": None,
    }
    assert set(roles) == set(managed)
    for logical_id, role in roles.items():
        assert role["Properties"].get("ManagedPolicyArns") == managed[logical_id]
        for policy in role["Properties"].get("Policies", []):
            for statement in policy["PolicyDocument"]["Statement"]:
                resources = statement["Resource"]
                text = json.dumps(resources)
                assert resources != "*"
                assert any(name in text for name in ("PostsTable", "ImagesBucket", "CleanupFunction")), (
                    statement
                )
    # The thumbnail function's access is a policy of its own (the bucket notifies the function, so the
    # function and its role must not refer to the bucket): read posts/, write thumbnails/, nothing else.
    access = output["Resources"]["ThumbnailAccess"]["Properties"]
    assert access["Roles"] == [{"Ref": "ThumbnailFunctionRole"}]
    assert [(s["Action"], s["Resource"]) for s in access["PolicyDocument"]["Statement"]] == [
        ("s3:GetObject", {"Fn::Sub": "arn:${AWS::Partition}:s3:::${ImagesBucket}/posts/*"}),
        ("s3:PutObject", {"Fn::Sub": "arn:${AWS::Partition}:s3:::${ImagesBucket}/thumbnails/*"}),
    ]
    notification = output["Resources"]["ImagesBucket"]["Properties"]["NotificationConfiguration"]
    (configuration,) = notification["LambdaConfigurations"]
    assert configuration["Filter"] == {"S3Key": {"Rules": [{"Name": "prefix", "Value": "posts/"}]}}
    thumbnail = output["Resources"]["ThumbnailFunction"]["Properties"]
    assert thumbnail["Environment"]["Variables"]["IMAGES_BUCKET"] == {
        "Ref": "AWS::NoValue"
    }  # Globals' dropped
    assert '"ImagesBucket"' not in json.dumps(thumbnail)
    web_api = output["Resources"]["WebApi"]["Properties"]["Body"]
    assert web_api["x-amazon-apigateway-binary-media-types"] == ["*/*"]
    web_env = output["Resources"]["WebFunction"]["Properties"]["Environment"]["Variables"]
    assert web_env["LAMBDA_MICRO_SECRET_KEY"] == {"Ref": "SessionSecret"}
    assert web_env["POSTS_TABLE"] == {"Ref": "PostsTable"}
    expected = [{"Ref": _layer_version_id(output, name)} for name in ("LambdaMicroLayer", "BlogPostsLayer")]
    for function in ("WebFunction", "ApiFunction", "FeedFunction", "ThumbnailFunction", "CleanupFunction"):
        assert output["Resources"][function]["Properties"]["Layers"] == expected


def _layer_version_id(output: dict[str, Any], layer: str) -> str:
    """The logical id SAM gives the AWS::Lambda::LayerVersion of ``layer`` (``<Layer><hash>``)."""
    (layer_id,) = [
        logical_id
        for logical_id, resource in output["Resources"].items()
        if resource["Type"] == "AWS::Lambda::LayerVersion" and logical_id.startswith(layer)
    ]
    return layer_id

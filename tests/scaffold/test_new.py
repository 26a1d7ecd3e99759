"""``lambda-micro new``: what each variant contains, what it refuses, and that its own tests pass.

The generated projects' tests run here with this checkout's installation (the pytest plugin, the gateway);
``test_new_release.py`` runs them again from the released wheels, with ``make``, ``sam build`` and AWS's
linters, as a user would.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import lambda_micro
from lambda_micro.local.cli import main
from lambda_micro.local.project import NewProjectError, ProjectOptions, create_project, function_name_for
from lambda_micro.local.sam import load_template
from lambda_micro.local.sam.cfn_yaml import load_yaml

VARIANTS = {
    "http": ProjectOptions("demo"),
    "rest-table": ProjectOptions("demo", api="rest", table=True),
    "both-table-bucket": ProjectOptions("demo", api="both", table=True, bucket=True),
    "rest-bucket": ProjectOptions("demo", api="rest", bucket=True),
    "http-bucket": ProjectOptions("demo", api="http", bucket=True),
}
BIN = Path(sys.executable).parent


def _raw(project: Path) -> dict:
    """template.yaml as data, CloudFormation's short tags as ``{"Ref": ...}``."""
    return load_yaml((project / "template.yaml").read_text(encoding="utf-8"))  # type: ignore[no-any-return]


@pytest.fixture(params=sorted(VARIANTS))
def project(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[Path, ProjectOptions]:
    options = VARIANTS[request.param]
    folder = tmp_path / "demo"
    create_project(folder, options)
    return folder, options


def test_new_writes_a_complete_project(project: tuple[Path, ProjectOptions]) -> None:
    folder, options = project
    files = {path.relative_to(folder).as_posix() for path in folder.rglob("*") if path.is_file()}
    expected = {
        "template.yaml",
        "functions/demo/app.py",
        "functions/demo/requirements.txt",
        "functions/demo/templates/base.html",
        "functions/demo/templates/index.html",
        "tests/test_app.py",
        "requirements-dev.txt",
        "Makefile",
        "pyproject.toml",
        ".gitignore",
        "README.md",
    }
    expected |= {"tests/test_items.py"} if options.table else set()
    expected |= {"tests/test_files.py"} if options.bucket else set()
    assert files == expected
    version = lambda_micro.__version__
    requirements = (folder / "functions/demo/requirements.txt").read_text(encoding="utf-8")
    assert f"\nlambda-micro=={version}\n" in requirements
    dev = (folder / "requirements-dev.txt").read_text(encoding="utf-8").splitlines()
    assert {"-r functions/demo/requirements.txt", f"lambda-micro-local=={version}"} <= set(dev)
    makefile = (folder / "Makefile").read_text(encoding="utf-8")
    for target in ("serve:", "test:", "check:", "build:", "deploy:"):
        assert f"\n{target}" in makefile, target
    assert ".venv/" in (folder / ".gitignore").read_text(encoding="utf-8").splitlines()


def test_new_template_declares_the_runtime_apis_resources_and_scoped_policies(
    project: tuple[Path, ProjectOptions],
) -> None:
    folder, options = project
    raw = _raw(folder)
    assert raw["Transform"] == "AWS::Serverless-2016-10-31"
    assert raw["Globals"]["Function"]["Runtime"] == "python3.13"
    resources = raw["Resources"]
    apis = {name for name, resource in resources.items() if resource["Type"].endswith(("::Api", "::HttpApi"))}
    assert apis == {"http": {"HttpApi"}, "rest": {"RestApi"}, "both": {"HttpApi", "RestApi"}}[options.api]
    function = resources["DemoFunction"]["Properties"]
    policies = function.get("Policies", [])
    assert ({"DynamoDBCrudPolicy": {"TableName": {"Ref": "ItemsTable"}}} in policies) == options.table
    assert ({"S3CrudPolicy": {"BucketName": {"Ref": "FilesBucket"}}} in policies) == options.bucket
    assert len(policies) == options.table + options.bucket  # nothing else, and never "*"
    assert ("ItemsTable" in resources) == options.table
    assert ("FilesBucket" in resources) == options.bucket

    template = load_template(folder / "template.yaml")
    routes = {(route.method, route.path): route for route in template.routes}
    assert routes[("GET", "/")].api_kind == ("http" if options.api == "http" else "rest")
    assert routes[("GET", "/api/hello")].api_kind == ("rest" if options.api == "rest" else "http")
    assert (("POST", "/api/items") in routes) == options.table
    assert (("PUT", "/api/files/{name}") in routes) == options.bucket


def test_new_project_passes_its_own_tests_check_and_ruff(project: tuple[Path, ProjectOptions]) -> None:
    folder, options = project
    tests = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=folder,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert tests.returncode == 0, tests.stdout + tests.stderr
    expected = 4 + 2 * options.table + 2 * options.bucket
    assert f"{expected} passed" in tests.stdout
    assert main(["check", "--template", str(folder / "template.yaml")]) == 0
    # The generated code is as clean as the framework's (the project's own ruff settings).
    lint = subprocess.run(
        [str(BIN / "ruff"), "check", "--select", "E,F,W,I,B,UP,SIM,RUF", "."],
        cwd=folder,
        capture_output=True,
        text=True,
        check=False,
    )
    assert lint.returncode == 0, lint.stdout + lint.stderr
    formatted = subprocess.run(
        [str(BIN / "ruff"), "format", "--check", "."], cwd=folder, capture_output=True, text=True, check=False
    )
    assert formatted.returncode == 0, formatted.stdout + formatted.stderr


def test_new_refuses_a_non_empty_folder_unless_forced(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "demo"
    folder.mkdir()
    (folder / "notes.txt").write_text("mine", encoding="utf-8")
    (folder / "README.md").write_text("old", encoding="utf-8")
    assert main(["new", str(folder)]) == 2
    assert capsys.readouterr().err == (
        f"lambda-micro: error: {folder} is not empty: choose a new folder, or pass --force to write into it\n"
    )
    assert sorted(path.name for path in folder.iterdir()) == ["README.md", "notes.txt"]

    assert main(["new", str(folder), "--force"]) == 0
    assert "created" in capsys.readouterr().out
    assert (folder / "notes.txt").read_text(encoding="utf-8") == "mine"  # left alone
    assert (folder / "README.md").read_text(encoding="utf-8").startswith("# demo\n")  # the project's
    assert (folder / "template.yaml").is_file()


def test_new_creates_missing_parent_folders_and_takes_options(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "a" / "my-service"
    assert main(["new", str(folder), "--api", "both", "--with-table", "--with-bucket"]) == 0
    out = capsys.readouterr().out
    assert f"created {folder} (13 files), function MyServiceFunction" in out
    assert "make test" in out
    raw = _raw(folder)
    assert set(raw["Resources"]) >= {"HttpApi", "RestApi", "ItemsTable", "FilesBucket", "MyServiceFunction"}
    assert raw["Resources"]["MyServiceFunction"]["Properties"]["CodeUri"] == "functions/my_service/"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--name", "Demo"], "--name 'Demo': the function's name must be a lower-case Python identifier"),
        (["--name", "class"], "--name 'class': the function's name must be a lower-case Python identifier"),
        (["--name", "1st"], "--name '1st': the function's name must be a lower-case Python identifier"),
    ],
)
def test_new_refuses_a_bad_function_name(
    argv: list[str], message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["new", str(tmp_path / "demo"), *argv]) == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "demo").exists()


def test_new_refuses_a_folder_name_without_a_function_name_in_it(tmp_path: Path) -> None:
    with pytest.raises(NewProjectError, match=r"folder name '2024': pass --name NAME"):
        function_name_for(tmp_path / "2024")
    assert function_name_for(tmp_path / "My Blog-2") == "my_blog_2"


def test_new_refuses_a_file_in_place_of_the_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "demo"
    target.write_text("x", encoding="utf-8")
    assert main(["new", str(target), "--force"]) == 2
    assert capsys.readouterr().err == f"lambda-micro: error: {target} exists and is not a folder\n"


def test_new_refuses_an_unknown_api(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["new", str(tmp_path / "demo"), "--api", "websocket"]) == 2
    assert "invalid choice: 'websocket'" in capsys.readouterr().err
    with pytest.raises(NewProjectError, match="--api must be one of http, rest, both"):
        ProjectOptions("demo", api="websocket")  # type: ignore[arg-type]


def test_new_refuses_a_folder_where_a_project_file_goes(tmp_path: Path) -> None:
    folder = tmp_path / "demo"
    (folder / "template.yaml").mkdir(parents=True)
    with pytest.raises(NewProjectError, match=r"template.yaml is a folder: the project needs a file there"):
        create_project(folder, ProjectOptions("demo"), force=True)

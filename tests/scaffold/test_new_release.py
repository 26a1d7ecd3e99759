"""A new project as a user gets it: lambda-micro from the released wheels, ``make``, SAM's tools.

pip finds ``lambda-micro`` and ``lambda-micro-local`` in a find-links folder holding this checkout's release
(``python -m build``), exactly as it would find them on the package index, and everything else on the index.
Each variant then passes its own ``make test`` and ``make check``, ``cfn-lint``, ``sam validate --lint`` and
``make build`` (``sam build`` for python3.13, with the runtime's interpreter first on PATH), and the built
function answers from its artifacts alone; the default project also serves with ``make serve``.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import boto3
import pytest

import lambda_micro
from lambda_micro.local.events import build_event
from lambda_micro.local.project import ProjectOptions, create_project

pytestmark = pytest.mark.slow

VERSION = lambda_micro.__version__
BIN = Path(sys.executable).parent
VARIANTS = {
    "http": ProjectOptions("demo"),
    "rest-table": ProjectOptions("demo", api="rest", table=True),
    "both-table-bucket": ProjectOptions("demo", api="both", table=True, bucket=True),
    "rest-bucket": ProjectOptions("demo", api="rest", bucket=True),
}


def _tool(name: str) -> str:
    found = BIN / name
    return str(found) if found.exists() else (shutil.which(name) or pytest.fail(f"{name} is not installed"))


@pytest.fixture(scope="module")
def user_env(release_dir: Path, lambda_tools_env: dict[str, str]) -> dict[str, str]:
    """A user's shell: pip also looks in the release folder; nothing of this checkout is importable."""
    env = {
        key: value
        for key, value in lambda_tools_env.items()
        if key not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME", "MAKEFLAGS", "MAKELEVEL", "MFLAGS")
    }
    # pip's own setting, as a user would write it in pip.conf; any folders already configured are kept.
    env["PIP_FIND_LINKS"] = " ".join(filter(None, [str(release_dir), os.environ.get("PIP_FIND_LINKS", "")]))
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    return env


def _run(args: list[str], cwd: Path, env: dict[str, str], timeout: int = 600) -> str:
    result = subprocess.run(
        args, cwd=cwd, env=env, capture_output=True, text=True, check=False, timeout=timeout
    )
    assert result.returncode == 0, f"{' '.join(args)} in {cwd}:\n{result.stdout}\n{result.stderr}"
    return result.stdout + result.stderr


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory, user_env: dict[str, str]) -> Path:
    """``lambda-micro new demo && cd demo && make test``: the project, with the .venv its make test made."""
    folder = tmp_path_factory.mktemp("fresh") / "demo"
    create_project(folder, ProjectOptions("demo"))
    output = _run(["make", "test"], folder, user_env, timeout=900)
    assert re.search(r"\b4 passed\b", output), output
    return folder


def test_make_test_installs_lambda_micro_from_the_release_and_passes(
    demo: Path, user_env: dict[str, str]
) -> None:
    venv_python = demo / ".venv" / "bin" / "python"
    code = (
        "import importlib.metadata as m, json, lambda_micro, lambda_micro.local\n"
        "print(json.dumps({'file': lambda_micro.__file__, 'local': lambda_micro.local.__file__,"
        " 'versions': [m.version('lambda-micro'), m.version('lambda-micro-local')]}))\n"
    )
    report = json.loads(_run([str(venv_python), "-c", code], demo, user_env))
    site = str(demo / ".venv")
    assert report["file"].startswith(site)  # the released wheel, installed, not this checkout
    assert report["local"].startswith(site)
    assert report["versions"] == [VERSION, VERSION]
    version = _run([str(demo / ".venv" / "bin" / "lambda-micro"), "--version"], demo, user_env)
    assert version.strip() == f"lambda-micro {VERSION}"


def test_the_released_tools_make_new_projects(demo: Path, user_env: dict[str, str]) -> None:
    """The project templates are package data of the wheel: its own ``lambda-micro new`` works."""
    other = demo.parent / "other"
    tool = str(demo / ".venv" / "bin" / "lambda-micro")
    out = _run([tool, "new", str(other), "--api", "both", "--with-table", "--with-bucket"], demo, user_env)
    assert "function OtherFunction" in out
    assert (other / "functions" / "other" / "templates" / "index.html").is_file()
    assert (other / "tests" / "test_files.py").is_file()


def test_make_serve_serves_the_page_and_the_json(demo: Path, user_env: dict[str, str]) -> None:
    server = subprocess.Popen(
        ["make", "serve", "PORT=0"],
        cwd=demo,
        env=user_env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group: make and the server stop together
    )
    try:
        assert server.stderr is not None
        url, deadline, seen = None, time.monotonic() + 120, []
        while url is None and time.monotonic() < deadline:
            line = server.stderr.readline()
            if not line:
                break
            seen.append(line)
            match = re.search(r"Listening on (http://127\.0\.0\.1:\d+)/", line)
            url = match[1] if match else None
        assert url is not None, "".join(seen)
        with urllib.request.urlopen(f"{url}/", timeout=30) as page:
            assert page.status == 200
            assert page.headers["Content-Type"] == "text/html; charset=utf-8"
            assert '<h1 id="title">demo</h1>' in page.read().decode()
        with urllib.request.urlopen(f"{url}/api/hello?name=Ada", timeout=30) as hello:
            assert json.loads(hello.read()) == {"message": "Hello, Ada!"}
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_each_variant_passes_make_test_check_the_linters_and_builds(
    variant: str, demo: Path, user_env: dict[str, str], lambda_python: Path, tmp_path: Path
) -> None:
    options = VARIANTS[variant]
    project = tmp_path / "demo"
    create_project(project, options)
    # One environment for every variant (the same requirements-dev.txt): make only re-checks it.
    shared = [f"VENV={demo / '.venv'}"]
    output = _run(["make", "test", *shared], project, user_env)
    assert re.search(rf"\b{4 + 2 * options.table + 2 * options.bucket} passed\b", output), output
    assert "no drift (1 function)" in _run(["make", "check", *shared], project, user_env)
    _run([_tool("cfn-lint"), "template.yaml"], project, user_env)
    assert "is a valid SAM Template" in _run([_tool("sam"), "validate", "--lint"], project, user_env)
    _run(["make", "build", f"SAM={_tool('sam')}", f"LAMBDA_PYTHON={lambda_python}"], project, user_env)

    built = project / ".aws-sam" / "build" / "DemoFunction"
    files = {path.relative_to(built).as_posix() for path in built.rglob("*") if path.is_file()}
    assert {"app.py", "templates/index.html", "lambda_micro/app.py", "werkzeug/__init__.py"} <= files
    assert f"lambda_micro-{VERSION}.dist-info/METADATA" in files
    assert not any(
        name.startswith(("lambda_micro/local/", "lambda_micro/testing/", "tests/")) for name in files
    )
    _assert_built_function_answers(built, options, lambda_python, tmp_path)


def _assert_built_function_answers(
    built: Path, options: ProjectOptions, python: Path, tmp_path: Path
) -> None:
    """Import the built function on python3.13, only its folder and boto3 (the runtime's) on sys.path."""
    # As API Gateway sends them: REST is payload 1.0 on stage Prod, the HTTP API 2.0 on $default.
    page_api = "http" if options.api == "http" else "rest"
    json_api = "rest" if options.api == "rest" else "http"
    shape = {"rest": {"payload": "1.0", "stage": "Prod"}, "http": {"payload": "2.0", "stage": "$default"}}
    events = [
        build_event("GET", "/", resource="/", **shape[page_api]),
        build_event("GET", "/api/hello", resource="/api/hello", query="name=Ada", **shape[json_api]),
    ]
    script = (
        "import json, sys, app\n"
        "print(json.dumps([app.handler(event, None) for event in json.load(sys.stdin)]))\n"
    )
    env = {
        "PATH": os.environ.get("PATH", ""),
        "PYTHONPATH": os.pathsep.join([str(built), str(Path(boto3.__file__).parent.parent)]),
        "PYTHONDONTWRITEBYTECODE": "1",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "ITEMS_TABLE": "items",
        "FILES_BUCKET": "files",
    }
    result = subprocess.run(
        [str(python), "-S", "-c", script],
        input=json.dumps(events),
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    page, hello = json.loads(result.stdout)
    assert page["statusCode"] == 200
    assert '<h1 id="title">demo</h1>' in page["body"]
    assert hello["statusCode"] == 200
    assert json.loads(hello["body"]) == {"message": "Hello, Ada!"}

"""load_function: private modules and environment per function (also across threads), clear errors."""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from lambda_micro.local.environ import EnvironOverlay
from lambda_micro.local.loader import FunctionLoadError, load_function
from lambda_micro.local.sam import load_template

WriteProject = Callable[..., Path]

TWO_FUNCTIONS = """\
Transform: AWS::Serverless-2016-10-31
Globals:
  Function:
    Runtime: python3.11
    Environment:
      Variables:
        SHARED: globals
Resources:
  First:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: first
      Handler: app.handler
      Environment:
        Variables:
          WHO: first
  Second:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: second
      Handler: app.handler
      Environment:
        Variables:
          WHO: second
"""

APP = """\
import os
import threading

import models
from models import NAME
from helpers.text import shout
import helpers.text as text_module

AT_IMPORT = os.environ["WHO"]
barrier = None


def handler(event, context):
    if event.get("wait") is not None:
        event["wait"].wait(timeout=5)
    if event.get("set"):
        os.environ["SET_BY_FUNCTION"] = os.environ["WHO"]
    return {
        "who": os.environ["WHO"],
        "getenv": os.getenv("WHO"),
        "at_import": AT_IMPORT,
        "model": models.NAME,
        "name": NAME,
        "shout": shout(NAME),
        "same": text_module.shout is shout,
        "shared": os.environ.get("SHARED"),
        "set_by_function": os.environ.get("SET_BY_FUNCTION"),
        "function_name": os.environ.get("AWS_LAMBDA_FUNCTION_NAME"),
        "extra": os.environ.get("EXTRA"),
    }
"""


def _files(name: str) -> dict[str, str]:
    return {
        f"{name}/app.py": APP,
        f"{name}/models.py": f"NAME = {name!r}\n",
        f"{name}/helpers/__init__.py": "",
        f"{name}/helpers/text.py": "def shout(value):\n    return value.upper() + '!'\n",
    }


@pytest.fixture
def two(write_project: WriteProject) -> Path:
    return write_project(TWO_FUNCTIONS, {**_files("first"), **_files("second")})


def test_load_function_keeps_same_named_modules_apart(two: Path) -> None:
    template = load_template(two)
    first = load_function(template.functions["First"])
    second = load_function(template.functions["Second"], extra_env={"EXTRA": "yes"})
    one = first.invoke({}, None)
    other = second.invoke({}, None)
    assert one["model"] == one["name"] == "first"
    assert other["model"] == other["name"] == "second"
    assert one["shout"] == "FIRST!"
    assert other["shout"] == "SECOND!"
    assert one["same"] is True
    assert first.module is not second.module
    assert first.module.__name__.endswith(".app")
    assert first.module.__name__ != second.module.__name__
    # Nothing leaked to the top level of sys.modules.
    assert "models" not in sys.modules or getattr(sys.modules["models"], "NAME", None) not in (
        "first",
        "second",
    )
    assert other["extra"] == "yes"
    assert one["extra"] is None


def test_load_function_environment_at_import_and_invocation(
    two: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SHARED", "process")
    monkeypatch.delenv("WHO", raising=False)
    template = load_template(two)
    first = load_function(template.functions["First"])
    result = first.invoke({}, None)
    assert result["who"] == result["getenv"] == result["at_import"] == "first"
    assert result["shared"] == "globals"  # the template wins over the process environment
    assert result["function_name"] == template.functions["First"].function_name
    # Outside an invocation the process environment is untouched.
    assert "WHO" not in os.environ
    assert os.environ["SHARED"] == "process"
    assert isinstance(os.environ, EnvironOverlay)
    assert first.environment["WHO"] == "first"
    assert first.environment["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] == "128"


def test_load_function_environment_writes_stay_in_the_function(two: Path) -> None:
    template = load_template(two)
    first = load_function(template.functions["First"])
    second = load_function(template.functions["Second"])
    assert first.invoke({"set": True}, None)["set_by_function"] == "first"
    # Like a warm container, the function keeps what it set; the other function and the process do not see it.
    assert first.invoke({}, None)["set_by_function"] == "first"
    assert second.invoke({}, None)["set_by_function"] is None
    assert "SET_BY_FUNCTION" not in os.environ


def test_load_function_environment_isolated_across_threads(two: Path) -> None:
    template = load_template(two)
    first = load_function(template.functions["First"])
    second = load_function(template.functions["Second"])
    release = threading.Event()
    results: dict[str, dict[str, object]] = {}

    def run(name: str, loaded: object) -> None:
        assert hasattr(loaded, "invoke")
        results[name] = loaded.invoke({"wait": release}, None)

    threads = [
        threading.Thread(target=run, args=("first", first)),
        threading.Thread(target=run, args=("second", second)),
    ]
    for thread in threads:
        thread.start()
    # Both invocations are inside their handlers at the same time when they read the environment.
    release.set()
    for thread in threads:
        thread.join(timeout=10)
    assert results["first"]["who"] == "first"
    assert results["second"]["who"] == "second"


def test_environ_overlay_mapping_behaviour(two: Path) -> None:
    template = load_template(two)
    loaded = load_function(template.functions["First"])
    overlay = os.environ
    assert isinstance(overlay, EnvironOverlay)

    def inside() -> dict[str, object]:
        env = os.environ
        env["TEMP_VAR"] = "1"
        assert "TEMP_VAR" in env
        assert env.copy()["TEMP_VAR"] == "1"
        del env["TEMP_VAR"]
        had_path = "PATH" in env
        if had_path:
            del env["PATH"]  # hidden for this function only
        with pytest.raises(KeyError):
            del env["NEVER_SET_ANYWHERE"]
        with pytest.raises(TypeError):
            env["X"] = 1  # type: ignore[assignment]
        return {
            "path": "PATH" in env,
            "len": len(env),
            "merged": (env | {"Z": "1"})["Z"],
            "had_path": had_path,
        }

    inner = loaded.call(inside)
    assert inner["path"] is False
    assert inner["merged"] == "1"
    assert ("PATH" in os.environ) is inner["had_path"]
    assert "TEMP_VAR" not in os.environ
    assert {"A": "1"} | overlay == {"A": "1", **overlay.copy()}
    assert "EnvironOverlay(" in repr(overlay)
    assert 1 not in overlay  # type: ignore[comparison-overlap]


def test_load_function_errors_name_function_code_uri_and_handler(write_project: WriteProject) -> None:
    template_text = """\
    Transform: AWS::Serverless-2016-10-31
    Globals:
      Function:
        Runtime: python3.11
        CodeUri: fn
    Resources:
      Missing:
        Type: AWS::Serverless::Function
        Properties: {Handler: nope.handler}
      Broken:
        Type: AWS::Serverless::Function
        Properties: {Handler: broken.handler}
      NoAttr:
        Type: AWS::Serverless::Function
        Properties: {Handler: app.missing}
      NotCallable:
        Type: AWS::Serverless::Function
        Properties: {Handler: app.VALUE}
      BadDependency:
        Type: AWS::Serverless::Function
        Properties: {Handler: needs.handler}
      Nested:
        Type: AWS::Serverless::Function
        Properties: {Handler: pkg/mod.handler}
    """
    files = {
        "fn/app.py": "VALUE = 3\n\ndef handler(event, context):\n    return 'app'\n",
        "fn/broken.py": "raise RuntimeError('no database configured')\n",
        "fn/needs.py": "import not_installed_anywhere_xyz\n",
        "fn/pkg/__init__.py": "",
        "fn/pkg/mod.py": "from . import helper\n\ndef handler(event, context):\n    return helper.VALUE\n",
        "fn/pkg/helper.py": "VALUE = 'nested'\n",
    }
    template = load_template(write_project(template_text, files))
    cases = {
        "Missing": "cannot import module 'nope': no module named 'nope'",
        "Broken": "importing module 'broken' raised RuntimeError: no database configured",
        "NoAttr": "module 'app' has no attribute 'missing'",
        "NotCallable": "app.VALUE is not callable (it is a int)",
        "BadDependency": "No module named 'not_installed_anywhere_xyz'",
    }
    for logical_id, cause in cases.items():
        function = template.functions[logical_id]
        with pytest.raises(FunctionLoadError) as info:
            load_function(function)
        message = str(info.value)
        assert cause in message, message
        assert message.startswith(
            f"function {logical_id} (CodeUri {function.code_uri}, Handler {function.handler})"
        )
        assert info.value.function is function
    assert load_function(template.functions["Nested"]).invoke({}, None) == "nested"


def test_load_function_reload_gets_fresh_code(write_project: WriteProject) -> None:
    path = write_project(
        "Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n"
        "    Properties: {CodeUri: fn, Handler: app.handler, Runtime: python3.11}\n",
        {"fn/app.py": "def handler(event, context):\n    return 1\n"},
    )
    template = load_template(path)
    first = load_function(template.functions["Fn"])
    assert first.invoke({}, None) == 1
    (path.parent / "fn" / "app.py").write_text("def handler(event, context):\n    return 2\n")
    first.unload()
    assert first.package not in sys.modules
    second = load_function(template.functions["Fn"])
    assert second.invoke({}, None) == 2
    assert "LoadedFunction Fn app.handler" in repr(second)


def test_load_function_rejects_other_runtimes(write_project: WriteProject) -> None:
    from lambda_micro.local.drift import check_drift

    path = write_project(
        "Resources:\n  Node:\n    Type: AWS::Serverless::Function\n"
        "    Properties: {CodeUri: fn, Handler: index.handler, Runtime: nodejs20.x}\n",
        {"fn/index.js": "exports.handler = async () => ({});\n"},
    )
    template = load_template(path)
    with pytest.raises(FunctionLoadError, match=r"runtime nodejs20\.x is not Python"):
        load_function(template.functions["Node"])
    assert check_drift(template) == []  # nothing to check in this process

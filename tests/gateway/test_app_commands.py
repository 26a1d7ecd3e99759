"""``lambda-micro --app PATH[:NAME] COMMAND``: an app's own commands and ``shell``, as ``flask --app``."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from lambda_micro.local.app_commands import AppLoadError, load_app, split_app_option
from lambda_micro.local.cli import main

APP_SOURCE = """
import click
from lambda_micro import App, current_app, g

app = App(__name__)
app.config["DATABASE"] = "blog.sqlite"


@app.teardown_appcontext
def close(exc):
    if "db" in g:
        click.echo(f"closed {g.db} exc={type(exc).__name__ if exc else None}")


@app.cli.command("init-db")
@click.option("--force", is_flag=True)
def init_db(force):
    g.db = current_app.config["DATABASE"]
    click.echo(f"Initialized {g.db} force={force}")


@app.cli.command("fail")
def fail():
    raise RuntimeError("the database is locked")


@app.cli.command("shell")
def not_the_builtin():
    click.echo("the app's own shell command")


@app.shell_context_processor
def names():
    return {"answer": 42}
"""

FACTORY_SOURCE = """
from lambda_micro import App


def create_app(name="from-factory"):
    app = App(__name__)
    app.config["NAME"] = name

    @app.cli.command("name")
    def show():
        print(app.config["NAME"])

    return app
"""


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    (tmp_path / "hello.py").write_text(APP_SOURCE)
    package = tmp_path / "blogpkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "factory.py").write_text(FACTORY_SOURCE)
    (tmp_path / "two.py").write_text("from lambda_micro import App\na = App('a')\nb = App('b')\n")
    (tmp_path / "none.py").write_text("x = 1\n")
    (tmp_path / "notapp.py").write_text("thing = 3\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "path", list(sys.path))
    before = set(sys.modules)
    yield tmp_path
    for name in set(sys.modules) - before:
        del sys.modules[name]


def test_runs_an_app_command_in_an_app_context(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--app", "hello", "init-db", "--force"]) == 0
    out = capsys.readouterr().out
    assert out == "Initialized blog.sqlite force=True\nclosed blog.sqlite exc=None\n"


def test_a_failing_command_exits_1_with_its_message(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--app=hello", "fail"]) == 1
    err = capsys.readouterr().err
    assert err.strip() == "Error: RuntimeError: the database is locked"


def test_usage_errors_and_help(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--app", "hello", "init-db", "--nope"]) == 2
    assert "No such option: --nope" in capsys.readouterr().err
    assert main(["--app", "hello", "missing"]) == 2
    assert "No such command 'missing'" in capsys.readouterr().err
    assert main(["--app", "hello", "--help"]) == 0
    listing = capsys.readouterr().out
    assert "init-db" in listing
    assert "shell" in listing


def test_factories_files_and_names(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--app", "blogpkg.factory", "name"]) == 0
    assert capsys.readouterr().out == "from-factory\n"
    assert main(["--app", "blogpkg.factory:create_app('dev')", "name"]) == 0
    assert capsys.readouterr().out == "dev\n"
    assert main(["--app", "blogpkg/factory.py:create_app(name='file')", "name"]) == 0
    assert capsys.readouterr().out == "file\n"
    assert load_app("two:b").name == "b"
    assert load_app(str(project / "hello.py")).name == "hello"


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("nosuchmodule", "Could not import 'nosuchmodule': no such module"),
        ("missing.py", "No such file: 'missing.py'"),
        ("two", "has several apps"),
        ("none", "has no App"),
        ("hello:absent", "has no attribute 'absent'"),
        ("notapp:thing", "gave int, not a lambda_micro App"),
        ("hello:app(", "Could not parse"),
        ("blogpkg.factory:create_app(x)", "must be Python literals"),
        ("hello:app.name", "is not an attribute name or a call"),
    ],
)
def test_app_that_cannot_be_loaded_exits_2(
    project: Path, capsys: pytest.CaptureFixture[str], spec: str, message: str
) -> None:
    assert main(["--app", spec, "anything"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("lambda-micro: error: ")
    assert message in err


def test_app_option_parsing() -> None:
    assert split_app_option(["serve"]) is None
    assert split_app_option([]) is None
    assert split_app_option(["--app", "x", "cmd"]) == ("x", ["cmd"])
    assert split_app_option(["--app=x:y", "cmd", "-v"]) == ("x:y", ["cmd", "-v"])
    with pytest.raises(AppLoadError, match="--app needs a value"):
        split_app_option(["--app"])


def test_the_builtin_commands_keep_their_names(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # `routes` is still lambda-micro's own command without --app ...
    assert main(["routes", "--template", str(project / "absent.yaml")]) == 2
    assert "absent.yaml" in capsys.readouterr().err
    # ... and with --app, the built-in `shell` wins over an app command of that name (as with flask).
    result = subprocess.run(
        [sys.executable, "-m", "lambda_micro.local", "--app", "hello", "shell"],
        input="print(app.name, answer, g)\n",
        capture_output=True,
        text=True,
        cwd=project,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "hello 42 <lambda_micro.g of []>" in result.stdout
    assert "the app's own shell command" not in result.stdout
    assert "App: hello" in result.stderr  # the banner


def test_shell_runs_pythonstartup(project: Path) -> None:
    (project / "startup.py").write_text("from_startup = 'yes'\n")
    result = subprocess.run(
        [sys.executable, "-m", "lambda_micro.local", "--app", "hello", "shell"],
        input="print(from_startup)\n",
        capture_output=True,
        text=True,
        cwd=project,
        env={**os.environ, "PYTHONSTARTUP": str(project / "startup.py")},
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "yes" in result.stdout


def test_help_mentions_app_commands(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--help"]) == 0
    assert "--app PATH[:NAME] COMMAND" in " ".join(capsys.readouterr().out.split())

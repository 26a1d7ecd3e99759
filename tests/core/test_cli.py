"""app.cli: commands recorded at import without click, run by app.test_cli_runner() in an app context."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from typing import Any

import click
import pytest

from lambda_micro import App, current_app, g
from lambda_micro.cli import AppCommands, ScriptInfo, argument, option, with_appcontext


@pytest.fixture
def app() -> App:
    app = App(__name__, template_folder=None, static_folder=None)
    app.config["DATABASE"] = "blog.sqlite"
    return app


def test_command_runs_in_an_app_context_with_teardown(app: App) -> None:
    closed: list[Any] = []
    app.teardown_appcontext(lambda exc: closed.append((g.get("db"), exc)))

    @app.cli.command("init-db")
    def init_db() -> None:
        g.db = current_app.config["DATABASE"]
        click.echo(f"Initialized {g.db}.")

    result = app.test_cli_runner().invoke(args=["init-db"])
    assert result.exit_code == 0, result.output
    assert result.output == "Initialized blog.sqlite.\n"
    assert closed == [("blog.sqlite", None)]


def test_click_options_and_recorded_options(app: App) -> None:
    @app.cli.command()
    @click.option("--count", type=int, default=1)
    @click.argument("name")
    def greet(count: int, name: str) -> None:
        click.echo(" ".join([f"hi {name}"] * count))

    @app.cli.command("add-user")
    @option("--admin", is_flag=True)
    @argument("email")
    def add_user(admin: bool, email: str) -> None:
        click.echo(f"{email} admin={admin}")

    runner = app.test_cli_runner()
    assert runner.invoke(args=["greet", "--count", "2", "ann"]).output == "hi ann hi ann\n"
    assert runner.invoke(args=["add-user", "--admin", "a@b.c"]).output == "a@b.c admin=True\n"
    usage = runner.invoke(args=["greet"])
    assert usage.exit_code == 2
    assert "Missing argument 'NAME'" in usage.output


def test_without_parentheses_groups_and_added_commands(app: App) -> None:
    @app.cli.command
    def ping() -> None:
        click.echo(f"pong from {current_app.name}")

    @app.cli.group()
    def db() -> None:
        """Database commands."""

    @db.command("migrate")
    def migrate() -> None:
        click.echo(f"migrated {current_app.config['DATABASE']}")

    @click.command("plain")
    def plain() -> None:
        click.echo("plain click command")

    app.cli.add_command(plain)
    assert isinstance(db, AppCommands)
    runner = app.test_cli_runner()
    assert runner.invoke(args=["ping"]).output == f"pong from {app.name}\n"
    assert runner.invoke(args=["db", "migrate"]).output == "migrated blog.sqlite\n"
    assert runner.invoke(args=["plain"]).output == "plain click command\n"
    assert "migrate" in runner.invoke(args=["db", "--help"]).output
    assert len(app.cli) == 3
    assert "3 declared" in repr(app.cli)


def test_with_appcontext_false_and_the_decorator(app: App) -> None:
    @app.cli.command("no-context", with_appcontext=False)
    def no_context() -> None:
        click.echo(f"context={bool(current_app)}")

    @click.command("decorated")
    @with_appcontext
    def decorated() -> None:
        click.echo(f"app={current_app.name}")

    app.cli.add_command(decorated)
    runner = app.test_cli_runner()
    assert runner.invoke(args=["no-context"]).output == "context=False\n"
    assert runner.invoke(args=["decorated"]).output == f"app={app.name}\n"
    # Without a ScriptInfo in the click context, with_appcontext cannot find the app.
    failed = click.testing.CliRunner().invoke(decorated, [])
    assert isinstance(failed.exception, RuntimeError)
    assert "no ScriptInfo" in str(failed.exception)


def test_a_failing_command_exits_1_with_the_exception(app: App) -> None:
    @app.cli.command("fail")
    def fail() -> None:
        raise RuntimeError("database is locked")

    @app.cli.command("refuse")
    def refuse() -> None:
        raise click.ClickException("refused politely")

    runner = app.test_cli_runner()
    result = runner.invoke(args=["fail"])
    assert result.exit_code == 1
    assert isinstance(result.exception, RuntimeError)
    assert str(result.exception) == "database is locked"
    refused = runner.invoke(args=["refuse"])
    assert refused.exit_code == 1
    assert "Error: refused politely" in refused.output


def test_runner_invokes_given_commands_and_recorders(app: App) -> None:
    @click.command()
    def standalone() -> None:
        click.echo("standalone")

    group = AppCommands("tools")

    @group.command("x")
    def x() -> None:
        click.echo(current_app.name)

    runner = app.test_cli_runner()
    assert runner.invoke(standalone).output == "standalone\n"
    assert runner.invoke(group, ["x"]).output == f"{app.name}\n"


def test_test_cli_runner_class(app: App) -> None:
    from lambda_micro.app_testing import AppCliRunner

    class Runner(AppCliRunner):
        pass

    app.test_cli_runner_class = Runner
    assert isinstance(app.test_cli_runner(), Runner)
    import lambda_micro.app_testing

    with pytest.raises(AttributeError, match="no attribute 'Nope'"):
        _ = lambda_micro.app_testing.Nope


def test_add_command_refuses_a_plain_function(app: App) -> None:
    with pytest.raises(TypeError, match="add_command\\(\\) takes a click command"):
        app.cli.add_command(lambda: None)


def test_script_info_loads_the_app_once(app: App) -> None:
    made: list[App] = []

    def create() -> App:
        made.append(app)
        return app

    info = ScriptInfo(create)
    assert info.load_app() is app
    assert info.load_app() is app
    assert made == [app]
    with pytest.raises(RuntimeError, match="has no app"):
        ScriptInfo().load_app()


def test_declaring_commands_imports_no_click() -> None:
    code = """
        import json, sys
        sys.modules["click"] = None  # as on Lambda, where click is not installed
        from lambda_micro import App
        from lambda_micro.cli import argument, option
        app = App("no_click", template_folder=None, static_folder=None)

        @app.cli.command("init-db")
        @option("--force", is_flag=True)
        @argument("path")
        def init_db(force, path):
            pass

        @app.cli.group()
        def db():
            pass

        try:
            app.test_cli_runner()
        except ModuleNotFoundError as e:
            error = str(e)
        print(json.dumps({"declared": len(app.cli), "error": error}))
    """
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["declared"] == 2
    assert "needs click" in out["error"]
    assert "lambda-micro-local" in out["error"]

"""The click side of ``app.cli``: build the recorded commands into a click group, and the test runner.

Imported only when commands run (``lambda-micro --app``, ``app.test_cli_runner()``): click is a dependency
of the development distribution lambda-micro-local, never of a Lambda function.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from functools import update_wrapper
from typing import TYPE_CHECKING, Any

try:
    import click
    from click.testing import CliRunner, Result
except ImportError as e:  # pragma: no cover - click is installed wherever tests run
    raise ModuleNotFoundError(
        f"lambda_micro's CLI (app.test_cli_runner(), lambda-micro --app) needs click, which could not be"
        f" imported ({e}): install lambda-micro-local, or click itself.",
        name="click",
    ) from e

from .cli import PARAMS_ATTRIBUTE, AppCommands, RecordedCommand, ScriptInfo
from .globals import _current_app_or_none

if TYPE_CHECKING:
    from .app import App

__all__ = ["AppCliRunner", "build_group", "run_in_app_context"]


def _app_of(app: App | None) -> App:
    if app is not None:
        return app
    ctx = click.get_current_context()
    info = ctx.find_object(ScriptInfo)
    if info is None:
        raise RuntimeError(
            "with_appcontext: the click context has no ScriptInfo to load the app from; run the command"
            " with `lambda-micro --app MODULE` or app.test_cli_runner()."
        )
    return info.load_app()


def run_in_app_context(
    app: App | None, f: Callable[..., Any], args: Sequence[Any], kwargs: Mapping[str, Any]
) -> Any:
    """Call ``f`` in an application context of ``app`` (or of the click context's app), pushing one only
    when none is active for it; its ``teardown_appcontext`` functions run when the command ends."""
    target = _app_of(app)
    if _current_app_or_none() is target:
        return f(*args, **kwargs)
    with target.app_context():
        return f(*args, **kwargs)


def _with_params(callback: Callable[..., Any]) -> Callable[..., Any]:
    """Apply the parameters :func:`lambda_micro.cli.option`/``argument`` recorded, in their order."""
    for kind, decls, attrs in getattr(callback, PARAMS_ATTRIBUTE, ()):
        decorator = click.option if kind == "option" else click.argument
        callback = decorator(*decls, **attrs)(callback)
    return callback


def _command(app: App, recorded: RecordedCommand) -> click.Command:
    callback = recorded.callback
    if recorded.with_appcontext:
        inner = callback

        def in_app_context(*args: Any, **kwargs: Any) -> Any:
            return run_in_app_context(app, inner, args, kwargs)

        callback = update_wrapper(in_app_context, inner)
        # click reads its parameters from the function it decorates: keep them on the wrapper.
        for attribute in ("__click_params__", PARAMS_ATTRIBUTE):
            if hasattr(inner, attribute):
                setattr(callback, attribute, list(getattr(inner, attribute)))
    make_command: Callable[..., click.Command] = click.command(recorded.name, **recorded.attrs)
    return make_command(_with_params(callback))


def build_group(app: App, commands: AppCommands | None = None) -> click.Group:
    """``commands`` (default ``app.cli``) as a click group of the same name."""
    commands = commands if commands is not None else app.cli
    group: click.Group
    if commands.callback is not None:
        make_group: Callable[..., click.Group] = click.group(commands.name, **commands.attrs)
        group = make_group(_with_params(commands.callback))
    else:
        group = click.Group(commands.name, **commands.attrs)
    for name, entry in commands.entries:
        if isinstance(entry, RecordedCommand):
            group.add_command(_command(app, entry), name)
        elif isinstance(entry, AppCommands):
            group.add_command(build_group(app, entry), name)
        else:
            group.add_command(entry, name)
    return group


class AppCliRunner(CliRunner):
    """click's ``CliRunner`` for an app's commands (Flask's ``FlaskCliRunner``)."""

    def __init__(self, app: App, **kwargs: Any) -> None:
        self.app = app
        super().__init__(**kwargs)

    def invoke(  # type: ignore[override]
        self, cli: Any = None, args: str | Sequence[str] | None = None, **kwargs: Any
    ) -> Result:
        """Run ``cli`` (default: the app's commands) with ``args``, isolated; see click's ``invoke``.

        The click context's ``obj`` is a :class:`~lambda_micro.cli.ScriptInfo` for the app unless given.
        """
        if cli is None:
            cli = build_group(self.app)
        elif isinstance(cli, AppCommands):
            cli = build_group(self.app, cli)
        kwargs.setdefault("obj", ScriptInfo(app=self.app))
        return super().invoke(cli, args, **kwargs)

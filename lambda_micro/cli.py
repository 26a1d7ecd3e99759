"""``app.cli``: the app's command-line commands, recorded at import without importing click.

Commands are declared as with Flask (``@app.cli.command("init-db")``, ``app.cli.add_command(cmd)``,
``@app.cli.group()``), and may use click's own decorators (``@click.option``). Nothing here imports click:
a Lambda function declaring commands pays only for a list at INIT. The click objects are built when a command
runs, by ``lambda-micro --app MODULE COMMAND`` (the lambda-micro-local distribution, which depends on click)
or ``app.test_cli_runner()``. :func:`option` and :func:`argument` take click's arguments for a module that
should not import click at all.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import update_wrapper
from typing import TYPE_CHECKING, Any, TypeVar, cast

if TYPE_CHECKING:
    from .app import App

__all__ = ["AppCommands", "ScriptInfo", "argument", "option", "with_appcontext"]

F = TypeVar("F", bound=Callable[..., Any])

#: The attribute :func:`option` and :func:`argument` record their parameters in (application order).
PARAMS_ATTRIBUTE = "__lambda_micro_cli_params__"


class RecordedCommand:
    """One ``@app.cli.command()``: the callback, click's ``command()`` arguments, and whether it runs in an
    application context (``with_appcontext=False`` opts out, as in Flask)."""

    __slots__ = ("attrs", "callback", "name", "with_appcontext")

    def __init__(
        self, callback: Callable[..., Any], name: str | None, attrs: dict[str, Any], with_appcontext: bool
    ) -> None:
        self.callback = callback
        self.name = name
        self.attrs = attrs
        self.with_appcontext = with_appcontext


class AppCommands:
    """A command group recorded without click (Flask's ``AppGroup`` API for declaring commands)."""

    def __init__(
        self, name: str | None = None, callback: Callable[..., Any] | None = None, **attrs: Any
    ) -> None:
        self.name = name
        self.callback = callback
        self.attrs = attrs
        #: What was declared, in order: recorded commands, nested groups and click commands.
        self.entries: list[tuple[str | None, RecordedCommand | AppCommands | Any]] = []

    def command(self, name: str | Callable[..., Any] | None = None, **attrs: Any) -> Any:
        """Declare the decorated function as a command (click's ``command()`` arguments; the name defaults
        to click's choice from the function name). It runs in an application context unless
        ``with_appcontext=False``. The function is returned unchanged."""
        if callable(name):  # used as @app.cli.command, without parentheses
            self.entries.append((None, RecordedCommand(name, None, {}, True)))
            return name
        wrap = bool(attrs.pop("with_appcontext", True))

        def decorator(f: F) -> F:
            self.entries.append((name, RecordedCommand(f, name, attrs, wrap)))
            return f

        return decorator

    def group(self, name: str | None = None, **attrs: Any) -> Callable[[Callable[..., Any]], AppCommands]:
        """Declare a nested group: the decorated function becomes an :class:`AppCommands` with its own
        ``command()`` (Flask's ``AppGroup.group``)."""

        def decorator(f: Callable[..., Any]) -> AppCommands:
            group = AppCommands(name, f, **attrs)
            self.entries.append((name, group))
            return group

        return decorator

    def add_command(self, cmd: Any, name: str | None = None) -> None:
        """Add a command built with click (``@click.command("init-db")``), under ``name`` or its own."""
        if not callable(getattr(cmd, "main", None)):
            raise TypeError(
                f"add_command() takes a click command (made with @click.command), not {type(cmd).__name__};"
                " declare plain functions with @app.cli.command()."
            )
        self.entries.append((name, cmd))

    def __bool__(self) -> bool:
        return True

    def __len__(self) -> int:
        return len(self.entries)

    def __repr__(self) -> str:
        return f"<AppCommands {self.name!r}: {len(self.entries)} declared>"


def _record(kind: str, decls: tuple[str, ...], attrs: dict[str, Any]) -> Callable[[F], F]:
    def decorator(f: F) -> F:
        params = f.__dict__.setdefault(PARAMS_ATTRIBUTE, [])
        params.append((kind, decls, attrs))
        return f

    return decorator


def option(*param_decls: str, **attrs: Any) -> Callable[[F], F]:
    """``click.option``, recorded: applied when the command is built, so the module needs no click."""
    return _record("option", param_decls, attrs)


def argument(*param_decls: str, **attrs: Any) -> Callable[[F], F]:
    """``click.argument``, recorded: applied when the command is built, so the module needs no click."""
    return _record("argument", param_decls, attrs)


class ScriptInfo:
    """How a command finds its app (Flask's ``ScriptInfo``; the click context's ``obj``)."""

    def __init__(self, create_app: Callable[[], App] | None = None, *, app: App | None = None) -> None:
        self.create_app = create_app
        self._app = app

    def load_app(self) -> App:
        """The app: the one given, else the one ``create_app()`` returns (called once)."""
        if self._app is None:
            if self.create_app is None:
                raise RuntimeError("This ScriptInfo has no app: pass create_app= or app=.")
            self._app = self.create_app()
        return self._app


def with_appcontext(f: F) -> F:
    """Run a click command's callback in its app's application context (the app comes from the click
    context's :class:`ScriptInfo`), unless one is active already. Commands declared with
    ``@app.cli.command()`` have this without the decorator."""

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from ._click import run_in_app_context  # noqa: PLC0415 - click, only when the command runs

        return run_in_app_context(None, f, args, kwargs)

    return cast("F", update_wrapper(wrapper, f))

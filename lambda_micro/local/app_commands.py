"""``lambda-micro --app PATH[:NAME] COMMAND``: run an app's own commands, as ``flask --app hello init-db``.

``PATH`` is a module (``blog.web``) or a Python file (``functions/web/app.py``); ``NAME`` an App in it, or
a factory called with literal arguments (``create_app`` or ``"create_app('dev')"``). Without ``NAME``: the
module's ``app`` or ``application``, else its only App, else its ``create_app()`` or ``make_app()``. The
command runs in an application context of the app (its ``teardown_appcontext`` functions run at the end).

Built in: ``shell``, a Python shell in that context (``app``, ``g`` and the app's shell context). Exit
status: 0, the command's own (click's ``UsageError`` is 2), 1 when it raises (one ``Error:`` line with the
message), 2 when the app cannot be loaded.
"""

from __future__ import annotations

import ast
import code
import importlib
import os
import sys
from collections.abc import Sequence
from types import ModuleType
from typing import TYPE_CHECKING, Any

import click

from lambda_micro._click import build_group

if TYPE_CHECKING:
    from lambda_micro import App

__all__ = ["AppLoadError", "load_app", "main", "split_app_option"]


class AppLoadError(Exception):
    """The app named by ``--app`` could not be found or loaded (exit status 2)."""


def split_app_option(argv: Sequence[str]) -> tuple[str, list[str]] | None:
    """``(PATH[:NAME], the rest)`` when ``argv`` starts with ``--app VALUE`` or ``--app=VALUE``, else None."""
    if not argv:
        return None
    first = argv[0]
    if first.startswith("--app="):
        return first.removeprefix("--app="), list(argv[1:])
    if first == "--app":
        if len(argv) < 2 or argv[1].startswith("-"):
            raise AppLoadError("--app needs a value: a module or a .py file, optionally followed by :NAME")
        return argv[1], list(argv[2:])
    return None


def _import(path: str) -> ModuleType:
    """Import ``path``: a module name, or a .py file (its package's parent goes first on ``sys.path``)."""
    if path.endswith(".py") or os.sep in path:
        filename = os.path.realpath(path)
        if not os.path.isfile(filename):
            raise AppLoadError(f"No such file: {path!r}")
        folder, name = os.path.split(os.path.splitext(filename)[0])
        parts = [name]
        while os.path.isfile(os.path.join(folder, "__init__.py")):  # inside a package: import it as such
            folder, package = os.path.split(folder)
            parts.insert(0, package)
        if folder not in sys.path:
            sys.path.insert(0, folder)
        module_name = ".".join(parts)
    else:
        module_name = path
        if os.getcwd() not in sys.path:
            sys.path.insert(0, os.getcwd())  # as `flask --app`: modules in the working directory
    try:
        return importlib.import_module(module_name)
    except ModuleNotFoundError as e:
        if e.name and (module_name == e.name or module_name.startswith(f"{e.name}.")):
            raise AppLoadError(f"Could not import {module_name!r}: no such module") from e
        raise


def _is_app(value: object) -> bool:
    from lambda_micro import App  # noqa: PLC0415 - the runtime's App, once the module is loaded

    return isinstance(value, App)


def _call_factory(module: ModuleType, expression: str) -> Any:
    """``NAME`` or ``NAME(literal, ...)`` evaluated in ``module`` (literals only, as Flask allows)."""
    try:
        node = ast.parse(expression.strip(), mode="eval").body
    except SyntaxError:
        raise AppLoadError(f"Could not parse {expression!r} as an attribute name or a call") from None
    if isinstance(node, ast.Name):
        name, args, kwargs = node.id, None, None
    elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        name = node.func.id
        try:
            args = [ast.literal_eval(arg) for arg in node.args]
            kwargs = {kw.arg: ast.literal_eval(kw.value) for kw in node.keywords if kw.arg is not None}
        except ValueError:
            raise AppLoadError(f"The arguments of {expression!r} must be Python literals") from None
    else:
        raise AppLoadError(f"{expression!r} is not an attribute name or a call of one")
    try:
        value = getattr(module, name)
    except AttributeError:
        raise AppLoadError(f"Module {module.__name__!r} has no attribute {name!r}") from None
    if args is None and (_is_app(value) or not callable(value)):
        return value
    return value(*(args or ()), **(kwargs or {}))


def load_app(spec: str) -> App:
    """The App named by ``PATH[:NAME]`` (see the module docstring)."""
    path, _, name = spec.partition(":") if not _drive_letter(spec) else (spec, "", "")
    module = _import(path)
    app = _call_factory(module, name) if name else _find_app(module)
    if not _is_app(app):
        raise AppLoadError(f"{spec!r} gave {type(app).__name__}, not a lambda_micro App")
    return app  # type: ignore[no-any-return]


def _drive_letter(spec: str) -> bool:
    return len(spec) > 1 and spec[1] == ":" and spec[0].isalpha() and os.name == "nt"  # pragma: no cover


def _find_app(module: ModuleType) -> Any:
    for attribute in ("app", "application"):
        value = getattr(module, attribute, None)
        if _is_app(value):
            return value
    apps = [value for value in vars(module).values() if _is_app(value)]
    if len(apps) == 1:
        return apps[0]
    if len(apps) > 1:
        raise AppLoadError(
            f"Module {module.__name__!r} has several apps: name one with --app {module.__name__}:NAME"
        )
    for factory in ("create_app", "make_app"):
        function = getattr(module, factory, None)
        if callable(function):
            return function()
    raise AppLoadError(
        f"Module {module.__name__!r} has no App (no `app` or `application`, and no create_app() factory):"
        f" name it with --app {module.__name__}:NAME"
    )


def _shell_command(app: App) -> click.Command:
    @click.command("shell", help="Run a Python shell in the app's application context.")
    def shell() -> None:
        banner = f"Python {sys.version} on {sys.platform}\nApp: {app.name}\nInstance: {app.instance_path}"
        namespace: dict[str, Any] = {}
        startup = os.environ.get("PYTHONSTARTUP")
        if startup and os.path.isfile(startup):
            with open(startup, encoding="utf-8") as f:
                exec(compile(f.read(), startup, "exec"), namespace)  # noqa: S102 - the user's own startup file
        namespace.update(app.make_shell_context())
        code.interact(banner=banner, local=namespace)

    return shell


def _group(app: App, spec: str) -> click.Group:
    app_commands = build_group(app)
    group = click.Group(f"lambda-micro --app {spec}", help=f"The commands of {app.name}.")
    group.add_command(_shell_command(app))
    for name, command in app_commands.commands.items():
        if name not in group.commands:  # built-in commands keep their names, as with `flask`
            group.add_command(command, name)
    return group


def main(argv: Sequence[str]) -> int:
    """Run ``--app SPEC COMMAND ...`` (``argv`` without the program name); return the exit status."""
    try:
        split = split_app_option(argv)
        if split is None:
            raise AppLoadError("expected --app PATH[:NAME] first")
        spec, rest = split
        app = load_app(spec)
    except AppLoadError as e:
        print(f"lambda-micro: error: {e}", file=sys.stderr)
        return 2
    group = _group(app, spec)
    app_ctx = app.app_context()
    app_ctx.push()
    error: BaseException | None = None
    try:
        # Standalone mode: click prints its own errors (usage, ClickException, Abort), and always exits.
        group.main(args=rest, prog_name=f"lambda-micro --app {spec}", standalone_mode=True)
    except SystemExit as e:
        return e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
    except Exception as e:  # the command failed: its message, not a traceback
        error = e
        print(f"Error: {type(e).__name__}: {e}", file=sys.stderr)
        return 1
    finally:
        app_ctx.pop(error)

"""jinja2 integration, imported only by apps that render templates.

Templates are found in the app's template folder, then in each blueprint's, all resolved from the package path
(never the working directory). Autoescaping is on for .html/.htm/.xml/.svg and for string templates.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from jinja2 import BaseLoader, Environment, FileSystemLoader, Template, TemplateNotFound, select_autoescape

from .globals import session as _session_proxy
from .helpers import get_flashed_messages, url_for

if TYPE_CHECKING:
    from .app import App
    from .ctx import RequestContext

__all__ = ["AppTemplateLoader", "create_environment", "preload", "render"]

AUTOESCAPE_EXTENSIONS = ("html", "htm", "xml", "svg")


class AppTemplateLoader(BaseLoader):
    """Looks in the app's template folder first, then in each registered blueprint's (registration order)."""

    def __init__(self, app: App) -> None:
        self.app = app
        self._loaders: dict[str, FileSystemLoader] = {}

    def _folder_loaders(self) -> Iterable[FileSystemLoader]:
        folders = [self.app.template_folder_path]
        folders.extend(bp.template_folder_path for bp in self.app.blueprints.values())
        for folder in folders:
            if folder is None:
                continue
            loader = self._loaders.get(folder)
            if loader is None:
                loader = self._loaders[folder] = FileSystemLoader(folder)
            yield loader

    def get_source(
        self, environment: Environment, template: str
    ) -> tuple[str, str | None, Callable[[], bool] | None]:
        for loader in self._folder_loaders():
            try:
                return loader.get_source(environment, template)
            except TemplateNotFound:
                continue
        raise TemplateNotFound(template)

    def list_templates(self) -> list[str]:
        names: set[str] = set()
        for loader in self._folder_loaders():
            if os.path.isdir(loader.searchpath[0]):
                names.update(loader.list_templates())
        return sorted(names)


def create_environment(app: App) -> Environment:
    """The app's Environment: package-relative loader, autoescape, ``url_for``/``config`` globals."""
    options: dict[str, Any] = {
        "autoescape": select_autoescape(AUTOESCAPE_EXTENSIONS, default_for_string=True, default=False),
        "auto_reload": (
            app.debug
            if app.config["TEMPLATES_AUTO_RELOAD"] is None
            else bool(app.config["TEMPLATES_AUTO_RELOAD"])
        ),
    }
    options.update(app.jinja_options)
    options.setdefault("loader", AppTemplateLoader(app))
    env = Environment(**options)  # noqa: S701 - autoescape is set above (select_autoescape)
    env.globals.update(url_for=url_for, get_flashed_messages=get_flashed_messages, config=app.config)
    env.globals.update(app.template_globals)
    env.filters.update(app.template_filters)
    env.tests.update(app.template_tests)
    return env


def render(ctx: RequestContext, template: Template, context: dict[str, Any]) -> str:
    """Render with ``request``, ``session``, ``g``, the context processors' values, then ``context``."""
    app = ctx.app
    # The session proxy, not the session: a template that never reads it does not open (verify) the cookie.
    values: dict[str, Any] = {"request": ctx.request, "session": _session_proxy, "g": ctx.g}
    processors = app.template_context_processors
    if processors:
        for name in (None, *reversed(ctx.request.blueprints)):
            for processor in processors.get(name, ()):
                values.update(processor())
    values.update(context)
    return template.render(values)


def preload(app: App, extensions: Iterable[str] | None) -> list[str]:
    """Compile every template of the app and its blueprints (jinja2 caches them); returns their names."""
    env = app.jinja_env
    suffixes = tuple(extensions) if extensions is not None else None
    names = [name for name in env.list_templates() if suffixes is None or name.endswith(suffixes)]
    for name in names:
        env.get_template(name)
    return names

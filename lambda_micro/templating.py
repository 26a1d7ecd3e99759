"""jinja2 integration, imported only by apps that render templates.

Templates are found in the app's template folder, then in each blueprint's, all resolved from the package path
(never the working directory). Autoescaping is on for .html/.htm/.xml/.svg and for string templates.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from jinja2 import BaseLoader, Environment, FileSystemLoader, Template, TemplateNotFound, select_autoescape

from . import signals
from .globals import _app_context_or_none, _cv_request
from .globals import session as _session_proxy
from .helpers import get_flashed_messages, url_for

if TYPE_CHECKING:
    from .app import App

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
    # As Flask: the app's JSON provider behind jinja2's `tojson` filter. (Flask also makes request, session
    # and g globals, for macros imported without context; each global costs every render a ChainMap
    # lookup that fails first, about 5,000 instructions, so they are only in the render context here.)
    env.policies["json.dumps_function"] = app.json.dumps
    env.globals.update(app.template_globals)
    env.filters.update(app.template_filters)
    env.tests.update(app.template_tests)
    return env


def render(app: App, template: Template, context: dict[str, Any]) -> str:
    """Render with ``request``, ``session`` (in a request), ``g``, the context processors' values, then
    ``context``; ``before_render_template`` and ``template_rendered`` are sent around it."""
    app_ctx = _app_context_or_none()
    values: dict[str, Any] = {"g": app_ctx.g} if app_ctx is not None else {}
    ctx = _cv_request.get(None)
    blueprints: list[str] = []
    if ctx is not None:
        # The session proxy, not the session: a template that never reads it does not open the cookie.
        values["request"] = ctx.request
        values["session"] = _session_proxy
        blueprints = ctx.request.blueprints
    processors = app.template_context_processors
    if processors:
        for name in (None, *reversed(blueprints)):
            for processor in processors.get(name, ()):
                values.update(processor())
    values.update(context)
    if signals.before_render_template.connected:
        signals.before_render_template.send(app, template=template, context=values)
    rendered = template.render(values)
    if signals.template_rendered.connected:
        signals.template_rendered.send(app, template=template, context=values)
    return rendered


def preload(app: App, extensions: Iterable[str] | None) -> list[str]:
    """Compile every template of the app and its blueprints (jinja2 caches them); returns their names."""
    env = app.jinja_env
    suffixes = tuple(extensions) if extensions is not None else None
    names = [name for name in env.list_templates() if suffixes is None or name.endswith(suffixes)]
    for name in names:
        env.get_template(name)
    return names

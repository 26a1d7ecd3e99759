"""Templates on the App: jinja2 filters, globals and tests registered before or after the environment
exists, the environment made (and jinja2 imported) on first use, and preloading at INIT."""

from __future__ import annotations

# The class below is one of App's bases and nothing else's: its methods declare `self: App` (mypy reports
# such a self type as an error of code "misc", and checks the methods against App all the same).
# mypy: disable-error-code="misc"
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from jinja2 import Environment

    from .app import App

__all__ = ["Templates"]

T_template_callable = TypeVar("T_template_callable", bound=Callable[..., Any])


class Templates:
    """The App's template side (jinja2 is imported only when a template is used)."""

    _jinja_env: Environment | None = None

    def template_filter(
        self: App, name: str | None = None
    ) -> Callable[[T_template_callable], T_template_callable]:
        """Register the decorated function as a jinja2 filter (named after the function by default)."""

        def decorator(f: T_template_callable) -> T_template_callable:
            self.add_template_filter(f, name)
            return f

        return decorator

    def add_template_filter(self: App, f: Callable[..., Any], name: str | None = None) -> None:
        """Register a jinja2 filter."""
        self.template_filters[name or f.__name__] = f
        if self._jinja_env is not None:
            self._jinja_env.filters[name or f.__name__] = f

    def template_global(
        self: App, name: str | None = None
    ) -> Callable[[T_template_callable], T_template_callable]:
        """Register the decorated function as a jinja2 global."""

        def decorator(f: T_template_callable) -> T_template_callable:
            self.add_template_global(f, name)
            return f

        return decorator

    def add_template_global(self: App, f: Callable[..., Any], name: str | None = None) -> None:
        """Register a jinja2 global."""
        self.template_globals[name or f.__name__] = f
        if self._jinja_env is not None:
            self._jinja_env.globals[name or f.__name__] = f

    def template_test(
        self: App, name: str | None = None
    ) -> Callable[[T_template_callable], T_template_callable]:
        """Register the decorated function as a jinja2 test (``{% if n is prime %}``)."""

        def decorator(f: T_template_callable) -> T_template_callable:
            self.add_template_test(f, name)
            return f

        return decorator

    def add_template_test(self: App, f: Callable[..., Any], name: str | None = None) -> None:
        """Register a jinja2 test."""
        self.template_tests[name or f.__name__] = f
        if self._jinja_env is not None:
            self._jinja_env.tests[name or f.__name__] = f

    @property
    def jinja_env(self: App) -> Environment:
        """The jinja2 Environment, created (and jinja2 imported) on first use."""
        env = self._jinja_env
        if env is None:
            from .templating import create_environment  # noqa: PLC0415 - jinja2 only when templates are used

            env = self._jinja_env = create_environment(self)
        return env

    def preload_templates(self: App, *, extensions: Iterable[str] | None = None) -> list[str]:
        """Compile every template now (call at module level so that INIT, not the first request, pays).

        ``extensions`` limits it to names ending with one of them (e.g. ``(".html",)``); returns the names.
        """
        from .templating import preload  # noqa: PLC0415 - jinja2 only when templates are used

        return preload(self, extensions)

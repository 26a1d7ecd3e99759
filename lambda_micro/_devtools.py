"""Development and test helpers of the App: test client, CLI runner, test request context, dev server.
Each imports what it needs when called (none of it is on a Lambda function's path)."""

from __future__ import annotations

# The class below is one of App's bases and nothing else's: its methods declare `self: App` (mypy reports
# such a self type as an error of code "misc", and checks the methods against App all the same).
# mypy: disable-error-code="misc"
from typing import TYPE_CHECKING, Any

from .ctx import RequestContext

if TYPE_CHECKING:
    from ._click import AppCliRunner
    from .app import App
    from .app_testing import AppClient

__all__ = ["DevTools"]


class DevTools:
    """The App's development and test side."""

    def test_client(self: App, use_cookies: bool = True, **kwargs: Any) -> AppClient:
        """A test client on werkzeug's (:attr:`test_client_class`, default
        :class:`~lambda_micro.app_testing.AppClient`, Flask's ``FlaskClient``): ``with client:`` keeps the
        last request's contexts until the block ends; ``client.session_transaction()`` edits the session."""
        from .app_testing import AppClient  # noqa: PLC0415 - tests only

        cls = self.test_client_class or AppClient
        return cls(self, self.response_class, use_cookies=use_cookies, **kwargs)

    def test_cli_runner(self: App, **kwargs: Any) -> AppCliRunner:
        """A click ``CliRunner`` for the app's commands (:attr:`test_cli_runner_class`):
        ``invoke(args=[...])`` runs ``app.cli`` commands in an application context. Needs click (which
        lambda-micro-local depends on)."""
        cls = self.test_cli_runner_class
        if cls is None:
            from ._click import AppCliRunner  # noqa: PLC0415 - tests only; imports click

            cls = AppCliRunner
        return cls(self, **kwargs)

    def test_request_context(self: App, *args: Any, **kwargs: Any) -> RequestContext:
        """A request context for ``with`` blocks (arguments as werkzeug's ``EnvironBuilder``; the base URL
        comes from ``SERVER_NAME``, ``APPLICATION_ROOT`` and ``PREFERRED_URL_SCHEME``, as in Flask)."""
        from .app_testing import EnvironBuilder  # noqa: PLC0415 - tests only

        builder = EnvironBuilder(self, *args, **kwargs)
        try:
            environ = builder.get_environ()
        finally:
            builder.close()
        return RequestContext(self, environ)

    def run(
        self: App, host: str = "127.0.0.1", port: int = 5000, *, debug: bool | None = None, **options: Any
    ) -> None:
        """Serve the app with werkzeug's development server (never in Lambda)."""
        from werkzeug.serving import run_simple  # noqa: PLC0415 - development only

        if debug is not None:
            self.debug = debug
        options.setdefault("use_reloader", self.debug)
        # Exceptions propagate in debug mode (PROPAGATE_EXCEPTIONS), to werkzeug's debugger, as with Flask.
        options.setdefault("use_debugger", self.debug)
        run_simple(host, port, self, **options)

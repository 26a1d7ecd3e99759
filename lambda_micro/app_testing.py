"""The WSGI test client of ``app.test_client()``: werkzeug's, with Flask's ``FlaskClient`` semantics.

``with client:`` keeps the contexts of the last request after it returns, so a test reads ``request``,
``session`` and ``g`` there; ``client.session_transaction()`` opens the session the client's cookies carry,
and saves it back. For the Lambda side (real events through ``app.lambda_handler``) use
``lambda_micro.testing.Client`` from lambda-micro-local.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, ExitStack, contextmanager
from copy import copy
from importlib.metadata import version
from types import TracebackType
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import werkzeug.test
from werkzeug.test import Client, TestResponse
from werkzeug.wrappers.request import Request as _WerkzeugRequest

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIEnvironment

    from .app import App
    from .sessions import SessionMixin

# Also AppCliRunner (click's CliRunner for an app), loaded on first use by the module __getattr__ below.
__all__ = ["AppClient", "EnvironBuilder"]


def __getattr__(name: str) -> Any:
    # AppCliRunner is click's CliRunner: imported from here on first use, so the client needs no click.
    if name == "AppCliRunner":
        from ._click import AppCliRunner  # noqa: PLC0415

        return AppCliRunner
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class EnvironBuilder(werkzeug.test.EnvironBuilder):
    """werkzeug's ``EnvironBuilder`` with the app's defaults (Flask's): the base URL is built from
    ``PREFERRED_URL_SCHEME``, ``SERVER_NAME`` (else ``localhost``) and ``APPLICATION_ROOT``, and ``json=``
    is serialised by the app's JSON provider."""

    def __init__(
        self,
        app: App,
        path: str = "/",
        base_url: str | None = None,
        subdomain: str | None = None,
        url_scheme: str | None = None,
        *args: Any,
        **kwargs: Any,
    ) -> None:
        if base_url is not None and (subdomain or url_scheme):
            raise ValueError("Cannot pass 'subdomain' or 'url_scheme' with 'base_url'.")
        if base_url is None:
            host = app.config.get("SERVER_NAME") or "localhost"
            root = app.config.get("APPLICATION_ROOT") or "/"
            if subdomain:
                host = f"{subdomain}.{host}"
            if url_scheme is None:
                url_scheme = app.config.get("PREFERRED_URL_SCHEME") or "http"
            url = urlsplit(path)
            base_url = f"{url.scheme or url_scheme}://{url.netloc or host}/{root.lstrip('/')}"
            path = f"{url.path}?{url.query}" if url.query else url.path
        self.app = app
        super().__init__(path, base_url, *args, **kwargs)

    def json_dumps(self, obj: Any, **kwargs: Any) -> str:
        """Serialise ``json=`` with the app's provider."""
        return self.app.json.dumps(obj, **kwargs)


_WERKZEUG_VERSION: list[str] = []


def _werkzeug_version() -> str:
    if not _WERKZEUG_VERSION:
        _WERKZEUG_VERSION.append(version("werkzeug"))
    return _WERKZEUG_VERSION[0]


class AppClient(Client):
    """A werkzeug test client for an App that knows its contexts (Flask's ``FlaskClient``).

    Its default environ (``environ_base``) has ``REMOTE_ADDR`` 127.0.0.1 and a werkzeug User-Agent.
    """

    application: App

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.preserve_context = False
        self._new_contexts: list[AbstractContextManager[Any]] = []
        self._context_stack = ExitStack()
        self.environ_base: dict[str, Any] = {
            "REMOTE_ADDR": "127.0.0.1",
            "HTTP_USER_AGENT": f"Werkzeug/{_werkzeug_version()}",
        }

    @contextmanager
    def session_transaction(self, *args: Any, **kwargs: Any) -> Iterator[SessionMixin]:
        """Open the session the client's cookies carry, for the ``with`` block; it is saved back into the
        cookie jar when the block ends. Arguments are :meth:`~lambda_micro.App.test_request_context`'s."""
        if self._cookies is None:
            raise TypeError("Cookies are disabled. Create a client with 'use_cookies=True'.")
        app = self.application
        ctx = app.test_request_context(*args, **kwargs)
        self._add_cookies_to_wsgi(ctx.request.environ)
        with ctx:
            session = app.session_interface.open_session(app, ctx.request)
        if session is None:
            raise RuntimeError("The session interface did not open a session.")
        yield session
        if app.session_interface.is_null_session(session):
            return
        response = app.response_class()
        with ctx:
            app.session_interface.save_session(app, session, response)
        self._update_cookies_from_response(
            ctx.request.host.partition(":")[0], ctx.request.path, response.headers.getlist("Set-Cookie")
        )

    def _copy_environ(self, other: WSGIEnvironment) -> WSGIEnvironment:
        out = {**self.environ_base, **other}
        if self.preserve_context:
            # wsgi_app hands this callable the request's contexts when the request ends.
            out["werkzeug.debug.preserve_context"] = self._new_contexts.append
        return out

    def _request_from_builder_args(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> _WerkzeugRequest:
        kwargs["environ_base"] = self._copy_environ(kwargs.get("environ_base", {}))
        builder = EnvironBuilder(self.application, *args, **kwargs)
        try:
            return builder.get_request()
        finally:
            builder.close()

    def open(
        self, *args: Any, buffered: bool = False, follow_redirects: bool = False, **kwargs: Any
    ) -> TestResponse:
        """werkzeug's ``open``; inside ``with client:`` the request's contexts stay pushed afterwards (those
        of a previous request are popped first)."""
        if args and isinstance(args[0], (werkzeug.test.EnvironBuilder, dict, _WerkzeugRequest)):
            if isinstance(args[0], werkzeug.test.EnvironBuilder):
                builder = copy(args[0])
                builder.environ_base = self._copy_environ(dict(builder.environ_base or {}))
                request = builder.get_request()
            elif isinstance(args[0], dict):
                request = EnvironBuilder.from_environ(
                    args[0], app=self.application, environ_base=self._copy_environ({})
                ).get_request()
            else:
                request = copy(args[0])
                request.environ = self._copy_environ(request.environ)
        else:
            request = self._request_from_builder_args(args, kwargs)
        # Contexts kept from an earlier request (or redirect) end before the next one starts.
        self._context_stack.close()
        response = super().open(request, buffered=buffered, follow_redirects=follow_redirects)
        response.json_module = self.application.json  # type: ignore[assignment]
        for context in self._new_contexts:
            self._context_stack.enter_context(context)
        self._new_contexts.clear()
        return response

    def __enter__(self) -> AppClient:
        if self.preserve_context:
            raise RuntimeError("Cannot nest client invocations: this client is already in a `with` block.")
        self.preserve_context = True
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.preserve_context = False
        self._context_stack.close()

"""The request context: the request, its URL adapter, its lazily opened session and ``g``."""

from __future__ import annotations

from collections.abc import Iterator
from contextvars import Token
from types import TracebackType
from typing import TYPE_CHECKING, Any

from .globals import _cv_request

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIEnvironment
    from werkzeug.routing import MapAdapter

    from .app import App
    from .sessions import SessionMixin
    from .wrappers import Request

__all__ = ["AppGlobals", "RequestContext", "has_request_context"]

_MISSING: Any = object()


class AppGlobals:
    """The ``g`` namespace: set any attribute during a request; it is gone when the request ends."""

    # Declared so that type checkers accept any attribute (``g.user = ...``), as with Flask's ``g``.
    def __getattr__(self, name: str) -> Any:
        try:
            return self.__dict__[name]
        except KeyError:
            raise AttributeError(name) from None

    def __setattr__(self, name: str, value: Any) -> None:
        self.__dict__[name] = value

    def __delattr__(self, name: str) -> None:
        try:
            del self.__dict__[name]
        except KeyError:
            raise AttributeError(name) from None

    def get(self, name: str, default: Any = None) -> Any:
        """Return attribute ``name``, or ``default`` when it is not set."""
        return self.__dict__.get(name, default)

    def pop(self, name: str, default: Any = _MISSING) -> Any:
        """Remove and return attribute ``name`` (``KeyError`` when absent and no default is given)."""
        if default is _MISSING:
            return self.__dict__.pop(name)
        return self.__dict__.pop(name, default)

    def setdefault(self, name: str, default: Any = None) -> Any:
        """Return attribute ``name``, setting it to ``default`` first when it is not set."""
        return self.__dict__.setdefault(name, default)

    def __contains__(self, item: str) -> bool:
        return item in self.__dict__

    def __iter__(self) -> Iterator[str]:
        return iter(self.__dict__)

    def __repr__(self) -> str:
        return f"<lambda_micro.g of {sorted(self.__dict__)!r}>"


class RequestContext:
    """Everything bound to one request. Created by the App for each request and pushed while it runs."""

    __slots__ = ("_session", "_tokens", "_url_adapter", "app", "flashes", "g", "request")

    def __init__(self, app: App, environ: WSGIEnvironment, request: Request | None = None) -> None:
        self.app = app
        self.request: Request = request if request is not None else app.request_class(environ)
        max_length = app.config.get("MAX_CONTENT_LENGTH")
        if max_length is not None:
            self.request.max_content_length = max_length
        # Bound once per request, here or (when the App can tell the Host is valid) on first use: a route
        # the App has matched before needs no adapter unless the view builds URLs.
        self._url_adapter: MapAdapter | None = app._early_url_adapter(self.request)
        self._session: SessionMixin | None = None
        self.g = AppGlobals()
        self.flashes: list[tuple[str, Any]] | None = None
        self._tokens: list[Token[RequestContext]] = []

    @property
    def url_adapter(self) -> MapAdapter:
        """The URL map bound to this request (``app.create_url_adapter``): matching and ``url_for``."""
        adapter = self._url_adapter
        if adapter is None:
            adapter = self._url_adapter = self.app.create_url_adapter(self.request)
        return adapter

    @url_adapter.setter
    def url_adapter(self, adapter: MapAdapter) -> None:
        self._url_adapter = adapter

    @property
    def session(self) -> SessionMixin:
        """The session, opened (cookie verified) on first access only."""
        if self._session is None:
            self._session = self.app.session_interface.open_session(self.app, self.request)
        return self._session

    def push(self) -> None:
        """Make this context the current one."""
        self._tokens.append(_cv_request.set(self))

    def pop(self) -> None:
        """Restore the previous context (and, when it was pushed once, end the request as the App does)."""
        tokens = self._tokens
        _cv_request.reset(tokens.pop())
        if not tokens:
            self.release_environ()

    def release_environ(self) -> None:
        """Drop the environ's reference back to the request (``werkzeug.request``), as Flask does when a
        request ends: the two no longer form a cycle, so they are freed at once, without the garbage
        collector."""
        request = self.request
        environ = request.environ
        if environ.get("werkzeug.request") is request:
            environ["werkzeug.request"] = None

    def __enter__(self) -> RequestContext:
        self.push()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.pop()


def has_request_context() -> bool:
    """Whether code runs inside a request handled by a lambda_micro App."""
    return _cv_request.get(None) is not None

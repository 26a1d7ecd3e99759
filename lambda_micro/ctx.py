"""The two contexts, as in Flask: the application context (``current_app``, ``g``) and the request context
(the request, its URL adapter, its lazily opened session), plus the helpers that act on them."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextvars import Token
from functools import update_wrapper
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from . import signals
from .globals import _app_context_or_none, _cv_app, _cv_request
from .typing import AfterRequestCallable

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIEnvironment
    from werkzeug.routing import MapAdapter

    from .app import App
    from .sessions import SessionMixin
    from .wrappers import Request

__all__ = [
    "AppContext",
    "AppGlobals",
    "RequestContext",
    "after_this_request",
    "copy_current_request_context",
    "has_app_context",
    "has_request_context",
]

_MISSING: Any = object()
#: In a request context's push record: the request owns its application context (it was not pushed).
OWNED: Any = object()
F = TypeVar("F", bound=Callable[..., Any])
T_after = TypeVar("T_after", bound=AfterRequestCallable)  # (not a string: compiled at import)


class AppGlobals:
    """The ``g`` namespace of an application context: set any attribute; it is gone when the context ends
    (at the end of each request, unless the request ran inside ``with app.app_context():``)."""

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


def _reset(var: Any, token: Token[Any], what: str) -> None:
    try:
        var.reset(token)
    except ValueError as e:  # a token of another thread's or task's context
        raise RuntimeError(
            f"Cannot pop this {what} here: it was pushed in another thread or asyncio task ({e})."
        ) from None


class _Context:
    """``with context:`` pushes it, and pops it with the exception that ended the block."""

    __slots__ = ()

    def push(self) -> None:
        raise NotImplementedError

    def pop(self, exc: BaseException | None = _MISSING) -> None:
        raise NotImplementedError

    def __enter__(self) -> Self:
        self.push()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.pop(exc)


class AppContext(_Context):
    """The application context: ``current_app`` and ``g``. Pushed by each request when none is active for
    the app, by ``with app.app_context():``, by ``app.test_request_context()`` and by CLI commands; its
    ``teardown_appcontext`` functions run when it is popped for the last time."""

    __slots__ = ("_tokens", "_url_adapter", "app", "g")

    def __init__(self, app: App) -> None:
        self.app = app
        self.g: AppGlobals = app.app_ctx_globals_class()
        self._url_adapter: MapAdapter | Any | None = _MISSING
        self._tokens: list[Token[AppContext]] = []

    @property
    def url_adapter(self) -> MapAdapter | None:
        """The URL map bound from ``SERVER_NAME``, ``APPLICATION_ROOT`` and ``PREFERRED_URL_SCHEME`` (for
        ``url_for`` outside a request), or ``None`` without a ``SERVER_NAME``; made on first use."""
        adapter = self._url_adapter
        if adapter is _MISSING:
            adapter = self._url_adapter = self.app.create_url_adapter(None)
        return cast("MapAdapter | None", adapter)

    def push(self) -> None:
        """Make this context the current one (it may be pushed again while active)."""
        self._tokens.append(_cv_app.set(self))
        if signals.appcontext_pushed.connected:
            signals.appcontext_pushed.send(self.app)

    def pop(self, exc: BaseException | None = _MISSING) -> None:
        """Restore the previous context; on the last pop, run ``teardown_appcontext`` functions first."""
        tokens = self._tokens
        if not tokens:
            raise RuntimeError(
                f"Cannot pop {self!r}: it is not pushed. Use `with app.app_context():`, or call push() first."
            )
        current = _cv_app.get(None)
        if current is not self:
            raise RuntimeError(
                f"Popped the wrong application context: {current!r} is the current one, not {self!r}."
                " Pop contexts in the reverse order of pushing them (a `with` block does)."
            )
        try:
            if len(tokens) == 1:
                if exc is _MISSING:
                    exc = sys.exc_info()[1]
                self.app.do_teardown_appcontext(exc)
        finally:
            _reset(_cv_app, tokens.pop(), "application context")
        if signals.appcontext_popped.connected:
            signals.appcontext_popped.send(self.app)

    def __repr__(self) -> str:
        return f"<AppContext of {self.app.name!r}>"


class RequestContext(_Context):
    """Everything bound to one request. Created by the App for each request and pushed while it runs.

    Pushing it pushes an application context first when none is active for its app (popping it pops that
    one too); popping it for the last time runs the ``teardown_request`` functions.
    """

    __slots__ = (
        "_after_request_functions",
        "_app_ctx",
        "_session",
        "_tokens",
        "_url_adapter",
        "app",
        "flashes",
        "request",
    )

    def __init__(
        self,
        app: App,
        environ: WSGIEnvironment,
        request: Request | None = None,
        session: SessionMixin | None = None,
    ) -> None:
        self.app = app
        self.request: Request = request if request is not None else app.request_class(environ)
        # Bound once per request, here or (when the App can tell the Host is valid) on first use: a route
        # the App has matched before needs no adapter unless the view builds URLs.
        self._url_adapter: MapAdapter | None = app._early_url_adapter(self.request)
        self._session: SessionMixin | None = session
        self.flashes: list[tuple[str, Any]] | None = None
        self._after_request_functions: list[AfterRequestCallable] | None = None
        self._app_ctx: AppContext | None = None
        # One entry per push: the token, and the application context that push pushed (None: it used the
        # active one; OWNED: App.wsgi_app let the request own it).
        self._tokens: list[tuple[Token[RequestContext], Any]] = []

    @property
    def app_ctx(self) -> AppContext:
        """The application context of this request: the one active when it was pushed, or (a request
        that ``App.wsgi_app`` handles with none active) its own, made here on first use."""
        app_ctx = self._app_ctx
        if app_ctx is None:
            app_ctx = self._app_ctx = self.app.app_context()
        return app_ctx

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

    @property
    def g(self) -> AppGlobals:
        """``g`` of this request's application context (``g`` lives there, as in Flask)."""
        return self.app_ctx.g

    def copy(self) -> RequestContext:
        """A new context for the same request and session (to push in another thread or task)."""
        return type(self)(self.app, self.request.environ, request=self.request, session=self._session)

    def push(self) -> None:
        """Make this context the current one, with an application context for its app."""
        active = _app_context_or_none()
        pushed: AppContext | None = None
        if active is None or active.app is not self.app:
            active = pushed = self.app.app_context()
            pushed.push()
        if self._app_ctx is None:
            self._app_ctx = active
        self._tokens.append((_cv_request.set(self), pushed))

    def pop(self, exc: BaseException | None = _MISSING) -> None:
        """Restore the previous context; on the last pop, run ``teardown_request`` functions first (and pop
        the application context this push created)."""
        tokens = self._tokens
        if not tokens:
            raise RuntimeError(f"Cannot pop {self!r}: it is not pushed. Use it in a `with` block.")
        current = _cv_request.get(None)
        if current is not self:
            raise RuntimeError(
                f"Popped the wrong request context: {current!r} is the current one, not {self!r}."
                " Pop contexts in the reverse order of pushing them (a `with` block does)."
            )
        last = len(tokens) == 1
        if exc is _MISSING:
            exc = sys.exc_info()[1]
        try:
            if last:
                self.app.do_teardown_request(self, exc)
        finally:
            token, pushed = tokens.pop()
            _reset(_cv_request, token, "request context")
            if last:
                self.release_environ()
            if pushed is OWNED:
                self.app._end_owned_app_context(self, exc)
            elif pushed is not None:
                pushed.pop(exc)

    def release_environ(self) -> None:
        """Drop the environ's reference back to the request (``werkzeug.request``), as Flask does when a
        request ends: the two no longer form a cycle, so they are freed at once, without the garbage
        collector. So is the traceback of the routing error (a 404, 405 or redirect the framework raised),
        which refers back to the request through the dispatch's frames."""
        request = self.request
        environ = request._cgi  # (a lazily built environ never completed has no back-reference)
        if environ.get("werkzeug.request") is request:
            environ["werkzeug.request"] = None
        routing_exception = request.routing_exception
        if routing_exception is not None:
            routing_exception.__traceback__ = None

    def __repr__(self) -> str:
        request = self.request
        return f"<RequestContext {request.method} {request.path!r} of {self.app.name!r}>"


def has_request_context() -> bool:
    """Whether code runs inside a request handled by a lambda_micro App (or a test request context)."""
    return _cv_request.get(None) is not None


def has_app_context() -> bool:
    """Whether an application context is active (``current_app`` and ``g`` work)."""
    return _cv_app.get(None) is not None or _cv_request.get(None) is not None


def after_this_request(f: T_after) -> T_after:
    """Run ``f(response)`` after the current request's view, before the ``after_request`` functions; it
    returns the response (the decorated function is returned unchanged)."""
    ctx = _cv_request.get(None)
    if ctx is None:
        raise RuntimeError(
            "after_this_request() needs an active request: call it from a view, a before_request hook or"
            " an error handler."
        )
    functions = ctx._after_request_functions
    if functions is None:
        functions = ctx._after_request_functions = []
    functions.append(f)
    return f


def copy_current_request_context(f: F) -> F:
    """Decorate ``f`` so that it runs in a copy of the current request context (``request``, ``session``,
    ``g`` of a new application context), e.g. in a thread the view starts."""
    ctx = _cv_request.get(None)
    if ctx is None:
        raise RuntimeError(
            "copy_current_request_context() needs an active request: use it in a view, a hook or an"
            " error handler."
        )
    copied = ctx.copy()

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with copied:
            return f(*args, **kwargs)

    return cast("F", update_wrapper(wrapper, f))

"""Context-local proxies (``request``, ``session``, ``g``, ``current_app``) backed by two ContextVars, one
for the application context and one for the request context, as in Flask.

ContextVars (not thread-locals) so that each context is isolated per thread *and* per asyncio task, and so
that nothing leaks from one Lambda invocation to the next: both variables are reset when the request ends.
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import TYPE_CHECKING, Any, TypeVar, cast

from werkzeug.local import LocalProxy

if TYPE_CHECKING:
    from .app import App
    from .ctx import AppContext, AppGlobals, RequestContext
    from .sessions import SessionMixin
    from .wrappers import Request

__all__ = ["app_ctx", "current_app", "g", "request", "request_ctx", "session"]

_UNBOUND = """\
Working outside of request context.

This code tried to use the current request or session outside of a request handled by a
lambda_micro App. Inside tests, use `app.test_client()` or `with app.test_request_context():`."""

_NO_APP = """\
Working outside of application context.

This code tried to use current_app or g, which need an application context: a request handled by a
lambda_micro App, a CLI command of the app, or `with app.app_context():` in scripts and tests."""

_cv_app: ContextVar[AppContext] = ContextVar("lambda_micro.app_ctx")
_cv_request: ContextVar[RequestContext] = ContextVar("lambda_micro.request_ctx")

T = TypeVar("T")


def _app_context_or_none() -> AppContext | None:
    """The innermost application context: the one pushed last, else the current request's own.

    A request handled by ``App.wsgi_app`` when no application context is active does not push one: it
    owns it and makes it on first use (``RequestContext.app_ctx``), so a Lambda invocation that never reads
    ``g`` does not pay for it. Any context pushed later is inner, hence the order of the two lookups.
    """
    app_ctx = _cv_app.get(None)
    if app_ctx is not None:
        return app_ctx
    ctx = _cv_request.get(None)
    return ctx.app_ctx if ctx is not None else None


def _current_app_or_none() -> App | None:
    """The app of the innermost application context (without making a request's own context)."""
    app_ctx = _cv_app.get(None)
    if app_ctx is not None:
        return app_ctx.app
    ctx = _cv_request.get(None)
    return ctx.app if ctx is not None else None


def _app_context() -> AppContext:
    app_ctx = _app_context_or_none()
    if app_ctx is None:
        raise RuntimeError(_NO_APP)
    return app_ctx


def _current_app() -> App:
    app = _current_app_or_none()
    if app is None:
        raise RuntimeError(_NO_APP)
    return app


class _ContextProxy(LocalProxy[T]):
    """werkzeug's LocalProxy, with a plain method for attribute reads (``request.args``): the same object and
    the same error outside a request, without building a bound lookup on every access."""

    __slots__ = ()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._get_current_object(), name)


request_ctx: RequestContext = cast("RequestContext", _ContextProxy(_cv_request, unbound_message=_UNBOUND))
"""The active :class:`~lambda_micro.ctx.RequestContext` (internal; prefer the proxies below)."""

app_ctx: AppContext = cast("AppContext", _ContextProxy(_app_context))
"""The active :class:`~lambda_micro.ctx.AppContext` (internal; prefer ``current_app`` and ``g``)."""

current_app: App = cast("App", _ContextProxy(_current_app))
"""The application of the current application context (the one handling the current request)."""


class _RequestProxy(_ContextProxy[T]):
    """The ``request`` proxy, read most often: straight from the context variable."""

    __slots__ = ()

    def __getattr__(self, name: str) -> Any:
        ctx = _cv_request.get(None)
        if ctx is None:
            raise RuntimeError(_UNBOUND)
        return getattr(ctx.request, name)


def _request_attribute(name: str) -> property:
    def read(self: _RequestProxy[Any]) -> Any:
        ctx = _cv_request.get(None)
        if ctx is None:
            raise RuntimeError(_UNBOUND)
        return getattr(ctx.request, name)

    read.__name__ = name
    return property(read, doc=f"The current request's ``{name}``.")


# The attributes views read most, found on the proxy's class: no failed lookup before __getattr__.
# Only reads: LocalProxy's __setattr__ and __delattr__ still act on the request itself.
for _name in (
    "args",
    "base_url",
    "blueprint",
    "content_type",
    "cookies",
    "data",
    "endpoint",
    "environ",
    "files",
    "form",
    "full_path",
    "get_data",
    "get_json",
    "headers",
    "host",
    "is_json",
    "json",
    "lambda_context",
    "lambda_event",
    "method",
    "mimetype",
    "path",
    "remote_addr",
    "request_context",
    "stage_variables",
    "url",
    "url_rule",
    "values",
    "view_args",
):
    setattr(_RequestProxy, _name, _request_attribute(_name))
del _name

request: Request = cast("Request", _RequestProxy(_cv_request, "request", unbound_message=_UNBOUND))
"""The current :class:`~lambda_micro.wrappers.Request`."""

session: SessionMixin = cast("SessionMixin", _ContextProxy(_cv_request, "session", unbound_message=_UNBOUND))
"""The current signed-cookie session (opened on first access)."""

g: AppGlobals = cast("AppGlobals", _ContextProxy(_app_context, "g"))
"""A namespace on the application context: for data shared during one request (a new one for every
request, unless the request runs inside ``with app.app_context():``)."""

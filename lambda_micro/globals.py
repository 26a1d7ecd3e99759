"""Context-local proxies (``request``, ``session``, ``g``, ``current_app``) backed by one ContextVar.

A ContextVar (not a thread-local) so that each request context is isolated per thread *and* per asyncio task,
and so that nothing leaks from one Lambda invocation to the next: the variable is reset when the request ends.
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import TYPE_CHECKING, Any, TypeVar, cast

from werkzeug.local import LocalProxy

if TYPE_CHECKING:
    from .app import App
    from .ctx import AppGlobals, RequestContext
    from .sessions import SessionMixin
    from .wrappers import Request

__all__ = ["current_app", "g", "request", "request_ctx", "session"]

_UNBOUND = """\
Working outside of request context.

This code tried to use the current request, session or g outside of a request handled by a
lambda_micro App. Inside tests, use `app.test_client()` or `with app.test_request_context():`."""

_cv_request: ContextVar[RequestContext] = ContextVar("lambda_micro.request_ctx")

T = TypeVar("T")


class _ContextProxy(LocalProxy[T]):
    """werkzeug's LocalProxy, with a plain method for attribute reads (``request.args``): the same object and
    the same error outside a request, without building a bound lookup on every access."""

    __slots__ = ()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._get_current_object(), name)


request_ctx: RequestContext = cast("RequestContext", _ContextProxy(_cv_request, unbound_message=_UNBOUND))
"""The active :class:`~lambda_micro.ctx.RequestContext` (internal; prefer the proxies below)."""

current_app: App = cast("App", _ContextProxy(_cv_request, "app", unbound_message=_UNBOUND))
"""The application handling the current request."""


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

g: AppGlobals = cast("AppGlobals", _ContextProxy(_cv_request, "g", unbound_message=_UNBOUND))
"""A namespace for data shared during one request (reset for every request)."""

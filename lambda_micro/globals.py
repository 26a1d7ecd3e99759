"""Context-local proxies (``request``, ``session``, ``g``, ``current_app``) backed by one ContextVar.

A ContextVar (not a thread-local) so that each request context is isolated per thread *and* per asyncio task,
and so that nothing leaks from one Lambda invocation to the next: the variable is reset when the request ends.
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import TYPE_CHECKING, cast

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

request_ctx: RequestContext = cast("RequestContext", LocalProxy(_cv_request, unbound_message=_UNBOUND))
"""The active :class:`~lambda_micro.ctx.RequestContext` (internal; prefer the proxies below)."""

current_app: App = cast("App", LocalProxy(_cv_request, "app", unbound_message=_UNBOUND))
"""The application handling the current request."""

request: Request = cast("Request", LocalProxy(_cv_request, "request", unbound_message=_UNBOUND))
"""The current :class:`~lambda_micro.wrappers.Request`."""

session: SessionMixin = cast("SessionMixin", LocalProxy(_cv_request, "session", unbound_message=_UNBOUND))
"""The current signed-cookie session (opened on first access)."""

g: AppGlobals = cast("AppGlobals", LocalProxy(_cv_request, "g", unbound_message=_UNBOUND))
"""A namespace for data shared during one request (reset for every request)."""

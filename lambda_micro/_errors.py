"""Error handling of the App: finding the registered handler, trapping and propagating exceptions, and
the default error pages (JSON or HTML by what the client accepts)."""

from __future__ import annotations

# The class below is one of App's bases and nothing else's: its methods declare `self: App` (mypy reports
# such a self type as an error of code "misc", and checks the methods against App all the same).
# mypy: disable-error-code="misc"
import traceback
from typing import TYPE_CHECKING, Final
from urllib.parse import urlsplit

from werkzeug.datastructures import MIMEAccept
from werkzeug.exceptions import BadRequest, BadRequestKeyError, HTTPException, InternalServerError
from werkzeug.http import parse_accept_header
from werkzeug.routing.exceptions import RequestRedirect, RoutingException
from werkzeug.sansio.request import Request as _SansIORequest

from . import signals
from ._errorlog import log_unhandled_exception
from ._memo import Memo
from .globals import _cv_request
from .wrappers import Request

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIEnvironment

    from .app import App
    from .ctx import RequestContext
    from .typing import ErrorHandlerCallable, ResponseReturnValue
    from .wrappers import Request, Response

__all__ = ["Errors"]


class Errors:
    """The App's error side: registered handlers, trapping, propagation, default error responses."""

    def _find_error_handler(
        self: App, e: BaseException, blueprints: list[str]
    ) -> ErrorHandlerCallable | None:
        """The handler for ``e``: innermost blueprint first, then the app; by code, then by class MRO."""
        spec = self.error_handler_spec
        if not spec:
            return None
        code = e.code if isinstance(e, HTTPException) else None
        for name in (*blueprints, None):
            handler_map = spec.get(name)
            if not handler_map:
                continue
            for c in (code, None) if code is not None else (None,):
                handlers = handler_map.get(c)
                if not handlers:
                    continue
                for cls in type(e).__mro__:
                    handler = handlers.get(cls)
                    if handler is not None:
                        return handler
        return None

    def _call_error_handler(
        self: App, handler: ErrorHandlerCallable, e: BaseException
    ) -> ResponseReturnValue:
        rv = handler(e)
        if rv is None:
            raise TypeError(
                f"The error handler {getattr(handler, '__qualname__', handler)!r} for {type(e).__name__}"
                " returned None; an error handler must return a response."
            )
        return rv

    def handle_user_exception(self: App, ctx: RequestContext, e: Exception) -> ResponseReturnValue:
        """Answer an exception raised by a hook or view with its registered handler, or re-raise it.

        HTTP errors go to :meth:`handle_http_exception` unless :meth:`trap_http_exception` traps them.
        """
        if isinstance(e, HTTPException):
            if isinstance(e, BadRequestKeyError) and (self.debug or self.config["TRAP_BAD_REQUEST_ERRORS"]):
                e.show_exception = True
            if not self.trap_http_exception(e):
                return self.handle_http_exception(ctx, e)
        handler = self._find_error_handler(e, ctx.request.blueprints)
        if handler is None:
            raise e
        return self._call_error_handler(handler, e)

    def handle_http_exception(self: App, ctx: RequestContext, e: HTTPException) -> ResponseReturnValue:
        """Answer an HTTP error with its registered handler, else a JSON or HTML error page."""
        if isinstance(e, RequestRedirect):
            return self._routing_redirect(ctx, e)
        if e.code is None or isinstance(e, RoutingException):
            # Code-less exceptions answer for themselves.
            return e.get_response(ctx.request.environ)
        handler = self._find_error_handler(e, ctx.request.blueprints)
        if handler is None:
            return self.http_error_response(e)
        return self._call_error_handler(handler, e)

    def _routing_redirect(self: App, ctx: RequestContext, e: RequestRedirect) -> Response:
        """The redirect werkzeug's router asks for (merged or missing slashes): a relative ``Location``.

        werkzeug builds an absolute URL from the client's Host; a Location on the request's own host keeps
        only the path and query, so a forged Host never reaches it (one to another host, with host or
        subdomain matching, stays absolute). An app wanting absolute Locations sets its response class's
        ``autocorrect_location_header``, as werkzeug documents.
        """
        target = urlsplit(e.new_url)
        if target.netloc == ctx.url_adapter.server_name:
            location = target.path + (f"?{target.query}" if target.query else "")
        else:
            location = e.new_url
        return self.redirect(location, e.code)

    def trap_http_exception(self: App, e: Exception) -> bool:
        """Whether an HTTP error is raised as an unhandled exception instead of answered (Flask's rule):
        always with ``TRAP_HTTP_EXCEPTIONS``; 400s with ``TRAP_BAD_REQUEST_ERRORS``; when that is ``None``,
        a missing form or query key (``BadRequestKeyError``) in debug mode."""
        config = self.config
        if config["TRAP_HTTP_EXCEPTIONS"]:
            return True
        trap_bad_request = config["TRAP_BAD_REQUEST_ERRORS"]
        if trap_bad_request is None:
            return self.debug and isinstance(e, BadRequestKeyError)
        return bool(trap_bad_request) and isinstance(e, BadRequest)

    def _propagates(self: App, environ: WSGIEnvironment) -> bool:
        """Whether an unhandled exception leaves the app: ``reraise``, else (never for a Lambda event)
        ``PROPAGATE_EXCEPTIONS``, which defaults to testing or debug mode as in Flask."""
        if self.reraise:
            return True
        if "lambda.event" in environ:  # a Lambda invocation: only `reraise` asks for propagation
            return False
        propagate = self.config["PROPAGATE_EXCEPTIONS"]
        if propagate is None:
            return self.testing or self.debug
        return bool(propagate)

    def handle_exception(self: App, ctx: RequestContext, e: Exception) -> Response:
        """An unhandled exception: re-raise it (see :meth:`_propagates`), or log it once and answer 500."""
        if signals.got_request_exception.connected:
            signals.got_request_exception.send(self, exception=e)
        environ = ctx.request.environ
        if self._propagates(environ):
            raise e
        log_unhandled_exception(self.logger, e, environ)
        server_error = InternalServerError(original_exception=e)
        handler = self._find_error_handler(server_error, ctx.request.blueprints)
        rv: ResponseReturnValue | None = None
        if handler is not None:
            try:
                rv = self._call_error_handler(handler, server_error)
            except Exception as handler_error:  # fall back to the default 500 below
                log_unhandled_exception(
                    self.logger, handler_error, environ, message="500 error handler failed"
                )
        if rv is None:
            rv = self.internal_error_response(e)
        return self.finalize_request(ctx, rv, from_error_handler=True)

    def _wants_json(self: App, e: HTTPException | None = None) -> bool:
        if e is not None and getattr(e, "always_json", False):
            return True
        ctx = _cv_request.get(None)
        if ctx is None:
            return False
        request = ctx.request
        environ = request._cgi  # (its headers: there in a lazily built environ too)
        if _plain_request_class(type(request)) and "accept_mimetypes" not in request.__dict__:
            # werkzeug's own is_json and accept_mimetypes, computed from two environ strings: a request
            # without a Content-Type is not JSON, and the Accept verdict is cached per header value.
            if environ.get("CONTENT_TYPE") and request.is_json:
                return True
            header = environ.get("HTTP_ACCEPT")
            verdict = _ACCEPT_PREFERS_JSON.get(header)
            if verdict is None:
                accept = parse_accept_header(header, MIMEAccept)
                verdict = accept["application/json"] > accept["text/html"]
                _ACCEPT_PREFERS_JSON.remember(header, verdict, len(header or ""))  # client-controlled
            return verdict
        if request.is_json:
            return True
        accept = request.accept_mimetypes
        return accept["application/json"] > accept["text/html"]

    def http_error_response(self: App, e: HTTPException) -> Response:
        """The default response for an HTTP error.

        JSON ``{"code", "name", "description"}`` when the client prefers JSON (Accept) or sent JSON, else
        werkzeug's HTML page; ``Allow``, ``WWW-Authenticate`` and ``Retry-After`` headers are kept.
        """
        if e.response is not None:
            return self.response_class.force_type(e.response)  # type: ignore[arg-type,return-value]
        ctx = _cv_request.get(None)
        # werkzeug's own headers and pages do not read the environ: a lazily built one stays so.
        environ = ctx.request.environ if ctx is not None and _reads_environ(type(e)) else None
        headers = [(k, v) for k, v in e.get_headers(environ) if k.lower() != "content-type"]
        if self._wants_json(e):
            body = self.json.dumps(
                {"code": e.code, "name": e.name, "description": e.description}, separators=(",", ":")
            )
            return self.response_class(body, e.code, headers, mimetype="application/json")
        return self.response_class(_error_page(e, environ), e.code, headers, mimetype="text/html")

    def internal_error_response(self: App, e: BaseException) -> Response:
        """The default 500: a generic message, plus the traceback only when ``debug`` is on."""
        error = InternalServerError(original_exception=e)
        if not self.debug:
            return self.http_error_response(error)
        from html import escape  # noqa: PLC0415 (debug only: kept off the cold-start path)

        trace = "".join(traceback.format_exception(type(e), e, e.__traceback__))
        if self._wants_json(None):
            body = self.json.dumps(
                {"code": 500, "name": error.name, "description": error.description, "traceback": trace},
                indent=2,
            )
            return self.response_class(body, 500, mimetype="application/json")
        page = (
            "<!doctype html>\n<html lang=en>\n<title>500 Internal Server Error</title>\n"
            f"<h1>Internal Server Error</h1>\n<p>{escape(str(error.description))}</p>\n"
            f"<pre>{escape(trace)}</pre>\n"
        )
        return self.response_class(page, 500, mimetype="text/html")


_ACCEPT_PREFERS_JSON: Memo[str | None, bool] = Memo(256)
_ERROR_PAGES: Memo[tuple[type[HTTPException], int | None, str | None], str] = Memo(256)


def _plain_request_class(cls: type[Request]) -> bool:
    """Whether ``cls`` keeps werkzeug's ``is_json`` (as Request answers it) and ``accept_mimetypes`` (a
    subclass may change them)."""
    return cls.is_json is Request.is_json and cls.accept_mimetypes is _SansIORequest.accept_mimetypes


def _reads_environ(cls: type[HTTPException]) -> bool:
    """Whether ``cls`` renders its headers or page with methods other than werkzeug's own (which ignore
    the environ they are given)."""
    return not (
        cls.get_headers.__module__ == _WERKZEUG_EXCEPTIONS
        and cls.get_body.__module__ == _WERKZEUG_EXCEPTIONS
        and cls.get_description.__module__ == _WERKZEUG_EXCEPTIONS
    )


_WERKZEUG_EXCEPTIONS: Final = HTTPException.__module__


def _error_page(e: HTTPException, environ: WSGIEnvironment | None) -> str:
    """``e.get_body(environ)``, cached for exceptions that keep werkzeug's page (it then depends only on the
    class, code and description; a subclass that renders its own page is asked every time)."""
    cls = type(e)
    description = e.description
    if not (
        cls.get_body is HTTPException.get_body
        and cls.get_description is HTTPException.get_description
        and cls.name is HTTPException.name
        and (description is None or type(description) is str)
    ):
        return e.get_body(environ)
    key = (cls, e.code, description)
    page = _ERROR_PAGES.get(key)
    if page is None:
        # Descriptions may carry per-request text.
        page = _ERROR_PAGES.remember(key, e.get_body(environ), len(description or ""))
    return page

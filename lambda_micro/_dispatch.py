"""Request dispatch of the App: the WSGI entry point, contexts pushed and popped, hooks, the view call,
and turning a view's return value into a response."""

from __future__ import annotations

# The class below is one of App's bases and nothing else's: its methods declare `self: App` (mypy reports
# such a self type as an error of code "misc", and checks the methods against App all the same).
# mypy: disable-error-code="misc"
import sys
from collections.abc import Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

from werkzeug.datastructures import Headers
from werkzeug.exceptions import HTTPException, NotFound
from werkzeug.wrappers.response import Response as _WerkzeugResponse

from . import signals
from ._errorlog import log_unhandled_exception
from .ctx import OWNED, AppContext, RequestContext
from .globals import _cv_app, _cv_request

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

    from ._routing import URLRule
    from .app import App
    from .ctx import RequestContext
    from .typing import HeadersValue, ResponseReturnValue
    from .wrappers import Response

__all__ = ["Dispatch"]

_MISSING: Any = object()


class Dispatch:
    """The App's request side: contexts, hooks, the view call, ``make_response``."""

    # WSGI ----------------------------------------------------------------------------------------

    def __call__(self: App, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        """The WSGI entry point (wrap ``app.wsgi_app`` to add middleware)."""
        return self.wsgi_app(environ, start_response)

    def wsgi_app(self: App, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        """Handle one request: push its contexts, dispatch, turn errors into responses, tear down.

        An application context is pushed first unless one is active for this app (Flask's rule), so a
        request made inside ``with app.app_context():`` shares its ``g``.
        """
        answer: Iterable[bytes] = self._handle(environ, start_response)
        return answer

    def _handle(self: App, environ: WSGIEnvironment, start_response: StartResponse | None) -> Any:
        """The one dispatch of both doors: the WSGI call (``start_response`` given: the WSGI answer) and
        ``app.lambda_handler`` (``None``: the Response itself, which the Lambda path turns into the proxy
        result as the WSGI call would, see ``lambda_micro._lambda``)."""
        ctx = RequestContext(self, environ)
        # What RequestContext.push() does, inline (this runs for every Lambda invocation), with one saving:
        # with no application context active, the request owns one, made only if something uses it (`g`).
        active = _cv_app.get(None)
        pushed: Any
        if active is not None and active.app is self:
            ctx._app_ctx = active
            pushed = None
        elif active is None and not (
            signals.appcontext_pushed.connected or signals.appcontext_popped.connected
        ):
            pushed = OWNED
        else:
            pushed = ctx._app_ctx = AppContext(self)
            pushed.push()
        token = _cv_request.set(ctx)
        error: BaseException | None = None
        try:
            try:
                response = self.full_dispatch_request(ctx)
            except Exception as e:
                error = e
                response = self.handle_exception(ctx, e)
            except BaseException as e:
                error = e
                raise
            if start_response is None:
                return response
            return response(environ, start_response)
        finally:
            if "werkzeug.debug.preserve_context" in environ:  # the test client inside `with client:`
                preserve = environ["werkzeug.debug.preserve_context"]
                preserve(ctx.app_ctx)
                preserve(ctx)
            if error is not None and self.should_ignore_error(error):
                error = None
            tokens = ctx._tokens
            if not tokens:
                # RequestContext.pop(), inline, for the common case.
                try:
                    self.do_teardown_request(ctx, error)
                finally:
                    _cv_request.reset(token)
                    ctx.release_environ()
                    if pushed is OWNED:
                        if self.teardown_appcontext_funcs or signals.appcontext_tearing_down.connected:
                            self._end_owned_app_context(ctx, error)
                    elif pushed is not None:
                        pushed.pop(error)
            else:
                # stream_with_context pushed the context again: the request ends when the streamed body
                # does. Its push is undone here (the context stays current); its generator's final pop is
                # then this one, and tears down.
                _cv_request.reset(tokens.pop()[0])
                tokens.append((token, pushed))

    def _end_owned_app_context(self: App, ctx: RequestContext, error: BaseException | None) -> None:
        """The end of the application context a request owned (never pushed): teardown functions and
        signals run with it pushed, after the request context is gone, as in Flask."""
        app_ctx = ctx.app_ctx
        token = _cv_app.set(app_ctx)
        try:
            self.do_teardown_appcontext(error)
        finally:
            _cv_app.reset(token)

    def should_ignore_error(self: App, error: BaseException | None) -> bool:
        """Whether teardown functions get ``None`` instead of ``error`` (Flask's hook; ``False`` here)."""
        return False

    def full_dispatch_request(self: App, ctx: RequestContext) -> Response:
        """Match the URL, run before_request hooks and the view, handle errors, run after_request hooks."""
        request = ctx.request
        if request.routing_exception is None:
            key = self._match_key(ctx)
            known = self._matches.get(key) if key is not None else None
            if known is not None:
                if known[0] is None:  # a path no rule matches, answered before: werkzeug's own 404
                    request.routing_exception = NotFound()
                else:
                    request.url_rule = known[0]
                    request.view_args = dict(known[1]) if known[1] else {}
            else:
                try:  # in this frame: a routing error's traceback stays as short as werkzeug makes it
                    rule, args = ctx.url_adapter.match(return_rule=True)
                except HTTPException as e:
                    request.routing_exception = e
                    if key is not None and type(e) is NotFound:
                        self._remember_not_found(key)
                else:
                    request.url_rule, request.view_args = rule, args  # type: ignore[assignment]
                    if key is not None:
                        self._remember_match(key, rule, args)
        try:
            if signals.request_started.connected:
                signals.request_started.send(self)
            rv = self.preprocess_request(ctx)
            if rv is None:
                rv = self.dispatch_request(ctx)
        except Exception as e:
            rv = self.handle_user_exception(ctx, e)
        return self.finalize_request(ctx, rv)

    def preprocess_request(self: App, ctx: RequestContext) -> ResponseReturnValue | None:
        """Run the app's, then each enclosing blueprint's, before_request hooks; stop at a return value."""
        funcs = self.before_request_funcs
        if not funcs:
            return None
        for name in (None, *reversed(ctx.request.blueprints)):
            for f in funcs.get(name, ()):
                rv = f()
                if rv is not None:
                    return rv
        return None

    def dispatch_request(self: App, ctx: RequestContext) -> ResponseReturnValue:
        """Call the matched view (or raise the routing error: 404, 405, a strict-slash redirect)."""
        request = ctx.request
        if request.routing_exception is not None:
            raise request.routing_exception
        rule: URLRule = request.url_rule  # type: ignore[assignment]  # matched: a rule of the App's map
        if rule.provide_automatic_options and request.method == "OPTIONS":
            return self.make_default_options_response(ctx)
        return self.view_functions[rule.endpoint](**request.view_args)  # type: ignore[arg-type]

    def make_default_options_response(self: App, ctx: RequestContext) -> Response:
        """An empty 200 with ``Allow`` listing the URL's methods."""
        rv = self.response_class()
        rv.allow.update(ctx.url_adapter.allowed_methods())
        return rv

    def finalize_request(
        self: App, ctx: RequestContext, rv: ResponseReturnValue, from_error_handler: bool = False
    ) -> Response:
        """Turn ``rv`` into a response and run after_request hooks (and the session save)."""
        response = self.make_response(rv)
        try:
            response = self.process_response(ctx, response)
            if signals.request_finished.connected:
                signals.request_finished.send(self, response=response)
        except Exception as e:
            if not from_error_handler:
                raise
            log_unhandled_exception(
                self.logger, e, ctx.request.environ, message="after_request failed while handling an error"
            )
        return response

    def process_response(self: App, ctx: RequestContext, response: Response) -> Response:
        """Run ``after_this_request`` functions, after_request hooks (innermost blueprint first, app last),
        then save the session."""
        once = ctx._after_request_functions
        if once:
            for f in once:
                response = f(response)
        funcs = self.after_request_funcs
        if funcs:
            for name in (*ctx.request.blueprints, None):
                for f in reversed(funcs.get(name, ())):
                    response = f(response)
        session = ctx._session  # only a session that was opened is saved
        if session is not None:
            self.session_interface.save_session(self, session, response)
        return response

    def do_teardown_request(self: App, ctx: RequestContext, exc: BaseException | None) -> None:
        """Run teardown_request hooks, always; one failing hook is logged and does not stop the others."""
        funcs = self.teardown_request_funcs
        if funcs:
            for name in (*ctx.request.blueprints, None):
                for f in reversed(funcs.get(name, ())):
                    try:
                        f(exc)
                    except Exception as e:  # the response is already decided; log and go on
                        log_unhandled_exception(
                            self.logger, e, ctx.request.environ, message="teardown_request failed"
                        )
        if signals.request_tearing_down.connected:
            signals.request_tearing_down.send(self, exc=exc)

    def do_teardown_appcontext(self: App, exc: BaseException | None = _MISSING) -> None:
        """Run teardown_appcontext functions (last registered first) when an application context ends; one
        failing function is logged and does not stop the others."""
        if exc is _MISSING:
            exc = sys.exc_info()[1]
        for f in reversed(self.teardown_appcontext_funcs):
            try:
                f(exc)
            except Exception as e:
                ctx = _cv_request.get(None)
                log_unhandled_exception(
                    self.logger,
                    e,
                    ctx.request.environ if ctx is not None else None,
                    message="teardown_appcontext failed",
                )
        if signals.appcontext_tearing_down.connected:
            signals.appcontext_tearing_down.send(self, exc=exc)

    # Responses -----------------------------------------------------------------------------------

    def make_response(self: App, rv: ResponseReturnValue) -> Response:
        """Convert a view's return value into a :class:`Response` (see the README for the accepted shapes)."""
        status: int | str | None = None
        headers: HeadersValue | None = None
        if isinstance(rv, tuple):
            length = len(rv)
            if length == 3:
                rv, status, headers = rv
            elif length == 2:
                if isinstance(rv[1], (Headers, dict, tuple, list)):
                    rv, headers = rv
                else:
                    rv, status = rv  # type: ignore[assignment]
            else:
                raise TypeError(
                    f"The view function for {self._view_name()} returned a tuple of {length} items."
                    " A response tuple must be (body, status, headers), (body, status) or (body, headers)."
                )
        if rv is None:
            raise TypeError(
                f"The view function for {self._view_name()} did not return a valid response: it returned None"
                " or ended without a return statement."
            )
        if not isinstance(rv, self.response_class):
            # Cheapest checks first: Iterator is an ABC and slow to test against.
            if isinstance(rv, (str, bytes, bytearray)) or (
                not isinstance(rv, (dict, list, _WerkzeugResponse)) and isinstance(rv, Iterator)
            ):
                # Status and headers go to the constructor so that a str status keeps its reason phrase.
                rv = self.response_class(rv, status=status, headers=_as_headers(headers))
                status = headers = None
            elif isinstance(rv, (dict, list)):
                rv = self.json.response(rv)
            elif isinstance(rv, _WerkzeugResponse) or callable(rv):
                ctx = _cv_request.get(None)
                environ = ctx.request.environ if ctx is not None else None
                try:
                    rv = self.response_class.force_type(rv, environ)  # type: ignore[arg-type]
                except TypeError as e:
                    raise TypeError(
                        f"The view function for {self._view_name()} did not return a valid response: {e}"
                    ) from e
            else:
                raise TypeError(
                    f"The view function for {self._view_name()} did not return a valid response. The return"
                    " type must be a str, bytes, dict, list, tuple with status or headers, Response or WSGI"
                    f" callable, but it was a {type(rv).__name__}."
                )
        response: Response = rv  # type: ignore[assignment]  # (typing.cast is a call on every request)
        if status is not None:
            if isinstance(status, (str, bytes, bytearray)):
                response.status = status if isinstance(status, str) else bytes(status).decode("latin-1")
            else:
                response.status_code = status
        if headers:
            _apply_headers(response.headers, headers)
        return response

    def _view_name(self: App) -> str:
        ctx = _cv_request.get(None)
        endpoint = ctx.request.endpoint if ctx is not None else None
        if endpoint is None:
            return "this request"
        view = self.view_functions.get(endpoint)
        qualname = getattr(view, "__qualname__", None)
        return f"{endpoint!r} ({qualname})" if qualname else repr(endpoint)


def _as_headers(headers: HeadersValue | None) -> Headers | None:
    if headers is None:
        return None
    result = Headers()
    _apply_headers(result, headers)
    return result


def _apply_headers(target: Headers, headers: HeadersValue) -> None:
    """Merge view-returned headers: a mapping replaces by name; a list of pairs keeps repeated names."""
    if isinstance(headers, (Headers, Mapping)):
        target.update(headers)
        return
    pairs = list(headers)
    for name in {name.lower() for name, _ in pairs}:
        del target[name]
    for name, value in pairs:
        if isinstance(value, (list, tuple)):
            for item in value:
                target.add(name, item)
        else:
            target.add(name, value)

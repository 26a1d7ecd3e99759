"""``app.lambda_handler``: the App's own door from a Lambda event to its dispatch, without the WSGI call.

Any WSGI app reaches the adapter through ``make_handler``: event -> environ -> ``app(environ,
start_response)`` -> the WSGI answer -> proxy result. For lambda_micro's own App the middle is direct: the
adapter's per-source parsing builds the request's environ as for any app (one translation, contract items
1-51), the App dispatches it (same routing, hooks, contexts, errors: ``App._handle``, the WSGI call's own
dispatch), and the Response becomes the proxy result without ``App.__call__``, ``Response.__call__`` or a
drained iterable for the common response: its headers and body are what the WSGI call would answer
(``Response.plain_answer``), checked by the adapter's ``start_response`` rules. Anything else (a streamed
body, a ``Location`` header werkzeug rewrites, close callbacks) is answered by werkzeug's WSGI response, as
the WSGI call answers it.

The environ is built lazily (``lambda_micro.adapter.environ.PENDING``): every check of the event runs, and
the headers, the request line, SERVER_NAME, CONTENT_LENGTH and ``wsgi.url_scheme`` are stored, which is
what the Request, the routing and the error pages read; the remaining keys (REMOTE_ADDR, RAW_URI,
SERVER_PORT, SERVER_PROTOCOL, ``wsgi.input``, ``wsgi.errors``, the ``lambda.*`` keys) and the request's
``werkzeug.request`` back-reference are stored on the first read of ``request.environ`` (form parsing,
``send_file``, a view that asks), and never for a request that does not need them. The Request reads the
remote address, the port and the Lambda facts from the pending values without completing it.

When the user wrapped ``app.wsgi_app`` in a WSGI middleware, or a subclass overrides ``wsgi_app`` or
``__call__``, every event goes through the WSGI call instead, so the middleware sees each request.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._dispatch import Dispatch
from .adapter.environ import complete_environ
from .adapter.handler import LambdaHandler, wsgi_answer
from .adapter.result import ResponseCollector, checked_headers
from .wrappers import Request, Response

if TYPE_CHECKING:
    from .app import App

__all__ = ["AppHandler"]

_WSGI_APP = Dispatch.wsgi_app
_CALL = Dispatch.__call__
_RESPONSE_CALL = Response.__call__
_REQUEST_INIT = Request.__init__


class AppHandler(LambdaHandler):
    """The adapter's handler with the App's direct door (see the module docstring)."""

    __slots__ = ()

    _lazy = True  # the environ's remaining keys are filled in when something needs them

    def _respond(self, environ: dict[str, Any]) -> tuple[str, list[tuple[str, str]], bytes]:
        app: App = self._app  # type: ignore[assignment]  # (an App: AppHandler is made by App only)
        # A middleware assigned to app.wsgi_app (an instance attribute), or a subclass's own wsgi_app or
        # __call__. (Not `app.__dict__`: reading it would slow every later attribute read of the App.)
        if getattr(app.wsgi_app, "__func__", None) is not _WSGI_APP or type(app).__call__ is not _CALL:
            # Through the WSGI call, with the whole environ: the middleware sees the request.
            return super()._respond(complete_environ(environ))
        if app.request_class.__init__ is not _REQUEST_INIT:
            complete_environ(environ)  # a request class with a constructor of its own reads the environ
        response: Response = app._handle(environ, None)
        # A response class with a __call__ of its own answers through it, as in the WSGI call.
        plain = response.plain_answer() if type(response).__call__ is _RESPONSE_CALL else None
        if plain is None:
            # werkzeug's WSGI response reads the environ (a relative Location made absolute: host, port).
            complete_environ(environ)
            collector = ResponseCollector()
            return wsgi_answer(response(environ, collector.start_response), collector)
        headers, body = plain
        status = response.status
        return (
            status,
            checked_headers(status, headers),  # start_response's checks, and its errors
            b"" if environ["REQUEST_METHOD"] == "HEAD" else b"".join(body),
        )

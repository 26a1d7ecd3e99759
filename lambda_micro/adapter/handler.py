"""``make_handler``: a Lambda handler around any WSGI app, for every HTTP event source.

The contract items cited by number (``item 29``) are those of docs/ADAPTER-CONTRACT.md.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable, Iterable
from typing import Any, Final

from lambda_micro._errorlog import log_unhandled_exception

from .environ import _v1_environ, _v2_environ, complete_environ, normalize_base_path
from .errors import BadEvent, ResponseTooLarge, UnsupportedEvent
from .infer import ALB, EDGE, HTTP_V1, HTTP_V2, LATTICE_V1, LATTICE_V2, REST, URL, Source, infer_source
from .result import (
    DEFAULT_TEXT_TYPES,
    SMALLEST_LIMIT,
    ResponseCollector,
    TextTypes,
    build_result,
    payload_limit,
    reason_phrase,
)

__all__ = ["BUILDERS", "LambdaHandler", "build_environ", "make_handler", "wsgi_answer"]

WSGIApp = Callable[..., Iterable[bytes]]
Handler = Callable[[dict[str, Any], Any], dict[str, Any]]
# builder(source, event, context, base_path, lazy): the environ; with lazy, a lazily built one (see
# environ.PENDING: the App's own door asks for that).
EnvironBuilder = Callable[[Source, dict[str, Any], Any, str, bool], dict[str, Any]]


def _lattice_environ(
    source: Source, event: dict[str, Any], context: Any, base_path: str, lazy: bool = False
) -> dict[str, Any]:
    # The first VPC Lattice event loads its module and puts its builder in the table: a function behind
    # another source never pays for it at INIT (cold start).
    from .lattice import lattice_environ  # noqa: PLC0415

    BUILDERS[LATTICE_V1] = BUILDERS[LATTICE_V2] = lattice_environ
    return lattice_environ(source, event, context, base_path, lazy)


def _edge_environ(
    source: Source, event: dict[str, Any], context: Any, base_path: str, lazy: bool = False
) -> dict[str, Any]:
    from .edge import edge_environ  # noqa: PLC0415 - as for VPC Lattice

    BUILDERS[EDGE] = edge_environ
    return edge_environ(source, event, context, base_path, lazy)


#: source -> ``builder(source, event, context, base_path, lazy=False)``, the WSGI environ for the event.
BUILDERS: Final[dict[str, EnvironBuilder]] = {
    REST: _v1_environ,
    HTTP_V1: _v1_environ,
    ALB: _v1_environ,
    HTTP_V2: _v2_environ,
    URL: _v2_environ,
    LATTICE_V1: _lattice_environ,
    LATTICE_V2: _lattice_environ,
    EDGE: _edge_environ,
}


def build_environ(source: Source, event: dict[str, Any], context: Any, base_path: str = "") -> dict[str, Any]:
    """Build the WSGI environ for ``event`` of ``source`` (``base_path`` as ``normalize_base_path`` gives)."""
    return BUILDERS[source](source, event, context, base_path, False)


logger: Final = logging.getLogger("lambda_micro.adapter")
_TEXT_PLAIN: Final = [("Content-Type", "text/plain; charset=utf-8")]


class LambdaHandler:
    """The callable returned by ``make_handler``: ``handler(event, context) -> proxy result``.

    Everything that does not depend on the event (base path, media type matcher) is prepared here, once,
    at INIT; a call only builds the environ, runs the app and shapes the result.
    """

    #: Whether the environ may be built lazily (``environ.PENDING``): only for an app that completes it
    #: when it needs the rest (the App's own door, ``lambda_micro._lambda``).
    _lazy = False

    __slots__ = (
        "_always_binary",
        "_app",
        "_awsgi_keys",
        "_base_path",
        "_binary_cache",
        "_is_text",
        "_reraise",
    )

    def __init__(
        self,
        wsgi_app: WSGIApp,
        *,
        base_path: str | None = None,
        text_mime_types: Iterable[str] | None = None,
        reraise: bool = False,
        always_binary: Iterable[str] | None = None,
        awsgi_keys: bool = False,
    ) -> None:
        if not callable(wsgi_app):
            raise TypeError(f"make_handler() needs a WSGI application, got {type(wsgi_app).__name__}")
        self._app = wsgi_app
        self._base_path = normalize_base_path(base_path)
        self._is_text = DEFAULT_TEXT_TYPES if text_mime_types is None else TextTypes(text_mime_types)
        self._reraise = reraise
        if isinstance(always_binary, str):  # one media type given as a plain string
            always_binary = (always_binary,)
        self._always_binary = frozenset(
            media_type.partition(";")[0].strip().lower() for media_type in always_binary or ()
        )
        self._awsgi_keys = awsgi_keys
        # Content-Type -> base64 or not, for this handler's media type rules (build_result fills it).
        self._binary_cache: dict[str, bool] = {}

    def __call__(self, event: dict[str, Any], context: Any) -> dict[str, Any]:
        """Translate ``event`` into a WSGI request, run the app, and return the proxy result."""
        source = infer_source(event)
        if source is None:
            raise UnsupportedEvent.for_event(event)
        alb_multi_value = source == ALB and "multiValueHeaders" in event
        try:
            # build_environ's dispatch, inline (one call less per request).
            environ = BUILDERS[source](source, event, context, self._base_path, self._lazy)
        except BadEvent as exc:
            # The field and the problem, never the value (events carry credentials).
            logger.warning("Malformed %s event: %s", source, exc)
            code = exc.status
            return self._plain(source, code, f"{reason_phrase(code)}: {exc}", alb_multi_value)
        if self._awsgi_keys:
            environ["awsgi.event"] = event
            environ["awsgi.context"] = context

        try:
            status, headers, body = self._respond(environ)
            result, size = build_result(
                source,
                status,
                headers,
                body,
                method=environ["REQUEST_METHOD"],
                alb_multi_value=alb_multi_value,
                is_text=self._is_text,
                always_binary=self._always_binary,
                binary_cache=self._binary_cache,
            )
        except Exception as exc:
            if self._reraise:
                raise
            log_unhandled_exception(logger, exc, complete_environ(environ))
            message = "Internal Server Error"
            if getattr(self._app, "debug", False) is True:
                message += "\n\n" + traceback.format_exc()
            return self._plain(source, 500, message, alb_multi_value)

        if size <= SMALLEST_LIMIT:
            return result  # the common case, without a call
        limit = payload_limit(source, event)
        if size > limit:
            complete_environ(environ)
            what = {ALB: "the load balancer's", EDGE: "Lambda@Edge's"}.get(source, "Lambda's")
            error = ResponseTooLarge(
                f"The response to {environ['REQUEST_METHOD']} {environ['RAW_URI']} is about {size} bytes "
                f"once encoded, over {what} limit of {limit} bytes; answering 502 instead."
            )
            log_unhandled_exception(logger, error, environ, message="Response too large")
            return self._plain(source, 502, "Bad Gateway: response too large", alb_multi_value)
        return result

    def _respond(self, environ: dict[str, Any]) -> tuple[str, list[tuple[str, str]], bytes]:
        """Run the app on ``environ``: the status, headers and body it answered (PEP 3333's rules)."""
        collector = ResponseCollector()
        return wsgi_answer(self._app(environ, collector.start_response), collector)

    @staticmethod
    def _plain(source: Source, code: int, message: str, alb_multi_value: bool) -> dict[str, Any]:
        result, _ = build_result(
            source,
            f"{code} {reason_phrase(code)}",
            _TEXT_PLAIN,
            message.encode(),
            method="GET",
            alb_multi_value=alb_multi_value,
        )
        return result


def wsgi_answer(
    iterable: Iterable[bytes], collector: ResponseCollector
) -> tuple[str, list[tuple[str, str]], bytes]:
    """The status, headers and body of a WSGI answer: ``iterable`` returned by an app given
    ``collector.start_response`` (drained and closed as PEP 3333 says)."""
    status = collector.status
    if type(iterable) is list and status is not None and not collector.chunks:
        # The common case: a plain list (no close() to call) after start_response, no write() data.
        try:
            return status, collector.headers, b"".join(iterable)
        except TypeError:
            pass  # a chunk that is not bytes: _drain decides (an empty one is skipped)
    body = _drain(iterable, collector)
    status = collector.status
    assert status is not None  # _drain checked it
    return status, collector.headers, body


def _drain(iterable: Iterable[bytes], collector: ResponseCollector) -> bytes:
    """Drain the app's iterable, always calling ``close()`` (PEP 3333, contract item 32)."""
    try:
        chunks = collector.chunks
        for chunk in iterable:
            if chunk:
                if collector.status is None:
                    raise RuntimeError(
                        "The WSGI application produced body data before calling start_response()"
                    )
                chunks.append(chunk)
    finally:
        close = getattr(iterable, "close", None)
        if close is not None:
            close()
    if collector.status is None:
        raise RuntimeError("The WSGI application returned without calling start_response()")
    return b"".join(chunks)


def make_handler(
    wsgi_app: WSGIApp,
    *,
    base_path: str | None = None,
    text_mime_types: Iterable[str] | None = None,
    reraise: bool = False,
) -> Handler:
    """Wrap a WSGI app into a Lambda handler for API Gateway (REST, HTTP API), ALB and Function URLs.

    ``base_path``: a path prefix the app is mounted under (a custom domain's base-path mapping), moved from
    PATH_INFO to SCRIPT_NAME; ``"v1"``, ``"/v1"`` and ``"/v1/"`` are alike. ``text_mime_types``: the media
    type patterns answered as text, replacing ``DEFAULT_TEXT_MIME_TYPES``; other bodies are base64-encoded.
    ``reraise``: let an exception escaping the app propagate (so Lambda counts an error) instead of
    logging it and answering 500. A non-HTTP event raises ``UnsupportedEvent``.
    """
    return LambdaHandler(wsgi_app, base_path=base_path, text_mime_types=text_mime_types, reraise=reraise)

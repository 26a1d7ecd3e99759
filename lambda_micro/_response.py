"""The Response: werkzeug's WSGI Response, ``text/html`` by default, JSON through the app's provider, built
and answered without werkzeug's generic steps when none of them applies (``lambda_micro.wrappers``
re-exports it)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from http import HTTPStatus
from typing import TYPE_CHECKING, Any

from werkzeug.datastructures import Headers
from werkzeug.http import HTTP_STATUS_CODES
from werkzeug.utils import get_content_type
from werkzeug.wrappers.response import Response as _WerkzeugResponse

from . import json as _json
from ._memo import Memo
from ._werkzeug import HEADERS_LIST, RESPONSE_ON_CLOSE, RESPONSE_STATUS, RESPONSE_STATUS_CODE

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

__all__ = ["Response"]


class Response(_WerkzeugResponse):
    """The response object: werkzeug's Response, ``text/html`` by default, JSON through the app's provider."""

    default_mimetype = "text/html"
    json_module: Any = _json

    def __init__(  # noqa: PLR0917 - werkzeug's signature
        self,
        response: Iterable[bytes] | bytes | Iterable[str] | str | None = None,
        status: int | str | HTTPStatus | None = None,
        headers: Mapping[str, str | Iterable[str]] | Iterable[tuple[str, str]] | None = None,
        mimetype: str | None = None,
        content_type: str | None = None,
        direct_passthrough: bool = False,
    ) -> None:
        """werkzeug's constructor; the common case (this class, no headers, an int or no status) is built
        directly, with the same result: ``Content-Type``, then ``Content-Length`` for a str or bytes body."""
        if status is None:
            status = self.default_status
        status_line = _status_line(status) if type(status) is int else None
        # (werkzeug's default media type applies when headers has no Content-Type: here, no headers)
        media_type = self.default_mimetype if content_type is None and mimetype is None else mimetype
        if (
            status_line is None
            # (werkzeug makes an empty list, tuple or dict of headers an empty Headers, as for None)
            or (headers is not None and (headers or type(headers) not in _EMPTY_HEADER_TYPES))
            or type(self) is not Response
            or not (
                (type(content_type) is str and "\n" not in content_type and "\r" not in content_type)
                or (content_type is None and type(media_type) is str)
            )
        ):
            # Any other case, and werkzeug's own errors for unusual values: werkzeug's constructor.
            super().__init__(response, status, headers, mimetype, content_type, direct_passthrough)
            return
        if content_type is None:
            content_type = _content_type(media_type)  # type: ignore[arg-type]
        self.headers = new_headers = Headers()
        # The values here are already checked strings: appended to the Headers' own list.
        # (getattr/setattr by name, not __dict__: reading an object's __dict__ slows its later attributes)
        items: list[tuple[str, str]] = getattr(new_headers, HEADERS_LIST)
        items.append(("Content-Type", content_type))
        # What the status setter stores, from a checked status line; no close callbacks yet.
        setattr(self, RESPONSE_STATUS, status_line[0])
        setattr(self, RESPONSE_STATUS_CODE, status_line[1])
        setattr(self, RESPONSE_ON_CLOSE, [])
        self.direct_passthrough = direct_passthrough
        body_type = type(response)
        if body_type is str or body_type is bytes:
            data: bytes = response.encode() if body_type is str else response  # type: ignore[union-attr,assignment]
            self.response = [data]
            if self.automatically_set_content_length:
                items.append(("Content-Length", str(len(data))))
        elif response is None:
            self.response = []
        elif isinstance(response, (str, bytes, bytearray)):
            self.set_data(response)
        else:
            self.response = response

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        """Answer as a WSGI application: werkzeug's behaviour, without its generic steps when none applies
        (see :meth:`plain_answer`); every other response takes werkzeug's own path."""
        plain = self.plain_answer()
        if plain is None:
            return super().__call__(environ, start_response)
        start_response(self.status, plain[0])
        # A list has no close() and there are no callbacks: nothing for a ClosingIterator to do.
        return [] if environ["REQUEST_METHOD"] == "HEAD" else plain[1]

    def plain_answer(self) -> tuple[list[tuple[str, str]], list[bytes]] | None:
        """The WSGI headers and body werkzeug would answer for a common response, else ``None``.

        The common response (a buffered list of bytes, no ``Location``/``Content-Location`` header, no
        close callbacks, a status that has a body, werkzeug's own WSGI steps) needs none of werkzeug's
        per-response fixes but the ``Content-Length`` it adds. Both the WSGI call and the App's Lambda path
        answer it from here; ``None`` sends them to werkzeug's ``get_wsgi_response``.
        """
        body = self.response
        status_code = self.status_code
        if not (
            type(body) is list
            and not getattr(self, RESPONSE_ON_CLOSE)
            and not self.direct_passthrough
            and status_code >= 200
            and status_code not in (204, 304)
            and type(self).get_wsgi_response is _get_wsgi_response
            and type(self).get_wsgi_headers is _get_wsgi_headers
            and type(self).get_app_iter is _get_app_iter
            and type(self).iter_encoded is _iter_encoded
        ):
            return None
        response_headers = self.headers
        # to_wsgi_list() is list(headers): werkzeug's Headers iterates its own list.
        headers = (
            list(getattr(response_headers, HEADERS_LIST))
            if type(response_headers) is Headers
            else response_headers.to_wsgi_list()
        )
        content_length: str | None = None
        for name, value in headers:
            lower = name.lower()
            if lower in {"location", "content-location"}:
                return None  # werkzeug rewrites these (IRI to URI, absolute URL): its own path
            if lower == "content-length":
                content_length = value
        length = 0
        for chunk in body:
            if type(chunk) is not bytes:
                return None  # str items are encoded by werkzeug's path
            length += len(chunk)
        if content_length is None and self.automatically_set_content_length:
            headers.append(("Content-Length", str(length)))
        return headers, body


_EMPTY_HEADER_TYPES = (list, tuple, dict)
# The status line werkzeug computes for a known code (filled on use: nothing to do at import).
_STATUS_LINES: Memo[int, tuple[str, int]] = Memo(len(HTTP_STATUS_CODES))


def _status_line(code: int) -> tuple[str, int] | None:
    """``(status, status_code)`` as werkzeug sets them for a known code; ``None`` for an unknown one."""
    line = _STATUS_LINES.get(code)
    if line is None and code in HTTP_STATUS_CODES:
        line = _STATUS_LINES.remember(code, (f"{code} {HTTP_STATUS_CODES[code].upper()}", code))
    return line


_CONTENT_TYPES: Memo[str, str] = Memo(64)


def _content_type(mimetype: str) -> str:
    """``get_content_type(mimetype, "utf-8")``, checked as a header value; remembered for the usual few."""
    content_type = _CONTENT_TYPES.get(mimetype)
    if content_type is None:
        content_type = get_content_type(mimetype, "utf-8")
        Headers().set("Content-Type", content_type)  # werkzeug's ValueError for a line break
        _CONTENT_TYPES.remember(mimetype, content_type, len(mimetype))
    return content_type


_get_wsgi_response = Response.get_wsgi_response
_get_wsgi_headers = Response.get_wsgi_headers
_get_app_iter = Response.get_app_iter
_iter_encoded = Response.iter_encoded

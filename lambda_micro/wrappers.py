"""Request and Response: werkzeug's, plus routing facts, Lambda facts and JSON errors as JSON."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from http import HTTPStatus
from typing import IO, TYPE_CHECKING, Any, NoReturn, cast, overload

from werkzeug.datastructures import EnvironHeaders, Headers, ImmutableMultiDict
from werkzeug.exceptions import BadRequest
from werkzeug.http import HTTP_STATUS_CODES
from werkzeug.utils import cached_property, get_content_type
from werkzeug.wrappers.request import Request as _WerkzeugRequest
from werkzeug.wrappers.response import Response as _WerkzeugResponse

from . import json as _json
from .globals import _current_app_or_none

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment
    from werkzeug.routing import Rule

    from .identity import Identity

__all__ = ["MalformedJSON", "Request", "Response"]


class MalformedJSON(BadRequest):  # an HTTP error, named like werkzeug's
    """400 for a request body that is not valid JSON; always answered with a JSON error body."""

    #: The error renderer answers JSON for this error whatever the client's Accept header says.
    always_json = True


class _EnvironHeadersAttribute:
    """``request.headers``: werkzeug's ``EnvironHeaders(request.environ)``, made on first read (a request
    that reads no header does not pay for it), then a plain instance attribute (reads and assignments)."""

    @overload
    def __get__(self, request: None, owner: type | None = None) -> _EnvironHeadersAttribute: ...

    @overload
    def __get__(self, request: _WerkzeugRequest, owner: type | None = None) -> Headers: ...

    def __get__(
        self, request: _WerkzeugRequest | None, owner: type | None = None
    ) -> Headers | _EnvironHeadersAttribute:
        if request is None:
            return self
        headers = request.__dict__["headers"] = EnvironHeaders(request.environ)
        return headers


class Request(_WerkzeugRequest):
    """The request object (``lambda_micro.request``): werkzeug's Request with routing and Lambda facts.

    ``lambda_event``, ``lambda_context``, ``request_context`` and ``stage_variables`` come from the Lambda
    adapter; they are ``None`` when the app is not running under Lambda. ``identity`` is who made the
    request, read from the event's authorizer block.
    """

    json_module: Any = _json

    headers = _EnvironHeadersAttribute()

    #: The matched URL rule, or ``None`` when routing failed.
    url_rule: Rule | None = None
    #: The view arguments matched from the URL.
    view_args: dict[str, Any] | None = None
    #: The routing error (404, 405, redirect) raised while matching, if any.
    routing_exception: Exception | None = None

    # Set on this request only (the properties below fall back to the current app's config).
    _max_content_length: int | None = None
    _max_form_memory_size: int | None = None
    _max_form_parts: int | None = None

    def _limit(self, own: int | None, key: str, default: int | None) -> Any:
        """A limit set on this request, else the current app's config ``key``, else werkzeug's default."""
        if own is not None:
            return own
        app = _current_app_or_none()
        return app.config[key] if app is not None else default

    @property
    def max_content_length(self) -> int | None:
        """The body size limit (413 beyond it): set on the request, else the app's ``MAX_CONTENT_LENGTH``."""
        return self._limit(self._max_content_length, "MAX_CONTENT_LENGTH", None)  # type: ignore[no-any-return]

    @max_content_length.setter
    def max_content_length(self, value: int | None) -> None:
        self._max_content_length = value

    @property
    def max_form_memory_size(self) -> int | None:
        """The size limit of a non-file form field: set on the request, else ``MAX_FORM_MEMORY_SIZE``."""
        default = _WerkzeugRequest.max_form_memory_size
        return self._limit(self._max_form_memory_size, "MAX_FORM_MEMORY_SIZE", default)  # type: ignore[no-any-return]

    @max_form_memory_size.setter
    def max_form_memory_size(self, value: int | None) -> None:
        self._max_form_memory_size = value

    @property
    def max_form_parts(self) -> int:
        """The most fields a multipart form may have: set on the request, else ``MAX_FORM_PARTS``."""
        return self._limit(self._max_form_parts, "MAX_FORM_PARTS", _WerkzeugRequest.max_form_parts)  # type: ignore[no-any-return]

    @max_form_parts.setter
    def max_form_parts(self, value: int) -> None:
        self._max_form_parts = value

    def __init__(
        self, environ: WSGIEnvironment, populate_request: bool = True, shallow: bool = False
    ) -> None:
        """werkzeug's constructor (the same attributes from the environ), ASCII paths taken as they are."""
        get = environ.get
        root_path: str = get("SCRIPT_NAME") or ""
        path: str = get("PATH_INFO") or ""
        # What werkzeug's sansio constructor sets, in its order and with its normalisation.
        self.method = get("REQUEST_METHOD", "GET").upper()
        self.scheme = get("wsgi.url_scheme", "http")
        self.server = _server(environ)
        # werkzeug decodes PEP 3333 strings as UTF-8 bytes; an ASCII string is the same text.
        self.root_path = (root_path if root_path.isascii() else _wsgi_decoding_dance(root_path)).rstrip("/")
        self.path = "/" + (path if path.isascii() else _wsgi_decoding_dance(path)).lstrip("/")
        self.query_string = get("QUERY_STRING", "").encode("latin1")
        # (headers: werkzeug's EnvironHeaders(environ), made on first read; see _EnvironHeadersAttribute)
        self.remote_addr = get("REMOTE_ADDR")
        self.environ = environ
        self.shallow = shallow
        if populate_request and not shallow:
            environ["werkzeug.request"] = self

    @cached_property
    def args(self) -> ImmutableMultiDict[str, str]:
        """The parsed query string arguments (werkzeug's ``args``)."""
        query = self.query_string
        if self.parameter_storage_class is ImmutableMultiDict and b"%" not in query and b"+" not in query:
            # Nothing to unquote: what parse_qsl(keep_blank_values=True) gives, without its generic steps.
            # .decode() first, as werkzeug does (the same error for bytes that are not UTF-8).
            values: dict[str, list[str]] = {}
            for pair in query.decode().split("&"):
                if pair:
                    name, _, value = pair.partition("=")
                    found = values.get(name)
                    if found is None:
                        values[name] = [value]
                    else:
                        found.append(value)
            # A MultiDict is a dict of value lists: its constructor fills itself the same way.
            args: ImmutableMultiDict[str, str] = ImmutableMultiDict.__new__(ImmutableMultiDict)
            dict.update(args, values)
            return args
        return _werkzeug_args(self)

    @cached_property
    def stream(self) -> IO[bytes]:
        """The request body stream (werkzeug's ``stream``)."""
        environ = self.environ
        if not self.shallow and self.max_content_length is None and "wsgi.input_terminated" in environ:
            # What get_input_stream returns here: the server bounds the input, and there is no limit to
            # check (the Content-Length it parses first only matters against a limit).
            return environ["wsgi.input"]  # type: ignore[no-any-return]
        return _werkzeug_stream(self)

    @property
    def is_json(self) -> bool:
        """Whether the media type is ``application/json`` or ``application/*+json`` (werkzeug's rule)."""
        headers = self.headers
        if type(headers) is EnvironHeaders and "_parsed_content_type" not in self.__dict__:
            # werkzeug's verdict depends only on the Content-Type string: remembered per string.
            content_type = headers.environ.get("CONTENT_TYPE", "")
            verdict = _JSON_VERDICTS.get(content_type)
            if verdict is None:
                verdict = _werkzeug_is_json(self)
                if len(_JSON_VERDICTS) < _JSON_VERDICTS_LIMIT and len(content_type) <= _JSON_VERDICT_TEXT_MAX:
                    _JSON_VERDICTS[content_type] = verdict
            return verdict
        return _werkzeug_is_json(self)

    @property
    def endpoint(self) -> str | None:
        """The endpoint of the matched rule (``"index"``, ``"blog.show"``)."""
        return self.url_rule.endpoint if self.url_rule is not None else None

    @property
    def blueprint(self) -> str | None:
        """The full name of the blueprint that handles this request (``"parent.child"``), if any."""
        endpoint = self.endpoint
        if endpoint is not None and "." in endpoint:
            return endpoint.rpartition(".")[0]
        return None

    @property
    def blueprints(self) -> list[str]:
        """The blueprint names from innermost to outermost (``["parent.child", "parent"]``)."""
        name = self.blueprint
        if name is None:
            return []
        parts = name.split(".")
        return [".".join(parts[:i]) for i in range(len(parts), 0, -1)]

    @property
    def lambda_event(self) -> dict[str, Any] | None:
        """The raw Lambda event, or ``None`` outside Lambda."""
        return self.environ.get("lambda.event")

    @property
    def lambda_context(self) -> Any:
        """The Lambda context (``aws_request_id``, ``get_remaining_time_in_millis()``…), or ``None``."""
        return self.environ.get("lambda.context")

    @property
    def request_context(self) -> dict[str, Any] | None:
        """The event's ``requestContext`` (authorizer claims, request id…), or ``None`` outside Lambda."""
        return self.environ.get("lambda.request_context")

    @property
    def stage_variables(self) -> dict[str, Any] | None:
        """API Gateway stage variables, or ``None`` outside Lambda."""
        return self.environ.get("lambda.stage_variables")

    @property
    def identity(self) -> Identity:
        """Who made the request (:class:`~lambda_micro.identity.Identity`), from the event's authorizer.

        Computed on first access (a request that never reads it pays nothing), then kept. When the event
        carries no identity, the app's ``identity_loader`` may supply one (a login kept in the session).
        """
        identity: Identity | None = self.__dict__.get("_identity")
        if identity is None:
            from .identity import identity_of_request  # noqa: PLC0415 - only for requests that ask

            identity = self.__dict__["_identity"] = identity_of_request(self, _current_app_or_none())
        return identity

    def on_json_loading_failed(self, e: ValueError | None) -> NoReturn:
        """Malformed JSON → :class:`MalformedJSON` (400, JSON body); wrong Content-Type → 415."""
        if e is not None:
            raise MalformedJSON(f"Failed to decode JSON object: {e}")
        super().on_json_loading_failed(e)
        raise AssertionError("unreachable")  # pragma: no cover - the base method always raises


# werkzeug's own ``args`` computation (its cached_property is a property).
_werkzeug_args = cast(
    "Callable[[_WerkzeugRequest], ImmutableMultiDict[str, str]]", cast("property", _WerkzeugRequest.args).fget
)


_werkzeug_stream = cast(
    "Callable[[_WerkzeugRequest], IO[bytes]]", cast("property", _WerkzeugRequest.stream).fget
)


_werkzeug_is_json = cast(
    "Callable[[_WerkzeugRequest], bool]", cast("property", _WerkzeugRequest.is_json).fget
)
# Content-Type -> is_json. The header is client-controlled: bounded, and so is what each entry may hold.
_JSON_VERDICTS: dict[str, bool] = {}
_JSON_VERDICTS_LIMIT = 64
_JSON_VERDICT_TEXT_MAX = 256


def _server(environ: WSGIEnvironment) -> tuple[str, int | None] | None:
    """werkzeug's ``(SERVER_NAME, int(SERVER_PORT))``, the port ``None`` when it is not a number."""
    name = environ.get("SERVER_NAME")
    if name is None:
        return None
    try:
        port: int | None = int(environ.get("SERVER_PORT", None))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        port = None
    return name, port


def _wsgi_decoding_dance(value: str) -> str:
    return value.encode("latin1").decode(errors="replace")


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
        # Headers keeps its (name, value) pairs in _list; the values here are already checked strings.
        items = new_headers._list
        items.append(("Content-Type", content_type))
        self._status, self._status_code = status_line
        self.direct_passthrough = direct_passthrough
        self._on_close = []
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
        """Answer as a WSGI application: werkzeug's behaviour, without its generic steps when none applies.

        The common response (a buffered list of bytes, no ``Location``/``Content-Location`` header, no
        close callbacks, a status that has a body) needs none of werkzeug's per-response fixes but the
        ``Content-Length`` it adds; every other response, and any subclass that overrides a step, takes
        werkzeug's own path.
        """
        body = self.response
        status_code = self.status_code
        if (
            type(body) is list
            and not self._on_close
            and not self.direct_passthrough
            and status_code >= 200
            and status_code not in (204, 304)
            and type(self).get_wsgi_response is _get_wsgi_response
            and type(self).get_wsgi_headers is _get_wsgi_headers
            and type(self).get_app_iter is _get_app_iter
            and type(self).iter_encoded is _iter_encoded
        ):
            response_headers = self.headers
            # to_wsgi_list() is list(headers): werkzeug's Headers iterates its _list.
            headers = (
                list(response_headers._list)
                if type(response_headers) is Headers
                else response_headers.to_wsgi_list()
            )
            content_length: str | None = None
            for name, value in headers:
                lower = name.lower()
                if lower in {"location", "content-location"}:
                    break  # werkzeug rewrites these (IRI to URI, absolute URL): its own path
                if lower == "content-length":
                    content_length = value
            else:
                length = 0
                for chunk in body:
                    if type(chunk) is not bytes:
                        break  # str items are encoded by werkzeug's path
                    length += len(chunk)
                else:
                    if content_length is None and self.automatically_set_content_length:
                        headers.append(("Content-Length", str(length)))
                    start_response(self.status, headers)
                    # A list has no close() and there are no callbacks: nothing for a ClosingIterator to do.
                    return [] if environ["REQUEST_METHOD"] == "HEAD" else body
        return super().__call__(environ, start_response)


_EMPTY_HEADER_TYPES = (list, tuple, dict)
# The status line werkzeug computes for a known code (filled on use: nothing to do at import).
_STATUS_LINES: dict[int, tuple[str, int]] = {}


def _status_line(code: int) -> tuple[str, int] | None:
    """``(status, status_code)`` as werkzeug sets them for a known code; ``None`` for an unknown one."""
    line = _STATUS_LINES.get(code)
    if line is None and code in HTTP_STATUS_CODES:
        line = _STATUS_LINES[code] = (f"{code} {HTTP_STATUS_CODES[code].upper()}", code)
    return line


_CONTENT_TYPES: dict[str, str] = {}
_CONTENT_TYPES_LIMIT = 64


def _content_type(mimetype: str) -> str:
    """``get_content_type(mimetype, "utf-8")``, checked as a header value; remembered for the usual few."""
    content_type = _CONTENT_TYPES.get(mimetype)
    if content_type is None:
        content_type = get_content_type(mimetype, "utf-8")
        Headers().set("Content-Type", content_type)  # werkzeug's ValueError for a line break
        if len(_CONTENT_TYPES) < _CONTENT_TYPES_LIMIT:
            _CONTENT_TYPES[mimetype] = content_type
    return content_type


_get_wsgi_response = Response.get_wsgi_response
_get_wsgi_headers = Response.get_wsgi_headers
_get_app_iter = Response.get_app_iter
_iter_encoded = Response.iter_encoded

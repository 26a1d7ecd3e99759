"""Request and Response: werkzeug's, plus routing facts, Lambda facts and JSON errors as JSON.

The Request is werkzeug's *sansio* Request (what a request is, with no I/O), carrying werkzeug's WSGI
Request API (body, form and file parsing, the environ helpers) as attributes taken from
``werkzeug.wrappers.request`` on first use: a Lambda function that parses no form never imports werkzeug's
form parser. The Response is werkzeug's WSGI Response (``lambda_micro._response``, re-exported here).
"""

from __future__ import annotations

from collections.abc import Callable
from io import BytesIO
from typing import IO, TYPE_CHECKING, Any, NoReturn, cast, overload

from werkzeug.datastructures import EnvironHeaders, Headers, ImmutableMultiDict
from werkzeug.exceptions import BadRequest
from werkzeug.sansio.request import Request as _SansIORequest
from werkzeug.utils import cached_property

from . import json as _json
from ._memo import Memo
from ._response import Response
from .adapter.environ import PENDING, complete_environ
from .globals import _current_app_or_none

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIEnvironment
    from werkzeug.routing import Rule
    from werkzeug.wrappers.request import Request as _WSGIRequest

    from .identity import Identity

    # For type checkers the base is werkzeug's WSGI Request, whose attributes the class carries.
    _RequestBase = _WSGIRequest
else:
    _RequestBase = _SansIORequest

__all__ = ["MalformedJSON", "Request", "Response"]


class MalformedJSON(BadRequest):  # an HTTP error, named like werkzeug's
    """400 for a request body that is not valid JSON; always answered with a JSON error body."""

    #: The error renderer answers JSON for this error whatever the client's Accept header says.
    always_json = True


def _wsgi_request_class() -> type[_WSGIRequest]:
    """werkzeug's WSGI Request, imported on first use (with werkzeug's form parser)."""
    from werkzeug.wrappers.request import Request as WSGIRequest  # noqa: PLC0415 - the point: on first use

    return WSGIRequest


class _WSGIRequestAttribute:
    """An attribute of werkzeug's WSGI Request, taken from it on first use: the first read imports
    ``werkzeug.wrappers.request`` and puts werkzeug's own attribute in this one's place on the class, so
    later reads are werkzeug's, with nothing in between."""

    def __set_name__(self, owner: type, name: str) -> None:
        self.owner = owner
        self.name = name

    def __get__(self, instance: object, owner: type | None = None) -> Any:
        original = _wsgi_request_class().__dict__[self.name]
        setattr(self.owner, self.name, original)
        get = getattr(original, "__get__", None)
        return get(instance, owner if owner is not None else type(instance)) if get is not None else original


class _EnvironHeadersAttribute:
    """``request.headers``: werkzeug's ``EnvironHeaders(request.environ)``, made on first read (a request
    that reads no header does not pay for it), then a plain instance attribute (reads and assignments)."""

    @overload
    def __get__(self, request: None, owner: type | None = None) -> _EnvironHeadersAttribute: ...

    @overload
    def __get__(self, request: Request, owner: type | None = None) -> Headers: ...

    def __get__(
        self, request: Request | None, owner: type | None = None
    ) -> Headers | _EnvironHeadersAttribute:
        if request is None:
            return self
        headers = request.__dict__["headers"] = EnvironHeaders(request._cgi)
        return headers


class _ServerAttribute:
    """``request.server``: werkzeug's ``(SERVER_NAME, int(SERVER_PORT))``, read from the environ on first
    read (only the host of a request without a Host header and URL building need it), then a plain
    instance attribute (reads and assignments)."""

    @overload
    def __get__(self, request: None, owner: type | None = None) -> _ServerAttribute: ...

    @overload
    def __get__(self, request: Request, owner: type | None = None) -> tuple[str, int | None] | None: ...

    def __get__(
        self, request: Request | None, owner: type | None = None
    ) -> tuple[str, int | None] | _ServerAttribute | None:
        if request is None:
            return self
        server = request.__dict__["server"] = _server(request._cgi)
        return server


class _EnvironAttribute:
    """``request.environ`` of a request the App's Lambda door made from a lazily built environ (see
    ``lambda_micro.adapter.environ.PENDING``): completed on first read, then a plain instance attribute,
    the same dict as before. A request made from a complete environ has it as an instance attribute
    from the start, and never reaches this."""

    @overload
    def __get__(self, request: None, owner: type | None = None) -> _EnvironAttribute: ...

    @overload
    def __get__(self, request: Request, owner: type | None = None) -> WSGIEnvironment: ...

    def __get__(
        self, request: Request | None, owner: type | None = None
    ) -> WSGIEnvironment | _EnvironAttribute:
        if request is None:
            return self
        environ = request.environ = complete_environ(request._cgi)
        if request._populate and not request.shallow:
            environ["werkzeug.request"] = request  # what werkzeug's constructor does, done now
        return environ


class Request(_RequestBase):
    """The request object (``lambda_micro.request``): werkzeug's Request with routing and Lambda facts.

    werkzeug's sansio Request, with the API of werkzeug's WSGI Request (``form``, ``files``, ``data``,
    ``get_data()``, ``get_json()``, ``values``, ``url_root``, ``from_values()``...) loaded on first use (see
    the module docstring); ``isinstance(request, werkzeug.wrappers.Request)`` is therefore false.

    ``lambda_event``, ``lambda_context``, ``request_context`` and ``stage_variables`` come from the Lambda
    adapter; they are ``None`` when the app is not running under Lambda. ``identity`` is who made the
    request, read from the event's authorizer block.
    """

    json_module: Any = _json
    _cached_json: tuple[Any, Any] = (Ellipsis, Ellipsis)  # werkzeug's "not loaded yet" marker

    if not TYPE_CHECKING:  # werkzeug's WSGI Request attributes, each loaded on first use
        form_data_parser_class = _WSGIRequestAttribute()
        from_values = _WSGIRequestAttribute()
        application = _WSGIRequestAttribute()
        _get_file_stream = _WSGIRequestAttribute()
        want_form_data_parsed = _WSGIRequestAttribute()
        make_form_data_parser = _WSGIRequestAttribute()
        _load_form_data = _WSGIRequestAttribute()
        _get_stream_for_parsing = _WSGIRequestAttribute()
        close = _WSGIRequestAttribute()
        __enter__ = _WSGIRequestAttribute()
        __exit__ = _WSGIRequestAttribute()
        input_stream = _WSGIRequestAttribute()
        data = _WSGIRequestAttribute()
        get_data = _WSGIRequestAttribute()
        form = _WSGIRequestAttribute()
        values = _WSGIRequestAttribute()
        files = _WSGIRequestAttribute()
        script_root = _WSGIRequestAttribute()
        url_root = _WSGIRequestAttribute()
        remote_user = _WSGIRequestAttribute()
        is_multithread = _WSGIRequestAttribute()
        is_multiprocess = _WSGIRequestAttribute()
        is_run_once = _WSGIRequestAttribute()
        json = _WSGIRequestAttribute()
        get_json = _WSGIRequestAttribute()

    headers = _EnvironHeadersAttribute()
    server = _ServerAttribute()
    if not TYPE_CHECKING:
        environ = _EnvironAttribute()

    # The environ's keys the framework reads for every request: the environ itself, or for the App's
    # Lambda door the environ before its remaining keys are filled in (the same dict, see _EnvironAttribute).
    _cgi: WSGIEnvironment
    # Whether a lazily completed environ refers back to the request (werkzeug's populate_request).
    _populate: bool = True

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
        own = self._max_form_memory_size
        if own is None and _current_app_or_none() is None:
            return _wsgi_request_class().max_form_memory_size
        return self._limit(own, "MAX_FORM_MEMORY_SIZE", None)  # type: ignore[no-any-return]

    @max_form_memory_size.setter
    def max_form_memory_size(self, value: int | None) -> None:
        self._max_form_memory_size = value

    @property
    def max_form_parts(self) -> int:
        """The most fields a multipart form may have: set on the request, else ``MAX_FORM_PARTS``."""
        own = self._max_form_parts
        if own is None and _current_app_or_none() is None:
            return _wsgi_request_class().max_form_parts
        return self._limit(own, "MAX_FORM_PARTS", None)  # type: ignore[no-any-return]

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
        # (server: werkzeug's (SERVER_NAME, SERVER_PORT), read on first use; see _ServerAttribute)
        # werkzeug decodes PEP 3333 strings as UTF-8 bytes; an ASCII string is the same text.
        self.root_path = (root_path if root_path.isascii() else _wsgi_decoding_dance(root_path)).rstrip("/")
        self.path = "/" + (path if path.isascii() else _wsgi_decoding_dance(path)).lstrip("/")
        self.query_string = get("QUERY_STRING", "").encode("latin1")
        # (headers: werkzeug's EnvironHeaders(environ), made on first read; see _EnvironHeadersAttribute)
        pending = get(PENDING)
        if pending is None:
            self.remote_addr = get("REMOTE_ADDR")
            self.environ = environ
        else:  # the App's Lambda door: the rest of the environ on first read (see _EnvironAttribute)
            self.remote_addr = pending[0] or None
        self.shallow = shallow
        self._cgi = environ
        if pending is None:
            if populate_request and not shallow:
                environ["werkzeug.request"] = self
        elif not populate_request:
            self._populate = False

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
        environ = self._cgi
        if not self.shallow and self.max_content_length is None and "wsgi.input_terminated" in environ:
            # What get_input_stream returns here: the server bounds the input, and there is no limit to
            # check (the Content-Length it parses first only matters against a limit).
            stream: IO[bytes] | None = environ["wsgi.input"]
            if stream is None and PENDING in environ:
                # A lazily built environ: its body stream made now, and kept there for the environ.
                stream = environ["wsgi.input"] = BytesIO(environ[PENDING][4])
            return stream  # type: ignore[return-value]
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
                verdict = _JSON_VERDICTS.remember(content_type, _werkzeug_is_json(self), len(content_type))
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

    def _lambda_fact(self, index: int, key: str) -> Any:  # (Any: the properties below name the types)
        """The environ's ``key``, or its value still pending in a lazily built one (read without
        completing it)."""
        environ = self._cgi
        pending = environ.get(PENDING)
        return pending[index] if pending is not None else environ.get(key)

    @property
    def lambda_event(self) -> dict[str, Any] | None:
        """The raw Lambda event, or ``None`` outside Lambda."""
        return self._lambda_fact(5, "lambda.event")  # type: ignore[no-any-return]

    @property
    def lambda_context(self) -> Any:
        """The Lambda context (``aws_request_id``, ``get_remaining_time_in_millis()``…), or ``None``."""
        return self._lambda_fact(6, "lambda.context")

    @property
    def request_context(self) -> dict[str, Any] | None:
        """The event's ``requestContext`` (authorizer claims, request id…), or ``None`` outside Lambda."""
        return self._lambda_fact(7, "lambda.request_context")  # type: ignore[no-any-return]

    @property
    def stage_variables(self) -> dict[str, Any] | None:
        """API Gateway stage variables, or ``None`` outside Lambda."""
        return self._lambda_fact(8, "lambda.stage_variables")  # type: ignore[no-any-return]

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
        _wsgi_request_class().on_json_loading_failed(self, e)
        raise AssertionError("unreachable")  # pragma: no cover - the base method always raises


# werkzeug's own ``args`` and ``is_json`` computations (its cached_property is a property).
_werkzeug_args = cast(
    "Callable[[_SansIORequest], ImmutableMultiDict[str, str]]", cast("property", _SansIORequest.args).fget
)
_werkzeug_is_json = cast("Callable[[_SansIORequest], bool]", cast("property", _SansIORequest.is_json).fget)


def _werkzeug_stream(request: Request) -> IO[bytes]:
    """werkzeug's own ``stream`` computation (of its WSGI Request, loaded on first use)."""
    stream = cast("property", _wsgi_request_class().__dict__["stream"]).fget
    assert stream is not None
    return cast("IO[bytes]", stream(request))


# Content-Type -> is_json (the header is client-controlled).
_JSON_VERDICTS: Memo[str, bool] = Memo(64)


def _server(environ: WSGIEnvironment) -> tuple[str, int | None] | None:
    """werkzeug's ``(SERVER_NAME, int(SERVER_PORT))``, the port ``None`` when it is not a number (read
    from a lazily built environ without completing it)."""
    name = environ.get("SERVER_NAME")
    if name is None:
        return None
    pending = environ.get(PENDING)
    try:
        port: int | None = int(pending[2] if pending is not None else environ.get("SERVER_PORT", None))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        port = None
    return name, port


def _wsgi_decoding_dance(value: str) -> str:
    return value.encode("latin1").decode(errors="replace")

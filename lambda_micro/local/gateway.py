"""The local gateway: a WSGI app serving a SAM template's functions the way API Gateway does.

For each request it matches a route (:mod:`.routing`), builds the event API Gateway would send with the test
kit's ``build_event`` (the one event builder), runs the function's handler in-process with a Lambda context
honouring the function's ``Timeout``, validates the result with ``parse_result`` and answers with it, or with
the error API Gateway itself would give:

=============================================  ===========================  ============================
what happened                                  REST API                     HTTP API
=============================================  ===========================  ============================
no route                                       403 Missing Authentication   404 Not Found
handler raised / timed out / could not import  502 Internal server error    500 Internal Server Error
result API Gateway rejects                     502 Internal server error    500 Internal Server Error
API's integration limit (29 s / 30 s) passed   504 Endpoint request timed   503 Service Unavailable
=============================================  ===========================  ============================

Every request gives one log line (method, path, function, status, milliseconds); a failure adds a line that
names the problem. Requests are served concurrently; each invocation gets its own event, context and
thread, and each function its own modules and environment (the loader keeps them apart).
"""

from __future__ import annotations

import base64
import binascii
import errno
import json
import logging
import socket
import threading
import time
import traceback
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlsplit

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server
from werkzeug.wsgi import get_input_stream

from lambda_micro.adapter.result import reason_phrase

from .events import build_event
from .functions import FunctionLoadError, FunctionUnloaded, LoadedFunction, lambda_context, load_function
from .results import InvalidResult, parse_result
from .routing import GatewayError, Match, Miss, RouteTable, api_error, media_type_matches, parse_accept_first
from .template import Function, SamTemplate, TemplateError, load_template

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

__all__ = [
    "INTEGRATION_TIMEOUT",
    "EnvVarsError",
    "GatewayResponse",
    "GatewayStartError",
    "GatewayState",
    "Invocation",
    "LocalGateway",
    "LocalServer",
    "apply_env_vars",
    "default_event",
    "error_payload",
    "function_with_env_vars",
    "invoke",
    "load_env_vars",
    "load_state",
    "request_event",
]

logger = logging.getLogger("lambda_micro.local")

#: API Gateway's own limits on how long it waits for a Lambda integration, in seconds.
INTEGRATION_TIMEOUT = {"rest": 29.0, "http": 30.0}

#: Hop-by-hop headers (RFC 9110 §7.6.1) never pass through a gateway; Content-Length is recomputed.
_HOP_BY_HOP = frozenset(
    {"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailer", "trailers",
     "transfer-encoding", "upgrade", "content-length"}
)  # fmt: skip

#: Request headers that describe the client's connection, not the request; API Gateway does not forward them.
_HOP_BY_HOP_REQUEST = frozenset(
    {"connection", "keep-alive", "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade"}
)

RAW_HEADERS_KEY = "lambda_micro.raw_headers"


class EnvVarsError(Exception):
    """An ``--env-vars`` file that cannot be used (message names the file and the problem)."""


class GatewayStartError(Exception):
    """The gateway could not start listening (port in use, unknown host...)."""


# -- environment overrides (SAM's --env-vars format) ------------------------------------------------------


def load_env_vars(path: str | Path) -> dict[str, dict[str, str]]:
    """Read a SAM ``--env-vars`` JSON file: ``{"FunctionId": {"VAR": "v"}, "Parameters": {"VAR": "v"}}``.

    Values may be strings, numbers or booleans (written as JSON spells them: ``true``, ``3``); ``null`` and
    nested values are refused, naming the function and variable.
    """
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise EnvVarsError(f"{path}: cannot read the env-vars file: {exc.strerror or exc}") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise EnvVarsError(f"{path}: not valid JSON: {exc}") from None
    if not isinstance(data, dict):
        raise EnvVarsError(f'{path}: expected an object like {{"FunctionId": {{"VAR": "value"}}}}')
    result: dict[str, dict[str, str]] = {}
    for section, variables in data.items():
        if not isinstance(variables, dict):
            raise EnvVarsError(
                f"{path}: {section}: expected an object of variables, got {type(variables).__name__}"
            )
        values: dict[str, str] = {}
        for name, value in variables.items():
            if isinstance(value, bool):
                values[name] = "true" if value else "false"
            elif isinstance(value, str | int | float):
                values[name] = str(value)
            else:
                raise EnvVarsError(f"{path}: {section}.{name}: expected a string, number or boolean")
        result[str(section)] = values
    return result


def apply_env_vars(
    function: Function, env_vars: Mapping[str, Mapping[str, str]] | None
) -> tuple[Function, list[str]]:
    """``function`` with SAM's env-vars overrides applied, and the variables ignored.

    As ``sam local`` does: ``Parameters`` applies to every function, the function's own section wins over
    it, and only variables the template declares in the function's ``Environment`` are overridden (a
    variable the deployed function would not have is ignored, and reported).
    """
    if not env_vars:
        return function, []
    overrides = {**env_vars.get("Parameters", {}), **env_vars.get(function.logical_id, {})}
    if not overrides:
        return function, []
    declared = function.environment
    ignored = sorted(name for name in overrides if name not in declared)
    environment = {**declared, **{k: v for k, v in overrides.items() if k in declared}}
    return replace(function, environment=environment), ignored


def function_with_env_vars(function: Function, env_vars: Mapping[str, Mapping[str, str]] | None) -> Function:
    """:func:`apply_env_vars`, logging a warning that names the variables it ignored."""
    updated, ignored = apply_env_vars(function, env_vars)
    if ignored:
        logger.warning(
            "env-vars: %s does not declare %s in its Environment; ignored (as sam local does)",
            function.logical_id,
            ", ".join(ignored),
        )
    return updated


# -- state: the template, its routes and its loaded functions --------------------------------------------


@dataclass(frozen=True)
class GatewayState:
    """What one version of the template serves; swapped whole on reload."""

    template: SamTemplate
    table: RouteTable
    functions: Mapping[str, LoadedFunction]
    #: Functions that could not be loaded (only after a reload): id → the loader's message.
    load_errors: Mapping[str, str] = field(default_factory=dict)

    @property
    def watch_paths(self) -> list[Path]:
        """The template file, every function's code folder and the folders of their layers."""
        paths = [self.template.path]
        paths.extend(fn.code_uri for fn in self.template.functions.values())
        for fn in self.template.functions.values():
            paths.extend(layer.content_uri for layer in fn.template_layers if layer.content_uri not in paths)
        return paths


def load_state(
    template_path: str | Path,
    *,
    parameter_overrides: Mapping[str, str] | None = None,
    env_vars: Mapping[str, Mapping[str, str]] | None = None,
    extra_env: Mapping[str, str] | None = None,
    region: str = "us-east-1",
    strict: bool = True,
) -> GatewayState:
    """Read the template, build the route table and load every function.

    ``strict`` (start-up) raises the first ``FunctionLoadError``; otherwise (reload) a function that does
    not import answers 502/500 with its error logged, while the others keep working, as on AWS.
    Raises ``TemplateError`` for a template that cannot be used.
    """

    template = load_template(template_path, parameter_overrides=parameter_overrides, region=region)
    try:
        table = RouteTable(template.routes)
    except ValueError as exc:
        raise TemplateError(str(exc), path=template.path) from None
    functions: dict[str, LoadedFunction] = {}
    errors: dict[str, str] = {}
    if env_vars:
        for section in env_vars:
            if section != "Parameters" and section not in template.functions:
                logger.warning(
                    "env-vars: no function %r in %s; its section is ignored", section, template.path
                )
    for logical_id, declared in template.functions.items():
        function = function_with_env_vars(declared, env_vars)
        try:
            functions[logical_id] = load_function(function, extra_env=extra_env, region=region)
        except FunctionLoadError as exc:
            if strict:
                for loaded in functions.values():
                    loaded.unload()
                raise
            errors[logical_id] = str(exc)
    return GatewayState(template=template, table=table, functions=functions, load_errors=errors)


# -- invoking a function -----------------------------------------------------------------------------------


@dataclass
class Invocation:
    """How one invocation ended."""

    result: object = None
    error: BaseException | None = None
    timed_out: bool = False  # the function's own Timeout passed (Lambda's "Task timed out")
    integration_timed_out: bool = False  # API Gateway's integration limit passed first
    duration_ms: float = 0.0


def invoke(
    loaded: LoadedFunction, event: Mapping[str, Any], context: Any, *, limit: float | None = None
) -> Invocation:
    """Run the handler in its own thread; stop waiting at the function's Timeout or at ``limit`` seconds.

    Raises :class:`FunctionUnloaded` when ``loaded`` was unloaded before the call.

    A Python thread cannot be killed: after a timeout the handler keeps running in the background until it
    returns (its result is dropped), as a Lambda invocation would until the sandbox is frozen.
    """
    timeout = float(loaded.function.timeout)
    wait = timeout if limit is None else min(timeout, limit)
    outcome = Invocation()
    done = threading.Event()
    # Held from here until the handler returns, even after a timeout: a reload never unloads the code
    # under an invocation that is still running (FunctionUnloaded when it was unloaded before this call).
    if not loaded.acquire():
        raise FunctionUnloaded(f"{loaded.function.logical_id} was unloaded (its code was reloaded)")

    def run() -> None:
        try:
            outcome.result = loaded.invoke(dict(event), context)
        except BaseException as exc:  # SystemExit in a handler is an error too, as on Lambda
            outcome.error = exc
        finally:
            loaded.release()
            done.set()

    started = time.perf_counter()
    worker = threading.Thread(target=run, name=f"lambda:{loaded.function.logical_id}", daemon=True)
    worker.start()
    finished = done.wait(wait)
    outcome.duration_ms = (time.perf_counter() - started) * 1000
    if not finished:
        if limit is not None and limit < timeout:
            return Invocation(integration_timed_out=True, duration_ms=outcome.duration_ms)
        return Invocation(timed_out=True, duration_ms=outcome.duration_ms)
    return outcome


def error_payload(exc: BaseException) -> dict[str, Any]:
    """What the Lambda runtime reports for a handler exception (``errorMessage``, ``errorType``, ...)."""
    return {
        "errorMessage": str(exc),
        "errorType": type(exc).__name__,
        "stackTrace": traceback.format_list(traceback.extract_tb(exc.__traceback__)),
    }


# -- the WSGI app ------------------------------------------------------------------------------------------


@dataclass
class GatewayResponse:
    """A response the gateway gives: from the function, or API Gateway's own error."""

    status: int
    headers: list[tuple[str, str]]
    body: bytes
    function_id: str | None = None


@dataclass
class _Request:
    method: str
    path: str  # percent-encoded, as on the request line
    query: str  # raw query string
    headers: list[tuple[str, str]]
    body: bytes
    source_ip: str
    port: int | None
    scheme: str


def _status_line(status: int) -> str:
    return f"{status} {reason_phrase(status)}"


def _headers_from_environ(environ: WSGIEnvironment) -> list[tuple[str, str]]:
    raw = environ.get(RAW_HEADERS_KEY)
    if raw is not None:
        return list(raw)
    headers: list[tuple[str, str]] = []
    for key, value in environ.items():
        if key.startswith("HTTP_"):
            name = "-".join(part.capitalize() for part in key[5:].split("_"))
            headers.append((name, value))
        elif key in ("CONTENT_TYPE", "CONTENT_LENGTH") and value:
            headers.append((key.replace("_", "-").title(), value))
    return headers


def _request_from_environ(environ: WSGIEnvironment) -> _Request:
    raw_uri = environ.get("RAW_URI") or environ.get("REQUEST_URI")
    if raw_uri:
        if not raw_uri.startswith("/"):  # absolute-form request target: "http://host/path?q"
            parts = urlsplit(raw_uri)
            raw_uri = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        path, _, query = raw_uri.partition("?")
    else:
        script = environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", "")
        path = quote(script.encode("latin-1"), safe="/:@!$&'()*+,;=-._~") or "/"
        query = environ.get("QUERY_STRING", "")
    body = get_input_stream(environ).read()
    port = environ.get("SERVER_PORT")
    return _Request(
        method=environ["REQUEST_METHOD"].upper(),
        path=path or "/",
        query=query,
        headers=_headers_from_environ(environ),
        body=body,
        source_ip=environ.get("REMOTE_ADDR") or "127.0.0.1",
        port=int(port) if port and str(port).isdigit() else None,
        scheme=environ.get("wsgi.url_scheme", "http"),
    )


class LocalGateway:
    """The WSGI app: ``LocalGateway(state)``; ``swap(new_state)`` replaces what it serves atomically."""

    def __init__(self, state: GatewayState, *, log: logging.Logger | None = None) -> None:
        self._state = state
        self.log = log or logger

    @property
    def state(self) -> GatewayState:
        """What is being served now."""
        return self._state

    def swap(self, state: GatewayState, *, unload: bool = True) -> GatewayState:
        """Serve ``state`` from the next request on; return the previous state.

        Requests under way finish on the old functions, whose modules are forgotten when the last of them
        returns (``unload=False``: never), so a reload does not leak a copy of every function each time.
        """
        previous, self._state = self._state, state  # one reference assignment: readers see old or new
        if unload:
            for function_id, function in previous.functions.items():
                if state.functions.get(function_id) is not function:
                    function.retire()
        return previous

    # -- WSGI ------------------------------------------------------------------------------------------------

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        started = time.perf_counter()
        request = _request_from_environ(environ)
        try:
            response = self.handle(request)
        except Exception as exc:  # a bug of ours must not look like the function's fault, nor kill the server
            self.log.exception("gateway error for %s %s", request.method, request.path)
            response = GatewayResponse(
                500, [("Content-Type", "text/plain; charset=utf-8")], f"local gateway error: {exc}\n".encode()
            )
        headers = [(k, v) for k, v in response.headers if k.lower() not in _HOP_BY_HOP]
        headers.append(("Content-Length", str(len(response.body))))
        start_response(_status_line(response.status), headers)
        elapsed = (time.perf_counter() - started) * 1000
        target = request.path + (f"?{request.query}" if request.query else "")
        self.log.info(
            "%s %s %s %d %.0f ms",
            request.method,
            target,
            response.function_id or "-",
            response.status,
            elapsed,
        )
        if request.method == "HEAD" or response.status in (204, 304) or 100 <= response.status < 200:
            return []
        return [response.body]

    # -- one request -----------------------------------------------------------------------------------------

    def handle(self, request: _Request) -> GatewayResponse:
        """Answer one request (no I/O: the WSGI layer reads the request and writes the response)."""
        state = self._state
        outcome = state.table.match(request.method, request.path)
        request_id = str(uuid.uuid4())
        if isinstance(outcome, Miss):
            return self._gateway_error(outcome.error, outcome.kind, request_id, None)
        route = outcome.route
        kind = route.api_kind
        function_id = route.function_id
        loaded = state.functions.get(function_id)
        if loaded is None:
            problem = state.load_errors.get(function_id, "the function is not loaded")
            self.log.error("%s: %s", function_id, problem)
            return self._gateway_error(api_error(kind, "function_error"), kind, request_id, function_id)
        event = request_event(state.template, request, outcome, request_id)
        context = lambda_context(loaded.function, request_id, region=state.template.region)
        try:
            invocation = invoke(loaded, event, context, limit=INTEGRATION_TIMEOUT[kind])
        except FunctionUnloaded:
            if self._state is not state:  # a reload retired it after this request read the old state
                return self.handle(request)
            raise
        if invocation.integration_timed_out:
            self.log.error(
                "%s: API Gateway stopped waiting after %.0f s (the integration limit; the function's Timeout "
                "is %d s)",
                function_id,
                INTEGRATION_TIMEOUT[kind],
                loaded.function.timeout,
            )
            return self._gateway_error(api_error(kind, "integration_timeout"), kind, request_id, function_id)
        if invocation.timed_out:
            self.log.error(
                "%s: Task timed out after %.2f seconds", function_id, float(loaded.function.timeout)
            )
            return self._gateway_error(api_error(kind, "function_error"), kind, request_id, function_id)
        if invocation.error is not None:
            exc = invocation.error
            self.log.error(
                "%s: the handler raised %s: %s",
                function_id,
                type(exc).__name__,
                exc,
                exc_info=(type(exc), exc, exc.__traceback__),
            )
            return self._gateway_error(api_error(kind, "function_error"), kind, request_id, function_id)
        return self._function_response(invocation.result, request, outcome, request_id)

    def _function_response(
        self, result: object, request: _Request, match: Match, request_id: str
    ) -> GatewayResponse:

        route = match.route
        kind = route.api_kind
        function_id = route.function_id
        if kind == "rest":
            result = _rest_binary_rule(result, request, tuple(getattr(route, "binary_media_types", ())))
        try:
            parsed = parse_result(result, route.payload)
        except InvalidResult as exc:
            self.log.error(
                "%s: %s rejects the result: %s",
                function_id,
                "REST API" if kind == "rest" else "HTTP API",
                exc,
            )
            return self._gateway_error(api_error(kind, "function_error"), kind, request_id, function_id)
        headers = list(parsed.headers)
        if kind == "rest" and not any(k.lower() == "content-type" for k, _ in headers):
            headers.append(
                ("Content-Type", "application/json")
            )  # REST APIs add it when the function does not
        headers.extend(_request_id_headers(kind, request_id))
        return GatewayResponse(parsed.status, headers, parsed.body, function_id)

    def _gateway_error(
        self, error: GatewayError, kind: str, request_id: str, function_id: str | None
    ) -> GatewayResponse:
        return GatewayResponse(
            error.status, [*error.headers, *_request_id_headers(kind, request_id)], error.body, function_id
        )


def request_event(template: SamTemplate, request: _Request, match: Match, request_id: str) -> dict[str, Any]:
    """The event API Gateway would send for ``request`` matched to ``match`` (built by ``build_event``)."""

    route = match.route
    headers = _forwarded_headers(request)
    host = next((v for k, v in headers if k.lower() == "host"), None)
    domain_name = host.rsplit(":", 1)[0] if host and not host.endswith("]") else host
    api = template.apis.get(route.api_id)
    event = build_event(
        request.method,
        match.path,
        payload=route.payload,
        query=request.query,
        headers=headers,
        body=request.body or None,  # no body is null in the event, as API Gateway sends it
        stage=route.stage,
        resource=match.resource,
        path_parameters=match.path_parameters,
        route_key=match.route_key,
        source_ip=request.source_ip,
        domain_name=domain_name,
        binary_media_types=tuple(getattr(route, "binary_media_types", ())),
        request_id=request_id,
        api_kind=route.api_kind,
        api_id=api.api_id if api is not None else None,
        scheme=request.scheme,
        port=request.port,
    )
    if match.stage_prefix and route.api_kind == "rest":
        # On the API's own URL the stage is part of the path (HTTP API events always carry it).
        _put_stage_prefix(event, match.stage_prefix)
    return event


def default_event(template: SamTemplate, function_id: str) -> dict[str, Any]:
    """A GET request to ``function_id``'s first GET (or ANY) route, as API Gateway would send it.

    Path parameters are filled with their names (``/posts/{slug}`` → ``/posts/slug``); the event uses the
    API's ``execute-api`` host. Raises ``ValueError`` when the function has no API route.
    """
    function = template.function(function_id)
    if not function.routes:
        raise ValueError(f"{function_id} has no Api or HttpApi event; pass an event with --event")
    route = next((r for r in function.routes if r.method.upper() in ("GET", "ANY")), function.routes[0])
    method = "GET" if route.method.upper() in ("GET", "ANY") else route.method.upper()
    if route.is_default_route:
        path = "/"
    else:
        segments = [seg[1:-1].rstrip("+") if seg.startswith("{") else seg for seg in route.path.split("/")]
        path = "/".join(segments) or "/"
    outcome = RouteTable([route]).match(method, path)
    if not isinstance(outcome, Match):  # pragma: no cover - a route always matches its own filled-in path
        raise ValueError(f"{function_id}: cannot build a request for {route.method} {route.path}")
    request = _Request(
        method=method,
        path=path,
        query="",
        headers=[("Accept", "*/*"), ("User-Agent", "lambda-micro invoke")],
        body=b"",
        source_ip="127.0.0.1",
        port=None,
        scheme="https",
    )
    return request_event(template, request, outcome, str(uuid.uuid4()))


def _request_id_headers(kind: str, request_id: str) -> list[tuple[str, str]]:
    if kind == "rest":
        return [("x-amzn-RequestId", request_id)]
    return [("Apigw-Requestid", request_id)]


def _forwarded_headers(request: _Request) -> list[tuple[str, str]]:
    """The request's headers as API Gateway forwards them: the client's IP appended to ``X-Forwarded-For``.

    A client's ``X-Forwarded-Proto``/``-Port`` are replaced (``build_event`` adds the real ones) and
    hop-by-hop headers stay with the connection: the body reaches the function whole, so a
    ``Transfer-Encoding: chunked`` would only mislead the app into reading nothing.
    """
    # Content-Length too: build_event gives the length of the body actually read.
    dropped = {
        "x-forwarded-proto",
        "x-forwarded-port",
        "x-forwarded-for",
        "content-length",
        *_HOP_BY_HOP_REQUEST,
    }
    headers = [(k, v) for k, v in request.headers if k.lower() not in dropped]
    forwarded_for = [v for k, v in request.headers if k.lower() == "x-forwarded-for"]
    headers.append(("X-Forwarded-For", ", ".join([*forwarded_for, request.source_ip])))
    return headers


def _put_stage_prefix(event: dict[str, Any], prefix: str) -> None:
    """Make a REST event look as on the API's own URL: ``requestContext.path`` ``/Prod/x``, ``path`` ``/x``.

    The adapter then sets ``SCRIPT_NAME`` to ``/Prod``, so the app's links keep the stage.
    """
    context = event.get("requestContext")
    if isinstance(context, dict):
        context["path"] = prefix + str(event.get("path") or "/")  # the root is "/Prod/", as on AWS


def _rest_binary_rule(result: object, request: _Request, binary_media_types: Sequence[str]) -> object:
    """REST APIs decode a base64 result only when the request's first ``Accept`` type is a binary media type.

    Otherwise the client receives the base64 text, exactly as on AWS (a classic surprise, reproduced so it
    is found locally). HTTP APIs always decode.
    """
    if not isinstance(result, dict) or result.get("isBase64Encoded") is not True:
        return result
    accept = next((v for k, v in request.headers if k.lower() == "accept"), None)
    if media_type_matches(parse_accept_first(accept), binary_media_types):
        return result
    body = result.get("body")
    if isinstance(body, str):
        try:
            base64.b64decode(body, validate=True)
        except (binascii.Error, ValueError):
            return result  # let parse_result name the invalid base64
    logger.warning(
        "the result is base64-encoded but the request's Accept (%s) matches none of the API's "
        "BinaryMediaTypes %s: API Gateway returns the base64 text as is",
        accept or "absent",
        list(binary_media_types) or "(none)",
    )
    return {**result, "isBase64Encoded": False}


# -- the HTTP server ---------------------------------------------------------------------------------------


class _RequestHandler(WSGIRequestHandler):
    """werkzeug's handler, keeping the raw header list (order, case, repeats) and leaving logging to us."""

    server_version = "lambda-micro"

    def make_environ(self) -> WSGIEnvironment:
        environ = super().make_environ()
        environ[RAW_HEADERS_KEY] = list(self.headers.items())
        return environ

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        """The gateway logs one line per request itself."""


def _listening_socket(host: str, port: int) -> socket.socket:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        raise GatewayStartError(f"cannot listen on {host}:{port}: unknown host ({exc.strerror})") from None
    family, kind, proto, _, address = infos[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(128)
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise GatewayStartError(
                f"port {port} on {host} is already in use; stop the other program or pass --port"
            ) from None
        raise GatewayStartError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    return sock


class LocalServer:
    """A threaded HTTP server for a WSGI app on ``host:port`` (port 0: the OS picks a free one)."""

    def __init__(
        self, app: Callable[..., Iterable[bytes]], *, host: str = "127.0.0.1", port: int = 3000
    ) -> None:
        sock = _listening_socket(host, port)
        try:
            self._server: BaseWSGIServer = make_server(
                host,
                sock.getsockname()[1],
                app,
                threaded=True,
                request_handler=_RequestHandler,
                fd=sock.fileno(),
            )
        finally:
            sock.close()  # the server holds its own duplicate of the descriptor
        self.host = host
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        """The port actually listened on."""
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        """``http://host:port``."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def serve_forever(self) -> None:
        """Serve until :meth:`shutdown` (from another thread) or KeyboardInterrupt."""
        self._server.serve_forever(poll_interval=0.2)

    def start(self) -> None:
        """Serve in a daemon thread."""
        self._thread = threading.Thread(target=self.serve_forever, name="lambda-micro-gateway", daemon=True)
        self._thread.start()

    def shutdown(self) -> None:
        """Stop serving and close the socket."""
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join(timeout=5)
            self._thread = None
        self._server.server_close()

    def __enter__(self) -> LocalServer:
        self.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.shutdown()

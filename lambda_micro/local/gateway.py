"""The local gateway: one request pipeline, used by ``lambda-micro serve``, the test client and ``check``.

``LocalGateway.handle(request)`` takes a :class:`GatewayRequest` (method, raw path, headers, body, client
address) and returns a :class:`GatewayResponse`: API Gateway's quotas are checked, a route is matched
(:mod:`.routing`), the route's event is built (:func:`request_event`, the one ``route → event``
function, over :mod:`.events`), the handler runs with a Lambda context honouring its ``Timeout``, and the
result is validated (:func:`.results.parse_result`) and answered as API Gateway would, or with API
Gateway's own error (:mod:`.apigw`); the test client's VPC Lattice and Lambda@Edge routes get those
services' limits, waits and errors instead (:mod:`.fronts`). The gateway is also a WSGI app, which the
HTTP server (:mod:`.server`) serves; the test client calls ``handle`` directly with
``propagate_errors=True``.

Every request gives one log line (method, path, function, status, milliseconds); a failure adds a line that
names the problem. Requests are served concurrently; each invocation gets its own event, context and
thread, and each function its own modules and environment (the loader keeps them apart).
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lambda_micro.adapter.result import LAMBDA_RESPONSE_LIMIT, reason_phrase

from . import apigw
from .auth.call import auth_call
from .auth.stage import GatewayAuth, Refused
from .envvars import function_with_env_vars
from .exchange import RAW_HEADERS_KEY, GatewayRequest, GatewayResponse, ServiceError, request_from_environ
from .fronts import Front, front_for
from .integration import function_event, request_event
from .invoke import FunctionTimedOut, Invocation, Target, invoke
from .loader import FunctionLoadError, FunctionUnloaded, LoadedFunction, load_function
from .results import InvalidResult, parse_result
from .routing import CatchAll, Match, Miss, RouteTable
from .sam import SamTemplate, TemplateError, load_template

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

__all__ = [
    "RAW_HEADERS_KEY",
    "GatewayRequest",
    "GatewayResponse",
    "GatewayState",
    "LocalGateway",
    "function_event",
    "load_state",
    "request_event",
]

logger = logging.getLogger("lambda_micro.local")

#: Hop-by-hop headers (RFC 9110 §7.6.1) never pass through a gateway; Content-Length is recomputed.
_HOP_BY_HOP = frozenset(
    {"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailer", "trailers",
     "transfer-encoding", "upgrade", "content-length"}
)  # fmt: skip
# An event can pass Lambda's 6 MB request limit only with a body near it (headers are capped at 10 KB):
# below this, the event is not serialised to measure it.
_MEASURE_EVENT_FROM = 4 * 1024 * 1024


# -- state: the routes and the functions behind them ---------------------------------------------------


@dataclass(frozen=True)
class GatewayState:
    """What one version of the template serves; swapped whole on reload.

    ``table`` matches every API at once (the combined port); ``api_tables`` each API alone (its own port).
    ``template`` is ``None`` for the test client's gateway around one handler.
    """

    table: RouteTable | CatchAll
    functions: Mapping[str, Target]
    template: SamTemplate | None = None
    #: Functions that could not be loaded (only after a reload): id → the loader's message.
    load_errors: Mapping[str, str] = field(default_factory=dict)
    region: str = "us-east-1"
    api_tables: Mapping[str, RouteTable] = field(default_factory=dict)

    @property
    def api_keys(self) -> dict[str, tuple[str, str]]:
        """The template's enabled API keys: value → ``(value, id)``."""
        if self.template is None:
            return {}
        keys = self.template.api_keys.values()
        return {key.value: (key.value, key.key_id) for key in keys if key.enabled}

    @property
    def watch_paths(self) -> list[Path]:
        """The template file, every function's code folder and the folders of their layers."""
        if self.template is None:
            return []
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
    """Read the template, build the route tables and load every function.

    ``strict`` (start-up) raises the first ``FunctionLoadError``; otherwise (reload) a function that does
    not import answers 502/500 with its error logged, while the others keep working, as on AWS.
    Raises ``TemplateError`` for a template that cannot be used.
    """
    template = load_template(template_path, parameter_overrides=parameter_overrides, region=region)
    try:
        table = RouteTable(template.routes)
        api_tables = {
            api_id: RouteTable([route for route in template.routes if route.api_id == api_id])
            for api_id in dict.fromkeys(route.api_id for route in template.routes)
        }
    except ValueError as exc:
        raise TemplateError(str(exc), path=template.path) from None
    functions: dict[str, Target] = {}
    errors: dict[str, str] = {}
    if env_vars:
        for section in env_vars:
            if section != "Parameters" and section not in template.functions:
                logger.warning(
                    "env-vars: no function %r in %s; its section is ignored", section, template.path
                )
    loaded: list[LoadedFunction] = []
    for logical_id, declared in template.functions.items():
        function = function_with_env_vars(declared, env_vars)
        try:
            loaded.append(load_function(function, extra_env=extra_env, region=region))
        except FunctionLoadError as exc:
            if strict:
                for done in loaded:
                    done.unload()
                raise
            errors[logical_id] = str(exc)
            continue
        functions[logical_id] = loaded[-1]
    return GatewayState(
        table=table,
        functions=functions,
        template=template,
        load_errors=errors,
        region=region,
        api_tables=api_tables,
    )


# -- the gateway -----------------------------------------------------------------------------------------


class LocalGateway:
    """``LocalGateway(state)``: :meth:`handle` answers requests; ``swap(new_state)`` replaces what it serves.

    ``propagate_errors`` (the test client): a handler's exception, a result API Gateway would reject
    (:class:`InvalidResult`) and a timeout (:class:`FunctionTimedOut`) raise instead of becoming API
    Gateway's 5xx answer (a Lambda authorizer's exception too, but for its ``Unauthorized``). ``inline``
    runs handlers in the caller's thread (a timeout is then known when the handler returns). ``auth`` is
    the authorization stage (default: one that enforces nothing, the test client's).
    """

    def __init__(
        self,
        state: GatewayState,
        *,
        log: logging.Logger | None = None,
        propagate_errors: bool = False,
        inline: bool = False,
        auth: GatewayAuth | None = None,
    ) -> None:
        self._state = state
        self.log = log or logger
        self.propagate_errors = propagate_errors
        self.inline = inline
        self.auth = auth or GatewayAuth(enforce=False)

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
                if state.functions.get(function_id) is not function and isinstance(function, LoadedFunction):
                    function.retire()
        return previous

    # -- one request -----------------------------------------------------------------------------------------

    def handle(self, request: GatewayRequest, *, api: str | None = None) -> GatewayResponse:
        """Answer one request (no I/O); ``api`` restricts routing to that API (its own port)."""
        state = self._state
        table: RouteTable | CatchAll = state.table
        if api is not None:
            table = state.api_tables[api]
        outcome = table.match(request.method, request.path)
        front = front_for(outcome)
        request_id = str(uuid.uuid4())
        limit_error = front.request_limit_error(request, request_id)
        if limit_error is not None:
            return self._error(limit_error, request_id, None)
        if isinstance(outcome, Miss):
            return self._error(front.error("unmatched", request_id), request_id, None)
        function_id = outcome.route.function_id
        target = state.functions.get(function_id)
        if target is None:
            problem = state.load_errors.get(function_id, "the function is not loaded")
            self.log.error("%s: %s", function_id, problem)
            return self._error(front.error("function_error", request_id), request_id, function_id)
        try:
            call = auth_call(
                request, outcome, request_id, state, inline=self.inline, propagate=self.propagate_errors
            )
            decision = self.auth.decide(call)
        except FunctionUnloaded:
            if self._state is not state:  # a reload retired the authorizer after this request read the state
                return self.handle(request, api=api)
            raise
        if isinstance(decision, Refused):
            self.log.warning(
                "%s %s: %d from the authorizer: %s", request.method, request.target, decision.error.status,
                decision.reason,
            )  # fmt: skip
            refusal = decision.error  # API Gateway's own answer, with its request id header
            headers = front.response_headers(refusal.headers, request_id)
            return self._error(
                ServiceError(refusal.status, tuple(headers), refusal.body), request_id, function_id
            )
        event = request_event(
            request,
            outcome,
            request_id,
            region=state.region,
            authorizer=decision.authorizer,
            api_key=decision.api_key,
        )
        if len(request.body) > _MEASURE_EVENT_FROM:
            size = len(json.dumps(event))
            if size > apigw.LAMBDA_REQUEST_LIMIT:
                self.log.error(
                    "%s: the event is %d bytes, over Lambda's 6 MB request limit", function_id, size
                )
                return self._error(front.error("event_too_large", request_id), request_id, function_id)
        try:
            invocation = invoke(
                target,
                event,
                target.make_context(request_id),
                limit=front.integration_timeout,
                inline=self.inline,
            )
        except FunctionUnloaded:
            if self._state is not state:  # a reload retired it after this request read the old state
                return self.handle(request, api=api)
            raise
        failure = self._failure(invocation, target, front)
        if failure is not None:
            return self._error(front.error(failure, request_id), request_id, function_id)
        return self._function_response(invocation.result, request, outcome, front, request_id, event)

    def _failure(self, invocation: Invocation, target: Target, front: Front) -> str | None:
        """What failed, for the front's own answer (or raise it, with ``propagate_errors``)."""
        function_id = target.function_id
        if invocation.integration_timed_out or invocation.timed_out:
            if invocation.integration_timed_out:
                message = (
                    f"{function_id}: {front.name} stopped waiting after {front.integration_timeout:g} s "
                    f"({front.integration_limit}; the function's Timeout is {target.timeout:g} s)"
                )
            else:
                message = f"{function_id}: Task timed out after {target.timeout:.2f} seconds"
            if self.propagate_errors:
                raise FunctionTimedOut(message)
            self.log.error("%s", message)
            return "integration_timeout" if invocation.integration_timed_out else "function_timeout"
        if invocation.error is not None:
            exc = invocation.error
            if self.propagate_errors:
                raise exc
            self.log.error(
                "%s: the handler raised %s: %s",
                function_id,
                type(exc).__name__,
                exc,
                exc_info=(type(exc), exc, exc.__traceback__),
            )
            return "function_error"
        return None

    def _function_response(  # noqa: PLR0917 - private, one call site
        self,
        result: object,
        request: GatewayRequest,
        match: Match,
        front: Front,
        request_id: str,
        event: dict[str, Any],
    ) -> GatewayResponse:
        route = match.route
        result = front.prepare_result(result, request, tuple(getattr(route, "binary_media_types", ())))
        try:
            parsed = parse_result(
                result,
                route.source,
                multi_value_headers=bool(getattr(route, "multi_value_headers", False)),
                edge_trigger=getattr(route, "edge_trigger", None),
                limit=LAMBDA_RESPONSE_LIMIT,
            )
        except InvalidResult as exc:
            if self.propagate_errors:
                raise
            self.log.error("%s: %s rejects the result: %s", route.function_id, front.name, exc)
            return self._error(front.error("invalid_result", request_id), request_id, route.function_id)
        headers = front.response_headers(parsed.headers, request_id)
        return GatewayResponse(
            parsed.status, headers, parsed.body, route.function_id, event, result, request_id
        )

    def _error(self, error: ServiceError, request_id: str, function_id: str | None) -> GatewayResponse:
        return GatewayResponse(
            error.status, list(error.headers), error.body, function_id, request_id=request_id
        )

    # -- WSGI ------------------------------------------------------------------------------------------------

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        """The combined port: every API of the template."""
        return self._serve(environ, start_response, None)

    def wsgi_app(self, api: str | None = None) -> WSGIApplication:
        """A WSGI app answering for ``api`` only (its own port), or for every API (``None``)."""

        def app(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
            return self._serve(environ, start_response, api)

        return app

    def _serve(
        self, environ: WSGIEnvironment, start_response: StartResponse, api: str | None
    ) -> Iterable[bytes]:
        started = time.perf_counter()
        request = request_from_environ(environ)
        try:
            response = self.handle(request, api=api)
        except Exception as exc:  # a bug of ours must not look like the function's fault, nor kill the server
            self.log.exception("gateway error for %s %s", request.method, request.path)
            response = GatewayResponse(
                500, [("Content-Type", "text/plain; charset=utf-8")], f"local gateway error: {exc}\n".encode()
            )
        headers = [(k, v) for k, v in response.headers if k.lower() not in _HOP_BY_HOP]
        headers.append(("Content-Length", str(len(response.body))))
        start_response(f"{response.status} {reason_phrase(response.status)}", headers)
        self.log.info(
            "%s %s %s %d %.0f ms",
            request.method,
            request.target,
            response.function_id or "-",
            response.status,
            (time.perf_counter() - started) * 1000,
        )
        if request.method == "HEAD" or response.status in (204, 304) or 100 <= response.status < 200:
            return []
        return [response.body]

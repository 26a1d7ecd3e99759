"""The test client: each request goes through the local gateway's own pipeline, as ``serve`` runs it.

``Client(app)`` wraps the handler in a :class:`~lambda_micro.local.gateway.LocalGateway` and sends each
request to its ``handle()``: the route is matched (or, without routes, every request reaches the handler), the
event is built by the one event builder, the handler runs with a fresh
:class:`~lambda_micro.testing.LambdaContext`, and the result is validated as its source would (API Gateway, an
ALB, VPC Lattice, CloudFront: :func:`~lambda_micro.local.results.parse_result`) before a
:class:`LambdaResponse` is returned. A cookie jar carries ``Set-Cookie`` across calls like a browser
(``Path``, ``Max-Age``/``Expires`` deletion).
"""

from __future__ import annotations

import json as _json
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any
from urllib.parse import unquote, urlsplit

from werkzeug.test import EnvironBuilder

from lambda_micro.adapter.infer import ALB, EDGE, LATTICE_V1, LATTICE_V2, REST, URL, Source
from lambda_micro.local.auth.principal import Principal
from lambda_micro.local.auth.stage import GatewayAuth
from lambda_micro.local.context import LambdaContext
from lambda_micro.local.events import (
    PAYLOADS,
    CookiesArg,
    HeadersArg,
    QueryArg,
    default_stage,
    edge_trigger_for,
    encode_path,
    source_for_payload,
)
from lambda_micro.local.events.build import cookie_strings, raw_query
from lambda_micro.local.gateway import GatewayRequest, GatewayState, LocalGateway
from lambda_micro.local.invoke import FunctionTimedOut, Target, invoke
from lambda_micro.local.results import HttpResult
from lambda_micro.local.routing import CatchAll, Miss, RouteTable
from lambda_micro.local.sam import Route, SamTemplate

from ._acting import ActingAs, _Identities
from ._cookies import CookieJar
from ._response import LambdaResponse
from ._target import HandlerTarget, handler_of

__all__ = ["ActingAs", "Client", "LambdaResponse"]

_REDIRECTS = (301, 302, 303, 307, 308)
_ACTIVE: Any = object()  # ``user=`` not given: whoever the client acts as


class Client(_Identities):
    """Invoke a handler (or an App) with real events; every call returns a :class:`LambdaResponse`.

    ``payload`` is ``"1.0"`` (REST API; with ``stage="$default"`` an HTTP API on payload 1.0), ``"2.0"``,
    ``"alb"``, ``"alb-multi"``, ``"url"``, ``"lattice-1.0"``/``"lattice-2.0"`` (a VPC Lattice target group
    with that event structure version), ``"edge"`` (a Lambda@Edge viewer-request trigger) or
    ``"edge-origin"`` (an origin-request trigger; ``include_body`` is the trigger's "include body" option),
    or an event source by its adapter name (``"rest"``, ``"http-1.0"``, ``"http-2.0"``, ``"url"``,
    ``"alb"``, ``"lattice-1.0"``, ``"lattice-2.0"``, ``"edge"``). With ``routes`` (the template's routes of
    one function, as ``function_client`` passes them; API Gateway's only) a request is matched by the local
    gateway's own route table, so exactly as API Gateway matches it: the event gets the route's
    ``resource``/``routeKey``/``pathParameters``/stage, and a path no route declares gets API Gateway's own
    answer (REST: 403 "Missing Authentication Token"; HTTP API: 404 "Not Found") without calling the
    handler.

    Every request goes through :meth:`LocalGateway.handle`, so API Gateway's rules hold as under ``serve``
    (stage prefix, binary media types, REST's default Content-Type, request ids, size limits); VPC Lattice
    and CloudFront have their own (no stages, no binary media types; their size limits, timeouts and error
    answers: :mod:`lambda_micro.local.vpc_lattice`, :mod:`lambda_micro.local.cloudfront`). With
    ``propagate_errors`` (the default) a handler's exception propagates, a result API Gateway would reject
    raises :class:`~lambda_micro.testing.InvalidResult` and a handler past its ``timeout`` raises
    ``FunctionTimedOut``; ``propagate_errors=False`` answers them as the service does (API Gateway:
    502/500/504/503; VPC Lattice: 502; CloudFront: 503, and 502 for a result that fails its validation).

    ``scheme`` is the one the client connects with: API Gateway and Function URLs are https only (the
    default); ``"http"`` is what an ALB's http listener, or ``lambda-micro serve`` on ``http://``, reports
    in ``X-Forwarded-Proto``. A client's own ``X-Forwarded-Proto`` header is replaced, as API Gateway does.
    """

    def __init__(
        self,
        target: Any,
        *,
        payload: str = "2.0",
        stage: str | None = None,
        api_kind: str | None = None,
        routes: Sequence[Route] | None = None,
        binary_media_types: Iterable[str] = (),
        domain_name: str | None = None,
        source_ip: str = "127.0.0.1",
        headers: HeadersArg = None,
        context: LambdaContext | Callable[[], Any] | None = None,
        function_name: str = "test-function",
        timeout: float = 3.0,
        memory_size: int = 128,
        use_cookies: bool = True,
        propagate_errors: bool = True,
        scheme: str = "https",
        include_body: bool = True,
        enforce_auth: bool = False,
        auth: GatewayAuth | None = None,
        authorizers: Mapping[str, Target] | None = None,
        template: SamTemplate | None = None,
    ) -> None:
        if scheme not in ("http", "https"):
            raise ValueError(f"scheme must be 'http' or 'https', not {scheme!r}")
        if stage is None:
            # A ``payload=`` spelling keeps the stage it always had; a source gets its own default.
            stage = "$default" if payload in PAYLOADS else default_stage(source_for_payload(payload)[0])
        source, multi_value = source_for_payload(payload, stage=stage, api_kind=api_kind)
        if routes is not None and source in (LATTICE_V1, LATTICE_V2, EDGE):
            raise ValueError(
                "routes= are an API's, matched by API Gateway; a VPC Lattice target group or a Lambda@Edge "
                "trigger sends every request to its one function"
            )
        self.source: Source = source
        self.handler = handler_of(target)
        self.target = target
        self.payload = payload
        self.stage = stage
        self.api_kind = api_kind
        self.routes = list(routes) if routes is not None else None
        self.binary_media_types = tuple(binary_media_types)
        self.domain_name = domain_name
        self.source_ip = source_ip
        self.scheme = scheme
        self.default_headers = list(headers.items() if isinstance(headers, Mapping) else headers or [])
        self._context = context
        self.function_name = function_name
        self.timeout = timeout
        self.memory_size = memory_size
        self.cookie_jar: CookieJar | None = CookieJar() if use_cookies else None
        self._acting: list[Principal | None] = []
        table: RouteTable | CatchAll
        if self.routes is not None:
            # With no routes at all, the client's own source says which API answers.
            table = RouteTable(self.routes, default_kind="rest" if source == REST else "http")
        else:
            table = CatchAll(
                Route(
                    function_id=function_name,
                    event_id="Client",
                    method="ANY",
                    path="/{proxy+}",
                    source=source,
                    api_id="client",
                    stage="$default" if source == URL else stage,
                    binary_media_types=self.binary_media_types,
                    multi_value_headers=multi_value,
                    edge_trigger=edge_trigger_for(payload),
                    include_body=include_body,
                )
            )
        handler_target = HandlerTarget(self)
        functions: dict[str, Target] = dict(authorizers or {})
        functions.update({route.function_id: handler_target for route in table.routes})
        state = GatewayState(
            table=table,
            functions=functions,
            template=template,
            region=template.region if template else "us-east-1",
        )
        #: The local gateway every request of this client goes through.
        self.gateway = LocalGateway(
            state,
            propagate_errors=propagate_errors,
            inline=True,
            auth=auth or GatewayAuth(enforce=enforce_auth),
        )

    # -- context --------------------------------------------------------------------------------------

    def make_context(self) -> Any:
        """A fresh context per call (new request id, full time budget), unless one was given."""
        if isinstance(self._context, LambdaContext):
            return self._context
        if callable(self._context):
            return self._context()
        return LambdaContext(
            function_name=self.function_name, timeout=self.timeout, memory_limit_in_mb=str(self.memory_size)
        )

    # -- requests -------------------------------------------------------------------------------------

    def request(
        self,
        method: str,
        path: str,
        *,
        query: QueryArg = None,
        headers: HeadersArg = None,
        json: Any = None,
        data: Mapping[str, Any] | str | bytes | None = None,
        body: str | bytes | None = None,
        cookies: CookiesArg = None,
        authorizer: Mapping[str, Any] | None = None,
        content_type: str | None = None,
        follow_redirects: bool = False,
        stage_variables: Mapping[str, str] | None = None,
        user: ActingAs | None = _ACTIVE,
    ) -> LambdaResponse:
        """Send one request; ``json``, ``data`` (form dict, ``str``, ``bytes``) and ``body`` are exclusive.

        ``user`` is :meth:`as_user`'s (or ``None``: anonymous) for this request only.
        """
        if user is _ACTIVE:
            principal = self._acting[-1] if self._acting else None
        elif user is None or isinstance(user, ActingAs):
            principal = user.principal if user is not None else None
        else:
            raise TypeError(f"user= takes client.as_user(...) or None, not {user!r}")
        given = [
            name for name, value in (("json", json), ("data", data), ("body", body)) if value is not None
        ]
        if len(given) > 1:
            raise TypeError(f"pass only one of json=, data= or body= (got {', '.join(given)})")
        header_pairs = list(self.default_headers)
        header_pairs += list(headers.items() if isinstance(headers, Mapping) else headers or [])
        payload_body: str | bytes | None = body
        implied_type: str | None = None
        if json is not None:
            payload_body = _json.dumps(json).encode("utf-8")
            implied_type = "application/json"
        elif isinstance(data, Mapping):
            builder = EnvironBuilder(method="POST", data=dict(data))
            try:
                environ = builder.get_environ()
                payload_body = environ["wsgi.input"].read()
                implied_type = environ.get("CONTENT_TYPE")  # with the multipart boundary
            finally:
                builder.close()
        elif data is not None:
            payload_body = data
        content_type = content_type or implied_type
        if content_type and not any(name.lower() == "content-type" for name, _ in header_pairs):
            header_pairs.append(("Content-Type", content_type))

        response = self._send(
            method.upper(),
            path,
            query,
            header_pairs,
            payload_body,
            cookies,
            authorizer,
            stage_variables,
            principal,
        )
        history: list[LambdaResponse] = []
        while follow_redirects and response.status_code in _REDIRECTS and response.location:
            if len(history) >= 10:
                raise AssertionError(f"more than 10 redirects, last to {response.location}")
            history.append(response)
            target = urlsplit(response.location)
            next_path = self._strip_stage(target.path or "/", response)
            if response.status_code in (307, 308):
                next_method, next_body = method.upper(), payload_body
            else:
                next_method, next_body = ("GET" if method.upper() != "HEAD" else "HEAD"), None
                header_pairs = [pair for pair in header_pairs if pair[0].lower() != "content-type"]
            response = self._send(
                next_method,
                next_path,
                target.query or None,
                header_pairs,
                next_body,
                None,
                authorizer,
                stage_variables,
                principal,
            )
        response.history = history
        return response

    @staticmethod
    def _strip_stage(path: str, previous: LambdaResponse) -> str:
        # A Location the app builds carries the stage prefix (``/Prod/x``); the client's paths do not.
        context = (previous.event or {}).get("requestContext") or {}
        stage = context.get("stage")
        if (
            isinstance(stage, str)
            and stage not in ("$default", "")
            and (path == f"/{stage}" or path.startswith(f"/{stage}/"))
        ):
            return path[len(stage) + 1 :] or "/"
        return path

    def _send(  # noqa: PLR0917 - private, called from two places with the same arguments
        self,
        method: str,
        path: str,
        query: QueryArg,
        header_pairs: list[tuple[str, str]],
        body: str | bytes | None,
        cookies: CookiesArg,
        authorizer: Mapping[str, Any] | None,
        stage_variables: Mapping[str, str] | None,
        principal: Principal | None,
    ) -> LambdaResponse:
        request_path, has_query, path_query = path.partition("?")
        encoded = encode_path(request_path or "/")
        raw = raw_query(query, path_query if has_query else None)
        outcome = self.gateway.state.table.match(method, encoded)
        # Cookies are scoped to the URL the browser sees, which carries a named stage (``/Prod/x``).
        if isinstance(outcome, Miss):
            browser_path = unquote(encoded)
        else:
            browser_path = self._browser_path(
                unquote(outcome.path), outcome.route.source, outcome.route.stage
            )
        cookie_list: list[str] = []
        if self.cookie_jar is not None:
            cookie_list.extend(self.cookie_jar.for_path(browser_path))
        if cookies is not None:
            extra = list(cookie_strings(cookies))
            names = {cookie.partition("=")[0] for cookie in extra}
            cookie_list = [c for c in cookie_list if c.partition("=")[0] not in names] + extra
        headers = list(header_pairs)
        if self.domain_name and not any(name.lower() == "host" for name, _ in headers):
            headers.insert(0, ("Host", self.domain_name))
        if cookie_list:
            existing = [value for name, value in headers if name.lower() == "cookie"]
            headers = [(name, value) for name, value in headers if name.lower() != "cookie"]
            headers.append(("Cookie", "; ".join([*existing, *cookie_list])))
        data = body.encode("utf-8") if isinstance(body, str) else bytes(body or b"")
        request = GatewayRequest(
            method=method,
            path=encoded,
            query=raw,
            headers=tuple(headers),
            body=data,
            client_address=self.source_ip,
            scheme=self.scheme,
            authorizer=authorizer,
            stage_variables=stage_variables,
            principal=principal,
        )
        answer = self.gateway.handle(request)
        http = HttpResult(answer.status, answer.headers, answer.body)
        response = LambdaResponse(http, event=answer.event, result=answer.result, request_method=method)
        if self.cookie_jar is not None:
            self.cookie_jar.update(response.set_cookie_headers, browser_path)
        return response

    def _browser_path(self, path: str, source: str, stage: str | None) -> str:
        """The path in the browser's URL: named stages appear in it on the API's own host."""
        if source in (ALB, URL) or not stage or stage == "$default":
            return path
        if source == REST and self.domain_name and ".execute-api." not in self.domain_name:
            return path  # a REST API behind a custom domain: the mapping hides the stage
        return f"/{stage}{path}"

    def get(self, path: str, **kwargs: Any) -> LambdaResponse:
        """A GET request (see :meth:`request` for the keyword arguments)."""
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> LambdaResponse:
        """A POST request."""
        return self.request("POST", path, **kwargs)

    def put(self, path: str, **kwargs: Any) -> LambdaResponse:
        """A PUT request."""
        return self.request("PUT", path, **kwargs)

    def patch(self, path: str, **kwargs: Any) -> LambdaResponse:
        """A PATCH request."""
        return self.request("PATCH", path, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> LambdaResponse:
        """A DELETE request."""
        return self.request("DELETE", path, **kwargs)

    def head(self, path: str, **kwargs: Any) -> LambdaResponse:
        """A HEAD request."""
        return self.request("HEAD", path, **kwargs)

    def options(self, path: str, **kwargs: Any) -> LambdaResponse:
        """An OPTIONS request."""
        return self.request("OPTIONS", path, **kwargs)

    # -- cookies --------------------------------------------------------------------------------------

    def invoke_event(self, event: Any) -> Any:
        """Invoke the handler with a non-HTTP ``event`` (``sqs_event(...)``, ``s3_event(...)``...) as Lambda
        would, with a fresh context and the handler's timeout; return its result (for a batch:
        ``{"batchItemFailures": [...]}``). A handler's exception propagates; running past the timeout
        raises ``FunctionTimedOut``."""
        target = HandlerTarget(self)
        outcome = invoke(target, event, self.make_context(), inline=True)
        if outcome.error is not None:
            raise outcome.error
        if outcome.timed_out:
            raise FunctionTimedOut(f"{self.function_name}: Task timed out after {self.timeout:.2f} seconds")
        return outcome.result

    def set_cookie(self, name: str, value: str, *, path: str = "/") -> None:
        """Put a cookie in the jar (sent on the following requests)."""
        if self.cookie_jar is None:
            raise RuntimeError("this client was created with use_cookies=False")
        self.cookie_jar.set(name, value, path)

    def delete_cookie(self, name: str, *, path: str = "/") -> None:
        """Remove a cookie from the jar."""
        if self.cookie_jar is not None:
            self.cookie_jar.delete(name, path)

    def get_cookie(self, name: str) -> str | None:
        """The jar's value for cookie ``name``."""
        return self.cookie_jar.get(name) if self.cookie_jar is not None else None

    def __repr__(self) -> str:
        return f"<Client payload={self.payload} stage={self.stage} handler={self.handler!r}>"

"""The test client: HTTP requests become real Lambda events, results are checked and decoded.

``Client(app)`` sends each request through :func:`~lambda_micro.local.events.build_event`, calls the handler
with a fresh :class:`~lambda_micro.testing.LambdaContext`, validates the proxy result as API Gateway / ALB
would (:func:`~lambda_micro.local.results.parse_result`) and returns a :class:`LambdaResponse`. A cookie jar
carries ``Set-Cookie`` across calls like a browser (``Path``, ``Max-Age``/``Expires`` deletion).
"""

from __future__ import annotations

import json as _json
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import unquote, urlsplit

from werkzeug.datastructures import Headers
from werkzeug.http import parse_options_header
from werkzeug.test import EnvironBuilder

from lambda_micro.adapter.result import reason_phrase
from lambda_micro.local.events import PAYLOADS, CookiesArg, HeadersArg, QueryArg, build_event
from lambda_micro.local.results import HttpResult, parse_result
from lambda_micro.local.routing import Miss, RouteTable, api_error
from lambda_micro.local.template import Route

from ._context import LambdaContext

__all__ = ["Client", "LambdaResponse"]

Handler = Callable[[dict[str, Any], Any], Any]
_REDIRECTS = (301, 302, 303, 307, 308)


class LambdaResponse:
    """A decoded proxy result: status, multi-valued headers, cookies, body; plus the event and raw result."""

    def __init__(
        self,
        http: HttpResult,
        *,
        event: dict[str, Any] | None,
        result: Any,
        request_method: str = "GET",
    ) -> None:
        self.http = http
        self.status_code = http.status
        self.headers = Headers(http.headers)
        self.data = http.body
        self.event = event
        self.result = result
        self.request_method = request_method
        self.history: list[LambdaResponse] = []

    @property
    def status(self) -> str:
        """``"200 OK"`` (``"299 Unknown"`` for a code without a standard phrase)."""
        return f"{self.status_code} {reason_phrase(self.status_code)}"

    @property
    def content_type(self) -> str | None:
        """The Content-Type header."""
        return self.headers.get("Content-Type")

    @property
    def mimetype(self) -> str | None:
        """The media type without parameters (``"application/json"``)."""
        value = self.content_type
        return parse_options_header(value)[0].lower() if value else None

    @property
    def location(self) -> str | None:
        """The Location header."""
        return self.headers.get("Location")

    @property
    def set_cookie_headers(self) -> list[str]:
        """The raw ``Set-Cookie`` headers of this response, in order."""
        return self.headers.getlist("Set-Cookie")

    @property
    def cookies(self) -> dict[str, str]:
        """The cookies this response sets (``name -> value``; a deletion shows as ``""``)."""
        return {
            cookie.name: cookie.value for cookie in map(_SetCookie.parse, self.set_cookie_headers) if cookie
        }

    @property
    def text(self) -> str:
        """The body decoded with the response's charset (UTF-8 by default)."""
        charset = "utf-8"
        if self.content_type:
            charset = parse_options_header(self.content_type)[1].get("charset", "utf-8")
        return self.data.decode(charset, errors="replace")

    def get_data(self, as_text: bool = False) -> bytes | str:
        """Flask-style access to the body."""
        return self.text if as_text else self.data

    @property
    def json(self) -> Any:
        """The body parsed as JSON; a ``ValueError`` names the Content-Type when it is not JSON."""
        mimetype = self.mimetype or ""
        if not (mimetype == "application/json" or mimetype.endswith("+json")):
            raise ValueError(
                f"the response is not JSON (Content-Type {self.content_type!r}): {self.text[:200]!r}"
            )
        return _json.loads(self.data)

    def __repr__(self) -> str:
        return f"<LambdaResponse {self.status} {self.mimetype or ''} {len(self.data)} bytes>"


@dataclass
class _SetCookie:
    name: str
    value: str
    path: str | None
    expired: bool
    expires_at: float | None

    @classmethod
    def parse(cls, header: str) -> _SetCookie | None:
        first, *attributes = header.split(";")
        name, sep, value = first.partition("=")
        if not sep or not name.strip():
            return None
        path = None
        expired = False
        expires_at: float | None = None
        for attribute in attributes:
            key, _, attr_value = attribute.strip().partition("=")
            key = key.lower()
            if key == "path" and attr_value.startswith("/"):
                path = attr_value
            elif key == "max-age":
                try:
                    seconds = int(attr_value)
                except ValueError:
                    continue
                expired = seconds <= 0
                expires_at = time.time() + seconds
            elif key == "expires" and expires_at is None:
                try:
                    moment = parsedate_to_datetime(attr_value).timestamp()
                except (TypeError, ValueError):
                    continue
                expired = moment <= time.time()
                expires_at = moment
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] == '"':
            value = value[1:-1]
        return cls(name.strip(), value, path, expired, expires_at)


def _default_path(request_path: str) -> str:
    # RFC 6265 5.1.4: the directory of the request path.
    if not request_path.startswith("/") or request_path.count("/") == 1:
        return "/"
    return request_path.rsplit("/", 1)[0]


def _path_matches(cookie_path: str, request_path: str) -> bool:
    if request_path == cookie_path:
        return True
    if request_path.startswith(cookie_path):
        return cookie_path.endswith("/") or request_path[len(cookie_path)] == "/"
    return False


class CookieJar:
    """The client's cookies: ``(name, path) -> (value, expiry)``."""

    def __init__(self) -> None:
        self._cookies: dict[tuple[str, str], tuple[str, float | None]] = {}

    def update(self, set_cookie_headers: Iterable[str], request_path: str) -> None:
        for header in set_cookie_headers:
            cookie = _SetCookie.parse(header)
            if cookie is None:
                continue
            key = (cookie.name, cookie.path or _default_path(request_path))
            if cookie.expired:
                self._cookies.pop(key, None)
            else:
                self._cookies[key] = (cookie.value, cookie.expires_at)

    def for_path(self, request_path: str) -> list[str]:
        now = time.time()
        for key, (_, expires) in list(self._cookies.items()):
            if expires is not None and expires <= now:
                del self._cookies[key]
        # Longer paths first, as browsers send them.
        matching = sorted(
            (
                (path, name, value)
                for (name, path), (value, _) in self._cookies.items()
                if _path_matches(path, request_path)
            ),
            key=lambda item: -len(item[0]),
        )
        return [f"{name}={value}" for _, name, value in matching]

    def set(self, name: str, value: str, path: str = "/") -> None:
        self._cookies[(name, path)] = (value, None)

    def delete(self, name: str, path: str = "/") -> None:
        self._cookies.pop((name, path), None)

    def get(self, name: str) -> str | None:
        return next((value for (key, _), (value, _) in self._cookies.items() if key == name), None)

    def clear(self) -> None:
        self._cookies.clear()

    def __len__(self) -> int:
        return len(self._cookies)

    def __contains__(self, name: object) -> bool:
        return any(key == name for key, _ in self._cookies)


def _handler_of(target: Any) -> Handler:
    """The ``(event, context)`` callable behind an App, a loaded function or a handler."""
    invoke = getattr(target, "invoke", None)
    if callable(invoke) and hasattr(target, "function"):  # a LoadedFunction
        return invoke  # type: ignore[no-any-return]
    lambda_handler = getattr(target, "lambda_handler", None)
    if callable(lambda_handler):
        return lambda_handler  # type: ignore[no-any-return]
    if callable(target):
        return target  # type: ignore[no-any-return]
    raise TypeError(f"Client needs a Lambda handler (event, context) or an App, got {target!r}")


def _api_kind(payload: str, api_kind: str | None) -> str:
    """``"rest"`` for a REST API's payload 1.0, else ``"http"`` (HTTP APIs; ALBs and URLs never miss)."""
    return "rest" if payload == "1.0" and api_kind != "http" else "http"


class Client:
    """Invoke a handler (or an App) with real events; every call returns a :class:`LambdaResponse`.

    ``payload`` is ``"1.0"`` (REST API; with ``stage="$default"`` an HTTP API on payload 1.0), ``"2.0"``,
    ``"alb"``, ``"alb-multi"`` or ``"url"``. With ``routes`` (the template's routes of one function, as
    ``function_client`` passes them) a request is matched by the local gateway's own route table, so
    exactly as API Gateway matches it: the event gets the route's ``resource``/``routeKey``/
    ``pathParameters``/stage, and a path no route declares gets API Gateway's own answer (REST: 403
    "Missing Authentication Token"; HTTP API: 404 "Not Found") without calling the handler. Exceptions
    raised by the handler propagate.
    """

    def __init__(
        self,
        target: Any,
        *,
        payload: str = "2.0",
        stage: str = "$default",
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
    ) -> None:
        if payload not in PAYLOADS:
            raise ValueError(f"unknown payload {payload!r}; use one of {', '.join(PAYLOADS)}")
        self.handler = _handler_of(target)
        self.target = target
        self.payload = payload
        self.stage = stage
        self.api_kind = api_kind
        self.routes = list(routes) if routes is not None else None
        self._route_table = RouteTable(self.routes) if self.routes is not None else None
        self.binary_media_types = tuple(binary_media_types)
        self.domain_name = domain_name
        self.source_ip = source_ip
        self.default_headers = list(headers.items() if isinstance(headers, Mapping) else headers or [])
        self._context = context
        self.function_name = function_name
        self.timeout = timeout
        self.memory_size = memory_size
        self.cookie_jar: CookieJar | None = CookieJar() if use_cookies else None

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
    ) -> LambdaResponse:
        """Send one request; ``json``, ``data`` (form dict, ``str``, ``bytes``) and ``body`` are exclusive."""
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
            method.upper(), path, query, header_pairs, payload_body, cookies, authorizer, stage_variables
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
    ) -> LambdaResponse:
        request_path, has_query, path_query = path.partition("?")
        request_path = request_path or "/"
        payload, stage, api_kind = self.payload, self.stage, self.api_kind
        binary_media_types = self.binary_media_types
        resource = route_key = None
        path_parameters: dict[str, str] | None = None
        if self._route_table is not None:
            outcome = self._route_table.match(method, request_path)
            if isinstance(outcome, Miss):
                # With no routes at all, the client's own payload says which API answers.
                error = outcome.error if self.routes else api_error(_api_kind(payload, api_kind), "unmatched")
                http = HttpResult(error.status, error.headers, error.body)
                return LambdaResponse(http, event=None, result=None, request_method=method)
            route = outcome.route
            payload, stage, api_kind = route.payload, route.stage, route.api_kind
            binary_media_types = tuple(getattr(route, "binary_media_types", ()))
            resource, path_parameters = outcome.resource, outcome.path_parameters
            route_key = outcome.route_key if route.api_kind == "http" else None
            # A path given under the stage (``/Prod/x``) is the API's own URL: the event's path omits it.
            request_path = outcome.path
            path = request_path + has_query + path_query

        # Cookies are scoped to the URL the browser sees, which carries a named stage (``/Prod/x``).
        browser_path = self._browser_path(unquote(request_path), payload, stage, api_kind)
        cookie_list: list[str] = []
        if self.cookie_jar is not None:
            cookie_list.extend(self.cookie_jar.for_path(browser_path))
        if cookies is not None:
            extra = (
                [f"{k}={v}" for k, v in cookies.items()] if isinstance(cookies, Mapping) else list(cookies)
            )
            names = {cookie.partition("=")[0] for cookie in extra}
            cookie_list = [c for c in cookie_list if c.partition("=")[0] not in names] + extra

        event = build_event(
            method,
            path,
            payload=payload,
            query=query,
            headers=header_pairs,
            body=body,
            cookies=cookie_list or None,
            stage=stage,
            api_kind=api_kind if payload == "1.0" else None,
            resource=resource,
            path_parameters=path_parameters or None,
            route_key=route_key,
            authorizer=authorizer,
            source_ip=self.source_ip,
            domain_name=self.domain_name,
            binary_media_types=binary_media_types,
            stage_variables=stage_variables,
        )
        result = self.handler(event, self.make_context())
        http = parse_result(result, payload)
        response = LambdaResponse(http, event=event, result=result, request_method=method)
        if self.cookie_jar is not None:
            self.cookie_jar.update(response.set_cookie_headers, browser_path)
        return response

    def _browser_path(self, path: str, payload: str, stage: str | None, api_kind: str | None) -> str:
        """The path in the browser's URL: named stages appear in it on the API's own host."""
        if payload in ("alb", "alb-multi", "url") or not stage or stage == "$default":
            return path
        if (
            payload == "1.0"
            and api_kind != "http"
            and self.domain_name
            and ".execute-api." not in self.domain_name
        ):
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

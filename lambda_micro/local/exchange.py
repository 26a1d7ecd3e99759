"""The gateway's request and response: what any front end (the HTTP server, the test client) hands it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlsplit

from werkzeug.wsgi import get_input_stream

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIEnvironment

    from .auth.principal import Principal

__all__ = ["RAW_HEADERS_KEY", "GatewayRequest", "GatewayResponse", "ServiceError", "request_from_environ"]

#: The environ key under which the HTTP server passes the request's header lines as received.
RAW_HEADERS_KEY = "lambda_micro.raw_headers"


@dataclass(frozen=True)
class GatewayRequest:
    """One HTTP request as it reached the gateway.

    ``path`` is percent-encoded as on the request line (a stage prefix included when the client sent one),
    ``query`` the raw query string, ``headers`` the header lines in order (repeats kept). ``authorizer``,
    ``principal`` (``as_user``) and ``stage_variables`` are what the test client decides for a request; no
    HTTP request carries them.
    """

    method: str
    path: str = "/"
    query: str = ""
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""
    client_address: str = "127.0.0.1"
    scheme: str = "http"
    port: int | None = None
    protocol: str = "HTTP/1.1"
    authorizer: Mapping[str, Any] | None = None
    stage_variables: Mapping[str, str] | None = None
    principal: Principal | None = None

    def header(self, name: str) -> str | None:
        """The first value of header ``name`` (case-insensitive), or ``None``."""
        lowered = name.lower()
        return next((value for key, value in self.headers if key.lower() == lowered), None)

    @property
    def target(self) -> str:
        """The request target: path and ``?query``."""
        return self.path + (f"?{self.query}" if self.query else "")

    @property
    def header_bytes(self) -> int:
        """The size of the request line and the header values (what API Gateway's quota counts)."""
        line = len(self.method) + len(self.target) + len(self.protocol) + 2
        return line + sum(len(value) for _, value in self.headers)


@dataclass
class GatewayResponse:
    """A response the gateway gives: from the function, or API Gateway's own error."""

    status: int
    headers: list[tuple[str, str]]
    body: bytes
    function_id: str | None = None
    event: dict[str, Any] | None = None  # what the function received, when it was invoked
    result: Any = None  # the raw proxy result
    request_id: str = ""


@dataclass(frozen=True)
class ServiceError:
    """An answer the service in front of the function gives itself (API Gateway, VPC Lattice, CloudFront)."""

    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes


def _headers_from_environ(environ: WSGIEnvironment) -> tuple[tuple[str, str], ...]:
    raw = environ.get(RAW_HEADERS_KEY)
    if raw is not None:
        return tuple(raw)
    headers: list[tuple[str, str]] = []
    for key, value in environ.items():
        if key.startswith("HTTP_"):
            name = "-".join(part.capitalize() for part in key[5:].split("_"))
            headers.append((name, value))
        elif key in ("CONTENT_TYPE", "CONTENT_LENGTH") and value:
            headers.append((key.replace("_", "-").title(), value))
    return tuple(headers)


def request_from_environ(environ: WSGIEnvironment) -> GatewayRequest:
    """The :class:`GatewayRequest` of a WSGI environ (the raw request target when the server gives it)."""
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
    port = environ.get("SERVER_PORT")
    return GatewayRequest(
        method=environ["REQUEST_METHOD"].upper(),
        path=path or "/",
        query=query,
        headers=_headers_from_environ(environ),
        body=get_input_stream(environ).read(),
        client_address=environ.get("REMOTE_ADDR") or "127.0.0.1",
        scheme=environ.get("wsgi.url_scheme", "http"),
        port=int(port) if port and str(port).isdigit() else None,
        protocol=environ.get("SERVER_PROTOCOL") or "HTTP/1.1",
    )

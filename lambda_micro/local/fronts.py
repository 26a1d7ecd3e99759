"""The service in front of a function, as the gateway sees it: API Gateway, VPC Lattice or CloudFront.

Each one has its own limits on a request, its own wait for the function, its own answers when something
fails and its own headers on a response. :class:`Front` is what :class:`~.gateway.LocalGateway` asks of
it; :func:`front_for` picks the one of a matched route (or of a request no route matched: API Gateway's).
The rules themselves live beside each service: :mod:`.apigw`, :mod:`.vpc_lattice`, :mod:`.cloudfront`.

``what`` names a failure: ``unmatched`` (no route), ``function_error`` (the handler raised, or could not
be loaded), ``function_timeout`` (its own Timeout passed), ``integration_timeout`` (the service stopped
waiting first), ``invalid_result`` (a result the service rejects, or one over its size limit) and
``event_too_large`` (an event over Lambda's 6 MB request limit).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final, Protocol

from lambda_micro.adapter.infer import EDGE, LATTICE_V1, LATTICE_V2

from . import apigw
from .cloudfront import CloudFrontFront
from .exchange import GatewayRequest, ServiceError
from .routing import Match, Miss
from .vpc_lattice import LatticeFront

__all__ = ["FAILURES", "ApiGatewayFront", "Front", "front_for"]

#: The failures a front answers (see the module's docstring).
FAILURES: Final = (
    "unmatched",
    "function_error",
    "function_timeout",
    "integration_timeout",
    "invalid_result",
    "event_too_large",
)


class Front(Protocol):
    """What the gateway asks of the service in front of a function."""

    @property
    def name(self) -> str:
        """The service, as log lines name it (``"REST API"``, ``"VPC Lattice"``, ``"CloudFront"``)."""
        ...

    @property
    def integration_timeout(self) -> float | None:
        """How long the service waits for the function, in seconds (``None``: the function's Timeout)."""
        ...

    @property
    def integration_limit(self) -> str:
        """What that wait is called, for the log line of a timeout."""
        ...

    def request_limit_error(self, request: GatewayRequest, request_id: str) -> ServiceError | None:
        """The service's own answer to a request past its limits, before any routing; else ``None``."""
        ...

    def error(self, what: str, request_id: str) -> ServiceError:
        """The service's own answer to a failure (``what``: one of :data:`FAILURES`)."""
        ...

    def prepare_result(
        self, result: object, request: GatewayRequest, binary_media_types: Sequence[str]
    ) -> object:
        """The function's result as the service reads it, before it is checked (REST's binary rule)."""
        ...

    def response_headers(self, headers: Sequence[tuple[str, str]], request_id: str) -> list[tuple[str, str]]:
        """The function's response headers as the client gets them (the service's own added)."""
        ...


# How each failure maps to API Gateway's own errors (it answers a rejected result as a failed function).
_API_GATEWAY_ERRORS: Final = {
    "unmatched": "unmatched",
    "function_error": "function_error",
    "function_timeout": "function_error",
    "integration_timeout": "integration_timeout",
    "invalid_result": "function_error",
    "event_too_large": "event_too_large",
}


class ApiGatewayFront:
    """A REST API (``kind="rest"``) or an HTTP API (``"http"``, also for the ALB and Function URL routes)."""

    integration_limit = "API Gateway's integration limit"

    def __init__(self, kind: str) -> None:
        self.kind = "rest" if kind == "rest" else "http"
        self.name = "REST API" if self.kind == "rest" else "HTTP API"
        self.integration_timeout: float | None = apigw.INTEGRATION_TIMEOUT[self.kind]

    def request_limit_error(self, request: GatewayRequest, request_id: str) -> ServiceError | None:
        error = apigw.request_limit_error(
            self.kind, target=request.target, header_bytes=request.header_bytes, body_bytes=len(request.body)
        )
        return None if error is None else self._answer(error, request_id)

    def error(self, what: str, request_id: str) -> ServiceError:
        return self._answer(apigw.api_error(self.kind, _API_GATEWAY_ERRORS[what]), request_id)

    def _answer(self, error: apigw.GatewayError, request_id: str) -> ServiceError:
        headers = (*error.headers, *apigw.request_id_headers(self.kind, request_id))
        return ServiceError(error.status, headers, error.body)

    def prepare_result(
        self, result: object, request: GatewayRequest, binary_media_types: Sequence[str]
    ) -> object:
        if self.kind != "rest":
            return result
        return apigw.rest_binary_rule(result, request.header("Accept"), tuple(binary_media_types))

    def response_headers(self, headers: Sequence[tuple[str, str]], request_id: str) -> list[tuple[str, str]]:
        return apigw.response_headers(self.kind, headers, request_id)


def front_for(outcome: Match | Miss) -> Front:
    """The service in front of the matched route's function (API Gateway's for a request none matched)."""
    if isinstance(outcome, Miss):
        return ApiGatewayFront(outcome.kind)
    route = outcome.route
    if route.source in (LATTICE_V1, LATTICE_V2):
        return LatticeFront()
    if route.source == EDGE:
        return CloudFrontFront(getattr(route, "edge_trigger", "viewer-request"))
    return ApiGatewayFront(route.api_kind)

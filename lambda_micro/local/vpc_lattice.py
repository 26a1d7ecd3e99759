"""VPC Lattice's own behaviour in front of a Lambda target group, for the local gateway.

What AWS documents ("Lambda functions as targets in VPC Lattice"): a request body is at most 6 MB, and so
is the response JSON the function sends. VPC Lattice has no stages and no binary media types, and documents
no wait of its own (the function's Timeout applies) and no bodies for its own errors: they are the status's
reason phrase as plain text here (an assumption, kept in this one place):

=========================================================  ==========
what happened                                              the answer
=========================================================  ==========
request body over 6 MB, or an event over Lambda's 6 MB     413
handler raised, timed out or could not be loaded           502
result VPC Lattice rejects, or over 6 MB                   502
=========================================================  ==========

A Lambda invocation that times out is a function error to the caller, so it is answered as one.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from lambda_micro.adapter.result import reason_phrase

from .exchange import GatewayRequest, ServiceError

__all__ = ["BODY_LIMIT", "LatticeFront"]

#: The largest request body VPC Lattice sends to a Lambda function.
BODY_LIMIT: Final = 6 * 1024 * 1024
_STATUSES: Final = {
    "unmatched": 404,  # no listener rule: the listener's default action
    "function_error": 502,
    "function_timeout": 502,
    "integration_timeout": 502,
    "invalid_result": 502,
    "event_too_large": 413,
}


class LatticeFront:
    """VPC Lattice in front of a function (either event structure version)."""

    name = "VPC Lattice"
    integration_timeout: float | None = None
    integration_limit = "VPC Lattice's wait"

    def request_limit_error(self, request: GatewayRequest, request_id: str) -> ServiceError | None:
        if len(request.body) > BODY_LIMIT:
            return self.error("event_too_large", request_id)
        return None

    def error(self, what: str, request_id: str) -> ServiceError:
        status = _STATUSES[what]
        return ServiceError(
            status, (("Content-Type", "text/plain; charset=utf-8"),), reason_phrase(status).encode()
        )

    def prepare_result(
        self, result: object, request: GatewayRequest, binary_media_types: Sequence[str]
    ) -> object:
        return result

    def response_headers(self, headers: Sequence[tuple[str, str]], request_id: str) -> list[tuple[str, str]]:
        return list(headers)

"""API Gateway's own behaviour, in one place: its errors, request ids, limits and the binary rule.

The local gateway applies these for every request, whether it comes from the HTTP server under
``lambda-micro serve``, from the test client or from ``lambda-micro check``:

=============================================  ===========================  ============================
what happened                                  REST API                     HTTP API
=============================================  ===========================  ============================
no route                                       403 Missing Authentication   404 Not Found
handler raised / timed out / could not import  502 Internal server error    500 Internal Server Error
result API Gateway rejects, or over 6 MB       502 Internal server error    500 Internal Server Error
API's integration limit (29 s / 30 s) passed   504 Endpoint request timed   503 Service Unavailable
request body over 10 MB                        413 (text)                   413 (text)
event over Lambda's 6 MB request limit         413 Request Too Long         413 Request Too Long
request line and headers over 10240 bytes      431                          431
URL (path and query) over 8192 characters      414                          414
no token, bad token, authorizer said           401 Unauthorized             401 Unauthorized
"Unauthorized", identity source missing                                     (JWT: ``www-authenticate``)
Cognito token expired                          401 The incoming token has   401 Unauthorized
                                               expired
policy denies explicitly / allows nothing      403 User is not authorized   403 Forbidden
                                               ... (with an explicit deny)
simple response ``isAuthorized: false``,       --                           403 Forbidden
scopes missing (JWT)
authorizer failed or answered nonsense         500 ``{"message": null}``    500 Internal Server Error
IAM: unsigned                                  403 Missing Authentication   403 Forbidden
                                               Token
IAM: bad signature, unknown key, clock skew    403 (AWS's SigV4 messages)   403 (the same)
API key missing or unknown                     403 Forbidden                --
=============================================  ===========================  ============================

The 413 bodies are those API Gateway sends (captured from a REST API; the HTTP API is assumed to answer
alike). AWS documents the header and URL quotas but not the answer: 431 and 414 are HTTP's own codes.
The authorizer answers follow AWS's documentation where it gives them (the gateway response types and
their status codes; the HTTP API JWT troubleshooting page for ``www-authenticate``), and public captures
where it does not (REST's capitalised ``{"Message": "User is not authorized..."}`` with
``x-amzn-ErrorType: AccessDeniedException``, ``The incoming token has expired``, ``{"message": null}``).
"""

from __future__ import annotations

import base64
import binascii
import fnmatch
import json
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Final, Literal

__all__ = [
    "BODY_LIMIT",
    "HEADER_LIMIT",
    "INTEGRATION_TIMEOUT",
    "LAMBDA_REQUEST_LIMIT",
    "URL_LIMIT",
    "ErrorKind",
    "GatewayError",
    "api_error",
    "media_type_matches",
    "parse_accept_first",
    "request_id_headers",
    "request_limit_error",
    "response_headers",
    "rest_binary_rule",
]

logger = logging.getLogger("lambda_micro.local")

#: What API Gateway itself answered: ``"rest"`` or ``"http"``.
ErrorKind = Literal["rest", "http"]

#: API Gateway's own limits on how long it waits for a Lambda integration, in seconds.
INTEGRATION_TIMEOUT: Final = {"rest": 29.0, "http": 30.0}
#: The largest request body API Gateway accepts (both kinds of API): 10 MB.
BODY_LIMIT: Final = 10 * 1024 * 1024
#: Lambda's limit on a synchronous invocation's request (the event, as JSON): 6 MB.
LAMBDA_REQUEST_LIMIT: Final = 6 * 1024 * 1024
#: API Gateway's quota on the request line and header values together, in bytes.
HEADER_LIMIT: Final = 10240
#: API Gateway's quota on a URL's length (path and query), in characters.
URL_LIMIT: Final = 8192


@dataclass(frozen=True)
class GatewayError:
    """A response API Gateway produces itself (never the function's): status, body, error type."""

    status: int
    body: bytes
    error_type: str
    content_type: str = "application/json"
    extra_headers: tuple[tuple[str, str], ...] = ()

    @property
    def headers(self) -> list[tuple[str, str]]:
        """Response headers as API Gateway sends them for its own errors."""
        return [
            ("Content-Type", self.content_type),
            ("x-amzn-ErrorType", self.error_type),
            *self.extra_headers,
        ]

    def with_headers(self, *headers: tuple[str, str]) -> GatewayError:
        """The same error with more headers (``www-authenticate`` on an HTTP API's JWT refusals)."""
        return replace(self, extra_headers=(*self.extra_headers, *headers))

    def with_message(self, message: str, error_type: str | None = None) -> GatewayError:
        """The same status with another ``{"message": ...}`` (the SigV4 refusals name what is wrong)."""
        body = json.dumps({"message": message}, separators=(",", ":")).encode()
        return replace(self, body=body, error_type=error_type or self.error_type)


_ERRORS: Final[dict[tuple[str, str], GatewayError]] = {
    ("rest", "unmatched"): GatewayError(
        403, b'{"message":"Missing Authentication Token"}', "MissingAuthenticationTokenException"
    ),
    ("http", "unmatched"): GatewayError(404, b'{"message":"Not Found"}', "NotFoundException"),
    ("rest", "function_error"): GatewayError(
        502, b'{"message": "Internal server error"}', "InternalServerErrorException"
    ),
    ("http", "function_error"): GatewayError(
        500, b'{"message":"Internal Server Error"}', "InternalServerErrorException"
    ),
    ("rest", "integration_timeout"): GatewayError(
        504, b'{"message": "Endpoint request timed out"}', "IntegrationTimeout"
    ),
    ("http", "integration_timeout"): GatewayError(
        503, b'{"message":"Service Unavailable"}', "ServiceUnavailableException"
    ),
    ("rest", "body_too_large"): GatewayError(
        413,
        f"HTTP content length exceeded {BODY_LIMIT} bytes.".encode(),
        "RequestEntityTooLargeException",
        "text; charset=utf-8",
    ),
    ("rest", "event_too_large"): GatewayError(413, b'{"message": "Request Too Long"}', "BadRequestException"),
    ("rest", "headers_too_large"): GatewayError(
        431, b'{"message":"Request Header Fields Too Large"}', "BadRequestException"
    ),
    ("rest", "url_too_long"): GatewayError(414, b'{"message":"Request-URI Too Long"}', "BadRequestException"),
    # -- authorizers (see the table above) --
    ("rest", "unauthorized"): GatewayError(401, b'{"message":"Unauthorized"}', "UnauthorizedException"),
    ("http", "unauthorized"): GatewayError(401, b'{"message":"Unauthorized"}', "UnauthorizedException"),
    ("rest", "token_expired"): GatewayError(
        401, b'{"message":"The incoming token has expired"}', "UnauthorizedException"
    ),
    ("rest", "explicit_deny"): GatewayError(
        403,
        b'{"Message":"User is not authorized to access this resource with an explicit deny"}',
        "AccessDeniedException",
    ),
    ("rest", "access_denied"): GatewayError(
        403, b'{"Message":"User is not authorized to access this resource"}', "AccessDeniedException"
    ),
    ("http", "access_denied"): GatewayError(403, b'{"message":"Forbidden"}', "ForbiddenException"),
    ("rest", "authorizer_error"): GatewayError(500, b'{"message": null}', "AuthorizerConfigurationException"),
    ("http", "authorizer_error"): GatewayError(
        500, b'{"message":"Internal Server Error"}', "InternalServerErrorException"
    ),
    ("rest", "unsigned"): GatewayError(
        403, b'{"message":"Missing Authentication Token"}', "MissingAuthenticationTokenException"
    ),
    ("http", "unsigned"): GatewayError(403, b'{"message":"Forbidden"}', "ForbiddenException"),
    ("rest", "bad_signature"): GatewayError(403, b'{"message":"Forbidden"}', "InvalidSignatureException"),
    ("rest", "api_key"): GatewayError(403, b'{"message":"Forbidden"}', "ForbiddenException"),
}
for _what in ("body_too_large", "event_too_large", "headers_too_large", "url_too_long", "bad_signature"):
    _ERRORS["http", _what] = _ERRORS["rest", _what]
# An HTTP API has no "expired" answer of its own: a JWT authorizer refuses every bad token alike.
_ERRORS["http", "token_expired"] = _ERRORS["http", "unauthorized"]
_ERRORS["http", "explicit_deny"] = _ERRORS["http", "access_denied"]


def api_error(kind: str, what: str) -> GatewayError:
    """API Gateway's own error response for ``kind`` (``"rest"``/``"http"``) and what happened.

    ``what`` is ``unmatched``, ``function_error`` (the handler raised, timed out or returned a result API
    Gateway rejects), ``integration_timeout`` (29 s REST / 30 s HTTP API), ``body_too_large``,
    ``event_too_large``, ``headers_too_large`` or ``url_too_long``; for authorizers ``unauthorized``,
    ``token_expired``, ``explicit_deny``, ``access_denied``, ``authorizer_error``, ``unsigned``,
    ``bad_signature`` (its message set with :meth:`GatewayError.with_message`) and ``api_key`` (REST).
    Bodies are byte for byte AWS's.
    """
    error = _ERRORS.get(("rest" if kind == "rest" else "http", what))
    if error is None:
        raise ValueError(f"unknown API Gateway error {what!r}")
    return error


def request_limit_error(kind: str, *, target: str, header_bytes: int, body_bytes: int) -> GatewayError | None:
    """The error API Gateway answers before any routing for a request past its quotas, else ``None``.

    ``target`` is the path and query as sent; ``header_bytes`` the request line and header values.
    """
    if len(target) > URL_LIMIT:
        return api_error(kind, "url_too_long")
    if header_bytes > HEADER_LIMIT:
        return api_error(kind, "headers_too_large")
    if body_bytes > BODY_LIMIT:
        return api_error(kind, "body_too_large")
    return None


def request_id_headers(kind: str, request_id: str) -> list[tuple[str, str]]:
    """The header naming API Gateway's request id: ``x-amzn-RequestId`` (REST), ``Apigw-Requestid`` (HTTP)."""
    if kind == "rest":
        return [("x-amzn-RequestId", request_id)]
    return [("Apigw-Requestid", request_id)]


def response_headers(kind: str, headers: Sequence[tuple[str, str]], request_id: str) -> list[tuple[str, str]]:
    """A function's response headers as the client gets them from API Gateway.

    A REST API adds ``Content-Type: application/json`` when the function sets none; both kinds add
    their request id header.
    """
    result = list(headers)
    if kind == "rest" and not any(name.lower() == "content-type" for name, _ in result):
        result.append(("Content-Type", "application/json"))
    result.extend(request_id_headers(kind, request_id))
    return result


def parse_accept_first(accept: str | None) -> str | None:
    """The first media type of an ``Accept`` header, lower-cased, parameters dropped."""
    if not accept:
        return None
    first = accept.split(",", 1)[0].split(";", 1)[0].strip().lower()
    return first or None


def media_type_matches(media_type: str | None, patterns: Iterable[str]) -> bool:
    """Whether ``media_type`` is one of ``patterns``, as API Gateway applies ``BinaryMediaTypes``.

    ``media_type`` may carry parameters (a whole ``Content-Type``: ``image/png; q=1``); the comparison ignores
    them and letter case. ``*`` in a pattern is a wildcard (``image/*``, ``*/*``).
    """
    if not media_type:
        return False
    media = media_type.split(";", 1)[0].strip().lower()
    if not media:
        return False
    return any(fnmatch.fnmatchcase(media, pattern.strip().lower()) for pattern in patterns)


def rest_binary_rule(result: object, accept: str | None, binary_media_types: Sequence[str]) -> object:
    """REST APIs decode a base64 result only when the request's first ``Accept`` type is a binary media type.

    Otherwise the client receives the base64 text, exactly as on AWS (a classic surprise, reproduced so it
    is found locally). HTTP APIs always decode.
    """
    if not isinstance(result, dict) or result.get("isBase64Encoded") is not True:
        return result
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

"""WSGI response -> proxy result for each source (contract section F).

``ResponseCollector`` is the ``start_response`` callable (PEP 3333 semantics, exc_info included);
``build_result`` shapes status, headers and body for REST, HTTP API, Function URL, ALB, VPC Lattice
(the load balancer's single-value shape) or Lambda@Edge (CloudFront's response object, ``edge.py``).

The contract items cited by number (``item 29``) are those of docs/ADAPTER-CONTRACT.md.
"""

from __future__ import annotations

from base64 import b64encode
from collections.abc import Callable, Iterable
from http import HTTPStatus
from json.encoder import encode_basestring
from types import TracebackType
from typing import Any, Final

from .infer import ALB, EDGE, HTTP_V1, HTTP_V2, LATTICE_V1, LATTICE_V2, REST, URL, V2_SOURCES, Source

__all__ = [
    "ALB_RESPONSE_LIMIT",
    "DEFAULT_TEXT_MIME_TYPES",
    "EDGE_ORIGIN_LIMIT",
    "EDGE_VIEWER_LIMIT",
    "LAMBDA_RESPONSE_LIMIT",
    "ResponseCollector",
    "TextTypes",
    "build_result",
    "checked_headers",
    "payload_limit",
    "reason_phrase",
]

#: Media types answered as text; anything else is base64-encoded (contract item 29). ``*`` matches a
#: whole type (``text/*``) or subtype (``*/json``); ``*+json`` matches a structured-syntax suffix.
# This is the runtime's own policy for *response* bodies (configurable with ``text_mime_types``): encoding
# more than needed is harmless, since API Gateway decodes a base64 result. Which *request* bodies AWS
# base64-encodes is a different, fixed rule of the services (the Elastic Load Balancing guide lists
# text/*, application/json, application/javascript, application/xml as passed as is; a REST API encodes
# what matches its BinaryMediaTypes); the dev-only event builder reproduces that rule with ``TextTypes``.
DEFAULT_TEXT_MIME_TYPES: Final[tuple[str, ...]] = (
    "text/*",
    "*/json",
    "*+json",
    "*/xml",
    "*+xml",
    "application/javascript",
    "image/svg+xml",
    "application/x-www-form-urlencoded",
)

LAMBDA_RESPONSE_LIMIT: Final = 6 * 1024 * 1024  #: Lambda's synchronous response payload limit.
ALB_RESPONSE_LIMIT: Final = 1024 * 1024  #: The load balancer's limit on a Lambda target's response.
#: The largest response a Lambda@Edge function may generate for a viewer request, headers and body
#: (CloudFront answers 502 above it).
EDGE_VIEWER_LIMIT: Final = 40 * 1024
#: The same for an origin request.
EDGE_ORIGIN_LIMIT: Final = 1024 * 1024
# Each source's limit on the result (VPC Lattice's is Lambda's 6 MB); Lambda@Edge's depends on the
# trigger, and the viewer's, the smaller, stands for it wherever the trigger is not at hand.
_LIMITS: Final[dict[str, int]] = {
    REST: LAMBDA_RESPONSE_LIMIT,
    HTTP_V1: LAMBDA_RESPONSE_LIMIT,
    HTTP_V2: LAMBDA_RESPONSE_LIMIT,
    URL: LAMBDA_RESPONSE_LIMIT,
    ALB: ALB_RESPONSE_LIMIT,
    LATTICE_V1: LAMBDA_RESPONSE_LIMIT,
    LATTICE_V2: LAMBDA_RESPONSE_LIMIT,
    EDGE: EDGE_VIEWER_LIMIT,
}
#: The smallest limit of any source: a result under it needs no per-source check.
SMALLEST_LIMIT: Final = min(_LIMITS.values())
# Results with the payload 1.0 multi-value header map (Lambda@Edge's lists are built from it); ALB
# follows the request's mode.
_MULTI_VALUE_SOURCES: Final = frozenset((REST, HTTP_V1, EDGE))
# Results built in one step when no cookie needs moving: neither statusDescription nor another shape.
_PLAIN_SOURCES: Final = frozenset((REST, HTTP_V1, HTTP_V2, URL))

# Code -> reason phrase, filled on first use (iterating HTTPStatus costs every cold start otherwise).
_REASONS: Final[dict[int, str]] = {}
_NO_BODY_CODES: Final = frozenset((204, 304))
# Repeated Set-Cookie in ALB single-value mode: one header name per cookie, made distinct by letter case
# (9 letters: 512 spellings, the canonical one first). Computed on first use, not at import (cold start).
_SET_COOKIE_SPELLINGS: Final = 1 << 9
_set_cookie_names_cache: list[tuple[str, ...]] = []


def _set_cookie_names() -> tuple[str, ...]:
    if not _set_cookie_names_cache:
        _set_cookie_names_cache.append(
            tuple(
                sorted(
                    {
                        spelled[:3] + "-" + spelled[3:]
                        for spelled in (
                            "".join(
                                char.upper() if mask >> index & 1 else char
                                for index, char in enumerate("setcookie")
                            )
                            for mask in range(_SET_COOKIE_SPELLINGS)
                        )
                    },
                    key=lambda name: (name != "Set-Cookie", name),
                )
            )
        )
    return _set_cookie_names_cache[0]


# A header-size allowance per header in the size estimate: quotes, colon, comma of the JSON encoding.
_HEADER_OVERHEAD: Final = 8
_RESULT_OVERHEAD: Final = 128
# JSON escapes at most grow a character sixfold (a control character becomes \u00XX).
_MAX_ESCAPE_GROWTH: Final = 6
# Below this, no source's limit can be reached by escapes (skips the limit lookup for small bodies).
_ESCAPE_CHECK_FLOOR: Final = SMALLEST_LIMIT // 2

# Status line -> (code, ALB statusDescription), and each handler's Content-Type -> base64 decision:
# memoised, bounded (an app could build reasons or media type parameters dynamically).
_STATUSES: dict[str, tuple[int, str]] = {}
_CACHE_LIMIT: Final = 256

ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None] | tuple[None, None, None]


def payload_limit(source: Source, event: Any = None) -> int:
    """The largest proxy result, in bytes, that ``source`` accepts from Lambda.

    Lambda@Edge's depends on the trigger: give the ``event`` (without it, the smaller viewer-request
    limit; item 45).
    """
    if source == EDGE and event is not None:
        config = event["Records"][0]["cf"].get("config")
        if isinstance(config, dict) and config.get("eventType") == "origin-request":
            return EDGE_ORIGIN_LIMIT
    return _LIMITS[source]


def reason_phrase(code: int) -> str:
    """The standard reason phrase of ``code``, or ``"Unknown"``."""
    if not _REASONS:
        _REASONS.update({status.value: status.phrase for status in HTTPStatus})
    return _REASONS.get(code, "Unknown")


class TextTypes:
    """A compiled matcher for media type patterns such as ``text/*``, ``*/json``, ``*+xml``."""

    __slots__ = ("_any", "_exact", "_subtypes", "_suffixes", "_types")

    def __init__(self, patterns: Iterable[str]) -> None:
        if isinstance(patterns, str):
            raise TypeError("text_mime_types must be an iterable of media type patterns, not a string")
        self._any = False
        self._exact: set[str] = set()
        self._types: set[str] = set()
        self._subtypes: set[str] = set()
        self._suffixes: set[str] = set()
        for raw in patterns:
            pattern = raw.strip().lower()
            if pattern == "*/*":
                self._any = True
            elif pattern.startswith("*+") and len(pattern) > 2:
                self._suffixes.add(pattern[1:])
            elif pattern.startswith("*/") and len(pattern) > 2:
                self._subtypes.add(pattern[2:])
            elif pattern.endswith("/*") and len(pattern) > 2:
                self._types.add(pattern[:-2])
            elif pattern.count("/") == 1 and "*" not in pattern and not pattern.startswith("/"):
                self._exact.add(pattern)
            else:
                raise ValueError(
                    f"text_mime_types: {raw!r} is not a media type pattern "
                    "(expected 'type/subtype', 'type/*', '*/subtype' or '*+suffix')"
                )

    def __call__(self, media_type: str) -> bool:
        """Whether ``media_type`` (lower-case, without parameters) is textual."""
        if self._any or media_type in self._exact:
            return True
        main, _, sub = media_type.partition("/")
        if main in self._types or sub in self._subtypes:
            return True
        plus = sub.rfind("+")
        return plus != -1 and sub[plus:] in self._suffixes


DEFAULT_TEXT_TYPES: Final = TextTypes(DEFAULT_TEXT_MIME_TYPES)


_CHECKED_STATUSES: set[str] = set()
_CHECKED_NAMES: set[str] = set()
_CHECKED_LIMIT: Final = 1024  # bounds each memo: an app may build reasons or names dynamically


def _check_status(status: Any) -> None:
    if not (
        isinstance(status, str)
        and len(status) >= 3
        and status[:3].isascii()
        and status[:3].isdigit()
        and (len(status) == 3 or status[3] == " ")
    ):
        raise ValueError(f"Invalid WSGI status {status!r}: expected '<3-digit code> <reason>'")
    if type(status) is str and len(_CHECKED_STATUSES) < _CHECKED_LIMIT:
        _CHECKED_STATUSES.add(status)


def _check_header(name: Any, value: Any) -> None:
    if not isinstance(name, str) or not isinstance(value, str):
        raise TypeError(f"WSGI header {name!r}: names and values must be str")
    if not value.isascii():
        value.encode("latin-1")  # UnicodeEncodeError: WSGI header values are latin-1 (PEP 3333)
    if "\n" in value or "\r" in value or "\n" in name or "\r" in name or ":" in name:
        raise ValueError(f"WSGI header {name!r}: line breaks and ':' are not allowed")
    if type(name) is str and len(_CHECKED_NAMES) < _CHECKED_LIMIT:
        _CHECKED_NAMES.add(name)


class ResponseCollector:
    """The ``start_response`` callable handed to the app; collects status, headers and ``write()`` data."""

    __slots__ = ("chunks", "headers", "status")

    def __init__(self) -> None:
        self.status: str | None = None
        self.headers: list[tuple[str, str]] = []
        #: The body so far, never an empty chunk: the body has begun exactly when this is non-empty.
        self.chunks: list[bytes] = []

    def start_response(
        self, status: str, headers: list[tuple[str, str]], exc_info: ExcInfo | None = None
    ) -> Callable[[bytes], None]:
        """PEP 3333 ``start_response``: with ``exc_info`` it may replace the status until the body began."""
        if exc_info is not None and exc_info[1] is not None:
            if self.chunks:
                # Too late to change the status: re-raise the app's exception (PEP 3333).
                raise exc_info[1].with_traceback(exc_info[2])
        elif self.status is not None:
            raise RuntimeError("start_response() called a second time without exc_info")
        self.headers = checked_headers(status, headers)
        self.status = status
        return self.write

    def write(self, data: bytes) -> None:
        """The legacy ``write()`` callable returned by ``start_response``."""
        if data:
            self.chunks.append(data)


def checked_headers(status: str, headers: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """``start_response``'s checks of a status and its headers (PEP 3333; ``ValueError``/``TypeError``
    naming the bad one): a new list of the headers."""
    # Statuses and header names repeat from request to request: the ones already checked are memoised;
    # a printable ASCII value is valid as it is. Anything else gets the exact checks.
    if type(status) is not str or status not in _CHECKED_STATUSES:
        _check_status(status)
    checked: list[tuple[str, str]] = []
    for name, value in headers:
        if not (
            type(value) is str
            and value.isascii()
            and value.isprintable()
            and type(name) is str
            and name in _CHECKED_NAMES
        ):
            _check_header(name, value)
        checked.append((name, value))
    return checked


def build_result(
    source: Source,
    status: str,
    headers: list[tuple[str, str]],
    body: bytes,
    *,
    method: str,
    alb_multi_value: bool,
    is_text: Callable[[str], bool] = DEFAULT_TEXT_TYPES,
    always_binary: frozenset[str] = frozenset(),
    binary_cache: dict[str, bool] | None = None,
) -> tuple[dict[str, Any], int]:
    """Return the proxy result for ``source`` and an estimate of its JSON size in bytes.

    ``binary_cache``: an optional dict, kept by the caller for one ``is_text``/``always_binary`` pair, that
    memoises which Content-Type values are base64-encoded (an app answers with a few types, over and over).
    """
    parsed = _STATUSES.get(status)
    if parsed is None:
        parsed = _parse_status(status)
    code = parsed[0]
    multi = alb_multi_value if source == ALB else source in _MULTI_VALUE_SOURCES
    # One pass: the headers by lower-case name (repeats, Content-Type, Content-Encoding) and their share
    # of the size estimate.
    size = _RESULT_OVERHEAD + _HEADER_OVERHEAD * len(headers)
    by_lower: dict[str, str] = {}
    header_map: dict[str, Any] = {}
    if multi:
        for name, value in headers:
            by_lower[name.lower()] = value
            header_map[name] = [value]
            size += len(name) + len(value)
    else:
        for name, value in headers:
            by_lower[name.lower()] = value
            size += len(name) + len(value)
    cookies: list[str] | None = None
    if len(by_lower) == len(headers) and (multi or "set-cookie" not in by_lower):
        # No name repeats, no cookie to move: the common case, each header as it is.
        if not multi:
            header_map = dict(headers)
        content_type = by_lower.get("content-type")
        encoding = by_lower.get("content-encoding")
        compressed = encoding is not None and bool(encoding.strip())
    else:
        header_map, cookies, content_type, compressed = _grouped_headers(source, headers, multi)

    if not body or method == "HEAD" or code < 200 or code in _NO_BODY_CODES:
        text, encoded = "", False  # HEAD keeps the GET headers, Content-Length included (item 31)
    else:
        # Compressed: never text, whatever the media type.
        binary = compressed
        if not binary and content_type is not None:
            cached = binary_cache.get(content_type) if binary_cache is not None else None
            if cached is None:
                cached = _is_binary(content_type, is_text, always_binary)
                if binary_cache is not None and len(binary_cache) < _CACHE_LIMIT:
                    binary_cache[content_type] = cached
            binary = cached
        encoded = binary
        if not binary:
            try:
                text = body.decode("utf-8")
            except UnicodeDecodeError:
                encoded = True  # "text" that is not UTF-8: base64 keeps every byte (item 29)
        if encoded:
            text = b64encode(body).decode("ascii")

    size += len(text) if encoded else len(body)
    if (
        not encoded
        and len(body) * _MAX_ESCAPE_GROWTH > _ESCAPE_CHECK_FLOOR
        and len(body) * _MAX_ESCAPE_GROWTH > _LIMITS[source] // 2
    ):
        size += _escape_growth(text)  # only a large body can be pushed over the limit by its escapes
    if cookies is None and source in _PLAIN_SOURCES:  # the common shapes, built in one step
        if multi:
            return {
                "statusCode": code,
                "multiValueHeaders": header_map,
                "body": text,
                "isBase64Encoded": encoded,
            }, size
        return {"statusCode": code, "headers": header_map, "body": text, "isBase64Encoded": encoded}, size
    if source == ALB:
        result: dict[str, Any] = {"statusCode": code, "statusDescription": parsed[1]}
    elif source == EDGE:
        # Loaded by the first Lambda@Edge result: functions behind other sources never pay for it.
        from .edge import edge_result  # noqa: PLC0415

        return edge_result(code, parsed[1], header_map, text, encoded, size)
    else:
        result = {"statusCode": code}
        if source not in V2_SOURCES:  # VPC Lattice (REST has no cookies to move)
            result["statusDescription"] = parsed[1]
    result["multiValueHeaders" if multi else "headers"] = header_map
    if cookies is not None:
        result["cookies"] = cookies
    result["body"] = text
    result["isBase64Encoded"] = encoded
    return result, size


def _parse_status(status: str) -> tuple[int, str]:
    """``"200 OK"`` -> ``(200, "200 OK")``: the code and the load balancer's statusDescription (memoised)."""
    code = int(status[:3])
    reason = status[4:].strip() or reason_phrase(code)
    parsed = (code, f"{code} {reason}")
    if len(_STATUSES) < _CACHE_LIMIT:
        _STATUSES[status] = parsed
    return parsed


def _is_binary(content_type: str, is_text: Callable[[str], bool], always_binary: frozenset[str]) -> bool:
    media_type = content_type.partition(";")[0].strip().lower()
    return media_type in always_binary or not is_text(media_type)


def _grouped_headers(
    source: Source, headers: list[tuple[str, str]], multi: bool
) -> tuple[dict[str, Any], list[str] | None, str | None, bool]:
    """Headers with repeated names: grouped by name (case-insensitively, first spelling, in order).

    Returns the result's header map, the 2.0 ``cookies`` (or ``None``), the last Content-Type and whether
    the body is compressed.
    """
    grouped: dict[str, list[str]] = {}
    spelling: dict[str, str] = {}
    content_type: str | None = None
    compressed = False
    for name, value in headers:
        lower = name.lower()
        if lower == "content-type":
            content_type = value
        elif lower == "content-encoding" and value.strip():
            compressed = True
        key = spelling.setdefault(lower, name)
        values = grouped.get(key)
        if values is None:
            grouped[key] = [value]
        else:
            values.append(value)
    if multi:
        return grouped, None, content_type, compressed
    # Single-value headers: repeats joined with ", ", except Set-Cookie (grouped under one name), which
    # goes to the 2.0 ``cookies`` list, or to distinct spellings of its name for the load balancer and
    # VPC Lattice (one string per name in their results).
    single: dict[str, str] = {}
    cookies: list[str] | None = None
    for name, values in grouped.items():
        if name.lower() != "set-cookie":
            single[name] = values[0] if len(values) == 1 else ", ".join(values)
        elif source in V2_SOURCES:
            cookies = values
        elif len(values) > _SET_COOKIE_SPELLINGS:
            raise ValueError(
                f"{len(values)} Set-Cookie headers: a single-value header map can carry at most "
                f"{_SET_COOKIE_SPELLINGS}"
            )
        else:
            single.update(zip(_set_cookie_names(), values, strict=False))
    return single, cookies, content_type, compressed


def _escape_growth(text: str) -> int:
    """How many bytes JSON escaping adds to ``text`` in the serialised result.

    The runtime serialises the result with ``ensure_ascii=False``: only ``"``, ``\\`` and control
    characters are escaped, all of them ASCII, so the growth in bytes equals the growth in characters.
    A JSON or HTML body full of quotes can grow by a third and cross the limit (contract item 34).
    """
    return len(encode_basestring(text)) - 2 - len(text)

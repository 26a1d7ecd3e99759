"""What every event shape shares: headers the service adds, times, ids, query pairs and body encoding."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Final
from urllib.parse import parse_qsl

from lambda_micro.adapter.result import TextTypes

from .request import EventRequest

_MONTHS: Final = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
# Request bodies an HTTP API, a Function URL or an ALB hands over as text (anything else, or text that is not
# UTF-8, arrives base64-encoded). This is AWS's rule for *requests*, which the builders reproduce; it is not
# the adapter's DEFAULT_TEXT_MIME_TYPES, which is this framework's configurable policy for *responses* (what
# it base64-encodes so API Gateway passes the bytes through untouched), though both use the same matcher.
# The Elastic Load Balancing guide ("Use Lambda functions as targets of an Application Load Balancer",
# receiving events) documents: text/*, application/json, application/javascript and application/xml go as
# is, every other type is base64-encoded. HTTP APIs document no list; the structured-syntax suffixes, forms
# and the other script/query types below are what they pass as text. A REST API instead base64-encodes
# exactly the bodies whose Content-Type matches the API's BinaryMediaTypes (``media_type_matches``).
_REQUEST_TEXT_TYPES: Final = TextTypes(
    (
        "text/*",
        "*/json",
        "*+json",
        "*/xml",
        "*+xml",
        "application/javascript",
        "application/ecmascript",
        "application/x-www-form-urlencoded",
        "application/graphql",
        "application/x-ndjson",
    )
)


def is_text_content_type(content_type: str | None) -> bool:
    """True for request media types an HTTP API, Function URL or ALB passes as text (``text/*``, JSON...)."""
    if not content_type:
        return False
    return _REQUEST_TEXT_TYPES(content_type.split(";", 1)[0].strip().lower())


def has_header(pairs: Sequence[tuple[str, str]], name: str) -> bool:
    lowered = name.lower()
    return any(key.lower() == lowered for key, _ in pairs)


def get_header(pairs: Sequence[tuple[str, str]], name: str) -> str | None:
    lowered = name.lower()
    for key, value in reversed(pairs):
        if key.lower() == lowered:
            return value
    return None


def multi(pairs: Iterable[tuple[str, str]]) -> dict[str, list[str]]:
    result: dict[str, list[str]] = {}
    for name, value in pairs:
        result.setdefault(name, []).append(value)
    return result


def decoded_query(raw: str) -> list[tuple[str, str]]:
    """The query's pairs, decoded (API Gateway's ``queryStringParameters`` values)."""
    return parse_qsl(raw, keep_blank_values=True)


def encoded_query(raw: str) -> list[tuple[str, str]]:
    """The query's pairs, still percent-encoded (what an ALB forwards)."""
    pairs = []
    for part in raw.split("&"):
        if part:
            name, _, value = part.partition("=")
            pairs.append((name, value))
    return pairs


def clf_time(moment: datetime) -> str:
    """API Gateway's request time, ``09/Apr/2015:12:34:56 +0000`` (English months, whatever the locale)."""
    utc = moment.astimezone(UTC)
    return f"{utc.day:02d}/{_MONTHS[utc.month - 1]}/{utc.year}:{utc:%H:%M:%S} +0000"


def epoch_ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def extended_id(request_id: str) -> str:
    digest = hashlib.sha256(request_id.encode()).digest()
    return base64.b64encode(digest[:10]).decode()


def short_hash(text: str, length: int = 6) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:length]


def _trace_id(moment: datetime, request_id: str) -> str:
    return f"Root=1-{int(moment.timestamp()):08x}-{hashlib.sha256(request_id.encode()).hexdigest()[:24]}"


def body_field(body: bytes | None, *, base64_encode: bool) -> tuple[str | None, bool]:
    """``(body, isBase64Encoded)`` as the event carries them."""
    if body is None:
        return None, False
    if base64_encode:
        return base64.b64encode(body).decode("ascii"), True
    # API Gateway treats a non-binary type as UTF-8 text; undecodable bytes would be mangled there too.
    return body.decode("utf-8", errors="replace"), False


def passed_as_base64(body: bytes | None, content_type: str | None) -> bool:
    """Whether an HTTP API, a Function URL or an ALB base64-encodes this request body (not a REST API)."""
    if body is None:
        return False
    if not is_text_content_type(content_type):
        return True
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return True
    return False


def with_cookie_header(pairs: Sequence[tuple[str, str]], cookies: Sequence[str]) -> list[tuple[str, str]]:
    """``pairs`` with ``cookies`` appended to (or as) the single ``Cookie`` header."""
    if not cookies:
        return list(pairs)
    existing = get_header(pairs, "Cookie")
    merged = [pair for pair in pairs if pair[0].lower() != "cookie"]
    merged.append(("Cookie", "; ".join(([existing] if existing else []) + list(cookies))))
    return merged


def integration_headers(
    request: EventRequest,
    pairs: Sequence[tuple[str, str]],
    *,
    domain: str,
    port: int,
    scheme: str,
    lower: bool = False,
) -> list[tuple[str, str]]:
    """``pairs`` plus the headers the service adds for the integration (a client's own values win).

    ``lower``: the load balancer's lower-case names.
    """
    added = [
        ("Host", domain),
        ("X-Amzn-Trace-Id", _trace_id(request.time, request.request_id)),
        ("X-Forwarded-For", request.source_ip),
        ("X-Forwarded-Port", str(port)),
        ("X-Forwarded-Proto", scheme),
    ]
    if request.body is not None and not has_header(pairs, "Content-Length"):
        added.append(("Content-Length", str(len(request.body))))
    if lower:
        added = [(name.lower(), value) for name, value in added]
    return list(pairs) + [pair for pair in added if not has_header(pairs, pair[0])]

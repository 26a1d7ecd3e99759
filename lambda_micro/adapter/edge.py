"""Lambda@Edge: CloudFront's viewer-request and origin-request events <-> WSGI (contract items 41-45).

The request is ``Records[0].cf.request``: ``method``, ``uri`` (percent-encoded), ``querystring`` (raw,
without ``?``), ``headers`` as lower-case names mapped to lists of ``{"key", "value"}``, ``clientIp``,
and the ``body`` object when the trigger includes it (``data`` in ``encoding`` base64 or text, and
``inputTruncated``). The result is CloudFront's response object: ``status`` as a string,
``statusDescription``, the headers in the same ``{"key", "value"}`` lists, ``body`` and
``bodyEncoding``.

The contract items cited by number (``item 29``) are those of docs/ADAPTER-CONTRACT.md.
"""

from __future__ import annotations

from base64 import b64decode
from binascii import Error as BinasciiError
from typing import Any, Final
from urllib.parse import quote

from . import validate
from .environ import (
    _BASE_ENVIRON,
    _RAW_QUERY_SAFE,
    _add_header,
    _decode_path,
    _finish,
    _native,
    _strip_base_path,
)
from .errors import BadEvent
from .infer import Source
from .validate import METHODS

__all__ = ["edge_environ", "edge_result"]

_REQUEST: Final = "Records[0].cf.request"
_FIELDS: Final = ("protocol", _REQUEST + ".clientIp")
# Response headers CloudFront rejects from a function (it answers 502 "failed validation"): the
# disallowed ones, and those read-only in request triggers; CloudFront sets them itself (Content-Length
# included). Dropped rather than sent (item 44).
_DROPPED: Final = frozenset(
    (
        "connection",
        "expect",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "proxy-connection",
        "trailer",
        "upgrade",
        "x-accel-buffering",
        "x-accel-charset",
        "x-accel-limit-rate",
        "x-accel-redirect",
        "x-cache",
        "x-forwarded-proto",
        "x-real-ip",
        "content-length",
        "host",
        "transfer-encoding",
        "via",
        "accept-encoding",
        "if-modified-since",
        "if-none-match",
        "if-range",
        "if-unmodified-since",
    )
)
_DROPPED_PREFIXES: Final = ("x-amz-cf-", "x-amzn-", "x-edge-")
# Per header value in the result: {"key": "", "value": ""}, plus the name repeated in "key".
_ENTRY_OVERHEAD: Final = 26


def edge_environ(
    source: Source, event: dict[str, Any], context: Any, base_path: str, lazy: bool = False
) -> dict[str, Any]:
    """The environ for a Lambda@Edge viewer-request or origin-request event."""
    cf: dict[str, Any] = event["Records"][0]["cf"]  # infer_source checked the path to the request
    request: dict[str, Any] = cf["request"]
    config = cf.get("config")
    if type(config) is not dict:
        if config is not None:
            raise BadEvent("Records[0].cf.config", "expected an object")
        config = {}
    method = request.get("method")
    try:
        method = METHODS[method]
    except (KeyError, TypeError):  # not memoised yet, or not a str at all
        method = validate.method(method, _REQUEST + ".method")
    raw_path = request.get("uri")
    if not isinstance(raw_path, str):
        raise BadEvent(_REQUEST + ".uri", "expected a string")
    if not raw_path:
        raw_path = "/"
    elif raw_path[0] != "/":
        raise BadEvent(_REQUEST + ".uri", "expected an absolute path, starting with '/'")
    query = request.get("querystring")
    if query is None:
        query = ""
    elif not isinstance(query, str):
        raise BadEvent(_REQUEST + ".querystring", "expected a string")
    elif not query.isascii():
        query = quote(query, safe=_RAW_QUERY_SAFE, errors="surrogatepass")
    body = _body(request.get("body"), config.get("eventType"))
    environ = _headers(request.get("headers"))
    script_name, path_info = "", _decode_path(raw_path)
    if base_path:
        script_name, path_info = _strip_base_path(base_path, script_name, path_info)
    # CloudFront-Forwarded-Proto is the viewer's scheme (when the distribution forwards it); the
    # X-Forwarded-Proto header is never exposed to a function.
    viewer_proto = environ.get("HTTP_CLOUDFRONT_FORWARDED_PROTO")
    _finish(
        environ,
        event,
        context,
        method,
        script_name,
        path_info,
        raw_path if raw_path.isascii() else _native(raw_path),  # raw_path
        query,
        body,
        None,  # protocol: CloudFront does not say
        request.get("clientIp"),  # remote_addr
        config.get("distributionDomainName"),  # domain
        "http" if viewer_proto and viewer_proto.strip().lower() == "http" else "https",  # scheme_default
        config,  # request_context
        {},  # stage_variables
        _FIELDS,
        lazy,
    )
    return environ


def _headers(headers: Any) -> dict[str, Any]:
    """A new environ with CloudFront's headers: each name mapped to a list of ``{"key", "value"}``."""
    field = _REQUEST + ".headers"
    environ = _BASE_ENVIRON.copy()
    if headers is None:
        return environ
    if not isinstance(headers, dict):
        raise BadEvent(field, "expected an object")
    for name, entries in headers.items():
        if entries is None:
            continue
        if not isinstance(entries, list):
            raise BadEvent(field, f"the value of {name!r} is not a list")
        for entry in entries:
            if not isinstance(entry, dict):
                raise BadEvent(field, f"the entries of {name!r} must be objects with a 'value'")
            _add_header(environ, name, entry.get("value"), field)
    return environ


def _body(body: Any, trigger: Any) -> bytes:
    """The request body (``b""`` unless the trigger includes it); a truncated body is a 413 (item 42)."""
    if body is None:
        return b""
    field = _REQUEST + ".body"
    if not isinstance(body, dict):
        raise BadEvent(field, "expected an object")
    if body.get("inputTruncated") is True:
        limit = "1 MB for an origin request" if trigger == "origin-request" else "40 KB for a viewer request"
        raise BadEvent(
            field + ".inputTruncated",
            f"CloudFront truncated the request body (it exposes at most {limit}); the function "
            "never sees the whole body, so it is refused rather than handled incomplete",
            status=413,
        )
    data = body.get("data")
    if data is None or data == "":
        return b""
    if not isinstance(data, str):
        raise BadEvent(field + ".data", "expected a string")
    encoding = body.get("encoding", "base64")  # CloudFront exposes a body base64-encoded
    if encoding == "text":
        return data.encode("utf-8", "surrogatepass")
    if encoding != "base64":
        raise BadEvent(field + ".encoding", "expected 'base64' or 'text'")
    try:
        return b64decode(data, validate=True)
    except (BinasciiError, ValueError):
        raise BadEvent(field + ".data", "the encoding is base64 but the data is not valid base64") from None


_DROPPED_MEMO: dict[str, bool] = {}
_MEMO_LIMIT: Final = 256


def _dropped(lower: str) -> bool:
    dropped = _DROPPED_MEMO.get(lower)
    if dropped is None:
        dropped = lower in _DROPPED or lower.startswith(_DROPPED_PREFIXES)
        if len(_DROPPED_MEMO) < _MEMO_LIMIT:
            _DROPPED_MEMO[lower] = dropped
    return dropped


def edge_result(  # noqa: PLR0917 - build_result's inputs, passed on as they are
    code: int, description: str, headers: dict[str, list[str]], text: str, encoded: bool, size: int
) -> tuple[dict[str, Any], int]:
    """CloudFront's response object from the grouped headers and the encoded body (items 43, 44).

    ``description`` is the status line (``"200 OK"``); ``size`` the estimate so far, grown here by the
    ``{"key", "value"}`` wrapping. A body is sent only when there is one: CloudFront refuses a 204 with
    a body, even an empty one.
    """
    if not 200 <= code <= 599:
        # CloudFront answers an error for any other status of a generated response.
        raise ValueError(f"Lambda@Edge accepts a status from 200 to 599 only, the app answered {code}")
    wrapped: dict[str, list[dict[str, str]]] = {}
    for name, values in headers.items():
        lower = name.lower()
        if _dropped(lower):
            continue
        wrapped[lower] = [{"key": name, "value": value} for value in values]
        size += len(values) * (_ENTRY_OVERHEAD + len(name))
    result: dict[str, Any] = {"status": str(code), "statusDescription": description[4:], "headers": wrapped}
    if text:
        result["body"] = text
        result["bodyEncoding"] = "base64" if encoded else "text"
    return result, size

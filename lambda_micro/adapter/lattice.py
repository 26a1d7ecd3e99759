"""Amazon VPC Lattice event (structure version 1 or 2) -> WSGI environ (contract item 39).

Version 1 is snake_case (``raw_path``, ``query_string_parameters``, ``is_base64_encoded``), with one
string per header (repeats comma-joined by the service). Version 2 is camelCase (``path``,
``queryStringParameters``, ``isBase64Encoded``) with a ``requestContext``; AWS's documentation and its
Go and Java event libraries give its header and query values as lists of strings, Powertools' parser
model and samples as strings: both are accepted. The path may carry the query string (``/p?a=1``); the
raw query is then used as sent, else the parameter map is encoded again (its values arrive decoded).

The contract items cited by number (``item 29``) are those of docs/ADAPTER-CONTRACT.md.
"""

from __future__ import annotations

from typing import Any, Final
from urllib.parse import quote

from . import validate
from .environ import (
    _BASE_ENVIRON,
    _RAW_QUERY_SAFE,
    _add_header,
    _body,
    _decode_path,
    _finish,
    _native,
    _optional_map,
    _query_pair,
    _single_value_headers,
    _strip_base_path,
)
from .errors import BadEvent
from .infer import LATTICE_V2, Source
from .validate import METHODS

__all__ = ["lattice_environ"]

# (path, query map, base64 flag) field names of each structure version.
_V1_NAMES: Final = ("raw_path", "query_string_parameters", "is_base64_encoded")
_V2_NAMES: Final = ("path", "queryStringParameters", "isBase64Encoded")
# VPC Lattice sends no protocol; the client address is the last X-Forwarded-For entry, the one the
# service appends (as the load balancer does).
_FIELDS: Final = ("protocol", "X-Forwarded-For (its last entry, the service's)")


def lattice_environ(
    source: Source, event: dict[str, Any], context: Any, base_path: str, lazy: bool = False
) -> dict[str, Any]:
    """The environ for a VPC Lattice event of either structure version."""
    path_field, query_field, encoded_field = _V2_NAMES if source == LATTICE_V2 else _V1_NAMES
    method = event.get("method")
    try:
        method = METHODS[method]
    except (KeyError, TypeError):  # not memoised yet, or not a str at all
        method = validate.method(method, "method")
    target = event.get(path_field)
    if not isinstance(target, str):
        raise BadEvent(path_field, "expected a string")
    raw_path, question, raw_query = target.partition("?")
    if not raw_path:
        raw_path = "/"
    elif raw_path[0] != "/":
        raise BadEvent(path_field, "expected an absolute path, starting with '/'")
    if source == LATTICE_V2:
        request_context = event.get("requestContext")
        if type(request_context) is not dict:
            request_context = _optional_map(event, "requestContext")
    else:
        request_context = {}
    body = _body(event.get("body"), event.get(encoded_field), encoded_field)
    environ = _headers(event.get("headers"))

    if question:
        query = raw_query
        if not query.isascii():
            query = quote(query, safe=_RAW_QUERY_SAFE, errors="surrogatepass")
    else:
        query = _query(event.get(query_field), query_field)
    script_name, path_info = "", _decode_path(raw_path)
    if base_path:
        script_name, path_info = _strip_base_path(base_path, script_name, path_info)
    forwarded_for = environ.get("HTTP_X_FORWARDED_FOR")
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
        None,  # protocol
        forwarded_for.rpartition(",")[2].strip() if forwarded_for else None,  # remote_addr
        None,  # domain
        "https",  # scheme_default: X-Forwarded-Proto says when the listener is plain HTTP
        request_context,
        {},  # stage_variables
        _FIELDS,
        lazy,
    )
    return environ


def _headers(headers: Any) -> dict[str, Any]:
    """A new environ with the headers: one string per name, or (version 2) a list of strings."""
    if headers is None:
        return _BASE_ENVIRON.copy()
    if not isinstance(headers, dict):
        raise BadEvent("headers", "expected an object or null")
    if type(next(iter(headers.values()), None)) is not list:
        try:
            return _single_value_headers(headers)  # strings: the memoised path of the other sources
        except BadEvent:
            pass  # a list further on, or a value that is wrong: the exact check below names it
    environ = _BASE_ENVIRON.copy()
    for name, value in headers.items():
        if isinstance(value, list):
            for item in value:
                _add_header(environ, name, item, "headers")
        elif value is not None:
            _add_header(environ, name, value, "headers")
    return environ


def _query(parameters: Any, field: str) -> str:
    """QUERY_STRING from the parameter map, its decoded values encoded again (contract item 11)."""
    if not parameters:
        if parameters is None or isinstance(parameters, dict):
            return ""
        raise BadEvent(field, "expected an object or null")
    if not isinstance(parameters, dict):
        raise BadEvent(field, "expected an object or null")
    pairs: list[str] = []
    for key, value in parameters.items():
        for item in value if isinstance(value, list) else (value,):
            pairs.append(_query_pair(key, item, True, field))
    return "&".join(pairs)

"""Lambda event -> WSGI environ: pure functions, one per event shape (contract sections B-E).

Every string in the environ is a WSGI "native string": text that holds bytes as latin-1 (PEP 3333), so
werkzeug can decode paths and headers as UTF-8 itself. Every field is type-checked as it is read: a
malformed event raises ``BadEvent`` (answered with a 400) and never ``KeyError``/``TypeError``.

The contract items cited by number (``item 29``) are those of docs/ADAPTER-CONTRACT.md.
"""

from __future__ import annotations

import string
import sys
from base64 import b64decode
from binascii import Error as BinasciiError
from io import BytesIO
from typing import Any, Final
from urllib.parse import quote, quote_plus, unquote

from . import validate
from .errors import BadEvent
from .infer import ALB, HTTP_V1, HTTP_V2, REST, Source
from .validate import ADDRESSES, METHODS, PROTOCOLS

__all__ = ["PENDING", "Pending", "complete_environ", "normalize_base_path"]

# ALB passes query values through as the client encoded them: re-quote only what cannot appear raw in a
# query component (space, non-ASCII, "&", "#"), never "%" (that would encode twice, contract item 14).
_ALB_QUERY_SAFE: Final = "!$'()*+,;=:@/?%~"
# For a 2.0 rawQueryString: keep every printable ASCII character, percent-encode the rest as UTF-8.
_RAW_QUERY_SAFE: Final = "".join(chr(code) for code in range(0x21, 0x7F))
_SCHEMES: Final = frozenset(("http", "https"))
_PLAIN_SCHEMES: Final = {"http": "http", "https": "https"}
# An absent or empty query parameter map (a tuple: `in` compares by identity, then by ==).
_NO_QUERY: Final[tuple[None, dict[str, Any]]] = (None, {})
# Query text made only of these characters needs no quoting (quote() leaves them alone too).
_UNRESERVED: Final = str.maketrans("", "", string.ascii_letters + string.digits + "-._~")
# Header name -> environ key ("" = dropped), bounded: names come from clients.
_HEADER_KEYS: dict[str, str] = {}
_HEADER_KEYS_LIMIT: Final = 1024
# Every environ starts as a copy of this (cheaper than storing the keys one by one; with 22 keys the copy
# also has room for the headers without growing); _finish sets the per-request values. The constant
# values are immutable, so copies share nothing mutable.
_BASE_ENVIRON: Final[dict[str, Any]] = {
    "REQUEST_METHOD": "",
    "SCRIPT_NAME": "",
    "PATH_INFO": "",
    "QUERY_STRING": "",
    "RAW_URI": "",
    "SERVER_NAME": "",
    "SERVER_PORT": "",
    "SERVER_PROTOCOL": "",
    "CONTENT_LENGTH": "",
    "REMOTE_ADDR": "",  # removed when the source gives no address
    "wsgi.version": (1, 0),
    "wsgi.url_scheme": "",
    "wsgi.input": None,
    "wsgi.input_terminated": True,
    "wsgi.errors": None,
    "wsgi.multithread": False,
    "wsgi.multiprocess": False,
    "wsgi.run_once": False,
    "lambda.event": None,
    "lambda.context": None,
    "lambda.request_context": None,
    "lambda.stage_variables": None,
}
_BASE_SIZE: Final = len(_BASE_ENVIRON)
# Host header -> SERVER_NAME, bounded the same way.
_SERVER_NAMES: dict[str, str] = {}
_SERVER_NAMES_LIMIT: Final = 1024
# The event fields of SERVER_PROTOCOL and REMOTE_ADDR, per event shape, for _finish's 400s.
_V1_FIELDS: Final = ("requestContext.protocol", "requestContext.identity.sourceIp")
_ALB_FIELDS: Final = ("requestContext.protocol", "X-Forwarded-For (its last entry, the load balancer's)")
_V2_FIELDS: Final = ("requestContext.http.protocol", "requestContext.http.sourceIp")
_NOT_ABSOLUTE: Final = "expected an absolute path, starting with '/'"

#: The key under which a lazy build (``lazy=True``: lambda_micro's App, ``lambda_micro._lambda``) keeps
#: what it has not stored yet: the checked remote address, the raw path, SERVER_PORT, SERVER_PROTOCOL, the
#: body and the Lambda facts. Such an environ holds the headers, the request line (REQUEST_METHOD,
#: SCRIPT_NAME, PATH_INFO, QUERY_STRING), SERVER_NAME, CONTENT_LENGTH and ``wsgi.url_scheme``, which every
#: request reads; :func:`complete_environ` fills in the rest (``wsgi.input`` included) on first need.
PENDING: Final = "lambda_micro.pending"
# (address, raw path, port, protocol, body, event, context, requestContext, stageVariables)
Pending = tuple[str | None, str, str, str, bytes, dict[str, Any], Any, dict[str, Any], dict[str, Any]]


def normalize_base_path(base_path: str | None) -> str:
    """Return ``base_path`` as ``"/v1"`` (``"v1"``, ``"/v1"`` and ``"/v1/"`` are alike); ``""`` for none."""
    if not base_path:
        return ""
    stripped = base_path.strip("/")
    return "/" + _native(stripped) if stripped else ""


# --- payload 1.0 shape: REST, HTTP API 1.0, ALB -------------------------------------------------------


def _v1_environ(
    source: Source, event: dict[str, Any], context: Any, base_path: str, lazy: bool = False
) -> dict[str, Any]:
    # Hot path: every check below keeps its slow, exact form behind a cheap test of the common case
    # (`x is None`, `type(x) is dict`), so a well-formed event pays for no helper call it does not need.
    method = event.get("httpMethod")
    try:
        method = METHODS[method]  # the memo of accepted methods (item 47)
    except (KeyError, TypeError):
        method = validate.method(method, "httpMethod")
    raw_path = event.get("path")
    if not isinstance(raw_path, str):
        raise BadEvent("path", "expected a string")
    if not raw_path:
        raw_path = "/"
    elif raw_path[0] != "/":
        raise BadEvent("path", _NOT_ABSOLUTE)
    request_context = event.get("requestContext")
    if type(request_context) is not dict:
        request_context = {} if request_context is None else _optional_map(event, "requestContext")
    stage_variables = event.get("stageVariables")
    if type(stage_variables) is not dict:
        stage_variables = {} if stage_variables is None else _optional_map(event, "stageVariables")
    # No body (most requests: null, or "" from the load balancer) without a call; the flag must still be
    # a boolean or null, so anything else takes _body's checks.
    body = event.get("body")
    encoded = event.get("isBase64Encoded")
    if (body is None or body == "") and (encoded is False or encoded is None):
        body = b""
    else:
        body = _body(body, encoded)

    multi_headers = event.get("multiValueHeaders")
    if type(multi_headers) is not dict:
        multi_headers = {} if multi_headers is None else _optional_map(event, "multiValueHeaders")
    headers = event.get("headers")
    if type(headers) is not dict:
        headers = {} if headers is None else _optional_map(event, "headers")
    if multi_headers:
        environ = _multi_value_headers(multi_headers, headers)
    elif headers:
        environ = _single_value_headers(headers)
    else:
        environ = _BASE_ENVIRON.copy()

    if (
        event.get("multiValueQueryStringParameters") in _NO_QUERY
        and event.get("queryStringParameters") in _NO_QUERY
    ):
        query = ""  # the common case, without a call
    else:
        query = _v1_query(event, encode=source != ALB)

    script_name = ""
    if source == HTTP_V1:
        # HTTP API paths arrive decoded (contract item 6) and carry a named stage (item 9).
        path_info = raw_path if raw_path.isascii() else _native(raw_path)
        script_name, path_info = _strip_stage(request_context.get("stage"), path_info)
    else:
        path_info = (
            raw_path
            if "%" not in raw_path and " " not in raw_path and raw_path.isascii()
            else _decode_path(raw_path)
        )
        if source == REST:
            stage = request_context.get("stage")
            context_path = request_context.get("path")
            stage_prefix = "/" + stage if isinstance(stage, str) and stage else None
            if stage_prefix is not None and (
                context_path == stage_prefix + raw_path
                # The stage root requested without its slash (`/Prod`) arrives as path "/".
                or (raw_path == "/" and context_path == stage_prefix)
            ):
                # execute-api host: /{stage}/path (item 7)
                script_name = stage_prefix if stage_prefix.isascii() else _native(stage_prefix)
                # RAW_URI is the path the client requested, the stage included, as on every other
                # source: it starts with SCRIPT_NAME, so an app can slice the raw PATH_INFO off it.
                raw_path = context_path
            elif (
                stage_prefix is not None
                and stage != "$default"
                and _lacks_stage(context_path, stage_prefix)
                and _is_execute_api(environ.get("HTTP_HOST"), request_context.get("domainName"))
            ):
                # No requestContext.path with the stage (older events, hand-made ones): on the
                # execute-api host the stage is in every URL all the same (item 51).
                script_name = stage_prefix if stage_prefix.isascii() else _native(stage_prefix)
                raw_path = stage_prefix + raw_path
            elif not base_path:
                prefix = _mapped_prefix(path_info, event.get("resource"), event.get("pathParameters"))
                if prefix:  # custom domain with a base-path mapping (item 8)
                    script_name, path_info = prefix, path_info[len(prefix) :]
    if base_path:
        script_name, path_info = _strip_base_path(base_path, script_name, path_info)

    if source == ALB:
        scheme_default = "http"
        forwarded_for = environ.get("HTTP_X_FORWARDED_FOR")
        # The rightmost entry is the one the load balancer appended; the left ones are client-controlled.
        remote_addr = forwarded_for.rpartition(",")[2].strip() if forwarded_for else None
        domain = None
        fields = _ALB_FIELDS
    else:
        scheme_default = "https"
        identity = request_context.get("identity")
        remote_addr = identity.get("sourceIp") if isinstance(identity, dict) else None
        domain = request_context.get("domainName")
        fields = _V1_FIELDS

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
        request_context.get("protocol"),  # protocol
        remote_addr,
        domain,
        scheme_default,
        request_context,
        stage_variables,
        fields,
        lazy,
    )
    return environ


def _lacks_stage(context_path: Any, stage_prefix: str) -> bool:
    """Whether ``requestContext.path`` is absent or does not begin with the stage segment."""
    if not isinstance(context_path, str):
        return True
    return context_path != stage_prefix and not context_path.startswith(stage_prefix + "/")


def _is_execute_api(host: str | None, domain: Any) -> bool:
    """Whether the request came to an API's own execute-api host (never a custom domain, item 51)."""
    name = _host_name(host) if host else domain if isinstance(domain, str) else ""
    name = name.lower()
    return ".execute-api." in name and name.endswith((".amazonaws.com", ".amazonaws.com.cn"))


def _v1_query(event: dict[str, Any], *, encode: bool) -> str:
    """QUERY_STRING from the 1.0 parameter maps (called when one of them is neither null nor empty)."""
    multi = _optional_map(event, "multiValueQueryStringParameters")
    pairs: list[str] = []
    if multi:
        for key, values in multi.items():
            if values is None:
                continue
            if not isinstance(values, list):
                raise BadEvent("multiValueQueryStringParameters", f"the value of {key!r} is not a list")
            for value in values:
                pairs.append(_query_pair(key, value, encode, "multiValueQueryStringParameters"))
    else:
        for key, value in _optional_map(event, "queryStringParameters").items():
            pairs.append(_query_pair(key, value, encode, "queryStringParameters"))
    return "&".join(pairs)


def _query_pair(key: Any, value: Any, encode: bool, field: str) -> str:
    if type(key) is str and type(value) is str and key.isalnum() and value.isalnum():
        if key.isascii() and value.isascii():
            return key + "=" + value  # letters and digits only: nothing to quote (the common case)
    elif value is None:
        value = ""
    if not isinstance(key, str) or not isinstance(value, str):
        raise BadEvent(field, "keys and values must be strings")
    return _quote_component(key, encode) + "=" + _quote_component(value, encode)


def _quote_component(text: str, encode: bool) -> str:
    if not text.translate(_UNRESERVED):
        return text  # nothing to quote: the common case, without quote()'s overhead
    if encode:
        # REST values arrive decoded: encode them again, so a literal "+" becomes %2B (contract item 11).
        return quote_plus(text, safe="", errors="surrogatepass")
    return quote(text, safe=_ALB_QUERY_SAFE, errors="surrogatepass")


def _mapped_prefix(path_info: str, resource: Any, path_parameters: Any) -> str:
    """The base path of a custom-domain mapping: ``path`` minus ``resource`` with its parameters filled in."""
    if not isinstance(resource, str) or not resource.startswith("/"):
        return ""
    parts: list[str] = []
    position = 0
    while (start := resource.find("{", position)) != -1:
        end = resource.find("}", start)
        value = (
            path_parameters.get(resource[start + 1 : end].rstrip("+"))
            if isinstance(path_parameters, dict)
            else None
        )
        if end == -1 or not isinstance(value, str):
            return ""
        parts.append(resource[position:start])
        parts.append(value)
        position = end + 1
    parts.append(resource[position:])
    suffix = _native("".join(parts))
    if not path_info.endswith(suffix) and "%" in suffix:
        suffix = unquote(suffix, encoding="latin-1")  # parameters that arrive still percent-encoded
    if path_info.endswith(suffix):
        prefix = path_info[: len(path_info) - len(suffix)]
    elif suffix == "/":
        prefix = path_info  # the mapped root requested without its trailing slash: /v1
    else:
        return ""
    if prefix.endswith("/") or (prefix and not prefix.startswith("/")):
        return ""
    return prefix


# --- payload 2.0 shape: HTTP API 2.0, Function URL ------------------------------------------------------


def _v2_environ(
    source: Source, event: dict[str, Any], context: Any, base_path: str, lazy: bool = False
) -> dict[str, Any]:
    request_context: dict[str, Any] = event["requestContext"]  # a dict: infer_source checked it
    http = request_context.get("http")
    if not isinstance(http, dict):
        raise BadEvent("requestContext.http", "expected an object")
    method = http.get("method")
    try:
        method = METHODS[method]  # the memo of accepted methods (item 47)
    except (KeyError, TypeError):
        method = validate.method(method, "requestContext.http.method")
    raw_path = event.get("rawPath")
    if not isinstance(raw_path, str):
        raise BadEvent("rawPath", "expected a string")
    if not raw_path:
        raw_path = "/"
    elif raw_path[0] != "/":
        raise BadEvent("rawPath", _NOT_ABSOLUTE)
    raw_query = event.get("rawQueryString")
    if raw_query is None:
        raw_query = ""
    elif not isinstance(raw_query, str):
        raise BadEvent("rawQueryString", "expected a string")
    elif not raw_query.isascii():
        raw_query = quote(raw_query, safe=_RAW_QUERY_SAFE, errors="surrogatepass")
    cookies = event.get("cookies")
    if cookies is not None and (
        not isinstance(cookies, list) or not all(isinstance(cookie, str) for cookie in cookies)
    ):
        raise BadEvent("cookies", "expected a list of strings")
    stage_variables = event.get("stageVariables")
    if type(stage_variables) is not dict:
        stage_variables = {} if stage_variables is None else _optional_map(event, "stageVariables")
    # No body (most requests: null, or "" from the load balancer) without a call; the flag must still be
    # a boolean or null, so anything else takes _body's checks.
    body = event.get("body")
    encoded = event.get("isBase64Encoded")
    if (body is None or body == "") and (encoded is False or encoded is None):
        body = b""
    else:
        body = _body(body, encoded)

    headers = event.get("headers")
    if type(headers) is not dict:
        headers = {} if headers is None else _optional_map(event, "headers")
    environ = _single_value_headers(headers) if headers else _BASE_ENVIRON.copy()
    if cookies:
        _merge_cookies(environ, cookies)

    if source == HTTP_V2:
        # HTTP API paths arrive decoded (contract item 6); `$default` is never stripped (item 9).
        path_info = raw_path if raw_path.isascii() else _native(raw_path)
        stage = request_context.get("stage")
        if stage is None or stage == "$default":
            script_name = ""
        else:
            script_name, path_info = _strip_stage(stage, path_info)
    else:
        # Function URL paths arrive percent-encoded.
        path_info = (
            raw_path
            if "%" not in raw_path and " " not in raw_path and raw_path.isascii()
            else _decode_path(raw_path)
        )
        script_name = ""
    if base_path:
        script_name, path_info = _strip_base_path(base_path, script_name, path_info)

    _finish(
        environ,
        event,
        context,
        method,
        script_name,
        path_info,
        raw_path if raw_path.isascii() else _native(raw_path),  # raw_path
        raw_query,  # query
        body,
        http.get("protocol"),  # protocol
        http.get("sourceIp"),  # remote_addr
        request_context.get("domainName"),  # domain
        "https",  # scheme_default
        request_context,
        stage_variables,
        _V2_FIELDS,
        lazy,
    )
    return environ


def _merge_cookies(environ: dict[str, Any], cookies: list[str]) -> None:
    """HTTP_COOKIE from the 2.0 ``cookies`` list, plus pairs of a ``Cookie`` header it does not repeat."""
    value = _native("; ".join(cookies))
    header = environ.get("HTTP_COOKIE")
    if header:
        # `sam local` sends both the list and the header: keep each cookie name once (contract item 19).
        names = {cookie.partition("=")[0].strip() for cookie in value.split(";")}
        extra = [
            pair
            for pair in (part.strip() for part in header.split(";"))
            if pair and pair.partition("=")[0].strip() not in names
        ]
        if extra:
            value = value + "; " + "; ".join(extra)
    environ["HTTP_COOKIE"] = value


# --- shared ---------------------------------------------------------------------------------------------


def _finish(  # noqa: PLR0917 - called positionally: keyword passing costs on every request
    environ: dict[str, Any],
    event: dict[str, Any],
    context: Any,
    method: str,
    script_name: str,
    path_info: str,
    raw_path: str,
    query: str,
    body: bytes,
    protocol: Any,
    remote_addr: Any,
    domain: Any,
    scheme_default: str,
    request_context: dict[str, Any],
    stage_variables: dict[str, Any],
    fields: tuple[str, str],
    lazy: bool,
) -> None:
    """Fill in the CGI/WSGI keys once the headers are in ``environ``; with ``lazy``, only those of the
    request line and the Host (see :data:`PENDING`), after every check of the event.

    ``fields`` names the event fields of ``protocol`` and ``remote_addr``, for the 400 when one of them
    is not what PEP 3333 allows (contract items 48, 49).
    """
    # Each connection fact has a plain common form ("https", "443", a memoised Host): tested first, the
    # exact parsing (lists, case, ports, IPv6 literals) runs only when that test fails.
    forwarded_proto = environ.get("HTTP_X_FORWARDED_PROTO")
    if forwarded_proto:
        scheme = _PLAIN_SCHEMES.get(forwarded_proto) or _forwarded_scheme(forwarded_proto, scheme_default)
    else:
        scheme = scheme_default
    port = environ.get("HTTP_X_FORWARDED_PORT")
    if not (port and port.isdigit() and port.isascii()):
        port = _forwarded_port(port, scheme)
    host = environ.get("HTTP_HOST")
    server_name = _SERVER_NAMES.get(host) if host else None
    if not server_name:
        server_name = _server_name(host, domain)
    try:
        address = ADDRESSES[remote_addr]  # the memo of checked addresses (item 49)
    except (KeyError, TypeError):
        address = validate.address(remote_addr, fields[1])  # exact check, "192.0.2.1/32" -> "192.0.2.1"
    try:
        protocol = PROTOCOLS[protocol]  # the memo of accepted protocols, None -> HTTP/1.1 (item 48)
    except (KeyError, TypeError):
        protocol = validate.protocol(protocol, fields[0])
    environ["REQUEST_METHOD"] = method
    environ["SCRIPT_NAME"] = script_name
    environ["PATH_INFO"] = path_info
    environ["QUERY_STRING"] = query
    environ["SERVER_NAME"] = server_name
    environ["CONTENT_LENGTH"] = str(len(body)) if body else "0"
    environ["wsgi.url_scheme"] = scheme
    pending = (address, raw_path, port, protocol, body, event, context, request_context, stage_variables)
    if lazy:
        environ[PENDING] = pending
    else:
        _fill(environ, pending)


def complete_environ(environ: dict[str, Any]) -> dict[str, Any]:
    """``environ`` with the keys a lazy build left out (see :data:`PENDING`) filled in; unchanged when
    complete. The result is the environ the adapter builds for any WSGI app, key for key, in its order."""
    pending = environ.pop(PENDING, None)
    if pending is not None:
        _fill(environ, pending)
    return environ


def _fill(environ: dict[str, Any], pending: Pending) -> None:
    address, raw_path, port, protocol, body, event, context, request_context, stage_variables = pending
    if address:
        environ["REMOTE_ADDR"] = address
    else:
        del environ["REMOTE_ADDR"]  # unknown: absent rather than made up
    query = environ["QUERY_STRING"]
    environ["RAW_URI"] = raw_path + "?" + query if query else raw_path
    environ["SERVER_PORT"] = port
    environ["SERVER_PROTOCOL"] = protocol
    if environ["wsgi.input"] is None:  # (the request's body stream, when it was read first)
        environ["wsgi.input"] = BytesIO(body)  # one per request: the app may read, seek or close it
    environ["wsgi.errors"] = sys.stderr
    environ["lambda.event"] = event
    environ["lambda.context"] = context
    environ["lambda.request_context"] = request_context
    environ["lambda.stage_variables"] = stage_variables


def _forwarded_scheme(forwarded_proto: str, scheme_default: str) -> str:
    """The scheme of the last X-Forwarded-Proto entry (the proxy's), if it is http or https."""
    candidate = forwarded_proto.rpartition(",")[2].strip().lower()
    return candidate if candidate in _SCHEMES else scheme_default


def _forwarded_port(forwarded_port: str | None, scheme: str) -> str:
    """The port of the last X-Forwarded-Port entry, else the scheme's default."""
    port = forwarded_port.rpartition(",")[2].strip() if forwarded_port else ""
    if port.isascii() and port.isdigit():
        return port
    return "443" if scheme == "https" else "80"


def _server_name(host: str | None, domain: Any) -> str:
    """SERVER_NAME: Host without its port (memoised), else the request context's domain, else localhost."""
    if host:
        server_name = _host_name(host)
        if len(_SERVER_NAMES) < _SERVER_NAMES_LIMIT:
            _SERVER_NAMES[host] = server_name
        if server_name:
            return server_name
    return _host_name(_native(domain)) if isinstance(domain, str) and domain else "localhost"


def _single_value_headers(headers: dict[str, Any]) -> dict[str, Any]:
    """A new environ with the header keys of a single-value ``headers`` map (contract items 16-18)."""
    environ = _BASE_ENVIRON.copy()
    keys = _HEADER_KEYS
    # Fast path: every name memoised, no two names on one key, every value an ASCII str; checked in bulk
    # after the loop, so the loop does nothing else. One dropped name (Content-Length, say) lands on "".
    try:
        for name, value in headers.items():
            environ[keys[name]] = value
        count = len(headers)
        if "" in environ:
            del environ[""]
            count -= 1
        if len(environ) == _BASE_SIZE + count and "".join(headers.values()).isascii():
            return environ
    except (KeyError, TypeError):
        pass  # a name not memoised yet, or a value that is not a str: the exact path names the field
    # Exact path: first sight of a name, dropped names, repeats joined, non-ASCII, bad values.
    environ = _BASE_ENVIRON.copy()
    for name, value in headers.items():
        if value is not None:
            _add_header(environ, name, value, "headers")
    return environ


def _multi_value_headers(multi: dict[str, Any], headers: dict[str, Any]) -> dict[str, Any]:
    """A new environ with the header keys of ``multiValueHeaders`` (plus ``headers``-only entries)."""
    environ = _BASE_ENVIRON.copy()
    keys = _HEADER_KEYS
    # Fast path, as for single values, when every list holds exactly one ASCII str (no repeats to join):
    # unpacking raises ValueError for any other length.
    try:
        for name, values in multi.items():
            if type(values) is not list:
                break
            [value] = values
            if type(value) is not str or not value.isascii():
                break
            environ[keys[name]] = value
        else:
            count = len(multi)
            if "" in environ:
                del environ[""]
                count -= 1
            if len(environ) == _BASE_SIZE + count:
                if headers and not headers.keys() <= multi.keys():
                    _add_missing_headers(environ, headers, multi)
                return environ
    except (KeyError, ValueError):
        pass  # a name not memoised yet, a repeated header, an empty list
    # Exact path: repeats joined ("; " for Cookie, else ", "), and everything the fast path left out.
    environ = _BASE_ENVIRON.copy()
    for name, values in multi.items():
        if values is None:
            continue
        if not isinstance(values, list):
            raise BadEvent("multiValueHeaders", f"the value of {name!r} is not a list")
        for value in values:
            _add_header(environ, name, value, "multiValueHeaders")
    if headers and not headers.keys() <= multi.keys():
        _add_missing_headers(environ, headers, multi)
    return environ


def _header_key(name: Any, field: str) -> str:
    """The environ key of header ``name``; ``""`` for a header that is dropped. Memoised: names repeat."""
    key = _HEADER_KEYS.get(name) if isinstance(name, str) else None
    if key is None:
        if not isinstance(name, str):
            raise BadEvent(field, "header names must be strings")
        # A name with "_" would be indistinguishable from its "-" twin in the environ: drop it, so
        # X_Forwarded_For cannot impersonate X-Forwarded-For (contract item 18). Content-Length is
        # computed from the decoded body instead.
        upper = name.upper().replace("-", "_")
        # A name that is not an HTTP token cannot be a header (a gateway never sends one): dropped as
        # nginx drops invalid names, so every environ key stays a native string (item 50).
        if "_" in name or not validate.header_name_is_token(name) or upper == "CONTENT_LENGTH":
            key = ""
        else:
            key = upper if upper == "CONTENT_TYPE" else "HTTP_" + upper
        if len(_HEADER_KEYS) < _HEADER_KEYS_LIMIT:
            _HEADER_KEYS[name] = key
    return key


def _add_missing_headers(environ: dict[str, Any], headers: dict[str, Any], multi: dict[str, Any]) -> None:
    """Add the ``headers`` entries that ``multiValueHeaders`` lacks (names compared case-insensitively).

    API Gateway and the load balancer fill both maps alike; hand-edited events (documentation samples,
    tests) sometimes add a header to ``headers`` only, and it must not be lost.
    """
    present: set[str] | None = None
    for name, value in headers.items():
        if value is None or name in multi:
            continue
        if present is None:
            present = {key.lower() for key in multi if isinstance(key, str)}
        if isinstance(name, str) and name.lower() in present:
            continue
        _add_header(environ, name, value, "headers")


def _add_header(environ: dict[str, Any], name: Any, value: Any, field: str) -> None:
    key = _header_key(name, field)
    if not isinstance(value, str):
        raise BadEvent(field, "header values must be strings")
    if not key:
        return
    if not value.isascii():
        value = _native(value)
    previous = environ.get(key)
    if previous is None:
        environ[key] = value
    else:
        environ[key] = previous + ("; " if key == "HTTP_COOKIE" else ", ") + value


def _body(body: Any, encoded: Any, encoded_field: str = "isBase64Encoded") -> bytes:
    """The request body, decoded (``b""`` for a null or empty body); ``encoded``: the base64 flag."""
    if encoded is not None and not isinstance(encoded, bool):
        raise BadEvent(encoded_field, "expected a boolean")
    if body is None or body == "":
        return b""  # most requests: no body
    if not isinstance(body, str):
        raise BadEvent("body", "expected a string or null")
    if encoded:
        try:
            return b64decode(body, validate=True)
        except (BinasciiError, ValueError):
            raise BadEvent("body", f"{encoded_field} is true but the body is not valid base64") from None
    return body.encode("utf-8", "surrogatepass")


def _optional_map(event: dict[str, Any], field: str) -> dict[str, Any]:
    value = event.get(field)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise BadEvent(field, "expected an object or null")
    return value


def _native(text: str) -> str:
    """Text -> WSGI native string: its UTF-8 bytes as latin-1 (PEP 3333)."""
    return text if text.isascii() else text.encode("utf-8", "surrogatepass").decode("latin-1")


def _decode_path(raw_path: str) -> str:
    """A percent-encoded path -> PATH_INFO, decoded once to bytes shown as latin-1 (contract item 4)."""
    if raw_path.isascii() and " " not in raw_path:
        return unquote(raw_path, encoding="latin-1") if "%" in raw_path else raw_path
    # Spaces or non-ASCII cannot be on the wire: the path was decoded already (`sam local`, item 36).
    return _native(raw_path)


def _strip_stage(stage: Any, path_info: str) -> tuple[str, str]:
    """Split a named HTTP API stage off the path, on a segment boundary; never ``$default`` (item 9)."""
    if isinstance(stage, str) and stage and stage != "$default":
        prefix = "/" + _native(stage)
        if path_info == prefix or path_info.startswith(prefix + "/"):
            return prefix, path_info[len(prefix) :]
    return "", path_info


def _strip_base_path(base_path: str, script_name: str, path_info: str) -> tuple[str, str]:
    if path_info == base_path or path_info.startswith(base_path + "/"):
        return script_name + base_path, path_info[len(base_path) :]
    return script_name, path_info


def _host_name(host: str) -> str:
    """``example.com:8443`` -> ``example.com``; ``[::1]:3000`` -> ``[::1]``."""
    if host.startswith("["):
        end = host.find("]")
        return host[: end + 1] if end != -1 else host
    name, colon, port = host.rpartition(":")
    return name if colon and port.isdigit() else host

"""The one event builder: an HTTP request as API Gateway, an ALB or a Function URL hands it to Lambda.

:func:`build_event` is shared by the local gateway and the test client, so tests exercise exactly what the
local server sends. Events follow the shapes AWS documents, with a full ``requestContext`` (request id, time,
epoch, source IP, stage, domain, API id):

=============  =====================================================================================
``"1.0"``      API Gateway REST API (any stage but ``$default``), or an HTTP API with payload 1.0
               (stage ``$default``, or ``api_kind="http"``): ``multiValueHeaders``, decoded query values
``"2.0"``      HTTP API payload 2.0: lower-cased headers, ``cookies``, ``rawQueryString``, ``routeKey``
``"alb"``      Application Load Balancer, single-value headers (query values stay percent-encoded)
``"alb-multi"`` Application Load Balancer with multi-value headers enabled
``"url"``      Lambda Function URL (the 2.0 shape on ``<id>.lambda-url.<region>.on.aws``)
=============  =====================================================================================

Authorizer contexts are given explicitly with ``authorizer=``:

- ``{"claims": {...}}``: a Cognito user pool authorizer (REST: ``requestContext.authorizer.claims``; on
  payload 2.0 the claims arrive as a JWT authorizer's).
- ``{"jwt": {"claims": {...}, "scopes": [...]}}``: an HTTP API JWT authorizer
  (``requestContext.authorizer.jwt``; payload 1.0 gets ``authorizer.claims`` and ``authorizer.scopes``).
- ``{"lambda": {...}}``: a Lambda authorizer's context (REST: ``authorizer.principalId`` plus the context
  keys, ``principalId`` defaulting to ``"user"``; payload 2.0: ``authorizer.lambda``).
- ``{"iam": {...}}``: IAM authorization (payload 2.0 and Function URLs: ``authorizer.iam``; REST: the caller's
  fields in ``requestContext.identity``).

:func:`cognito_authorizer`, :func:`jwt_authorizer`, :func:`lambda_authorizer` and :func:`iam_authorizer` build
these mappings.
"""

from __future__ import annotations

import base64
import hashlib
import uuid
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, Final
from urllib.parse import parse_qsl, quote, unquote, urlencode

from lambda_micro.adapter.result import TextTypes

from .routing import media_type_matches, path_parameter_values

__all__ = [
    "PAYLOADS",
    "build_event",
    "cognito_authorizer",
    "iam_authorizer",
    "is_text_content_type",
    "jwt_authorizer",
    "lambda_authorizer",
    "path_parameter_values",
]

PAYLOADS: Final = ("1.0", "2.0", "alb", "alb-multi", "url")
DEFAULT_ACCOUNT_ID: Final = "123456789012"
DEFAULT_REGION: Final = "us-east-1"
DEFAULT_API_ID: Final = "a1b2c3d4e5"
DEFAULT_URL_ID: Final = "a1b2c3d4e5f6g7h8i9j0k1l2m3n4o5p6"

QueryArg = str | Mapping[str, str | Sequence[str]] | Sequence[tuple[str, str]] | None
HeadersArg = Mapping[str, str] | Iterable[tuple[str, str]] | None
CookiesArg = Mapping[str, str] | Sequence[str] | None

_MONTHS: Final = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
# What a browser leaves unescaped in a path; "%" stays so that an already-encoded path is kept as is.
_PATH_SAFE: Final = "/%:@!$&'()*+,;=-._~"
# Request bodies an HTTP API, a Function URL or an ALB hands over as text (anything else, or text that is not
# UTF-8, arrives base64-encoded). This is AWS's rule for *requests*, which the builder reproduces; it is not
# the adapter's DEFAULT_TEXT_MIME_TYPES, which is this framework's configurable policy for *responses* (what
# it base64-encodes so API Gateway passes the bytes through untouched), though both use the same matcher.
# The Elastic Load Balancing guide ("Use Lambda functions as targets of an Application Load Balancer",
# receiving events) documents: text/*, application/json, application/javascript and application/xml go as
# is, every other type is base64-encoded. HTTP APIs document no list; the structured-syntax suffixes, forms
# and the other script/query types below are what they pass as text. A REST API instead base64-encodes
# exactly the bodies whose Content-Type matches the API's BinaryMediaTypes (see ``media_type_matches``).
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


# -- authorizer helpers ----------------------------------------------------------------------------


def cognito_authorizer(claims: Mapping[str, Any]) -> dict[str, Any]:
    """A Cognito user pool authorizer's claims (``{"sub": ..., "email": ...}``)."""
    return {"claims": dict(claims)}


def jwt_authorizer(claims: Mapping[str, Any], scopes: Sequence[str] | None = None) -> dict[str, Any]:
    """An HTTP API JWT authorizer's claims and scopes."""
    return {"jwt": {"claims": dict(claims), "scopes": list(scopes) if scopes is not None else None}}


def lambda_authorizer(
    context: Mapping[str, Any] | None = None, *, principal_id: str = "user"
) -> dict[str, Any]:
    """A Lambda authorizer's context; ``principal_id`` is what a REST API shows as ``principalId``."""
    return {"lambda": {"principalId": principal_id, **dict(context or {})}}


def iam_authorizer(
    *,
    account_id: str = DEFAULT_ACCOUNT_ID,
    user_arn: str | None = None,
    access_key: str = "AKIAIOSFODNN7EXAMPLE",
    caller_id: str = "AIDACKCEVSQ6C2EXAMPLE",
) -> dict[str, Any]:
    """IAM (SigV4) authorization: the calling principal."""
    return {
        "iam": {
            "accessKey": access_key,
            "accountId": account_id,
            "callerId": caller_id,
            "cognitoIdentity": None,
            "principalOrgId": None,
            "userArn": user_arn or f"arn:aws:iam::{account_id}:user/example-user",
            "userId": caller_id,
        }
    }


# -- small helpers ---------------------------------------------------------------------------------


def is_text_content_type(content_type: str | None) -> bool:
    """True for request media types an HTTP API, Function URL or ALB passes as text (``text/*``, JSON...)."""
    if not content_type:
        return False
    return _REQUEST_TEXT_TYPES(content_type.split(";", 1)[0].strip().lower())


def _header_pairs(headers: HeadersArg) -> list[tuple[str, str]]:
    if headers is None:
        return []
    items = headers.items() if isinstance(headers, Mapping) else headers
    pairs = []
    for name, value in items:
        if not isinstance(name, str) or not isinstance(value, str):
            raise TypeError(f"header names and values must be str, got {name!r}: {value!r}")
        pairs.append((name, value))
    return pairs


def _has_header(pairs: Sequence[tuple[str, str]], name: str) -> bool:
    lowered = name.lower()
    return any(key.lower() == lowered for key, _ in pairs)


def _get_header(pairs: Sequence[tuple[str, str]], name: str) -> str | None:
    lowered = name.lower()
    for key, value in reversed(pairs):
        if key.lower() == lowered:
            return value
    return None


def _query(
    query: QueryArg, path_query: str | None
) -> tuple[str, list[tuple[str, str]], list[tuple[str, str]]]:
    """``(raw query string, decoded pairs, still-encoded pairs)``."""
    if query is None:
        query = path_query or ""
    if isinstance(query, str):
        raw = query.lstrip("?")
    else:
        items = query.items() if isinstance(query, Mapping) else query
        pairs: list[tuple[str, str]] = []
        for name, value in items:
            values = [value] if isinstance(value, str) else list(value)
            pairs.extend((str(name), str(item)) for item in values)
        raw = urlencode(pairs, quote_via=quote, safe="")
    decoded = parse_qsl(raw, keep_blank_values=True)
    encoded = []
    for part in raw.split("&"):
        if part:
            name, _, value = part.partition("=")
            encoded.append((name, value))
    return raw, decoded, encoded


def _multi(pairs: Iterable[tuple[str, str]]) -> dict[str, list[str]]:
    result: dict[str, list[str]] = {}
    for name, value in pairs:
        result.setdefault(name, []).append(value)
    return result


def _cookie_strings(cookies: CookiesArg) -> list[str]:
    if cookies is None:
        return []
    if isinstance(cookies, Mapping):
        return [f"{name}={value}" for name, value in cookies.items()]
    return [str(cookie) for cookie in cookies]


def _timestamp(now: datetime | float | None) -> datetime:
    if now is None:
        return datetime.now(UTC)
    if isinstance(now, datetime):
        return now if now.tzinfo is not None else now.replace(tzinfo=UTC)
    return datetime.fromtimestamp(now, UTC)


def _clf_time(moment: datetime) -> str:
    """API Gateway's request time, ``09/Apr/2015:12:34:56 +0000`` (English months, whatever the locale)."""
    utc = moment.astimezone(UTC)
    return f"{utc.day:02d}/{_MONTHS[utc.month - 1]}/{utc.year}:{utc:%H:%M:%S} +0000"


def _epoch_ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def _extended_id(request_id: str) -> str:
    digest = hashlib.sha256(request_id.encode()).digest()
    return base64.b64encode(digest[:10]).decode()


def _trace_id(moment: datetime, request_id: str) -> str:
    return f"Root=1-{int(moment.timestamp()):08x}-{hashlib.sha256(request_id.encode()).hexdigest()[:24]}"


def _encode_path(path: str) -> str:
    """The path as it travels on the wire: non-ASCII and unsafe characters percent-encoded, escapes kept."""
    return quote(path, safe=_PATH_SAFE)


def _body(body: bytes | str | None, *, base64_encode: bool) -> tuple[str | None, bool, bytes]:
    if body is None:
        return None, False, b""
    data = body.encode("utf-8") if isinstance(body, str) else bytes(body)
    if base64_encode:
        return base64.b64encode(data).decode("ascii"), True, data
    # API Gateway treats a non-binary type as UTF-8 text; undecodable bytes would be mangled there too.
    return data.decode("utf-8", errors="replace"), False, data


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _passed_as_base64(body: bytes | str | None, content_type: str | None) -> bool:
    """Whether an HTTP API, a Function URL or an ALB base64-encodes this request body (not a REST API)."""
    if body is None:
        return False
    data = body.encode("utf-8") if isinstance(body, str) else body
    return not (is_text_content_type(content_type) and _is_utf8(data))


def _with_cookie_header(
    pairs: Sequence[tuple[str, str]], cookie_list: Sequence[str]
) -> list[tuple[str, str]]:
    """``pairs`` with ``cookie_list`` appended to (or as) the single ``Cookie`` header."""
    if not cookie_list:
        return list(pairs)
    existing = _get_header(pairs, "Cookie")
    merged = [pair for pair in pairs if pair[0].lower() != "cookie"]
    merged.append(("Cookie", "; ".join(([existing] if existing else []) + list(cookie_list))))
    return merged


def _integration_headers(
    pairs: Sequence[tuple[str, str]],
    *,
    domain: str,
    moment: datetime,
    request_id: str,
    source_ip: str,
    port: int,
    scheme: str,
    body: bytes | str | None,
    lower: bool = False,
) -> list[tuple[str, str]]:
    """``pairs`` plus the headers the service adds for the integration (a client's own values win).

    ``lower``: the load balancer's lower-case names.
    """
    added = [
        ("Host", domain),
        ("X-Amzn-Trace-Id", _trace_id(moment, request_id)),
        ("X-Forwarded-For", source_ip),
        ("X-Forwarded-Port", str(port)),
        ("X-Forwarded-Proto", scheme),
    ]
    if body is not None and not _has_header(pairs, "Content-Length"):
        added.append(("Content-Length", str(len(body.encode("utf-8") if isinstance(body, str) else body))))
    if lower:
        added = [(name.lower(), value) for name, value in added]
    return list(pairs) + [pair for pair in added if not _has_header(pairs, pair[0])]


def _authorizer_kind(authorizer: Mapping[str, Any] | None) -> tuple[str, Any] | None:
    if authorizer is None:
        return None
    if not isinstance(authorizer, Mapping) or len(authorizer) != 1:
        raise ValueError(
            "authorizer= takes one of {'claims': {...}}, {'jwt': {'claims': {...}, 'scopes': [...]}}, "
            f"{{'lambda': {{...}}}} or {{'iam': {{...}}}}; got {authorizer!r}"
        )
    ((kind, value),) = authorizer.items()
    if kind not in ("claims", "jwt", "lambda", "iam"):
        raise ValueError(f"unknown authorizer kind {kind!r}: use 'claims', 'jwt', 'lambda' or 'iam'")
    if not isinstance(value, Mapping):
        raise ValueError(f"authorizer[{kind!r}] must be a mapping, got {value!r}")
    return kind, value


# -- the builder -----------------------------------------------------------------------------------


def build_event(
    method: str,
    path: str,
    *,
    payload: str = "2.0",
    query: QueryArg = None,
    headers: HeadersArg = None,
    body: bytes | str | None = None,
    cookies: CookiesArg = None,
    stage: str | None = None,
    resource: str | None = None,
    path_parameters: Mapping[str, str] | None = None,
    route_key: str | None = None,
    authorizer: Mapping[str, Any] | None = None,
    source_ip: str = "127.0.0.1",
    domain_name: str | None = None,
    binary_media_types: Iterable[str] = (),
    stage_variables: Mapping[str, str] | None = None,
    request_id: str | None = None,
    now: datetime | float | None = None,
    api_kind: str | None = None,
    api_id: str | None = None,
    region: str = DEFAULT_REGION,
    account_id: str = DEFAULT_ACCOUNT_ID,
    scheme: str | None = None,
    port: int | None = None,
    protocol: str = "HTTP/1.1",
) -> dict[str, Any]:
    """Build the Lambda event for one HTTP request (see the module docstring for payloads and authorizers).

    ``path`` is the request path as a client sends it (``/posts/caf%C3%A9`` or ``/posts/café``; a ``?query``
    suffix is used when ``query`` is not given). ``query`` is a raw query string, a mapping whose values are
    strings or lists of strings, or a list of pairs. ``headers`` is a mapping or a list of pairs (repeats
    allowed). ``stage`` defaults to ``"Prod"`` for payload 1.0 (a REST API) and ``"$default"`` otherwise.
    ``resource``, ``path_parameters`` and ``route_key`` describe the matched route (the gateway knows it).
    ``domain_name`` defaults to the API's ``execute-api`` host (or the Function URL's host); on that host a
    REST event's ``requestContext.path`` starts with ``/{stage}``. ``now`` fixes the request time.
    """
    if payload not in PAYLOADS:
        raise ValueError(f"unknown payload {payload!r}; use one of {', '.join(PAYLOADS)}")
    method = method.upper()
    raw_path, _, path_query = path.partition("?")
    if not raw_path.startswith("/"):
        raw_path = "/" + raw_path
    encoded_path = _encode_path(raw_path)
    decoded_path = unquote(encoded_path)
    raw_query, query_pairs, encoded_query_pairs = _query(query, path_query if "?" in path else None)
    header_pairs = _header_pairs(headers)
    cookie_list = _cookie_strings(cookies)
    moment = _timestamp(now)
    request_id = request_id or str(uuid.uuid4())
    auth = _authorizer_kind(authorizer)
    if payload in ("alb", "alb-multi"):
        if auth is not None:
            raise ValueError("an Application Load Balancer has no authorizer context")
        return _alb_event(
            method,
            encoded_path,
            multi=payload == "alb-multi",
            encoded_query=encoded_query_pairs,
            header_pairs=header_pairs,
            cookie_list=cookie_list,
            body=body,
            source_ip=source_ip,
            domain_name=domain_name,
            region=region,
            account_id=account_id,
            moment=moment,
            request_id=request_id,
            scheme=scheme,
            port=port,
        )

    is_url = payload == "url"
    if is_url:
        stage = "$default"
        domain = domain_name or f"{api_id or DEFAULT_URL_ID}.lambda-url.{region}.on.aws"
    else:
        stage = stage or ("Prod" if payload == "1.0" else "$default")
        domain = domain_name or f"{api_id or DEFAULT_API_ID}.execute-api.{region}.amazonaws.com"
    host = domain.split(":", 1)[0]
    kind = (api_kind or ("http" if stage == "$default" else "rest")) if payload == "1.0" else "http"
    if kind not in ("rest", "http"):
        raise ValueError(f"api_kind must be 'rest' or 'http', got {api_kind!r}")
    if resource is not None and path_parameters is None and resource != "$default":
        # Derive ``{param}`` values from the route with the gateway's own matcher (None when the path does not
        # match): a REST API keeps their percent-encoding, HTTP APIs and Function URLs decode them.
        path_parameters = path_parameter_values(resource, encoded_path, decode=kind == "http") or None
    prefix = domain.split(".", 1)[0]
    the_api_id = api_id or prefix
    scheme = scheme or "https"
    port = port or (443 if scheme == "https" else 80)

    # Headers API Gateway and Function URLs add for the integration.
    header_pairs = _integration_headers(
        header_pairs,
        domain=domain,
        moment=moment,
        request_id=request_id,
        source_ip=source_ip,
        port=port,
        scheme=scheme,
        body=body,
    )
    user_agent = _get_header(header_pairs, "User-Agent") or ""
    content_type = _get_header(header_pairs, "Content-Type")

    if payload == "1.0":
        if kind == "rest":
            encode = media_type_matches(content_type, binary_media_types)
        else:
            encode = _passed_as_base64(body, content_type)
        return _v1_event(
            method,
            encoded_path,
            rest=kind == "rest",
            stage=stage,
            domain=domain,
            host=host,
            api_id=the_api_id,
            resource=resource,
            path_parameters=path_parameters,
            query_pairs=query_pairs,
            header_pairs=header_pairs,
            cookie_list=cookie_list,
            body=_body(body, base64_encode=encode),
            auth=auth,
            source_ip=source_ip,
            user_agent=user_agent,
            stage_variables=stage_variables,
            request_id=request_id,
            moment=moment,
            account_id=account_id,
            protocol=protocol,
            route_key=route_key,
        )

    encode = _passed_as_base64(body, content_type)
    return _v2_event(
        method,
        decoded_path if not is_url else encoded_path,
        is_url=is_url,
        stage=stage,
        domain=domain,
        api_id=the_api_id,
        raw_query=raw_query,
        query_pairs=query_pairs,
        header_pairs=header_pairs,
        cookie_list=cookie_list,
        body=_body(body, base64_encode=encode),
        auth=auth,
        source_ip=source_ip,
        user_agent=user_agent,
        path_parameters=path_parameters,
        route_key=route_key or (f"{method} {resource}" if resource and not is_url else "$default"),
        stage_variables=stage_variables,
        request_id=request_id,
        moment=moment,
        account_id=account_id,
        protocol=protocol,
    )


def _v1_event(
    method: str,
    encoded_path: str,
    *,
    rest: bool,
    stage: str,
    domain: str,
    host: str,
    api_id: str,
    resource: str | None,
    path_parameters: Mapping[str, str] | None,
    query_pairs: list[tuple[str, str]],
    header_pairs: list[tuple[str, str]],
    cookie_list: list[str],
    body: tuple[str | None, bool, bytes],
    auth: tuple[str, Any] | None,
    source_ip: str,
    user_agent: str,
    stage_variables: Mapping[str, str] | None,
    request_id: str,
    moment: datetime,
    account_id: str,
    protocol: str,
    route_key: str | None,
) -> dict[str, Any]:
    multi_headers = _multi(_with_cookie_header(header_pairs, cookie_list))
    # A REST API keeps the last value of a repeated header or parameter; an HTTP API (payload 1.0) joins them
    # with commas, as in AWS's examples ("header2": "value1,value2").
    if rest:
        single_headers = {name: values[-1] for name, values in multi_headers.items()}
    else:
        single_headers = {name: ",".join(values) for name, values in multi_headers.items()}
    on_execute_api = ".execute-api." in host
    stage_prefix = f"/{stage}" if stage != "$default" and (on_execute_api or not rest) else ""
    # The event's ``path`` excludes the stage on a REST API and stays percent-encoded; an HTTP API forwards
    # the stage-prefixed path, decoded (as in payload 2.0's ``rawPath``).
    event_path = encoded_path if rest else stage_prefix + unquote(encoded_path)
    multi_query = _multi(query_pairs)
    identity: dict[str, Any] = {
        "cognitoIdentityPoolId": None,
        "accountId": None,
        "cognitoIdentityId": None,
        "caller": None,
        "sourceIp": source_ip,
        "principalOrgId": None,
        "accessKey": None,
        "cognitoAuthenticationType": None,
        "cognitoAuthenticationProvider": None,
        "userArn": None,
        "userAgent": user_agent,
        "user": None,
    }
    if not rest:
        identity["apiKey"] = None
        identity["apiKeyId"] = None
    authorizer: dict[str, Any] | None = None
    if auth is not None:
        kind, value = auth
        if kind == "claims":
            authorizer = {"claims": dict(value)}
            if not rest:
                authorizer["scopes"] = None
        elif kind == "jwt":
            authorizer = {"claims": dict(value.get("claims") or {}), "scopes": value.get("scopes")}
        elif kind == "lambda":
            context = dict(value)
            authorizer = {"principalId": str(context.pop("principalId", "user")), "integrationLatency": 0}
            authorizer.update(context)
            if not rest:
                authorizer = {"lambda": dict(value)}
        else:  # iam: API Gateway fills the caller into the identity
            identity.update(
                {
                    "accessKey": value.get("accessKey"),
                    "accountId": value.get("accountId"),
                    "caller": value.get("callerId"),
                    "user": value.get("userId"),
                    "userArn": value.get("userArn"),
                }
            )
    resource_path = resource or unquote(encoded_path)
    request_context: dict[str, Any] = {
        "resourceId": hashlib.sha256(resource_path.encode()).hexdigest()[:6] if rest else None,
        "resourcePath": resource_path,
        "httpMethod": method,
        "extendedRequestId": _extended_id(request_id),
        "requestTime": _clf_time(moment),
        "path": stage_prefix + encoded_path if rest else event_path,
        "accountId": account_id,
        "protocol": protocol,
        "stage": stage,
        "domainPrefix": domain.split(".", 1)[0],
        "requestTimeEpoch": _epoch_ms(moment),
        "requestId": request_id,
        "identity": identity,
        "domainName": domain,
        "apiId": api_id,
    }
    if rest:
        request_context["deploymentId"] = hashlib.sha256(api_id.encode()).hexdigest()[:6]
    else:
        request_context["routeKey"] = route_key or (f"{method} {resource}" if resource else "$default")
    if authorizer is not None:
        request_context["authorizer"] = authorizer
    event: dict[str, Any] = {}
    if not rest:
        event["version"] = "1.0"
    body_text, is_base64, _ = body
    event.update(
        {
            "resource": resource_path,
            "path": event_path,
            "httpMethod": method,
            "headers": single_headers,
            "multiValueHeaders": multi_headers,
            "queryStringParameters": {
                name: values[-1] if rest else ",".join(values) for name, values in multi_query.items()
            }
            or None,
            "multiValueQueryStringParameters": multi_query or None,
            "pathParameters": dict(path_parameters) if path_parameters else None,
            "stageVariables": dict(stage_variables) if stage_variables else None,
            "requestContext": request_context,
            "body": body_text,
            "isBase64Encoded": is_base64,
        }
    )
    return event


def _v2_event(
    method: str,
    raw_path: str,
    *,
    is_url: bool,
    stage: str,
    domain: str,
    api_id: str,
    raw_query: str,
    query_pairs: list[tuple[str, str]],
    header_pairs: list[tuple[str, str]],
    cookie_list: list[str],
    body: tuple[str | None, bool, bytes],
    auth: tuple[str, Any] | None,
    source_ip: str,
    user_agent: str,
    path_parameters: Mapping[str, str] | None,
    route_key: str,
    stage_variables: Mapping[str, str] | None,
    request_id: str,
    moment: datetime,
    account_id: str,
    protocol: str,
) -> dict[str, Any]:
    # Payload 2.0 lower-cases header names, joins repeats with commas and moves Cookie into ``cookies``.
    headers: dict[str, str] = {}
    cookie_values: list[str] = []
    for name, value in header_pairs:
        lowered = name.lower()
        if lowered == "cookie":
            cookie_values.extend(part.strip() for part in value.split(";") if part.strip())
            continue
        headers[lowered] = f"{headers[lowered]},{value}" if lowered in headers else value
    cookie_values.extend(cookie_list)
    if stage != "$default":
        raw_path = f"/{stage}{raw_path}"
    authorizer: dict[str, Any] | None = None
    if auth is not None:
        kind, value = auth
        if is_url and kind != "iam":
            raise ValueError("a Function URL only has IAM authorization (authorizer={'iam': {...}})")
        if kind == "claims":
            authorizer = {"jwt": {"claims": dict(value), "scopes": None}}
        elif kind == "jwt":
            authorizer = {"jwt": {"claims": dict(value.get("claims") or {}), "scopes": value.get("scopes")}}
        elif kind == "lambda":
            authorizer = {"lambda": dict(value)}
        else:
            authorizer = {"iam": dict(value)}
    request_context: dict[str, Any] = {
        "accountId": account_id if not is_url or auth is not None else "anonymous",
        "apiId": api_id,
        "domainName": domain,
        "domainPrefix": domain.split(".", 1)[0],
        "http": {
            "method": method,
            "path": raw_path,
            "protocol": protocol,
            "sourceIp": source_ip,
            "userAgent": user_agent,
        },
        "requestId": request_id,
        "routeKey": route_key,
        "stage": stage,
        "time": _clf_time(moment),
        "timeEpoch": _epoch_ms(moment),
    }
    if authorizer is not None:
        request_context["authorizer"] = authorizer
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": route_key,
        "rawPath": raw_path,
        "rawQueryString": raw_query,
    }
    if cookie_values:
        event["cookies"] = cookie_values
    event["headers"] = headers
    if query_pairs:
        event["queryStringParameters"] = {
            name: ",".join(values) for name, values in _multi(query_pairs).items()
        }
    event["requestContext"] = request_context
    if path_parameters:
        event["pathParameters"] = dict(path_parameters)
    if stage_variables:
        event["stageVariables"] = dict(stage_variables)
    body_text, is_base64, _ = body
    if body_text is not None:
        event["body"] = body_text
    event["isBase64Encoded"] = is_base64
    return event


def _alb_event(
    method: str,
    encoded_path: str,
    *,
    multi: bool,
    encoded_query: list[tuple[str, str]],
    header_pairs: list[tuple[str, str]],
    cookie_list: list[str],
    body: bytes | str | None,
    source_ip: str,
    domain_name: str | None,
    region: str,
    account_id: str,
    moment: datetime,
    request_id: str,
    scheme: str | None,
    port: int | None,
) -> dict[str, Any]:
    scheme = scheme or "http"
    port = port or (443 if scheme == "https" else 80)
    domain = domain_name or f"lambda-alb-123456789.{region}.elb.amazonaws.com"
    # The load balancer lower-cases header names.
    pairs = [(name.lower(), value) for name, value in _with_cookie_header(header_pairs, cookie_list)]
    pairs = _integration_headers(
        pairs,
        domain=domain,
        moment=moment,
        request_id=request_id,
        source_ip=source_ip,
        port=port,
        scheme=scheme,
        body=body,
        lower=True,
    )
    body_text, is_base64, _ = _body(
        body, base64_encode=_passed_as_base64(body, _get_header(pairs, "content-type"))
    )
    target_group = hashlib.sha256(domain.encode()).hexdigest()[:16]
    event: dict[str, Any] = {
        "requestContext": {
            "elb": {
                "targetGroupArn": (
                    f"arn:aws:elasticloadbalancing:{region}:{account_id}:targetgroup/lambda-target/{target_group}"
                )
            }
        },
        "httpMethod": method,
        "path": encoded_path,
    }
    if multi:
        event["multiValueQueryStringParameters"] = _multi(encoded_query)
        event["multiValueHeaders"] = _multi(pairs)
    else:
        # Without multi-value headers the load balancer keeps the last value of a repeated key.
        event["queryStringParameters"] = dict(encoded_query)
        event["headers"] = dict(pairs)
    event["body"] = body_text if body_text is not None else ""
    event["isBase64Encoded"] = is_base64
    return event

"""Property tests: random valid events of every source reach the app exactly as sent, and the result is
valid for the source; random malformed events give a result shaped for the source or UnsupportedEvent."""

from __future__ import annotations

import base64
import copy
from collections import Counter
from typing import Any
from urllib.parse import quote

from adapter_kit import DELETE, RecordingApp, check_result, load_event, result_body, result_headers
from aws_lambda_powertools.utilities.parser.models import (
    AlbModel,
    APIGatewayProxyEventModel,
    APIGatewayProxyEventV2Model,
    LambdaFunctionUrlModel,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers.request import Request

from lambda_micro.adapter import UnsupportedEvent, infer_source, make_handler

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

SEGMENT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="/?#"),
    min_size=1,
    max_size=6,
) | st.sampled_from(["a b", "100%", "x%41", "a+b", "café", "日本", "%2F"])
PATH = st.builds(
    lambda segments, slash: "/" + "/".join(segments) + ("/" if slash and segments else ""),
    st.lists(SEGMENT, max_size=4),
    st.booleans(),
)
QUERY_TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=6) | st.sampled_from(
    ["a+b", "1,2", "x=y", "&", "%41", "é"]
)
QUERY = st.lists(st.tuples(QUERY_TEXT.filter(bool), QUERY_TEXT), max_size=5)
HEADER_NAME = st.from_regex(r"\Ax-[a-z0-9]{1,6}(-[a-z0-9]{1,4})?\Z").filter(
    lambda name: not name.startswith("x-forwarded")
)
HEADER_VALUE = st.from_regex(r"\A[!-~]([ -~]{0,10}[!-~])?\Z").filter(lambda value: "," not in value)
HEADERS = st.lists(st.tuples(HEADER_NAME, HEADER_VALUE), max_size=5)
TOKEN = st.from_regex(r"\A[A-Za-z0-9_.-]{1,8}\Z")
COOKIES = st.lists(st.tuples(TOKEN, TOKEN), max_size=3, unique_by=lambda pair: pair[0])
BODY = st.one_of(
    st.none(),
    st.text(max_size=30).map(lambda text: text.encode("utf-8", "surrogatepass")),
    st.binary(max_size=40),
)
METHOD = st.sampled_from(["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD"])
KIND = st.sampled_from(["rest", "http-1.0", "http-2.0", "url", "alb", "alb-multi"])

RESPONSE_TYPES = [
    "text/plain; charset=utf-8",
    "application/json",
    "image/png",
    "application/octet-stream",
    None,
]
RESPONSE = st.fixed_dictionaries(
    {
        "status": st.sampled_from(
            [
                "200 OK",
                "201 Created",
                "204 No Content",
                "299 Custom",
                "302 Found",
                "404 Not Found",
                "503 Service Unavailable",
            ]
        ),
        "content_type": st.sampled_from(RESPONSE_TYPES),
        "cookies": st.lists(TOKEN.map(lambda token: f"{token}=1; Path=/"), max_size=3),
        "headers": HEADERS,
        "body": st.binary(max_size=40)
        | st.text(max_size=20).map(lambda text: text.encode("utf-8", "surrogatepass")),
    }
)


def grouped(pairs: list[tuple[str, str]]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for key, value in pairs:
        out.setdefault(key, []).append(value)
    return out


def body_fields(body: bytes | None) -> dict[str, Any]:
    if body is None:
        return {"body": None, "isBase64Encoded": False}
    try:
        return {"body": body.decode("utf-8"), "isBase64Encoded": False}
    except UnicodeDecodeError:
        return {"body": base64.b64encode(body).decode(), "isBase64Encoded": True}


def make_event(
    kind: str,
    *,
    method: str,
    path: str,
    query: list[tuple[str, str]],
    headers: list[tuple[str, str]],
    cookies: list[tuple[str, str]],
    body: bytes | None,
) -> dict[str, Any]:
    """Encode one HTTP request as the service of ``kind`` would."""
    cookie_pairs = [f"{name}={value}" for name, value in cookies]
    encoded_path = quote(path, safe="/")
    multi_headers = grouped(headers)
    if cookie_pairs and kind not in ("http-2.0", "url"):
        multi_headers["cookie"] = ["; ".join(cookie_pairs)]
    if kind in ("http-2.0", "url"):
        raw_query = "&".join(quote(key, safe="") + "=" + quote(value, safe="") for key, value in query)
        fixture = "http_v2_default_stage" if kind == "http-2.0" else "function_url"
        event = load_event(
            fixture,
            rawPath=path if kind == "http-2.0" else encoded_path,
            rawQueryString=raw_query,
            headers={
                "host": "example.com",
                **{name: ",".join(values) for name, values in multi_headers.items()},
            },
            cookies=cookie_pairs or DELETE,
            queryStringParameters={key: ",".join(values) for key, values in grouped(query).items()} or DELETE,
            rc={"http.method": method, "http.path": path},
            **body_fields(body),
        )
        event.pop("body") if body is None else None
        return event
    single_headers = {name: values[-1] for name, values in multi_headers.items()}
    if kind in ("alb", "alb-multi"):
        encoded_query = [(quote(key, safe=""), quote(value, safe="")) for key, value in query]
        event = load_event(
            "alb_single" if kind == "alb" else "alb_multi",
            httpMethod=method,
            path=encoded_path,
            **body_fields(body if body is not None else b""),  # the load balancer sends "" for no body
        )
        if kind == "alb":
            event["queryStringParameters"] = {
                key: values[-1] for key, values in grouped(encoded_query).items()
            }
            event["headers"] = {"host": "example.com", **single_headers}
        else:
            event["multiValueQueryStringParameters"] = grouped(encoded_query)
            event["multiValueHeaders"] = {"host": ["example.com"], **multi_headers}
        return event
    fixture = "rest_execute_api_stage" if kind == "rest" else "http_v1"
    stage = "Prod" if kind == "rest" else "dev"
    return load_event(
        fixture,
        httpMethod=method,
        path=encoded_path if kind == "rest" else "/dev" + path,
        resource="/{proxy+}",
        pathParameters={"proxy": path[1:]} if len(path) > 1 else None,
        headers={"Host": "example.com", **single_headers},
        multiValueHeaders={"Host": ["example.com"], **multi_headers},
        queryStringParameters={key: values[-1] for key, values in grouped(query).items()} or None,
        multiValueQueryStringParameters=grouped(query) or None,
        rc={
            "path": f"/{stage}{encoded_path}" if kind == "rest" else f"/dev{path}",
            "stage": stage,
            "httpMethod": method,
        },
        **body_fields(body),
    )


MODELS = {
    "rest": APIGatewayProxyEventModel,
    "http-1.0": APIGatewayProxyEventModel,
    "http-2.0": APIGatewayProxyEventV2Model,
    "url": LambdaFunctionUrlModel,
    "alb": AlbModel,
}


@SETTINGS
@given(
    kind=KIND,
    method=METHOD,
    path=PATH,
    query=QUERY,
    headers=HEADERS,
    cookies=COOKIES,
    body=BODY,
    response=RESPONSE,
)
def test_property_valid_events_reach_the_app_exactly(
    *,
    kind: str,
    method: str,
    path: str,
    query: list[tuple[str, str]],
    headers: list[tuple[str, str]],
    cookies: list[tuple[str, str]],
    body: bytes | None,
    response: dict[str, Any],
) -> None:
    event = make_event(
        kind, method=method, path=path, query=query, headers=headers, cookies=cookies, body=body
    )
    source = "alb" if kind.startswith("alb") else kind
    assert infer_source(event) == source
    if kind != "alb-multi":
        MODELS[source].model_validate(event)
    response_headers = [(name, value) for name, value in response["headers"]]
    if response["content_type"]:
        response_headers.append(("Content-Type", response["content_type"]))
    response_headers += [("Set-Cookie", cookie) for cookie in response["cookies"]]
    app = RecordingApp(status=response["status"], headers=response_headers, body=response["body"])

    result = check_result(make_handler(app)(event, None), source)

    request = Request(app.environ)
    assert request.method == method
    assert request.path == path
    assert app.environ["SCRIPT_NAME"] == {"rest": "/Prod", "http-1.0": "/dev"}.get(kind, "")
    args = request.args
    if kind == "alb":  # single-value mode: the last value of each key
        assert args == MultiDict([(key, values[-1]) for key, values in grouped(query).items()])
    else:
        assert sorted(args.items(multi=True)) == sorted(query)
    for name, values in grouped(headers).items():
        if kind == "alb":  # single-value mode: the load balancer keeps the last value
            assert request.headers[name] == values[-1]
        else:
            assert request.headers[name] == (
                ",".join(values) if kind in ("http-2.0", "url") else ", ".join(values)
            )
    assert request.cookies.to_dict() == dict(cookies)
    assert app.body == (body or b"")
    assert app.environ["CONTENT_LENGTH"] == str(len(body or b""))
    assert app.iterable is not None
    assert app.iterable.closed

    code = int(response["status"][:3])
    assert result["statusCode"] == code
    sent = result_headers(result)
    assert Counter(value for name, value in sent if name == "set-cookie") == Counter(response["cookies"])
    if method == "HEAD" or code == 204 or not response["body"]:
        assert result["body"] == ""
    else:
        assert result_body(result) == response["body"]


MUTATION_VALUES = st.one_of(
    st.none(),
    st.integers(),
    st.booleans(),
    st.text(max_size=5),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(
        st.text(max_size=3), st.one_of(st.none(), st.integers(), st.text(max_size=3)), max_size=2
    ),
)
FIXTURES = st.sampled_from(
    [
        "rest_execute_api_stage",
        "rest_console_test",
        "rest_custom_domain_base_path",
        "http_v1",
        "http_v2_default_stage",
        "http_v2_named_stage",
        "function_url",
        "alb_single",
        "alb_multi",
        "sam_local_rest",
        "sam_local_http_v2",
    ]
)


def paths_of(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, child in value.items():
            found += paths_of(child, (*prefix, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            found += paths_of(child, (*prefix, index))
    return found


@SETTINGS
@given(name=FIXTURES, data=st.data())
def test_property_malformed_events_never_raise_anything_else(name: str, data: st.DataObject) -> None:
    event = load_event(name)
    for _ in range(data.draw(st.integers(1, 3))):
        paths = paths_of(event)
        if not paths:
            break
        path = data.draw(st.sampled_from(paths))
        parent = event
        for step in path[:-1]:
            parent = parent[step]
        if data.draw(st.booleans()) and isinstance(parent, dict):
            del parent[path[-1]]
        else:
            parent[path[-1]] = data.draw(MUTATION_VALUES)
    if data.draw(st.booleans()):
        event["isBase64Encoded"] = True
        event["body"] = data.draw(st.sampled_from(["%%%", "YW=j", "a", "ä", "YQ=="]))
    original = copy.deepcopy(event)
    source = infer_source(event)
    try:
        result = make_handler(RecordingApp())(event, None)
    except UnsupportedEvent:
        assert source is None
        return
    assert source is not None
    check_result(result, source)
    assert result["statusCode"] in (200, 400)
    if event.get("isBase64Encoded") is True and event.get("body") in ("%%%", "YW=j", "a", "ä"):
        assert result["statusCode"] == 400
    assert event == original  # the event is never modified

"""Property tests: random valid events of every source reach the app exactly as sent, and the result is
valid for the source; random malformed events give a result shaped for the source or UnsupportedEvent.
Every environ that reaches the app passes the stdlib's ``wsgiref.validate`` (contract item 50)."""

from __future__ import annotations

import copy
import warnings
from collections import Counter
from typing import Any
from wsgiref.validate import WSGIWarning, check_environ, validator

from adapter_kit import (
    RecordingApp,
    check_edge_event,
    check_result,
    grouped,
    load_event,
    make_event,
    result_body,
    result_headers,
    result_status,
)
from aws_lambda_powertools.utilities.parser.models import (
    AlbModel,
    APIGatewayProxyEventModel,
    APIGatewayProxyEventV2Model,
    LambdaFunctionUrlModel,
    VpcLatticeModel,
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
KIND = st.sampled_from(
    ["rest", "http-1.0", "http-2.0", "url", "alb", "alb-multi", "lattice-1.0", "lattice-2.0", "edge"]
)

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


def joined(kind: str, values: list[str]) -> str:
    """A repeated request header as the app sees it."""
    if kind in ("http-2.0", "url", "lattice-1.0"):
        return ",".join(values)  # the service joined them
    return ", ".join(values)


MODELS: dict[str, Any] = {
    "rest": APIGatewayProxyEventModel,
    "http-1.0": APIGatewayProxyEventModel,
    "http-2.0": APIGatewayProxyEventV2Model,
    "url": LambdaFunctionUrlModel,
    "alb": AlbModel,
    "lattice-1.0": VpcLatticeModel,
    "edge": check_edge_event,
}


def validated(app: RecordingApp) -> Any:
    """``app`` behind the stdlib's PEP 3333 validator; a failed check raises AssertionError.

    The validator also requires a Content-Type in every response but 204/304 (and none in those); for the
    other responses (contract item 30 allows them) the environ gets the validator's own environ check.
    """
    has_type = any(name.lower() == "content-type" for name, _ in app.headers)
    if has_type != (app.status[:3] in ("204", "304")):
        return validator(app)

    def environ_checked(environ: dict[str, Any], start_response: Any) -> Any:
        check_environ(environ)
        return app(environ, start_response)

    return environ_checked


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
    model = MODELS.get(kind)
    if model is check_edge_event:
        check_edge_event(event)
    elif model is not None:  # the load balancer's multi-value mode and Lattice's list values have none
        model.model_validate(event)
    response_headers = [(name, value) for name, value in response["headers"]]
    if response["content_type"]:
        response_headers.append(("Content-Type", response["content_type"]))
    response_headers += [("Set-Cookie", cookie) for cookie in response["cookies"]]
    app = RecordingApp(status=response["status"], headers=response_headers, body=response["body"])

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = check_result(make_handler(validated(app), reraise=True)(event, None), source)

    request = Request(app.environ)
    assert request.method == method
    assert request.path == path
    assert app.environ["SCRIPT_NAME"] == {"rest": "/Prod", "http-1.0": "/dev"}.get(kind, "")
    args = request.args
    if kind in ("alb", "lattice-1.0"):  # one value per key: the last
        assert args == MultiDict([(key, values[-1]) for key, values in grouped(query).items()])
    else:
        assert sorted(args.items(multi=True)) == sorted(query)
    for name, values in grouped(headers).items():
        if kind == "alb":  # single-value mode: the load balancer keeps the last value
            assert request.headers[name] == values[-1]
        else:
            assert request.headers[name] == joined(kind, values)
    assert request.cookies.to_dict() == dict(cookies)
    assert app.body == (body or b"")
    assert app.environ["CONTENT_LENGTH"] == str(len(body or b""))
    assert app.iterable is not None
    assert app.iterable.closed

    code = int(response["status"][:3])
    assert result_status(result) == code
    sent = result_headers(result)
    assert Counter(value for name, value in sent if name == "set-cookie") == Counter(response["cookies"])
    if method == "HEAD" or code == 204 or not response["body"]:
        assert result_body(result) == b""
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
        "lattice_v1",
        "lattice_v2",
        "lattice_v2_list_values",
        "edge_viewer_request",
        "edge_origin_request",
        "rest_no_context_path",
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
    invalid_base64 = False
    if data.draw(st.booleans()) and not name.startswith("edge"):
        body = data.draw(st.sampled_from(["%%%", "YW=j", "a", "ä", "YQ=="]))
        event["is_base64_encoded" if name == "lattice_v1" else "isBase64Encoded"] = True
        event["body"] = body
        invalid_base64 = body != "YQ=="
    original = copy.deepcopy(event)
    source = infer_source(event)
    app = RecordingApp()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            warnings.filterwarnings("ignore", "Unknown REQUEST_METHOD", WSGIWarning)
            result = make_handler(validated(app), reraise=True)(event, None)
    except UnsupportedEvent:
        assert source is None
        return
    assert source is not None
    check_result(result, source)
    assert result_status(result) in (200, 400, 413)
    if invalid_base64:
        assert result_status(result) == 400
    if app.calls:
        for key, value in app.environ.items():  # native strings only (PEP 3333)
            key.encode("latin-1")
            if isinstance(value, str):
                value.encode("latin-1")
    assert event == original  # the event is never modified

"""Contract section L: PEP 3333 everywhere (items 47-50).

Method, protocol and client address are checked before they reach the environ (a 400 naming the field
otherwise); every environ string is a native string (latin-1); and a property runs requests of every
source, fuzzed with arbitrary text, through the stdlib's ``wsgiref.validate`` validator.
"""

from __future__ import annotations

import copy
import warnings
from collections.abc import Callable
from typing import Any
from wsgiref.validate import WSGIWarning, validator

import pytest
from adapter_kit import RecordingApp, check_result, load_event, result_body, result_status
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lambda_micro.adapter import infer_source, make_handler
from lambda_micro.adapter import validate as validate_module

# One fixture per event shape, and its source.
SHAPES = {
    "rest_execute_api_stage": "rest",
    "rest_console_test": "rest",
    "sam_local_rest": "rest",
    "http_v1": "http-1.0",
    "http_v2_named_stage": "http-2.0",
    "sam_local_http_v2": "http-2.0",
    "function_url": "url",
    "alb_single": "alb",
    "alb_multi": "alb",
    "lattice_v1": "lattice-1.0",
    "lattice_v2": "lattice-2.0",
    "lattice_v2_list_values": "lattice-2.0",
    "edge_viewer_request": "edge",
    "edge_origin_request": "edge",
}
EDGE_REQUEST = ("Records", 0, "cf", "request")

# Where each shape carries the method, the protocol and the client address, and the field a 400 names.
METHOD_AT = {
    "rest": (("httpMethod",), "httpMethod"),
    "http-1.0": (("httpMethod",), "httpMethod"),
    "alb": (("httpMethod",), "httpMethod"),
    "http-2.0": (("requestContext", "http", "method"), "requestContext.http.method"),
    "url": (("requestContext", "http", "method"), "requestContext.http.method"),
    "lattice-1.0": (("method",), "method"),
    "lattice-2.0": (("method",), "method"),
    "edge": ((*EDGE_REQUEST, "method"), "Records[0].cf.request.method"),
}
PROTOCOL_AT = {
    "rest": (("requestContext", "protocol"), "requestContext.protocol"),
    "http-1.0": (("requestContext", "protocol"), "requestContext.protocol"),
    "http-2.0": (("requestContext", "http", "protocol"), "requestContext.http.protocol"),
    "url": (("requestContext", "http", "protocol"), "requestContext.http.protocol"),
}
ADDRESS_AT = {
    "rest": (("requestContext", "identity", "sourceIp"), "requestContext.identity.sourceIp"),
    "http-1.0": (("requestContext", "identity", "sourceIp"), "requestContext.identity.sourceIp"),
    "http-2.0": (("requestContext", "http", "sourceIp"), "requestContext.http.sourceIp"),
    "url": (("requestContext", "http", "sourceIp"), "requestContext.http.sourceIp"),
    "edge": ((*EDGE_REQUEST, "clientIp"), "Records[0].cf.request.clientIp"),
}


def put(event: dict[str, Any], path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    target = event
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    return event


def set_header(event: dict[str, Any], source: str, name: str, value: Any) -> None:
    """Set request header ``name`` in the shape of ``source`` (in every header map the event has)."""
    if source == "edge":
        headers = event["Records"][0]["cf"]["request"]["headers"]
        headers[name.lower()] = [{"key": name, "value": value}]
        return
    headers = event.get("headers")
    multi = event.get("multiValueHeaders")
    if isinstance(multi, dict):
        multi[name] = [value]
    if isinstance(headers, dict):
        lists = source == "lattice-2.0" and any(isinstance(item, list) for item in headers.values())
        headers[name] = [value] if lists else value
    elif not isinstance(multi, dict):
        event["headers"] = {name: value}


def run(event: dict[str, Any]) -> tuple[dict[str, Any], RecordingApp]:
    app = RecordingApp()
    source = infer_source(event)
    assert source is not None
    return check_result(make_handler(app)(event, None), source), app


def names_field(message: str, field: str) -> bool:
    return repr(field) in message or field in message


def assert_refused(event: dict[str, Any], field: str) -> None:
    """``event`` is answered 400 in its source's shape, naming ``field``; the app never runs."""
    result, app = run(event)
    assert result_status(result) == 400
    assert names_field(result_body(result).decode(), field)
    assert app.calls == 0


# --- item 47: REQUEST_METHOD is an HTTP token ----------------------------------------------------------


def test_l47_the_reported_input_is_a_400() -> None:
    # The fuzzer's example: a minimal REST event with a method of non-latin-1 characters.
    assert_refused({"path": "/x", "httpMethod": "日本"}, "httpMethod")


@pytest.mark.parametrize("name", SHAPES)
@pytest.mark.parametrize(
    "method", ["日本", "GÉT", "GET /x", "G\x00T", " GET", "GET\r\n", "", None, 7, ["GET"]]
)
def test_l47_method_that_is_not_a_token_is_a_400_naming_the_field(name: str, method: Any) -> None:
    source = SHAPES[name]
    path, field = METHOD_AT[source]
    assert_refused(put(load_event(name), path, method), field)


@pytest.mark.parametrize("name", SHAPES)
@pytest.mark.parametrize("method", ["PROPFIND", "M-SEARCH", "purge", "BREW"])
def test_l47_extension_methods_that_are_tokens_pass(name: str, method: str) -> None:
    path, _ = METHOD_AT[SHAPES[name]]
    _, app = run(put(load_event(name), path, method))
    assert app.environ["REQUEST_METHOD"] == method


def test_l47_accepted_methods_are_memoised_within_a_bound(monkeypatch: pytest.MonkeyPatch) -> None:
    from lambda_micro.adapter import environ as environ_module

    memo = {"GET": "GET"}
    monkeypatch.setattr(validate_module, "METHODS", memo)
    monkeypatch.setattr(environ_module, "METHODS", memo)
    monkeypatch.setattr(validate_module, "_MEMO_LIMIT", 2)
    for method in ("PROPFIND", "MKCOL", "PROPFIND", "MKCOL"):
        _, app = run(load_event("alb_single", httpMethod=method))
        assert app.environ["REQUEST_METHOD"] == method
    assert memo == {"GET": "GET", "PROPFIND": "PROPFIND"}


# --- item 48: SERVER_PROTOCOL is HTTP/x[.y] ------------------------------------------------------------


@pytest.mark.parametrize("name", [name for name, source in SHAPES.items() if source in PROTOCOL_AT])
@pytest.mark.parametrize(
    "protocol", ["SPDY/3", "HTTP/1.1 ", "http/1.1", "HTTP/\u0661", "HTTP/10.0", "HTTP/1.", "日本", 2]
)
def test_l48_protocol_that_is_not_http_version_is_a_400(name: str, protocol: Any) -> None:
    path, field = PROTOCOL_AT[SHAPES[name]]
    assert_refused(put(load_event(name), path, protocol), field)


@pytest.mark.parametrize(
    ("protocol", "expected"),
    [
        ("HTTP/1.0", "HTTP/1.0"),
        ("HTTP/2.0", "HTTP/2.0"),
        ("HTTP/3", "HTTP/3"),
        ("HTTP/4.2", "HTTP/4.2"),
        (None, "HTTP/1.1"),
        ("", "HTTP/1.1"),
    ],
)
def test_l48_http_versions_pass_and_absent_is_http_1_1(protocol: Any, expected: str) -> None:
    _, app = run(load_event("http_v2_named_stage", rc={"http.protocol": protocol}))
    assert app.environ["SERVER_PROTOCOL"] == expected


def test_l48_the_check_alone_also_reads_absent_as_http_1_1() -> None:
    # The memo answers None and "" itself; the check stays complete without it.
    for absent in (None, ""):
        assert validate_module.protocol(absent, "protocol") == "HTTP/1.1"


@pytest.mark.parametrize("name", ["alb_single", "lattice_v1", "edge_viewer_request"])
def test_l48_sources_without_a_protocol_field_say_http_1_1(name: str) -> None:
    _, app = run(load_event(name))
    assert app.environ["SERVER_PROTOCOL"] == "HTTP/1.1"


# --- item 49: REMOTE_ADDR is an IP address ------------------------------------------------------------


@pytest.mark.parametrize(
    "name", [name for name, source in SHAPES.items() if source in ADDRESS_AT and name != "rest_console_test"]
)
@pytest.mark.parametrize(
    "address", ["日本", "1.2.3.256", "01.2.3.4", "1.2.3", "1.2.3.4/x", "::g", "fe80::1%é", "203.0.113.7 ", 17]
)
def test_l49_source_ip_that_is_not_an_ip_is_a_400(name: str, address: Any) -> None:
    path, field = ADDRESS_AT[SHAPES[name]]
    assert_refused(put(load_event(name), path, address), field)


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        ("203.0.113.7", "203.0.113.7"),
        ("192.0.2.1/32", "192.0.2.1"),
        ("::1", "::1"),
        ("2001:db8:85a3:0:0:8a2e:0370:7334", "2001:db8:85a3:0:0:8a2e:0370:7334"),
        ("2001:db8::1/128", "2001:db8::1"),
        ("::ffff:192.0.2.1", "::ffff:192.0.2.1"),
    ],
)
def test_l49_ip_addresses_pass(address: str, expected: str) -> None:
    for name in ("http_v2_named_stage", "edge_viewer_request"):
        path, _ = ADDRESS_AT[SHAPES[name]]
        _, app = run(put(load_event(name), path, address))
        assert app.environ["REMOTE_ADDR"] == expected


@pytest.mark.parametrize(
    ("name", "header"), [("alb_single", "x-forwarded-for"), ("lattice_v1", "x-forwarded-for")]
)
@pytest.mark.parametrize("forwarded_for", ["203.0.113.7, unknown", "日本", "203.0.113.7, 10.0.0.1:443"])
def test_l49_forwarded_for_entry_that_is_not_an_ip_is_a_400(
    name: str, header: str, forwarded_for: str
) -> None:
    event = load_event(name)
    event["headers"][header] = forwarded_for
    assert_refused(event, "X-Forwarded-For")


def test_l49_console_placeholder_and_absent_address_mean_none() -> None:
    for address in ("test-invoke-source-ip", None, ""):
        _, app = run(load_event("rest_execute_api_stage", rc={"identity.sourceIp": address}))
        assert "REMOTE_ADDR" not in app.environ
    # An empty last X-Forwarded-For entry: the proxy appended nothing, no address is known.
    _, app = run(load_event("alb_single", headers={"x-forwarded-for": "203.0.113.7, "}))
    assert "REMOTE_ADDR" not in app.environ


def test_l49_address_memo_starts_over_when_full(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(validate_module, "ADDRESSES", {})
    monkeypatch.setattr(validate_module, "_MEMO_LIMIT", 2)
    from lambda_micro.adapter import environ as environ_module

    monkeypatch.setattr(environ_module, "ADDRESSES", validate_module.ADDRESSES)
    seen = []
    for address in ("203.0.113.1", "203.0.113.2", "203.0.113.3", "203.0.113.3"):
        _, app = run(load_event("http_v2_named_stage", rc={"http.sourceIp": address}))
        seen.append(app.environ["REMOTE_ADDR"])
    assert seen == ["203.0.113.1", "203.0.113.2", "203.0.113.3", "203.0.113.3"]
    assert validate_module.ADDRESSES == {"203.0.113.3": "203.0.113.3"}


# --- item 50: native strings, header names, absolute paths ----------------------------------------------


def latin1_environ(environ: dict[str, Any]) -> None:
    """Every key and every string value of the CGI/WSGI part is a native string (PEP 3333)."""
    for key, value in environ.items():
        key.encode("latin-1")
        if isinstance(value, str):
            value.encode("latin-1")


@pytest.mark.parametrize("name", SHAPES)
def test_l50_header_names_that_are_not_tokens_are_dropped(name: str) -> None:
    event = load_event(name)
    source = SHAPES[name]
    for bad in ("日本", "X Custom", "x:y", "x\ty", "(x)"):
        set_header(event, source, bad, "1")
    set_header(event, source, "X-Kept", "日本")
    _, app = run(event)
    latin1_environ(app.environ)
    assert app.environ["HTTP_X_KEPT"] == "日本".encode().decode("latin-1")
    assert not [key for key in app.environ if key.startswith("HTTP_") and not key.isascii()]
    assert not [key for key in app.environ if " " in key or ":" in key or "(" in key]


PATH_AT = {
    "rest_execute_api_stage": (("path",), "path"),
    "http_v1": (("path",), "path"),
    "alb_single": (("path",), "path"),
    "http_v2_named_stage": (("rawPath",), "rawPath"),
    "function_url": (("rawPath",), "rawPath"),
    "lattice_v1": (("raw_path",), "raw_path"),
    "lattice_v2": (("path",), "path"),
    "edge_viewer_request": ((*EDGE_REQUEST, "uri"), "Records[0].cf.request.uri"),
}


@pytest.mark.parametrize("name", PATH_AT)
@pytest.mark.parametrize("path", ["x", "*", "日本", "http://example.com/x"])
def test_l50_a_path_must_be_absolute(name: str, path: str) -> None:
    at, field = PATH_AT[name]
    assert_refused(put(load_event(name), at, path), field)


@pytest.mark.parametrize("name", SHAPES)
def test_l50_every_fixture_passes_the_stdlib_validator(name: str) -> None:
    result = through_validator(load_event(name))
    assert result_status(result) == 200


def through_validator(event: dict[str, Any]) -> dict[str, Any]:
    """Run ``event`` through ``wsgiref.validate.validator`` around an app that reads the whole request."""
    seen: dict[str, Any] = {}

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        seen.update(environ)
        body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        start_response("200 OK", [("Content-Type", "application/octet-stream"), ("Set-Cookie", "a=1")])
        return [body or b"-"]

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        # An extension method is valid HTTP; the validator only knows the common ones and warns.
        warnings.filterwarnings("ignore", "Unknown REQUEST_METHOD", WSGIWarning)
        result = make_handler(validator(app), reraise=True)(event, None)
    if seen:
        latin1_environ(seen)
    return result


# Any text at all: every plane, control characters, lone surrogates.
ANY_TEXT = st.text(st.characters(exclude_categories=()), max_size=8)
ODD_TEXT = ANY_TEXT | st.sampled_from(["GET", "/x", "HTTP/1.1", "203.0.113.7", "a b", "%ZZ", "é", "\ud800"])
VALUES = ODD_TEXT | st.none() | st.integers(-1, 1) | st.lists(ODD_TEXT, max_size=2)
RARELY = st.sampled_from([False, False, False, True])


def mutations(source: str) -> list[tuple[tuple[Any, ...], str]]:
    """(path in the event, field a 400 names) for every field that reaches a native string."""
    found = [METHOD_AT[source]]
    if source in PROTOCOL_AT:
        found.append(PROTOCOL_AT[source])
    if source in ADDRESS_AT:
        found.append(ADDRESS_AT[source])
    return found


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=st.sampled_from(sorted(SHAPES)), data=st.data())
def test_l50_property_every_environ_passes_wsgiref_validate(name: str, data: st.DataObject) -> None:
    source = SHAPES[name]
    event = load_event(name)
    touched = []
    for path, field in mutations(source):
        if data.draw(RARELY):  # so most examples reach the app with the odd path and headers
            put(event, path, data.draw(VALUES))
            touched.append(field)
    if name in PATH_AT and data.draw(st.booleans()):
        path, field = PATH_AT[name]
        put(event, path, "/" + data.draw(ANY_TEXT))
        touched.append(field)
    for _ in range(data.draw(st.integers(0, 3))):
        header = data.draw(ANY_TEXT.filter(bool))
        if header.lower() == "x-forwarded-for":
            touched.append("X-Forwarded-For")
        set_header(event, source, header, data.draw(ANY_TEXT))
    if data.draw(st.booleans()):
        set_header(event, source, "Host", data.draw(ODD_TEXT))
    original = copy.deepcopy(event)

    result = through_validator(event)

    code = result_status(result)
    if code == 400:
        assert any(names_field(result_body(result).decode(), field) for field in touched), result
    else:
        assert code == 200, result
    assert event == original  # never modified


class Text(str):
    """A str subclass: a valid value, never memoised (a subclass may redefine equality)."""


def test_l50_str_subclasses_are_checked_each_time_and_never_memoised(monkeypatch: pytest.MonkeyPatch) -> None:
    from lambda_micro.adapter import environ as environ_module

    methods, protocols, addresses = {"GET": "GET"}, {None: "HTTP/1.1"}, {}
    for module in (validate_module, environ_module):
        monkeypatch.setattr(module, "METHODS", methods)
        monkeypatch.setattr(module, "PROTOCOLS", protocols)
        monkeypatch.setattr(module, "ADDRESSES", addresses)
    event = load_event(
        "http_v2_named_stage",
        rc={
            "http.method": Text("PATCH"),
            "http.protocol": Text("HTTP/2.0"),
            "http.sourceIp": Text("203.0.113.9"),
        },
    )
    for _ in range(2):
        _, app = run(copy.deepcopy(event))
        environ = app.environ
        assert (environ["REQUEST_METHOD"], environ["SERVER_PROTOCOL"], environ["REMOTE_ADDR"]) == (
            "PATCH",
            "HTTP/2.0",
            "203.0.113.9",
        )
        assert all(type(environ[key]) is str for key in ("REQUEST_METHOD", "SERVER_PROTOCOL", "REMOTE_ADDR"))
    assert (methods, protocols, addresses) == ({"GET": "GET"}, {None: "HTTP/1.1"}, {})


DOTTED = st.lists(
    st.sampled_from(
        ["0", "00", "01", "9", "10", "99", "100", "199", "200", "249", "250", "255", "256", "999", "1000"]
    )
    | st.text("0123456789\u0661 a", max_size=4),
    min_size=1,
    max_size=5,
).map(".".join)


@settings(max_examples=300, deadline=None)
@given(text=DOTTED)
def test_l49_property_the_ipv4_fast_check_agrees_with_ipaddress(text: str) -> None:
    from ipaddress import IPv4Address

    try:
        IPv4Address(text)
    except ValueError:
        expected = False
    else:
        expected = True
    assert validate_module._is_ipv4(text) is expected

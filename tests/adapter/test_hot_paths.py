"""The per-request fast paths give exactly what the exact paths give.

The adapter memoises what repeats from request to request (header names, Host values, status lines,
response header names, each Content-Type's base64 decision) and takes a shortcut when an input has its
common shape. These tests pin the behaviour on both sides of every shortcut: cold memo and warm memo,
common shape and every way out of it.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from typing import Any
from unittest import mock

import pytest
from adapter_kit import RecordingApp, check_result, load_event, result_body, result_headers
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lambda_micro.adapter import environ as environ_module
from lambda_micro.adapter import make_handler
from lambda_micro.adapter import result as result_module
from lambda_micro.adapter.errors import BadEvent
from lambda_micro.adapter.handler import build_environ
from lambda_micro.adapter.result import DEFAULT_TEXT_TYPES, ResponseCollector, build_result


def run(event: dict[str, Any]) -> dict[str, Any]:
    app = RecordingApp()
    make_handler(app)(event, None)
    return app.environ


def comparable(environ: dict[str, Any]) -> dict[str, Any]:
    """The environ without its per-request stream objects."""
    return {key: value for key, value in environ.items() if key not in ("wsgi.input", "wsgi.errors")}


def cold_then_warm(source: str, event: dict[str, Any]) -> tuple[Any, Any]:
    """``build_environ`` twice on copies of ``event``: with empty memos, then with the memos it filled.

    Each outcome is the comparable environ, or the field a ``BadEvent`` named.
    """
    outcomes = []
    with (
        mock.patch.object(environ_module, "_HEADER_KEYS", {}),
        mock.patch.object(environ_module, "_SERVER_NAMES", {}),
    ):
        for _ in range(2):
            try:
                outcomes.append(comparable(build_environ(source, copy.deepcopy(event), None)))
            except BadEvent as exc:
                outcomes.append(exc.field)
    return outcomes[0], outcomes[1]


# --- request headers: memoised names (contract items 16-18) ------------------------------------------

NAMES = st.sampled_from(
    [
        "Accept",
        "accept",
        "ACCEPT",
        "Content-Length",
        "content-length",
        "Content-Type",
        "Cookie",
        "cookie",
        "X-Forwarded-For",
        "X_Forwarded_For",
        "x-forwarded-proto",
        "X-Forwarded-Port",
        "Host",
        "host",
        "x_y",
        "",
    ]
)
VALUES = st.sampled_from(["", "a", "https", "443, 8443", "café", "[::1]:3000", "example.com:8080", "a=1"]) | (
    st.text(max_size=4)
)
BAD_VALUES = st.none() | st.integers(0, 2) | st.lists(VALUES, max_size=1)
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(headers=st.dictionaries(NAMES, VALUES | BAD_VALUES, max_size=6))
def test_d16_single_value_headers_same_with_cold_and_warm_memo(headers: dict[str, Any]) -> None:
    for name, source in (("alb_single", "alb"), ("http_v2_default_stage", "http-2.0")):
        cold, warm = cold_then_warm(source, load_event(name, headers=headers))
        assert cold == warm


@SETTINGS
@given(
    multi=st.dictionaries(NAMES, st.lists(VALUES | BAD_VALUES, max_size=3) | VALUES | st.none(), max_size=6),
    extra=st.dictionaries(NAMES, VALUES, max_size=2),
)
def test_d17_multi_value_headers_same_with_cold_and_warm_memo(
    multi: dict[str, Any], extra: dict[str, Any]
) -> None:
    single = {name: values[-1] for name, values in multi.items() if isinstance(values, list) and values}
    event = load_event("rest_execute_api_stage", multiValueHeaders=multi, headers={**single, **extra})
    cold, warm = cold_then_warm("rest", event)
    assert cold == warm


def twice(event: dict[str, Any]) -> dict[str, Any]:
    """The environ of the second of two identical requests (the first fills the memos)."""
    run(copy.deepcopy(event))
    return run(event)


def test_d17_repeated_header_joined_with_warm_memo() -> None:
    multi = {"Accept": ["text/html"], "Cookie": ["a=1"], "Vary": ["x"]}
    twice(load_event("rest_execute_api_stage", multiValueHeaders=multi, headers=None))
    multi = {"Accept": ["text/html", "application/json"], "Cookie": ["a=1", "b=2"], "Vary": []}
    environ = run(load_event("rest_execute_api_stage", multiValueHeaders=multi, headers=None))
    assert environ["HTTP_ACCEPT"] == "text/html, application/json"
    assert environ["HTTP_COOKIE"] == "a=1; b=2"
    assert "HTTP_VARY" not in environ


def test_d17_two_spellings_of_one_name_joined_with_warm_memo() -> None:
    environ = twice(load_event("alb_single", headers={"x-tag": "1", "X-Tag": "2"}))
    assert environ["HTTP_X_TAG"] == "1, 2"


def test_d18_underscore_twin_dropped_with_warm_memo() -> None:
    environ = twice(
        load_event("alb_single", headers={"x-forwarded-for": "203.0.113.9", "X_Forwarded_For": "6.6.6.6"})
    )
    assert environ["HTTP_X_FORWARDED_FOR"] == "203.0.113.9"
    assert environ["REMOTE_ADDR"] == "203.0.113.9"
    assert "" not in environ


def test_d16_content_length_header_replaced_by_body_length_with_warm_memo() -> None:
    headers = {"content-type": "application/json", "content-length": "999"}
    environ = twice(
        load_event("http_v2_default_stage", headers=headers, body='{"a": 1}', isBase64Encoded=False)
    )
    assert environ["CONTENT_LENGTH"] == "8"
    assert environ["CONTENT_TYPE"] == "application/json"
    assert "HTTP_CONTENT_LENGTH" not in environ
    assert "" not in environ


def test_d16_two_dropped_names_with_warm_memo() -> None:
    headers = {"content-length": "999", "x_secret": "1", "accept": "*/*"}
    environ = twice(load_event("alb_single", headers=headers))
    assert environ["CONTENT_LENGTH"] == "0"
    assert environ["HTTP_ACCEPT"] == "*/*"
    assert not any(key in environ for key in ("", "HTTP_X_SECRET", "HTTP_CONTENT_LENGTH"))


@pytest.mark.parametrize(
    ("name", "field", "overrides"),
    [
        ("alb_single", "headers", {"headers": {"accept": 1}}),
        ("http_v2_default_stage", "headers", {"headers": {"accept": ["*/*"]}}),
        ("rest_execute_api_stage", "multiValueHeaders", {"multiValueHeaders": {"Accept": "*/*"}}),
        ("rest_execute_api_stage", "multiValueHeaders", {"multiValueHeaders": {"Accept": [1]}}),
    ],
)
def test_d16_bad_header_value_rejected_with_warm_memo(
    name: str, field: str, overrides: dict[str, Any]
) -> None:
    run(load_event(name))  # memoises the fixture's names, "accept"/"Accept" among them
    result = make_handler(RecordingApp())(load_event(name, **overrides), None)
    assert result["statusCode"] == 400
    assert repr(field) in result["body"]


def test_d16_null_and_non_ascii_values_with_warm_memo() -> None:
    environ = twice(load_event("http_v2_default_stage", headers={"accept": None, "x-name": "café"}))
    assert "HTTP_ACCEPT" not in environ
    assert environ["HTTP_X_NAME"] == "café".encode().decode("latin-1")


def test_d16_non_ascii_multi_value_with_warm_memo() -> None:
    multi = {"X-Name": ["café"], "Accept": ["*/*"]}
    environ = twice(load_event("rest_execute_api_stage", multiValueHeaders=multi, headers=None))
    assert environ["HTTP_X_NAME"] == "café".encode().decode("latin-1")


def test_d16_header_only_in_headers_map_kept_with_warm_memo() -> None:
    event = load_event(
        "rest_execute_api_stage",
        multiValueHeaders={"Accept": ["*/*"]},
        headers={"Accept": "*/*", "X-Only-Single": "1"},
    )
    environ = twice(event)
    assert (environ["HTTP_ACCEPT"], environ["HTTP_X_ONLY_SINGLE"]) == ("*/*", "1")


# --- connection facts (item 20) -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("proto", "port", "expected"),
    [
        ("https", "443", ("https", "443")),
        ("HTTPS", "8443, 443", ("https", "443")),
        ("http, https", " 8080 ", ("https", "8080")),
        ("https, gopher", "", ("http", "80")),
        ("", "x", ("http", "80")),
    ],
)
def test_d20_forwarded_proto_and_port_lists(proto: str, port: str, expected: tuple[str, str]) -> None:
    headers = {"host": "example.com", "x-forwarded-proto": proto, "x-forwarded-port": port}
    environ = twice(load_event("alb_single", headers=headers))
    assert (environ["wsgi.url_scheme"], environ["SERVER_PORT"]) == expected


def test_d20_host_memo_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(environ_module, "_SERVER_NAMES", {})
    monkeypatch.setattr(environ_module, "_SERVER_NAMES_LIMIT", 1)
    hosts = ["a.example:8080", "b.example", "a.example:8080", "[::1]:3000"]
    names = [run(load_event("alb_single", headers={"host": host}))["SERVER_NAME"] for host in hosts]
    assert names == ["a.example", "b.example", "a.example", "[::1]"]
    assert environ_module._SERVER_NAMES == {"a.example:8080": "a.example"}


def test_d20_host_without_a_name_falls_back_to_domain_name_with_warm_memo() -> None:
    environ = twice(load_event("http_v2_default_stage", headers={"host": ":8080"}))
    assert environ["SERVER_NAME"] == "h7tp4p1.execute-api.eu-central-1.amazonaws.com"


# --- the public build_environ matches the handler --------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "source"),
    [
        ("rest_execute_api_stage", "rest"),
        ("http_v1", "http-1.0"),
        ("http_v2_named_stage", "http-2.0"),
        ("function_url", "url"),
        ("alb_multi", "alb"),
        ("lattice_v1", "lattice-1.0"),
        ("lattice_v2", "lattice-2.0"),
        ("edge_origin_request", "edge"),
    ],
)
def test_build_environ_is_what_the_handler_gives_the_app(name: str, source: str) -> None:
    event = load_event(name)
    direct = build_environ(source, event, None, "")
    app = RecordingApp()
    make_handler(app)(event, None)
    assert comparable(direct) == comparable(app.environ)
    assert direct["wsgi.input"].read() == app.body


def test_build_environ_never_shares_a_mutable_value_between_requests() -> None:
    event = load_event("http_v2_default_stage")
    first = build_environ("http-2.0", event, None)
    first["wsgi.input"].close()
    first["lambda.stage_variables"]["x"] = "1"
    first["HTTP_X_ADDED"] = "1"
    second = build_environ("http-2.0", load_event("http_v2_default_stage"), None)
    assert second["wsgi.input"].read() == b""
    assert "HTTP_X_ADDED" not in second
    assert second["lambda.stage_variables"] == {}


# --- query string (items 11, 15) -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"verbose": ["1"], "page": ["2", "3"]}, "verbose=1&page=2&page=3"),
        ({"q": ["é"], "café": ["x"]}, "q=%C3%A9&caf%C3%A9=x"),
        ({"q": ["a+b"], "n": [None]}, "q=a%2Bb&n="),
    ],
)
def test_c11_rest_query_plain_and_quoted_pairs(query: dict[str, Any], expected: str) -> None:
    event = load_event("rest_execute_api_stage", multiValueQueryStringParameters=query)
    assert run(event)["QUERY_STRING"] == expected


def test_c15_empty_parameter_maps_give_no_query() -> None:
    event = load_event("rest_execute_api_stage", multiValueQueryStringParameters={}, queryStringParameters={})
    assert run(event)["QUERY_STRING"] == ""


def test_c15_wrong_type_parameter_map_rejected_even_when_empty() -> None:
    event = load_event(
        "rest_execute_api_stage", multiValueQueryStringParameters=[], queryStringParameters=None
    )
    result = make_handler(RecordingApp())(event, None)
    assert result["statusCode"] == 400
    assert "multiValueQueryStringParameters" in result["body"]


# --- start_response checks (item 32) -------------------------------------------------------------------


class Status(str):
    """A str subclass: valid WSGI, never memoised."""


@pytest.mark.parametrize("limit", [0, 1024])
def test_f32_status_and_header_checks_with_memo_full_or_not(
    monkeypatch: pytest.MonkeyPatch, limit: int
) -> None:
    monkeypatch.setattr(result_module, "_CHECKED_STATUSES", set())
    monkeypatch.setattr(result_module, "_CHECKED_NAMES", set())
    monkeypatch.setattr(result_module, "_CHECKED_LIMIT", limit)
    for _ in range(2):
        collector = ResponseCollector()
        collector.start_response(Status("200 OK"), [(Status("X-A"), "tab\tok"), ("X-B", "1")])
        assert collector.headers == [("X-A", "tab\tok"), ("X-B", "1")]
        with pytest.raises(ValueError, match="status"):
            ResponseCollector().start_response("20 OK", [])
        with pytest.raises(ValueError, match="line breaks"):
            ResponseCollector().start_response("200 OK", [("X-B", "1\r\nInjected: 1")])
        with pytest.raises(ValueError, match="line breaks"):
            ResponseCollector().start_response("200 OK", [("X-B:", "1")])
        with pytest.raises(UnicodeEncodeError):
            ResponseCollector().start_response("200 OK", [("X-B", "€")])
    # Only plain valid str are memoised, while there is room: never a subclass, never an invalid one.
    statuses, names = result_module._CHECKED_STATUSES, result_module._CHECKED_NAMES
    assert statuses == (set() if limit == 0 else {"200 OK"})
    assert names == (set() if limit == 0 else {"X-B"})


def test_f32_latin1_header_value_accepted() -> None:
    collector = ResponseCollector()
    collector.start_response("200 OK", [("Content-Disposition", "attachment; filename=café.txt")])
    assert collector.headers == [("Content-Disposition", "attachment; filename=café.txt")]


# --- build_result: no-repeat shortcut and its exits (items 25-29) ----------------------------------------

TEXT = [("Content-Type", "text/plain; charset=utf-8")]


def test_f29_binary_cache_is_consulted_and_filled() -> None:
    cache: dict[str, bool] = {}
    result, _ = build_result(
        "rest", "200 OK", TEXT, b"hi", method="GET", alb_multi_value=False, binary_cache=cache
    )
    assert (result["body"], result["isBase64Encoded"]) == ("hi", False)
    assert cache == {"text/plain; charset=utf-8": False}
    cache["text/plain; charset=utf-8"] = True  # a caller whose rules say binary
    result, _ = build_result(
        "rest", "200 OK", TEXT, b"hi", method="GET", alb_multi_value=False, binary_cache=cache
    )
    assert (result["body"], result["isBase64Encoded"]) == ("aGk=", True)


def test_f29_binary_cache_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(result_module, "_CACHE_LIMIT", 1)
    cache: dict[str, bool] = {}
    for content_type, encoded in (("text/plain", False), ("image/png", True), ("image/png", True)):
        result, _ = build_result(
            "http-2.0",
            "200 OK",
            [("Content-Type", content_type)],
            b"x",
            method="GET",
            alb_multi_value=False,
            is_text=DEFAULT_TEXT_TYPES,
            binary_cache=cache,
        )
        assert result["isBase64Encoded"] is encoded
    assert cache == {"text/plain": False}


def test_f25_status_memo_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(result_module, "_STATUSES", {})
    monkeypatch.setattr(result_module, "_CACHE_LIMIT", 1)
    for status, description in (("200 OK", "200 OK"), ("299", "299 Unknown"), ("299", "299 Unknown")):
        result, _ = build_result("alb", status, [], b"", method="GET", alb_multi_value=False)
        assert (result["statusCode"], result["statusDescription"]) == (int(status[:3]), description)
    assert list(result_module._STATUSES) == ["200 OK"]


@pytest.mark.parametrize(
    ("source", "multi", "expected"),
    [
        ("rest", False, {"multiValueHeaders": {"Vary": ["Accept", "Cookie"], "Content-Encoding": ["gzip"]}}),
        ("http-2.0", False, {"headers": {"Vary": "Accept, Cookie", "Content-Encoding": "gzip"}}),
        ("alb", False, {"headers": {"Vary": "Accept, Cookie", "Content-Encoding": "gzip"}}),
        ("alb", True, {"multiValueHeaders": {"Vary": ["Accept", "Cookie"], "Content-Encoding": ["gzip"]}}),
    ],
)
def test_f29_repeated_headers_with_compressed_body(
    source: str, multi: bool, expected: dict[str, Any]
) -> None:
    headers = [("Vary", "Accept"), ("Content-Encoding", "gzip"), ("vary", "Cookie")]
    result, _ = build_result(source, "200 OK", headers, b"\x1f\x8b", method="GET", alb_multi_value=multi)
    for key, value in expected.items():
        assert result[key] == value
    assert (result["body"], result["isBase64Encoded"]) == ("H4s=", True)


@pytest.mark.parametrize("source", ["rest", "http-2.0", "url", "alb"])
def test_f26_result_keys_in_order(source: str) -> None:
    result, _ = build_result(source, "200 OK", TEXT, b"hi", method="GET", alb_multi_value=False)
    headers_key = "headers" if source in ("http-2.0", "url", "alb") else "multiValueHeaders"
    expected = (
        ["statusCode", "statusDescription", headers_key] if source == "alb" else ["statusCode", headers_key]
    )
    assert list(result) == [*expected, "body", "isBase64Encoded"]
    cookies = [*TEXT, ("Set-Cookie", "a=1")]
    result, _ = build_result(source, "200 OK", cookies, b"hi", method="GET", alb_multi_value=False)
    if source in ("http-2.0", "url"):
        assert list(result) == ["statusCode", "headers", "cookies", "body", "isBase64Encoded"]
        assert result["cookies"] == ["a=1"]


def test_f34_size_estimate_counts_headers_and_body() -> None:
    headers = [("Content-Type", "application/json"), ("X-Big", "v" * 1000)]
    body = b'{"a": "' + b"q" * 500 + b'"}'
    _, size = build_result("rest", "200 OK", headers, body, method="GET", alb_multi_value=False)
    assert size >= len("Content-Type") + len("application/json") + len("X-Big") + 1000 + len(body)


# --- the app's iterable (item 32) -----------------------------------------------------------------------


def list_app(chunks: list[Any], *, write: bytes = b"") -> Callable[..., Any]:
    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[Any]:
        start_response("200 OK", [("Content-Type", "text/plain")])(write)
        return chunks

    return app


@pytest.mark.parametrize(
    ("chunks", "write", "body"),
    [
        ([b"hello"], b"", b"hello"),
        ([b"he", b"", b"llo"], b"", b"hello"),
        (["", b"hello"], b"", b"hello"),  # an empty chunk is skipped, whatever its type
        ([b"llo"], b"he", b"hello"),  # write() data comes first
        ([], b"", b""),
    ],
)
def test_f32_list_bodies(chunks: list[Any], write: bytes, body: bytes) -> None:
    result = make_handler(list_app(chunks, write=write))(load_event("http_v2_default_stage"), None)
    check_result(result, "http-2.0")
    assert (result["statusCode"], result_body(result)) == (200, body)


def test_f32_list_with_text_chunk_is_a_500() -> None:
    result = make_handler(list_app(["text"]))(load_event("http_v2_default_stage"), None)
    assert result["statusCode"] == 500


def test_f32_generator_body_after_start_response_in_iteration() -> None:
    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterator[bytes]:
        start_response("201 Created", [("Content-Type", "text/plain"), ("Set-Cookie", "a=1")])
        yield b"made"

    result = make_handler(app)(load_event("rest_execute_api_stage"), None)
    assert (result["statusCode"], result_body(result)) == (201, b"made")
    assert ("set-cookie", "a=1") in result_headers(result)

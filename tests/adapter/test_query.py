"""Contract section C: QUERY_STRING for each source."""

from __future__ import annotations

from typing import Any

import pytest
from adapter_kit import DELETE, RecordingApp, load_event
from werkzeug.wrappers.request import Request

from lambda_micro.adapter import make_handler


def run(event: dict[str, Any]) -> dict[str, Any]:
    app = RecordingApp()
    make_handler(app)(event, None)
    return app.environ


def test_c11_rest_multivalue_query_reencodes_plus() -> None:
    event = load_event(
        "rest_execute_api_stage",
        queryStringParameters={"q": "a+b", "r": "x"},
        multiValueQueryStringParameters={"q": ["a+b"], "r": ["1", "x"]},
    )
    environ = run(event)
    assert environ["QUERY_STRING"] == "q=a%2Bb&r=1&r=x"
    args = Request(environ).args
    assert args.getlist("q") == ["a+b"]
    assert args.getlist("r") == ["1", "x"]


def test_c11_rest_values_with_reserved_characters_round_trip() -> None:
    values = ["a b", "x&y=z", "100%", "é", "#frag", "/p?q"]
    event = load_event("rest_execute_api_stage", multiValueQueryStringParameters={"v": values})
    assert Request(run(event)).args.getlist("v") == values


def test_c11_null_entries_in_multivalue_map_are_skipped() -> None:
    event = load_event("rest_execute_api_stage", multiValueQueryStringParameters={"a": None, "b": ["1"]})
    assert run(event)["QUERY_STRING"] == "b=1"


def test_c12_only_single_value_map_present() -> None:
    event = load_event(
        "rest_execute_api_stage",
        queryStringParameters={"q": "a+b", "page": "2"},
        multiValueQueryStringParameters=DELETE,
    )
    environ = run(event)
    assert environ["QUERY_STRING"] == "q=a%2Bb&page=2"
    assert Request(environ).args["q"] == "a+b"


def test_c12_empty_multivalue_map_falls_back_to_single_map() -> None:
    event = load_event(
        "rest_execute_api_stage", queryStringParameters={"page": "2"}, multiValueQueryStringParameters={}
    )
    assert run(event)["QUERY_STRING"] == "page=2"


def test_c13_v2_raw_query_string_byte_for_byte() -> None:
    environ = run(load_event("http_v2_default_stage"))
    assert environ["QUERY_STRING"] == "a=1&a=2&e=1%2C2&flag"
    args = Request(environ).args
    assert args.getlist("a") == ["1", "2"]
    assert args.getlist("e") == ["1,2"]


def test_c13_function_url_raw_query_string() -> None:
    assert run(load_event("function_url"))["QUERY_STRING"] == "a=1&a=2"


def test_c14_alb_values_arrive_encoded_and_are_not_encoded_twice() -> None:
    environ = run(load_event("alb_single"))
    assert environ["QUERY_STRING"] == "x=foo%3Dbar&q=a+b&flag="
    args = Request(environ).args
    assert args["x"] == "foo=bar"
    assert args["q"] == "a b"


def test_c14_alb_multi_value_query() -> None:
    environ = run(load_event("alb_multi"))
    assert environ["QUERY_STRING"] == "tag=a&tag=b%20c&x=foo%3Dbar"
    assert Request(environ).args.getlist("tag") == ["a", "b c"]


def test_c14_alb_unsafe_characters_are_still_quoted() -> None:
    event = load_event("alb_single", queryStringParameters={"q": "a b&c#d"})
    assert run(event)["QUERY_STRING"] == "q=a%20b%26c%23d"


def test_c15_flag_without_value_payload_1() -> None:
    event = load_event("rest_execute_api_stage", multiValueQueryStringParameters={"flag": [""]})
    assert run(event)["QUERY_STRING"] == "flag="


def test_c15_flag_without_value_payload_2() -> None:
    environ = run(load_event("http_v2_default_stage", rawQueryString="flag"))
    assert environ["QUERY_STRING"] == "flag"
    assert "flag" in Request(environ).args


@pytest.mark.parametrize("empty", [None, {}])
def test_c15_empty_and_null_maps_give_empty_query(empty: Any) -> None:
    event = load_event(
        "rest_execute_api_stage", queryStringParameters=empty, multiValueQueryStringParameters=empty
    )
    environ = run(event)
    assert environ["QUERY_STRING"] == ""
    assert environ["RAW_URI"] == "/Prod/posts/hello-world"


@pytest.mark.parametrize("raw", [None, ""])
def test_c15_v2_null_or_empty_raw_query(raw: str | None) -> None:
    assert run(load_event("http_v2_default_stage", rawQueryString=raw))["QUERY_STRING"] == ""


def test_c15_non_ascii_is_percent_encoded_utf8() -> None:
    rest = run(load_event("rest_execute_api_stage", multiValueQueryStringParameters={"q": ["café"]}))
    assert rest["QUERY_STRING"] == "q=caf%C3%A9"
    v2 = run(load_event("http_v2_default_stage", rawQueryString="q=café&r=1%202"))
    assert v2["QUERY_STRING"] == "q=caf%C3%A9&r=1%202"
    alb = run(load_event("alb_single", queryStringParameters={"q": "café"}))
    assert alb["QUERY_STRING"] == "q=caf%C3%A9"
    assert Request(v2).args["q"] == "café"


def test_c15_null_query_values_are_empty() -> None:
    event = load_event(
        "rest_execute_api_stage",
        queryStringParameters={"flag": None},
        multiValueQueryStringParameters={"flag": [None], "x": ["1"]},
    )
    assert run(event)["QUERY_STRING"] == "flag=&x=1"
    assert run(load_event("alb_single", queryStringParameters={"flag": None}))["QUERY_STRING"] == "flag="

"""Contract section D: request headers and connection facts."""

from __future__ import annotations

import os
from typing import Any

import pytest
from adapter_kit import DELETE, RecordingApp, load_event
from werkzeug.wrappers.request import Request

from lambda_micro.adapter import make_handler


def run(event: dict[str, Any], context: Any = None) -> dict[str, Any]:
    app = RecordingApp()
    make_handler(app)(event, context)
    return app.environ


def test_d16_header_names_become_http_keys() -> None:
    environ = run(load_event("rest_execute_api_stage"))
    assert environ["HTTP_CLOUDFRONT_VIEWER_COUNTRY"] == "DE"
    assert environ["HTTP_X_AMZ_CF_ID"].startswith("qvZ8")
    assert environ["HTTP_ACCEPT_LANGUAGE"] == "en-US,en;q=0.9"


def test_d16_content_type_and_length_only_in_cgi_keys() -> None:
    environ = run(load_event("sam_local_http_v1"))
    assert environ["CONTENT_TYPE"] == "application/json"
    assert environ["CONTENT_LENGTH"] == str(len('{"title": "café"}'.encode()))
    assert "HTTP_CONTENT_TYPE" not in environ
    assert "HTTP_CONTENT_LENGTH" not in environ


def test_d16_v2_lower_case_names() -> None:
    environ = run(load_event("http_v2_jwt_authorizer"))
    assert environ["CONTENT_TYPE"] == "application/json"
    assert environ["HTTP_AUTHORIZATION"].startswith("Bearer ")


def test_d17_repeated_headers_joined_with_comma() -> None:
    environ = run(load_event("rest_execute_api_stage"))
    assert environ["HTTP_VARY_TEST"] == "one, two"


def test_d17_repeated_cookie_headers_joined_with_semicolon() -> None:
    environ = run(load_event("alb_multi"))
    assert environ["HTTP_COOKIE"] == "session=abc123; theme=dark"
    assert Request(environ).cookies.to_dict() == {"session": "abc123", "theme": "dark"}
    assert environ["HTTP_ACCEPT"] == "application/json, text/plain"


def test_d17_same_header_in_two_spellings_is_joined() -> None:
    event = load_event("rest_execute_api_stage", multiValueHeaders={"Accept": ["a/b"], "accept": ["c/d"]})
    assert run(event)["HTTP_ACCEPT"] == "a/b, c/d"


def test_d17_empty_or_null_header_lists_are_skipped() -> None:
    event = load_event(
        "rest_execute_api_stage", multiValueHeaders={"X-Empty": [], "X-Null": None, "X-A": ["1"]}
    )
    environ = run(event)
    assert "HTTP_X_EMPTY" not in environ
    assert "HTTP_X_NULL" not in environ
    assert environ["HTTP_X_A"] == "1"


def test_d17_header_only_in_single_value_map_is_kept() -> None:
    # The HTTP API payload 1.0 sample widely copied from the documentation has `Origin` in `headers`
    # only; a CORS check must still see it. Names present in both maps (any case) are not doubled.
    event = load_event(
        "http_v1",
        headers={"Origin": "https://aws.amazon.com", "header2": "value2", "HOST": "ignored.example"},
        multiValueHeaders={"header2": ["value1", "value2"], "host": ["h7tp4p1.example"]},
    )
    environ = run(event)
    assert environ["HTTP_ORIGIN"] == "https://aws.amazon.com"
    assert environ["HTTP_HEADER2"] == "value1, value2"
    assert environ["HTTP_HOST"] == "h7tp4p1.example"


def test_d17_single_value_headers_used_when_multi_map_is_empty() -> None:
    event = load_event(
        "rest_execute_api_stage", headers={"X-Only": "1", "X-None": None}, multiValueHeaders={}
    )
    environ = run(event)
    assert environ["HTTP_X_ONLY"] == "1"
    assert "HTTP_X_NONE" not in environ


def test_d18_header_names_with_underscore_are_dropped() -> None:
    event = load_event(
        "alb_single",
        headers={"x-forwarded-for": "198.51.100.23", "X_Forwarded_For": "10.0.0.1", "": "x", "x-ok": "1"},
    )
    environ = run(event)
    assert environ["HTTP_X_FORWARDED_FOR"] == "198.51.100.23"
    assert environ["REMOTE_ADDR"] == "198.51.100.23"
    assert "HTTP_" not in environ


def test_d19_v2_cookies_become_http_cookie() -> None:
    environ = run(load_event("http_v2_default_stage"))
    assert environ["HTTP_COOKIE"] == "session=abc123; theme=dark"


def test_d19_cookie_header_beside_cookies_is_not_duplicated() -> None:
    environ = run(load_event("sam_local_http_v2"))
    assert environ["HTTP_COOKIE"] == "session=abc; theme=dark"


def test_d19_cookie_header_pairs_missing_from_cookies_are_kept() -> None:
    event = load_event(
        "http_v2_default_stage",
        headers={"cookie": "session=abc123; extra=1;", "host": "example.com"},
        cookies=["session=abc123"],
    )
    assert run(event)["HTTP_COOKIE"] == "session=abc123; extra=1"


def test_d19_cookie_header_alone() -> None:
    event = load_event("http_v2_default_stage", headers={"cookie": "a=1"}, cookies=DELETE)
    assert run(event)["HTTP_COOKIE"] == "a=1"


@pytest.mark.parametrize("cookies", [None, [], DELETE])
def test_d19_no_cookies_no_http_cookie(cookies: Any) -> None:
    assert "HTTP_COOKIE" not in run(load_event("http_v2_named_stage", cookies=cookies))


def test_d20_server_name_from_host_without_port() -> None:
    environ = run(load_event("sam_local_rest"))
    assert environ["SERVER_NAME"] == "127.0.0.1"
    assert environ["HTTP_HOST"] == "127.0.0.1:3000"
    assert environ["SERVER_PORT"] == "3000"
    assert environ["wsgi.url_scheme"] == "http"


def test_d20_ipv6_host() -> None:
    event = load_event("alb_single", headers={"host": "[2001:db8::1]:8443", "x-forwarded-port": "8443"})
    environ = run(event)
    assert (environ["SERVER_NAME"], environ["SERVER_PORT"]) == ("[2001:db8::1]", "8443")
    assert run(load_event("alb_single", headers={"host": "[2001:db8::1"}))["SERVER_NAME"] == "[2001:db8::1"


def test_d20_server_name_falls_back_to_domain_name() -> None:
    event = load_event("http_v2_default_stage", headers={})
    environ = run(event)
    assert environ["SERVER_NAME"] == "h7tp4p1.execute-api.eu-central-1.amazonaws.com"
    assert (environ["SERVER_PORT"], environ["wsgi.url_scheme"]) == ("443", "https")


def test_d20_alb_health_check_without_host() -> None:
    event = load_event(
        "alb_single",
        headers={"user-agent": "ELB-HealthChecker/2.0"},
        queryStringParameters={},
        path="/health",
    )
    environ = run(event)
    assert (environ["SERVER_NAME"], environ["SERVER_PORT"], environ["wsgi.url_scheme"]) == (
        "localhost",
        "80",
        "http",
    )
    assert "REMOTE_ADDR" not in environ


def test_d20_forwarded_proto_and_port() -> None:
    environ = run(load_event("alb_multi"))
    assert (environ["wsgi.url_scheme"], environ["SERVER_PORT"]) == ("https", "443")
    assert Request(environ).url.startswith(
        "https://blog-alb-1234567890.eu-central-1.elb.amazonaws.com/upload"
    )


def test_d20_bogus_forwarded_values_ignored() -> None:
    event = load_event(
        "alb_single", headers={"host": "example.com", "x-forwarded-proto": "gopher", "x-forwarded-port": "x"}
    )
    environ = run(event)
    assert (environ["wsgi.url_scheme"], environ["SERVER_PORT"]) == ("http", "80")


def test_d21_rest_remote_addr_from_identity_not_forwarded_for() -> None:
    event = load_event("rest_execute_api_stage")
    event["multiValueHeaders"]["X-Forwarded-For"] = ["6.6.6.6, 198.51.100.23, 130.176.212.18"]
    environ = run(event)
    assert environ["REMOTE_ADDR"] == "198.51.100.23"


def test_d21_v2_source_ip_strips_cidr_suffix() -> None:
    assert run(load_event("sam_generate_http_v2"))["REMOTE_ADDR"] == "192.168.0.1"


def test_d21_alb_uses_rightmost_forwarded_for() -> None:
    environ = run(load_event("alb_single", headers={"x-forwarded-for": "6.6.6.6, 203.0.113.9"}))
    assert environ["REMOTE_ADDR"] == "203.0.113.9"


def test_d21_missing_identity_leaves_remote_addr_unset() -> None:
    environ = run(load_event("rest_execute_api_stage", rc={"identity": None}))
    assert "REMOTE_ADDR" not in environ


def test_d22_lambda_keys_in_environ(context: Any) -> None:
    event = load_event("rest_cognito_authorizer")
    environ = run(event, context)
    assert environ["lambda.event"] is event
    assert environ["lambda.context"] is context
    assert environ["lambda.request_context"]["authorizer"]["claims"]["cognito:username"] == "ada"
    assert environ["lambda.stage_variables"] == {}
    named = run(load_event("http_v2_named_stage"))
    assert named["lambda.stage_variables"] == {"table": "posts-dev"}


def test_d22_nothing_written_to_os_environ_nor_leaked_between_calls() -> None:
    before = dict(os.environ)
    app = RecordingApp()
    handler = make_handler(app)
    handler(load_event("rest_cognito_authorizer"), None)
    first = app.environ
    handler(load_event("alb_single"), None)
    second = app.environ
    assert dict(os.environ) == before
    assert first is not second
    assert "HTTP_AUTHORIZATION" in first
    assert "HTTP_AUTHORIZATION" not in second
    assert second["lambda.request_context"] == {"elb": load_event("alb_single")["requestContext"]["elb"]}


def test_d16_header_name_memo_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    from lambda_micro.adapter import environ as environ_module

    monkeypatch.setattr(environ_module, "_HEADER_KEYS", {})
    monkeypatch.setattr(environ_module, "_HEADER_KEYS_LIMIT", 2)
    headers = {f"x-h{index}": str(index) for index in range(5)}
    environ = run(load_event("alb_single", headers=headers))
    assert [environ[f"HTTP_X_H{index}"] for index in range(5)] == ["0", "1", "2", "3", "4"]
    assert len(environ_module._HEADER_KEYS) == 2


def test_d16_non_ascii_header_value_becomes_latin1_bytes() -> None:
    environ = run(load_event("http_v2_default_stage", headers={"x-name": "café"}))
    assert environ["HTTP_X_NAME"] == "café".encode().decode("latin-1")
    assert environ["HTTP_X_NAME"].encode("latin-1").decode("utf-8") == "café"

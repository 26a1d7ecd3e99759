"""Differential tests against aws-wsgi (``awsgi.response``) and apig-wsgi (``make_lambda_handler``).

Where a peer is right, our environ and result agree with it; where it is wrong, the test shows the peer's
behaviour next to ours and names the contract item.
"""

from __future__ import annotations

import sys
from typing import Any

import apig_wsgi
import awsgi
import pytest
from adapter_kit import RecordingApp, check_result, load_event

from lambda_micro.adapter import make_handler, response

COMPARED = ("REQUEST_METHOD", "PATH_INFO", "QUERY_STRING", "CONTENT_TYPE", "CONTENT_LENGTH")


def ours(event: dict[str, Any], app: RecordingApp | None = None) -> tuple[RecordingApp, dict[str, Any]]:
    app = app or RecordingApp()
    return app, make_handler(app)(event, None)


def via_awsgi(event: dict[str, Any], app: RecordingApp | None = None) -> tuple[RecordingApp, dict[str, Any]]:
    app = app or RecordingApp()
    return app, awsgi.response(app, event, None)


def via_apig(
    event: dict[str, Any], app: RecordingApp | None = None, **options: Any
) -> tuple[RecordingApp, dict[str, Any]]:
    app = app or RecordingApp()
    return app, apig_wsgi.make_lambda_handler(app, **options)(event, None)


def simple_rest_event() -> dict[str, Any]:
    """A REST event where aws-wsgi is right: single values, ASCII path, no repeated headers."""
    return load_event(
        "rest_cognito_authorizer",
        queryStringParameters={"page": "2", "q": "a+b c"},
        multiValueQueryStringParameters={"page": ["2"], "q": ["a+b c"]},
    )


def test_differential_awsgi_agrees_on_simple_rest_environ_and_result() -> None:
    event = simple_rest_event()
    our_app, our_result = ours(event)
    peer_app, peer_result = via_awsgi(event)
    for key in COMPARED:
        assert our_app.environ[key] == peer_app.environ[key], key
    for key, value in peer_app.environ.items():
        if key.startswith("HTTP_") and key not in ("HTTP_CONTENT_TYPE", "HTTP_CONTENT_LENGTH"):  # item 16
            assert our_app.environ[key] == value, key
    assert our_app.body == peer_app.body
    assert "awsgi.event" not in our_app.environ
    assert our_result["body"] == peer_result["body"]
    assert our_result["isBase64Encoded"] == peer_result["isBase64Encoded"]
    assert our_result["multiValueHeaders"] == {
        name: [value] for name, value in peer_result["headers"].items()
    }


def test_differential_awsgi_drop_in_matches_awsgi_keys_and_forced_base64() -> None:
    event = simple_rest_event()
    headers = [("Content-Type", "application/json")]
    our_app = RecordingApp(headers=headers, body=b"{}")
    our_result = response(our_app, event, None, base64_content_types=["application/json"])
    peer_app = RecordingApp(headers=headers, body=b"{}")
    peer_result = awsgi.response(peer_app, event, None, base64_content_types={"application/json"})
    assert our_app.environ["awsgi.event"] is event
    assert our_app.environ["awsgi.context"] is None
    # everything aws-wsgi offers, except its non-standard "HTTP": "on" and HTTP_CONTENT_TYPE (item 16)
    assert set(peer_app.environ) - set(our_app.environ) <= {"HTTP", "HTTP_CONTENT_TYPE"}
    assert our_result["isBase64Encoded"] is peer_result["isBase64Encoded"] is True
    assert our_result["body"] == peer_result["body"]


def test_d16_awsgi_duplicates_content_type_into_http_keys_we_do_not() -> None:
    event = simple_rest_event()
    assert "HTTP_CONTENT_TYPE" in via_awsgi(event)[0].environ
    assert "HTTP_CONTENT_TYPE" not in ours(event)[0].environ


def test_f24_awsgi_returns_status_as_string_we_return_int() -> None:
    event = simple_rest_event()
    assert via_awsgi(event)[1]["statusCode"] == "200"
    assert ours(event)[1]["statusCode"] == 200


def test_f26_awsgi_keeps_one_cookie_we_keep_both() -> None:
    headers = [("Set-Cookie", "a=1"), ("Set-Cookie", "b=2")]
    peer = via_awsgi(simple_rest_event(), RecordingApp(headers=headers))[1]
    mine = ours(simple_rest_event(), RecordingApp(headers=headers))[1]
    assert peer["headers"] == {"Set-Cookie": "b=2"}
    assert mine["multiValueHeaders"] == {"Set-Cookie": ["a=1", "b=2"]}


def test_f32_awsgi_never_closes_the_iterable_we_do() -> None:
    peer_app, _ = via_awsgi(simple_rest_event())
    our_app, _ = ours(simple_rest_event())
    assert peer_app.iterable is not None
    assert not peer_app.iterable.closed
    assert our_app.iterable is not None
    assert our_app.iterable.closed


def test_b7_peers_never_set_script_name_we_do() -> None:
    event = load_event("rest_execute_api_stage")
    assert via_awsgi(event)[0].environ["SCRIPT_NAME"] == ""
    assert via_apig(event)[0].environ["SCRIPT_NAME"] == ""
    assert ours(event)[0].environ["SCRIPT_NAME"] == "/Prod"


def test_c14_awsgi_double_encodes_alb_query_we_pass_it_through() -> None:
    event = load_event("alb_single")
    assert "foo%253Dbar" in via_awsgi(event)[0].environ["QUERY_STRING"]
    assert "x=foo%3Dbar" in ours(event)[0].environ["QUERY_STRING"]


def test_d21_peers_trust_leftmost_forwarded_for_we_do_not() -> None:
    event = load_event("rest_execute_api_stage")
    event["multiValueHeaders"]["X-Forwarded-For"] = ["6.6.6.6, 198.51.100.23"]
    event["headers"]["X-Forwarded-For"] = "6.6.6.6, 198.51.100.23"
    assert via_awsgi(event)[0].environ["REMOTE_ADDR"] == "6.6.6.6"
    assert via_apig(event)[0].environ["REMOTE_ADDR"] == "6.6.6.6"
    assert ours(event)[0].environ["REMOTE_ADDR"] == "198.51.100.23"


def test_a1_awsgi_only_handles_payload_1_we_handle_2() -> None:
    event = load_event("http_v2_default_stage")
    with pytest.raises(KeyError):
        via_awsgi(event)
    assert ours(event)[1]["statusCode"] == 200


@pytest.mark.parametrize("name", ["rest_execute_api_stage", "rest_cognito_authorizer", "alb_single"])
def test_differential_apig_wsgi_agrees_on_payload_1_environ(name: str) -> None:
    event = load_event(name)
    our_app, our_result = ours(event)
    peer_app, peer_result = via_apig(event)
    for key in ("REQUEST_METHOD", "PATH_INFO", "QUERY_STRING", "CONTENT_LENGTH"):
        assert our_app.environ[key] == peer_app.environ[key], key
    assert our_app.environ.get("CONTENT_TYPE") == peer_app.environ.get("CONTENT_TYPE")
    assert our_app.body == peer_app.body
    assert our_result["body"] == peer_result["body"]
    assert our_result["statusCode"] == peer_result["statusCode"]


def test_differential_apig_wsgi_agrees_on_v2_single_valued_result() -> None:
    event = load_event("http_v2_jwt_authorizer")
    headers = [("Content-Type", "application/json"), ("Set-Cookie", "a=1"), ("Set-Cookie", "b=2")]
    our_app, our_result = ours(event, RecordingApp(headers=headers, body=b'{"ok": true}'))
    peer_app, peer_result = via_apig(event, RecordingApp(headers=headers, body=b'{"ok": true}'))
    assert our_app.environ["QUERY_STRING"] == peer_app.environ["QUERY_STRING"]
    assert our_app.environ["REMOTE_ADDR"] == peer_app.environ["REMOTE_ADDR"]
    assert our_app.body == peer_app.body
    assert our_result["cookies"] == peer_result["cookies"]
    assert our_result["body"] == peer_result["body"]
    assert {name.lower(): value for name, value in our_result["headers"].items()} == peer_result["headers"]


def test_f28_apig_wsgi_loses_repeated_v2_headers_we_join_them() -> None:
    headers = [("Vary", "Accept"), ("Vary", "Cookie")]
    event = load_event("http_v2_default_stage")
    assert via_apig(event, RecordingApp(headers=headers))[1]["headers"] == {"vary": "Cookie"}
    assert ours(event, RecordingApp(headers=headers))[1]["headers"] == {"Vary": "Accept, Cookie"}


def test_b6_apig_wsgi_decodes_http_api_paths_twice_we_do_not() -> None:
    event = load_event("http_v2_default_stage", rawPath="/x%41")
    assert via_apig(event)[0].environ["PATH_INFO"] == "/xA"
    assert ours(event)[0].environ["PATH_INFO"] == "/x%41"


def test_f29_apig_wsgi_crashes_on_non_utf8_text_we_base64_it() -> None:
    app = RecordingApp(
        headers=[("Content-Type", "text/plain; charset=latin-1")], body="café".encode("latin-1")
    )
    event = load_event("http_v2_default_stage")
    with pytest.raises(UnicodeDecodeError):
        via_apig(event, app)
    result = check_result(ours(event, app)[1], "http-2.0")
    assert result["isBase64Encoded"] is True


def test_f25_apig_wsgi_omits_alb_status_description_we_send_it() -> None:
    event = load_event("alb_single")
    assert "statusDescription" not in via_apig(event)[1]
    assert ours(event)[1]["statusDescription"] == "200 OK"


def test_f32_apig_wsgi_reraises_exc_info_even_before_body_we_replace_status() -> None:
    def wsgi(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        start_response("200 OK", [])
        try:
            raise ValueError("x")
        except ValueError:
            start_response("503 Service Unavailable", [], sys.exc_info())
        return [b"later"]

    event = load_event("rest_execute_api_stage")
    with pytest.raises(ValueError, match="x"):
        apig_wsgi.make_lambda_handler(wsgi)(event, None)
    assert make_handler(wsgi)(event, None)["statusCode"] == 503

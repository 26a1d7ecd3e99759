"""Contract section F: the proxy result."""

from __future__ import annotations

import base64
import gzip
import json
import logging
import sys
import warnings
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from adapter_kit import ClosingBody, RecordingApp, check_result, load_event, result_body, result_headers

from lambda_micro.adapter import DEFAULT_TEXT_MIME_TYPES, make_handler

SOURCES = {
    "rest": "rest_execute_api_stage",
    "http-1.0": "http_v1",
    "http-2.0": "http_v2_default_stage",
    "url": "function_url",
    "alb": "alb_single",
    "alb-multi": "alb_multi",
}


def call(app: Callable[..., Any], source: str, context: Any = None, **options: Any) -> dict[str, Any]:
    result = make_handler(app, **options)(load_event(SOURCES[source]), context)
    return check_result(result, "alb" if source.startswith("alb") else source)


# --- 24, 25 -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("source", SOURCES)
def test_f24_status_code_is_int_with_custom_status_line(source: str) -> None:
    result = call(RecordingApp(status="299 Custom"), source)
    assert result["statusCode"] == 299
    assert type(result["statusCode"]) is int


def test_f25_alb_status_description_from_the_status_line() -> None:
    assert call(RecordingApp(status="299 Custom"), "alb")["statusDescription"] == "299 Custom"
    assert call(RecordingApp(status="404 Not Found"), "alb-multi")["statusDescription"] == "404 Not Found"


def test_f25_alb_status_description_fallback_reason() -> None:
    assert call(RecordingApp(status="299"), "alb")["statusDescription"] == "299 Unknown"
    assert call(RecordingApp(status="418 "), "alb")["statusDescription"] == "418 I'm a Teapot"


@pytest.mark.parametrize("source", ["rest", "http-1.0", "http-2.0", "url"])
def test_f25_no_status_description_outside_alb(source: str) -> None:
    assert "statusDescription" not in call(RecordingApp(), source)


# --- 26, 27, 28 ---------------------------------------------------------------------------------------

HEADERS = [
    ("Content-Type", "text/html; charset=utf-8"),
    ("Set-Cookie", "session=abc; HttpOnly; Path=/"),
    ("Vary", "Accept"),
    ("set-cookie", "theme=dark; Path=/"),
    ("Vary", "Cookie"),
]


@pytest.mark.parametrize("source", ["rest", "http-1.0"])
def test_f26_rest_multi_value_headers_keep_every_cookie_and_vary(source: str) -> None:
    result = call(RecordingApp(headers=HEADERS), source)
    assert "headers" not in result
    assert result["multiValueHeaders"] == {
        "Content-Type": ["text/html; charset=utf-8"],
        "Set-Cookie": ["session=abc; HttpOnly; Path=/", "theme=dark; Path=/"],
        "Vary": ["Accept", "Cookie"],
    }


def test_f27_alb_multi_value_mode_mirrors_request() -> None:
    result = call(RecordingApp(headers=HEADERS), "alb-multi")
    assert "headers" not in result
    assert result["multiValueHeaders"]["Set-Cookie"] == [
        "session=abc; HttpOnly; Path=/",
        "theme=dark; Path=/",
    ]


def test_f27_alb_single_value_mode_varies_set_cookie_case() -> None:
    result = call(RecordingApp(headers=HEADERS), "alb")
    assert "multiValueHeaders" not in result
    headers = result["headers"]
    assert headers["Vary"] == "Accept, Cookie"
    cookies = [value for name, value in headers.items() if name.lower() == "set-cookie"]
    assert cookies == ["session=abc; HttpOnly; Path=/", "theme=dark; Path=/"]
    assert len({name for name in headers if name.lower() == "set-cookie"}) == 2


def test_f27_alb_single_value_mode_many_cookies_and_too_many() -> None:
    many = [("Set-Cookie", f"c{index}=1") for index in range(512)]
    result = call(RecordingApp(headers=many), "alb")
    assert sorted(
        value for name, value in result["headers"].items() if name.lower() == "set-cookie"
    ) == sorted(value for _, value in many)
    too_many = call(RecordingApp(headers=[*many, ("Set-Cookie", "last=1")]), "alb")
    assert too_many["statusCode"] == 500


@pytest.mark.parametrize("source", ["http-2.0", "url"])
def test_f28_v2_cookies_list_and_comma_joined_headers(source: str) -> None:
    result = call(RecordingApp(headers=HEADERS), source)
    assert result["cookies"] == ["session=abc; HttpOnly; Path=/", "theme=dark; Path=/"]
    assert result["headers"] == {"Content-Type": "text/html; charset=utf-8", "Vary": "Accept, Cookie"}


def test_f28_v2_without_cookies_has_no_cookies_key() -> None:
    assert "cookies" not in call(RecordingApp(), "http-2.0")


# --- 29, 30 -------------------------------------------------------------------------------------------

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
)


@pytest.mark.parametrize(
    "content_type",
    [
        "text/html; charset=utf-8",
        "application/json",
        "application/problem+json",
        "application/xml",
        "application/atom+xml",
        "application/javascript",
        "image/svg+xml",
        "application/x-www-form-urlencoded",
        "TEXT/CSV",
    ],
)
@pytest.mark.parametrize("source", SOURCES)
def test_f29_textual_media_types_are_text(content_type: str, source: str) -> None:
    result = call(RecordingApp(headers=[("Content-Type", content_type)], body="é ok".encode()), source)
    assert result["isBase64Encoded"] is False
    assert result["body"] == "é ok"


@pytest.mark.parametrize(
    "content_type", ["image/png", "application/octet-stream", "application/pdf", "font/woff2"]
)
@pytest.mark.parametrize("source", SOURCES)
def test_f29_binary_media_types_are_base64(content_type: str, source: str) -> None:
    result = call(RecordingApp(headers=[("Content-Type", content_type)], body=PNG), source)
    assert result["isBase64Encoded"] is True
    assert result_body(result) == PNG


def test_f29_content_encoding_forces_base64() -> None:
    compressed = gzip.compress(b'{"a": 1}')
    app = RecordingApp(
        headers=[("Content-Type", "application/json"), ("Content-Encoding", "gzip")], body=compressed
    )
    result = call(app, "rest")
    assert result["isBase64Encoded"] is True
    assert gzip.decompress(result_body(result)) == b'{"a": 1}'


@pytest.mark.parametrize("source", SOURCES)
def test_f29_non_utf8_text_never_crashes(source: str) -> None:
    latin1 = "café".encode("latin-1")
    result = call(
        RecordingApp(headers=[("Content-Type", "text/plain; charset=latin-1")], body=latin1), source
    )
    assert result["statusCode"] == 200
    assert result["isBase64Encoded"] is True
    assert result_body(result) == latin1


def test_f29_no_content_type_text_if_utf8() -> None:
    assert call(RecordingApp(headers=[], body=b"plain"), "rest")["isBase64Encoded"] is False
    assert call(RecordingApp(headers=[], body=PNG), "rest")["isBase64Encoded"] is True


def test_f29_textual_list_is_configurable() -> None:
    app = RecordingApp(headers=[("Content-Type", "application/x-ndjson")], body=b'{"a":1}\n')
    assert call(app, "rest")["isBase64Encoded"] is True
    configured = call(app, "rest", text_mime_types=[*DEFAULT_TEXT_MIME_TYPES, "application/x-ndjson"])
    assert configured["isBase64Encoded"] is False
    only_html = call(
        RecordingApp(headers=[("Content-Type", "application/json")]), "rest", text_mime_types=["text/html"]
    )
    assert only_html["isBase64Encoded"] is True
    everything = call(RecordingApp(headers=[("Content-Type", "image/png")]), "rest", text_mime_types=["*/*"])
    assert everything["isBase64Encoded"] is False


@pytest.mark.parametrize("bad", [["json"], ["*/"], ["a/b/c"], ["*"], ["/json"], ["*+"]])
def test_f29_invalid_text_mime_pattern_is_rejected_at_creation(bad: list[str]) -> None:
    with pytest.raises(ValueError, match="text_mime_types"):
        make_handler(RecordingApp(), text_mime_types=bad)


def test_f29_text_mime_types_as_a_string_is_rejected() -> None:
    with pytest.raises(TypeError, match="iterable"):
        make_handler(RecordingApp(), text_mime_types="text/html")


@pytest.mark.parametrize("source", SOURCES)
def test_f30_no_invented_headers(source: str) -> None:
    result = call(RecordingApp(headers=[], body=b"x"), source)
    assert result_headers(result) == []


# --- 31 -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("source", SOURCES)
def test_f31_head_keeps_headers_and_sends_no_body(source: str) -> None:
    headers = [("Content-Type", "text/plain"), ("Content-Length", "5")]
    event = load_event(SOURCES[source])
    if "httpMethod" in event:
        event["httpMethod"] = "HEAD"
    else:
        event["requestContext"]["http"]["method"] = "HEAD"
    app = RecordingApp(headers=headers, body=b"hello")
    result = make_handler(app)(event, None)
    assert ("content-length", "5") in result_headers(result)
    assert result["body"] == ""
    assert result["isBase64Encoded"] is False
    assert app.iterable is not None
    assert app.iterable.closed


@pytest.mark.parametrize("status", ["204 No Content", "304 Not Modified", "101 Switching Protocols"])
@pytest.mark.parametrize("source", SOURCES)
def test_f31_no_body_statuses(status: str, source: str) -> None:
    result = call(RecordingApp(status=status, body=b"should not be sent"), source)
    assert result["body"] == ""
    assert result["isBase64Encoded"] is False


# --- 32 -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "rest_execute_api_stage",
        "rest_console_test",
        "rest_custom_domain_base_path",
        "http_v1",
        "http_v2_jwt_authorizer",
        "function_url",
        "alb_single",
        "alb_multi",
        "sam_local_rest",
        "sam_local_http_v2",
    ],
)
def test_f32_environ_and_server_side_pass_the_stdlib_pep3333_validator(name: str) -> None:
    # wsgiref.validate checks the environ's keys and types, the input stream, start_response's use and
    # that the iterable is closed; it raises AssertionError (or warns) on any deviation.
    from wsgiref.validate import validator

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        start_response("200 OK", [("Content-Type", "application/octet-stream"), ("Set-Cookie", "a=1")])
        return [body or b"-"]

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = make_handler(validator(app), reraise=True)(load_event(name), None)
    assert result["statusCode"] == 200


def test_f32_close_called_after_success() -> None:
    app = RecordingApp()
    call(app, "rest")
    assert app.iterable is not None
    assert app.iterable.closed


def test_f32_close_called_when_iteration_raises() -> None:
    body = ClosingBody([b"a", b"b"], fail_at=1)

    def wsgi(environ: dict[str, Any], start_response: Callable[..., Any]) -> ClosingBody:
        start_response("200 OK", [("Content-Type", "text/plain")])
        return body

    result = call(wsgi, "http-2.0")
    assert result["statusCode"] == 500
    assert body.closed


def test_f32_exc_info_before_body_replaces_status_and_headers() -> None:
    def wsgi(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        start_response("200 OK", [("Content-Type", "text/plain"), ("X-Old", "1")])
        try:
            raise ValueError("late failure")
        except ValueError:
            start_response("503 Service Unavailable", [("Content-Type", "text/plain")], sys.exc_info())
        return [b"try again"]

    result = call(wsgi, "rest")
    assert result["statusCode"] == 503
    assert "X-Old" not in result["multiValueHeaders"]
    assert result["body"] == "try again"


def test_f32_exc_info_after_body_started_reraises() -> None:
    seen: list[BaseException] = []

    def wsgi(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterator[bytes]:
        write = start_response("200 OK", [("Content-Type", "text/plain")])
        write(b"partial")
        try:
            raise KeyError("original")
        except KeyError:
            try:
                start_response("500 Internal Server Error", [], sys.exc_info())
            except KeyError as exc:
                seen.append(exc)
                raise
        yield b"never"

    result = call(wsgi, "alb")
    assert result["statusCode"] == 500
    assert seen
    assert seen[0].args == ("original",)


def test_f32_exc_info_with_none_is_a_first_call() -> None:
    def wsgi(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        start_response("201 Created", [], (None, None, None))
        return [b""]

    assert call(wsgi, "rest")["statusCode"] == 201


def test_f32_write_callable_and_iterable_are_concatenated() -> None:
    def wsgi(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        write = start_response("200 OK", [("Content-Type", "text/plain")])
        write(b"")
        write(b"one ")
        return [b"", b"two"]

    assert call(wsgi, "url")["body"] == "one two"


@pytest.mark.parametrize(
    "wsgi",
    [
        pytest.param(lambda environ, start_response: [b"x"], id="body-before-start_response"),
        pytest.param(lambda environ, start_response: [], id="never-calls-start_response"),
        pytest.param(
            lambda environ, start_response: (start_response("200 OK", []), start_response("201 OK", []), [])[
                2
            ],
            id="second-call-without-exc_info",
        ),
        pytest.param(lambda environ, start_response: (start_response("OK", []), [])[1], id="bad-status"),
        pytest.param(lambda environ, start_response: (start_response(200, []), [])[1], id="int-status"),
        pytest.param(
            lambda environ, start_response: (start_response("2000", []), [])[1], id="status-no-space"
        ),
        pytest.param(
            lambda environ, start_response: (start_response("200 OK", [("X", "€")]), [])[1],
            id="non-latin1-header",
        ),
        pytest.param(
            lambda environ, start_response: (start_response("200 OK", [("X", "a\r\nInjected: 1")]), [])[1],
            id="header-injection",
        ),
        pytest.param(
            lambda environ, start_response: (start_response("200 OK", [("X", 1)]), [])[1], id="non-str-header"
        ),
        pytest.param(
            lambda environ, start_response: (start_response("200 OK", []), ["text, not bytes"])[1],
            id="str-body",
        ),
    ],
)
def test_f32_wsgi_protocol_violations_become_500(wsgi: Callable[..., Any]) -> None:
    result = call(wsgi, "rest")
    assert result["statusCode"] == 500
    assert result["body"] == "Internal Server Error"


def test_f32_latin1_header_values_are_accepted() -> None:
    result = call(RecordingApp(headers=[("Content-Disposition", "attachment; filename=caf\xe9.txt")]), "rest")
    assert result["multiValueHeaders"]["Content-Disposition"] == ["attachment; filename=caf\xe9.txt"]


# --- 33 -----------------------------------------------------------------------------------------------


def failing_app(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
    raise ZeroDivisionError("division by zero in view")


@pytest.mark.parametrize("source", SOURCES)
def test_f33_exception_becomes_500_for_the_source(source: str, caplog: pytest.LogCaptureFixture) -> None:
    result = call(failing_app, source)
    assert result["statusCode"] == 500
    assert result["body"] == "Internal Server Error"
    assert "Traceback" not in result["body"]
    assert ("content-type", "text/plain; charset=utf-8") in result_headers(result)
    if source.startswith("alb"):
        assert result["statusDescription"] == "500 Internal Server Error"


def test_f33_one_json_log_line_with_request_ids(context: Any, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.ERROR, logger="lambda_micro.adapter"):
        call(failing_app, "rest", context)
    records = [record for record in caplog.records if record.name == "lambda_micro.adapter"]
    assert len(records) == 1
    message = records[0].getMessage()
    assert "\n" not in message
    payload = json.loads(message)
    assert payload["aws_request_id"] == context.aws_request_id
    assert payload["api_request_id"] == "7f3c2a1b-9e8d-4c7b-a6f5-e4d3c2b1a098"
    assert payload["error_type"] == "ZeroDivisionError"
    assert "division by zero in view" in payload["traceback"]
    assert payload["path"] == "/Prod/posts/hello-world"


def test_f33_debug_app_shows_traceback() -> None:
    class DebugApp:
        debug = True

        def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
            return failing_app(environ, start_response)

    result = call(DebugApp(), "rest")
    assert result["statusCode"] == 500
    assert "ZeroDivisionError: division by zero in view" in result["body"]


def test_f33_reraise_propagates_for_lambda_error_metrics(caplog: pytest.LogCaptureFixture) -> None:
    with pytest.raises(ZeroDivisionError):
        make_handler(failing_app, reraise=True)(load_event("rest_execute_api_stage"), None)
    assert not [record for record in caplog.records if record.name == "lambda_micro.adapter"]


def test_f33_base_exceptions_are_not_swallowed() -> None:
    def interrupted(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        make_handler(interrupted)(load_event("rest_execute_api_stage"), None)


def test_f33_make_handler_needs_a_callable() -> None:
    with pytest.raises(TypeError, match="WSGI application"):
        make_handler("app:app")  # type: ignore[arg-type]


# --- 34 -----------------------------------------------------------------------------------------------


def test_f34_over_lambda_limit_is_a_logged_502(caplog: pytest.LogCaptureFixture) -> None:
    big = b"\x00" * (5 * 1024 * 1024)  # 5 MB of binary -> about 6.7 MB of base64
    app = RecordingApp(headers=[("Content-Type", "application/octet-stream")], body=big)
    with caplog.at_level(logging.ERROR, logger="lambda_micro.adapter"):
        result = call(app, "http-2.0")
    assert result["statusCode"] == 502
    assert len(json.dumps(result)) < 1000
    payload = json.loads(caplog.records[-1].getMessage())
    assert payload["message"] == "Response too large"
    assert "6291456" in payload["error"]


def test_f34_text_just_under_lambda_limit_passes() -> None:
    body = b"a" * (6 * 1024 * 1024 - 4096)
    result = call(RecordingApp(body=body), "rest")
    assert result["statusCode"] == 200


@pytest.mark.parametrize(
    ("source", "items"), [("rest", 480_000), ("http-2.0", 480_000), ("alb", 80_000), ("alb-multi", 80_000)]
)
def test_f34_json_escapes_count_toward_the_limit(source: str, items: int) -> None:
    # Under the limit as raw bytes, over it once the runtime escapes every quote of the JSON text.
    body = json.dumps([{"k": "v"}] * items).encode()
    limit = 1024 * 1024 if source.startswith("alb") else 6 * 1024 * 1024
    assert len(body) < limit < len(json.dumps(body.decode(), ensure_ascii=False))
    app = RecordingApp(headers=[("Content-Type", "application/json")], body=body)
    assert call(app, source)["statusCode"] == 502


def test_f34_escapes_of_a_large_body_just_under_the_limit_still_pass() -> None:
    body = b'"' * (3 * 1024 * 1024 - 4096)  # doubles to just under 6 MB once escaped
    result = call(RecordingApp(body=body), "url")
    assert result["statusCode"] == 200
    assert len(json.dumps(result, ensure_ascii=False).encode()) < 6 * 1024 * 1024


@pytest.mark.parametrize("source", ["alb", "alb-multi"])
def test_f34_over_alb_limit_is_a_502(source: str, caplog: pytest.LogCaptureFixture) -> None:
    result = call(RecordingApp(body=b"a" * (1024 * 1024 + 1)), source)
    assert result["statusCode"] == 502
    assert result["statusDescription"] == "502 Bad Gateway"
    assert "1048576" in caplog.records[-1].getMessage()


# --- 35 -----------------------------------------------------------------------------------------------


def test_f35_raw_event_never_logged(caplog: pytest.LogCaptureFixture) -> None:
    event = load_event("rest_cognito_authorizer")
    with caplog.at_level(logging.DEBUG):
        make_handler(failing_app)(event, None)
        make_handler(RecordingApp())(
            load_event("rest_cognito_authorizer", body="x", isBase64Encoded=True), None
        )
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert logged  # the 500 and the 400 were logged
    assert "eyJraWQiOiJrMSIsImFsZyI6IlJTMjU2In0" not in logged  # Authorization header
    assert "ada@example.com" not in logged  # authorizer claims
    assert "Grüße" not in logged  # body


@pytest.mark.parametrize(
    "event",
    [
        {"_serverless-wsgi": {"command": "exec", "data": "import os"}},
        {"command": "my_app.settings.shell", "manage": "shell"},
        {"raw_command": "import os; os.system('id')"},
    ],
)
def test_f35_no_remote_command_hook(event: dict[str, Any]) -> None:
    app = RecordingApp()
    from lambda_micro.adapter import UnsupportedEvent

    with pytest.raises(UnsupportedEvent):
        make_handler(app)(event, None)
    assert app.calls == 0


def test_f29_base64_decision_ignores_charset_parameter() -> None:
    result = call(
        RecordingApp(headers=[("Content-Type", "application/json ; charset=utf-8")], body=b"{}"), "rest"
    )
    assert result["isBase64Encoded"] is False
    assert base64.b64encode(b"{}")  # keep the import meaningful for readers comparing encodings

"""Contract section B: PATH_INFO, SCRIPT_NAME, stages and base paths."""

from __future__ import annotations

from typing import Any

import pytest
from adapter_kit import RecordingApp, load_event

from lambda_micro.adapter import make_handler


def run(event: dict[str, Any], **options: Any) -> dict[str, Any]:
    app = RecordingApp()
    make_handler(app, **options)(event, None)
    return app.environ


def wsgi_to_text(value: str) -> str:
    """What werkzeug shows the app: the WSGI latin-1 string's bytes decoded as UTF-8."""
    return value.encode("latin-1").decode("utf-8")


# --- item 4 -------------------------------------------------------------------------------------------


def test_b4_rest_path_is_percent_decoded_to_latin1_bytes() -> None:
    event = load_event(
        "rest_execute_api_stage", path="/posts/caf%C3%A9", rc={"path": "/Prod/posts/caf%C3%A9"}
    )
    environ = run(event)
    assert environ["PATH_INFO"] == "/posts/caf\u00c3\u00a9"
    assert wsgi_to_text(environ["PATH_INFO"]) == "/posts/café"


def test_b4_raw_uri_keeps_encoded_slash_and_query() -> None:
    event = load_event("rest_execute_api_stage", path="/files/a%2Fb", rc={"path": "/Prod/files/a%2Fb"})
    environ = run(event)
    assert environ["PATH_INFO"] == "/files/a/b"
    assert environ["RAW_URI"] == "/Prod/files/a%2Fb?tag=aws&tag=python&q=a%2Bb"


@pytest.mark.parametrize(
    "name",
    [
        "rest_execute_api_stage",
        "rest_custom_domain_base_path",
        "http_v1",
        "http_v2_named_stage",
        "http_v2_default_stage",
        "function_url",
        "alb_single",
    ],
)
def test_b4_raw_uri_is_the_requested_path_and_starts_with_script_name(name: str) -> None:
    # So an app can take the still-encoded PATH_INFO as RAW_URI[len(SCRIPT_NAME):] on every source.
    environ = run(load_event(name))
    raw_path = environ["RAW_URI"].partition("?")[0]
    assert raw_path.startswith(environ["SCRIPT_NAME"])
    assert raw_path[len(environ["SCRIPT_NAME"]) :].replace("%2F", "/").startswith("/")


def test_b4_raw_uri_keeps_the_stage_on_the_execute_api_host() -> None:
    environ = run(
        load_event("rest_execute_api_stage", queryStringParameters=None, multiValueQueryStringParameters=None)
    )
    assert (environ["SCRIPT_NAME"], environ["RAW_URI"]) == ("/Prod", "/Prod/posts/hello-world")


def test_b4_raw_uri_without_query_has_no_question_mark() -> None:
    environ = run(load_event("http_v2_named_stage"))
    assert environ["RAW_URI"] == "/dev/posts/42/"


def test_b4_werkzeug_shows_unicode_path() -> None:
    from werkzeug.wrappers.request import Request

    environ = run(load_event("function_url"))
    assert Request(environ).path == "/café/a/b/"


# --- items 5 and 6 ------------------------------------------------------------------------------------


def test_b5_v2_trailing_slash_kept_from_raw_path() -> None:
    environ = run(load_event("http_v2_named_stage"))
    assert environ["PATH_INFO"] == "/posts/42/"


def test_b5_function_url_trailing_slash_kept() -> None:
    assert run(load_event("function_url"))["PATH_INFO"].endswith("/")


def test_b6_http_api_path_arrives_decoded_and_is_not_decoded_twice() -> None:
    event = load_event("http_v2_default_stage", rawPath="/x%41 y/caf\u00e9")
    environ = run(event)
    assert wsgi_to_text(environ["PATH_INFO"]) == "/x%41 y/café"


def test_b6_http_api_payload_1_path_is_not_decoded_twice() -> None:
    environ = run(load_event("http_v1", path="/dev/x%41"))
    assert environ["PATH_INFO"] == "/x%41"


@pytest.mark.parametrize("name", ["rest_execute_api_stage", "alb_single"])
def test_b6_rest_and_alb_paths_are_decoded_once(name: str) -> None:
    environ = run(
        load_event(name, path="/x%2541", rc={"path": "/other"} if name.startswith("rest") else None)
    )
    assert environ["PATH_INFO"] == "/x%41"


def test_b6_function_url_path_is_decoded_once() -> None:
    environ = run(load_event("function_url", rawPath="/x%2541/%E2%9C%93"))
    assert wsgi_to_text(environ["PATH_INFO"]) == "/x%41/✓"


# --- item 7 -------------------------------------------------------------------------------------------


def test_b7_execute_api_host_stage_goes_to_script_name() -> None:
    environ = run(load_event("rest_execute_api_stage"))
    assert environ["SCRIPT_NAME"] == "/Prod"
    assert environ["PATH_INFO"] == "/posts/hello-world"


def test_b7_execute_api_root_path() -> None:
    event = load_event("rest_execute_api_stage", path="/", resource="/", rc={"path": "/Prod/"})
    environ = run(event)
    assert (environ["SCRIPT_NAME"], environ["PATH_INFO"]) == ("/Prod", "/")


def test_b7_execute_api_stage_root_without_trailing_slash() -> None:
    # GET https://{api}.execute-api.{region}.amazonaws.com/Prod (no slash): the event's path is "/".
    event = load_event("rest_execute_api_stage", path="/", resource="/", rc={"path": "/Prod"})
    environ = run(event)
    assert (environ["SCRIPT_NAME"], environ["PATH_INFO"]) == ("/Prod", "/")


def test_b7_url_for_yields_stage_prefixed_links() -> None:
    from werkzeug.routing import Map, Rule

    environ = run(load_event("rest_execute_api_stage"))
    urls = Map([Rule("/posts/<slug>", endpoint="post")]).bind_to_environ(environ)
    assert urls.build("post", {"slug": "x"}) == "/Prod/posts/x"
    assert urls.match() == ("post", {"slug": "hello-world"})


# --- item 8 -------------------------------------------------------------------------------------------


def test_b8_custom_domain_base_path_derived_from_resource() -> None:
    environ = run(load_event("rest_custom_domain_base_path"))
    assert (environ["SCRIPT_NAME"], environ["PATH_INFO"]) == ("/v1", "/payment")


def test_b8_derivation_substitutes_greedy_proxy_parameter() -> None:
    # A base-path mapping exists on a custom domain only: its Host, not the execute-api one (item 51).
    event = load_event(
        "rest_lambda_authorizer",
        path="/api/admin/users/42",
        rc={"path": "/api/admin/users/42", "stage": "prod", "domainName": "api.example.com"},
    )
    event["headers"]["Host"] = "api.example.com"
    event["multiValueHeaders"]["Host"] = ["api.example.com"]
    environ = run(event)
    assert (environ["SCRIPT_NAME"], environ["PATH_INFO"]) == ("/api", "/admin/users/42")


def test_b8_derivation_with_encoded_path_and_decoded_parameter() -> None:
    event = load_event(
        "rest_custom_domain_base_path",
        path="/v1/items/caf%C3%A9",
        resource="/items/{name}",
        pathParameters={"name": "café"},
    )
    environ = run(event)
    assert environ["SCRIPT_NAME"] == "/v1"
    assert wsgi_to_text(environ["PATH_INFO"]) == "/items/café"


def test_b8_derivation_with_parameter_still_encoded() -> None:
    event = load_event(
        "rest_custom_domain_base_path",
        path="/v1/items/a%20b",
        resource="/items/{name}",
        pathParameters={"name": "a%20b"},
    )
    assert run(event)["SCRIPT_NAME"] == "/v1"


@pytest.mark.parametrize(
    ("path", "expected"), [("/v1/", ("/v1", "/")), ("/v1", ("/v1", "")), ("/", ("", "/"))]
)
def test_b8_mapped_root_resource(path: str, expected: tuple[str, str]) -> None:
    event = load_event("rest_custom_domain_base_path", path=path, resource="/")
    environ = run(event)
    assert (environ["SCRIPT_NAME"], environ["PATH_INFO"]) == expected


@pytest.mark.parametrize(
    ("resource", "parameters"),
    [
        ("/items/{id}", None),  # parameter unknown (console test)
        ("/items/{id}", {"other": "1"}),
        ("/items/{id", {"id": "1"}),  # unterminated template
        ("/elsewhere", None),  # does not match the end of the path
        ("items", None),  # not a path
        (None, None),
    ],
)
def test_b8_no_derivation_when_resource_does_not_fit(resource: Any, parameters: Any) -> None:
    event = load_event(
        "rest_custom_domain_base_path", path="/v1/items/1", resource=resource, pathParameters=parameters
    )
    environ = run(event)
    assert (environ["SCRIPT_NAME"], environ["PATH_INFO"]) == ("", "/v1/items/1")


def test_b8_no_derivation_across_a_double_slash() -> None:
    event = load_event("rest_custom_domain_base_path", path="/v1//payment")
    assert run(event)["SCRIPT_NAME"] == ""


@pytest.mark.parametrize("base_path", ["v1", "/v1", "/v1/"])
def test_b8_configured_base_path_spellings_are_alike(base_path: str) -> None:
    environ = run(load_event("rest_custom_domain_base_path"), base_path=base_path)
    assert (environ["SCRIPT_NAME"], environ["PATH_INFO"]) == ("/v1", "/payment")


def test_b8_configured_base_path_wins_over_derivation() -> None:
    event = load_event("rest_custom_domain_base_path", path="/v1/v2/payment")
    environ = run(event, base_path="/v1")
    assert (environ["SCRIPT_NAME"], environ["PATH_INFO"]) == ("/v1", "/v2/payment")


def test_b8_configured_base_path_comes_after_the_stage_on_execute_api() -> None:
    event = load_event("rest_execute_api_stage", path="/v1/posts/x", rc={"path": "/Prod/v1/posts/x"})
    environ = run(event, base_path="v1")
    assert (environ["SCRIPT_NAME"], environ["PATH_INFO"]) == ("/Prod/v1", "/posts/x")


def test_b8_configured_base_path_absent_from_path_is_left_alone() -> None:
    environ = run(load_event("rest_execute_api_stage"), base_path="/v1")
    assert (environ["SCRIPT_NAME"], environ["PATH_INFO"]) == ("/Prod", "/posts/hello-world")


@pytest.mark.parametrize(
    ("name", "fields", "script_name"),
    [
        ("http_v2_default_stage", {"rawPath": "/v1/x"}, "/v1"),
        ("http_v2_named_stage", {"rawPath": "/dev/v1/x"}, "/dev/v1"),
        ("function_url", {"rawPath": "/v1/x"}, "/v1"),
        ("alb_single", {"path": "/v1/x"}, "/v1"),
        ("http_v1", {"path": "/dev/v1/x"}, "/dev/v1"),
    ],
)
def test_b8_configured_base_path_applies_to_every_source(
    name: str, fields: dict[str, str], script_name: str
) -> None:
    environ = run(load_event(name, **fields), base_path="/v1/")
    assert (environ["SCRIPT_NAME"], environ["PATH_INFO"]) == (script_name, "/x")


@pytest.mark.parametrize("base_path", ["", "/", None])
def test_b8_empty_base_path_means_none(base_path: str | None) -> None:
    environ = run(load_event("rest_custom_domain_base_path"), base_path=base_path)
    assert environ["SCRIPT_NAME"] == "/v1"  # derivation still applies


# --- item 9 -------------------------------------------------------------------------------------------


def test_b9_v2_named_stage_is_stripped_into_script_name() -> None:
    environ = run(load_event("http_v2_named_stage"))
    assert (environ["SCRIPT_NAME"], environ["PATH_INFO"]) == ("/dev", "/posts/42/")


def test_b9_stage_stripped_only_on_a_segment_boundary() -> None:
    environ = run(load_event("http_v2_named_stage", rawPath="/development/x"))
    assert (environ["SCRIPT_NAME"], environ["PATH_INFO"]) == ("", "/development/x")


def test_b9_request_for_the_stage_root() -> None:
    environ = run(load_event("http_v2_named_stage", rawPath="/dev"))
    assert (environ["SCRIPT_NAME"], environ["PATH_INFO"]) == ("/dev", "")


def test_b9_default_stage_never_stripped() -> None:
    environ = run(load_event("http_v2_default_stage", rawPath="/$default/x"))
    assert (environ["SCRIPT_NAME"], environ["PATH_INFO"]) == ("", "/$default/x")


def test_b9_http_api_payload_1_named_stage() -> None:
    environ = run(load_event("http_v1"))
    assert environ["SCRIPT_NAME"] == "/dev"
    assert environ["PATH_INFO"] == "/items/a b"


# --- item 10 ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "http_v2_default_stage",
        "function_url",
        "alb_single",
        "alb_multi",
        "sam_local_rest",
        "sam_local_http_v2",
    ],
)
def test_b10_script_name_empty_at_the_root(name: str) -> None:
    assert run(load_event(name))["SCRIPT_NAME"] == ""


@pytest.mark.parametrize(
    "name", ["rest_execute_api_stage", "rest_custom_domain_base_path", "http_v2_named_stage", "http_v1"]
)
def test_b10_script_name_never_ends_with_slash(name: str) -> None:
    script_name = run(load_event(name), base_path="/")["SCRIPT_NAME"]
    assert script_name
    assert not script_name.endswith("/")


def test_b10_empty_path_becomes_root() -> None:
    assert run(load_event("alb_single", path=""))["PATH_INFO"] == "/"
    assert run(load_event("function_url", rawPath=""))["PATH_INFO"] == "/"


# --- item 51: the stage from the execute-api Host ----------------------------------------------------


def test_m51_no_context_path_on_execute_api_host_keeps_the_stage() -> None:
    # aws-lambda-go's apigw-request.json shape: a named stage, an execute-api Host, no requestContext.path.
    environ = run(load_event("rest_no_context_path"))
    assert (environ["SCRIPT_NAME"], environ["PATH_INFO"]) == ("/testStage", "/hello/world")
    assert environ["RAW_URI"] == "/testStage/hello/world?name=me"


def test_m51_links_keep_the_stage() -> None:
    from werkzeug.routing import Map, Rule

    environ = run(load_event("rest_no_context_path"))
    urls = Map([Rule("/hello/<name>", endpoint="hello")]).bind_to_environ(environ)
    assert urls.match() == ("hello", {"name": "world"})
    assert urls.build("hello", {"name": "you"}, force_external=True) == (
        "https://gy415nuibc.execute-api.eu-central-1.amazonaws.com/testStage/hello/you"
    )


@pytest.mark.parametrize(
    "context_path",
    [None, "/hello/world", "/other", ""],  # absent (null), or lacking the stage segment
)
def test_m51_context_path_without_the_stage(context_path: str | None) -> None:
    event = load_event("rest_no_context_path", rc={"path": context_path})
    assert run(event)["SCRIPT_NAME"] == "/testStage"


def test_m51_serverless_wsgi_shape_dev_stage() -> None:
    # serverless-wsgi's event_v1 fixture: Host 3z6kd9fbb1.execute-api..., stage "dev", no context path.
    event = load_event("rest_no_context_path", path="/some/path", rc={"stage": "dev"})
    event["headers"]["Host"] = event["multiValueHeaders"]["Host"][0] = (
        "3z6kd9fbb1.execute-api.us-east-1.amazonaws.com"
    )
    assert (run(event)["SCRIPT_NAME"], run(event)["PATH_INFO"]) == ("/dev", "/some/path")


@pytest.mark.parametrize(
    "host",
    [
        "gy415nuibc.execute-api.eu-central-1.amazonaws.com",
        "GY415NUIBC.Execute-API.eu-central-1.amazonaws.com:443",
        "gy415nuibc.execute-api.cn-north-1.amazonaws.com.cn",
        "gy415nuibc-vpce-0a1b2c3d4e5f67890.execute-api.eu-central-1.vpce.amazonaws.com",  # private API
    ],
)
def test_m51_every_execute_api_host_spelling(host: str) -> None:
    event = load_event("rest_no_context_path")
    event["headers"]["Host"] = event["multiValueHeaders"]["Host"][0] = host
    assert run(event)["SCRIPT_NAME"] == "/testStage"


@pytest.mark.parametrize(
    "host",
    ["api.example.com", "x.amazonaws.com.cn", "execute-api.example.com", "evil.execute-api.example.com"],
)
def test_m51_never_on_a_custom_domain(host: str) -> None:
    # serverless-wsgi's test_handler_custom_domain: a custom domain's URLs carry no stage.
    event = load_event("rest_no_context_path", rc={"domainName": host})
    event["headers"]["Host"] = event["multiValueHeaders"]["Host"][0] = host
    environ = run(event)
    assert (environ["SCRIPT_NAME"], environ["PATH_INFO"]) == ("", "/hello/world")


def test_m51_without_host_the_domain_name_decides() -> None:
    event = load_event("rest_no_context_path", headers=None, multiValueHeaders=None)
    assert run(event)["SCRIPT_NAME"] == "/testStage"
    event["requestContext"]["domainName"] = "api.example.com"
    assert run(event)["SCRIPT_NAME"] == ""


@pytest.mark.parametrize("stage", [None, "", "$default", 5])
def test_m51_needs_a_named_stage(stage: Any) -> None:
    assert run(load_event("rest_no_context_path", rc={"stage": stage}))["SCRIPT_NAME"] == ""


def test_m51_context_path_with_another_layout_is_left_to_derivation() -> None:
    # requestContext.path begins with the stage but is not /{stage}{path}: not this rule's case.
    event = load_event("rest_no_context_path", rc={"path": "/testStage/elsewhere"})
    assert run(event)["SCRIPT_NAME"] == ""


def test_m51_configured_base_path_comes_after_the_stage() -> None:
    event = load_event("rest_no_context_path", path="/v1/hello/world")
    environ = run(event, base_path="v1")
    assert (environ["SCRIPT_NAME"], environ["PATH_INFO"]) == ("/testStage/v1", "/hello/world")


def test_m51_http_api_payload_1_is_not_affected() -> None:
    # HTTP APIs put the stage in the path itself (item 9): nothing to add.
    event = load_event("http_v1")
    assert run(event)["SCRIPT_NAME"] == run(load_event("http_v1", rc={"path": None}))["SCRIPT_NAME"]

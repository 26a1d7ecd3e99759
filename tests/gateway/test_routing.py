"""Route matching: API Gateway's precedence, method rules, stage prefixes and the unmatched answers."""

from __future__ import annotations

import json
from urllib.parse import quote

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lambda_micro.local.apigw import api_error, media_type_matches, parse_accept_first
from lambda_micro.local.routing import (
    Match,
    Miss,
    RouteTable,
    path_parameter_values,
)
from lambda_micro.local.sam import Route


def rest(fn: str, method: str, path: str, *, api: str = "ServerlessRestApi", stage: str = "Prod") -> Route:
    return Route(
        function_id=fn, event_id=f"{fn}{method}", method=method, path=path, source="rest",
        api_id=api, stage=stage,
    )  # fmt: skip


def http(
    fn: str,
    method: str,
    path: str,
    *,
    api: str = "ServerlessHttpApi",
    stage: str = "$default",
    default: bool = False,
) -> Route:
    return Route(
        function_id=fn, event_id=f"{fn}{method}", method=method, path=path, source="http-2.0",
        api_id=api, stage=stage, is_default_route=default,
    )  # fmt: skip


def matched(outcome: Match | Miss) -> Match:
    assert isinstance(outcome, Match), outcome
    return outcome


def test_routing_static_beats_param_beats_greedy() -> None:
    table = RouteTable(
        [
            rest("Greedy", "ANY", "/{proxy+}"),
            rest("Param", "GET", "/posts/{slug}"),
            rest("Static", "GET", "/posts/new"),
        ]
    )
    assert matched(table.match("GET", "/posts/new")).route.function_id == "Static"
    assert matched(table.match("GET", "/posts/hello")).route.function_id == "Param"
    assert matched(table.match("GET", "/posts/hello/comments")).route.function_id == "Greedy"
    assert matched(table.match("GET", "/about")).route.function_id == "Greedy"


def test_routing_earlier_static_segment_wins() -> None:
    table = RouteTable([rest("A", "GET", "/{kind}/latest"), rest("B", "GET", "/posts/{slug}")])
    assert matched(table.match("GET", "/posts/latest")).route.function_id == "B"


def test_routing_path_parameters_and_greedy_value() -> None:
    table = RouteTable([rest("P", "GET", "/users/{user}/files/{path+}")])
    match = matched(table.match("GET", "/users/ann/files/a/b/c.txt"))
    assert match.path_parameters == {"user": "ann", "path": "a/b/c.txt"}
    assert match.resource == "/users/{user}/files/{path+}"


def test_routing_greedy_needs_one_segment_and_root_needs_its_own_route() -> None:
    table = RouteTable([rest("Proxy", "ANY", "/{proxy+}")])
    assert isinstance(table.match("GET", "/"), Miss)
    table = RouteTable([rest("Proxy", "ANY", "/{proxy+}"), rest("Root", "ANY", "/")])
    root = matched(table.match("GET", "/"))
    assert root.route.function_id == "Root"
    assert root.path_parameters is None


def test_routing_trailing_slash_is_ignored_but_kept_in_path() -> None:
    table = RouteTable([rest("Posts", "GET", "/posts")])
    match = matched(table.match("GET", "/posts/"))
    assert match.path == "/posts/"
    assert match.resource == "/posts"


def test_routing_rest_unmatched_is_403_missing_authentication_token() -> None:
    table = RouteTable([rest("Posts", "GET", "/posts")])
    miss = table.match("GET", "/nope")
    assert isinstance(miss, Miss)
    assert miss.error.status == 403
    assert json.loads(miss.error.body) == {"message": "Missing Authentication Token"}


def test_routing_rest_method_missing_on_the_resource_falls_through() -> None:
    # As captured against AWS: path and method resolve together, the most specific usable route wins.
    table = RouteTable(
        [
            rest("Me", "PATCH", "/users/me"),
            rest("User", "GET", "/users/{id}"),
            rest("Proxy", "ANY", "/{proxy+}"),
        ]
    )
    assert matched(table.match("GET", "/users/me")).route.function_id == "User"
    assert matched(table.match("PATCH", "/users/me")).route.function_id == "Me"
    assert matched(table.match("POST", "/users/me")).route.function_id == "Proxy"


def test_routing_rest_wrong_method_without_fallback_is_403() -> None:
    table = RouteTable([rest("Me", "PATCH", "/users/me"), rest("User", "GET", "/users/{id}")])
    miss = table.match("POST", "/users/me")
    assert isinstance(miss, Miss)
    assert (miss.error.status, miss.error.body) == (403, b'{"message":"Missing Authentication Token"}')


def test_routing_rest_exact_method_beats_any_on_same_resource() -> None:
    table = RouteTable([rest("Any", "ANY", "/posts"), rest("Get", "GET", "/posts")])
    assert matched(table.match("GET", "/posts")).route.function_id == "Get"
    assert matched(table.match("DELETE", "/posts")).route.function_id == "Any"


def test_routing_http_api_method_mismatch_falls_back_to_a_less_specific_route() -> None:
    table = RouteTable([http("Posts", "GET", "/posts"), http("Proxy", "ANY", "/{proxy+}")])
    assert matched(table.match("POST", "/posts")).route.function_id == "Proxy"


def test_routing_http_api_unmatched_is_404_not_found() -> None:
    table = RouteTable([http("Posts", "GET", "/posts")])
    miss = table.match("POST", "/posts")
    assert isinstance(miss, Miss)
    assert miss.error.status == 404
    assert miss.error.body == b'{"message":"Not Found"}'


def test_routing_http_api_default_route_catches_everything_last() -> None:
    table = RouteTable([http("Default", "ANY", "/{proxy+}", default=True), http("Posts", "GET", "/posts")])
    assert matched(table.match("GET", "/posts")).route.function_id == "Posts"
    default = matched(table.match("GET", "/"))
    assert default.route.function_id == "Default"
    assert default.route_key == "$default"
    assert default.path_parameters is None
    assert matched(table.match("PUT", "/a/b")).route_key == "$default"


def test_routing_route_key_and_method_case() -> None:
    table = RouteTable([http("Posts", "get", "/posts/{id}")])
    assert matched(table.match("GET", "/posts/1")).route_key == "GET /posts/{id}"


def test_routing_rest_path_parameters_stay_encoded_http_api_decodes() -> None:
    rest_table = RouteTable([rest("P", "GET", "/posts/{slug}")])
    assert matched(rest_table.match("GET", "/posts/caf%C3%A9")).path_parameters == {"slug": "caf%C3%A9"}
    http_table = RouteTable([http("P", "GET", "/posts/{slug}")])
    assert matched(http_table.match("GET", "/posts/caf%C3%A9")).path_parameters == {"slug": "café"}


def test_routing_static_segments_compare_decoded() -> None:
    table = RouteTable([rest("P", "GET", "/caf\u00e9")])
    assert matched(table.match("GET", "/caf%C3%A9")).route.function_id == "P"


def test_routing_rest_stage_prefix_is_recognised() -> None:
    table = RouteTable([rest("Web", "GET", "/posts/{slug}")])
    match = matched(table.match("GET", "/Prod/posts/x"))
    assert match.stage_prefix == "/Prod"
    assert match.path == "/posts/x"
    assert match.path_parameters == {"slug": "x"}
    plain = matched(table.match("GET", "/posts/x"))
    assert plain.stage_prefix == ""
    root = matched(RouteTable([rest("Web", "GET", "/")]).match("GET", "/Prod"))
    assert (root.stage_prefix, root.path) == ("/Prod", "/")


def test_routing_stage_prefix_only_on_a_segment_boundary() -> None:
    table = RouteTable([rest("Web", "GET", "/{page}")])
    match = matched(table.match("GET", "/Production"))
    assert match.stage_prefix == ""
    assert match.path_parameters == {"page": "Production"}


def test_routing_stage_named_like_an_app_path_falls_back_to_unprefixed() -> None:
    table = RouteTable([rest("Api", "GET", "/api/items", stage="api")])
    match = matched(table.match("GET", "/api/items"))
    assert match.stage_prefix == ""
    assert match.path == "/api/items"


def test_routing_http_api_default_stage_has_no_prefix_but_named_stage_does() -> None:
    table = RouteTable([http("A", "GET", "/x"), http("B", "GET", "/y", api="Named", stage="dev")])
    assert isinstance(table.match("GET", "/$default/x"), Miss)
    staged = matched(table.match("GET", "/dev/y"))
    assert (staged.route.function_id, staged.stage_prefix, staged.path) == ("B", "/dev", "/y")


def test_routing_staged_miss_answers_for_that_api() -> None:
    table = RouteTable([rest("Web", "GET", "/a"), http("Api", "GET", "/b")])
    miss = table.match("GET", "/Prod/b")
    assert isinstance(miss, Miss)
    assert miss.error.status == 403


def test_routing_both_kinds_on_one_port() -> None:
    table = RouteTable([rest("Web", "GET", "/{proxy+}"), http("Api", "GET", "/api/posts")])
    assert matched(table.match("GET", "/api/posts")).route.function_id == "Api"
    assert matched(table.match("GET", "/about")).route.function_id == "Web"
    miss = table.match("GET", "/")
    assert isinstance(miss, Miss)
    assert miss.error.status == 404  # any HTTP API present: unclaimed requests get its 404


def test_routing_wrong_method_on_a_rest_path_gets_rest_403_beside_an_http_api() -> None:
    table = RouteTable([rest("Web", "GET", "/a"), http("Api", "GET", "/b")])
    miss = table.match("POST", "/a")  # the REST resource /a exists without POST: its 403
    assert isinstance(miss, Miss)
    assert miss.error.status == 403


def test_routing_ties_go_to_template_order() -> None:
    table = RouteTable([rest("First", "GET", "/x"), rest("Second", "GET", "/x", api="Other")])
    assert matched(table.match("GET", "/x")).route.function_id == "First"


def test_routing_greedy_must_be_last() -> None:
    with pytest.raises(ValueError, match="greedy"):
        RouteTable([rest("Bad", "GET", "/{proxy+}/x")])


def test_routing_describe_lists_every_route() -> None:
    table = RouteTable([rest("Web", "GET", "/"), http("Api", "ANY", "/{proxy+}", default=True)])
    rows = table.describe()
    assert rows[0] == {
        "method": "GET", "path": "/", "function": "Web", "api": "REST ServerlessRestApi", "payload": "1.0",
        "stage": "Prod", "auth": "-",
    }  # fmt: skip
    assert rows[1]["path"] == "$default"
    assert table.stage_prefixes() == {"/Prod": ["ServerlessRestApi"]}


@pytest.mark.parametrize(
    ("kind", "what", "status", "body"),
    [
        ("rest", "unmatched", 403, b'{"message":"Missing Authentication Token"}'),
        ("http", "unmatched", 404, b'{"message":"Not Found"}'),
        ("rest", "function_error", 502, b'{"message": "Internal server error"}'),
        ("http", "function_error", 500, b'{"message":"Internal Server Error"}'),
        ("rest", "integration_timeout", 504, b'{"message": "Endpoint request timed out"}'),
        ("http", "integration_timeout", 503, b'{"message":"Service Unavailable"}'),
    ],
)
def test_routing_api_errors_are_byte_exact(kind: str, what: str, status: int, body: bytes) -> None:
    error = api_error(kind, what)
    assert (error.status, error.body) == (status, body)
    assert ("Content-Type", "application/json") in error.headers


def test_routing_api_error_unknown() -> None:
    with pytest.raises(ValueError, match="unknown"):
        api_error("rest", "teapot")


def test_routing_accept_and_binary_media_types() -> None:
    assert parse_accept_first("image/png;q=0.9, */*") == "image/png"
    assert parse_accept_first("") is None
    assert media_type_matches("image/png", ["image/*"])
    assert media_type_matches("image/png", ["*/*"])
    assert not media_type_matches("image/png", ["image/gif"])
    assert not media_type_matches(None, ["*/*"])
    # A whole Content-Type (the request side): parameters and letter case do not matter.
    assert media_type_matches("Image/PNG; name=a.png", ["image/png"])
    assert media_type_matches("application/vnd.api+json", ["application/vnd.*"])
    assert not media_type_matches("; charset=utf-8", ["*/*"])


def test_routing_path_parameter_values_follow_each_api_kind() -> None:
    assert path_parameter_values("/posts/{slug}", "/posts/caf%C3%A9") == {"slug": "café"}
    assert path_parameter_values("/posts/{slug}", "/posts/caf%C3%A9", decode=False) == {"slug": "caf%C3%A9"}
    # HTTP APIs decode before splitting, so an encoded "/" separates segments there; REST keeps it.
    assert path_parameter_values("/files/{name}", "/files/a%2Fb") is None
    assert path_parameter_values("/files/{name}", "/files/a%2Fb", decode=False) == {"name": "a%2Fb"}
    assert path_parameter_values("/{proxy+}", "/a/b/c") == {"proxy": "a/b/c"}
    assert path_parameter_values("/posts/{slug}", "/posts/x/") == {"slug": "x"}  # one trailing slash
    assert path_parameter_values("/", "/") == {}
    assert path_parameter_values("/{proxy+}", "/") is None
    assert path_parameter_values("/posts/{slug}", "/posts/a/b") is None
    with pytest.raises(ValueError, match="greedy"):
        path_parameter_values("/{proxy+}/x", "/a/x")


# -- properties ------------------------------------------------------------------------------------------


_NAMES = st.from_regex(r"[a-z][a-z0-9]{0,6}", fullmatch=True)
_VALUES = st.text(alphabet=st.characters(codec="utf-8", exclude_characters="/\x00"), min_size=1, max_size=8)


@st.composite
def _template_and_values(draw: st.DrawFn) -> tuple[str, list[tuple[str, str]]]:
    """A route path (static segments, {params}, maybe a final {greedy+}) and one request value per segment."""
    count = draw(st.integers(min_value=0, max_value=4))
    segments: list[str] = []
    values: list[tuple[str, str]] = []
    used: set[str] = set()
    for position in range(count):
        kind = draw(
            st.sampled_from(["static", "param", "greedy"] if position == count - 1 else ["static", "param"])
        )
        name = draw(_NAMES.filter(lambda n: n not in used))
        used.add(name)
        if kind == "static":
            segments.append(name)
            values.append(("", name))
        elif kind == "param":
            segments.append("{" + name + "}")
            values.append((name, draw(_VALUES)))
        else:
            segments.append("{" + name + "+}")
            parts = draw(st.lists(_VALUES, min_size=1, max_size=3))
            values.append((name, "/".join(parts)))
    return "/" + "/".join(segments), values


@settings(max_examples=150, deadline=None)
@given(_template_and_values(), st.sampled_from(["rest", "http"]))
def test_routing_property_a_route_matches_its_own_filled_path(
    case: tuple[str, list[tuple[str, str]]], kind: str
) -> None:
    template, values = case
    route = rest("Fn", "GET", template) if kind == "rest" else http("Fn", "GET", template)
    # The request path as a browser sends it: each value percent-encoded, greedy slashes kept.
    path = "/" + "/".join(quote(value, safe="/") for _, value in values)
    match = matched(RouteTable([route]).match("GET", path))
    expected = {name: (value if kind == "http" else quote(value, safe="/")) for name, value in values if name}
    assert (match.path_parameters or {}) == expected
    assert match.resource == template
    # The one-template extractor is the same matcher.
    assert path_parameter_values(template, path, decode=kind == "http") == (match.path_parameters or {})

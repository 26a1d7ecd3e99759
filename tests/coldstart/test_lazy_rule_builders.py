"""URL builders are compiled on first use, not when a route is added: same URLs as werkzeug's own Rule.

werkzeug compiles two Python functions per rule (``compile()`` of a generated AST) so that ``url_for`` is
fast; a Lambda function that never builds a URL paid for them at INIT. ``URLRule`` defers that work to the
rule's first build. These tests build the same URLs through werkzeug's ``Rule`` and through ``URLRule``.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from werkzeug.routing import BuildError, Map, Rule

from lambda_micro import App, url_for
from lambda_micro.app import URLMap, URLRule

RuleSpec = tuple[str, dict[str, Any]]

# (rule, options) covering every builder shape: static text (quoted), converters, defaults folded in,
# build-only rules, slashes merged, and the domain part (subdomains).
RULES: list[RuleSpec] = [
    ("/", {"endpoint": "index"}),
    ("/static text/ü/", {"endpoint": "quoted"}),
    ("/posts/<int:post_id>", {"endpoint": "post"}),
    ("/posts/<int:post_id>/<slug>", {"endpoint": "post_slug"}),
    ("/files/<path:name>", {"endpoint": "file"}),
    ("/kind/<any(a, b):kind>", {"endpoint": "kind"}),
    ("/price/<float:price>", {"endpoint": "price"}),
    ("/id/<uuid:ident>", {"endpoint": "ident"}),
    ("/list/", {"endpoint": "listing", "defaults": {"page": 1}}),
    ("/list/<int:page>", {"endpoint": "listing"}),
    ("/only/<name>", {"endpoint": "only", "build_only": True}),
    ("/a//b/<name>", {"endpoint": "merged"}),
    ("/write/<name>", {"endpoint": "write", "methods": ["POST"]}),
    ("/read/<name>", {"endpoint": "write", "methods": ["GET"]}),
    ("/sub/<name>", {"endpoint": "sub", "subdomain": "<user>"}),
]

IDENT = uuid.UUID("12345678-1234-5678-1234-567812345678")
BUILDS: list[tuple[str, dict[str, Any], str | None]] = [
    ("index", {}, None),
    ("index", {"q": "a b", "x": ["1", "2"]}, None),
    ("quoted", {}, None),
    ("post", {"post_id": 42}, None),
    ("post", {"post_id": 42, "extra": "é"}, None),
    ("post_slug", {"post_id": 7, "slug": "hello world/x"}, None),
    ("file", {"name": "a/b c/d.txt"}, None),
    ("kind", {"kind": "b"}, None),
    ("kind", {"kind": "c"}, None),
    ("price", {"price": 9.5}, None),
    ("ident", {"ident": IDENT}, None),
    ("listing", {}, None),
    ("listing", {"page": 1}, None),
    ("listing", {"page": 3}, None),
    ("only", {"name": "n"}, None),
    ("merged", {"name": "n"}, None),
    ("write", {"name": "n"}, "POST"),
    ("write", {"name": "n"}, "GET"),
    ("write", {"name": "n"}, None),
    ("sub", {"name": "n", "user": "alice"}, None),
    ("post", {}, None),  # missing value: BuildError from both
    ("nowhere", {}, None),
]


def _build_all(rule_class: type[Rule], map_class: type[Map]) -> list[tuple[str, Any]]:
    url_map = map_class([rule_class(rule, **options) for rule, options in RULES], merge_slashes=True)
    adapter = url_map.bind("example.com", "/Prod", url_scheme="https")
    outcomes: list[tuple[str, Any]] = []
    for endpoint, values, method in BUILDS:
        for force_external in (False, True):
            for append_unknown in (False, True):
                try:
                    url = adapter.build(
                        endpoint,
                        dict(values),
                        method=method,
                        force_external=force_external,
                        append_unknown=append_unknown,
                    )
                except BuildError as exc:
                    outcomes.append(("BuildError", (exc.endpoint, sorted(exc.values))))
                except ValueError as exc:  # a converter refusing a value (any(): not one of its words)
                    outcomes.append(("ValueError", str(exc)))
                else:
                    outcomes.append(("url", url))
    return outcomes


def test_urls_are_the_same_as_werkzeug_rule_builds() -> None:
    expected = _build_all(Rule, Map)
    assert ("url", "/Prod/posts/42") in expected  # the table exercises real builds...
    assert {"BuildError", "ValueError"} <= {kind for kind, _ in expected}  # ...and failures
    assert _build_all(URLRule, URLMap) == expected


def test_urls_are_the_same_with_host_matching() -> None:
    def build(rule_class: type[Rule]) -> list[str]:
        url_map = Map(
            [
                rule_class("/", endpoint="index", host="example.com"),
                rule_class("/u/<int:uid>", endpoint="user", host="<tenant>.example.com"),
            ],
            host_matching=True,
        )
        adapter = url_map.bind("example.com")
        return [
            adapter.build("index", {}),
            adapter.build("user", {"uid": 5, "tenant": "acme"}),
            adapter.build("user", {"uid": 5, "tenant": "acme", "x": "1"}, force_external=True),
        ]

    assert build(URLRule) == build(Rule)


def _is_compiled_builder(rule: Rule, attribute: str = "_build") -> bool:
    # werkzeug names its generated functions "<builder:'/rule'>".
    return bool(getattr(rule, attribute).__name__.startswith("<builder:"))


def test_adding_routes_compiles_no_builder_and_the_first_build_compiles_once() -> None:
    app = App(__name__)

    @app.get("/posts/<int:post_id>")
    def post(post_id: int) -> str:
        return str(post_id)

    rule = next(rule for rule in app.url_map.iter_rules() if rule.endpoint == "post")
    assert not _is_compiled_builder(rule, "_build")
    assert not _is_compiled_builder(rule, "_build_unknown")

    with app.test_request_context("/"):
        # url_for appends unknown values as a query: it uses (and compiles) only that builder.
        assert url_for("post", post_id=3) == "/posts/3"
        assert url_for("post", post_id=4, page="2") == "/posts/4?page=2"
    assert _is_compiled_builder(rule, "_build_unknown")
    assert not _is_compiled_builder(rule, "_build")
    compiled = rule._build_unknown
    with app.test_request_context("/"):
        assert url_for("post", post_id=5) == "/posts/5"
    assert rule._build_unknown is compiled  # compiled once, then reused

    adapter = app.url_map.bind("example.com")
    assert adapter.build("post", {"post_id": 6, "page": "2"}, append_unknown=False) == "/posts/6"
    assert _is_compiled_builder(rule, "_build")


@pytest.mark.parametrize("refresh", [lambda rule: rule.compile(), lambda rule: rule.refresh()])
def test_recompiling_a_rule_rebuilds_lazily_with_its_new_state(refresh: Callable[[Rule], None]) -> None:
    url_map = URLMap([URLRule("/p/<int:n>", endpoint="p")])
    adapter = url_map.bind("example.com")
    assert adapter.build("p", {"n": 1}) == "/p/1"
    rule = next(url_map.iter_rules())
    rule.rule = "/q/<int:n>"
    refresh(rule)
    assert not _is_compiled_builder(rule)
    assert adapter.build("p", {"n": 2}) == "/q/2"

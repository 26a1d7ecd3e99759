"""Property tests: JSON conversions, URL building/matching and session cookies round-trip."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.test import Client

from lambda_micro import App, Response, request, session, url_for
from lambda_micro import json as lm_json

SETTINGS = settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@SETTINGS
@given(st.decimals(allow_nan=False, allow_infinity=False))
def test_decimal_is_int_when_integral_else_float(value: Decimal) -> None:
    decoded = json.loads(lm_json.dumps(value))
    if value == value.to_integral_value():
        assert type(decoded) is int
        assert decoded == int(value)
    else:
        assert decoded == float(value)


@SETTINGS
@given(st.sets(st.integers()) | st.sets(st.text(max_size=5)))
def test_sets_become_sorted_lists(value: set[Any]) -> None:
    assert json.loads(lm_json.dumps(value)) == sorted(value)


def _path_app() -> App:
    app = App("props", template_folder=None, static_folder=None)

    @app.get("/items/<path:rest>")
    def item(rest: str) -> dict[str, str]:
        return {"rest": rest, "url": url_for("item", rest=rest), "q": request.args.get("q", "")}

    return app


PATH_APP = _path_app()
# werkzeug rules do not match control characters (its regexes are not DOTALL), as in Flask.
SEGMENT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="/"),
    min_size=1,
    max_size=12,
).filter(lambda s: s not in {".", ".."})


@SETTINGS
@given(st.lists(SEGMENT, min_size=1, max_size=3), st.text(max_size=10))
def test_url_for_round_trips_through_routing(segments: list[str], query: str) -> None:
    rest = "/".join(segments)
    with PATH_APP.test_request_context():
        url = url_for("item", rest=rest, q=query)
    data = Client(PATH_APP, Response).get(url).json
    assert data["rest"] == rest
    assert data["q"] == query


def _session_app() -> App:
    app = App("props_sessions", template_folder=None, static_folder=None)
    app.secret_key = "property-secret"

    @app.post("/store")
    def store() -> str:
        session.update(request.get_json())
        return "ok"

    @app.get("/load")
    def load() -> dict[str, Any]:
        return dict(session)

    return app


SESSION_APP = _session_app()
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53), 2**53) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3)
    ),
    max_leaves=8,
)


@SETTINGS
@given(st.dictionaries(st.text(min_size=1, max_size=8), JSON_VALUES, min_size=1, max_size=4))
def test_session_round_trips_json_values(data: dict[str, Any]) -> None:
    client = Client(SESSION_APP, Response)
    assert client.post("/store", json=data).status_code == 200
    assert client.get("/load").json == data


@SETTINGS
@given(st.text(max_size=60))
def test_any_session_cookie_value_is_safe(cookie: str) -> None:
    client = Client(SESSION_APP, Response)
    client.set_cookie("session", cookie)
    response = client.get("/load")
    assert response.status_code == 200
    assert response.json == {}

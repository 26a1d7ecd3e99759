"""``client.as_user(...)``: the authorizer block each payload and authorizer gives, read back by
``request.identity``; ``function_client(..., enforce_auth=True)`` proving routes are protected."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from aws_lambda_powertools.utilities.parser.models import (
    APIGatewayProxyEventModel,
    APIGatewayProxyEventV2Model,
    LambdaFunctionUrlModel,
)
from pydantic import BaseModel

from lambda_micro import App, request
from lambda_micro.local.sam import load_template
from lambda_micro.testing import Client

MODELS: dict[str, type[BaseModel]] = {
    "rest": APIGatewayProxyEventModel,
    "http-1.0": APIGatewayProxyEventModel,
    "http-2.0": APIGatewayProxyEventV2Model,
    "url": LambdaFunctionUrlModel,
}


@pytest.fixture
def app() -> App:
    app = App(__name__, template_folder=None, static_folder=None)

    @app.route("/<path:anything>", methods=["GET", "POST"])
    def who(anything: str) -> dict[str, Any]:
        identity = request.identity
        return {
            "kind": identity.kind,
            "subject": identity.subject,
            "username": identity.username,
            "groups": list(identity.groups),
            "scopes": list(identity.scopes),
            "email": identity.claims.get("email"),
        }

    return app


@pytest.mark.parametrize(
    ("payload", "kind"), [("rest", "cognito"), ("http-1.0", "cognito"), ("http-2.0", "cognito")]
)
def test_as_user_gives_the_payloads_usual_authorizer(app: App, payload: str, kind: str) -> None:
    client = Client(app, payload=payload)
    with client.as_user(sub="u-1", username="ada", email="ada@example.com", groups=["editors", "admins"]):
        response = client.get("/x")
    MODELS[payload].model_validate(response.event)
    assert response.json == {
        "kind": kind,
        "subject": "u-1",
        "username": "ada",
        "groups": ["editors", "admins"],
        "scopes": [],
        "email": "ada@example.com",
    }


def test_as_user_rest_claims_are_strings_as_a_cognito_authorizer_gives_them(app: App) -> None:
    client = Client(app, payload="rest")
    response = client.get("/x", user=client.as_user(groups=["a", "b"]))
    claims = response.event["requestContext"]["authorizer"]["claims"]
    assert claims["cognito:groups"] == "a,b"
    assert claims["exp"].endswith(" UTC " + claims["exp"].split()[-1])
    assert all(isinstance(value, str) for value in claims.values())


def test_as_user_http_claims_are_strings_with_go_style_lists(app: App) -> None:
    client = Client(app, payload="2.0")
    response = client.get("/x", user=client.as_user(groups=["a", "b"], scopes=["read"]))
    jwt = response.event["requestContext"]["authorizer"]["jwt"]
    assert (jwt["claims"]["cognito:groups"], jwt["scopes"]) == ("[a b]", ["read"])
    assert jwt["claims"]["token_use"] == "access"  # scopes: an access token's claims
    assert response.json["scopes"] == ["read"]


@pytest.mark.parametrize("payload", ["rest", "http-1.0", "http-2.0"])
def test_as_user_lambda_kind(app: App, payload: str) -> None:
    client = Client(app, payload=payload)
    response = client.get("/x", user=client.as_user(sub="p-1", kind="lambda", context={"tier": 3}))
    MODELS[payload].model_validate(response.event)
    assert (response.json["kind"], response.json["subject"]) == ("lambda", "p-1")
    block = response.event["requestContext"]["authorizer"]
    if payload == "rest":
        assert (block["principalId"], block["tier"]) == ("p-1", "3")  # REST makes context values strings
    else:
        assert block["lambda"]["tier"] == 3


@pytest.mark.parametrize("payload", ["rest", "http-2.0", "url"])
def test_as_user_iam_kind(app: App, payload: str) -> None:
    client = Client(app, payload=payload)
    kind = None if payload == "url" else "iam"  # a Function URL's only authorizer is IAM
    response = client.get("/x", user=client.as_user(sub="AIDA1", username="reporter", kind=kind))
    MODELS[payload].model_validate(response.event)
    assert response.json["kind"] == "iam"
    assert response.json["subject"] == "arn:aws:iam::123456789012:user/reporter"


def test_as_user_nests_and_anonymous_interrupts(app: App) -> None:
    client = Client(app, payload="2.0")
    with client.as_user(sub="outer"):
        assert client.get("/x").json["subject"] == "outer"
        with client.as_user(sub="inner"):
            assert client.get("/x").json["subject"] == "inner"
        with client.anonymous():
            assert client.get("/x").json["kind"] == "none"
        assert client.get("/x", user=None).json["kind"] == "none"
        assert client.get("/x").json["subject"] == "outer"
    assert client.get("/x").json["kind"] == "none"


def test_as_user_survives_redirects(app: App) -> None:
    redirecting = App("redirecting", template_folder=None, static_folder=None)

    @redirecting.get("/from")
    def source() -> Any:
        from lambda_micro import redirect

        return redirect("/to")

    @redirecting.get("/to")
    def target() -> dict[str, Any]:
        return {"subject": request.identity.subject}

    client = Client(redirecting, payload="2.0")
    with client.as_user(sub="u-9"):
        assert client.get("/from", follow_redirects=True).json == {"subject": "u-9"}


def test_as_user_argument_errors(app: App) -> None:
    client = Client(app, payload="2.0")
    with pytest.raises(TypeError, match="user= takes"):
        client.get("/x", user="ada")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="kind"):
        client.as_user(kind="saml")
    with pytest.raises(TypeError, match="list of strings"):
        client.as_user(groups="admins")


def test_an_alb_has_no_authorizer_for_as_user(app: App) -> None:
    client = Client(app, payload="alb")
    with pytest.raises(ValueError, match="no authorizer context"):
        client.get("/x", user=client.as_user())


# -- against the template's authorizers --------------------------------------------------------------------

AUTH_TEMPLATE = Path(__file__).resolve().parents[1] / "gateway" / "auth_project.py"


@pytest.fixture
def echo_routes(tmp_path: Path) -> Any:
    from tests.gateway.auth_project import write_project

    project = write_project(tmp_path)
    return load_template(project.template)


def test_as_user_follows_the_routes_authorizer(app: App, echo_routes: Any) -> None:
    routes = echo_routes.function("Echo").routes
    http = Client(
        app, payload="2.0", routes=[r for r in routes if r.api_kind == "http"], template=echo_routes
    )
    jwt = http.get("/jwt", user=http.as_user(sub="u-1")).event["requestContext"]["authorizer"]["jwt"]
    pool = echo_routes.user_pool()
    assert jwt["claims"]["iss"] == pool.issuer  # the authorizer's issuer and audience
    assert jwt["claims"]["aud"] == next(iter(echo_routes.user_pool_clients.values())).client_id
    simple = http.get("/simple", user=http.as_user(sub="u-2", context={"tier": "gold"}))
    assert simple.event["requestContext"]["authorizer"]["lambda"] == {"tier": "gold", "principalId": "u-2"}
    rest = Client(
        app, payload="rest", routes=[r for r in routes if r.api_kind == "rest"], template=echo_routes
    )
    token = rest.get("/token/a", user=rest.as_user(sub="u-3")).event["requestContext"]["authorizer"]
    assert token["principalId"] == "u-3"


def test_enforce_auth_applies_route_scopes_to_the_user(app: App, echo_routes: Any) -> None:
    routes = [r for r in echo_routes.function("Echo").routes if r.api_kind == "http"]
    client = Client(app, payload="2.0", routes=routes, template=echo_routes, enforce_auth=True)
    assert client.post("/dev").status_code == 401  # no token, no user
    refused = client.post("/dev", user=client.as_user(scopes=["posts:read"]))
    assert (refused.status_code, refused.json) == (403, {"message": "Forbidden"})
    assert client.post("/dev", user=client.as_user(scopes=["posts:write"])).status_code == 200


def test_enforce_auth_keeps_the_api_key_requirement(app: App, echo_routes: Any) -> None:
    routes = [r for r in echo_routes.function("Echo").routes if r.api_kind == "rest"]
    client = Client(app, payload="rest", routes=routes, template=echo_routes, enforce_auth=True)
    assert client.get("/key").status_code == 403
    answer = client.get("/key", headers={"x-api-key": "local-key-0123456789abcdef"})
    assert answer.event["requestContext"]["identity"]["apiKey"] == "local-key-0123456789abcdef"


PLUGIN_TEST = """
import json
import pytest
from lambda_micro.testing import dev_token


def test_protected_routes(function_client, aws):
    echo = function_client("Echo", enforce_auth=True)
    assert echo.get("/jwt").status_code == 401
    user = aws.cognito.add_user("ada@example.com", groups=["editors"])
    tokens = aws.cognito.tokens(user.username, user.password)
    answer = echo.get("/jwt", headers={"Authorization": "Bearer " + tokens["IdToken"]})
    assert answer.status_code == 200, answer.text
    assert answer.event["requestContext"]["authorizer"]["jwt"]["claims"]["sub"] == user.sub


def test_lambda_authorizers_run(function_client):
    echo = function_client("Echo", enforce_auth=True)
    assert echo.get("/simple", headers={"X-Token": "ok"}).status_code == 200
    assert echo.get("/simple", headers={"X-Token": "no"}).status_code == 403


def test_dev_tokens(function_client):
    echo = function_client("Echo", enforce_auth=True)
    good = dev_token(audience="blog-api", scopes=["posts:write"])
    assert echo.post("/dev", headers={"Authorization": "Bearer " + good}).status_code == 200
    expired = dev_token(audience="blog-api", scopes=["posts:write"], expires_in=-10)
    assert echo.post("/dev", headers={"Authorization": "Bearer " + expired}).status_code == 401
    external = dev_token(issuer="https://auth.example.com/", audience="api")
    trusted = function_client("Echo", enforce_auth=True, trust_dev_issuer=True)
    assert trusted.get("/external", headers={"Authorization": "Bearer " + external}).status_code == 200


def test_authorizer_bugs_propagate(function_client):
    echo = function_client("Echo", enforce_auth=True)
    with pytest.raises(RuntimeError, match="has a bug"):
        echo.get("/token/a", headers={"Authorization": "Bearer crash"})
"""


def test_function_client_enforces_the_templates_authorizers(pytester: pytest.Pytester) -> None:
    from tests.gateway.auth_project import write_project

    write_project(pytester.path)
    pytester.makepyfile(test_protected=PLUGIN_TEST)
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=4)


def test_events_of_as_user_are_json(app: App) -> None:
    client = Client(app, payload="rest")
    response = client.get("/x", user=client.as_user(claims={"custom:tier": 2, "nested": {"a": 1}}))
    claims = response.event["requestContext"]["authorizer"]["claims"]
    assert (claims["custom:tier"], json.loads(claims["nested"])) == ("2", {"a": 1})

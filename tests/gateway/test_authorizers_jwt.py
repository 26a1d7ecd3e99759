"""JWT and Cognito authorizers through real HTTP against ``lambda-micro serve``, on moto's Cognito tokens."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from aws_lambda_powertools.utilities.parser.models import (
    APIGatewayProxyEventModel,
    APIGatewayProxyEventV2Model,
)

from lambda_micro.local.auth import tokens
from lambda_micro.local.cognito import LocalCognito, LocalUser
from lambda_micro.local.devserver import DevServer
from lambda_micro.testing import dev_token

from .auth_project import call, write_project


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[DevServer, LocalCognito, LocalUser]]:
    project = write_project(tmp_path_factory.mktemp("auth"))
    dev = DevServer(project.template, port=0, reload=False, api_ports=False)
    dev.start()
    assert dev.aws is not None
    assert dev.gateway is not None
    template = dev.gateway.state.template
    assert template is not None
    cognito = LocalCognito(template, client_kwargs=dev.aws.client_kwargs)
    user = cognito.add_user("ada@example.com", groups=["editors"])
    yield dev, cognito, user
    dev.stop()


@pytest.fixture
def dev(served: tuple[DevServer, LocalCognito, LocalUser]) -> DevServer:
    return served[0]


@pytest.fixture
def tokens_of(served: tuple[DevServer, LocalCognito, LocalUser]) -> dict[str, Any]:
    _, cognito, user = served
    return cognito.tokens(user.username, user.password)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def later(monkeypatch: pytest.MonkeyPatch, seconds: float) -> None:
    """The gateway's clock, ``seconds`` ahead (tokens expire without waiting an hour)."""
    now = time.time()
    monkeypatch.setattr(tokens.time, "time", lambda: now + seconds)


def tampered(token: str) -> str:
    head, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["cognito:groups"] = ["admins"]
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
    return f"{head}.{forged}.{signature}"


# -- HTTP API JWT authorizer on the template's user pool ------------------------------------------------


def test_jwt_valid_id_token_reaches_the_function_with_its_claims_as_strings(
    dev: DevServer, tokens_of: dict[str, Any], served: tuple[DevServer, LocalCognito, LocalUser]
) -> None:
    answer = call(dev, "GET", "/jwt", bearer(tokens_of["IdToken"]))
    assert answer.status == 200, answer.body
    event = answer.event
    APIGatewayProxyEventV2Model.model_validate(event)
    jwt = event["requestContext"]["authorizer"]["jwt"]
    claims = jwt["claims"]
    assert claims["sub"] == served[2].sub
    assert claims["email"] == "ada@example.com"
    assert claims["cognito:groups"] == "[editors]"  # a list claim, as Go prints a slice
    assert claims["token_use"] == "id"
    assert claims["exp"].isdigit()
    assert all(isinstance(value, str) for value in claims.values())
    assert jwt["scopes"] is None  # an id token has no scope


def test_jwt_access_token_passes_with_its_scopes(dev: DevServer, tokens_of: dict[str, Any]) -> None:
    answer = call(dev, "GET", "/jwt", bearer(tokens_of["AccessToken"]))
    assert answer.status == 200, answer.body
    jwt = answer.event["requestContext"]["authorizer"]["jwt"]
    assert jwt["scopes"] == ["aws.cognito.signin.user.admin"]
    assert "client_id" in jwt["claims"]  # no aud: the audience is checked on client_id


def test_jwt_token_without_bearer_prefix_is_accepted(dev: DevServer, tokens_of: dict[str, Any]) -> None:
    assert call(dev, "GET", "/jwt", {"Authorization": tokens_of["IdToken"]}).status == 200


def test_jwt_payload_1_0_carries_claims_and_scopes_in_the_authorizer(
    dev: DevServer, tokens_of: dict[str, Any]
) -> None:
    answer = call(dev, "GET", "/jwt-v1", bearer(tokens_of["AccessToken"]))
    assert answer.status == 200, answer.body
    authorizer = answer.event["requestContext"]["authorizer"]
    assert authorizer["scopes"] == ["aws.cognito.signin.user.admin"]
    assert authorizer["claims"]["token_use"] == "access"
    APIGatewayProxyEventModel.model_validate(answer.event)


def test_jwt_missing_header_is_401_with_a_bearer_challenge(dev: DevServer) -> None:
    answer = call(dev, "GET", "/jwt")
    assert (answer.status, answer.body) == (401, b'{"message":"Unauthorized"}')
    assert answer.header("www-authenticate") == "Bearer"
    assert answer.header("Content-Type") == "application/json"
    assert answer.header("Apigw-Requestid")


def test_jwt_expired_token_is_401_naming_the_expiry(
    dev: DevServer, tokens_of: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    later(monkeypatch, 3601)
    answer = call(dev, "GET", "/jwt", bearer(tokens_of["IdToken"]))
    assert (answer.status, answer.body) == (401, b'{"message":"Unauthorized"}')
    assert answer.header("www-authenticate") == (
        'Bearer scope="" error="invalid_token" error_description="the token has expired"'
    )


def test_jwt_token_of_another_app_client_has_no_valid_audience(
    dev: DevServer, served: tuple[DevServer, LocalCognito, LocalUser]
) -> None:
    _, cognito, user = served
    assert dev.aws is not None
    pool = cognito.template.user_pool()
    client = boto3.client("cognito-idp", **dev.aws.client_kwargs)
    other = client.create_user_pool_client(
        UserPoolId=pool.pool_id, ClientName="other", ExplicitAuthFlows=["ALLOW_ADMIN_USER_PASSWORD_AUTH"]
    )["UserPoolClient"]["ClientId"]
    token = client.admin_initiate_auth(
        UserPoolId=pool.pool_id,
        ClientId=other,
        AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": user.username, "PASSWORD": user.password},
    )["AuthenticationResult"]["IdToken"]
    answer = call(dev, "GET", "/jwt", bearer(token))
    assert answer.status == 401
    # The one description AWS documents (HTTP API JWT troubleshooting), in its exact header shape.
    assert answer.header("www-authenticate") == (
        'Bearer scope="" error="invalid_token" error_description="the token does not have a valid audience"'
    )


def test_jwt_tampered_token_fails_its_signature(dev: DevServer, tokens_of: dict[str, Any]) -> None:
    answer = call(dev, "GET", "/jwt", bearer(tampered(tokens_of["IdToken"])))
    assert answer.status == 401
    assert 'error_description="the token\'s signature is invalid"' in (
        answer.header("www-authenticate") or ""
    )


def test_jwt_garbage_token_is_401(dev: DevServer) -> None:
    answer = call(dev, "GET", "/jwt", bearer("not-a-jwt"))
    assert answer.status == 401
    assert "not a JWT" in (answer.header("www-authenticate") or "")


def test_jwt_dev_token_is_not_trusted_for_a_cognito_issuer(dev: DevServer, served: Any) -> None:
    pool = served[1].template.user_pool()
    client_id = next(iter(served[1].template.user_pool_clients.values())).client_id
    forged = dev_token(issuer=pool.issuer, audience=client_id)
    answer = call(dev, "GET", "/jwt", bearer(forged))
    assert answer.status == 401
    assert "kid" in (answer.header("www-authenticate") or "")


# -- the dev issuer ----------------------------------------------------------------------------------------


def test_dev_issuer_token_with_the_scope_passes(dev: DevServer) -> None:
    token = dev.keys.dev_issuer.token(audience="blog-api", scopes=["posts:write"], subject="writer-1")  # type: ignore[union-attr]
    answer = call(dev, "POST", "/dev", bearer(token), body=b"{}")
    assert answer.status == 200, answer.body
    assert answer.event["requestContext"]["authorizer"]["jwt"]["claims"]["sub"] == "writer-1"


def test_dev_issuer_token_without_the_route_scope_is_403(dev: DevServer) -> None:
    token = dev.keys.dev_issuer.token(audience="blog-api", scopes=["posts:read"])  # type: ignore[union-attr]
    answer = call(dev, "POST", "/dev", bearer(token), body=b"{}")
    assert (answer.status, answer.body) == (403, b'{"message":"Forbidden"}')
    assert answer.header("www-authenticate") == 'Bearer scope="posts:write" error="insufficient_scope"'


def test_an_outside_issuer_is_refused_until_the_dev_issuer_is_trusted(tmp_path: Any) -> None:
    project = write_project(tmp_path)
    token = None
    for trust in (False, True):
        # aws="real": a second embedded AWS in this process would wipe the module's (moto's data is global)
        dev = DevServer(
            project.template, port=0, reload=False, api_ports=False, trust_dev_issuer=trust, aws="real"
        )
        dev.keys._fetch = _offline  # no network here: the issuer's discovery document cannot be fetched
        dev.start()
        try:
            assert dev.keys.dev_issuer is not None
            token = token or dev.keys.dev_issuer.token(issuer="https://auth.example.com/", audience="api")
            answer = call(dev, "GET", "/external", bearer(token))
            assert answer.status == (200 if trust else 401), answer.body
        finally:
            dev.stop()
    # the key is the project's, kept between runs (`lambda-micro token --issuer` signs with it too)
    assert (project.root / ".lambda-micro" / "dev-issuer.json").stat().st_mode & 0o777 == 0o600


def _offline(url: str) -> Any:
    raise OSError(f"offline: {url}")


# -- REST API Cognito user pool authorizer ----------------------------------------------------------------


def test_rest_cognito_id_token_gives_string_claims_with_java_dates(
    dev: DevServer, tokens_of: dict[str, Any]
) -> None:
    answer = call(dev, "GET", "/Prod/cognito", {"Authorization": tokens_of["IdToken"]})
    assert answer.status == 200, answer.body
    event = answer.event
    APIGatewayProxyEventModel.model_validate(event)
    claims = event["requestContext"]["authorizer"]["claims"]
    assert claims["cognito:groups"] == "editors"
    assert claims["email"] == "ada@example.com"
    _weekday, _month, day, clock, zone, _year = claims["exp"].split()
    assert zone == "UTC"
    assert len(day) == 2
    assert clock.count(":") == 2
    assert claims["auth_time"].isdigit()


def test_rest_cognito_refuses_the_bearer_prefix(dev: DevServer, tokens_of: dict[str, Any]) -> None:
    answer = call(dev, "GET", "/Prod/cognito", bearer(tokens_of["IdToken"]))
    assert (answer.status, answer.body) == (401, b'{"message":"Unauthorized"}')
    assert answer.header("x-amzn-ErrorType") == "UnauthorizedException"
    assert answer.header("x-amzn-RequestId")


def test_rest_cognito_missing_token_is_401(dev: DevServer) -> None:
    assert call(dev, "GET", "/Prod/cognito").status == 401


def test_rest_cognito_expired_token_says_so(
    dev: DevServer, tokens_of: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    later(monkeypatch, 7200)
    answer = call(dev, "GET", "/Prod/cognito", {"Authorization": tokens_of["IdToken"]})
    assert (answer.status, answer.body) == (401, b'{"message":"The incoming token has expired"}')


def test_rest_cognito_without_scopes_wants_an_id_token(dev: DevServer, tokens_of: dict[str, Any]) -> None:
    assert call(dev, "GET", "/Prod/cognito", {"Authorization": tokens_of["AccessToken"]}).status == 401


def test_rest_cognito_with_scopes_wants_an_access_token_with_one(
    dev: DevServer, tokens_of: dict[str, Any]
) -> None:
    assert call(dev, "GET", "/Prod/scoped", {"Authorization": tokens_of["AccessToken"]}).status == 200
    assert call(dev, "GET", "/Prod/scoped", {"Authorization": tokens_of["IdToken"]}).status == 401


def test_rest_cognito_tampered_token_is_401(dev: DevServer, tokens_of: dict[str, Any]) -> None:
    answer = call(dev, "GET", "/Prod/cognito", {"Authorization": tampered(tokens_of["IdToken"])})
    assert answer.status == 401


def test_an_open_route_needs_nothing(dev: DevServer) -> None:
    answer = call(dev, "GET", "/Prod/open")
    assert answer.status == 200
    assert "authorizer" not in answer.event["requestContext"]

"""Lambda authorizers, IAM (SigV4) and API keys through real HTTP against ``lambda-micro serve``."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from aws_lambda_powertools.utilities.parser.models import (
    ApiGatewayAuthorizerRequest,
    ApiGatewayAuthorizerRequestV2,
    ApiGatewayAuthorizerToken,
    APIGatewayProxyEventModel,
    APIGatewayProxyEventV2Model,
)
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from lambda_micro.local.devserver import DevServer

from .auth_project import API_KEY, Answer, call, write_project


@pytest.fixture(scope="module")
def dev(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevServer]:
    project = write_project(tmp_path_factory.mktemp("auth"))
    server = DevServer(project.template, port=0, reload=False, api_ports=False)
    server.start()
    yield server
    server.stop()


def seen(dev: DevServer) -> list[dict[str, Any]]:
    """The events the authorizer function received (its module's list)."""
    assert dev.gateway is not None
    function: Any = dev.gateway.state.functions["Authorizer"]
    module = function.module
    events: list[dict[str, Any]] = module.SEEN
    return events


@pytest.fixture(autouse=True)
def fresh_cache(dev: DevServer) -> None:
    dev.auth.cache.clear()


# -- REST TOKEN authorizer ---------------------------------------------------------------------------------


def test_token_authorizer_allows_and_its_context_arrives_as_strings(dev: DevServer) -> None:
    answer = call(dev, "GET", "/Prod/token/a", {"Authorization": "Bearer allow-1"})
    assert answer.status == 200, answer.body
    APIGatewayProxyEventModel.model_validate(answer.event)
    authorizer = answer.event["requestContext"]["authorizer"]
    assert authorizer["principalId"] == "user|ada"
    assert (authorizer["role"], authorizer["level"], authorizer["beta"]) == ("admin", "3", "true")
    assert isinstance(authorizer["integrationLatency"], int)
    event = seen(dev)[-1]
    ApiGatewayAuthorizerToken.model_validate(event)
    assert event["authorizationToken"] == "Bearer allow-1"
    assert event["methodArn"].endswith("/Prod/GET/token/a")
    assert event["methodArn"].startswith("arn:aws:execute-api:us-east-1:123456789012:")


def test_token_authorizer_result_is_cached_for_the_same_token(dev: DevServer) -> None:
    first = call(dev, "GET", "/Prod/token/a", {"Authorization": "Bearer allow-2"})
    second = call(dev, "GET", "/Prod/token/a", {"Authorization": "Bearer allow-2"})
    assert first.status == second.status == 200
    calls = [a.event["requestContext"]["authorizer"]["calls"] for a in (first, second)]
    assert calls[0] == calls[1]  # the second answer came from the cache: the function was not called
    other = call(dev, "GET", "/Prod/token/a", {"Authorization": "Bearer allow-3"})
    assert other.event["requestContext"]["authorizer"]["calls"] != calls[0]
    # The cached policy allows the method ARN it was made for, not another path: API Gateway's surprise.
    assert call(dev, "GET", "/Prod/token/b", {"Authorization": "Bearer allow-2"}).status == 403


def test_a_cached_policy_is_evaluated_against_each_method(dev: DevServer) -> None:
    assert call(dev, "GET", "/Prod/token/x", {"Authorization": "Bearer get-only"}).status == 200
    denied = call(dev, "PUT", "/Prod/token/x", {"Authorization": "Bearer get-only"}, body=b"")
    assert (denied.status, denied.body) == (
        403,
        b'{"Message":"User is not authorized to access this resource"}',
    )
    assert denied.header("x-amzn-ErrorType") == "AccessDeniedException"


def test_token_authorizer_explicit_deny_is_403(dev: DevServer) -> None:
    answer = call(dev, "GET", "/Prod/token/a", {"Authorization": "Bearer deny"})
    assert answer.status == 403
    assert (
        answer.body == b'{"Message":"User is not authorized to access this resource with an explicit deny"}'
    )


def test_token_authorizer_unauthorized_is_401(dev: DevServer) -> None:
    answer = call(dev, "GET", "/Prod/token/a", {"Authorization": "Bearer unauthorized"})
    assert (answer.status, answer.body) == (401, b'{"message":"Unauthorized"}')


@pytest.mark.parametrize("token", ["broken", "crash", "nested"])
def test_token_authorizer_failures_are_500(dev: DevServer, token: str) -> None:
    answer = call(dev, "GET", "/Prod/token/a", {"Authorization": f"Bearer {token}"})
    assert (answer.status, answer.body) == (500, b'{"message": null}')
    assert answer.header("x-amzn-ErrorType") == "AuthorizerConfigurationException"


def test_token_missing_or_not_matching_the_expression_never_calls_the_authorizer(dev: DevServer) -> None:
    before = len(seen(dev))
    assert call(dev, "GET", "/Prod/token/a").status == 401
    assert call(dev, "GET", "/Prod/token/a", {"Authorization": "Basic Zm9vOmJhcg=="}).status == 401
    assert len(seen(dev)) == before


# -- REST REQUEST authorizer -------------------------------------------------------------------------------


def test_request_authorizer_gets_the_request_and_allows(dev: DevServer) -> None:
    answer = call(dev, "GET", "/Prod/request?tenant=acme", {"X-Token": "ok"})
    assert answer.status == 200, answer.body
    assert answer.event["requestContext"]["authorizer"]["tenant"] == "acme"
    assert answer.event["requestContext"]["authorizer"]["principalId"] == "t|acme"
    event = seen(dev)[-1]
    ApiGatewayAuthorizerRequest.model_validate(event)
    assert event["type"] == "REQUEST"
    assert "body" not in event
    assert "authorizer" not in event["requestContext"]


def test_request_authorizer_without_an_identity_source_is_401(dev: DevServer) -> None:
    assert call(dev, "GET", "/Prod/request", {"X-Token": "ok"}).status == 401
    assert call(dev, "GET", "/Prod/request?tenant=acme").status == 401


def test_request_authorizer_with_ttl_0_runs_every_time(dev: DevServer) -> None:
    before = len(seen(dev))
    for _ in range(2):
        call(dev, "GET", "/Prod/request?tenant=acme", {"X-Token": "ok"})
    assert len(seen(dev)) == before + 2


# -- HTTP API Lambda authorizers ---------------------------------------------------------------------------


def test_simple_response_true_passes_its_context_as_json(dev: DevServer) -> None:
    answer = call(dev, "GET", "/simple", {"X-Token": "ok"})
    assert answer.status == 200, answer.body
    APIGatewayProxyEventV2Model.model_validate(answer.event)
    context = answer.event["requestContext"]["authorizer"]["lambda"]
    assert context["roles"] == ["a", "b"]
    assert context["user"] == "u-2"
    event = seen(dev)[-1]
    ApiGatewayAuthorizerRequestV2.model_validate(event)
    assert event["identitySource"] == ["ok"]
    assert event["routeArn"].endswith("/$default/GET/simple")


def test_simple_response_false_is_403(dev: DevServer) -> None:
    answer = call(dev, "GET", "/simple", {"X-Token": "nope"})
    assert (answer.status, answer.body) == (403, b'{"message":"Forbidden"}')


def test_simple_response_missing_identity_source_is_401(dev: DevServer) -> None:
    assert call(dev, "GET", "/simple").status == 401


def test_simple_response_is_cached_per_identity_value(dev: DevServer) -> None:
    first = call(dev, "GET", "/simple", {"X-Token": "ok"})
    second = call(dev, "GET", "/simple", {"X-Token": "ok"})
    calls = [a.event["requestContext"]["authorizer"]["lambda"]["calls"] for a in (first, second)]
    assert calls[0] == calls[1]


def test_payload_1_0_authorizer_policy_allows_one_path_only(dev: DevServer) -> None:
    allowed = call(dev, "GET", "/policy/1", {"X-Token": "ok"})
    assert allowed.status == 200, allowed.body
    assert allowed.event["requestContext"]["authorizer"]["lambda"] == {"tenant": "acme"}
    event = seen(dev)[-1]
    assert (event["version"], event["identitySource"], event["authorizationToken"]) == ("1.0", "ok", "ok")
    ApiGatewayAuthorizerRequest.model_validate(event)
    assert call(dev, "GET", "/policy/2", {"X-Token": "ok"}).status == 403
    assert call(dev, "GET", "/policy/1", {"X-Token": "bad"}).body == b'{"message":"Forbidden"}'


# -- IAM ---------------------------------------------------------------------------------------------------


def signed(
    dev: DevServer, method: str, path: str, *, key: str = "testing", secret: str = "testing", **kw: Any
) -> Answer:
    host = dev.url().removeprefix("http://")
    request = AWSRequest(method=method, url=f"http://{host}{path}", data=b"")
    signer = SigV4Auth(Credentials(key, secret), "execute-api", "us-east-1")
    signer.add_auth(request)
    headers = dict(request.headers.items())
    headers.update(kw.get("extra", {}))
    return call(dev, method, path, headers)


def test_iam_unsigned_is_403(dev: DevServer) -> None:
    rest = call(dev, "GET", "/Prod/iam")
    assert (rest.status, rest.body) == (403, b'{"message":"Missing Authentication Token"}')
    http = call(dev, "GET", "/signed")
    assert (http.status, http.body) == (403, b'{"message":"Forbidden"}')


def test_iam_signed_with_the_local_credentials_passes(dev: DevServer) -> None:
    rest = signed(dev, "GET", "/Prod/iam")
    assert rest.status == 200, rest.body
    identity = rest.event["requestContext"]["identity"]
    assert identity["accessKey"] == "testing"
    assert identity["userArn"] == "arn:aws:iam::123456789012:root"
    http = signed(dev, "GET", "/signed")
    assert http.status == 200, http.body
    assert http.event["requestContext"]["authorizer"]["iam"]["userArn"] == "arn:aws:iam::123456789012:root"


def test_iam_signed_by_a_moto_iam_user_names_that_user(dev: DevServer) -> None:
    assert dev.aws is not None
    iam = boto3.client("iam", **dev.aws.client_kwargs)
    iam.create_user(UserName="reporter")
    key = iam.create_access_key(UserName="reporter")["AccessKey"]
    answer = signed(dev, "GET", "/signed", key=key["AccessKeyId"], secret=key["SecretAccessKey"])
    assert answer.status == 200, answer.body
    assert answer.event["requestContext"]["authorizer"]["iam"]["userArn"].endswith(":user/reporter")


def test_iam_wrong_secret_shows_the_expected_canonical_request(dev: DevServer) -> None:
    answer = signed(dev, "GET", "/Prod/iam", secret="wrong")
    assert answer.status == 403
    assert answer.header("x-amzn-ErrorType") == "InvalidSignatureException"
    message = answer.json()["message"]
    assert message.startswith("The request signature we calculated does not match")
    assert "The Canonical String for this request should have been\n'GET\n/Prod/iam\n" in message


def test_iam_unknown_key_is_refused(dev: DevServer) -> None:
    answer = signed(dev, "GET", "/signed", key="AKIAUNKNOWN000000000")
    assert answer.json() == {"message": "The security token included in the request is invalid."}


def test_iam_stale_signature_is_expired(dev: DevServer) -> None:
    stamp = (datetime.datetime.now(datetime.UTC) - datetime.timedelta(minutes=20)).strftime("%Y%m%dT%H%M%SZ")
    request = AWSRequest(method="GET", url=f"{dev.url()}/signed", data=b"")
    signer = SigV4Auth(Credentials("testing", "testing"), "execute-api", "us-east-1")
    request.context["timestamp"] = stamp
    request.headers["X-Amz-Date"] = stamp
    request.headers["Host"] = dev.url().removeprefix("http://")
    canonical = signer.canonical_request(request)
    signature = signer.signature(signer.string_to_sign(request, canonical), request)
    authorization = (
        f"AWS4-HMAC-SHA256 Credential=testing/{stamp[:8]}/us-east-1/execute-api/aws4_request, "
        f"SignedHeaders=host;x-amz-date, Signature={signature}"
    )
    answer = call(dev, "GET", "/signed", {"X-Amz-Date": stamp, "Authorization": authorization})
    assert answer.status == 403
    assert answer.json()["message"].startswith(f"Signature expired: {stamp} is now earlier than")


def test_iam_incomplete_header_names_the_missing_parts(dev: DevServer) -> None:
    answer = call(dev, "GET", "/signed", {"Authorization": "AWS4-HMAC-SHA256 Credential=testing/x"})
    assert answer.header("x-amzn-ErrorType") == "IncompleteSignatureException"
    assert "requires 'Signature' parameter" in answer.json()["message"]


# -- API keys ----------------------------------------------------------------------------------------------


def test_api_key_required_route(dev: DevServer) -> None:
    missing = call(dev, "GET", "/Prod/key")
    assert (missing.status, missing.body) == (403, b'{"message":"Forbidden"}')
    assert call(dev, "GET", "/Prod/key", {"x-api-key": "wrong"}).status == 403
    answer = call(dev, "GET", "/Prod/key", {"x-api-key": API_KEY})
    assert answer.status == 200, answer.body
    identity = answer.event["requestContext"]["identity"]
    assert identity["apiKey"] == API_KEY
    assert identity["apiKeyId"]

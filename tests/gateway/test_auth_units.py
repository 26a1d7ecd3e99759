"""The authorization stage's parts: policies, the cache, claim strings, tokens, keys, SigV4, project files."""

from __future__ import annotations

import base64
import json
import os
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from aws_lambda_powertools.utilities.parser.models import (
    ApiGatewayAuthorizerRequest,
    ApiGatewayAuthorizerRequestV2,
    ApiGatewayAuthorizerToken,
)

from lambda_micro.local.auth.cache import AuthorizerCache
from lambda_micro.local.auth.contexts import (
    InvalidContext,
    http_claims,
    http_scopes,
    rest_claims,
    rest_lambda_context,
    token_scopes,
)
from lambda_micro.local.auth.credentials import Caller, Credentials
from lambda_micro.local.auth.dev_issuer import DEV_ISSUER, DevIssuer
from lambda_micro.local.auth.keys import IssuerKeys, KeysUnavailable
from lambda_micro.local.auth.lambda_authorizer import authorizer_event, identity_values, parse_answer
from lambda_micro.local.auth.policy import Decision, PolicyError, evaluate, method_arn
from lambda_micro.local.auth.sigv4 import SignatureRejected, verify_sigv4
from lambda_micro.local.auth.tokens import TokenRejected, bearer_token, check_claims, verify_signature
from lambda_micro.local.exchange import GatewayRequest
from lambda_micro.local.sam.auth_model import IdentitySources, LambdaAuthorizer
from lambda_micro.local.workdir import ServeRecord, StoredUser, Users, read_serve, remove_serve, write_serve
from lambda_micro.testing import build_event

ARN = "arn:aws:execute-api:us-east-1:123456789012:abc123/Prod/GET/posts/1"


def statement(effect: str, resource: Any, action: Any = "execute-api:Invoke", **extra: Any) -> dict[str, Any]:
    return {"Effect": effect, "Action": action, "Resource": resource, **extra}


def doc(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


# -- policies ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("policy", "decision"),
    [
        (doc(statement("Allow", ARN)), Decision.ALLOW),
        (doc(statement("Allow", "arn:aws:execute-api:us-east-1:123456789012:abc123/*")), Decision.ALLOW),
        (doc(statement("Allow", "arn:aws:execute-api:*:*:abc123/Prod/GET/posts/?")), Decision.ALLOW),
        (
            doc(statement("Allow", "arn:aws:execute-api:us-east-1:123456789012:abc123/Prod/POST/*")),
            Decision.IMPLICIT_DENY,
        ),
        (doc(statement("Allow", ARN), statement("Deny", "*")), Decision.EXPLICIT_DENY),
        (doc(statement("Allow", [ARN], action=["execute-api:*"])), Decision.ALLOW),
        (doc(statement("Allow", ARN, action="EXECUTE-API:invoke")), Decision.ALLOW),
        (doc(statement("Allow", ARN, action="s3:GetObject")), Decision.IMPLICIT_DENY),
        ({"Statement": statement("Allow", "*")}, Decision.ALLOW),  # one statement, not a list
        (doc({"Effect": "Allow", "Action": "*", "NotResource": "*/POST/*"}), Decision.ALLOW),
        (doc({"Effect": "Deny", "NotAction": "s3:*", "Resource": "*"}), Decision.EXPLICIT_DENY),
    ],
)
def test_policy_evaluation(policy: dict[str, Any], decision: Decision) -> None:
    assert evaluate(policy, ARN) is decision


@pytest.mark.parametrize(
    ("policy", "message"),
    [
        ("nope", "must be an object"),
        ({"Statement": []}, "non-empty list"),
        ({"Statement": ["x"]}, "must be an object"),
        (doc(statement("Maybe", "*")), "Effect must be Allow or Deny"),
        (doc(statement("Allow", 7)), "Resource must be a string"),
        (doc({"Effect": "Allow", "Action": "*"}), "needs Resource or NotResource"),
    ],
)
def test_malformed_policies_are_errors(policy: Any, message: str) -> None:
    with pytest.raises(PolicyError, match=message):
        evaluate(policy, ARN)


def test_method_arn() -> None:
    arn = method_arn(
        region="eu-west-1", account_id="1", api_id="a", stage="$default", method="get", path="/x/y"
    )
    assert arn == "arn:aws:execute-api:eu-west-1:1:a/$default/GET/x/y"


# -- the cache ---------------------------------------------------------------------------------------------


def test_cache_expires_and_stays_bounded() -> None:
    now = [100.0]
    cache = AuthorizerCache(clock=lambda: now[0], max_entries=2)
    cache.put("a", 1, 10)
    cache.put("zero", 0, 0)  # a TTL of 0 keeps nothing
    assert (cache.get("a"), cache.get("zero"), cache.hits) == (1, None, 1)
    now[0] = 111
    assert cache.get("a") is None
    cache.put("b", 2, 10)
    cache.put("c", 3, 10)
    cache.put("d", 4, 10)  # full: the oldest goes
    assert (cache.get("b"), cache.get("c"), cache.get("d")) == (None, 3, 4)
    cache.clear()
    assert cache.get("d") is None


# -- claims as API Gateway passes them ---------------------------------------------------------------------


def test_rest_claims_are_strings_with_java_dates() -> None:
    claims = rest_claims(
        {"exp": 1732438800, "iat": 1732435200.0, "auth_time": 1732435100, "email_verified": True,
         "cognito:groups": ["a", "b"], "address": {"x": 1}, "sub": "s"}
    )  # fmt: skip
    assert claims == {
        "exp": "Sun Nov 24 09:00:00 UTC 2024",  # the form this repository's REST capture has
        "iat": "Sun Nov 24 08:00:00 UTC 2024",
        "auth_time": "1732435100",
        "email_verified": "true",
        "cognito:groups": "a,b",
        "address": '{"x":1}',
        "sub": "s",
    }


def test_http_claims_print_lists_like_go() -> None:
    assert http_claims({"groups": ["a", "b"], "n": 2.0, "ok": False, "m": {"k": [1]}}) == {
        "groups": "[a b]", "n": "2", "ok": "false", "m": '{"k":[1]}',
    }  # fmt: skip
    assert http_scopes({"scope": "a b"}) == ["a", "b"]
    assert http_scopes({"scp": ["x"]}) == ["x"]
    assert http_scopes({}) is None
    assert token_scopes({"scope": 3}) is None


def test_rest_lambda_context_refuses_objects() -> None:
    assert rest_lambda_context("p", {"n": 1, "b": True, "none": None}, 5) == {
        "principalId": "p", "integrationLatency": 5, "n": "1", "b": "true", "none": None,
    }  # fmt: skip
    with pytest.raises(InvalidContext, match="context\\['roles'\\] is list"):
        rest_lambda_context("p", {"roles": ["a"]}, 0)


# -- tokens ------------------------------------------------------------------------------------------------


def _unsigned(header: dict[str, Any], claims: dict[str, Any]) -> str:
    parts = [base64.urlsafe_b64encode(json.dumps(p).encode()).decode().rstrip("=") for p in (header, claims)]
    return ".".join([*parts, "sig"])


def test_bearer_token_forms() -> None:
    assert bearer_token("Bearer abc") == "abc"
    assert bearer_token("bearer  abc ") == "abc"
    assert bearer_token("abc") == "abc"
    assert bearer_token("Bearer ") is None
    assert bearer_token(None) is None


@pytest.mark.parametrize(
    ("token", "message"),
    [
        ("a.b", "three base64url segments"),
        ("!!.??.x", "not base64url JSON"),
        (_unsigned({"alg": "none"}, {}), "only RSA algorithms"),
        (_unsigned({"alg": "HS256"}, {}), "only RSA algorithms"),
        (_unsigned({"alg": "RS256", "kid": "other"}, {}), "matches none of the issuer's keys"),
        (".".join([base64.urlsafe_b64encode(b"[1]").decode(), "e30", "x"]), "not JSON objects"),
    ],
)
def test_tokens_refused_before_their_signature(token: str, message: str) -> None:
    with pytest.raises(TokenRejected, match=message):
        verify_signature(token, DevIssuer.in_memory().key_set)


def test_dev_issuer_tokens_verify_and_claims_are_checked() -> None:
    issuer = DevIssuer.in_memory()
    claims = verify_signature(issuer.token(audience=["x", "y"], claims={"nbf": 1}), issuer.key_set)
    check_claims(claims, issuers={DEV_ISSUER}, audience=["y"])
    now = time.time()
    checks: list[tuple[dict[str, Any], str]] = [
        ({"iss": "other"}, "issuer 'other' is not"),
        ({"iss": DEV_ISSUER, "aud": "z", "exp": now + 9}, "valid audience"),
        ({"iss": DEV_ISSUER, "client_id": "y", "exp": now - 1}, "expired"),
        ({"iss": DEV_ISSUER, "aud": "y"}, "has no exp"),
        ({"iss": DEV_ISSUER, "aud": "y", "exp": "soon"}, "exp is not a number"),
        ({"iss": DEV_ISSUER, "aud": "y", "exp": now + 9, "nbf": now + 60}, "not valid yet"),
        ({"iss": DEV_ISSUER, "aud": "y", "exp": now + 99, "iat": now + 60}, "issued in the future"),
    ]
    for bad, message in checks:
        with pytest.raises(TokenRejected, match=message):
            check_claims(bad, issuers={DEV_ISSUER}, audience=["y"])


def test_dev_issuer_key_file(tmp_path: Path) -> None:
    path = tmp_path / "k" / "dev-issuer.json"
    first = DevIssuer(path)
    assert not path.exists()  # made on first use
    token = first.token(subject="s")
    assert path.stat().st_mode & 0o777 == 0o600
    assert verify_signature(token, DevIssuer(path).key_set)["sub"] == "s"  # the same key, read back
    path.write_text("{}")
    with pytest.raises(ValueError, match="not a dev issuer key"):
        DevIssuer(path).token()


# -- keys --------------------------------------------------------------------------------------------------


def test_remote_issuer_keys_are_discovered_and_cached() -> None:
    jwks = {"keys": [DevIssuer.in_memory().key_set.as_dict()["keys"][0]]}
    fetched: list[str] = []

    def fetch(url: str) -> Any:
        fetched.append(url)
        if url.endswith("openid-configuration"):
            return {"jwks_uri": "https://idp.example/jwks"}
        return jwks

    keys = IssuerKeys(fetch=fetch)
    assert keys.source("https://idp.example/") == "remote"
    keys.key_set("https://idp.example/")
    keys.key_set("https://idp.example/")
    assert fetched == ["https://idp.example/.well-known/openid-configuration", "https://idp.example/jwks"]


def test_key_failures_say_what_to_do() -> None:
    keys = IssuerKeys(fetch=lambda url: {"no": "jwks_uri"}, pool_issuers=["https://cognito-idp.x/pool"])
    with pytest.raises(KeysUnavailable, match="--trust-dev-issuer"):
        keys.key_set("https://idp.example/")

    def broken(url: str) -> Any:
        raise OSError("down")

    failing = IssuerKeys(
        fetch=broken, pool_issuers=["https://cognito-idp.x/pool"], cognito_endpoint="http://h:1"
    )
    with pytest.raises(KeysUnavailable, match="the local Cognito did not serve"):
        failing.key_set("https://cognito-idp.x/pool")
    not_keys = IssuerKeys(fetch=lambda url: {"keys": "x"}, pool_issuers=["https://p"])
    with pytest.raises(KeysUnavailable, match="not a key set"):
        not_keys.key_set("https://p")


def test_dev_issuer_is_trusted_only_where_told() -> None:
    dev = DevIssuer.in_memory()
    keys = IssuerKeys(dev_issuer=dev, pool_issuers=["https://pool"])
    assert (keys.source(DEV_ISSUER), keys.source("https://idp/")) == ("dev", "remote")
    trusting = IssuerKeys(dev_issuer=dev, pool_issuers=["https://pool"], trust_dev_issuer=True)
    assert (trusting.source("https://idp/"), trusting.source("https://pool")) == ("dev", "cognito")


# -- Lambda authorizer events and answers ------------------------------------------------------------------


def _config(**kwargs: Any) -> LambdaAuthorizer:
    return LambdaAuthorizer(name="A", api_kind="http", function_id="F", function_arn="arn", **kwargs)


def test_authorizer_events_validate_against_powertools() -> None:
    rest = build_event("GET", "/p", payload="rest", headers={"Authorization": "t"})
    token = authorizer_event(
        LambdaAuthorizer(name="T", api_kind="rest", function_id="F", function_arn="a"), rest, ["t"], ARN
    )
    ApiGatewayAuthorizerToken.model_validate(token)
    request = LambdaAuthorizer(
        name="R", api_kind="rest", function_id="F", function_arn="a", payload="REQUEST"
    )
    ApiGatewayAuthorizerRequest.model_validate(authorizer_event(request, rest, ["t"], ARN))
    v1 = build_event("GET", "/p", payload="http-1.0")
    event_v1 = authorizer_event(_config(payload="REQUEST"), v1, ["a", "b"], ARN)
    assert (event_v1["identitySource"], event_v1["version"]) == ("a,b", "1.0")
    ApiGatewayAuthorizerRequest.model_validate(event_v1)
    v2 = build_event("GET", "/p", payload="http-2.0", body="x")
    event_v2 = authorizer_event(_config(payload="REQUEST", payload_format_version="2.0"), v2, ["a"], ARN)
    assert "body" not in event_v2
    ApiGatewayAuthorizerRequestV2.model_validate(event_v2)


def test_identity_values_from_every_source() -> None:
    config = _config(
        identity=IdentitySources(("X-A",), ("q",), ("s",), ("routeKey", "httpMethod", "sourceIp"))
    )
    request = GatewayRequest(
        "GET", "/p", query="q=1&q=2", headers=(("x-a", "h"),), stage_variables={"s": "v"}
    )
    event = build_event("GET", "/p", payload="http-2.0", source_ip="203.0.113.5")
    assert identity_values(config, request, event) == ["h", "1", "v", "$default", "GET", "203.0.113.5"]
    rest_event = build_event("GET", "/p", payload="rest", source_ip="203.0.113.6")
    rest = LambdaAuthorizer(
        name="R", api_kind="rest", function_id="F", function_arn="a", payload="REQUEST",
        identity=IdentitySources(context=("identity.sourceIp", "stage", "nowhere")),
    )  # fmt: skip
    assert identity_values(rest, GatewayRequest("GET"), rest_event) == ["203.0.113.6", "Prod", None]


@pytest.mark.parametrize(
    ("config", "result", "message"),
    [
        (_config(), ["x"], "returned list"),
        (_config(), {"context": 3}, "context must be an object"),
        (_config(simple_responses=True), {"isAuthorized": "yes"}, "isAuthorized true or false"),
        (
            LambdaAuthorizer(name="R", api_kind="rest", function_id="F", function_arn="a"),
            {"policyDocument": {}},
            "principalId",
        ),
        (_config(), {"principalId": 3}, "principalId must be a string"),
        (_config(), {"principalId": "p"}, "policyDocument must be an object"),
    ],
)
def test_authorizer_answers_api_gateway_refuses(config: LambdaAuthorizer, result: Any, message: str) -> None:
    with pytest.raises(PolicyError, match=message):
        parse_answer(config, result)


# -- SigV4 -------------------------------------------------------------------------------------------------


def _signed_request(stamp: str, **headers: str) -> GatewayRequest:
    credential = f"testing/{stamp[:8]}/us-east-1/execute-api/aws4_request"
    authorization = f"AWS4-HMAC-SHA256 Credential={credential}, SignedHeaders=host, Signature=00"
    pairs = {"Host": "h", "Authorization": authorization, **headers}
    return GatewayRequest("GET", "/", headers=tuple(pairs.items()))


@pytest.mark.parametrize(
    ("request_", "message"),
    [
        (GatewayRequest("GET", headers=(("Authorization", "Basic x"),)), "as its scheme"),
        (GatewayRequest("GET", headers=(("Authorization", "AWS4-HMAC-SHA256 Signature=1"),)), "'Credential'"),
        (_signed_request("20240101T000000Z"), "X-Amz-Date' or a 'Date' header"),
        (_signed_request("20240101T000000Z", **{"X-Amz-Date": "yesterday"}), "ISO-8601"),
        (_signed_request("20240101T000000Z", Date="Mon, 01 Jan 2024 00:00:00 GMT"), "does not match"),
    ],
)
def test_sigv4_refusals(request_: GatewayRequest, message: str) -> None:
    now = datetime(2024, 1, 1, tzinfo=UTC)
    with pytest.raises(SignatureRejected, match=message):
        verify_sigv4(request_, region="us-east-1", credentials=Credentials(moto=False), now=now)


def test_sigv4_scope_and_clock_checks() -> None:
    now = datetime(2024, 1, 1, tzinfo=UTC)
    stamp = now.strftime("%Y%m%dT%H%M%SZ")
    credentials = Credentials(moto=False)
    with pytest.raises(SignatureRejected, match="valid region"):
        verify_sigv4(
            _signed_request(stamp, **{"X-Amz-Date": stamp}),
            region="eu-west-1",
            credentials=credentials,
            now=now,
        )
    future = (now + timedelta(minutes=10)).strftime("%Y%m%dT%H%M%SZ")
    with pytest.raises(SignatureRejected, match="not yet current"):
        verify_sigv4(
            _signed_request(future, **{"X-Amz-Date": future}),
            region="us-east-1",
            credentials=credentials,
            now=now,
        )
    bad_scope = GatewayRequest(
        "GET",
        headers=(
            ("Authorization", "AWS4-HMAC-SHA256 Credential=a/b, SignedHeaders=host, Signature=1"),
            ("X-Amz-Date", stamp),
        ),
    )
    with pytest.raises(SignatureRejected, match="aws4_request"):
        verify_sigv4(bad_scope, region="us-east-1", credentials=credentials, now=now)
    other_service = _signed_request(stamp, **{"X-Amz-Date": stamp})
    header = other_service.header("Authorization") or ""
    swapped = GatewayRequest(
        "GET", headers=(("Authorization", header.replace("execute-api", "s3")), ("X-Amz-Date", stamp))
    )
    with pytest.raises(SignatureRejected, match="correct service"):
        verify_sigv4(swapped, region="us-east-1", credentials=credentials, now=now)
    stale_date = GatewayRequest(
        "GET", headers=(("Authorization", header.replace(stamp[:8], "20231231")), ("X-Amz-Date", stamp))
    )
    with pytest.raises(SignatureRejected, match="valid date"):
        verify_sigv4(stale_date, region="us-east-1", credentials=credentials, now=now)


def test_credentials_extra_keys_and_no_moto() -> None:
    caller = Caller("AKIAEXTRA", "secret", "111111111111", "arn:aws:iam::111111111111:user/x", "AIDAX")
    credentials = Credentials(extra={"AKIAEXTRA": caller}, moto=False)
    assert credentials.lookup("AKIAEXTRA") is caller
    assert credentials.lookup("AKIAOTHER") is None
    assert Credentials().lookup("AKIANOBODY0000000000") is None  # moto's IAM does not know it


# -- the project's files -----------------------------------------------------------------------------------


def test_users_file_round_trip_and_errors(tmp_path: Path) -> None:
    template = tmp_path / "template.yaml"
    users = Users(template)
    assert users.all() == []
    users.put(StoredUser("Pool", "ada@example.com", "pw1", ["editors"]))
    users.put(StoredUser("Pool", "bob@example.com", "pw2"))
    users.put(StoredUser("Pool", "ada@example.com", "pw3"))  # replaces
    assert [(u.username, u.password) for u in users.all()] == [
        ("bob@example.com", "pw2"),
        ("ada@example.com", "pw3"),
    ]
    assert users.find("ada@example.com", "Pool") == StoredUser("Pool", "ada@example.com", "pw3", [])
    assert users.find("ada@example.com", "Other") is None
    assert users.path.stat().st_mode & 0o777 == 0o600
    users.path.write_text("not json")
    with pytest.raises(ValueError, match="not a users file"):
        users.all()
    users.path.write_text('{"users": [{"pool": "P"}]}')
    with pytest.raises(ValueError, match="lacks"):
        users.all()


def test_serve_record_is_forgotten_when_its_process_is_gone(tmp_path: Path) -> None:
    template = tmp_path / "template.yaml"
    assert read_serve(template) is None
    write_serve(template, ServeRecord(os.getpid(), "http://127.0.0.1:1", "us-east-1", "http://x"))
    assert read_serve(template) == ServeRecord(os.getpid(), "http://127.0.0.1:1", "us-east-1", "http://x")
    remove_serve(template, os.getpid() + 1)  # not its record: kept
    assert read_serve(template) is not None
    remove_serve(template, os.getpid())
    assert read_serve(template) is None
    write_serve(template, ServeRecord(2**22 + 12345, "http://127.0.0.1:1", "us-east-1"))  # no such process
    assert read_serve(template) is None
    remove_serve(tmp_path / "elsewhere" / "t.yaml", 1)  # nothing to remove

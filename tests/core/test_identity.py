"""``request.identity``: one read-only Identity from every event source and authorizer block."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from lambda_micro import App, Identity, request
from lambda_micro.identity import identity_from_event, parse_list_claim

EVENTS = Path(__file__).resolve().parents[1] / "events"


def event(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((EVENTS / f"{name}.json").read_text(encoding="utf-8"))
    return loaded


def with_authorizer(name: str, block: dict[str, Any] | None) -> dict[str, Any]:
    copied = copy.deepcopy(event(name))
    if block is None:
        copied["requestContext"].pop("authorizer", None)
    else:
        copied["requestContext"]["authorizer"] = block
    return copied


def lambda_context() -> SimpleNamespace:
    return SimpleNamespace(
        aws_request_id="req-1", function_name="fn", get_remaining_time_in_millis=lambda: 3000
    )


@pytest.fixture
def whoami() -> App:
    app = App(__name__, template_folder=None, static_folder=None)

    @app.route("/<path:anything>", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
    @app.route("/", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
    def who(anything: str = "") -> dict[str, Any]:
        identity = request.identity
        return {
            "kind": identity.kind,
            "authenticated": identity.authenticated,
            "subject": identity.subject,
            "username": identity.username,
            "principal_id": identity.principal_id,
            "groups": list(identity.groups),
            "scopes": list(identity.scopes),
            "claims": dict(identity.claims),
            "source_ip": identity.source_ip,
            "same_object": identity is request.identity,
        }

    return app


def identity_of(app: App, lambda_event: dict[str, Any]) -> dict[str, Any]:
    result = app.lambda_handler(lambda_event, lambda_context())
    if "Records" in lambda_event:  # Lambda@Edge: the result is CloudFront's shape
        assert result["status"] == "200", result
    else:
        assert result["statusCode"] == 200, result
    body: dict[str, Any] = json.loads(result["body"])
    assert body.pop("same_object") is True  # computed once per request
    return body


def test_identity_rest_cognito_claims(whoami: App) -> None:
    found = identity_of(whoami, event("rest_cognito_authorizer"))
    assert found["kind"] == "cognito"
    assert found["subject"] == "5f2b1c3d-8e9a-4b7c-a1d2-e3f4a5b6c7d8"
    assert found["username"] == "ada"
    assert found["claims"]["email"] == "ada@example.com"
    assert found["source_ip"] == "198.51.100.23"


def test_identity_rest_cognito_groups_are_comma_joined(whoami: App) -> None:
    base = event("rest_cognito_authorizer")["requestContext"]["authorizer"]
    claims = {**base["claims"], "cognito:groups": "editors,admins"}
    found = identity_of(whoami, with_authorizer("rest_cognito_authorizer", {"claims": claims}))
    assert found["groups"] == ["editors", "admins"]


def test_identity_rest_lambda_authorizer_context(whoami: App) -> None:
    found = identity_of(whoami, event("rest_lambda_authorizer"))
    assert found["kind"] == "lambda"
    assert (found["subject"], found["principal_id"]) == ("user|ada", "user|ada")
    assert found["claims"] == {"role": "admin", "tenant": "acme"}  # principalId and latency are not context


def test_identity_http_v2_jwt(whoami: App) -> None:
    found = identity_of(whoami, event("http_v2_jwt_authorizer"))
    assert found["kind"] == "jwt"  # not a Cognito issuer
    assert found["subject"] == "ada"
    assert found["scopes"] == ["posts:write"]


def test_identity_http_v2_cognito_groups_in_go_slice_form(whoami: App) -> None:
    block = {
        "jwt": {
            "claims": {
                "sub": "u-1",
                "iss": "https://cognito-idp.eu-central-1.amazonaws.com/eu-central-1_Ab12Cd34E",
                "cognito:groups": "[editors admins]",
                "username": "ada",
                "scope": "aws.cognito.signin.user.admin",
            },
            "scopes": None,
        }
    }
    found = identity_of(whoami, with_authorizer("http_v2_jwt_authorizer", block))
    assert (found["kind"], found["username"]) == ("cognito", "ada")
    assert found["groups"] == ["editors", "admins"]
    assert found["scopes"] == ["aws.cognito.signin.user.admin"]  # from the claim when the list is null


def test_identity_http_v1_jwt_claims_and_scopes(whoami: App) -> None:
    block = {"claims": {"sub": "u-1", "iss": "https://auth.example.com/"}, "scopes": ["read", "write"]}
    found = identity_of(whoami, with_authorizer("http_v1", block))
    assert (found["kind"], found["subject"], found["scopes"]) == ("jwt", "u-1", ["read", "write"])


def test_identity_http_v2_lambda_context(whoami: App) -> None:
    block = {"lambda": {"principalId": "p-7", "username": "bob", "groups": ["a", "b"], "n": 3}}
    found = identity_of(whoami, with_authorizer("http_v2_jwt_authorizer", block))
    assert (found["kind"], found["subject"], found["username"]) == ("lambda", "p-7", "bob")
    assert found["groups"] == ["a", "b"]
    assert found["claims"]["n"] == 3


def test_identity_http_v2_iam(whoami: App) -> None:
    block = {
        "iam": {
            "accessKey": "AKIA...",
            "accountId": "123456789012",
            "callerId": "AIDA1",
            "cognitoIdentity": None,
            "principalOrgId": None,
            "userArn": "arn:aws:iam::123456789012:user/reporter",
            "userId": "AIDA1",
        }
    }
    found = identity_of(whoami, with_authorizer("http_v2_jwt_authorizer", block))
    assert found["kind"] == "iam"
    assert (found["subject"], found["principal_id"], found["username"]) == (
        "arn:aws:iam::123456789012:user/reporter", "AIDA1", "reporter",
    )  # fmt: skip
    assert "cognitoIdentity" not in found["claims"]  # null fields are left out


def test_identity_rest_iam_from_the_request_identity(whoami: App) -> None:
    rest = copy.deepcopy(event("rest_execute_api_stage"))
    rest["requestContext"]["identity"].update(
        {"accessKey": "AKIA1", "accountId": "123456789012", "caller": "AIDA2", "user": "AIDA2",
         "userArn": "arn:aws:sts::123456789012:assumed-role/deployer/session-9"}
    )  # fmt: skip
    found = identity_of(whoami, rest)
    assert (found["kind"], found["principal_id"], found["username"]) == ("iam", "AIDA2", "session-9")


def test_identity_vpc_lattice_v2_iam(whoami: App) -> None:
    found = identity_of(whoami, event("lattice_v2"))
    assert found["kind"] == "iam"
    assert found["subject"] == "arn:aws:sts::123456789012:assumed-role/orders-client/i-0c7de02a688bde9f7"
    assert found["username"] == "i-0c7de02a688bde9f7"


@pytest.mark.parametrize(
    "name", ["alb_single", "alb_multi", "function_url", "http_v1", "lattice_v1", "edge_viewer_request"]
)
def test_identity_is_anonymous_without_an_authorizer(whoami: App, name: str) -> None:
    found = identity_of(whoami, event(name))
    assert (found["kind"], found["authenticated"], found["subject"]) == ("none", False, None)
    assert found["claims"] == {}


def test_identity_ignores_malformed_blocks(whoami: App) -> None:
    for block in ({"jwt": "nope"}, {"claims": ["x"]}, {"lambda": 1}, {"iam": None}, {}):
        found = identity_of(whoami, with_authorizer("http_v2_jwt_authorizer", block))
        assert found["kind"] == "none", block


def test_identity_outside_lambda_is_anonymous_with_the_remote_address(whoami: App) -> None:
    response = whoami.test_client().get("/", environ_base={"REMOTE_ADDR": "203.0.113.9"})
    assert (response.json["kind"], response.json["source_ip"]) == ("none", "203.0.113.9")


def test_identity_loader_supplies_an_identity_when_the_event_has_none(whoami: App) -> None:
    @whoami.identity_loader
    def from_session() -> Identity | None:
        return Identity("cognito", subject="s-1", username="ada", groups=["editors"])

    found = identity_of(whoami, event("alb_single"))
    assert (found["kind"], found["subject"], found["groups"]) == ("cognito", "s-1", ["editors"])
    # an authorizer's identity wins over the loader's
    assert identity_of(whoami, event("rest_lambda_authorizer"))["subject"] == "user|ada"


def test_identity_loader_returning_something_else_is_a_clear_500(whoami: App) -> None:
    whoami.identity_loader(lambda: "ada")  # type: ignore[arg-type,return-value]
    result = whoami.lambda_handler(event("alb_single"), lambda_context())
    assert result["statusCode"] == 500


def test_identity_loader_wrong_type_message() -> None:
    app = App("loader_message", template_folder=None, static_folder=None)
    app.identity_loader(lambda: 42)  # type: ignore[arg-type,return-value]
    with (
        app.test_request_context("/"),
        pytest.raises(TypeError, match="must return an Identity or None, not int"),
    ):
        _ = request.identity


def test_identity_is_read_only() -> None:
    identity = Identity("jwt", subject="u", claims={"a": 1}, scopes=["s"])
    with pytest.raises(AttributeError, match="read-only"):
        identity.subject = "other"  # type: ignore[misc]
    with pytest.raises(AttributeError, match="read-only"):
        del identity.kind
    with pytest.raises(TypeError):
        identity.claims["a"] = 2  # type: ignore[index]
    assert identity.has_scopes("s")
    assert not identity.has_scopes("s", "t")
    assert identity == Identity("jwt", subject="u", claims={"a": 1}, scopes=["s"])
    assert hash(identity) == hash(Identity("jwt", subject="u", claims={"a": 1}, scopes=["s"]))
    assert identity != "u"
    assert "jwt" in repr(identity)
    assert "none" in repr(Identity())


def test_identity_refuses_bad_arguments() -> None:
    with pytest.raises(ValueError, match="kind must be one of"):
        Identity("saml")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="not the string"):
        Identity("jwt", groups="admins")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, ()),
        (["a", "b"], ("a", "b")),
        ("[a b]", ("a", "b")),
        ("[]", ()),
        ("a,b", ("a", "b")),
        ("solo", ("solo",)),
        ("a, ,b", ("a", "b")),
    ],
)
def test_parse_list_claim_reads_every_form(value: object, expected: tuple[str, ...]) -> None:
    assert parse_list_claim(value) == expected


def test_identity_scope_claims_in_every_form() -> None:
    def scopes(claims: dict[str, Any]) -> tuple[str, ...]:
        event = {
            "requestContext": {"authorizer": {"jwt": {"claims": {"sub": "s", **claims}, "scopes": None}}}
        }
        return identity_from_event(event).scopes

    assert scopes({"scp": ["a", "b"]}) == ("a", "b")
    assert scopes({"scope": "[a b]"}) == ("a", "b")  # a list claim as an HTTP API prints it
    assert scopes({"scope": "  "}) == ()
    identity = Identity("cognito", groups=["x", "y"])
    assert identity.in_groups("x", "y")
    assert not identity.in_groups("z")
    assert (
        identity_from_event({"requestContext": {"authorizer": {"jwt": {"claims": {"sub": ["x"]}}}}}).subject
        is None
    )


def test_identity_from_event_of_a_non_mapping_is_anonymous() -> None:
    assert identity_from_event(None).kind == "none"
    assert identity_from_event({"requestContext": "x"}, source_ip="1.2.3.4").source_ip == "1.2.3.4"


def test_reading_no_identity_imports_nothing_new() -> None:
    code = (
        "import sys\nfrom lambda_micro import App, login_required\napp = App('x')\n"
        "@app.get('/')\n@login_required\ndef index():\n    return {}\n"
        "print('lambda_micro.identity' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"

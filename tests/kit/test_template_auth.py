# ruff: noqa: E501 - the templates below are YAML, one event per line as SAM users write them
"""Reading ``Auth`` and Cognito resources from template.yaml: defaults, inheritance, ids, clear errors."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from lambda_micro.local.sam import TemplateError, load_template
from lambda_micro.local.sam.auth_model import (
    IAM,
    CognitoAuthorizer,
    JwtAuthorizer,
    LambdaAuthorizer,
)

HEAD = """\
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Globals:
  Function:
    Runtime: python3.11
    Handler: app.handler
    CodeUri: fn/
"""

FILES = {"fn/app.py": "def handler(event, context):\n    return {}\n"}


def routes_of(write_project: Callable[..., Path], resources: str, globals_: str = "") -> dict[str, object]:
    template = load_template(write_project(HEAD + globals_ + "Resources:\n" + resources, FILES))
    return {route.event_id: route.auth for route in template.routes}


REST = """\
  Pool:
    Type: AWS::Cognito::UserPool
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: Prod
      Auth:
        DefaultAuthorizer: Users
        ApiKeyRequired: true
        Authorizers:
          Users:
            UserPoolArn: !GetAtt Pool.Arn
            AuthorizationScopes: [read]
          Token:
            FunctionArn: !GetAtt AuthFn.Arn
          Request:
            FunctionPayloadType: REQUEST
            FunctionArn: !Sub "arn:aws:lambda:${AWS::Region}:${AWS::AccountId}:function:${AuthFn}"
            Identity: {Headers: [X-Key], ReauthorizeEvery: 30}
  AuthFn:
    Type: AWS::Serverless::Function
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Events:
        Default: {Type: Api, Properties: {RestApiId: !Ref Api, Path: /a, Method: GET}}
        Open: {Type: Api, Properties: {RestApiId: !Ref Api, Path: /b, Method: GET, Auth: {Authorizer: NONE, ApiKeyRequired: false}}}
        Token: {Type: Api, Properties: {RestApiId: !Ref Api, Path: /c, Method: GET, Auth: {Authorizer: Token}}}
        Request: {Type: Api, Properties: {RestApiId: !Ref Api, Path: /d, Method: GET, Auth: {Authorizer: Request}}}
        Iam: {Type: Api, Properties: {RestApiId: !Ref Api, Path: /e, Method: GET, Auth: {Authorizer: AWS_IAM, AuthorizationScopes: []}}}
        Scoped: {Type: Api, Properties: {RestApiId: !Ref Api, Path: /f, Method: GET, Auth: {AuthorizationScopes: [write]}}}
"""


def test_rest_auth_defaults_and_overrides(write_project: Callable[..., Path]) -> None:
    auth = routes_of(write_project, REST)
    default = auth["Default"]
    assert isinstance(default.authorizer, CognitoAuthorizer)  # type: ignore[attr-defined]
    assert default.scopes == ("read",)  # type: ignore[attr-defined]
    assert default.api_key_required  # type: ignore[attr-defined]
    assert default.authorizer.header == "Authorization"  # type: ignore[attr-defined]
    assert default.authorizer.user_pool_ids[0].startswith("us-east-1_")  # type: ignore[attr-defined]
    assert auth["Open"] is None
    token = auth["Token"].authorizer  # type: ignore[attr-defined]
    assert isinstance(token, LambdaAuthorizer)
    assert (token.function_id, token.payload, token.ttl, token.identity.headers) == (
        "AuthFn", "TOKEN", 300, ("Authorization",),
    )  # fmt: skip
    request = auth["Request"].authorizer  # type: ignore[attr-defined]
    assert (request.function_id, request.payload, request.ttl) == ("AuthFn", "REQUEST", 30)  # by its ARN
    assert auth["Iam"].authorizer is IAM  # type: ignore[attr-defined]
    assert auth["Iam"].scopes == ()  # type: ignore[attr-defined]
    assert auth["Scoped"].scopes == ("write",)  # type: ignore[attr-defined]


HTTP_GLOBALS = """\
  HttpApi:
    Auth:
      EnableIamAuthorizer: true
      Authorizers:
        Jwt:
          IdentitySource: $request.header.X-Token
          AuthorizationScopes: [a]
          JwtConfiguration:
            issuer: !Sub "https://cognito-idp.${AWS::Region}.amazonaws.com/${Pool}"
            audience: !Ref Client
        Simple:
          FunctionArn: arn:aws:lambda:us-east-1:999999999999:function:elsewhere
          AuthorizerPayloadFormatVersion: "2.0"
          EnableSimpleResponses: true
"""

HTTP = """\
  Pool:
    Type: AWS::Cognito::UserPool
  Client:
    Type: AWS::Cognito::UserPoolClient
    Properties: {UserPoolId: !Ref Pool}
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Events:
        Jwt: {Type: HttpApi, Properties: {Path: /a, Method: GET, Auth: {Authorizer: Jwt}}}
        Scoped: {Type: HttpApi, Properties: {Path: /b, Method: GET, Auth: {Authorizer: Jwt, AuthorizationScopes: [b]}}}
        Simple: {Type: HttpApi, Properties: {Path: /c, Method: GET, Auth: {Authorizer: Simple}}}
        Iam: {Type: HttpApi, Properties: {Path: /d, Method: GET, Auth: {Authorizer: AWS_IAM}}}
        Open: {Type: HttpApi, Properties: {Path: /e, Method: GET}}
"""


def test_http_auth_from_globals_on_the_implicit_api(write_project: Callable[..., Path]) -> None:
    auth = routes_of(write_project, HTTP, HTTP_GLOBALS)
    jwt = auth["Jwt"].authorizer  # type: ignore[attr-defined]
    assert isinstance(jwt, JwtAuthorizer)
    assert jwt.header == "X-Token"
    assert jwt.issuer.startswith("https://cognito-idp.us-east-1.amazonaws.com/us-east-1_")
    assert len(jwt.audience) == 1
    assert len(jwt.audience[0]) == 26
    assert auth["Jwt"].scopes == ("a",)  # type: ignore[attr-defined]
    assert auth["Scoped"].scopes == ("b",)  # type: ignore[attr-defined]
    simple = auth["Simple"].authorizer  # type: ignore[attr-defined]
    assert (simple.function_id, simple.simple_responses, simple.ttl) == (None, True, 0)  # not this template's
    assert auth["Iam"].authorizer is IAM  # type: ignore[attr-defined]
    assert auth["Open"] is None


def test_cognito_resources_get_ids_and_attributes(write_project: Callable[..., Path]) -> None:
    resources = (
        HTTP
        + """\
  Group:
    Type: AWS::Cognito::UserPoolGroup
    Properties: {UserPoolId: !Ref Pool, GroupName: editors, Precedence: 1, Description: Writers}
  Key:
    Type: AWS::ApiGateway::ApiKey
  Fixed:
    Type: AWS::ApiGateway::ApiKey
    Properties: {Value: my-key, Enabled: false}
  Other:
    Type: AWS::Serverless::Function
    Properties:
      Environment:
        Variables:
          POOL: !Ref Pool
          ARN: !GetAtt Pool.Arn
          URL: !GetAtt Pool.ProviderURL
          NAME: !GetAtt Pool.ProviderName
          CLIENT: !GetAtt Client.ClientId
          GROUP: !Ref Group
          KEY: !GetAtt Key.APIKeyId
"""
    )
    template = load_template(write_project(HEAD + HTTP_GLOBALS + "Resources:\n" + resources, FILES))
    pool = template.user_pool()
    env = template.function("Other").environment
    assert env["POOL"] == pool.pool_id
    assert env["ARN"] == f"arn:aws:cognito-idp:us-east-1:123456789012:userpool/{pool.pool_id}"
    assert env["URL"] == pool.issuer
    assert env["NAME"] == pool.issuer.removeprefix("https://")
    assert env["CLIENT"] == template.user_pool_clients["Client"].client_id
    assert env["GROUP"] == "editors"
    group = template.user_pool_groups["Group"]
    assert (group.pool, group.precedence, group.description) == ("Pool", 1, "Writers")
    key, fixed = template.api_keys["Key"], template.api_keys["Fixed"]
    assert (key.generated, len(key.value), key.enabled) == (True, 40, True)
    assert env["KEY"] == key.key_id
    assert (fixed.value, fixed.enabled, fixed.generated) == ("my-key", False, False)
    assert template.user_pool("Pool") is pool


def test_user_pool_lookup_names_the_pools(write_project: Callable[..., Path]) -> None:
    template = load_template(write_project(HEAD + HTTP_GLOBALS + "Resources:\n" + HTTP, FILES))
    with pytest.raises(KeyError, match=r"no user pool 'Nope' \(user pools: Pool\)"):
        template.user_pool("Nope")
    empty = load_template(
        write_project(HEAD + "Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n", FILES)
    )
    with pytest.raises(KeyError, match="which user pool"):
        empty.user_pool()


@pytest.mark.parametrize(
    ("api_auth", "event_auth", "message"),
    [
        (
            "Authorizers: {A: {UserPoolArn: x}}",
            "{Authorizer: B}",
            "'B' is not an authorizer of the event's API",
        ),
        ("DefaultAuthorizer: Z", "{}", "DefaultAuthorizer 'Z' is not one of the API's authorizers"),
        ("Authorizers: {A: {Identity: {}}}", "{}", "needs UserPoolArn"),
        (
            "Authorizers: {A: {FunctionArn: !GetAtt Fn.Arn, FunctionPayloadType: REQUEST}}",
            "{}",
            "REQUEST authorizer must name Identity",
        ),
        ("Authorizers: {A: {FunctionArn: x, FunctionPayloadType: COOKIE}}", "{}", "TOKEN or REQUEST"),
        ("Authorizers: {A: {FunctionArn: x, Identity: {ReauthorizeEvery: 9000}}}", "{}", "0..3600"),
        ("Authorizers: {A: {FunctionArn: x, Identity: {ReauthorizeEvery: soon}}}", "{}", "number of seconds"),
        (
            "Authorizers: {A: {FunctionArn: x, Identity: {Headers: Auth}}}",
            "{}",
            "Identity.Headers must be a list",
        ),
        (
            "Authorizers: {A: {UserPoolArn: x, AuthorizationScopes: read}}",
            "{}",
            "AuthorizationScopes must be a list",
        ),
        ("Authorizers: [a]", "{}", "Authorizers must be a mapping"),
    ],
)
def test_rest_auth_errors_name_the_problem(
    write_project: Callable[..., Path], api_auth: str, event_auth: str, message: str
) -> None:
    resources = f"""\
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: Prod
      Auth: {{{api_auth}}}
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Events:
        Get: {{Type: Api, Properties: {{RestApiId: !Ref Api, Path: /a, Method: GET, Auth: {event_auth}}}}}
"""
    with pytest.raises(TemplateError, match=message):
        load_template(write_project(HEAD + "Resources:\n" + resources, FILES))


@pytest.mark.parametrize(
    ("authorizer", "event_auth", "message"),
    [
        ("{JwtConfiguration: {audience: [a]}, IdentitySource: $request.header.A}", "A", "needs an issuer"),
        (
            "{JwtConfiguration: {issuer: x}, IdentitySource: $request.querystring.t}",
            "A",
            "IdentitySource must be",
        ),
        ("{FunctionArn: x}", "A", "AuthorizerPayloadFormatVersion must be 1.0 or 2.0"),
        (
            "{FunctionArn: x, AuthorizerPayloadFormatVersion: '1.0', EnableSimpleResponses: true}",
            "A",
            "needs",
        ),
        ("{IdentitySource: x}", "A", "needs JwtConfiguration"),
        ("{FunctionArn: x, AuthorizerPayloadFormatVersion: '2.0'}", "AWS_IAM", "EnableIamAuthorizer"),
    ],
)
def test_http_auth_errors_name_the_problem(
    write_project: Callable[..., Path], authorizer: str, event_auth: str, message: str
) -> None:
    resources = f"""\
  Api:
    Type: AWS::Serverless::HttpApi
    Properties:
      Auth:
        Authorizers:
          A: {authorizer}
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Events:
        Get: {{Type: HttpApi, Properties: {{ApiId: !Ref Api, Path: /a, Method: GET, Auth: {{Authorizer: {event_auth}}}}}}}
"""
    with pytest.raises(TemplateError, match=message):
        load_template(write_project(HEAD + "Resources:\n" + resources, FILES))


def test_a_client_of_an_unknown_pool_is_refused(write_project: Callable[..., Path]) -> None:
    resources = """\
  Client:
    Type: AWS::Cognito::UserPoolClient
    Properties: {UserPoolId: us-east-1_Elsewhere}
"""
    with pytest.raises(TemplateError, match="UserPoolId must !Ref an AWS::Cognito::UserPool"):
        load_template(write_project(HEAD + "Resources:\n" + resources, FILES))


def test_auth_that_is_not_a_mapping_is_refused(write_project: Callable[..., Path]) -> None:
    resources = """\
  Api:
    Type: AWS::Serverless::Api
    Properties: {StageName: Prod, Auth: [x]}
"""
    with pytest.raises(TemplateError, match="Auth must be a mapping"):
        load_template(write_project(HEAD + "Resources:\n" + resources, FILES))
    event = """\
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Events:
        Get: {Type: Api, Properties: {Path: /a, Method: GET, Auth: [x]}}
"""
    with pytest.raises(TemplateError, match="Auth must be a mapping"):
        load_template(write_project(HEAD + "Resources:\n" + event, FILES))

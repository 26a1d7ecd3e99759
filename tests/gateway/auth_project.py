"""A SAM project declaring every kind of authorizer, served by ``lambda-micro serve`` for the auth tests."""

from __future__ import annotations

import http.client
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from lambda_micro.local.devserver import DevServer

from .conftest import ECHO_HANDLER, TEMPLATE_HEAD, Project, Reply

API_KEY = "local-key-0123456789abcdef"

RESOURCES = """\
Users:
  Type: AWS::Cognito::UserPool
  Properties:
    UsernameAttributes: [email]
    AutoVerifiedAttributes: [email]
UsersClient:
  Type: AWS::Cognito::UserPoolClient
  Properties:
    UserPoolId: !Ref Users
    ExplicitAuthFlows: [ALLOW_USER_PASSWORD_AUTH, ALLOW_ADMIN_USER_PASSWORD_AUTH, ALLOW_REFRESH_TOKEN_AUTH]
Editors:
  Type: AWS::Cognito::UserPoolGroup
  Properties:
    UserPoolId: !Ref Users
    GroupName: editors
LocalKey:
  Type: AWS::ApiGateway::ApiKey
  Properties:
    Enabled: true
    Value: local-key-0123456789abcdef
RestApi:
  Type: AWS::Serverless::Api
  Properties:
    StageName: Prod
    Auth:
      Authorizers:
        Cognito:
          UserPoolArn: !GetAtt Users.Arn
        CognitoScoped:
          UserPoolArn: !GetAtt Users.Arn
          AuthorizationScopes: [aws.cognito.signin.user.admin]
        Token:
          FunctionArn: !GetAtt Authorizer.Arn
          Identity:
            ValidationExpression: "^Bearer [a-z0-9-]+$"
            ReauthorizeEvery: 300
        Request:
          FunctionPayloadType: REQUEST
          FunctionArn: !GetAtt Authorizer.Arn
          Identity:
            Headers: [X-Token]
            QueryStrings: [tenant]
            ReauthorizeEvery: 0
HttpApi:
  Type: AWS::Serverless::HttpApi
  Properties:
    Auth:
      EnableIamAuthorizer: true
      Authorizers:
        Jwt:
          IdentitySource: $request.header.Authorization
          JwtConfiguration:
            issuer: !Sub "https://cognito-idp.${AWS::Region}.amazonaws.com/${Users}"
            audience: [!Ref UsersClient]
        Dev:
          IdentitySource: $request.header.Authorization
          AuthorizationScopes: [posts:write]
          JwtConfiguration:
            issuer: https://lambda-micro.invalid/dev-issuer
            audience: [blog-api]
        External:
          IdentitySource: $request.header.Authorization
          JwtConfiguration:
            issuer: https://auth.example.com/
            audience: [api]
        Simple:
          FunctionArn: !GetAtt Authorizer.Arn
          AuthorizerPayloadFormatVersion: "2.0"
          EnableSimpleResponses: true
          Identity:
            Headers: [X-Token]
            ReauthorizeEvery: 60
        Policy:
          FunctionArn: !GetAtt Authorizer.Arn
          AuthorizerPayloadFormatVersion: "1.0"
          Identity:
            Headers: [X-Token]
Echo:
  Type: AWS::Serverless::Function
  Properties:
    CodeUri: fn/
    Handler: app.handler
    Events:
      RestOpen: {Type: Api, Properties: {RestApiId: !Ref RestApi, Path: /open, Method: GET}}
      RestCognito:
        Type: Api
        Properties: {RestApiId: !Ref RestApi, Path: /cognito, Method: GET, Auth: {Authorizer: Cognito}}
      RestScoped:
        Type: Api
        Properties: {RestApiId: !Ref RestApi, Path: /scoped, Method: GET, Auth: {Authorizer: CognitoScoped}}
      RestToken:
        Type: Api
        Properties: {RestApiId: !Ref RestApi, Path: "/token/{proxy+}", Method: ANY, Auth: {Authorizer: Token}}
      RestRequest:
        Type: Api
        Properties: {RestApiId: !Ref RestApi, Path: /request, Method: GET, Auth: {Authorizer: Request}}
      RestIam:
        Type: Api
        Properties: {RestApiId: !Ref RestApi, Path: /iam, Method: GET, Auth: {Authorizer: AWS_IAM}}
      RestKey:
        Type: Api
        Properties: {RestApiId: !Ref RestApi, Path: /key, Method: GET, Auth: {ApiKeyRequired: true}}
      HttpJwt:
        Type: HttpApi
        Properties: {ApiId: !Ref HttpApi, Path: /jwt, Method: GET, Auth: {Authorizer: Jwt}}
      HttpJwtV1:
        Type: HttpApi
        Properties:
          ApiId: !Ref HttpApi
          Path: /jwt-v1
          Method: GET
          PayloadFormatVersion: "1.0"
          Auth: {Authorizer: Jwt}
      HttpDev:
        Type: HttpApi
        Properties: {ApiId: !Ref HttpApi, Path: /dev, Method: POST, Auth: {Authorizer: Dev}}
      HttpExternal:
        Type: HttpApi
        Properties: {ApiId: !Ref HttpApi, Path: /external, Method: GET, Auth: {Authorizer: External}}
      HttpSimple:
        Type: HttpApi
        Properties: {ApiId: !Ref HttpApi, Path: /simple, Method: GET, Auth: {Authorizer: Simple}}
      HttpPolicy:
        Type: HttpApi
        Properties: {ApiId: !Ref HttpApi, Path: "/policy/{id}", Method: GET, Auth: {Authorizer: Policy}}
      HttpIam:
        Type: HttpApi
        Properties: {ApiId: !Ref HttpApi, Path: /signed, Method: GET, Auth: {Authorizer: AWS_IAM}}
Authorizer:
  Type: AWS::Serverless::Function
  Properties:
    CodeUri: auth/
    Handler: app.handler
"""

# One authorizer function for every kind: what it does depends on the token it is given. It counts its
# invocations (put in the context), so a test sees when API Gateway's cache answered instead.
AUTHORIZER = """
import json

CALLS = {"n": 0}
SEEN = []


def policy(principal, effect, resource, context):
    return {
        "principalId": principal,
        "policyDocument": {
            "Version": "2012-10-17",
            "Statement": [{"Action": "execute-api:Invoke", "Effect": effect, "Resource": resource}],
        },
        "context": context,
    }


def handler(event, context):
    CALLS["n"] += 1
    SEEN.append(event)
    calls = CALLS["n"]
    if event["type"] == "TOKEN":
        token = event["authorizationToken"].removeprefix("Bearer ")
        arn = event["methodArn"]
        if token == "unauthorized":
            raise Exception("Unauthorized")
        if token == "broken":
            return {"nope": 1}
        if token == "crash":
            raise RuntimeError("the authorizer has a bug")
        if token == "deny":
            return policy("user|ada", "Deny", arn, {})
        if token == "get-only":
            base = arn.split("/", 1)[0]
            return policy("user|ada", "Allow", base + "/*/GET/*", {"calls": calls})
        if token == "nested":
            return policy("user|ada", "Allow", arn, {"roles": ["a"]})
        return policy("user|ada", "Allow", arn, {"role": "admin", "level": 3, "beta": True, "calls": calls})
    if event.get("version") == "2.0":
        ok = event["headers"].get("x-token") == "ok"
        return {"isAuthorized": ok, "context": {"user": "u-2", "roles": ["a", "b"], "calls": calls}}
    if event.get("version") == "1.0":
        base = event["methodArn"].split("/", 1)[0]
        headers = {name.lower(): value for name, value in event["headers"].items()}
        if headers.get("x-token") != "ok":
            return policy("u-1", "Deny", base + "/*", {})
        return policy("u-1", "Allow", base + "/*/GET/policy/1", {"tenant": "acme"})
    # REST REQUEST
    tenant = event["queryStringParameters"]["tenant"]
    if event["headers"].get("X-Token") != "ok":
        return policy("nobody", "Deny", event["methodArn"], {})
    return policy("t|" + tenant, "Allow", event["methodArn"], {"tenant": tenant, "calls": calls})
"""


class Answer(Reply):
    """A response as the client received it, with the event the echo function answered with."""

    @property
    def event(self) -> dict[str, Any]:
        """The integration event the echo function received."""
        event: dict[str, Any] = self.json()["event"]
        return event


def write_project(root: Path) -> Project:
    project = Project(root)
    project.write("fn/app.py", ECHO_HANDLER)
    project.write("auth/app.py", AUTHORIZER)
    project.write_template(RESOURCES, head=TEMPLATE_HEAD)
    return project


def call(  # noqa: PLR0917 - a test helper read like a request line
    dev: DevServer,
    method: str,
    path: str,
    headers: Mapping[str, str] | Sequence[tuple[str, str]] = (),
    body: bytes | None = None,
    api: str | None = None,
) -> Answer:
    """One real HTTP request to the server (``api``: that API's own port)."""
    host, port = dev.url(api).removeprefix("http://").rstrip("/").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=30)
    try:
        pairs = list(headers.items()) if isinstance(headers, Mapping) else list(headers)
        conn.request(method, path, body=body, headers=dict(pairs))
        response = conn.getresponse()
        return Answer(response.status, response.getheaders(), response.read())
    finally:
        conn.close()

"""What a template's ``Auth`` declares: the authorizers of each API and what each route requires.

SAM's syntax, on ``AWS::Serverless::Api`` (REST) and ``AWS::Serverless::HttpApi`` ``Auth`` (or
``Globals.Api``/``Globals.HttpApi`` for the implicit APIs) and on each ``Api``/``HttpApi`` event's
``Auth``, becomes plain data here; :mod:`.auth` reads it and :mod:`lambda_micro.local.auth` enforces it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

__all__ = [
    "IAM",
    "ApiAuth",
    "Authorizer",
    "CognitoAuthorizer",
    "IamAuthorizer",
    "IdentitySources",
    "JwtAuthorizer",
    "LambdaAuthorizer",
    "RouteAuth",
]


@dataclass(frozen=True)
class IdentitySources:
    """Where a Lambda authorizer's identity comes from (``Identity`` in SAM; selection expressions).

    ``headers`` compare case-insensitively, ``query_strings`` case-sensitively, ``context`` names context
    variables (``routeKey``, ``httpMethod``, ``sourceIp``...) and ``stage_variables`` stage variables.
    """

    headers: tuple[str, ...] = ()
    query_strings: tuple[str, ...] = ()
    stage_variables: tuple[str, ...] = ()
    context: tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        """No identity source at all (a REQUEST authorizer then runs on every request, uncached)."""
        return not (self.headers or self.query_strings or self.stage_variables or self.context)


@dataclass(frozen=True)
class JwtAuthorizer:
    """An HTTP API JWT authorizer (``JwtConfiguration``: ``issuer``, ``audience``; ``IdentitySource``)."""

    name: str
    issuer: str
    audience: tuple[str, ...]
    header: str = "Authorization"  # from ``$request.header.Authorization``
    scopes: tuple[str, ...] = ()  # the authorizer's AuthorizationScopes (a route's default)
    kind: Literal["jwt"] = "jwt"


@dataclass(frozen=True)
class CognitoAuthorizer:
    """A REST API Cognito user pool authorizer (``UserPoolArn``, ``Identity.Header``...)."""

    name: str
    user_pool_arns: tuple[str, ...]
    header: str = "Authorization"
    validation_expression: str | None = None
    ttl: int = 300  # Identity.ReauthorizeEvery
    scopes: tuple[str, ...] = ()
    kind: Literal["cognito"] = "cognito"

    @property
    def user_pool_ids(self) -> tuple[str, ...]:
        """The pools' ids (the last part of each ARN, ``us-east-1_AbC123``)."""
        return tuple(arn.rsplit("/", 1)[-1] for arn in self.user_pool_arns)


@dataclass(frozen=True)
class LambdaAuthorizer:
    """A Lambda authorizer: REST ``TOKEN``/``REQUEST``, or an HTTP API's (payload format 1.0/2.0).

    ``function_id`` is the template function it runs (``None`` when ``FunctionArn`` names a function
    from elsewhere, which cannot run locally). ``ttl`` is ``ReauthorizeEvery`` (0: no caching).
    """

    name: str
    api_kind: Literal["rest", "http"]
    function_id: str | None
    function_arn: str
    payload: Literal["TOKEN", "REQUEST"] = "TOKEN"
    identity: IdentitySources = field(default_factory=IdentitySources)
    validation_expression: str | None = None
    ttl: int = 300
    payload_format_version: str = "1.0"
    simple_responses: bool = False
    kind: Literal["lambda"] = "lambda"


@dataclass(frozen=True)
class IamAuthorizer:
    """IAM authorization (``AWS_IAM``): requests must be signed with SigV4."""

    name: str = "AWS_IAM"
    kind: Literal["iam"] = "iam"


#: The one IAM authorizer.
IAM = IamAuthorizer()

Authorizer = JwtAuthorizer | CognitoAuthorizer | LambdaAuthorizer | IamAuthorizer


@dataclass(frozen=True)
class ApiAuth:
    """An API's ``Auth``: its authorizers by name, the default one, and API-wide requirements."""

    authorizers: Mapping[str, Authorizer] = field(default_factory=dict)
    default: str | None = None  # an authorizer's name, "AWS_IAM", or None
    api_key_required: bool = False  # REST: Auth.ApiKeyRequired
    enable_iam: bool = False  # HTTP API: Auth.EnableIamAuthorizer


@dataclass(frozen=True)
class RouteAuth:
    """What one route requires: an authorizer (``None``: open), its scopes, an API key."""

    authorizer: Authorizer | None = None
    scopes: tuple[str, ...] = ()
    api_key_required: bool = False

    @property
    def open(self) -> bool:
        """Nothing to check."""
        return self.authorizer is None and not self.api_key_required

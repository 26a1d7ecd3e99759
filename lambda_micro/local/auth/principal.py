"""A caller a test asserts (``client.as_user(...)``), turned into the block its route's authorizer would give.

:class:`Principal` skips the cryptography (no token, no signature), not the rules: with enforcement on,
the route's ``AuthorizationScopes`` still apply to the principal's scopes. The block has the shape the
route's authorizer gives on AWS (a REST Cognito authorizer's string claims, an HTTP API JWT authorizer's
``jwt`` block, a Lambda authorizer's context, IAM's caller); a route without an authorizer gets the
payload's usual one (REST: Cognito claims; HTTP API: a Cognito JWT's ``jwt`` block; a Function URL: IAM).
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from lambda_micro.adapter.infer import REST, URL
from lambda_micro.local.events.request import DEFAULT_ACCOUNT_ID
from lambda_micro.local.sam.auth_model import (
    CognitoAuthorizer,
    IamAuthorizer,
    JwtAuthorizer,
    LambdaAuthorizer,
    RouteAuth,
)

from .contexts import http_claims, iam_block, rest_claims, rest_lambda_context

__all__ = ["Principal", "principal_authorizer"]

_KINDS = (None, "cognito", "jwt", "lambda", "iam")


@dataclass(frozen=True)
class Principal:
    """Who a test request comes from. ``kind`` ``None``: whatever the route's authorizer is."""

    sub: str = "test-user"
    username: str | None = None
    email: str | None = None
    claims: Mapping[str, Any] = field(default_factory=dict)
    groups: Sequence[str] = ()
    scopes: Sequence[str] = ()
    kind: str | None = None
    context: Mapping[str, Any] = field(default_factory=dict)  # a Lambda authorizer's context

    def __post_init__(self) -> None:
        if self.kind not in _KINDS:
            raise ValueError(f"as_user(kind=...) is one of cognito, jwt, lambda, iam; got {self.kind!r}")
        for name in ("groups", "scopes"):
            if isinstance(getattr(self, name), str):
                raise TypeError(f"as_user({name}=...) takes a list of strings, not a string")

    def token_claims(self, *, issuer: str, audience: str | None, access: bool) -> dict[str, Any]:
        """The claims of this principal's id token (an access token with ``access``), as Cognito writes them.

        These are the claims before API Gateway turns them into strings.
        """
        now = int(time.time())
        claims: dict[str, Any] = {"sub": self.sub, "iss": issuer}
        if audience is not None:
            claims["client_id" if access else "aud"] = audience
        kind = "access" if access else "id"
        claims.update({"token_use": kind, "auth_time": now, "iat": now, "exp": now + 3600})
        if self.username is not None:
            claims["username" if access else "cognito:username"] = self.username
        if self.email is not None:
            claims["email"] = self.email
        if self.groups:
            claims["cognito:groups"] = list(self.groups)
        if self.scopes:
            claims["scope"] = " ".join(self.scopes)
        claims.update(self.claims)
        return claims


def _local_issuer(region: str) -> str:
    return f"https://cognito-idp.{region}.amazonaws.com/{region}_LocalTest"


def principal_authorizer(
    principal: Principal, auth: RouteAuth | None, source: str, *, region: str
) -> tuple[str, Mapping[str, Any]]:
    """``(kind, value)`` for the event builder: the block ``auth``'s authorizer would give ``principal``."""
    authorizer = auth.authorizer if auth is not None else None
    kind = principal.kind
    if kind is None:
        kind = {
            JwtAuthorizer: "jwt",
            CognitoAuthorizer: "cognito",
            LambdaAuthorizer: "lambda",
            IamAuthorizer: "iam",
        }.get(type(authorizer), "iam" if source == URL else "cognito")
    if kind in ("cognito", "jwt"):
        issuer = _local_issuer(region) if kind == "cognito" else "https://issuer.local.test/"
        audience: str | None = "localtestclient"
        if isinstance(authorizer, JwtAuthorizer):
            issuer, audience = authorizer.issuer, (authorizer.audience or (None,))[0]
        elif isinstance(authorizer, CognitoAuthorizer) and authorizer.user_pool_ids:
            pool_id = authorizer.user_pool_ids[0]
            issuer = f"https://cognito-idp.{pool_id.split('_', 1)[0]}.amazonaws.com/{pool_id}"
        claims = principal.token_claims(issuer=issuer, audience=audience, access=bool(principal.scopes))
        if source == REST:
            return "claims", rest_claims(claims)
        return "jwt", {"claims": http_claims(claims), "scopes": list(principal.scopes) or None}
    if kind == "lambda":
        context = dict(principal.context)
        for name, value in (("username", principal.username), ("email", principal.email)):
            if value is not None:
                context.setdefault(name, value)
        if principal.groups:
            context.setdefault("groups", ",".join(principal.groups))
        if source == REST:
            return "lambda", rest_lambda_context(principal.sub, context, 0)
        # An HTTP API passes only the context: the subject travels in it.
        context.setdefault("principalId", principal.sub)
        return "lambda", context
    account = DEFAULT_ACCOUNT_ID
    return "iam", iam_block(
        access_key="AKIAIOSFODNN7EXAMPLE",
        account_id=account,
        caller_id=principal.sub,
        user_arn=f"arn:aws:iam::{account}:user/{principal.username or principal.sub}",
    )
